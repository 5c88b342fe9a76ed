"""``torch.nn.modules.linear_cross_entropy_options``: where PyTorch defines
LinearCrossEntropyOptions (numtorch keeps it in loss.py). Pickles name this path."""

from .loss import LinearCrossEntropyOptions

__all__ = ["LinearCrossEntropyOptions"]
