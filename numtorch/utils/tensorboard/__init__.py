"""``torch.utils.tensorboard``: ``SummaryWriter`` writes the event files TensorBoard shows.

It writes through the ``tensorboard`` package (``pip install 'numtorch[tensorboard]'``, which
also brings Pillow for images); ``import numtorch`` does not load it.
"""

from __future__ import annotations

try:
    import tensorboard  # noqa: F401
except ImportError as e:
    raise ImportError(
        "numtorch.utils.tensorboard writes through the tensorboard package, which is not "
        "installed: pip install 'numtorch[tensorboard]'"
    ) from e

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
