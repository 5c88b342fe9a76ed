"""Resampling primitives: ``F.interpolate``'s nearest, linear and cubic modes, separably.

Each resized dimension is a sparse linear map given by *taps*: for every output position, the
input indices it reads and their weights (one tap for nearest, two for linear, four for
cubic). ``Resample`` applies the map of every dimension in turn, ``ResampleAdjoint`` its
transpose. A map runs as small dense matrix products over the narrow input window each block
of outputs reads (``AxisMap``); where that does not pay, as gathers and weighted sums, whose
adjoint is a segment sum (``add.reduceat``: the indices of a tap never decrease).

Indices and weights follow PyTorch's CPU kernels exactly: the scale is ``1 / scale_factor``
when a factor is given (and positive), else ``in / out``; linear and cubic source positions
are ``scale * (i + 0.5) - 0.5`` (``scale * i`` with ``align_corners``), computed in the
input's precision; nearest indices ``floor(i * scale)`` are computed in single precision.
"""

from __future__ import annotations

import math

from ..._backend import array_module
from ...autograd.function import Primitive, linear

__all__ = []
METHODS = {}

_CUBIC_A = -0.75  # the cubic convolution constant PyTorch (and OpenCV) use


def _opmath(xp, dtype):
    """The precision PyTorch computes positions and weights in for ``dtype``."""
    return xp.result_type(dtype, xp.float32)


def _source_scale(xp, n_in, n_out, align_corners, scale, dt):
    if align_corners:
        return dt.type(n_in - 1) / dt.type(n_out - 1) if n_out > 1 else dt.type(0)
    if scale is not None and scale > 0:
        return dt.type(1.0 / scale)
    return dt.type(n_in) / dt.type(n_out)


def nearest_taps(xp, n_in, n_out, scale, exact, shortcuts=False):
    """The single tap ``[(idx, None)]`` of nearest resizing (None: the identity).

    ``shortcuts``: PyTorch's 2-d kernel copies equal sizes and halves the index for a doubled
    size whatever the scale factor says; its 1-d and 3-d kernels always apply the scale.
    """
    i = xp.arange(n_out)
    if shortcuts and not exact and n_out == n_in:
        return None
    if shortcuts and not exact and n_out == 2 * n_in:
        return [(i >> 1, None)]
    f32 = xp.float32
    s = f32(1.0 / scale) if scale is not None and scale > 0 else f32(n_in) / f32(n_out)
    if exact:
        # NOTE: ``(i + 0.5) * scale`` is a double product rounded to single before the floor
        src = ((i + 0.5) * float(s)).astype(f32)
    else:
        src = i.astype(f32) * s
    return [(xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1), None)]


def _guard(xp, real, n_in):
    """``(floor index clipped to the input, fraction in [0, 1])``."""
    idx = xp.minimum(xp.floor(real).astype(xp.int64), n_in - 1)
    lam = xp.clip(real - idx.astype(real.dtype), 0, 1)
    return idx, lam


def linear_taps(xp, n_in, n_out, align_corners, scale, dtype):
    """The two taps ``[(i0, w0), (i1, w1)]`` of linear resizing (None: the identity)."""
    if n_out == n_in:
        return None
    dt = _opmath(xp, dtype)
    s = _source_scale(xp, n_in, n_out, align_corners, scale, dt)
    i = xp.arange(n_out).astype(dt)
    real = s * i if align_corners else xp.maximum(s * (i + dt.type(0.5)) - dt.type(0.5), 0)
    i0, lam1 = _guard(xp, real, n_in)
    i1 = i0 + (i0 < n_in - 1)
    return [(i0, (1 - lam1).astype(dtype)), (i1, lam1.astype(dtype))]


def cubic_taps(xp, n_in, n_out, align_corners, scale, dtype):
    """The four taps of cubic convolution resizing, indices clamped to the border."""
    dt = _opmath(xp, dtype)
    s = _source_scale(xp, n_in, n_out, align_corners, scale, dt)
    i = xp.arange(n_out).astype(dt)
    real = s * i if align_corners else s * (i + dt.type(0.5)) - dt.type(0.5)
    i0, t = _guard(xp, real, n_in)
    return [
        (xp.clip(i0 - 1 + j, 0, n_in - 1), w.astype(dtype)) for j, w in enumerate(cubic_weights(t))
    ]


