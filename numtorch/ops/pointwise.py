"""Elementwise functions of two or three tensors: atan2, fmod/remainder, clamp, maximum and
minimum, where, lerp, hypot, copysign, logaddexp, xlogy.

Operands are promoted as PyTorch promotes them (``arithmetic.operands``); a Python number
becomes a 0-d array of the promoted dtype before it reaches a primitive, so NumPy never widens
a float32 result.
"""

from __future__ import annotations

import numbers

from .. import _dtype
from .._backend import array_module, is_array
from .._tensor import Tensor, arg_type_name, wrap
from .arithmetic import check_int_divisor, operands, with_out
from .derivatives import (
    Atan2,
    Clamp,
    ClampMax,
    ClampMaxScalar,
    ClampMin,
    ClampMinScalar,
    ClampScalar,
    Copysign,
    CopysignScalar,
    Fmax,
    Fmin,
    Fmod,
    FmodScalar,
    Hypot,
    Lerp,
    LerpScalar,
    Logaddexp,
    Logaddexp2,
    Maximum,
    Minimum,
    Remainder,
    RemainderScalar,
    Where,
    Xlogy,
    XlogyScalarOther,
    XlogyScalarSelf,
)
from .inplace import check_cast, inplace, inplace_method, needs_graph

__all__ = [
    "atan2",
    "arctan2",
    "fmod",
    "remainder",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "where",
    "lerp",
    "hypot",
    "copysign",
    "logaddexp",
    "logaddexp2",
    "xlogy",
    "special_xlogy",
]


# --- operand handling -------------------------------------------------------------------------
def _arrays(a, b):
    """Numbers among promoted operands as 0-d arrays of the other operand's dtype."""
    if not isinstance(a, Tensor):
        return array_module(b._data).asarray(a, dtype=b._data.dtype), b
    if not isinstance(b, Tensor):
        return a, array_module(a._data).asarray(b, dtype=a._data.dtype)
    return a, b


def _promote(input, other, name, floating=False, int_ok=True):
    """Promoted operands as (Tensor or 0-d array, Tensor or 0-d array)."""
    a, b = operands(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind in "iub":
        if not int_ok:
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{t.dtype.scalar_type_name}'"
            )
        if floating:
            dt = _dtype.get_default_dtype().np
            a = wrap(a._data.astype(dt)) if isinstance(a, Tensor) else a
            b = wrap(b._data.astype(dt)) if isinstance(b, Tensor) else b
    return _arrays(a, b)


def _need_tensor(other, name):
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {arg_type_name(other)}"
        )


# --- functions --------------------------------------------------------------------------------
def atan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant."""
    _need_tensor(other, "atan2")
    a, b = _promote(input, other, "atan2", floating=True)
    return with_out(Atan2.apply(a, b), out)


arctan2 = atan2


def _no_bool(a, b, name):
    if a.dtype is _dtype.bool and (not isinstance(b, Tensor) or b.dtype is _dtype.bool):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def fmod(input: Tensor, other, *, out=None) -> Tensor:
    """The C remainder: the sign of ``input``."""
    a, b = _promote(input, other, "fmod")
    _no_bool(a, b, "fmod")
    check_int_divisor(a, b)
    cls = Fmod if isinstance(other, Tensor) else FmodScalar
    return with_out(cls.apply(a, b), out)


def remainder(input, other, *, out=None) -> Tensor:
    """Python's ``%``: the sign of ``other``."""
    a, b = _promote(input, other, "remainder")
    if isinstance(a, Tensor):
        _no_bool(a, b, "remainder")
    check_int_divisor(a, b)
    cls = Remainder if isinstance(other, Tensor) else RemainderScalar
    return with_out(cls.apply(a, b), out)


