"""Activation primitives: each forward on arrays next to its derivative.

Backward formulas are written with ``ctx.xp`` so that they run on arrays for a first-order
pass and on Tensors under ``create_graph`` (higher-order gradients). Piecewise-linear ops
multiply by a mask; smooth ones recompute their derivative from the saved input or output
instead of storing it, so an inference forward pays nothing for autograd.
"""

from __future__ import annotations

import struct
from operator import add, mul

from ..._backend import array_module, clip, is_array, narrowed, reuse, widened
from ...autograd.function import Primitive
from ..unary import logistic


def _f32(value: float) -> float:
    """``value`` rounded to float32, as PyTorch's kernels hold some constants (``1.0f / 6``)."""
    return struct.unpack("f", struct.pack("f", value))[0]


def _scalar(x, value):
    """``value`` as a scalar of ``x``'s dtype, so that float32 stays float32 in NumPy."""
    return x.dtype.type(value) if hasattr(x.dtype, "type") else value


class Hardtanh(Primitive):
    _name = "HardtanhBackward0"
    __slots__ = ("lo", "hi")

    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return clip(x, _scalar(x, lo), _scalar(x, hi))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


class LeakyRelu(Primitive):
    _name = "LeakyReluBackward0"
    __slots__ = ("slope",)

    def forward(ctx, x, slope):
        ctx.slope = slope
        ctx.save_for_backward(x)
        return array_module(x).where(x > 0, x, x * _scalar(x, slope))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ctx.xp.where(x > 0, g, g * ctx.slope), None


class Elu(Primitive):
    """``scale * x`` for ``x > 0``, else ``scale * alpha * (exp(input_scale * x) - 1)``:
    ELU, SELU (fixed scale and alpha) and CELU (``input_scale = 1 / alpha``)."""

    _name = "EluBackward0"
    __slots__ = ("alpha", "scale", "input_scale")

    def forward(ctx, x, alpha, scale, input_scale):
        xp = array_module(x)
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        neg = xp.expm1(xp.clip(x, None, 0) * _scalar(x, input_scale)) * _scalar(x, alpha * scale)
        out = xp.where(x > 0, x * _scalar(x, scale), neg)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        # NOTE: the negative branch's derivative is input_scale * (out + alpha * scale), from
        # the output, as PyTorch computes it.
        neg = g * ctx.input_scale * (out + ctx.alpha * ctx.scale)
        return ctx.xp.where(x > 0, g * ctx.scale, neg), None, None, None


class Celu(Elu):
    _name = "CeluBackward0"

    def backward(ctx, g):
        # NOTE: PyTorch differentiates CELU from its input, with 1 / alpha taken after rounding
        # alpha to float32 (its forward uses the double): float64 gradients agree to 1e-16
        x, _ = ctx.saved_tensors
        inv = 1.0 / _f32(ctx.alpha)
        neg = g * inv * ctx.alpha * ctx.xp.exp(x * inv)
        return ctx.xp.where(x > 0, g, neg), None, None, None


class Silu(Primitive):
    _name = "SiluBackward0"
    _save_at = (0, "_sig")  # x and its sigmoid, recomputed from x under create_graph

    def _sig(ctx, x):
        return logistic(x)

    def forward(ctx, x):
        sig = logistic(x)
        ctx.save_for_backward(x, sig)
        return x * sig

    def backward(ctx, g):
        x, s = ctx.saved_tensors
        # NOTE: ((1 - s) * x + 1) * s * g, in one buffer on arrays
        return reuse(mul, reuse(mul, reuse(add, reuse(mul, 1 - s, x), 1), s), g)


class Mish(Primitive):
    _name = "MishBackward0"

    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return x * xp.tanh(_softplus(xp, x))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        t = xp.tanh(_softplus(xp, x))
        return g * (t + x * (1 - t * t) * logistic(x))


def _softplus(xp, x):
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    return xp.clip(x, 0, None) + xp.log1p(xp.exp(-xp.abs(x)))


class LogSigmoid(Primitive):
    _name = "LogSigmoidBackward0"

    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return xp.clip(x, None, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * logistic(-x)


class Softplus(Primitive):
    _name = "SoftplusBackward0"
    __slots__ = ("beta", "threshold")

    def forward(ctx, x, beta, threshold):
        xp = array_module(x)
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        bx = x * _scalar(x, beta)
        return xp.where(bx > threshold, x, _softplus(xp, bx) / _scalar(x, beta))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return ctx.xp.where(bx > ctx.threshold, g, g * logistic(bx)), None, None


class Shrink(Primitive):
    """Softshrink (``soft=True``) and Hardshrink: zero inside ``[-lambd, lambd]``."""

    _name = "SoftshrinkBackward0"
    __slots__ = ("lambd",)
    soft = True

    def forward(ctx, x, lambd):
        xp = array_module(x)
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        lam = _scalar(x, lambd)
        if ctx.soft:
            return xp.where(x > lam, x - lam, xp.where(x < -lam, x + lam, x * 0))
        return xp.where((x > lam) | (x < -lam), x, x * 0)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd)), None


class Hardshrink(Shrink):
    _name = "HardshrinkBackward0"
    soft = False


