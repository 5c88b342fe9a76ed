"""utils.data against PyTorch: batches (contents, types, order) for the same seeds."""

from __future__ import annotations

import collections
import random

import numpy as np
import pytest
from oracle import torch

import numtorch
from numtorch.utils import data as nd

td = torch.utils.data

Point = collections.namedtuple("Point", ["x", "y"])


def _plain(obj):
    """A batch as plain Python values with dtype names, comparable across libraries."""
    if isinstance(obj, (numtorch.Tensor, torch.Tensor)):
        return ("T", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, tuple(_plain(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_plain(v) for v in obj])
    return obj


def _seed(seed):
    numtorch.random.manual_seed(seed)
    torch.manual_seed(seed)


X = np.arange(46, dtype=np.float32).reshape(23, 2)
Y = np.arange(23)


def _tensor_datasets():
    return (
        nd.TensorDataset(numtorch.tensor(X), numtorch.tensor(Y)),
        td.TensorDataset(torch.tensor(X), torch.tensor(Y)),
    )


def _epochs(loader, n=2):
    return [_plain(b) for _ in range(n) for b in loader]


@pytest.mark.parametrize("num_workers", [0, 2])
@pytest.mark.parametrize(
    "kw",
    [
        dict(batch_size=4),
        dict(batch_size=4, shuffle=True),
        dict(batch_size=5, shuffle=True, drop_last=True),
        dict(batch_size=None),
        dict(batch_size=1, shuffle=True),
    ],
)
@pytest.mark.parametrize("seed", [0, 7])
def test_tensor_dataset_batches_equal_torch(kw, num_workers, seed):
    mine, theirs = _tensor_datasets()
    _seed(seed)
    a = _epochs(nd.DataLoader(mine, num_workers=num_workers, **kw))
    b = _epochs(td.DataLoader(theirs, num_workers=num_workers, **kw))
    assert a == b
    assert len(nd.DataLoader(mine, **kw)) == len(td.DataLoader(theirs, **kw))


def test_generator_and_persistent_workers():
    mine, theirs = _tensor_datasets()
    _seed(1)
    g1, g2 = numtorch.random.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a = _epochs(nd.DataLoader(mine, batch_size=4, shuffle=True, generator=g1), 3)
    b = _epochs(td.DataLoader(theirs, batch_size=4, shuffle=True, generator=g2), 3)
    assert a == b
    a = _epochs(
        nd.DataLoader(
            mine,
            batch_size=4,
            shuffle=True,
            num_workers=2,
            persistent_workers=True,
            prefetch_factor=3,
        ),
        3,
    )
    b = _epochs(
        td.DataLoader(
            theirs,
            batch_size=4,
            shuffle=True,
            num_workers=2,
            persistent_workers=True,
            prefetch_factor=3,
        ),
        3,
    )
    assert a == b
    # the global stream was consumed identically
    assert (
        numtorch.random.default_generator.random_full(())
        == torch.empty((), dtype=torch.int64).random_().item()
    )


class _Samples:
    """A dataset of mixed Python/NumPy samples, usable by both libraries."""

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return 9

    def __getitem__(self, i):
        return {
            "i": i,
            "f": i / 2,
            "b": bool(i % 2),
            "s": f"s{i}",
            "a": np.full((2,), i, np.int32),
            "n": np.float32(i),
            "p": Point(i, [i, float(i)]),
            "t": (i, "x"),
        }


@pytest.mark.parametrize("num_workers", [0, 2])
def test_default_collate_types_equal_torch(num_workers):
    _seed(2)
    a = _epochs(
        nd.DataLoader(
            type("D", (_Samples, nd.Dataset), {})(0),
            batch_size=4,
            shuffle=True,
            num_workers=num_workers,
        ),
        1,
    )
    b = _epochs(
        td.DataLoader(
            type("D", (_Samples, td.Dataset), {})(0),
            batch_size=4,
            shuffle=True,
            num_workers=num_workers,
        ),
        1,
    )
    assert a == b


def test_default_collate_and_convert_direct():
    samples = [(np.arange(3.0), 1), (np.arange(3.0), 2)]
    assert _plain(nd.default_collate(samples)) == _plain(td.default_collate(samples))
    assert _plain(nd.default_convert(samples[0])) == _plain(td.default_convert(samples[0]))
    assert _plain(nd.default_convert(Point(np.int16(3), "a"))) == _plain(
        td.default_convert(Point(np.int16(3), "a"))
    )
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        nd.default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate"):
        nd.default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="equal size"):
        nd.default_collate([[1, 2], [1]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        nd.default_collate([numtorch.zeros(2), numtorch.zeros(3)])


def test_custom_collate_sampler_and_batch_sampler():
    mine, theirs = _tensor_datasets()

    def collate(batch):
        return [int(y) for _, y in batch]

    _seed(4)
    for kwargs in [
        dict(sampler=list(range(22, 0, -3))),
        dict(batch_sampler=[[1, 2], [5, 0, 3]]),
        dict(sampler=None, shuffle=True, batch_size=3),
    ]:
        a = list(nd.DataLoader(mine, collate_fn=collate, **kwargs))
        if "sampler" in kwargs and kwargs["sampler"] is None:
            kwargs.pop("sampler")
        b = list(td.DataLoader(theirs, collate_fn=collate, **kwargs))
        assert a == b


@pytest.mark.parametrize(
    "name,args",
    [
        ("SequentialSampler", lambda m: (m,)),
        ("RandomSampler", lambda m: (m,)),
        ("RandomSampler", lambda m: (m, True, 70)),
        ("RandomSampler", lambda m: (m, False, 50)),
        ("SubsetRandomSampler", lambda m: ([3, 9, 4, 1, 22],)),
        ("WeightedRandomSampler", lambda m: ([0.1, 0.5, 2.0, 1.0, 0.0, 3.0], 20)),
        ("WeightedRandomSampler", lambda m: ([0.1, 0.5, 2.0, 1.0, 0.0, 3.0], 4, False)),
    ],
)
def test_samplers_equal_torch(name, args):
    mine, theirs = _tensor_datasets()
    _seed(11)
    a = [list(getattr(nd, name)(*args(mine))) for _ in range(2)]
    b = [list(getattr(td, name)(*args(theirs))) for _ in range(2)]
    assert a == b
    assert len(getattr(nd, name)(*args(mine))) == len(getattr(td, name)(*args(theirs)))
    g1, g2 = numtorch.random.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    if name != "SequentialSampler":
        assert list(getattr(nd, name)(*args(mine), generator=g1)) == list(
            getattr(td, name)(*args(theirs), generator=g2)
        )


def test_batch_sampler():
    for drop_last in (False, True):
        a = nd.BatchSampler(nd.SequentialSampler(range(10)), 3, drop_last)
        b = td.BatchSampler(td.SequentialSampler(range(10)), 3, drop_last)
        assert list(a) == list(b) and len(a) == len(b)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        nd.BatchSampler(range(3), 0, False)


def test_datasets_and_random_split():
    mine, theirs = _tensor_datasets()
    cat = nd.ConcatDataset([mine, mine])
    assert len(cat) == 46 and _plain(cat[30]) == _plain(td.ConcatDataset([theirs, theirs])[30])
    assert _plain((mine + mine)[-1]) == _plain((theirs + theirs)[-1])
    sub = nd.Subset(mine, [4, 2])
    assert len(sub) == 2 and _plain(sub[1]) == _plain(td.Subset(theirs, [4, 2])[1])
    st = nd.StackDataset(a=mine, b=mine)
    assert _plain(st[3]) == _plain(td.StackDataset(a=theirs, b=theirs)[3])
    rev = list(range(22, -1, -1))
    assert _plain(nd.StackDataset(mine, nd.Subset(mine, rev)).__getitems__([0, 1])) == _plain(
        td.StackDataset(theirs, td.Subset(theirs, rev)).__getitems__([0, 1])
    )
    with pytest.raises(ValueError, match="Size mismatch"):
        nd.StackDataset(mine, sub)
    for lengths in ([10, 13], [0.3, 0.3, 0.4], [0.5, 0.5]):
        _seed(9)
        a = [list(s.indices) for s in nd.random_split(mine, lengths)]
        b = [list(s.indices) for s in td.random_split(theirs, lengths)]
        assert a == b
        a = [
            list(s.indices)
            for s in nd.random_split(
                mine, lengths, generator=numtorch.random.Generator().manual_seed(42)
            )
        ]
        b = [
            list(s.indices)
            for s in td.random_split(theirs, lengths, generator=torch.Generator().manual_seed(42))
        ]
        assert a == b
    with pytest.raises(ValueError, match="Sum of input lengths"):
        nd.random_split(mine, [3, 4])


class _Stream:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = self._info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("num_workers", [0, 2])
@pytest.mark.parametrize(
    "kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)]
)
def test_iterable_dataset_equal_torch(num_workers, kw):
    mine = type("S", (_Stream, nd.IterableDataset), {"_info": staticmethod(nd.get_worker_info)})
    theirs = type("S", (_Stream, td.IterableDataset), {"_info": staticmethod(td.get_worker_info)})
    _seed(0)
    a = _epochs(nd.DataLoader(mine(10), num_workers=num_workers, **kw))
    b = _epochs(td.DataLoader(theirs(10), num_workers=num_workers, **kw))
    assert a == b
    assert len(nd.DataLoader(mine(10), **kw)) == len(td.DataLoader(theirs(10), **kw))
    chained = nd.ChainDataset([mine(3), mine(2)])
    assert list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5


def _record_worker(worker_id):
    info = nd.get_worker_info()
    assert info.id == worker_id and info.num_workers == 2
    random.seed(info.seed)  # the seed PyTorch would give this worker


class _WorkerProbe(nd.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = nd.get_worker_info()
        return [info.id, info.seed, float(numtorch.rand(1).item()), float(np.random.rand())]


class _TorchWorkerProbe(td.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = td.get_worker_info()
        return [info.id, info.seed, float(torch.rand(1).item()), float(np.random.rand())]


def test_worker_seeds_and_init_fn_equal_torch():
    _seed(5)
    a = list(
        nd.DataLoader(_WorkerProbe(), batch_size=None, num_workers=2, worker_init_fn=_record_worker)
    )
    b = list(td.DataLoader(_TorchWorkerProbe(), batch_size=None, num_workers=2))
    assert _plain(a) == _plain(b)
    assert nd.get_worker_info() is None


class _Failing(nd.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError("bad sample")
        return i


@pytest.mark.parametrize("num_workers", [0, 2])
def test_worker_error_is_reraised(num_workers):
    loader = nd.DataLoader(_Failing(), batch_size=1, num_workers=num_workers)
    with pytest.raises(KeyError, match="bad sample"):
        list(loader)


def test_argument_errors():
    mine, _ = _tensor_datasets()
    cases = [
        (dict(sampler=[0], shuffle=True), "mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True), "disables auto-batching"),
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            nd.DataLoader(mine, **kwargs)
    stream = type("S", (_Stream, nd.IterableDataset), {})(3)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        nd.DataLoader(stream, shuffle=True)
    loader = nd.DataLoader(mine)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    loader.num_workers = 0  # not frozen


def test_pin_memory_accepted_and_timeout():
    mine, _ = _tensor_datasets()
    batches = list(nd.DataLoader(mine, batch_size=8, pin_memory=True, num_workers=2, timeout=30))
    assert [b[1].tolist() for b in batches][0] == list(range(8))
