"""The array module behind each device.

Everything above this file writes ``xp.exp(...)``; this is the one place that knows which
module (NumPy on "cpu", CuPy on "cuda") serves which device.
"""

from __future__ import annotations

import os
import threading

import numpy

ndarray = numpy.ndarray

_MODULES = {"cpu": numpy}


class device:
    """Where a tensor's storage lives: ``device("cpu")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(
                f"device() expected a string or a device, but got {type.__class__.__name__}"
            )
        if ":" in type:
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta, mps device type at start of device string: "
                + type
            )
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def module_for(dev: device):
    """The array module for a device; a clear error where its backend is not installed."""
    try:
        return _MODULES[dev.type]
    except KeyError:
        raise RuntimeError(
            f"numtorch has no backend for device '{dev}' here: only 'cpu' is available "
            "(the CUDA backend needs CuPy and an NVIDIA GPU)"
        ) from None


def array_module(arr):
    """The module (numpy or cupy) that owns an array."""
    if type(arr) is ndarray:
        return numpy
    return numpy  # the only module until the CuPy backend registers itself


def ensure_array(obj):
    """An array for an op's result: NumPy scalars (what ops on 0-d arrays return) become 0-d
    arrays; arrays of other registered modules pass through."""
    if isinstance(obj, (numpy.generic, int, float, complex, bool)):
        return numpy.asarray(obj)
    return obj


def device_of(arr) -> device:
    return CPU


def is_array(obj) -> bool:
    return isinstance(obj, ndarray)


def asarray(obj, dtype=None, dev: device = CPU):
    return module_for(dev).asarray(obj, dtype=dtype)


def to_host(arr):
    """The array as a NumPy array on the host (no copy on the CPU)."""
    return arr


# NumPy warns on overflow, division by zero and invalid values; PyTorch computes the IEEE result
# silently, and so does numtorch.
numpy.seterr(all="ignore")


class _Defaults:
    """Per-process default device (``torch.set_default_device``)."""

    __slots__ = ("device",)

    def __init__(self):
        self.device = CPU


DEFAULTS = _Defaults()


def as_device(dev) -> device:
    """A device from None (the default), a string, an int (a CUDA index) or a device."""
    if dev is None:
        return DEFAULTS.device
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int):
        return device("cuda", dev)
    return device(dev)


def get_default_device() -> device:
    return DEFAULTS.device


def set_default_device(dev) -> None:
    DEFAULTS.device = CPU if dev is None else as_device(dev)


# --- the CPU's memory and threads ---------------------------------------------------------------
def _keep_freed_memory() -> None:
    """Let glibc keep freed blocks for reuse instead of handing each back to the OS at once.

    By default a freed block of more than a few MB goes back to the kernel, and the next array
    of that size is page-faulted in afresh, every page zeroed: a training step that allocates
    the same 4 MB temporaries each time spent two thirds of its time in page faults (a
    1000x1000 float32 ``(a * b).backward(g)``: 10 ms, 3 ms after this change). Blocks up to
    32 MiB now come from the heap, and up to 256 MiB of freed heap stays mapped, as a caching
    allocator keeps it. Setting any of glibc's own ``MALLOC_*_`` variables or
    ``GLIBC_TUNABLES`` leaves the allocator as configured there.
    """
    if any(k.startswith("MALLOC_") and k.endswith("_") for k in os.environ) or (
            "GLIBC_TUNABLES" in os.environ):
        return
    try:
        import ctypes  # NumPy has imported it already

        libc = ctypes.CDLL(None)
        mallopt, _ = libc.mallopt, libc.gnu_get_libc_version  # only glibc has both
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 256 << 20)


_keep_freed_memory()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


# An op on fewer elements is over before a worker thread wakes (~20 us).
_PARALLEL_MIN = 1 << 19


class _IntraOpPool:
    """Worker threads that run pieces of one big op beside the calling thread.

    NumPy releases the GIL inside its loops, so the pieces run truly in parallel: a memory-bound
    op on a million floats takes about half the time on two cores. ``threads`` is what
    ``torch.set_num_threads`` sets. Per process: a forked child starts without workers.
    """

    def __init__(self):
        self.threads = _cores()
        self._reset()

    def _reset(self):
        self._workers = []
        self._jobs = None
        self._lock = threading.Lock()

    @staticmethod
    def _worker(jobs):
        while True:
            fn, args, kwargs, done = jobs.get()
            try:
                done.put((True, fn(*args, **kwargs)))
            except BaseException as e:  # raised again on the calling thread
                done.put((False, e))

    def map(self, fn, pieces):
        """``[fn(*args, **kwargs) for args, kwargs in pieces]``, the first on this thread and
        the rest on workers; None when the pool is in use by another thread."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            import queue

            if self._jobs is None:
                self._jobs = queue.SimpleQueue()
            while len(self._workers) < len(pieces) - 1:
                t = threading.Thread(target=self._worker, args=(self._jobs,), daemon=True,
                                     name="numtorch-intra-op")
                t.start()
                self._workers.append(t)
            done = queue.SimpleQueue()
            for args, kwargs in pieces[1:]:
                self._jobs.put((fn, args, kwargs, done))
            first = fn(*pieces[0][0], **pieces[0][1])
            rest = [done.get() for _ in pieces[1:]]
            for ok, value in rest:
                if not ok:
                    raise value
            return [first] + [value for _, value in rest]
        finally:
            self._lock.release()

    def slices(self, size):
        """Split ``range(size)`` into one slice per thread, each of whole cache lines."""
        step = (-(-size // self.threads) + 15) // 16 * 16
        return [slice(lo, lo + step) for lo in range(0, size, step)]


INTRA_OP = _IntraOpPool()
os.register_at_fork(after_in_child=INTRA_OP._reset)


def _flat(x):
    """A 1-d view of a C-contiguous or fully broadcast (all strides 0) array; None otherwise."""
    if x.flags.c_contiguous or not any(x.strides):
        return x.reshape(-1)
    return None


def elementwise(ufunc, *args, out=None):
    """``ufunc(*args, out=out)``, split over the intra-op threads when the operands are big CPU
    arrays of one shape and dtype, contiguous or broadcast from one value (Python numbers may
    stand beside them)."""
    big = next((a for a in args if type(a) is ndarray), None)
    if (big is None or big.size < _PARALLEL_MIN or INTRA_OP.threads < 2 or ufunc.nout != 1
            or big.dtype.kind not in "fciu"):
        return ufunc(*args, out=out)
    flat = []
    for x in args:
        if type(x) is ndarray:
            f = _flat(x) if x.shape == big.shape and x.dtype == big.dtype else None
            if f is None:
                return ufunc(*args, out=out)
            flat.append(f)
        elif type(x) in (int, float) and (type(x) is int or big.dtype.kind in "fc"):
            flat.append(x)
        else:
            return ufunc(*args, out=out)
    if out is None:
        dtypes = tuple(a.dtype if type(a) is ndarray else type(a) for a in args) + (None,)
        result = numpy.empty(big.shape, ufunc.resolve_dtypes(dtypes)[-1])
    elif out.shape == big.shape and out.dtype == big.dtype and out.flags.c_contiguous:
        result = out
    else:
        return ufunc(*args, out=out)
    flat_out = result.reshape(-1)
    pieces = [([a[s] if type(a) is ndarray else a for a in flat], {"out": flat_out[s]})
              for s in INTRA_OP.slices(big.size)]
    if INTRA_OP.map(ufunc, pieces) is None:
        return ufunc(*args, out=out)
    return result


def sum_all(x, dtype=None):
    """``x.sum(dtype=dtype)``; a big contiguous float array is summed in one piece per intra-op
    thread and the partial sums added (PyTorch also sums in per-thread pieces)."""
    if (type(x) is not ndarray or x.size < _PARALLEL_MIN or INTRA_OP.threads < 2
            or x.dtype.kind not in "fc" or x.dtype.itemsize < 4 or not x.flags.c_contiguous):
        return x.sum(dtype=dtype)
    flat = x.reshape(-1)
    parts = INTRA_OP.map(numpy.add.reduce,
                         [((flat[s],), {"dtype": dtype}) for s in INTRA_OP.slices(x.size)])
    if parts is None:
        return x.sum(dtype=dtype)
    return numpy.add.reduce(numpy.asarray(parts))