class Hardsigmoid(Primitive):
    _name = "HardsigmoidBackward0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).clip(x / _scalar(x, 6) + _scalar(x, 0.5), 0, 1).astype(x.dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # NOTE: times 1/6 rounded to float32, PyTorch's constant in every dtype
        return g * ((x > -3) & (x < 3)) * _f32(1 / 6)


class Hardswish(Primitive):
    _name = "HardswishBackward0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = array_module(x)
        return x * xp.clip(x + _scalar(x, 3), 0, 6).astype(x.dtype) / _scalar(x, 6)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        return xp.where(x < -3, g * 0, xp.where(x <= 3, g * (x / 3 + 0.5), g))


class Threshold(Primitive):
    _name = "ThresholdBackward0"
    __slots__ = ("threshold",)

    def forward(ctx, x, threshold, value):
        ctx.threshold = threshold
        ctx.save_for_backward(x)
        return array_module(x).where(x > threshold, x, _scalar(x, value))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > ctx.threshold), None, None


class Glu(Primitive):
    _name = "GluBackward0"
    __slots__ = ("dim",)

    def forward(ctx, x, dim):
        xp = array_module(x)
        ctx.dim = dim
        a, b = xp.split(x, 2, axis=dim)
        ctx.save_for_backward(x)
        return a * logistic(b)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        a, b = xp.split(x, 2, axis=ctx.dim)
        s = logistic(b)
        return xp.concatenate([g * s, g * a * s * (1 - s)], axis=ctx.dim), None


class Prelu(Primitive):
    """``x`` where positive, else ``weight * x`` with one weight per channel (dim 1)."""

    _name = "PreluKernelBackward0"

    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return array_module(x).where(x > 0, x, x * _channel(w, x.ndim))

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        xp = ctx.xp
        gx = xp.where(x > 0, g, g * _channel(w, x.ndim)) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gneg = xp.where(x > 0, g * 0, g * x)
            if w.shape[0] == 1 or x.ndim < 2:
                gw = xp.reshape(xp.sum(gneg), w.shape)
            else:
                gw = xp.sum(gneg, axis=tuple(i for i in range(x.ndim) if i != 1))
        return gx, gw


def _channel(w, ndim):
    """Per-channel weight shaped to broadcast against an input whose channel dim is 1."""
    if w.shape[0] == 1 or ndim < 2:
        return w.reshape(()) if w.shape[0] == 1 else w
    return w.reshape((-1,) + (1,) * (ndim - 2))


class MulNoise(Primitive):
    """RReLU: ``x * noise`` with the slopes drawn (or fixed) in the forward."""

    _name = "RreluWithNoiseBackward0"

    def forward(ctx, x, noise):
        ctx.save_for_backward(noise)
        return x * noise

    def backward(ctx, g):
        (noise,) = ctx.saved_tensors
        return g * noise, None


def _uniform(col):
    """``col`` (a reduced column), or its value as a scalar where all its entries are equal
    (every row of a cross-entropy's mean gradient): a faster operand for a broadcast. A Tensor
    (under ``create_graph``) stays itself, so its gradient reaches every entry."""
    if not is_array(col):
        return col
    first = col.ravel()[:1]
    if col.size > 1 and (col == first).all():
        return first[0]
    return col


def _dot(xp, a, b, dim):
    """``sum(a * b)`` along ``dim``, kept: NumPy's vecdot takes one pass and makes no product
    array (CuPy and the Tensors of a graph-building backward have none; vecdot would conjugate
    a complex ``a``)."""
    if hasattr(xp, "vecdot") and a.ndim and a.dtype.kind != "c":
        return xp.expand_dims(xp.vecdot(a, b, axis=dim), dim)
    return (a * b).sum(axis=dim, keepdims=True)


class Softmax(Primitive):
    _name = "SoftmaxBackward0"
    __slots__ = ("dim",)

    def forward(ctx, x, dim):
        xp = array_module(x)
        ctx.dim = dim
        xw = widened(x)
        out = xw - xw.max(axis=dim, keepdims=True)
        xp.exp(out, out=out)
        out /= out.sum(axis=dim, keepdims=True)
        out = narrowed(out, x.dtype)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # NOTE: (g - sum(g * out)) * out, PyTorch's order; the product in place on the new
        # difference (an in-place node under create_graph)
        d = g - _dot(ctx.xp, g, out, ctx.dim)
        d *= out
        return d, None


def log_softmax_array(x, dim):
    """``log_softmax`` of an array: each slice shifted by its own maximum."""
    xp = array_module(x)
    xw = widened(x)
    out = xw - xw.max(axis=dim, keepdims=True)
    out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
    return narrowed(out, x.dtype)


class LogSoftmax(Primitive):
    _name = "LogSoftmaxBackward0"
    __slots__ = ("dim",)

    def forward(ctx, x, dim):
        ctx.dim = dim
        out = log_softmax_array(x, dim)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # NOTE: d log_softmax = g - softmax * sum(g): softmax is exp(out), recomputed, not kept
        xp = ctx.xp
        # NOTE: g + exp(out) * -sum(g) is g - exp(out) * sum(g) exactly; in one buffer on arrays
        soft = reuse(mul, xp.exp(out), -_uniform(xp.sum(g, axis=ctx.dim, keepdims=True)))
        return reuse(add, soft, g), None
