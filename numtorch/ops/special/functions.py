"""The special functions of ``torch.special`` and ``torch.*``: the error-function family,
log-gamma and its derivatives, modified Bessel functions, the normal distribution's tails,
entropy terms (rows of the derivative table), and the SciPy-backed rest.

NumPy has only ``i0``; the other routines come from SciPy (a dependency of numtorch), imported
when first used so that ``import numtorch`` does not pay for it. Each derivative is a special
function too, so every backward here calls primitives of this module (through ``linear``'s
array-or-graph dispatch), and second derivatives work.
"""

from __future__ import annotations

import math

from ... import _dtype
from ..._backend import array_module
from ..._backend import special_module as scipy_special
from ..._tensor import Tensor, wrap
from ...autograd.function import Primitive
from ..arithmetic import with_out
from ..derivatives import (
    I0,
    I1,
    Digamma,
    Entr,
    Erf,
    Erfc,
    Erfcx,
    Erfinv,
    I0e,
    I1e,
    Lgamma,
    LogNdtr,
    Ndtri,
    Polygamma,
)
from ..inplace import inplace_method
from ..shape import linear as _call

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "i0", "logit", "igamma", "igammac"]
__all__ += ["erf", "erfc", "erfinv", "special_erf", "special_erfc", "special_erfinv"]

