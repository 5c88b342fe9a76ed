"""Creating tensors: from data, filled with a value, ranges, identity; ``*_like``.

Every factory takes PyTorch's keyword arguments (``dtype``, ``device``, ``requires_grad``,
``layout``, ``pin_memory``, ``out``) and infers the dtype as PyTorch does: Python floats give
the default float dtype, ints ``int64``, bools ``bool``; arrays keep theirs.
"""

from __future__ import annotations

import math
import numbers

from .. import _backend, _dtype
from .._tensor import Size, Tensor, wrap
from .range_kernels import arange_values, linspace_values, logspace_values
from .tensor_data import _finish, _from_data, _xp, parse_size, size_keyword

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "range",
    "linspace",
    "logspace",
    "eye",
    "scalar_tensor",
    "Size",
    "empty_strided",
    "frombuffer",
]

_builtin_range = range


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor):
        import warnings

        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_from_data(data, _dtype.as_dtype(dtype), device, copy=True), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory with it where the dtype allows."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return _finish(_from_data(data, dtype, device, copy=False))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    if isinstance(obj, Tensor) and not copy and (dtype is None or obj.dtype is dtype):
        return obj
    return _finish(_from_data(obj, dtype, device, copy=bool(copy)), requires_grad)


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory: writes through either show in both."""
    if not hasattr(ndarray, "__array_interface__"):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype not in _dtype._FROM_NP:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint64, uint32, uint16, uint8, and bool."
        )
    return wrap(ndarray)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False) -> Tensor:
    xp = _xp(None)
    return _finish(xp.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset), requires_grad)


def _dt(dtype):
    return (_dtype.as_dtype(dtype) or _dtype.get_default_dtype()).np


@size_keyword
def zeros(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    names=None,
) -> Tensor:
    return _finish(_xp(device).zeros(parse_size(size, "zeros"), _dt(dtype)), requires_grad, out)


@size_keyword
def ones(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    names=None,
) -> Tensor:
    return _finish(_xp(device).ones(parse_size(size, "ones"), _dt(dtype)), requires_grad, out)


@size_keyword
def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
    names=None,
) -> Tensor:
    return _finish(_xp(device).empty(parse_size(size, "empty"), _dt(dtype)), requires_grad, out)


def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _fill_dtype(value, dtype):
    dtype = _dtype.as_dtype(dtype)
    if dtype is not None:
        return dtype.np
    if isinstance(value, Tensor):
        return value._data.dtype
    return _dtype.scalar_dtype(value).np


def full(
    size,
    fill_value,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    shape = parse_size((size,), "full")
    arr = _xp(device).full(shape, _value(fill_value), _fill_dtype(fill_value, dtype))
    return _finish(arr, requires_grad, out)


def _value(v):
    return v.item() if isinstance(v, Tensor) else v


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(_xp(device).asarray(_value(s), dtype=_dt(dtype)), requires_grad)


def _like(input, dtype, device):
    """The array module, dtype and shape of a ``*_like`` result: ``input``'s unless given."""
    dtype = _dtype.as_dtype(dtype)
    xp = _backend.array_module(input._data) if device is None else _xp(device)
    return xp, (dtype.np if dtype is not None else input._data.dtype), input._data.shape


def zeros_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    xp, dt, shape = _like(input, dtype, device)
    return _finish(xp.zeros(shape, dt), requires_grad)


def ones_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    xp, dt, shape = _like(input, dtype, device)
    return _finish(xp.ones(shape, dt), requires_grad)


def empty_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    xp, dt, shape = _like(input, dtype, device)
    return _finish(xp.empty(shape, dt), requires_grad)


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    xp, dt, shape = _like(input, dtype, device)
    return _finish(xp.full(shape, _value(fill_value), dt), requires_grad)


def _range_dtype(values, dtype):
    if dtype is not None:
        return _dtype.as_dtype(dtype)
    if any(
        isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point()) for v in values
    ):
        return _dtype.get_default_dtype()
    return _dtype.int64


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    if end is None:
        start, end = 0, start
    start, end, step = _value(start), _value(end), _value(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dt = _range_dtype((start, end, step), dtype)
    xp = _xp(device)
    if dt in (_dtype.float32, _dtype.float64):
        n = math.ceil((end - start) / step)
        return _finish(arange_values(xp, start, step, n, dt.np), requires_grad, out)
    arr = xp.arange(start, end, step, dtype="float64" if dt.is_floating_point else None)
    return _finish(arr.astype(dt.np, copy=False), requires_grad, out)


def range(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:  # noqa: A001 - PyTorch's (deprecated) name
    """Like arange but including ``end``; always the default float dtype unless given."""
    if end is None:
        start, end = 0, start
    dt = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    n = int((end - start) // step) + 1
    arr = _xp(device).arange(n, dtype="float64") * step + start
    return _finish(arr.astype(dt.np), requires_grad, out)


def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    xp = _xp(device)
    start, end = _value(start), _value(end)
    if steps == 1:
        return _finish(xp.full((1,), start, dtype=dt.np), requires_grad, out)
    if not (dt.is_floating_point or dt.is_complex):
        start, end = int(start), int(end)  # PyTorch converts the ends to the dtype first
    return _finish(linspace_values(xp, start, end, steps, dt.np), requires_grad, out)


def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    dt = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    xp = _xp(device)
    if dt in (_dtype.float32, _dtype.float64) and steps > 1:
        return _finish(logspace_values(xp, start, end, steps, base, dt.np), requires_grad, out)
    exps = linspace(start, end, steps, dtype=_dtype.float64, device=device)._data
    return _finish((base**exps).astype(dt.np), requires_grad, out)


def eye(
    n,
    m=None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(_xp(device).eye(n, m, dtype=_dt(dtype)), requires_grad, out)


def legacy_constructor(self, args, device, dtype=None):
    """``torch.Tensor(2, 3)`` (uninitialised, here zeros) or ``torch.Tensor([1, 2])`` (data)."""
    dt = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    xp = _xp(device)
    if not args:
        arr = xp.zeros((0,), dt.np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]._data
        arr = src if dtype is None or args[0].dtype is dtype else src.astype(dt.np)
    elif all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and isinstance(args[0], Size)
    ):
        arr = xp.zeros(parse_size(args, "Tensor"), dt.np)
    elif len(args) == 1:
        arr = xp.array(_value(args[0]) if isinstance(args[0], Tensor) else args[0], dtype=dt.np)
    else:
        raise TypeError(f"new() received an invalid combination of arguments - got {args}")
    src = wrap(arr)
    for slot in Tensor.__slots__[:-1]:  # every slot but __weakref__
        setattr(self, slot, getattr(src, slot))
