"""Process-wide settings and facts that PyTorch programs query through ``torch.``.

Numeric limits of dtypes (``finfo``/``iinfo``), math constants, thread counts, the
determinism and anomaly-detection switches, legacy default-type setters, ``compile`` (whose
trace-and-replay lives in ``numtorch.compiler``) and the ``layout``/``memory_format`` tokens.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any, Callable

import numpy

from . import _dtype
from ._backend import float_info
from .autograd.anomaly_mode import (  # noqa: F401 - torch.* names of autograd's switch
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)

__all__ = [
    "finfo",
    "iinfo",
    "pi",
    "e",
    "inf",
    "nan",
    "newaxis",
    "get_num_threads",
    "set_num_threads",
    "get_num_interop_threads",
    "set_num_interop_threads",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "get_deterministic_debug_mode",
    "set_deterministic_debug_mode",
    "set_default_tensor_type",
    "set_flush_denormal",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "set_anomaly_enabled",
    "compile",
    "typename",
    "is_storage",
    "layout",
    "strided",
    "sparse_coo",
    "sparse_csr",
    "memory_format",
    "contiguous_format",
    "channels_last",
    "channels_last_3d",
    "preserve_format",
    "get_float32_matmul_precision",
    "set_float32_matmul_precision",
    "set_warn_always",
    "is_warn_always_enabled",
]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


# --- numeric limits ---------------------------------------------------------------------------
class finfo:
    """Limits of a floating-point dtype (a complex dtype reports its real part's)."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: _dtype.dtype | None = None):  # noqa: A002 - PyTorch's name
        dt = _dtype.get_default_dtype() if type is None else type
        if not isinstance(dt, _dtype.dtype) or not (dt.is_floating_point or dt.is_complex):
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        dt = dt.to_real()
        info = float_info(dt.np)
        self.bits = dt.itemsize * 8
        # NOTE: PyTorch reports float8_e5m2fnuz's epsilon as 2**-3 where ml_dtypes has 2**-2
        self.eps = 0.125 if dt.name == "float8_e5m2fnuz" else float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        # C++'s digits10, as PyTorch's: whole decimal digits the mantissa always holds
        self.resolution = 10.0 ** -int(info.nmant * math.log10(2))
        self.dtype = dt.name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))


class iinfo:
    """Limits of an integer dtype."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type: _dtype.dtype):  # noqa: A002 - PyTorch's name
        if not isinstance(type, _dtype.dtype) or type.is_floating_point or type.is_complex:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        if type is _dtype.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = numpy.iinfo(type.np)
        self.bits = type.itemsize * 8
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __repr__(self):
        # NOTE: PyTorch prints the limits as C doubles with %g (int32's max as 2.14748e+09)
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))


# --- threads ----------------------------------------------------------------------------------
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_THREADS = {"intra": _cores(), "inter": _cores()}


def get_num_threads() -> int:
    """The number of threads the BLAS uses for one matrix product."""
    limits = _blas_limits()
    if limits:
        return max(lim["num_threads"] for lim in limits)
    return _THREADS["intra"]


def set_num_threads(num: int) -> None:
    """Set the number of BLAS threads.

    numtorch's only multithreaded kernels are the BLAS's: with ``threadpoolctl`` installed the
    BLAS's pool is resized now; without it the number is recorded (and returned by
    ``get_num_threads``), and the BLAS keeps the size it read from ``OMP_NUM_THREADS`` or
    ``OPENBLAS_NUM_THREADS`` at start-up.
    """
    num = int(num)
    if num <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {num}")
    _THREADS["intra"] = num
    try:
        import threadpoolctl
    except ImportError:
        return
    threadpoolctl.threadpool_limits(num, user_api="blas")


def _blas_limits():
    try:
        import threadpoolctl
    except ImportError:
        return []
    return [lim for lim in threadpoolctl.threadpool_info() if lim.get("user_api") == "blas"]


def get_num_interop_threads() -> int:
    """Recorded only: numtorch runs independent ops one after another."""
    return _THREADS["inter"]


def set_num_interop_threads(num: int) -> None:
    num = int(num)
    if num <= 0:
        raise RuntimeError(f"Expected positive number of threads, but got {num}")
    _THREADS["inter"] = num


# --- determinism ------------------------------------------------------------------------------
# Every numtorch op is deterministic on the CPU, so these switches are recorded for the
# programs that read them back; nothing changes how an op runs.
_DETERMINISM = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    _DETERMINISM["enabled"] = bool(mode)
    _DETERMINISM["warn_only"] = bool(warn_only) and bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _DETERMINISM["enabled"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _DETERMINISM["warn_only"]


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn) or 2 (error), as PyTorch reports it."""
    if not _DETERMINISM["enabled"]:
        return 0
    return 1 if _DETERMINISM["warn_only"] else 2


def set_deterministic_debug_mode(debug_mode: int | str) -> None:
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                f"got {debug_mode}"
            )
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


# --- legacy and numeric-mode settings ---------------------------------------------------------
def set_default_tensor_type(t) -> None:
    """Legacy: ``set_default_tensor_type(torch.DoubleTensor)`` sets the default dtype."""
    warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    from .ops import convert

    if isinstance(t, str):
        if t not in convert._BY_NAME:
            raise TypeError(f"invalid type: '{t}'")
        t = convert._BY_NAME[t]
    if not isinstance(t, convert._LegacyType):
        raise TypeError(f"invalid type: '{t}'")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(t.dtype)


def set_flush_denormal(mode: bool) -> bool:
    """PyTorch flips the CPU's flush-to-zero bit; NumPy offers no such control, so this
    reports (as PyTorch does on CPUs without SSE3) that the mode is unsupported."""
    return False


_MATMUL_PRECISION = ["highest"]


def get_float32_matmul_precision() -> str:
    return _MATMUL_PRECISION[0]


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded: NumPy's float32 products always run at full float32 precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid float32 matmul precision: {precision}")
    _MATMUL_PRECISION[0] = precision


_WARN_ALWAYS = [False]


def set_warn_always(b: bool) -> None:
    _WARN_ALWAYS[0] = bool(b)


def is_warn_always_enabled() -> bool:
    return _WARN_ALWAYS[0]


# --- compile and introspection ----------------------------------------------------------------
def compile(model: Callable | None = None, **kwargs):
    """Record ``model`` once per guard set and replay it: see ``numtorch.compiler.compile``."""
    from .compiler import compile as _compile

    return _compile(model, **kwargs)


def typename(obj: Any, /) -> str:
    """``'torch.FloatTensor'`` for a float32 tensor; else the object's qualified type name."""
    from ._tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_storage(obj: Any) -> bool:
    from .storage import TypedStorage, UntypedStorage

    return isinstance(obj, (TypedStorage, UntypedStorage))


# --- layout and memory-format tokens ----------------------------------------------------------
class _Token:
    """A named constant printing as ``torch.<name>`` (``torch.strided``, ``torch.channels_last``).

    ``Tensor.layout`` is the string ``'torch.strided'``, so a token equals its own spelling.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __eq__(self, other):
        if isinstance(other, str):
            return other == repr(self)
        return self is other

    def __hash__(self):
        return hash(repr(self))

    def __reduce__(self):
        return self._name


class layout(_Token):
    __slots__ = ()


class memory_format(_Token):
    __slots__ = ()


strided, sparse_coo, sparse_csr = layout("strided"), layout("sparse_coo"), layout("sparse_csr")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
