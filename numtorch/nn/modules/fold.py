"""``torch.nn.modules.fold``: where PyTorch defines Fold and Unfold (numtorch keeps them in
padding.py). Pickles name this path."""

from .padding import Fold, Unfold

__all__ = ["Fold", "Unfold"]
