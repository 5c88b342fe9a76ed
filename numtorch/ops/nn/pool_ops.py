"""Pooling primitives on arrays: max (with indices), average, and separable linear maps.

Both poolings scan the window one kernel offset at a time: each offset is a strided slice of
the (padded) input, so a max is a chain of elementwise ``maximum`` calls and a sum a chain of
adds over output-sized arrays, with no copy of every window (windows larger than
``SEQ_LIMIT`` are gathered and reduced instead). Max pooling keeps the offset of each
window's max (PyTorch's first maximum, or last NaN); its indices address each ``(N, C)``
plane of the unpadded input (``h * W + w``), and its gradient writes ``g`` back at the maxima
(the scatter ``ScatterPlane``, offset by offset where the offsets are known; its own gradient
is the gather ``GatherPlane``; max-unpooling is the same scatter). Average pooling divides by
a separable divisor; its adjoint spreads ``g / divisor`` back over each kernel offset. Adaptive
average pooling is a separable linear map: one small matrix per spatial dimension
(``Separable``).
"""

from __future__ import annotations

import itertools
import math

from ..._backend import array_module, kind_of, narrowed, widened
from ...autograd.function import Primitive
from ..shape import linear
from .conv_ops import pad_zeros, windows

__all__ = []
METHODS = {}


