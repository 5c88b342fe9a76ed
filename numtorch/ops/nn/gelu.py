"""GELU, ``x * Phi(x)`` with ``Phi`` the standard normal CDF, and its derivative.

float32 inputs take a float32 kernel: ``Phi(-|x|) = exp(-x^2/2) * R(|x|)`` with ``R`` a rational
function (degree 3 over 4) fitted to ``erfcx(|x|/sqrt(2)) / 2`` on [0, 8] with relative error
1.3e-7, evaluated as the continued fraction ``a0 / (s + b0 + a1 / (s + b1 + ...))`` (11 passes
where Horner's scheme takes 14, at 1.7e-7 relative rounding error against Horner's 4e-7; every
denominator stays positive for ``s >= 0``, and an infinite ``s`` gives 0, not inf/inf). ``Phi``
is then ``1 - Phi(-|x|)`` or ``Phi(-|x|)`` by the sign of ``x``, so that the negative tail keeps
its relative accuracy. The result is within 9 float32 ulps of the exact value for ``|x| <= 4``
and 20 down to -6 (the rounding of ``x*x`` before ``exp`` dominates). PyTorch's own float32
GELU is an approximation off by up to 1.2e-6 absolute. The kernel costs 20 NumPy passes (four
of them into new arrays) where the float64 error function costs over 50, and ``exp(-x^2/2)`` is
kept for the backward, which needs it again. Other dtypes compute ``erf`` in float64
(``ops/special/erf.py``), exact to their last bit.
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
    # Phi(x) = H(x) - sign(x) * q with H the step function, both from x's sign bit (so -0.0
    # gives 0 - (-q) = q = 1/2): nothing goes through 1/2 - q
    xp.copysign(q, x, out=q)
    cdf = xp.subtract(xp.greater_equal(x.view(xp.int32), 0), q, out=q)
    xp.multiply(x, cdf, out=out)
    return out.reshape(shape), cdf.reshape(shape), pdf.reshape(shape)


class Gelu(Primitive):
    _name = "GeluBackward0"
    __slots__ = ("tanh", "cdf", "pdf")

    def forward(ctx, x, tanh):
        xp = array_module(x)
        ctx.tanh = tanh
        ctx.save_for_backward(x)
        if tanh:
            inner = _scalar(x, _SQRT_2_PI) * (x + _scalar(x, 0.044715) * x * x * x)
            return _scalar(x, 0.5) * x * (1 + xp.tanh(inner))
        # Phi(x) and exp(-x^2/2) are both kept: a first-order backward needs them again
        if x.dtype == xp.float32:
            out, ctx.cdf, ctx.pdf = gelu_f32(x)
            return out
        from ..special.erf import erf_array

        cdf = erf_array(x * _scalar(x, _INV_SQRT_2))
        cdf += 1
        cdf *= _scalar(x, 0.5)
        ctx.cdf, ctx.pdf = cdf, xp.exp(x * _scalar(x, -0.5) * x)
        return x * cdf

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        if ctx.tanh:
            t = xp.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x))
            d_inner = _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner), None
        if ctx._graph:
            cdf = 0.5 * (1 + xp.erf(x * _INV_SQRT_2))
            return g * (cdf + x * _INV_SQRT_2PI * xp.exp(-0.5 * x * x)), None
        # NOTE: d/dx x Phi(x) = Phi(x) + x * pdf(x), from the forward's Phi and exp(-x^2/2)
        d = x * ctx.pdf
        d *= _scalar(x, _INV_SQRT_2PI)
        d += ctx.cdf
        if g.dtype != d.dtype:
            return g * d, None
        d *= g
        return d, None
