"""The built-in DDP comm hooks. A hook is called as ``hook(state, bucket)`` once a bucket's
gradients are ready and returns a ``Future`` whose value is the bucket's averaged buffer; for
these hooks ``state`` is the process group (None: the world)."""

from __future__ import annotations

from ... import _mpi
from ...process_group import ReduceOp, _resolve
from ...work import Work

__all__ = ["allreduce_hook", "fp16_compress_hook"]


def _start_sum(group, tensor):
    """A Future of ``tensor`` summed in place over ``group``. DDP's buckets are laid out the same
    on every rank (checked when DDP was built), so no per-call agreement check is needed."""
    buf = tensor._data
    MPI = _mpi.mpi()
    request = group.comm.Iallreduce(MPI.IN_PLACE, buf, _mpi.reduce_op(ReduceOp.SUM))
    return Work([request], group, "DistributedDataParallel gradient all_reduce", None, [tensor])


def allreduce_hook(process_group, bucket):
    """Average the bucket over the ranks: divide by the world size, then sum."""
    group = _resolve(process_group)
    tensor = bucket.buffer()
    tensor._data /= group.size()
    return _start_sum(group, tensor).get_future().then(lambda fut: fut.value()[0])


def fp16_compress_hook(process_group, bucket):
    """Average the bucket in float16 (half the bytes on the wire), then cast back."""
    from .... import float16

    group = _resolve(process_group)
    buffer = bucket.buffer()
    compressed = buffer.to(float16)
    compressed._data /= group.size()

    def decompress(fut):
        buffer._data[...] = fut.value()[0]._data
        return buffer

    return _start_sum(group, compressed).get_future().then(decompress)
