"""The array module behind each device.

Everything above this file writes ``xp.exp(...)``; this is the one place that knows which
module (NumPy on "cpu", CuPy on "cuda") serves which device.
"""

from __future__ import annotations

import contextlib
import operator
import os

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


class Backend:
    """What numtorch needs from a device type's array library: the module ops call as ``xp``,
    the array class it makes, the copies between it and the host, and the context that makes
    one of its devices current (where the library puts new arrays and runs kernels)."""

    __slots__ = ("module", "array_type", "device_of", "to_host", "from_host", "scope", "special")
    __slots__ += ("current",)

    def __init__(
        self,
        module,
        array_type,
        device_of,
        to_host,
        from_host,
        scope=None,
        special=None,
        current=None,
    ):
        self.module, self.array_type = module, array_type
        self.device_of = device_of  # array -> device
        self.to_host = to_host  # array -> NumPy array (a copy)
        self.from_host = from_host  # (NumPy array, device index or None) -> array
        self.scope = scope or _one_device  # device index or None -> context manager
        self.special = special  # () -> its scipy.special counterpart, or None where it has none
        self.current = current or (lambda: 0)  # () -> the index of the current device


class _OnDevice:
    """A device library's module whose calls run with one of its devices current: where
    CuPy puts the arrays that ``cupy.zeros`` and its kind make."""

    __slots__ = ("_module", "_scope", "_index")

    def __init__(self, module, scope, index):
        self._module, self._scope, self._index = module, scope, index

    def __getattr__(self, name):
        attr = getattr(self._module, name)
        if not callable(attr) or isinstance(attr, type):
            return attr

        def call(*args, **kwargs):
            with self._scope(self._index):
                return attr(*args, **kwargs)

        return call


def _one_device(index):
    """The scope of a library with one device: nothing to switch."""
    return contextlib.nullcontext()


_BACKENDS = {}  # device type -> Backend (the CPU is NumPy itself, outside this table)
_BY_TYPE = {}  # array class -> Backend


def register_backend(type_name: str, backend) -> None:
    """Serve ``device(type_name)`` with ``backend``; None removes the device type's backend."""
    old = _BACKENDS.pop(type_name, None)
    if old is not None:
        _BY_TYPE.pop(old.array_type, None)
    if backend is not None:
        _BACKENDS[type_name] = _BY_TYPE[backend.array_type] = backend


def backend_for(dev: device) -> Backend:
    """The backend of a non-CPU device; a clear error where it is not installed."""
    b = _BACKENDS.get(dev.type)
    if b is None and dev.type == "cuda":
        import importlib  # CuPy loads only when a program asks for a GPU

        importlib.import_module("numtorch.cuda._cupy").register()
        b = _BACKENDS.get(dev.type)
    if b is None:
        raise RuntimeError(f"PyTorch is not linked with support for {dev.type} devices")
    return b


def module_for(dev: device):
    """The array module for a device: the arrays its functions make land on ``dev``."""
    if dev.type == "cpu":
        return numpy
    b = backend_for(dev)
    if dev.index is None or dev.index == b.current():
        return b.module
    return _OnDevice(b.module, b.scope, dev.index)


def array_module(arr):
    """The module (numpy or cupy) that owns an array, or the array behind a Tensor (a value in
    a backward under ``create_graph``)."""
    if type(arr) is ndarray:
        return numpy
    b = _BY_TYPE.get(type(arr))
    if b is not None:
        return b.module
    data = getattr(arr, "_data", None)
    return numpy if data is None else array_module(data)


def array_of(value):
    """The array of a value in a backward: the value, or the array behind a Tensor (a value
    under ``create_graph``)."""
    return getattr(value, "_data", value)


def ensure_array(obj):
    """An array for an op's result: NumPy scalars (what ops on 0-d arrays return) become 0-d
    arrays; arrays of other registered modules pass through."""
    if isinstance(obj, (numpy.generic, int, float, complex, bool)):
        return numpy.asarray(obj)
    return obj


def special_module(arr):
    """The special functions (``scipy.special``'s API) for an array's library: SciPy's for
    host arrays, imported on first use (it takes ~1 s), the device library's own otherwise
    (``cupyx.scipy.special`` for CuPy)."""
    b = _BY_TYPE.get(type(arr))
    if b is None:
        import scipy.special

        return scipy.special
    if b.special is None:
        raise RuntimeError(
            f"special functions are not available on {b.device_of(arr)}: move the tensor to "
            "the CPU (.cpu()) for this op"
        )
    return b.special()


def device_of(arr) -> device:
    if type(arr) is ndarray:
        return CPU
    b = _BY_TYPE.get(type(arr))
    return CPU if b is None else b.device_of(arr)


