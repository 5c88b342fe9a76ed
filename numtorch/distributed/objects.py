"""Collectives on picklable Python objects.

These are the one place where pickle crosses processes: a rank unpickles what its peers send,
and unpickling can run arbitrary code. As PyTorch's documentation says of its own versions,
call them only with peers you trust.
"""

from __future__ import annotations

import pickle

import numpy as np

from .process_group import _member
from .work import wait_requests

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]


def _bytes(obj) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _loads(flat: np.ndarray, sizes) -> list:
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return [pickle.loads(flat[a:b].tobytes()) for a, b in zip(offsets[:-1], offsets[1:])]


def _root(pg, rank, group_rank, what: str) -> int:
    if group_rank is not None:
        return group_rank
    rank = 0 if rank is None else rank
    if rank not in pg.ranks:
        raise ValueError(f"{what}: rank {rank} is not part of group {pg}")
    return pg.ranks.index(rank)


def broadcast_object_list(object_list: list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank by ``src``'s (the lists' lengths match)."""
    pg = _member(group)
    if pg is None:
        return
    root = _root(pg, src, group_src, "broadcast_object_list")
    data = _bytes(list(object_list)) if pg.rank() == root else None
    size = np.array([0 if data is None else data.size], np.int64)
    wait_requests([pg.comm.Ibcast(size, root=root)], pg, "broadcast_object_list")
    data = np.empty(int(size[0]), np.uint8) if data is None else data
    wait_requests([pg.comm.Ibcast(data, root=root)], pg, "broadcast_object_list")
    if pg.rank() != root:
        object_list[:] = pickle.loads(data.tobytes())[: len(object_list)]


def all_gather_object(object_list: list, obj, group=None) -> None:
    """Every rank's ``obj``, in rank order, into every rank's ``object_list``."""
    pg = _member(group)
    if pg is None:
        return
    data = _bytes(obj)
    sizes = np.empty(pg.size(), np.int64)
    mine = np.array([data.size], np.int64)
    wait_requests([pg.comm.Iallgather(mine, sizes)], pg, "all_gather_object")
    flat = np.empty(int(sizes.sum()), np.uint8)
    wait_requests([pg.comm.Iallgatherv(data, [flat, sizes])], pg, "all_gather_object")
    object_list[: pg.size()] = _loads(flat, sizes)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None) -> None:
    """Every rank's ``obj``, in rank order, into ``dst``'s ``object_gather_list``."""
    pg = _member(group)
    if pg is None:
        return
    root = _root(pg, dst, group_dst, "gather_object")
    is_root = pg.rank() == root
    data = _bytes(obj)
    sizes = np.empty(pg.size(), np.int64) if is_root else None
    mine = np.array([data.size], np.int64)
    wait_requests([pg.comm.Igather(mine, sizes, root=root)], pg, "gather_object")
    flat = np.empty(int(sizes.sum()), np.uint8) if is_root else None
    request = pg.comm.Igatherv(data, [flat, sizes] if is_root else None, root=root)
    wait_requests([request], pg, "gather_object")
    if is_root:
        object_gather_list[: pg.size()] = _loads(flat, sizes)


def scatter_object_list(
    scatter_object_output_list: list,
    scatter_object_input_list=None,
    src=None,
    group=None,
    group_src=None,
) -> None:
    """The ``r``-th object of ``src``'s input list into rank ``r``'s output list (item 0)."""
    pg = _member(group)
    if pg is None:
        return
    root = _root(pg, src, group_src, "scatter_object_list")
    pieces = flat = counts = None
    if pg.rank() == root:
        pieces = [_bytes(o) for o in scatter_object_input_list]
        counts = np.array([p.size for p in pieces], np.int64)
        flat = np.concatenate(pieces)
    size = np.empty(1, np.int64)
    wait_requests([pg.comm.Iscatter(counts, size, root=root)], pg, "scatter_object_list")
    mine = np.empty(int(size[0]), np.uint8)
    send = [flat, counts] if flat is not None else None
    wait_requests([pg.comm.Iscatterv(send, mine, root=root)], pg, "scatter_object_list")
    scatter_object_output_list[0] = pickle.loads(mine.tobytes())
