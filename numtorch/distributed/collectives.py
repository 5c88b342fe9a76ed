"""Collectives on tensors, each one MPI non-blocking call on the group's communicator.

Before the data moves, the ranks agree on what they are doing: one small all-reduce of
(collective, op, element count, dtype) per call. Ranks that disagree (another shape, another
dtype, another collective) then raise the same clear error on every rank instead of corrupting
memory or hanging. ``src``/``dst`` are global ranks, ``group_src``/``group_dst`` group ranks.
"""

from __future__ import annotations

import numpy as np

from . import _mpi
from .process_group import ReduceOp, _member
from .work import Work, wait_requests

__all__ = [
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "broadcast",
    "gather",
    "irecv",
    "isend",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "send",
]

_NAMES = tuple(__all__)


def _issue(pg, requests, what, finish, result, async_op):
    work = Work(requests, pg, what, finish, result)
    if async_op:
        return work
    work.wait()
    return None


def same_on_all_ranks(pg, values: list, what: str) -> bool:
    """Whether every rank of ``pg`` passed the same integers, found by one all-reduce (the
    maximum of each value and of its negation) under the group's timeout."""
    both = np.array(values + [-v for v in values], dtype=np.int64)
    wait_requests([pg.comm.Iallreduce(_mpi.mpi().IN_PLACE, both, _mpi.mpi().MAX)], pg, what)
    return bool((both[: len(values)] == -both[len(values) :]).all())


def _agree(pg, what: str, buf, op=None, root: int = -1, count: bool = True) -> None:
    """Check that every rank of ``pg`` runs ``what`` on the same element count (unless
    ``count`` is False), dtype, ``op`` and ``root``; raise on every rank when they differ."""
    mine = [_NAMES.index(what), buf.size if count else -1, buf.dtype.num, -1, root]
    if op is not None:
        mine[3] = op.value
    if same_on_all_ranks(pg, mine, what):
        return
    said = [f"{buf.size} elements" if count else "", f"dtype {buf.dtype}"]
    said += [f"op {op.name}" if op is not None else "", f"root {root}" if root >= 0 else ""]
    seen = pg.comm.allgather(f"{what}({', '.join(s for s in said if s)})")
    lines = "; ".join(f"rank {pg.ranks[r]}: {text}" for r, text in enumerate(seen))
    raise RuntimeError(f"{what}: the ranks of the group called different collectives: {lines}")


def _buffer(tensor, reduction: bool = False):
    """An array MPI can read and write for ``tensor``, and a function that writes it back.
    MPI reduces no booleans (they go as uint8) and knows no bfloat16 (reduced in float32,
    moved as its 16-bit pattern)."""
    data = tensor._data
    if reduction and data.dtype == bool:
        buf = data.astype(np.uint8)
    elif data.dtype.name == "bfloat16":
        buf = data.astype(np.float32) if reduction else np.ascontiguousarray(data).view(np.uint16)
    else:
        buf = np.ascontiguousarray(data)

    def write_back():
        if buf is not data:
            data[...] = buf.view(data.dtype) if buf.dtype == np.uint16 else buf
        tensor._vc[0] += 1

    return buf, write_back


def _average(buf, size: int, dtype) -> None:
    if dtype.kind not in "fc" and dtype.name != "bfloat16":
        raise RuntimeError(f"all_reduce: ReduceOp.AVG needs a floating tensor, not {dtype}")
    buf /= size