def _aa_filter(xp, x, mode):
    """PIL's resampling filters: triangle, Keys cubic (a = -0.5), Lanczos-3."""
    x = xp.abs(x)
    if mode == "bilinear":
        return xp.maximum(1 - x, 0)
    if mode == "bicubic":
        near, far = cubic_weights(x, -0.5)[1], cubic_weights(x - 1, -0.5)[0]
        return xp.where(x < 1, near, xp.where(x < 2, far, 0))
    return xp.where(x < 3, xp.sinc(x) * xp.sinc(x / 3), 0)


def antialias_taps(xp, n_in, n_out, align_corners, scale, dtype, mode):
    """Taps of antialiased resizing: the filter stretched by the downscale factor over every
    input it covers, normalised to sum 1 (PIL's convolution resampling)."""
    dt = _opmath(xp, dtype)
    s = _source_scale(xp, n_in, n_out, align_corners, scale, dt)
    width = {"bilinear": 2, "bicubic": 4, "lanczos": 6}[mode]
    support = width * 0.5 * s if s >= 1 else dt.type(width * 0.5)
    kmax = int(math.ceil(support)) * 2 + 1
    center = s * (xp.arange(n_out).astype(dt) + dt.type(0.5))
    xmin = xp.maximum(xp.trunc(center - support + dt.type(0.5)).astype(xp.int64), 0)
    xmax = xp.minimum(xp.trunc(center + support + dt.type(0.5)).astype(xp.int64), n_in)
    size = xp.clip(xmax - xmin, 0, kmax)
    j = xp.arange(kmax)
    invscale = dt.type(1 / s) if s >= 1 else dt.type(1)
    arg = (j + xmin[:, None] - center[:, None] + dt.type(0.5)).astype(dt) * invscale
    w = xp.where(j < size[:, None], _aa_filter(xp, arg, mode), 0).astype(dt)
    total = w.sum(axis=1, keepdims=True)
    w = xp.where(total != 0, w / xp.where(total != 0, total, 1), w).astype(dtype)
    return [(xp.minimum(xmin + k, n_in - 1), w[:, k].copy()) for k in range(kmax)]


def cubic_weights(t, a=_CUBIC_A):
    """The cubic convolution weights of the taps at offsets -1, 0, 1, 2 from ``floor(x)``,
    for the fraction ``t``; works on arrays and on Tensors alike."""

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


