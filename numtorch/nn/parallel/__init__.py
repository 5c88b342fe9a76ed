"""``nn.parallel``: ``DataParallel``, which on numtorch's CPU-only devices runs the wrapped
module as it is (PyTorch does the same when no GPU is present), and
``DistributedDataParallel``, which lives with the process groups in ``numtorch.distributed``
and is loaded on first use."""

from __future__ import annotations

from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Wraps ``module`` (reached as ``.module``, so state_dict keys gain ``module.``) and calls
    it on the whole batch: with no GPUs there are no replicas to scatter over.

    Examples:
        >>> model = nn.DataParallel(nn.Linear(2, 3))
        >>> model(numtorch.ones(4, 2)).shape
        torch.Size([4, 3])
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def __getattr__(name: str):
    if name == "DistributedDataParallel":
        from .distributed import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