def pool_geometry(spatial, ksize, stride, padding, dilation, ceil_mode):
    """Output sizes and the ``(lo, hi)`` padding that makes every window fit."""
    outs, pads = [], []
    for n, k, s, p, d in zip(spatial, ksize, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1  # the last window must start inside the input or its left padding
        outs.append(o)
        pads.append((p, max((o - 1) * s + d * (k - 1) + 1 - n - p, 0)))
    return tuple(outs), tuple(pads)


def double_name(ctx, kind):
    """PyTorch's name for the node a pooling's backward records under create_graph: its own
    name's, or for batched 1-D pooling (shown as a squeeze) the 2-D kernel's ``kind``."""
    own = type(ctx).__name__
    if own.startswith("Squeeze"):
        own = f"{kind[0]}2D{kind[1]}Backward0"
    return own.replace("Backward0", "BackwardBackward0")


def _lowest(xp, dtype):
    return -xp.inf if kind_of(dtype) == "f" else xp.iinfo(dtype).min


# Windows of up to this many elements are reduced one kernel offset at a time: each offset is
# a strided slice of the (padded) input, so the max is a chain of elementwise ``maximum`` calls
# over output-sized arrays. Larger windows gather a copy of every window and reduce it instead.
SEQ_LIMIT = 64


def offset_slices(ksize, stride, dilation, outs):
    """For each kernel offset (row-major), the strided slice of the padded input it reads."""
    return [
        (Ellipsis,)
        + tuple(
            slice(a * d, a * d + (o - 1) * s + 1, s)
            for a, d, o, s in zip(off, dilation, outs, stride)
        )
        for off in itertools.product(*(range(k) for k in ksize))
    ]


def _positions(xp, spatial, ksize, stride, padding, dilation, outs, which):
    """Flat ``h * W + w`` input positions of window offsets ``which`` (PyTorch's indices)."""
    nd = len(ksize)
    base, table = 0, 0
    offsets = xp.array(list(itertools.product(*(range(k) for k in ksize)))).reshape(-1, nd)
    for i in range(nd):
        o = xp.arange(outs[i]).reshape((outs[i],) + (1,) * (nd - 1 - i))
        base = base * spatial[i] + (o * stride[i] - padding[i])
        table = table * spatial[i] + offsets[:, i] * dilation[i]
    return base + xp.take(table.astype(xp.int64), which)


def _first_max(xp, views, values):
    """The window offset of each max: the first one equal to it, or the last NaN (PyTorch's
    ``val > maxval || isnan(val)`` scan)."""
    kind = xp.uint8 if len(views) <= 256 else xp.int64
    found = views[0] == values
    which = xp.zeros(values.shape, kind)
    for j in range(1, len(views)):
        hit = views[j] == values
        xp.greater(hit, found, out=hit)  # equal here and not before
        found |= hit
        which += hit * kind(j)
    if kind_of(values.dtype) == "f" and xp.isnan(values).any():
        nan = xp.isnan(values)
        for j, v in enumerate(views):
            xp.copyto(which, kind(j), where=xp.isnan(v) & nan)
    return which


def max_pool_offsets(xp, x, ksize, stride, padding, dilation, outs, pads):
    """``(values, which)``: the max of each window and its offset, one kernel offset at a time."""
    xpad = pad_zeros(xp, x, pads, _lowest(xp, x.dtype))
    views = [xpad[s] for s in offset_slices(ksize, stride, dilation, outs)]
    values = views[0].copy()
    for v in views[1:]:
        xp.maximum(values, v, out=values)
    return values, _first_max(xp, views, values)


def max_pool_windows(xp, x, ksize, stride, padding, dilation, outs, pads):
    """``(values, flat window offsets)`` of max pooling from a copy of every window."""
    nd = len(ksize)
    xpad = pad_zeros(xp, x, pads, _lowest(xp, x.dtype))
    win = windows(xp, xpad, ksize, stride, dilation, outs)
    flat = win.reshape(win.shape[: 2 + nd] + (-1,))
    arg = flat.argmax(axis=-1)
    values = xp.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    if kind_of(values.dtype) == "f" and xp.isnan(values).any():
        # NOTE: argmax picks the first NaN, PyTorch's scan the last
        last = flat.shape[-1] - 1 - xp.isnan(flat[..., ::-1]).argmax(axis=-1)
        arg = xp.where(xp.isnan(values), last, arg)
    return values, arg


def max_pool(xp, x, ksize, stride, padding, dilation, ceil_mode):
    """``(values, indices, which)`` of max pooling ``(N, C, *spatial)``; ``which`` is the window
    offset of each max, or None where the windows were too large to scan offset by offset."""
    spatial = x.shape[2:]
    outs, pads = pool_geometry(spatial, ksize, stride, padding, dilation, ceil_mode)
    if math.prod(ksize) <= SEQ_LIMIT:
        values, which = max_pool_offsets(xp, x, ksize, stride, padding, dilation, outs, pads)
        idx = _positions(xp, spatial, ksize, stride, padding, dilation, outs, which)
        return values, idx, which
    values, arg = max_pool_windows(xp, x, ksize, stride, padding, dilation, outs, pads)
    return values, _positions(xp, spatial, ksize, stride, padding, dilation, outs, arg), None


def max_pool_adjoint(xp, g, which, cfg, spatial):
    """The gradient of offset-scanned max pooling: ``g`` written back at each window's max."""
    ksize, stride, dilation, outs, pads = cfg
    full = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
    gx = xp.zeros(g.shape[:2] + full, g.dtype)
    # windows that never overlap are written directly; overlapping ones accumulate
    disjoint = all(s >= (k - 1) * d + 1 for k, s, d in zip(ksize, stride, dilation))
    for j, sl in enumerate(offset_slices(ksize, stride, dilation, outs)):
        if disjoint:
            xp.multiply(g, which == j, out=gx[sl])
        else:
            gx[sl] += g * (which == j)
    if not any(lo or hi for lo, hi in pads):
        return gx
    return gx[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(spatial, pads))]


def gather_plane(xp, x, idx):
    n, c = x.shape[:2]
    flat = x.reshape(n, c, -1)
    return xp.take_along_axis(flat, idx.reshape(n, c, -1), axis=2).reshape(idx.shape)


def scatter_plane(xp, g, idx, spatial):
    """The adjoint of ``gather_plane``: sums ``g`` into zeros of shape ``(N, C, *spatial)``."""
    n, c = g.shape[:2]
    size = math.prod(spatial)
    base = xp.arange(n * c).reshape(n, c, *(1,) * (idx.ndim - 2)) * size
    out = xp.bincount((idx + base).ravel(), weights=g.ravel(), minlength=n * c * size)
    return out.astype(g.dtype, copy=False).reshape((n, c) + tuple(spatial))


