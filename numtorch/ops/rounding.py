"""Rounding, sign and the float classification tests: piecewise-constant functions (their
gradient is zero), ``frac`` and ``nan_to_num``."""

from __future__ import annotations

from .._backend import array_module, kind_of
from .._tensor import Tensor, wrap
from .arithmetic import with_out
from .derivatives import Ceil, Floor, Frac, NanToNum, Round, RoundDecimals, Sgn, Sign, Trunc
from .unary import _inplace, _no_bool, _ufunc_kernel

__all__ = [
    "sign",
    "sgn",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fix",
    "frac",
    "isnan",
    "isinf",
    "isfinite",
    "isposinf",
    "isneginf",
    "signbit",
    "nan_to_num",
    "positive",
]


def _sign_kernel(d, out):
    xp = array_module(d)
    xp.sign(d, out=out)
    out[xp.isnan(out)] = 0  # PyTorch: sign(NaN) is 0


# --- functions ---------------------------------------------------------------------------------
def _sign_of(prim, name):
    def fn(input: Tensor, *, out=None) -> Tensor:
        if input._data.dtype.kind == "b":
            return with_out(wrap(input._data.copy()), out)  # the sign of a bool is itself
        return with_out(prim.apply(input), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


sign = _sign_of(Sign, "sign")
sgn = _sign_of(Sgn, "sgn")


def _rounding(prim, name):
    def fn(input: Tensor, *, out=None) -> Tensor:
        _no_bool(input, f"{name}_vml_cpu")
        if input._data.dtype.kind in "iu":
            return with_out(wrap(input._data.copy()), out)  # integers are already whole
        return with_out(prim.apply(input), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


floor = _rounding(Floor, "floor")
ceil = _rounding(Ceil, "ceil")
trunc = fix = _rounding(Trunc, "trunc")
_round0 = _rounding(Round, "round")


def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds ...)."""
    if decimals == 0:
        return _round0(input, out=out)
    if input._data.dtype.kind in "iub":
        raise NotImplementedError(
            f"\"round_cpu\" not implemented for '{input.dtype.scalar_type_name}'"
        )
    return with_out(RoundDecimals.apply(input, decimals), out)


def frac(input: Tensor, *, out=None) -> Tensor:
    """``x - trunc(x)``, keeping the sign of ``x``."""
    if input._data.dtype.kind in "iub":
        raise NotImplementedError(
            f"\"frac_cpu\" not implemented for '{input.dtype.scalar_type_name}'"
        )
    return with_out(Frac.apply(input), out)


def positive(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and smallest finite values)."""
    if kind_of(input._data.dtype) not in "fc":
        return with_out(wrap(input._data.copy()), out)
    return with_out(NanToNum.apply(input, nan, posinf, neginf), out)


# --- float classification: bool results, never differentiable ---------------------------------
def _classify(name, ufunc, int_value=False):
    def fn(input: Tensor) -> Tensor:
        xp = array_module(input._data)
        if input._data.dtype.kind in "iub":
            return wrap(xp.full(input._data.shape, int_value))
        return wrap(getattr(xp, ufunc)(input._data))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}``, a bool tensor."
    return fn


isnan = _classify("isnan", "isnan")
isinf = _classify("isinf", "isinf")
isfinite = _classify("isfinite", "isfinite", True)
isposinf = _classify("isposinf", "isposinf")
isneginf = _classify("isneginf", "isneginf")


def signbit(input: Tensor, *, out=None) -> Tensor:
    xp = array_module(input._data)
    if input._data.dtype.kind == "b":
        return with_out(wrap(xp.zeros(input._data.shape, bool)), out)
    return with_out(wrap(xp.signbit(input._data)), out)


_KERNELS = {
    "floor": _ufunc_kernel("floor"),
    "ceil": _ufunc_kernel("ceil"),
    "trunc": _ufunc_kernel("trunc"),
    "sign": _sign_kernel,
    "sgn": _sign_kernel,
}
METHODS = {}
for _fn in (sign, sgn, floor, ceil, round, trunc, frac, nan_to_num):
    METHODS[_fn.__name__] = _fn
    METHODS[_fn.__name__ + "_"] = _inplace(_fn, _KERNELS.get(_fn.__name__))
METHODS.update(
    fix=trunc,
    fix_=METHODS["trunc_"],
    isnan=isnan,
    isinf=isinf,
    isfinite=isfinite,
    isposinf=isposinf,
    isneginf=isneginf,
    signbit=signbit,
    positive=positive,
)
del _fn
