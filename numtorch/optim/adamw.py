"""``torch.optim.adamw``: where PyTorch defines AdamW (numtorch keeps it beside Adam, in
adam.py). Pickles name this path."""

from .adam import AdamW

AdamW.__module__ = __name__
__all__ = ["AdamW"]