def _group_rank(pg, rank, group_rank, what: str) -> int:
    if group_rank is not None:
        return group_rank
    if rank is None:
        raise ValueError(f"{what}: give the root as src/dst (a global rank) or group_src/group_dst")
    if rank not in pg.ranks:
        raise ValueError(f"{what}: rank {rank} is not part of group {pg}")
    return pg.ranks.index(rank)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine ``tensor`` across the ranks with ``op``; every rank gets the result in place."""
    pg = _member(group)
    if pg is None:
        return None
    buf, write_back = _buffer(tensor, reduction=True)
    _agree(pg, "all_reduce", buf, op)
    MPI = _mpi.mpi()
    request = pg.comm.Iallreduce(MPI.IN_PLACE, buf, _mpi.reduce_op(op))

    def finish():
        if op is ReduceOp.AVG:
            _average(buf, pg.size(), tensor._data.dtype)
        write_back()

    return _issue(pg, [request], "all_reduce", finish, [tensor], async_op)


def broadcast(tensor, src=None, group=None, async_op: bool = False, group_src=None):
    """Copy ``src``'s ``tensor`` into every rank's ``tensor``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _group_rank(pg, src, group_src, "broadcast")
    buf, write_back = _buffer(tensor)
    _agree(pg, "broadcast", buf, root=root)
    request = pg.comm.Ibcast(buf, root=root)
    return _issue(pg, [request], "broadcast", write_back, [tensor], async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op: bool = False, group_dst=None):
    """Combine ``tensor`` across the ranks with ``op`` into ``dst``'s ``tensor``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _group_rank(pg, dst, group_dst, "reduce")
    buf, write_back = _buffer(tensor, reduction=True)
    _agree(pg, "reduce", buf, op, root)
    MPI, is_root = _mpi.mpi(), pg.rank() == root
    send = MPI.IN_PLACE if is_root else buf
    request = pg.comm.Ireduce(send, buf if is_root else None, _mpi.reduce_op(op), root=root)

    def finish():
        if is_root:
            if op is ReduceOp.AVG:
                _average(buf, pg.size(), tensor._data.dtype)
            write_back()

    return _issue(pg, [request], "reduce", finish, [tensor], async_op)


def _flat_into(tensors, flat) -> None:
    """Copy the consecutive pieces of ``flat`` into ``tensors``."""
    start = 0
    for t in tensors:
        n = t._data.size
        t._data[...] = flat[start : start + n].reshape(t._data.shape).view(t._data.dtype)
        t._vc[0] += 1
        start += n


def _concat(tensors, dtype):
    if not tensors:
        return np.empty(0, dtype)
    return np.concatenate([_buffer(t)[0].reshape(-1) for t in tensors])


def _need(what: str, tensors, count: int, name: str) -> None:
    if tensors is None or len(tensors) != count:
        raise ValueError(f"{what}: {name} must hold one tensor per rank of the group ({count})")


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """Every rank's ``tensor``, in rank order, into every rank's ``tensor_list``."""
    pg = _member(group)
    if pg is None:
        return None
    _need("all_gather", tensor_list, pg.size(), "tensor_list")
    send = _buffer(tensor)[0]
    _agree(pg, "all_gather", send)
    flat = np.empty(send.size * pg.size(), send.dtype)
    request = pg.comm.Iallgather(send, flat)
    finish = lambda: _flat_into(tensor_list, flat)  # noqa: E731
    return _issue(pg, [request], "all_gather", finish, tensor_list, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """Every rank's ``input_tensor``, concatenated in rank order, into ``output_tensor``."""
    pg = _member(group)
    if pg is None:
        return None
    send = _buffer(input_tensor)[0]
    if output_tensor.numel() != send.size * pg.size():
        raise ValueError(
            "all_gather_into_tensor: output tensor size must be equal to world_size times input "
            f"tensor size ({output_tensor.numel()} != {pg.size()} x {send.size})"
        )
    _agree(pg, "all_gather_into_tensor", send)
    out, write_back = _buffer(output_tensor)
    request = pg.comm.Iallgather(send, out)
    return _issue(pg, [request], "all_gather_into_tensor", write_back, [output_tensor], async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op: bool = False, group_dst=None):
    """Every rank's ``tensor``, in rank order, into ``dst``'s ``gather_list``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _group_rank(pg, dst, group_dst, "gather")
    is_root = pg.rank() == root
    if is_root:
        _need("gather", gather_list, pg.size(), "gather_list")
    send = _buffer(tensor)[0]
    _agree(pg, "gather", send, root=root)
    flat = np.empty(send.size * pg.size(), send.dtype) if is_root else None
    request = pg.comm.Igather(send, flat, root=root)
    finish = (lambda: _flat_into(gather_list, flat)) if is_root else None
    return _issue(pg, [request], "gather", finish, gather_list or [], async_op)


def scatter(
    tensor, scatter_list=None, src=None, group=None, async_op: bool = False, group_src=None
):
    """The ``r``-th tensor of ``src``'s ``scatter_list`` into rank ``r``'s ``tensor``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _group_rank(pg, src, group_src, "scatter")
    out, write_back = _buffer(tensor)
    flat = None
    if pg.rank() == root:
        _need("scatter", scatter_list, pg.size(), "scatter_list")
        flat = _concat(scatter_list, out.dtype)
        if flat.size != out.size * pg.size():
            raise ValueError("scatter: every tensor of scatter_list must match tensor's size")
    _agree(pg, "scatter", out, root=root)
    request = pg.comm.Iscatter(flat, out, root=root)
    return _issue(pg, [request], "scatter", write_back, [tensor], async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``input_list`` across the ranks; rank ``r`` gets the ``r``-th reduced tensor."""
    pg = _member(group)
    if pg is None:
        return None
    _need("reduce_scatter", input_list, pg.size(), "input_list")
    out, write_back = _buffer(output, reduction=True)
    send = np.concatenate([_buffer(t, reduction=True)[0].reshape(-1) for t in input_list])
    return _reduce_scatter(pg, "reduce_scatter", send, out, write_back, op, output, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``input`` across the ranks; rank ``r`` gets its ``r``-th equal part."""
    pg = _member(group)
    if pg is None:
        return None
    out, write_back = _buffer(output, reduction=True)
    send = _buffer(input, reduction=True)[0]
    what = "reduce_scatter_tensor"
    return _reduce_scatter(pg, what, send, out, write_back, op, output, async_op)


def _reduce_scatter(pg, what, send, out, write_back, op, output, async_op):
    if send.size != out.size * pg.size():
        raise ValueError(
            f"{what}: input size must be world_size times output size "
            f"({send.size} != {pg.size()} x {out.size})"
        )
    _agree(pg, what, out, op)
    request = pg.comm.Ireduce_scatter_block(send, out, _mpi.reduce_op(op))

    def finish():
        if op is ReduceOp.AVG:
            _average(out, pg.size(), output._data.dtype)
        write_back()

    return _issue(pg, [request], what, finish, [output], async_op)


def all_to_all_single(
    output,
    input,
    output_split_sizes=None,
    input_split_sizes=None,
    group=None,
    async_op: bool = False,
):
    """Rank ``r`` sends the ``j``-th slice (along dim 0) of ``input`` to rank ``j``, which
    stores it as its ``r``-th slice of ``output``; split sizes count rows, equal by default."""
    pg = _member(group)
    if pg is None:
        return None
    send, (out, write_back) = _buffer(input)[0], _buffer(output)
    size = pg.size()
    row_in = send.size // max(input.shape[0], 1) if input.dim() else 1
    row_out = out.size // max(output.shape[0], 1) if output.dim() else 1
    send_counts = _counts(input_split_sizes, send.size, size, row_in)
    recv_counts = _counts(output_split_sizes, out.size, size, row_out)
    return _all_to_all(pg, "all_to_all_single", send, send_counts, out, recv_counts,
                       write_back, [output], async_op)  # fmt: skip


def _counts(splits, total: int, size: int, row: int) -> list:
    if splits is None:
        if total % size:
            raise ValueError(f"all_to_all_single: {total} elements do not split into {size}")
        return [total // size] * size
    return [int(s) * row for s in splits]


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op: bool = False):
    """Rank ``r``'s ``input_tensor_list[j]`` into rank ``j``'s ``output_tensor_list[r]``."""
    pg = _member(group)
    if pg is None:
        return None
    _need("all_to_all", input_tensor_list, pg.size(), "input_tensor_list")
    _need("all_to_all", output_tensor_list, pg.size(), "output_tensor_list")
    dtype = output_tensor_list[0]._data.dtype
    send = _concat(input_tensor_list, dtype)
    out = np.empty(sum(t.numel() for t in output_tensor_list), send.dtype)
    send_counts = [t.numel() for t in input_tensor_list]
    recv_counts = [t.numel() for t in output_tensor_list]
    finish = lambda: _flat_into(output_tensor_list, out)  # noqa: E731
    return _all_to_all(pg, "all_to_all", send, send_counts, out, recv_counts, finish,
                       output_tensor_list, async_op)  # fmt: skip


def _all_to_all(pg, what, send, send_counts, out, recv_counts, finish, result, async_op):
    _agree(pg, what, send, count=False)
    sent = np.empty(pg.size(), np.int64)  # what each rank says it sends me, to check my counts
    wait_requests([pg.comm.Ialltoall(np.array(send_counts, np.int64), sent)], pg, what)
    if sent.tolist() != list(recv_counts):
        raise RuntimeError(
            f"{what}: rank {pg.ranks[pg.rank()]} expects {list(recv_counts)} elements from the "
            f"ranks, which send {sent.tolist()}"
        )
    request = pg.comm.Ialltoallv([send, send_counts], [out, recv_counts])
    return _issue(pg, [request], what, finish, result, async_op)


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """Wait until every rank of the group has reached the barrier."""
    pg = _member(group)
    if pg is None:
        return None
    return _issue(pg, [pg.comm.Ibarrier()], "barrier", None, [], async_op)


def isend(tensor, dst=None, group=None, tag: int = 0, group_dst=None):
    """Start sending ``tensor`` to ``dst``; the returned Work's ``wait()`` finishes it."""
    pg = _member(group)
    if pg is None:
        return None
    peer = _group_rank(pg, dst, group_dst, "isend")
    buf = _buffer(tensor)[0]
    return Work([pg.comm.Isend(buf, dest=peer, tag=tag)], pg, f"send to rank {dst}")


def irecv(tensor, src=None, group=None, tag: int = 0, group_src=None):
    """Start receiving into ``tensor`` from ``src`` (from any rank when both are None)."""
    pg = _member(group)
    if pg is None:
        return None
    MPI = _mpi.mpi()
    from_any = src is None and group_src is None
    peer = MPI.ANY_SOURCE if from_any else _group_rank(pg, src, group_src, "irecv")
    buf, write_back = _buffer(tensor)
    return Work([pg.comm.Irecv(buf, source=peer, tag=tag)], pg, "recv", write_back, [tensor])


def send(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> None:
    """Send ``tensor`` to ``dst``, waiting until it has gone."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> int:
    """Receive into ``tensor`` from ``src`` (any rank when None); returns the sender's rank."""
    pg = _member(group)
    if pg is None:
        return -1
    MPI = _mpi.mpi()
    from_any = src is None and group_src is None
    peer = MPI.ANY_SOURCE if from_any else _group_rank(pg, src, group_src, "recv")
    buf, write_back = _buffer(tensor)
    status = MPI.Status()
    request = pg.comm.Irecv(buf, source=peer, tag=tag)
    wait_requests([request], pg, "recv", [status])
    write_back()
    return pg.ranks[status.Get_source()]
