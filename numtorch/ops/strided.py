"""Views that pick elements by strides: select, narrow, the basic part of ``x[...]``,
diagonal, as_strided and unfold.

Each has a linear adjoint primitive (``...Scatter``) that writes the gradient back where the
view read it; the two are each other's backward, so gradients of any order work.
"""

from __future__ import annotations

from .._backend import array_module
from .._tensor import _wrap_dim
from ..autograd.function import Primitive
from .convert import Clone
from .shape import _view, linear, numel_of

__all__ = ["select", "narrow", "narrow_copy", "diagonal", "as_strided"]

_new = object.__new__


# --- slices: select, narrow and the basic part of x[...] ---------------------------------------
class Slice(Primitive):
    """``x[key]`` for a basic key (ints, slices, None, Ellipsis): a view."""

    _name = "SliceBackward0"
    __slots__ = ("shape", "key")

    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    def backward(ctx, g):
        return linear(ctx, SliceScatter, g, ctx.shape, ctx.key), None


class Select(Slice):
    _name = "SelectBackward0"


class Alias(Slice):
    _name = "AliasBackward0"


class IndexUnsqueeze(Slice):
    _name = "UnsqueezeBackward0"


class SliceScatter(Primitive):
    """The adjoint of ``Slice``: ``g`` written into zeros of the input's shape at ``key``."""

    _name = "SliceScatterBackward0"
    __slots__ = ("key",)

    def forward(ctx, g, shape, key):
        ctx.key = key
        out = array_module(g).zeros(shape, g.dtype)
        out[key] = g
        return out

    def backward(ctx, gg):
        return linear(ctx, Slice, gg, ctx.key), None, None


def select(input, dim, index):
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at dimension "
            f"{d}"
        )
    key = (slice(None),) * d + (index + n if index < 0 else index, Ellipsis)
    return _view(Select, input, key)


def narrow(input, dim, start, length):
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start = start + n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * d + (slice(start, start + length), Ellipsis)
    return _view(Slice, input, key)


# --- strided views: diagonal, unfold, as_strided -----------------------------------------------
class Diagonal(Primitive):
    _name = "DiagonalBackward0"
    __slots__ = ("shape", "offset", "d1", "d2")

    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.offset, ctx.d1, ctx.d2 = x.shape, offset, d1, d2
        # NOTE: numpy's diagonal is read-only; a strided view lets ``x.diagonal().fill_()`` write
        xp = array_module(x)
        moved = xp.moveaxis(x, (d1, d2), (-2, -1))
        rows, cols = moved.shape[-2:]
        if offset >= 0:
            n = max(min(rows, cols - offset), 0)
            moved = moved[..., :, offset:] if n else moved[..., :0, :0]
        else:
            n = max(min(rows + offset, cols), 0)
            moved = moved[..., -offset:, :] if n else moved[..., :0, :0]
        s = moved.strides
        return xp.lib.stride_tricks.as_strided(
            moved, moved.shape[:-2] + (n,), s[:-2] + (s[-2] + s[-1],)
        )

    def backward(ctx, g):
        return (
            linear(ctx, DiagonalScatter, g, ctx.shape, ctx.offset, ctx.d1, ctx.d2),
            None,
            None,
            None,
        )


class DiagonalScatter(Primitive):
    _name = "DiagonalScatterBackward0"
    __slots__ = ("offset", "d1", "d2")

    def forward(ctx, g, shape, offset, d1, d2):
        ctx.offset, ctx.d1, ctx.d2 = offset, d1, d2
        out = array_module(g).zeros(shape, g.dtype)
        _new(Diagonal).forward(out, offset, d1, d2)[...] = g
        return out

    def backward(ctx, gg):
        return linear(ctx, Diagonal, gg, ctx.offset, ctx.d1, ctx.d2), None, None, None, None


def narrow_copy(input, dim, start, length):
    """``narrow`` as a new tensor rather than a view."""
    return Clone.named("NarrowCopyBackward0").apply(narrow(input, dim, start, length))


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _view(Diagonal, input, int(offset), d1, d2)


