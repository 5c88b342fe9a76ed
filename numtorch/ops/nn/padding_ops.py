"""Padding primitives on the trailing dimensions (``F.pad``'s four modes).

Constant padding (negative amounts crop) is its own adjoint with the amounts negated. The
other modes pick, along each padded dimension, a source index for every output position
(reflect, replicate and circular are index maps, separable per dimension), so their
gradient scatters back along the same indices.
"""

from __future__ import annotations

from ..._backend import array_module
from ...autograd.function import Primitive
from ..shape import linear

__all__ = []
METHODS = {}

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def constant_pad(xp, x, pads, value):
    """``x`` with its trailing dims padded by ``pads`` ((lo, hi) pairs, negative = crop)."""
    lead = x.ndim - len(pads)
    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape[lead:], pads))
    x = x[(Ellipsis,) + crop]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    if not any(lo or hi for lo, hi in grow):
        return x.copy()
    shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[lead:], grow))
    out = xp.full(shape, value, x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], grow))] = x
    return out


class ConstantPad(Primitive):
    _name = "ConstantPadNdBackward0"
    __slots__ = ("pads",)

    def forward(ctx, x, pads, value):
        ctx.pads = pads
        return constant_pad(array_module(x), x, pads, value)

    def backward(ctx, g):
        back = tuple((-lo, -hi) for lo, hi in ctx.pads)
        return linear(ctx, ConstantPad, g, back, 0), None, None


def source_indices(xp, shape, pads, mode):
    """For each padded trailing dim, the input index every output position reads."""
    np_mode = _NP_MODE[mode]
    lead = len(shape) - len(pads)
    return tuple(
        xp.pad(xp.arange(n), (lo, hi), mode=np_mode) for n, (lo, hi) in zip(shape[lead:], pads)
    )


def gather_dims(xp, x, srcs):
    lead = x.ndim - len(srcs)
    for i, src in enumerate(srcs):
        x = xp.take(x, src, axis=lead + i)
    return x


def scatter_dims(xp, g, srcs, spatial):
    lead = g.ndim - len(srcs)
    for i, (src, n) in enumerate(zip(srcs, spatial)):
        moved = xp.moveaxis(g, lead + i, 0)
        out = xp.zeros((n,) + moved.shape[1:], g.dtype)
        xp.add.at(out, src, moved)
        g = xp.moveaxis(out, 0, lead + i)
    return g


class IndexPad(Primitive):
    """Reflect / replicate / circular padding as a gather along each trailing dim."""

    _name = "IndexPadBackward0"  # the padding functions show PyTorch's name for each mode
    __slots__ = ("srcs", "spatial")

    def forward(ctx, x, srcs):
        ctx.srcs = srcs
        ctx.spatial = x.shape[x.ndim - len(srcs) :]
        return gather_dims(array_module(x), x, srcs)

    def backward(ctx, g):
        return linear(ctx, IndexPadBackward, g, ctx.srcs, ctx.spatial), None


class IndexPadBackward(Primitive):
    __slots__ = ("srcs",)
    _name = "IndexPadBackwardBackward0"

    def forward(ctx, g, srcs, spatial):
        ctx.srcs = srcs
        return scatter_dims(array_module(g), g, srcs, spatial)

    def backward(ctx, h):
        return linear(ctx, IndexPad, h, ctx.srcs), None, None