class AxisMap:
    """One resized dimension: its taps, and the same map as small dense matrices.

    A matrix product is far faster than gathers and segment sums, so each run of ``BLOCK``
    output positions becomes one ``(outputs, inputs read)`` matrix over the narrow input
    window it reads; a dimension shrunk by much more than 2 (wide windows, mostly zeros)
    keeps the gathers. Non-finite values also take the gathers: a zero weight times inf is
    NaN, and only the taps that read the value may see it.
    """

    __slots__ = ("taps", "n_in", "blocks", "repeat")
    BLOCK = 64

    def __init__(self, xp, taps, n_in, dtype):
        self.taps, self.n_in, self.blocks, self.repeat = taps, n_in, None, None
        n_out = taps[0][0].shape[0]
        k = n_out // n_in if n_in else 0
        if (
            len(taps) == 1
            and k > 1
            and n_out == k * n_in
            and bool((taps[0][0] == xp.arange(n_out) // k).all())
        ):
            self.repeat = k  # nearest upsampling by an integer factor: each input k times
            return
        if dtype.kind != "f" or n_out == 0:
            return
        blocks = []
        for lo in range(0, n_out, self.BLOCK):
            hi = min(lo + self.BLOCK, n_out)
            a = min(int(idx[lo]) for idx, _ in taps)  # indices never decrease
            b = max(int(idx[hi - 1]) for idx, _ in taps) + 1
            if b - a > 2 * (hi - lo) + 8:
                return
            m = xp.zeros((hi - lo, b - a), dtype)
            rows = xp.arange(hi - lo)
            for idx, w in taps:
                xp.add.at(m, (rows, idx[lo:hi] - a), 1 if w is None else w[lo:hi])
            blocks.append((lo, hi, a, b, m))
        self.blocks = blocks


def _dense(xp, x):
    return x.dtype.kind == "f" and bool(xp.isfinite(x).all())


def _split(x, axis):
    """``x`` as ``(before axis, axis, after axis)``."""
    return x.reshape(math.prod(x.shape[:axis]), x.shape[axis], math.prod(x.shape[axis + 1 :]))


def _resample_axis(xp, x, amap, axis):
    if amap.repeat is not None:
        x3 = _split(x, axis)
        k = amap.repeat
        out = xp.broadcast_to(x3[:, :, None], x3.shape[:2] + (k, x3.shape[2]))
        return out.reshape(x.shape[:axis] + (x.shape[axis] * k,) + x.shape[axis + 1 :])
    if amap.blocks is not None and _dense(xp, x):
        n_out = amap.taps[0][0].shape[0]
        rows = math.prod(x.shape[:axis])
        x3 = _split(x, axis)
        out = xp.empty((rows, n_out, x3.shape[2]), x.dtype)
        for lo, hi, a, b, m in amap.blocks:
            if x3.shape[2] == 1:
                xp.matmul(x3[:, a:b, 0], m.T, out=out[:, lo:hi, 0])
            else:
                xp.matmul(m, x3[:, a:b], out=out[:, lo:hi])
        return out.reshape(x.shape[:axis] + (n_out,) + x.shape[axis + 1 :])
    shape = (-1,) + (1,) * (x.ndim - 1 - axis)
    out = None
    for idx, w in amap.taps:
        v = xp.take(x, idx, axis=axis)
        if w is not None:
            v *= w.reshape(shape)
        if out is None:
            out = v
        else:
            out += v
    return out


def _segment_sum(xp, v, idx, n, axis):
    """``out[..., k, ...] = sum of v[..., j, ...] over j with idx[j] == k`` (idx sorted)."""
    if idx.shape[0] == 0:
        return xp.zeros(v.shape[:axis] + (n,) + v.shape[axis + 1 :], v.dtype)
    change = xp.empty(idx.shape, bool)
    change[0] = True
    xp.not_equal(idx[1:], idx[:-1], out=change[1:])
    starts = xp.flatnonzero(change)
    sums = xp.add.reduceat(v, starts, axis=axis)
    if starts.shape[0] == n:
        return sums
    out = xp.zeros(v.shape[:axis] + (n,) + v.shape[axis + 1 :], v.dtype)
    out[(slice(None),) * axis + (idx[starts],)] = sums
    return out


def _adjoint_axis(xp, g, amap, axis):
    n = amap.n_in
    if amap.repeat is not None:
        g3 = _split(g, axis)
        g4 = g3.reshape(g3.shape[0], n, amap.repeat, g3.shape[2])
        out = g4[:, :, 0].copy()
        for j in range(1, amap.repeat):
            out += g4[:, :, j]
        return out.reshape(g.shape[:axis] + (n,) + g.shape[axis + 1 :])
    if amap.blocks is not None and _dense(xp, g):
        rows = math.prod(g.shape[:axis])
        g3 = _split(g, axis)
        out = xp.zeros((rows, n, g3.shape[2]), g.dtype)
        for lo, hi, a, b, m in amap.blocks:
            if g3.shape[2] == 1:
                out[:, a:b, 0] += g3[:, lo:hi, 0] @ m
            else:
                out[:, a:b] += xp.matmul(m.T, g3[:, lo:hi])
        return out.reshape(g.shape[:axis] + (n,) + g.shape[axis + 1 :])
    shape = (-1,) + (1,) * (g.ndim - 1 - axis)
    out = None
    for idx, w in amap.taps:
        v = _segment_sum(xp, g if w is None else g * w.reshape(shape), idx, n, axis)
        if out is None:
            out = v
        else:
            out += v
    return out


def resample(xp, x, maps):
    """``x`` with trailing dim ``i`` resampled by ``maps[i]`` (an ``AxisMap`` or None for
    the identity), the last dim first."""
    lead = x.ndim - len(maps)
    for i in reversed(range(len(maps))):
        if maps[i] is not None:
            x = _resample_axis(xp, x, maps[i], lead + i)
    return x


def resample_adjoint(xp, g, maps):
    lead = g.ndim - len(maps)
    for i in range(len(maps)):
        if maps[i] is not None:
            g = _adjoint_axis(xp, g, maps[i], lead + i)
    return g


class Resample(Primitive):
    """A separable resampling of the trailing dims by ``maps`` (``AxisMap`` or None each);
    ``kind`` is PyTorch's ``grad_fn`` name. ``back_maps`` (default ``maps``) map the gradient:
    PyTorch's backward kernels take size shortcuts that some forward kernels do not."""

    __slots__ = ("maps", "kind")

    def forward(ctx, x, maps, kind, back_maps=None):
        ctx.maps, ctx.kind = maps if back_maps is None else back_maps, kind
        out = resample(array_module(x), x, maps)
        return out.copy() if out is x else out

    def backward(ctx, g):
        back = ResampleAdjoint.named(ctx.kind.replace("Backward0", "BackwardBackward0"))
        return linear(ctx, back, g, ctx.maps, ctx.kind), None, None, None


class ResampleAdjoint(Primitive):
    """The adjoint of ``Resample``: the weighted gradient summed back to the input sizes."""

    __slots__ = ("maps", "kind")

    def forward(ctx, g, maps, kind):
        ctx.maps, ctx.kind = maps, kind
        out = resample_adjoint(array_module(g), g, maps)
        return out.copy() if out is g else out

    def backward(ctx, h):
        return linear(ctx, Resample.named(ctx.kind), h, ctx.maps, ctx.kind), None, None


# --- pixel and channel shuffles: a reshape, a transpose and a reshape ---------------------------
class Rearrange(Primitive):
    """``x.reshape(split).transpose(perm).reshape(out)``; its gradient is the inverse."""

    __slots__ = ("split", "perm", "shape")

    def forward(ctx, x, split, perm, out):
        ctx.split, ctx.perm, ctx.shape = split, perm, x.shape
        xp = array_module(x)
        return xp.ascontiguousarray(x.reshape(split).transpose(perm)).reshape(out)

    def backward(ctx, g):
        inv = tuple(sorted(range(len(ctx.perm)), key=ctx.perm.__getitem__))
        moved = tuple(ctx.split[p] for p in ctx.perm)
        # the gradient's node keeps the forward's name
        return linear(ctx, type(ctx), g, moved, inv, ctx.shape), None, None, None


def _check_rank(input, op):
    if input.dim() < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input "
            f"with {input.dim()} dimension(s)"
        )


def _check_factor(factor, op, what):
    if not isinstance(factor, int) or isinstance(factor, bool):
        raise TypeError(
            f"{op}(): argument '{what}' (position 2) must be int, not {type(factor).__name__}"
        )
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {what}, but got {factor}")


def pixel_shuffle(input, upscale_factor: int):
    """``(*, C * r * r, H, W)`` to ``(*, C, H * r, W * r)``: each group of ``r * r`` channels
    becomes an ``r x r`` block of pixels."""
    _check_rank(input, "pixel_shuffle")
    _check_factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible "
            f"by the square of upscale_factor, but input.size(-3)={c} is not "
            f"divisible by {r * r}"
        )
    k = len(lead)
    split = (*lead, c // (r * r), r, r, h, w)
    perm = tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2)
    out = (*lead, c // (r * r), h * r, w * r)
    return Rearrange.named("PixelShuffleBackward0").apply(input, split, perm, out)


def pixel_unshuffle(input, downscale_factor: int):
    """The inverse of ``pixel_shuffle``: ``(*, C, H * r, W * r)`` to ``(*, C * r * r, H, W)``."""
    _check_rank(input, "pixel_unshuffle")
    _check_factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    r = downscale_factor
    *lead, c, h, w = input.shape
    for name, dim, n in (("height", -2, h), ("width", -1, w)):
        if n % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by "
                f"downscale_factor, but input.size({dim})={n} is not divisible "
                f"by {r}"
            )
    k = len(lead)
    split = (*lead, c, h // r, r, w // r, r)
    perm = tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3)
    out = (*lead, c * r * r, h // r, w // r)
    return Rearrange.named("PixelUnshuffleBackward0").apply(input, split, perm, out)


def channel_shuffle(input, groups: int):
    """Interleaves the channels of ``(N, C, *)`` from ``groups`` groups (ShuffleNet)."""
    if input.dim() <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with "
            f"sizes {list(input.shape)}"
        )
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(
            f"channel_shuffle(): argument 'groups' (position 2) must be int, not "
            f"{type(groups).__name__}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    split = (n, groups, c // groups, *rest)
    perm = (0, 2, 1) + tuple(range(3, len(split)))
    shuffle = Rearrange.named("ChannelShuffleBackward0")
    return shuffle.apply(input, split, perm, tuple(input.shape))


native_channel_shuffle = channel_shuffle
