"""GELU, ``x * Phi(x)`` with ``Phi`` the standard normal CDF, and its derivative.

float32 inputs take a float32 kernel: ``Phi(-|x|) = exp(-x^2/2) * R(|x|)`` with ``R`` a rational
function (degree 3 over 4, all coefficients positive, so Horner's scheme does not cancel)
fitted to ``erfcx(|x|/sqrt(2)) / 2`` on [0, 8] with relative error 1.3e-7; ``Phi`` is then
``1 - Phi(-|x|)`` or ``Phi(-|x|)`` by the sign of ``x``, so that the negative tail keeps its
relative accuracy. The result is within 12 float32 ulps of the exact value for ``|x| <= 4``
and 21 down to -8 (the rounding of ``x*x`` before ``exp`` dominates; below -8, where
``|GELU| < 1e-14``, a few hundred). PyTorch's own float32 GELU is an approximation off by up
to 1.2e-6 absolute. The kernel costs about 25 NumPy passes where the float64 error function
costs over 50, and ``exp(-x^2/2)`` is kept for the backward, which needs it again. Other
dtypes compute ``erf`` in float64 (``ops/special/erf.py``), exact to their last bit.
"""

from __future__ import annotations

import math

from ..._backend import array_module
from ...autograd.function import Primitive
from .act_ops import _scalar

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# R(s) = P(s) / Q(s), Q monic; coefficients from degree 0 up (exact float32 values), with
# P(0) = Q(0) / 2 so that Phi(0) is exactly 1/2
_P = (13.4261608, 9.26280975, 2.95408535, 0.398805380)
_Q = (26.8523216, 39.9504776, 24.3595867, 7.39425707)
# beyond this |x|, exp(-x^2/2) is 0 in float32; clamping keeps s^5 finite (no inf/inf)
_CLAMP = 1e6
_SIGN = 0x80000000


def _tail_ratio(xp, s):
    """``R(s)``, each Horner step written in place."""
    num = s * xp.float32(_P[3])
    den = s + xp.float32(_Q[3])
    for k in (2, 1, 0):
        num += xp.float32(_P[k])
        den *= s
        den += xp.float32(_Q[k])
        if k:
            num *= s
    num /= den
    return num


def normal_cdf_f32(x):
    """``(Phi(x), exp(-x^2/2))`` for a float32 array, with no mask or branch per element."""
    xp = array_module(x)
    shape, x = x.shape, x.reshape(-1)  # 1-d: NumPy's ufuncs give 0-d arrays back as scalars
    s = xp.abs(x)
    if s.size and not s.max() <= _CLAMP:  # also true when a nan is present
        xp.minimum(s, xp.float32(_CLAMP), out=s)
    pdf = x * xp.float32(-0.5)
    pdf *= x
    xp.exp(pdf, out=pdf)
    q = _tail_ratio(xp, s)
    q *= pdf
    # Phi(x) = H(x) - sign(x) * q with H the step function: the sign comes from x's sign bit,
    # H from the same bit (so -0.0 gives 0 - (-q) = q = 1/2), and nothing goes through 1/2 - q
    bits = q.view(xp.uint32)
    xp.bitwise_xor(bits, xp.bitwise_and(x.view(xp.uint32), xp.uint32(_SIGN)), out=bits)
    cdf = xp.greater_equal(x.view(xp.int32), 0).astype(xp.float32)
    cdf -= q
    return cdf.reshape(shape), pdf.reshape(shape)


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
        if x.dtype == xp.float32:
            ctx.cdf, ctx.pdf = normal_cdf_f32(x)
        else:
            from ..special.erf import erf_array

            cdf = erf_array(x * _scalar(x, _INV_SQRT_2))
            cdf += 1
            cdf *= _scalar(x, 0.5)
            ctx.cdf, ctx.pdf = cdf, xp.exp(x * _scalar(x, -0.5) * x)
        # both are kept: a first-order backward needs them again
        return x * ctx.cdf

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
