"""Convolution on arrays: im2col convolution, its adjoint and its weight gradient.

A convolution is one matrix product over an im2col copy of the zero-padded input: a strided
window view (no copy) laid out as ``(groups, C/groups * K, N * L)`` (one copy, the layer's one
im2col buffer), multiplied by the weight as ``(groups, O/groups, C/groups * K)``. Its three
linear maps call each other in their derivatives:

* ``Convolution(x, w)``: the layer; input gradient = ``ConvTranspose(g, w)``, weight gradient =
  ``ConvWeight(x, g)`` (computed from the forward's im2col buffer, which the node keeps).
* ``ConvTranspose(x, w)``: the adjoint in ``x`` (col2im), also ``nn.ConvTranspose*d``.
* ``ConvWeight(x, g)``: the weight gradient, an op so that double backward differentiates it.

col2im runs one small matrix product per kernel offset, adding into a strided slice of the
result, so a backward pass never holds a second im2col-sized buffer.

Spatial arguments are tuples with one entry per spatial dimension; ``pads`` holds a
``(before, after)`` pair per dimension, so 'same' padding with an even kernel needs no copy.
"""

from __future__ import annotations

import itertools
import math

from ..._backend import array_module
from ...autograd.function import KEPT, Primitive
from ..shape import linear

__all__ = []
METHODS = {}


def out_length(n: int, k: int, stride: int, lo: int, hi: int, dilation: int) -> int:
    return (n + lo + hi - dilation * (k - 1) - 1) // stride + 1


def pad_zeros(xp, x, pads, value=0):
    """``x`` with its trailing ``len(pads)`` dims padded by ``(lo, hi)`` (a copy only if needed)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[lead:], pads))
    out = xp.full(shape, value, x.dtype) if value else xp.zeros(shape, x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], pads))] = x
    return out


def windows(xp, x, ksize, stride, dilation, outs):
    """The ``(N, C, *outs, *ksize)`` strided view of every window of an (already padded) x."""
    st = x.strides
    nd = len(ksize)
    shape = x.shape[:2] + tuple(outs) + tuple(ksize)
    strides = (
        st[:2]
        + tuple(st[2 + i] * stride[i] for i in range(nd))
        + tuple(st[2 + i] * dilation[i] for i in range(nd))
    )
    return xp.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def out_shape(spatial, ksize, stride, pads, dilation):
    return tuple(
        out_length(n, k, s, lo, hi, d)
        for n, k, s, (lo, hi), d in zip(spatial, ksize, stride, pads, dilation)
    )


def im2col(xp, x, ksize, stride, pads, dilation, groups):
    """The ``(groups, C/groups * K, N * L)`` columns of ``x`` and the output's spatial shape."""
    xpad = pad_zeros(xp, x, pads)
    outs = out_shape(x.shape[2:], ksize, stride, pads, dilation)
    nd = len(ksize)
    win = windows(xp, xpad, ksize, stride, dilation, outs)
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    cols = win.transpose(perm).reshape(groups, -1, x.shape[0] * math.prod(outs))
    return cols, outs


