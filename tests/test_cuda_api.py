"""``numtorch.cuda`` over CuPy, against a fake CuPy that records what it is asked (no GPU here):
the calls reach CuPy's runtime, pools, events and streams as they should."""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager

import numpy as np
import pytest
from oracle import torch

import numtorch
from numtorch import _backend


class _Runtime:
    CUDARuntimeError = RuntimeError

    def __init__(self):
        self.current = 0

    def getDeviceCount(self):
        return 2

    def getDevice(self):
        return self.current

    def setDevice(self, i):
        self.current = i

    def memGetInfo(self):
        return (1000 + self.current, 80 << 30)

    def getDeviceProperties(self, i):
        return {
            "name": f"Fake GPU {i}".encode(),
            "major": 9,
            "minor": 0,
            "totalGlobalMem": 80 << 30,
            "multiProcessorCount": 132,
        }


class _Pool:
    """CuPy's memory pool: it answers for the current device."""

    def __init__(self, runtime):
        self.runtime, self.used, self.freed = runtime, {0: 0, 1: 0}, 0

    def used_bytes(self):
        return self.used[self.runtime.current]

    def total_bytes(self):
        return self.used_bytes() + 512

    def free_all_blocks(self):
        self.freed += 1


class _Event:
    def __init__(self, block=False, disable_timing=False):
        self.at, self.timing = None, not disable_timing

    def record(self, stream=None):
        self.at = len(LOG)
        LOG.append(("record", stream))

    def synchronize(self):
        LOG.append(("event sync",))


class _Stream:
    def __init__(self, non_blocking=False, priority=0, ptr=7):
        self.priority, self.ptr = priority, ptr

    def __enter__(self):
        LOG.append(("enter", self))

    def __exit__(self, *exc):
        LOG.append(("exit", self))


class _Rng:
    """CuPy's generator: its state and its draws live on the device current at each call."""

    def __init__(self, runtime, key):
        self.runtime = runtime
        LOG.append(("rng", runtime.current))

    def random(self, shape, dtype=None):
        LOG.append(("draw", self.runtime.current))
        return np.zeros(shape, dtype)


LOG = []


def _fake_cupy():
    cupy = types.ModuleType("cupy")
    runtime = _Runtime()
    pool, pinned = _Pool(runtime), _Pool(runtime)

    @contextmanager
    def device(i):
        old = runtime.current
        runtime.current = i
        yield types.SimpleNamespace(synchronize=lambda: LOG.append(("sync", runtime.current)))
        runtime.current = old

    class Device:
        def __init__(self, i=None):
            self.i = runtime.current if i is None else i

        def __enter__(self):
            self.ctx = device(self.i)
            return self.ctx.__enter__()

        def __exit__(self, *exc):
            return self.ctx.__exit__(*exc)

        def synchronize(self):
            LOG.append(("sync", self.i))

    null = _Stream.null = _Stream(ptr=0)
    cupy.cuda = types.SimpleNamespace(
        runtime=runtime,
        Device=Device,
        Event=_Event,
        Stream=_Stream,
        get_current_stream=lambda device_id: LOG.append(("current", device_id)) or null,
        get_elapsed_time=lambda a, b: float(b.at - a.at),
    )
    cupy.ndarray, cupy.asnumpy = type("ndarray", (), {}), None
    cupy.random = types.SimpleNamespace(default_rng=lambda key: _Rng(runtime, key))
    cupy.zeros = lambda shape, dtype=None: (
        LOG.append(("zeros", runtime.current)) or np.zeros(shape, dtype)
    )
    cupy.get_default_memory_pool = lambda: pool
    cupy.get_default_pinned_memory_pool = lambda: pinned
    return cupy, pool


@pytest.fixture
def cupy(monkeypatch):
    fake, pool = _fake_cupy()
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setattr(numtorch.cuda, "_CUPY", [])
    monkeypatch.setattr(numtorch.cuda.memory, "_PEAKS", {})
    monkeypatch.setattr(_backend, "_BACKENDS", {})  # the fake's "cuda" backend ends with the test
    monkeypatch.setattr(_backend, "_BY_TYPE", {})
    LOG.clear()
    return fake, pool


def test_devices_and_their_properties(cupy):
    cuda = numtorch.cuda
    assert cuda.is_available() and cuda.device_count() == 2 and cuda.is_initialized()
    cuda.set_device("cuda:1")
    assert cuda.current_device() == 1
    with cuda.device(0):
        assert cuda.current_device() == 0
    assert cuda.current_device() == 1
    assert cuda.get_device_name(0) == "Fake GPU 0"
    assert cuda.get_device_name() == "Fake GPU 1"
    assert cuda.get_device_capability(numtorch.device("cuda", 0)) == (9, 0)
    props = cuda.get_device_properties(0)
    assert props.total_memory == 80 << 30 and props.multi_processor_count == 132
    assert repr(props) == (
        "_CudaDeviceProperties(name='Fake GPU 0', major=9, minor=0, total_memory=81920MB, "
        "multi_processor_count=132)"
    )


def test_seeding_and_synchronising_reach_each_device(cupy):
    numtorch.cuda.manual_seed_all(7)
    assert numtorch.cuda.initial_seed() == 7
    with numtorch.cuda.device(1):
        assert numtorch.cuda.initial_seed() == 7
    numtorch.cuda.manual_seed(8)  # the current device (0) only
    assert numtorch.cuda.random.default_generator_for("cuda:0").initial_seed() == 8
    assert numtorch.cuda.random.default_generator_for("cuda:1").initial_seed() == 7
    LOG.clear()
    numtorch.cuda.synchronize(1)
    assert LOG == [("sync", 1)]


