"""``torch.nn.parallel.distributed``: PyTorch's home of ``DistributedDataParallel``, which
numtorch keeps with its process groups in ``numtorch.distributed.ddp``."""

from ...distributed.ddp import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
