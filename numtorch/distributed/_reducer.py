"""DDP's gradient averaging: parameters grouped into buckets, each bucket's all-reduce started as
soon as backward has produced all of its gradients.

Buckets hold the parameters in reverse order (the order backward produces their gradients) up
to ``bucket_cap_mb``; the first one is kept small (1 MB, as PyTorch does) so communication starts
early. Every rank starts the buckets in index order, so MPI sees the same sequence of
collectives everywhere, even when buckets fill in different orders. The reducer talks on a
communicator of its own, so a program's own collectives never interleave with its buckets.
"""

from __future__ import annotations

import numpy as np

from .._tensor import wrap
from . import _mpi
from .process_group import ProcessGroup

_FIRST_BUCKET_BYTES = 1024 * 1024


class GradBucket:
    """What a comm hook receives: one bucket's flat gradient buffer and its parameters."""

    def __init__(self, index, buffer, params, offsets, is_last):
        self._index, self._buffer, self._params = index, buffer, params
        self._offsets, self._is_last = offsets, is_last

    def index(self) -> int:
        return self._index

    def buffer(self):
        return self._buffer

    def set_buffer(self, buffer) -> None:
        self._buffer = buffer

    def parameters(self) -> list:
        return list(self._params)

    def gradients(self) -> list:
        """Views into ``buffer()``, one per parameter, shaped like it."""
        flat = self._buffer._data
        return [
            wrap(flat[a : a + p.numel()].reshape(p._data.shape))
            for p, a in zip(self._params, self._offsets)
        ]

    def is_last(self) -> bool:
        return self._is_last


def _buckets(params: list, cap_bytes: int) -> list:
    """Lists of parameter indices: reverse order, one dtype per bucket, at most ``cap_bytes``
    each (the first at most 1 MB)."""
    buckets, current, size, cap = [], [], 0, min(cap_bytes, _FIRST_BUCKET_BYTES)
    for i in reversed(range(len(params))):
        p = params[i]
        nbytes = p._data.nbytes
        mixed = current and params[current[0]]._data.dtype != p._data.dtype
        if current and (mixed or size + nbytes > cap):
            buckets.append(current)
            current, size, cap = [], 0, cap_bytes
        current.append(i)
        size += nbytes
    if current:
        buckets.append(current)
    return buckets


class Reducer:
    """Averages ``params``' gradients over ``group`` during backward, through ``hook``."""

    def __init__(self, params: list, group: ProcessGroup, cap_bytes: int, find_unused: bool):
        self.params, self.find_unused = params, find_unused
        self.group = ProcessGroup(group.comm.Dup(), group.ranks, group.backend, group.timeout)
        self.hook, self.state = None, None
        self.buckets = _buckets(params, cap_bytes)
        self.where = {}
        for b, bucket in enumerate(self.buckets):
            for i in bucket:
                self.where[i] = b
        self.armed = False
        self.handles = [
            p.register_post_accumulate_grad_hook(self._hook_for(i)) for i, p in enumerate(params)
        ]

    def _hook_for(self, i: int):
        return lambda param: self._ready(i)

    def check_finished(self) -> None:
        if self.armed:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
                "function outputs participate in calculating loss."
            )

    def prepare_for_backward(self, outputs) -> None:
        """Arm the reducer for the next backward (after a forward that should sync)."""
        self.armed = True
        self.pending = [len(bucket) for bucket in self.buckets]
        self.used = np.zeros(len(self.params), np.int32)
        self.futures, self.next_bucket = [], 0
        if self.find_unused:
            reached = _reachable_leaves(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in reached:
                    self._mark(i)

    def _ready(self, i: int) -> None:
        if self.armed:
            self.used[i] = 1
            self._mark(i)
            if self.armed and self.futures:
                # MPI moves a started bucket only inside MPI calls: a probe lets it progress
                # while backward computes the next buckets' gradients
                self.group.comm.Iprobe()

    def _mark(self, i: int) -> None:
        b = self.where[i]
        self.pending[b] -= 1
        while self.next_bucket < len(self.buckets) and self.pending[self.next_bucket] == 0:
            self._launch(self.next_bucket)
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets) and len(self.futures) == len(self.buckets):
            self._finish()

    def _launch(self, b: int) -> None:
        members = [self.params[i] for i in self.buckets[b]]
        offsets = np.concatenate([[0], np.cumsum([p.numel() for p in members])]).tolist()
        flat = np.zeros(offsets[-1], members[0]._data.dtype)
        for p, a, z in zip(members, offsets, offsets[1:]):
            if p._grad is not None:
                flat[a:z] = p._grad._data.reshape(-1)
        bucket = GradBucket(b, wrap(flat), members, offsets[:-1], b == len(self.buckets) - 1)
        self.futures.append((bucket, self._call_hook(bucket)))

    def _call_hook(self, bucket):
        if self.hook is None:
            from .algorithms.ddp_comm_hooks.default_hooks import allreduce_hook

            return allreduce_hook(self.group, bucket)
        return self.hook(self.state, bucket)

    def _finish(self) -> None:
        self.armed, self.pending = False, None
        used = self._globally_used()
        for (bucket, future), indices in zip(self.futures, self.buckets):
            flat = future.wait()._data
            for i, p, a in zip(indices, bucket._params, bucket._offsets):
                if used is not None and not used[i]:
                    continue
                value = flat[a : a + p.numel()].reshape(p._data.shape)
                if p._grad is None:
                    p._grad = wrap(value.astype(p._data.dtype, copy=True))
                else:
                    p._grad._data[...] = value
        self.futures = []

    def _globally_used(self):
        """With ``find_unused_parameters``: which parameters some rank used (the others keep
        ``grad`` None, as in PyTorch)."""
        if not self.find_unused:
            return None
        from .work import wait_requests

        MPI = _mpi.mpi()
        request = self.group.comm.Iallreduce(MPI.IN_PLACE, self.used, MPI.MAX)
        wait_requests([request], self.group, "DistributedDataParallel unused-parameter map")
        return self.used


def _reachable_leaves(outputs) -> set:
    """ids of the leaf tensors the autograd graph of ``outputs`` reaches."""
    from .._tensor import Tensor

    stack, seen, leaves = [], set(), set()
    _collect(outputs, stack, Tensor)
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaves.add(id(variable))
        stack.extend(edge[0] for edge in node.next_functions)
    return leaves


def _collect(obj, stack, Tensor) -> None:
    if isinstance(obj, Tensor):
        if obj.grad_fn is not None:
            stack.append(obj.grad_fn)
        elif obj.requires_grad:
            stack.append(obj._accumulator())
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _collect(item, stack, Tensor)
    elif isinstance(obj, dict):
        for item in obj.values():
            _collect(item, stack, Tensor)