def test_a_device_generator_draws_on_its_own_device(cupy):
    """GPU 1's generator keys and draws on GPU 1 while GPU 0 is current."""
    runtime = cupy[0].cuda.runtime
    gen = numtorch.cuda.random.default_generator_for("cuda:1")
    assert runtime.current == 0 and LOG == [("rng", 1)]
    LOG.clear()
    gen.randperm(5)
    gen.manual_seed(3)
    assert LOG == [("draw", 1), ("rng", 1)] and runtime.current == 0


def test_factories_make_arrays_on_the_device_they_name(cupy):
    """``device="cuda:1"`` makes the array with GPU 1 current, whichever GPU is current."""
    runtime = cupy[0].cuda.runtime
    numtorch.zeros(2, device="cuda:1")
    numtorch.zeros(2, device=numtorch.device("cuda", 0))
    numtorch.zeros(2, device="cuda")
    with numtorch.cuda.device(1):
        numtorch.zeros(2, device="cuda")
    assert LOG == [("zeros", 1), ("zeros", 0), ("zeros", 0), ("zeros", 1)]
    assert runtime.current == 0


def test_memory_statistics_follow_cupys_pool(cupy):
    _, pool = cupy
    cuda = numtorch.cuda
    pool.used[0] = 1000
    assert cuda.memory_allocated() == 1000 and cuda.memory_reserved() == 1512
    pool.used[0] = 200
    assert cuda.memory_allocated() == 200 and cuda.max_memory_allocated() == 1000
    assert cuda.memory_reserved() == 712 and cuda.max_memory_reserved() == 1512
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == 200 and cuda.max_memory_reserved() == 712
    cuda.empty_cache()
    assert pool.freed == 1


def test_memory_statistics_of_each_device_in_pytorchs_keys(cupy):
    _, pool = cupy
    cuda = numtorch.cuda
    pool.used[1] = 3 << 20
    stats = cuda.memory_stats(1)
    assert list(stats) == sorted(stats) and stats["allocated_bytes.all.current"] == 3 << 20
    assert stats["reserved_bytes.all.peak"] == (3 << 20) + 512
    assert stats["active_bytes.all.current"] == 3 << 20 and cuda.memory_allocated(0) == 0
    nested = cuda.memory_stats_as_nested_dict("cuda:1")
    assert nested["allocated_bytes"]["all"]["peak"] == 3 << 20
    assert cuda.mem_get_info() == (1000, 80 << 30) and cuda.mem_get_info(1)[0] == 1001
    text = cuda.memory_summary(1).splitlines()
    assert "PyTorch CUDA memory summary, device ID 1 " in text[1]
    assert (
        text[5] == "| Allocated memory      |   3072 KiB |   3072 KiB |        n/a |        n/a |"
    )
    assert all(len(line) == 77 for line in text)


def test_default_and_current_streams(cupy):
    cuda = numtorch.cuda
    LOG.clear()
    assert cuda.current_stream(1) == cuda.default_stream() and LOG == [("current", 1)]
    assert cuda.default_stream().cuda_stream == 0 and cuda.Stream() != cuda.default_stream()


def test_events_time_and_streams_scope(cupy):
    cuda = numtorch.cuda
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    start.record()
    LOG.append(("work",))
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) == 2.0
    s = cuda.Stream(priority=-1)
    LOG.clear()
    with cuda.stream(s):
        LOG.append(("work",))
    assert LOG == [("enter", s._stream), ("work",), ("exit", s._stream)]
    with cuda.stream(None):
        pass
    assert len(LOG) == 3


def test_without_cupy_the_calls_raise_pytorchs_errors(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    monkeypatch.setattr(numtorch.cuda, "_CUPY", [])
    assert numtorch.cuda.is_available() is False
    for call in (numtorch.cuda.current_device, numtorch.cuda.get_device_name):
        with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
            call()
    numtorch.cuda.manual_seed(1)  # PyTorch too seeds lazily without complaint
    assert numtorch.cuda.memory_allocated() == 0


NO_GPU_CALLS = {
    "memory_stats": lambda cuda: dict(cuda.memory_stats()),
    "memory_reserved": lambda cuda: cuda.memory_reserved(),
    "max_memory_reserved": lambda cuda: cuda.max_memory_reserved(),
    "max_memory_allocated": lambda cuda: cuda.max_memory_allocated(),
    "memory_summary": lambda cuda: cuda.memory_summary(),
    "reset_peak_memory_stats": lambda cuda: cuda.reset_peak_memory_stats(),
    "mem_get_info": lambda cuda: cuda.mem_get_info(),
    "default_stream": lambda cuda: cuda.default_stream(),
    "current_stream": lambda cuda: cuda.current_stream(),
    "get_device_capability": lambda cuda: cuda.get_device_capability(),
}


def _outcome(call, cuda):
    try:
        return "returns", call(cuda)
    except Exception as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize("name", sorted(NO_GPU_CALLS))
def test_without_a_gpu_memory_and_stream_calls_answer_as_pytorchs_cpu_build(monkeypatch, name):
    monkeypatch.setitem(sys.modules, "cupy", None)
    monkeypatch.setattr(numtorch.cuda, "_CUPY", [])
    call = NO_GPU_CALLS[name]
    assert _outcome(call, numtorch.cuda) == _outcome(call, torch.cuda)