def float_info(dtype):
    """NumPy's finfo of ``dtype``; ml_dtypes' own for its floats (bfloat16, float8)."""
    if dtype.kind == "V" or dtype.name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(dtype)
    return numpy.finfo(dtype)


def kind_of(dtype) -> str:
    """NumPy's kind letter of ``dtype``, with "f" for ml_dtypes' floats (bfloat16), which NumPy
    files under "V"."""
    return "f" if dtype.kind == "V" else dtype.kind


# One accumulation rule for reductions of the 16-bit floats (float16, and bfloat16: ml_dtypes'
# type, NumPy kind "V"): they compute in float32 and round the result once, as PyTorch's CPU
# kernels accumulate. NumPy's loops for bfloat16 round every partial sum to bfloat16 (a sum of
# a thousand values near 3 stalled at 1792); its float16 results were rounded before a mean's
# division or a variance's square root, one or two units in the last place off.
def _is_half(dtype) -> bool:
    return dtype.itemsize == 2 and dtype.kind in "fV"


def accumulator(x, np_dtype=None):
    """The dtype a reduction of ``x`` accumulates in: ``np_dtype`` where one was asked for,
    float32 for the 16-bit floats, else None (the array's own)."""
    if np_dtype is None and _is_half(x.dtype):
        return array_module(x).dtype("float32")
    return np_dtype


def widened(x):
    """``x`` as a reduction computes on it: a 16-bit float in float32 (a copy), else ``x``."""
    return x.astype("float32") if _is_half(x.dtype) else x


def narrowed(out, dtype):
    """A result computed in a wider dtype, rounded back where ``dtype`` is a 16-bit float."""
    return out.astype(dtype) if _is_half(dtype) and out.dtype != dtype else out


def clip(x, lo, hi):
    """``x`` clipped to ``[lo, hi]`` (either may be None) in ``x``'s dtype: NumPy's clip has no
    bfloat16 loop and computes in float32."""
    out = array_module(x).clip(x, lo, hi)
    return out.astype(x.dtype) if x.dtype.kind == "V" else out


def is_array(obj) -> bool:
    return isinstance(obj, ndarray) or type(obj) in _BY_TYPE


_IN_PLACE = {operator.mul: operator.imul, operator.add: operator.iadd, operator.sub: operator.isub}


def reuse(op, a, b):
    """``op(a, b)`` (``operator.mul``, ``add`` or ``sub``) for a temporary ``a`` that a
    backward formula made and owns, with ``b`` broadcasting to ``a``'s shape: written into
    ``a`` when ``a`` is an array of ``b``'s dtype (a fresh full-size temporary costs about as
    much as a pass over it), a new value otherwise (so on Tensors under ``create_graph`` the
    formula records ordinary differentiable ops)."""
    if is_array(a) and a.ndim and a.dtype == getattr(b, "dtype", a.dtype):
        return _IN_PLACE[op](a, b)
    return op(a, b)


def asarray(obj, dtype=None, dev: device = CPU):
    return module_for(dev).asarray(obj, dtype=dtype)


def to_host(arr):
    """The array as a NumPy array on the host (no copy on the CPU)."""
    b = _BY_TYPE.get(type(arr))
    return arr if b is None else b.to_host(arr)


def transfer(arr, dev: device):
    """``arr`` copied to ``dev`` (itself where it is there already)."""
    if device_of(arr) == dev:
        return arr
    host = to_host(arr)
    return host if dev.type == "cpu" else backend_for(dev).from_host(host, dev.index)


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
        "GLIBC_TUNABLES" in os.environ
    ):
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


_ROW = 1024
_ONES = {}  # dtype -> ones(_ROW): the vector that sums rows in a matrix-vector product


def sum_all(x, dtype=None):
    """``x.sum(dtype=dtype)``. A big contiguous float32/float64 array is summed as rows of 1024
    times a vector of ones (the BLAS's vectorised, multithreaded matrix-vector product), then
    the row sums pairwise: 3-5x faster than NumPy's pairwise sum, with an error of the same
    order (a small fraction of one rounding of the sum of magnitudes)."""
    if (
        type(x) is not ndarray
        or x.size < 1 << 16
        or x.dtype.char not in "fd"
        or (dtype is not None and numpy.dtype(dtype) != x.dtype)
        or not x.flags.c_contiguous
    ):
        return x.sum(dtype=dtype)
    ones = _ONES.get(x.dtype.char)
    if ones is None:
        ones = _ONES[x.dtype.char] = numpy.ones(_ROW, x.dtype)
    flat = x.reshape(-1)
    whole = flat.size - flat.size % _ROW
    rows = numpy.matmul(flat[:whole].reshape(-1, _ROW), ones)
    return numpy.add.reduce(rows) + flat[whole:].sum(dtype=x.dtype)