def _grouped_grad(g, groups):
    """``g`` of shape ``(N, O, *outs)`` as ``(groups, O/groups, N * L)``."""
    return g.swapaxes(0, 1).reshape(groups, g.shape[1] // groups, -1)


def conv_forward(xp, x, w, b, stride, pads, dilation, groups):
    """``(out, cols)``: the convolution of ``x`` with ``w`` (plus ``b``) and its im2col buffer."""
    n, o = x.shape[0], w.shape[0]
    cols, outs = im2col(xp, x, w.shape[2:], stride, pads, dilation, groups)
    prod = xp.matmul(w.reshape(groups, o // groups, -1), cols).reshape((o, n) + outs)
    out = xp.empty((n, o) + outs, x.dtype)
    if b is None:
        out[...] = prod.swapaxes(0, 1)
    else:
        xp.add(prod.swapaxes(0, 1), b.reshape((1, o) + (1,) * len(outs)), out=out)
    return out, cols


def conv_weight_from_cols(xp, cols, g, wshape, groups):
    return xp.matmul(_grouped_grad(g, groups), cols.swapaxes(1, 2)).reshape(wshape)


def col2im(xp, g, w, in_spatial, stride, pads, dilation, groups):
    """The adjoint of the convolution in its input: ``(N, C, *in_spatial)`` from ``g``."""
    n, o = g.shape[:2]
    outs, ks = g.shape[2:], w.shape[2:]
    cg = w.shape[1]
    g2 = _grouped_grad(g, groups)
    wt = w.reshape(groups, o // groups, cg, -1)
    full = tuple(
        max(s + lo + hi, (m - 1) * st + d * (k - 1) + 1)
        for s, (lo, hi), m, st, d, k in zip(in_spatial, pads, outs, stride, dilation, ks)
    )
    dx = xp.zeros((cg * groups, n) + full, g.dtype)
    for k, offset in enumerate(itertools.product(*(range(k) for k in ks))):
        part = xp.matmul(wt[..., k].swapaxes(1, 2), g2).reshape(dx.shape[:2] + outs)
        where = tuple(
            slice(i * d, i * d + (m - 1) * st + 1, st)
            for i, d, m, st in zip(offset, dilation, outs, stride)
        )
        dx[(slice(None), slice(None)) + where] += part
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(in_spatial, pads))
    return dx[(slice(None), slice(None)) + crop].swapaxes(0, 1)


def _bias_grad(xp, g):
    return xp.sum(g, axis=(0,) + tuple(range(2, g.ndim)))


# PyTorch's name for every node a convolution's backward records under create_graph
_DOUBLE = "ConvolutionBackwardBackward0"


class Convolution(Primitive):
    _name = "ConvolutionBackward0"
    __slots__ = ("cfg", "in_spatial")
    _save_at = (0, 1, KEPT)  # x, w and the im2col columns of x

    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        xp = array_module(x)
        out, cols = conv_forward(xp, x, w, b, stride, pads, dilation, groups)
        ctx.cfg = (stride, pads, dilation, groups)
        ctx.in_spatial = x.shape[2:]
        ctx.save_for_backward(x, w, cols)
        return out

    def backward(ctx, g):
        x, w, cols = ctx.saved_tensors
        n = ctx.needs_input_grad
        cfg = ctx.cfg
        # NOTE: the weight gradient reads the forward's columns of x, as an op of (x, g): under
        # create_graph its node differentiates them in x
        back = ConvTranspose.named(_DOUBLE)
        gx = linear(ctx, back, g, w, None, *cfg, ctx.in_spatial) if n[0] else None
        gw = linear(ctx, ConvWeight, x, g, tuple(w.shape), *cfg, cols) if n[1] else None
        return gx, gw, _bias_grad(ctx.xp, g) if n[2] else None, None, None, None, None


class ConvTranspose(Primitive):
    """The adjoint of ``Convolution`` in its input, producing ``out_spatial``."""

    _name = "ConvolutionBackward0"
    __slots__ = ("cfg",)
    _save_at = (0, 1)

    def forward(ctx, x, w, b, stride, pads, dilation, groups, out_spatial):
        xp = array_module(x)
        ctx.cfg = (stride, pads, dilation, groups)
        ctx.save_for_backward(x, w)
        dx = col2im(xp, x, w, out_spatial, stride, pads, dilation, groups)
        out = xp.empty(dx.shape, x.dtype)
        if b is None:
            out[...] = dx
        else:
            xp.add(dx, b.reshape((1, -1) + (1,) * (x.ndim - 2)), out=out)
        return out

    def backward(ctx, h):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        cfg = ctx.cfg
        crop = (Ellipsis,) + tuple(slice(0, s) for s in x.shape[2:])
        gx = linear(ctx, Convolution.named(_DOUBLE), h, w, None, *cfg)[crop] if n[0] else None
        gw = linear(ctx, ConvWeight, h, x, tuple(w.shape), *cfg) if n[1] else None
        return gx, gw, _bias_grad(ctx.xp, h) if n[2] else None, None, None, None, None, None


class ConvWeight(Primitive):
    """The weight gradient of a convolution as an op of ``(x, g)`` (for double backward);
    ``cols``, where given, are the im2col columns of ``x`` that the forward already made."""

    _name = _DOUBLE
    __slots__ = ("cfg",)
    _save_at = (0, 1)

    def forward(ctx, x, g, wshape, stride, pads, dilation, groups, cols=None):
        xp = array_module(x)
        ctx.cfg = (stride, pads, dilation, groups)
        ctx.save_for_backward(x, g)
        if cols is None:
            cols, _ = im2col(xp, x, wshape[2:], stride, pads, dilation, groups)
        return conv_weight_from_cols(xp, cols, g, wshape, groups)

    def backward(ctx, h):
        x, g = ctx.saved_tensors
        n = ctx.needs_input_grad
        cfg = ctx.cfg
        gx = linear(ctx, ConvTranspose, g, h, None, *cfg, tuple(x.shape[2:])) if n[0] else None
        gg = linear(ctx, Convolution, x, h, None, *cfg) if n[1] else None
        return gx, gg, None, None, None, None, None, None


def unfold_array(xp, x, ksize, stride, pads, dilation):
    """``(N, C * K, L)`` sliding blocks of a ``(N, C, *spatial)`` array (``F.unfold``)."""
    xpad = pad_zeros(xp, x, pads)
    outs = out_shape(x.shape[2:], ksize, stride, pads, dilation)
    nd = len(ksize)
    win = windows(xp, xpad, ksize, stride, dilation, outs)
    perm = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    return win.transpose(perm).reshape(x.shape[0], -1, math.prod(outs))


def fold_array(xp, cols, spatial, ksize, stride, pads, dilation):
    """The adjoint of ``unfold_array``: sums the blocks back into ``(N, C, *spatial)``."""
    n, ck, _ = cols.shape
    kk = math.prod(ksize)
    outs = out_shape(spatial, ksize, stride, pads, dilation)
    c = ck // kk
    blocks = cols.reshape((n, c, kk) + outs)
    full = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, pads))
    out = xp.zeros((n, c) + full, cols.dtype)
    for k, offset in enumerate(itertools.product(*(range(k) for k in ksize))):
        where = tuple(
            slice(i * d, i * d + (m - 1) * st + 1, st)
            for i, d, m, st in zip(offset, dilation, outs, stride)
        )
        out[(slice(None), slice(None)) + where] += blocks[:, :, k]
    return out[
        (slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(spatial, pads))
    ]


class Unfold(Primitive):
    _name = "Im2ColBackward0"
    __slots__ = ("cfg", "spatial")

    def forward(ctx, x, ksize, stride, pads, dilation):
        ctx.cfg = (ksize, stride, pads, dilation)
        ctx.spatial = x.shape[2:]
        return unfold_array(array_module(x), x, ksize, stride, pads, dilation)

    def backward(ctx, g):
        return (linear(ctx, Fold, g, ctx.spatial, *ctx.cfg),) + (None,) * 4


class Fold(Primitive):
    _name = "Col2ImBackward0"
    __slots__ = ("cfg",)

    def forward(ctx, cols, spatial, ksize, stride, pads, dilation):
        ctx.cfg = (ksize, stride, pads, dilation)
        return fold_array(array_module(cols), cols, spatial, ksize, stride, pads, dilation)

    def backward(ctx, g):
        return (linear(ctx, Unfold, g, *ctx.cfg),) + (None,) * 5
