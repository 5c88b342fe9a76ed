"""Fused normalisation primitives with analytic gradients (batch / instance / group norm).

``Normalize`` standardises ``x`` over ``axes`` with statistics of the batch itself and applies
a per-channel affine map (channels on axis 1); ``NormalizeStats`` uses given statistics (a
batch norm in eval mode), which makes it an affine map of ``x``. Both backward formulas are
written with ``ctx.xp``, so they run on arrays, and on Tensors for double backward, where the
statistics are recomputed from ``x`` so that their own dependence on ``x`` is differentiated.
"""

from __future__ import annotations

from ..._backend import array_module, narrowed
from ...autograd.function import Primitive

__all__ = []
METHODS = {}


def channel_shape(ndim: int, c: int) -> tuple:
    return (1, c) + (1,) * (ndim - 2)


def batch_stats(xp, x, axes):
    """``(mean, biased var)`` of ``x`` over ``axes``, kept as broadcastable dims."""
    mean = xp.mean(x, axis=axes, keepdims=True)
    d = x - mean
    return mean, xp.mean(d * d, axis=axes, keepdims=True)


class Normalize(Primitive):
    """``(x - mean) / sqrt(var + eps) * w + b`` with the batch's own ``mean`` and ``var``."""

    _name = "NativeBatchNormBackward0"
    __slots__ = ("axes", "eps")
    _save_at = (0, 1, "_invstd", "_xhat")  # the statistics recomputed from x under create_graph

    def _invstd(ctx, x, w):
        return 1.0 / ctx.xp.sqrt(batch_stats(ctx.xp, x, ctx.axes)[1] + ctx.eps)

    def _xhat(ctx, x, w, invstd):
        return (x - ctx.xp.mean(x, axis=ctx.axes, keepdims=True)) * invstd

    def forward(ctx, x, w, b, mean, var, eps, axes):
        xp = array_module(x)
        ctx.axes, ctx.eps = axes, eps
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat = (x - mean) * invstd  # in float32 for bfloat16 (its statistics are)
        ctx.save_for_backward(x, w, narrowed(invstd, x.dtype), narrowed(xhat, x.dtype))
        if w is None and b is None:
            return narrowed(xhat, x.dtype)
        shape = channel_shape(x.ndim, x.shape[1])
        out = xhat * w.reshape(shape) if w is not None else xhat.copy()
        if b is not None:
            out += b.reshape(shape)
        return narrowed(out, x.dtype)

    def backward(ctx, g):
        x, w, invstd, xhat = ctx.saved_tensors
        xp, axes = ctx.xp, ctx.axes
        n = ctx.needs_input_grad
        param_axes = tuple(a for a in range(g.ndim) if a != 1)
        shape = channel_shape(g.ndim, g.shape[1])
        gw = xp.sum(g * xhat, axis=param_axes) if n[1] else None
        gb = xp.sum(g, axis=param_axes) if n[2] else None
        gx = None
        if n[0]:
            if w is not None:
                g = g * xp.reshape(w, shape)
            # NOTE: d/dx of the standardised value: g minus its mean and its projection on xhat
            gmean = xp.mean(g, axis=axes, keepdims=True)
            gxhat = xp.mean(g * xhat, axis=axes, keepdims=True)
            gx = (g - gmean - xhat * gxhat) * invstd
        return gx, gw, gb, None, None, None, None


class NormalizeStats(Primitive):
    """``(x - mean) / sqrt(var + eps) * w + b`` with fixed (running) ``mean`` and ``var``."""

    _name = "NativeBatchNormBackward0"
    __slots__ = ("mean", "invstd")
    _save_at = (0, 1, "_scale")  # x, w and invstd * w (rebuilt from w under create_graph)

    def _scale(ctx, x, w):
        invstd = ctx.xp.asarray(ctx.invstd)
        return invstd if w is None else invstd * ctx.xp.reshape(w, invstd.shape)

    def forward(ctx, x, w, b, mean, var, eps):
        xp = array_module(x)
        shape = channel_shape(x.ndim, x.shape[1])
        invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False).reshape(shape)
        mean = mean.astype(x.dtype, copy=False).reshape(shape)
        scale = invstd if w is None else invstd * w.reshape(shape)
        ctx.mean, ctx.invstd = mean, invstd
        ctx.save_for_backward(x, w, scale)
        out = x * scale
        out -= mean * scale
        if b is not None:
            out += b.reshape(shape)
        return out

    def backward(ctx, g):
        x, w, scale = ctx.saved_tensors
        xp = ctx.xp
        n = ctx.needs_input_grad
        axes = tuple(a for a in range(g.ndim) if a != 1)
        mean, invstd = xp.asarray(ctx.mean), xp.asarray(ctx.invstd)
        gx = g * scale if n[0] else None
        gw = xp.sum(g * (x - mean) * invstd, axis=axes) if n[1] else None
        gb = xp.sum(g, axis=axes) if n[2] else None
        return gx, gw, gb, None, None, None