_SQRT_2PI = math.sqrt(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _floating(x: Tensor) -> Tensor:
    if x._data.dtype.kind in "iub":
        return x.to(_dtype.get_default_dtype())
    return x


class Gammainc(Primitive):
    """The regularised lower (``upper``: upper) incomplete gamma function; differentiable in
    ``x`` only, as in PyTorch."""

    _name = "IgammaBackward0"
    __slots__ = ("upper",)

    def forward(ctx, a, x, upper):
        ctx.upper = upper
        ctx.save_for_backward(a, x)
        sp = scipy_special(x)
        return (sp.gammaincc if upper else sp.gammainc)(a, x).astype(x.dtype, copy=False)

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'self' of igamma is not implemented.")
        xp = ctx.xp
        d = xp.exp((a - 1) * xp.log(x) - x - _call(ctx, Lgamma, a))
        return None, -g * d if ctx.upper else g * d, None


# --- functions ---------------------------------------------------------------------------------
def erf(input: Tensor, *, out=None) -> Tensor:
    """The error function, ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."""
    return with_out(Erf.apply(_floating(input)), out)


def erfc(input: Tensor, *, out=None) -> Tensor:
    """``1 - erf(x)``, accurate where erf(x) is close to 1."""
    return with_out(Erfc.apply(_floating(input)), out)


def erfinv(input: Tensor, *, out=None) -> Tensor:
    """The inverse of erf on (-1, 1); +-inf at +-1 and nan outside."""
    return with_out(Erfinv.apply(_floating(input)), out)


special_erf, special_erfc, special_erfinv = erf, erfc, erfinv


def _unary(cls, name):
    def fn(input: Tensor, *, out=None) -> Tensor:
        return with_out(cls.apply(_floating(input)), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


lgamma = _unary(Lgamma, "lgamma")
digamma = _unary(Digamma, "digamma")
i0 = _unary(I0, "i0")
i1 = _unary(I1, "i1")
i0e = _unary(I0e, "i0e")
i1e = _unary(I1e, "i1e")
ndtri = _unary(Ndtri, "ndtri")
log_ndtr = _unary(LogNdtr, "log_ndtr")
erfcx = _unary(Erfcx, "erfcx")
entr = _unary(Entr, "entr")


def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """The ``n``-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _floating(input)
    return with_out(Digamma.apply(x) if n == 0 else Polygamma.apply(x, n), out)


def mvlgamma(input: Tensor, p: int, *, out=None) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``."""
    from ..reduction import sum as _sum

    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _floating(input)
    xp = array_module(x._data)
    shifts = wrap(-xp.arange(p, dtype=x._data.dtype) / 2)
    res = _sum(lgamma(x.unsqueeze(-1) + shifts), -1) + p * (p - 1) / 4 * math.log(math.pi)
    return with_out(res, out)


def logit(input: Tensor, eps=None, *, out=None) -> Tensor:
    """``log(x / (1 - x))``, with ``x`` first clamped to ``[eps, 1 - eps]`` when given."""
    from ..unary import log

    x = _floating(input)
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    return with_out(log(x / (1 - x)), out)


def ndtr(input: Tensor, *, out=None) -> Tensor:
    """The standard normal CDF, ``erfc(-x / sqrt(2)) / 2``."""
    return with_out(erfc(_floating(input) * (-1 / math.sqrt(2))) * 0.5, out)


def _as_tensors(a, b):
    from ..arithmetic import operands

    a, b = operands(a, b)
    t = a if isinstance(a, Tensor) else b
    like = t._data
    a = a if isinstance(a, Tensor) else wrap(array_module(like).asarray(a, like.dtype))
    b = b if isinstance(b, Tensor) else wrap(array_module(like).asarray(b, like.dtype))
    return _floating(a), _floating(b)


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, and 0 wherever ``input`` is 0 (unless ``other`` is NaN)."""
    from ..pointwise import where
    from ..unary import log1p

    x, y = _as_tensors(input, other)
    keep = (x != 0) | (y != y)  # y != y: NaN
    return with_out(where(keep, x * log1p(where(keep, y, 0.0 * y)), 0.0 * x), out)


def gammainc(input, other, *, out=None) -> Tensor:
    a, x = _as_tensors(input, other)
    return with_out(Gammainc.apply(a, x, False), out)


def gammaincc(input, other, *, out=None) -> Tensor:
    a, x = _as_tensors(input, other)
    return with_out(Gammainc.apply(a, x, True), out)


def _values_only(name, arity=1):
    """A SciPy function with no derivative in PyTorch either: values, no graph."""

    def fn(*args, out=None):
        ts = [_floating(t) for t in args] if arity == 1 else list(_as_tensors(*args))
        res = getattr(scipy_special(ts[-1]._data), name)(*[t._data for t in ts])
        return with_out(wrap(res.astype(ts[-1]._data.dtype, copy=False)), out)

    fn.__name__ = name
    if arity == 1:
        fn.tensor_first = "input"  # what the argument check calls its first parameter
    return fn


zeta = _values_only("zeta", 2)
bessel_j0 = _values_only("j0")
bessel_j1 = _values_only("j1")
bessel_y0 = _values_only("y0")
bessel_y1 = _values_only("y1")
modified_bessel_i0 = _values_only("i0")
modified_bessel_i1 = _values_only("i1")
modified_bessel_k0 = _values_only("k0")
modified_bessel_k1 = _values_only("k1")
scaled_modified_bessel_k0 = _values_only("k0e")
scaled_modified_bessel_k1 = _values_only("k1e")


def spherical_bessel_j0(input: Tensor, *, out=None) -> Tensor:
    """``sin(x) / x`` (1 at 0)."""
    x = _floating(input)._data
    xp = array_module(x)
    safe = xp.where(x == 0, 1, x)
    return with_out(wrap(xp.where(x == 0, 1, xp.sin(safe) / safe).astype(x.dtype)), out)


def airy_ai(input: Tensor, *, out=None) -> Tensor:
    x = _floating(input)
    return with_out(wrap(scipy_special(x._data).airy(x._data)[0].astype(x._data.dtype)), out)


def igamma(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularised lower incomplete gamma function P(input, other)."""
    return gammainc(input, other, out=out)


def igammac(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularised upper incomplete gamma function Q(input, other)."""
    return gammaincc(input, other, out=out)


METHODS = {
    "erf": erf,
    "erfc": erfc,
    "erfinv": erfinv,
    "erf_": inplace_method(erf),
    "erfc_": inplace_method(erfc),
    "erfinv_": inplace_method(erfinv),
    "lgamma": lgamma,
    "digamma": digamma,
    "polygamma": lambda self, n: polygamma(n, self),
    "mvlgamma": mvlgamma,
    "i0": i0,
    "logit": logit,
    "igamma": igamma,
    "igammac": igammac,
}