class GatherPlane(Primitive):
    _name = "GatherBackward0"
    __slots__ = ("idx", "spatial")

    def forward(ctx, x, idx):
        ctx.idx, ctx.spatial = idx, x.shape[2:]
        return gather_plane(array_module(x), x, idx)

    def backward(ctx, g):
        return linear(ctx, ScatterPlane, g, ctx.idx, ctx.spatial), None


class ScatterPlane(Primitive):
    """``g`` summed into zeros of shape ``(N, C, *spatial)`` at ``idx``; ``which`` and ``cfg``,
    where given, are max pooling's window offsets of ``idx`` (the same map, written offset by
    offset without a scatter)."""

    _name = "MaxUnpool2DBackward0"
    __slots__ = ("idx",)

    def forward(ctx, g, idx, spatial, which=None, cfg=None):
        ctx.idx = idx
        xp = array_module(g)
        if which is not None:
            return max_pool_adjoint(xp, g, which, cfg, spatial)
        return scatter_plane(xp, g, idx, spatial)

    def backward(ctx, h):
        return linear(ctx, GatherPlane, h, ctx.idx), None, None, None, None


class MaxPool(Primitive):
    """Max pooling; returns ``(values, indices)``."""

    __slots__ = ("idx", "spatial", "which", "cfg")

    def forward(ctx, x, ksize, stride, padding, dilation, ceil_mode):
        xp = array_module(x)
        values, idx, which = max_pool(xp, x, ksize, stride, padding, dilation, ceil_mode)
        ctx.idx, ctx.spatial, ctx.which, ctx.cfg = idx, x.shape[2:], which, None
        if which is not None:
            outs, pads = pool_geometry(x.shape[2:], ksize, stride, padding, dilation, ceil_mode)
            ctx.cfg = (ksize, stride, dilation, outs, pads)
        return values, idx

    def backward(ctx, g, _):
        back = ScatterPlane.named(double_name(ctx, ("MaxPool", "WithIndices")))
        gx = linear(ctx, back, g, ctx.idx, ctx.spatial, ctx.which, ctx.cfg)
        return gx, None, None, None, None, None


# --- average pooling --------------------------------------------------------------------------
def avg_divisor(xp, dtype, spatial, ksize, stride, padding, outs, count_include_pad):
    """The separable ``(*outs)`` array each window's sum is divided by."""
    div = None
    for i, (n, k, s, p, o) in enumerate(zip(spatial, ksize, stride, padding, outs)):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        size = end - start if count_include_pad else (xp.minimum(end, n) - xp.maximum(start, 0))
        size = size.astype(dtype).reshape((o,) + (1,) * (len(outs) - 1 - i))
        div = size if div is None else div * size
    return div


def avg_pool_windows(xp, x, ksize, stride, pads, outs):
    """The sum of each window, in PyTorch's row-major order."""
    ones = (1,) * len(ksize)
    xpad = pad_zeros(xp, x, pads)
    if math.prod(ksize) <= SEQ_LIMIT:
        views = [xpad[s] for s in offset_slices(ksize, stride, ones, outs)]
        out = views[0].copy()
        for v in views[1:]:
            out += v
        return out
    win = windows(xp, xpad, ksize, stride, ones, outs)
    return win.sum(axis=tuple(range(-len(ksize), 0)))


class AvgPool(Primitive):
    """Average pooling over windows of the ``pads``-padded input; ``div`` is the divisor
    (a number or an array broadcasting to the output's spatial shape)."""

    __slots__ = ("cfg", "spatial")

    def forward(ctx, x, ksize, stride, pads, outs, div):
        ctx.cfg, ctx.spatial = (ksize, stride, pads, outs, div), x.shape[2:]
        xp = array_module(x)
        out = avg_pool_windows(xp, widened(x), ksize, stride, pads, outs)
        if out.dtype.kind == "i":  # int64: C's division, toward zero, as PyTorch's kernel
            return xp.sign(out) * (xp.abs(out) // div)
        out /= div
        return narrowed(out, x.dtype)

    def backward(ctx, g):
        back = AvgPoolAdjoint.named(double_name(ctx, ("AvgPool", "")))
        return (linear(ctx, back, g, ctx.cfg, ctx.spatial),) + (None,) * 5


def avg_pool_adjoint(xp, g, cfg, spatial):
    ksize, stride, pads, outs, div = cfg
    gd = g / div
    full = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
    out = xp.zeros(g.shape[:2] + full, g.dtype)
    disjoint = all(s >= k for k, s in zip(ksize, stride))
    for sl in offset_slices(ksize, stride, (1,) * len(ksize), outs):
        if disjoint:
            out[sl] = gd
        else:
            out[sl] += gd
    if not any(lo or hi for lo, hi in pads):
        return out
    return out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(spatial, pads))]


