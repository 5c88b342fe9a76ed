"""``nn.parallel.DistributedDataParallel``: one model replica per rank, gradients averaged.

At construction every rank checks that the models match and takes rank 0's parameters and
buffers. Each forward (with ``broadcast_buffers``) takes rank 0's buffers again; each backward
averages the gradients over the ranks in buckets (see ``_reducer``), so after ``backward`` every
rank holds the same ``.grad`` and the same optimizer step keeps the replicas equal.
"""

from __future__ import annotations

import contextlib
import zlib

from ..autograd import grad_mode
from ..nn.modules.module import Module
from . import collectives
from ._reducer import Reducer
from .process_group import _resolve

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Wraps ``module`` (reached as ``.module``, so state_dict keys gain ``module.``).

    Args:
        module: the replica this rank trains. process_group: the ranks to average over
            (default: the world). broadcast_buffers: take rank 0's buffers at every forward.
            bucket_cap_mb: the largest bucket, in MiB (default 25).
            find_unused_parameters: let parameters go unused in a forward (their gradients
            count as zero; ones no rank used keep ``grad`` None).

    Examples:
        >>> dist.init_process_group("gloo")
        >>> model = DistributedDataParallel(nn.Linear(4, 2))
        >>> model(numtorch.randn(8, 4)).sum().backward()  # grads averaged over the ranks
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group=None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        **kwargs,
    ):
        super().__init__()
        group = _resolve(process_group)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        self.module, self.process_group = module, group
        self.device_ids, self.output_device, self.dim = [], None, dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        _check_same_model(group, module)
        self._sync(module.parameters(), module.buffers())
        cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.reducer = Reducer(params, group, cap, find_unused_parameters)

    def _sync(self, *tensor_lists) -> None:
        """Overwrite ``tensors`` with rank 0's (of the group)."""
        root = self.process_group.ranks[0]
        with grad_mode.no_grad():
            for tensors in tensor_lists:
                for t in tensors:
                    collectives.broadcast(t, src=root, group=self.process_group)

    def forward(self, *inputs, **kwargs):
        self.reducer.check_finished()
        if self.broadcast_buffers:
            self._sync(self.module.buffers())
        out = self.module(*inputs, **kwargs)
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward(out)
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes inside only accumulate local gradients; the first one outside
        averages the accumulated total."""
        before, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = before

    def register_comm_hook(self, state, hook) -> None:
        """Average each bucket with ``hook(state, bucket)`` (returning a Future of the averaged
        buffer) instead of the default all-reduce; e.g. ``default_hooks.fp16_compress_hook``."""
        if self.reducer.hook is not None:
            raise RuntimeError(
                "register_comm_hook or register_builtin_comm_hook can only be called once."
            )
        self.reducer.hook, self.reducer.state = hook, state


def _check_same_model(group, module) -> None:
    """Raise on every rank when the ranks' models differ in parameter shapes or dtypes."""
    mine = [(tuple(p.shape), str(p.dtype)) for p in module.parameters()]
    # A checksum first, under the group's timeout (a rank that never builds its DDP makes the
    # others raise instead of hang); the descriptions travel only when the ranks differ.
    checksum = zlib.crc32(repr(mine).encode())
    if collectives.same_on_all_ranks(group, [checksum], "DistributedDataParallel construction"):
        return
    everyone = group.comm.allgather(mine)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            raise RuntimeError(
                "DDP expects the same model on every rank, but rank "
                f"{group.ranks[0]} has parameters {everyone[0]} and rank {group.ranks[rank]} "
                f"has {theirs}"
            )