def _binary_fn(cls, name, floating=False, int_ok=True, scalar_cls=None):
    def fn(input: Tensor, other, *, out=None) -> Tensor:
        if scalar_cls is None:
            _need_tensor(other, name)
        a, b = _promote(input, other, name, floating, int_ok)
        use = cls if isinstance(other, Tensor) or scalar_cls is None else scalar_cls
        return with_out(use.apply(a, b), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


maximum = _binary_fn(Maximum, "maximum")
minimum = _binary_fn(Minimum, "minimum")
fmax = _binary_fn(Fmax, "fmax")
fmin = _binary_fn(Fmin, "fmin")
hypot = _binary_fn(Hypot, "hypot", int_ok=False)
logaddexp = _binary_fn(Logaddexp, "logaddexp", int_ok=False)
logaddexp2 = _binary_fn(Logaddexp2, "logaddexp2", int_ok=False)
copysign = _binary_fn(Copysign, "copysign", floating=True, scalar_cls=CopysignScalar)


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0."""
    a, b = _promote(input, other, "xlogy", floating=True)
    if not isinstance(input, Tensor):
        cls = XlogyScalarSelf
    elif not isinstance(other, Tensor):
        cls = XlogyScalarOther
    else:
        cls = Xlogy
    return with_out(cls.apply(a, b), out)


special_xlogy = xlogy


def _bound(x: Tensor, v):
    if v is None or isinstance(v, Tensor):
        return v
    if x._data.dtype.kind in "iu" and isinstance(v, numbers.Integral):
        return int(v)
    return v


def clamp(input: Tensor, min=None, max=None, *, out=None) -> Tensor:
    """Each element limited to ``[min, max]`` (numbers or tensors; either may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = _dtype.result_type(input, *[v for v in (min, max) if v is not None])
    x = input if input.dtype is dt else input.to(dt)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo, hi = (_bound_tensor(v, x, dt) for v in (min, max))
        return with_out(Clamp.apply(x, lo, hi), out)
    return with_out(ClampScalar.apply(x, _bound(x, min), _bound(x, max)), out)


def _bound_tensor(v, x, dt):
    """A bound beside tensor bounds: None, or a tensor (numbers become 0-d) of dtype ``dt``."""
    if v is None:
        return None
    if isinstance(v, Tensor):
        return v if v.dtype is dt else v.to(dt)
    return wrap(array_module(x._data).asarray(v, dtype=dt.np))


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    if isinstance(min, Tensor):
        dt = _dtype.result_type(input, min)
        return ClampMin.apply(input.to(dt), min.to(dt))
    return _clamp_one(input, min, ClampMinScalar)


def clamp_max(input: Tensor, max) -> Tensor:
    if isinstance(max, Tensor):
        dt = _dtype.result_type(input, max)
        return ClampMax.apply(input.to(dt), max.to(dt))
    return _clamp_one(input, max, ClampMaxScalar)


def _clamp_one(input, bound, cls):
    dt = _dtype.result_type(input, bound)
    x = input if input.dtype is dt else input.to(dt)
    return cls.apply(x, _bound(x, bound))


def where(condition: Tensor, input=None, other=None, *, out=None) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (tensors or numbers, broadcast).
    With the condition alone: ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        from .. import nonzero

        return nonzero(condition, as_tuple=True)
    if condition._data.dtype.kind != "b":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype.scalar_type_name}"
        )
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        xp = array_module(condition._data)
        dt = _dtype.result_type(input, other).np
        return with_out(wrap(xp.where(condition._data, xp.asarray(input, dt), other)), out)
    a, b = _arrays(*operands(input, other))
    return with_out(Where.apply(condition, a, b), out)


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        t.dtype.name, t.dtype.name
    )


def lerp(input: Tensor, end: Tensor, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``."""
    if end.dtype is not input.dtype:
        raise RuntimeError(
            f"expected dtype {_c_name(input)} for `end` but got dtype {_c_name(end)}"
        )
    if isinstance(weight, Tensor):
        w = weight if weight.dtype is input.dtype else weight.to(input.dtype)
        return with_out(Lerp.apply(input, end, w), out)
    w = array_module(input._data).asarray(weight, dtype=input._data.dtype)
    return with_out(LerpScalar.apply(input, end, w), out)


# --- in-place forms ---------------------------------------------------------------------------


def clamp_(self, min=None, max=None) -> Tensor:
    """In-place clamp; ``numpy.clip`` into the tensor's own memory when no graph is recorded."""
    d = self._data
    if (
        is_array(d)
        and d.dtype.kind == "f"
        and not isinstance(min, Tensor)
        and not isinstance(max, Tensor)
        and (min is not None or max is not None)
        and d.flags.writeable
        and not needs_graph(self, ())
    ):
        array_module(d).clip(d, min, max, out=d)
        self._vc[0] += 1
        return self
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        check_cast(_dtype.result_type(self, *[v for v in (min, max) if v is not None]).np, d.dtype)
    return inplace(self, clamp, min, max)


def _tensor_where(self, condition, y):
    return where(condition, self, y)


METHODS = {
    "atan2": atan2,
    "arctan2": atan2,
    "fmod": fmod,
    "remainder": remainder,
    "clamp": clamp,
    "clip": clamp,
    "clamp_min": clamp_min,
    "clamp_max": clamp_max,
    "maximum": maximum,
    "minimum": minimum,
    "fmax": fmax,
    "fmin": fmin,
    "where": _tensor_where,
    "lerp": lerp,
    "hypot": hypot,
    "copysign": copysign,
    "logaddexp": logaddexp,
    "logaddexp2": logaddexp2,
    "xlogy": xlogy,
    "clamp_": clamp_,
    "clip_": clamp_,
    "__mod__": lambda self, other: (
        remainder(self, other) if isinstance(other, (Tensor, numbers.Number)) else NotImplemented
    ),
    "__rmod__": lambda self, other: (
        remainder(other, self) if isinstance(other, numbers.Number) else NotImplemented
    ),
}
for _fn in (atan2, fmod, remainder, clamp_min, clamp_max, lerp, hypot, copysign, xlogy):
    METHODS[_fn.__name__ + "_"] = inplace_method(_fn)
METHODS.update(arctan2_=METHODS["atan2_"], __imod__=METHODS["remainder_"])
del _fn