class AvgPoolAdjoint(Primitive):
    __slots__ = ("cfg",)
    _name = "AvgPoolBackwardBackward0"

    def forward(ctx, g, cfg, spatial):
        ctx.cfg = cfg
        return avg_pool_adjoint(array_module(g), g, cfg, spatial)

    def backward(ctx, h):
        avg = AvgPool.named(f"AvgPool{len(ctx.cfg[0])}DBackward0")
        return linear(ctx, avg, h, *ctx.cfg), None, None


# --- separable linear maps (adaptive average pooling, interpolation) ---------------------------
def apply_mats(xp, x, mats, transpose=False):
    """``x`` with each trailing dim ``i`` mapped by matrix ``mats[i]`` (``(out, in)``)."""
    lead = x.ndim - len(mats)
    for i, m in enumerate(mats):
        if m is None:
            continue
        m = m.T if transpose else m
        ax = lead + i
        x = xp.moveaxis(xp.matmul(xp.moveaxis(x, ax, -1), m.T), -1, ax)
    return x


class Separable(Primitive):
    __slots__ = ("mats", "transpose", "kind")

    def forward(ctx, x, mats, transpose, kind):
        ctx.mats, ctx.transpose, ctx.kind = mats, transpose, kind
        xp = array_module(x)
        # NOTE: NumPy multiplies ml_dtypes' bfloat16 matrices in float32
        return xp.ascontiguousarray(apply_mats(xp, x, mats, transpose), dtype=x.dtype)

    def backward(ctx, g):
        back = Separable.named(ctx.kind)
        return linear(ctx, back, g, ctx.mats, not ctx.transpose, ctx.kind), None, None, None


def adaptive_ranges(n: int, o: int):
    """PyTorch's adaptive window ``[start, end)`` for each of ``o`` outputs over ``n`` inputs."""
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def adaptive_avg_matrix(xp, n, o, dtype):
    m = xp.zeros((o, n), dtype)
    for i, (a, b) in enumerate(adaptive_ranges(n, o)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def adaptive_max_pool(xp, x, outs):
    """``(values, indices)`` of adaptive max pooling: every window gathered to a common width
    (the last element repeated, which leaves the max unchanged), then reduced."""
    nd = len(outs)
    spatial = x.shape[2:]
    idx_per_dim = []
    g = x
    for i, (n, o) in enumerate(zip(spatial, outs)):
        ranges = adaptive_ranges(n, o)
        width = max(b - a for a, b in ranges)
        idx = xp.array([[min(a + j, b - 1) for j in range(width)] for a, b in ranges])
        idx_per_dim.append(idx)
        g = xp.take(g, idx.ravel(), axis=2 + 2 * i).reshape(
            g.shape[: 2 + 2 * i] + (o, width) + g.shape[3 + 2 * i :]
        )
    # g: (N, C, o1, w1, o2, w2, ...) -> (N, C, o1, o2, ..., w1 * w2 * ...)
    perm = (0, 1) + tuple(2 + 2 * i for i in range(nd)) + tuple(3 + 2 * i for i in range(nd))
    g = g.transpose(perm)
    widths = g.shape[2 + nd :]
    flat = g.reshape(g.shape[: 2 + nd] + (-1,))
    arg = flat.argmax(axis=-1)
    values = xp.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    kidx = xp.unravel_index(arg, widths)
    pos = 0
    for i in range(nd):
        rows = xp.arange(outs[i]).reshape((outs[i],) + (1,) * (nd - 1 - i))
        pos = pos * spatial[i] + idx_per_dim[i][rows, kidx[i]]
    return values, pos.astype(xp.int64)