class AsStrided(Primitive):
    _name = "AsStridedBackward0"
    __slots__ = ("shape", "size", "stride", "offset", "in_stride")

    def forward(ctx, x, size, stride, offset):
        ctx.shape, ctx.size, ctx.stride, ctx.offset = x.shape, size, stride, offset
        its = x.itemsize
        ctx.in_stride = tuple(s // its for s in x.strides)
        flat = _flat_memory(x)
        return array_module(x).lib.stride_tricks.as_strided(
            flat[offset:], size, tuple(s * its for s in stride)
        )

    def backward(ctx, g):
        return (
            linear(
                ctx, AsStridedScatter, g, ctx.shape, ctx.in_stride, ctx.size, ctx.stride, ctx.offset
            ),
            None,
            None,
            None,
        )


def _positions(xp, shape, stride, offset=0):
    """The memory position (in elements) of every element of a strided layout."""
    pos = xp.full(shape, offset, dtype=xp.int64)
    for d, (n, s) in enumerate(zip(shape, stride)):
        pos = pos + (xp.arange(n) * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _flat_memory(x):
    """A 1-D view over the memory from ``x``'s first element to the end of its extent."""
    xp = array_module(x)
    span = 1 + sum((n - 1) * s // x.itemsize for n, s in zip(x.shape, x.strides) if n > 0)
    return xp.lib.stride_tricks.as_strided(x, (max(span, 0),), (x.itemsize,))


class AsStridedScatter(Primitive):
    """The adjoint of ``AsStrided``: every element of ``g`` added to the memory position it
    was read from (positions read twice get both), then read back in the input's layout."""

    _name = "AsStridedScatterBackward0"
    __slots__ = ("size", "stride", "offset", "in_stride")

    def forward(ctx, g, shape, in_stride, size, stride, offset):
        ctx.size, ctx.stride, ctx.offset, ctx.in_stride = size, stride, offset, in_stride
        xp = array_module(g)
        span = 1 + sum((a - 1) * s for a, s in zip(shape, in_stride))
        n = max(span, 1 + offset + sum((a - 1) * s for a, s in zip(size, stride)))
        flat = xp.bincount(
            _positions(xp, size, stride, offset).reshape(-1), weights=g.reshape(-1), minlength=n
        ).astype(g.dtype)
        return flat[_positions(xp, shape, in_stride)]

    def backward(ctx, gg):
        return (
            linear(ctx, AsStridedGather, gg, ctx.in_stride, ctx.size, ctx.stride, ctx.offset),
            None,
            None,
            None,
            None,
            None,
        )


class AsStridedGather(Primitive):
    """``AsStrided`` as a copy, for a ``g`` laid out as the original input was (strides
    ``in_stride``): the adjoint of ``AsStridedScatter``."""

    _name = "AsStridedBackward0"
    __slots__ = ("shape", "in_stride", "size", "stride", "offset")

    def forward(ctx, g, in_stride, size, stride, offset):
        ctx.shape, ctx.in_stride = g.shape, in_stride
        ctx.size, ctx.stride, ctx.offset = size, stride, offset
        xp = array_module(g)
        span = 1 + sum((a - 1) * s for a, s in zip(g.shape, in_stride))
        n = max(span, 1 + offset + sum((a - 1) * s for a, s in zip(size, stride)))
        flat = xp.zeros(n, g.dtype)
        flat[_positions(xp, g.shape, in_stride)] = g
        return flat[_positions(xp, size, stride, offset)]

    def backward(ctx, g):
        return (
            linear(
                ctx, AsStridedScatter, g, ctx.shape, ctx.in_stride, ctx.size, ctx.stride, ctx.offset
            ),
            None,
            None,
            None,
            None,
        )


def as_strided(input, size, stride, storage_offset=None):
    """A view with ``size`` and ``stride`` (in elements) over ``input``'s memory, counted from
    its first element. Gradients assume a contiguous input, as PyTorch's do."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} vs {len(stride)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, got "
            f"strides: {list(stride)}"
        )
    offset = int(storage_offset or 0)
    need = offset + 1 + sum((a - 1) * s for a, s in zip(size, stride)) if numel_of(size) else 0
    have = _flat_memory(input._data).shape[0] if input._data.size else 0
    if need > have:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {input._data.itemsize} requiring a storage size of "
            f"{need * input._data.itemsize} are out of bounds for storage of size "
            f"{have * input._data.itemsize}"
        )
    return _view(AsStrided, input, size, stride, offset)


class Unfold(Primitive):
    _name = "UnfoldBackward0"
    __slots__ = ("shape", "dim", "size", "step")

    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        n = (x.shape[dim] - size) // step + 1 if x.ndim else 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1 :] + (size,)
        st = x.strides
        if not x.ndim:
            return x.reshape(1)
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1 :] + (st[dim],)
        # NOTE: overlapping windows are read-only, as writing through them is ambiguous
        return array_module(x).lib.stride_tricks.as_strided(
            x, shape, strides, writeable=step >= size
        )

    def backward(ctx, g):
        return (
            linear(ctx, UnfoldScatter, g, ctx.shape, ctx.dim, ctx.size, ctx.step),
            None,
            None,
            None,
        )


class UnfoldScatter(Primitive):
    """The adjoint of ``Unfold``: each window's gradient added back where it was read."""

    _name = "UnfoldBackwardBackward0"
    __slots__ = ("dim", "size", "step")

    def forward(ctx, g, shape, dim, size, step):
        ctx.dim, ctx.size, ctx.step = dim, size, step
        out = array_module(g).zeros(shape, g.dtype)
        if not shape:
            return out + g.reshape(())
        win = g.shape[dim]
        for k in range(size):  # one strided add per window offset, not per window
            key = (slice(None),) * dim + (slice(k, k + step * (win - 1) + 1, step),)
            out[key] += array_module(g).moveaxis(g[..., k], dim, dim)
        return out

    def backward(ctx, gg):
        return linear(ctx, Unfold, gg, ctx.dim, ctx.size, ctx.step), None, None, None, None


def unfold(self, dimension, size, step):
    nd = self._data.ndim
    d = _wrap_dim(dimension, nd)
    n = self._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _view(Unfold, self, d, int(size), int(step))


METHODS = {
    "select": select,
    "narrow": narrow,
    "narrow_copy": narrow_copy,
    "diagonal": diagonal,
    "as_strided": as_strided,
    "unfold": unfold,
}
