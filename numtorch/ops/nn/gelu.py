"""GELU, ``x * Phi(x)`` with ``Phi`` the standard normal CDF, and its derivative.

float32 inputs take a float32 kernel: ``Phi(-|x|) = exp(-x^2/2) * R(|x|)`` with ``R`` a rational
function (degree 3 over 4) fitted to ``erfcx(|x|/sqrt(2)) / 2`` on [0, 8] with relative error
1.3e-7, evaluated as the continued fraction ``a0 / (s + b0 + a1 / (s + b1 + ...))`` (11 passes
where Horner's scheme takes 14, at 1.7e-7 relative rounding error against Horner's 4e-7; every
denominator stays positive for ``s >= 0``, and an infinite ``s`` gives 0, not inf/inf). ``Phi``
is then ``1 - Phi(-|x|)`` or ``Phi(-|x|)`` by the sign of ``x``, so that the negative tail keeps
its relative accuracy. The result is within 9 float32 ulps of the exact value for ``|x| <= 4``
and 20 down to -6 (the rounding of ``x*x`` before ``exp`` dominates). PyTorch's own float32
GELU is an approximation off by up to 1.2e-6 absolute. The kernel costs 21 NumPy passes (four
into new arrays, four on the integer bits) where the float64 error function costs over 50, and
``exp(-x^2/2)`` is kept for the backward, which needs it again. Other dtypes compute ``erf`` in
float64 (``ops/special/erf.py``), exact to their last bit.
"""

from __future__ import annotations

import math

from ..._backend import array_module
from ...autograd.function import Primitive
from .act_ops import _scalar

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# R(s) = a0 / (s + b0 + a1 / (s + b1 + a2 / (s + b2 + a3 / (s + b3)))), (a_k, b_k) from k = 0:
# the Euclidean expansion of P(s) / Q(s) with P = 13.4261608 + 9.26280975 s + 2.95408535 s^2 +
# 0.398805380 s^3 and Q = 26.8523216 + 39.9504776 s + 24.3595867 s^2 + 7.39425707 s^3 + s^4
# (P(0) = Q(0) / 2, so that Phi(0) is 1/2), rounded to float32
_CF = (
    (0.39880538, -0.013078684),
    (1.2300737, 2.0513144),
    (-9.948291, 4.1650424),
    (17.22732, 1.1909789),
)


def _tail_ratio(xp, s):
    """``R(s)``, each level of the continued fraction written in place."""
    a, b = _CF[-1]
    r = s + xp.float32(b)
    xp.divide(xp.float32(a), r, out=r)
    for a, b in reversed(_CF[:-1]):
        r += s
        r += xp.float32(b)
        xp.divide(xp.float32(a), r, out=r)
    return r


def gelu_f32(x):
    """``(x * Phi(x), Phi(x), exp(-x^2/2))`` for a float32 array, with no mask or branch per
    element; ``|x|``'s buffer, free once the tail is known, receives the result."""
    xp = array_module(x)
    shape, x = x.shape, x.reshape(-1)  # 1-d: NumPy's ufuncs give 0-d arrays back as scalars
    out = xp.abs(x)
    q = _tail_ratio(xp, out)
    pdf = x * xp.float32(-0.5)
    pdf *= x
    xp.exp(pdf, out=pdf)
    q *= pdf
    # Phi(x) is q where x's sign bit is set (-0.0 too: q = 1/2 there), else u = 1 - q: nothing
    # goes through 1/2 - q. The choice is made on the bits, ((u ^ q) & sign) ^ u, as NumPy's
    # copysign, where and bool-to-float subtraction each take 3-40 times an integer pass
    neg = xp.right_shift(x.view(xp.int32), 31, out=out.view(xp.int32))
    cdf = xp.subtract(xp.float32(1), q)
    bits, u = q.view(xp.int32), cdf.view(xp.int32)
    bits ^= u
    bits &= neg
    u ^= bits
    xp.multiply(x, cdf, out=out)
    return out.reshape(shape), cdf.reshape(shape), pdf.reshape(shape)


class Gelu(Primitive):
    """GELU; the backward is one formula on the input and two values the forward keeps
    (``Phi(x)`` and ``exp(-x^2/2)``, or for ``tanh`` the tanh of the inner polynomial), each
    recomputed on Tensors under ``create_graph`` so that its dependence on ``x`` is
    differentiated again."""

    _name = "GeluBackward0"
    __slots__ = ("tanh",)
    _save_at = (0, "_first", "_second")

    def _first(ctx, x):
        """``Phi(x)``, or ``tanh(sqrt(2/pi) (x + 0.044715 x^3))`` for the tanh form."""
        xp = ctx.xp
        if ctx.tanh:
            return xp.tanh(_SQRT_2_PI * (x + 0.044715 * (x * x * x)))
        return 0.5 * (1 + xp.erf(x * _INV_SQRT_2))

    def _second(ctx, x, first):
        """``exp(-x^2/2)``; the tanh form keeps nothing more."""
        return None if ctx.tanh else ctx.xp.exp(x * -0.5 * x)

    def forward(ctx, x, tanh):
        ctx.tanh = tanh
        if tanh:
            return _tanh_forward(ctx, x)
        # Phi(x) and exp(-x^2/2) are both kept: the backward needs them again
        if x.dtype == array_module(x).float32:
            out, cdf, pdf = gelu_f32(x)
        else:
            out, cdf, pdf = _gelu_erf(x)
        ctx.save_for_backward(x, cdf, pdf)
        return out

    def backward(ctx, g):
        x, first, pdf = ctx.saved_tensors
        # NOTE: d/dx x Phi(x) = Phi(x) + x pdf(x); the tanh form's 0.5 (1 + t) + 0.5 x (1 - t^2)
        # sqrt(2/pi) (1 + 3 0.044715 x^2) is written as PyTorch's kernel groups it
        if ctx.tanh:
            d = x * x * (3 * 0.044715) + 1
            d *= _SQRT_2_PI * 0.5
            d *= x
            d *= 1 - first * first
            d += (first + 1) * 0.5
        else:
            d = x * pdf
            d *= _INV_SQRT_2PI
            d += first
        if g.dtype != d.dtype:
            return g * d, None
        d *= g  # d is this call's own: no new array for the product
        return d, None


def _gelu_erf(x):
    """``(x * Phi(x), Phi(x), exp(-x^2/2))`` through the float64-accurate error function."""
    from ..special.erf import erf_array

    xp = array_module(x)
    cdf = erf_array(x * _scalar(x, _INV_SQRT_2))
    cdf += 1
    cdf *= _scalar(x, 0.5)
    return x * cdf, cdf, xp.exp(x * _scalar(x, -0.5) * x)


def _tanh_forward(ctx, x):
    """``0.5 x (1 + t)`` with ``t = tanh(sqrt(2/pi) (x + 0.044715 x^3))``, rounded as
    PyTorch's kernel; ``t`` is kept for the backward."""
    shape, x = x.shape, x.reshape(-1)  # 1-d: NumPy's ufuncs give 0-d arrays back as scalars
    t = x * x
    t *= x
    t *= _scalar(x, 0.044715)
    t += x
    t *= _scalar(x, _SQRT_2_PI)
    array_module(x).tanh(t, out=t)
    out = t + 1
    out *= x
    out *= _scalar(x, 0.5)
    ctx.save_for_backward(x.reshape(shape), t.reshape(shape), None)
    return out.reshape(shape)
