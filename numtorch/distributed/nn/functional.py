"""Differentiable collectives, and the synchronised batch norm built on them.

``all_reduce`` sums a tensor over the ranks; its gradient is the sum over the ranks of the
gradients (each rank's loss depends on every rank's input), so backward all-reduces too. Every
rank must therefore run backward through it, as DDP training does.
"""

from __future__ import annotations

from ...autograd import grad_mode
from ...autograd.function import Function
from .. import collectives
from ..process_group import ReduceOp

__all__ = ["all_reduce", "sync_batch_norm"]


class _AllReduceSum(Function):
    @staticmethod
    def forward(ctx, group, tensor):
        ctx.group = group
        out = tensor.clone()
        collectives.all_reduce(out, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        total = grad.clone()
        collectives.all_reduce(total, group=ctx.group)
        return None, total


def all_reduce(tensor, op=ReduceOp.SUM, group=None):
    """``tensor`` summed over the ranks of ``group``, as a new tensor with a gradient."""
    if op is not ReduceOp.SUM:
        raise RuntimeError("numtorch's differentiable all_reduce supports ReduceOp.SUM only")
    return _AllReduceSum.apply(group, tensor)


def sync_batch_norm(input, running_mean, running_var, weight, bias, momentum, eps, group):
    """Training-mode batch norm whose mean and variance span the batches of every rank of
    ``group`` (two passes: the mean and the element count, then the mean squared deviation)."""
    from ... import cat

    channels = input.shape[1]
    dims = [0, *range(2, input.dim())]
    shape = [1, channels] + [1] * (input.dim() - 2)
    count = input.new_full((1,), input.numel() // channels)
    first = all_reduce(cat([input.sum(dims), count]), group=group)
    n = float(first[-1].detach())
    mean = first[:-1] / n
    centered = input - mean.reshape(shape)
    var = all_reduce((centered * centered).sum(dims), group=group) / n
    out = centered * (var + eps).rsqrt().reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    if running_mean is not None:
        with grad_mode.no_grad():
            running_mean.mul_(1 - momentum).add_(mean * momentum)
            running_var.mul_(1 - momentum).add_(var * (momentum * n / max(n - 1, 1)))
    return out
