"""What runs inside a DataLoader worker process, and how samples are fetched.

A worker seeds Python's ``random``, numtorch's global generator (``base_seed + worker_id``) and,
where NumPy's legacy global generator is in use, NumPy's (from PyTorch's seed-mixing hash), then
answers ``(task index, batch indices)`` messages with ``(task index, batch)`` until told to stop.
"""

from __future__ import annotations

import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler

from ..._tensor import Tensor, wrap

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Inside a worker: its ``id``, the ``num_workers``, its ``seed`` and its copy of the
    ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info() -> WorkerInfo | None:
    """This worker's ``WorkerInfo``; ``None`` in the main process."""
    return _worker_info


class _IterableDatasetStopIteration:
    """A worker's reply once its copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Tells a persistent worker that a new epoch starts."""


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, where: str) -> None:
        exc_type, exc, _ = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, exc.__traceback__))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


def _rebuild_tensor(array, requires_grad: bool) -> Tensor:
    return wrap(array, requires_grad)


def _reduce_tensor(t: Tensor):
    return _rebuild_tensor, (t._data, t._rg)


# batches travel between processes as their arrays (multiprocessing's own pickler only)
ForkingPickler.register(Tensor, _reduce_tensor)


class MapFetcher:
    """Fetches map-style samples by index and collates them."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        from ._collate import default_collate
        from .dataset import TensorDataset

        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        # NOTE: default_collate of TensorDataset rows is each tensor indexed by the whole batch
        # of indices; gathering rows at once gives the same batch without a per-sample loop.
        self.gather = (
            auto_collation
            and type(dataset) is TensorDataset
            and collate_fn is default_collate
            and not any(t._rg for t in dataset.tensors)
        )
        self.getitems = callable(getattr(dataset, "__getitems__", None))

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.gather:
            tensors = self.dataset.tensors
            n = tensors[0]._data.shape[0]
            for i in index:
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for dimension 0 with size {n}")
            return [wrap(t._data[index]) for t in tensors]
        if self.getitems:
            data = self.dataset.__getitems__(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class IterFetcher:
    """Fetches the next samples of an iterable dataset and collates them."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if len(data) == 0 or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = IterFetcher if iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """PyTorch's seed for NumPy's global generator in a worker: a SeedSequence-style mix of
    the worker id and the 64-bit base seed into four 32-bit words."""
    mask = 0xFFFFFFFF
    mult_a, mult_b = 0x931E8875, 0x58F38DED
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    const = [0x43B0D7E5]

    def hash_(value):
        value = (value ^ const[0]) & mask
        const[0] = (const[0] * mult_a) & mask
        value = (value * const[0]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x, y):
        r = ((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)
        r &= mask
        return (r ^ (r >> 16)) & mask

    pool = [hash_(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hash_(pool[src]))
    const_b = 0x8B51F9DD
    state = []
    for i in range(4):
        value = (pool[i] ^ const_b) & mask
        const_b = (const_b * mult_b) & mask
        value = (value * const_b) & mask
        state.append((value ^ (value >> 16)) & mask)
    return state


def _seed_worker(base_seed: int, worker_id: int) -> int:
    from ... import random as nt_random

    seed = base_seed + worker_id
    random.seed(seed)
    nt_random.manual_seed(seed)
    numpy = sys.modules.get("numpy")  # seeded only where a program uses it, as PyTorch does
    if numpy is not None:
        numpy.random.seed(_generate_state(base_seed, worker_id))
    return seed


def worker_loop(
    iterable: bool,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
) -> None:
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_error = ExceptionWrapper(where)
    ended = False
    while True:
        try:
            msg = index_queue.get(timeout=5.0)
        except queue.Empty:
            continue
        if msg is None:
            break
        if isinstance(msg, _ResumeIteration):
            data_queue.put((msg, None))
            ended = False
            if init_error is None:
                fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
            continue
        if done_event.is_set() or ended:
            continue
        idx, index = msg
        if init_error is not None:
            data, init_error = init_error, None
        else:
            try:
                data = fetcher.fetch(index)
            except Exception as exc:
                if iterable and isinstance(exc, StopIteration):
                    data = _IterableDatasetStopIteration(worker_id)
                    ended = True
                else:
                    data = ExceptionWrapper(where)
        data_queue.put((idx, data))
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
