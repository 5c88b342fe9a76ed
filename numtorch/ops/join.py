"""Joining: cat, stack and their h/v/d variants, broadcast_tensors, repeat, tile and
repeat_interleave (splitting is in ``split.py``).

cat and stack copy their inputs.
"""

from __future__ import annotations

from .. import _dtype
from .._backend import array_module
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .shape import _shape_args, keyword_form, reshape
from .squeeze_expand import expand

__all__ = [
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "dstack",
    "row_stack",
    "column_stack",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_tensors",
    "broadcast_shapes",
    "tile",
    "repeat_interleave",
]


def _tensors(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    if not tensors:
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    np_dt = tensors[0]._data.dtype
    if all(t._data.dtype == np_dt for t in tensors):
        return tensors
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dtype.promote_types(dt, t.dtype)
    return [t if t.dtype is dt else t.to(dt) for t in tensors]


# --- cat and stack -----------------------------------------------------------------------------
class Cat(Primitive):
    _name = "CatBackward0"
    __slots__ = ("dim", "bounds")

    def forward(ctx, dim, *xs):
        # NOTE: PyTorch still skips 1-D empty tensors whatever the others' shapes (legacy rule)
        used = [x for x in xs if x.shape != (0,)] or list(xs[:1])
        bounds, pos = [], 0
        for x in xs:
            n = 0 if x.shape == (0,) else x.shape[dim]
            bounds.append((pos, pos + n, x.shape == (0,)))
            pos += n
        ctx.dim, ctx.bounds = dim, bounds
        return array_module(xs[0]).concatenate(used, axis=dim)

    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        out = [None]
        for a, b, skipped in ctx.bounds:
            if skipped:
                out.append(g[(slice(0, 0),) * g.ndim].reshape(0))
            else:
                out.append(g[lead + (slice(a, b),)])
        return tuple(out)


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dim (dtypes promoted across the inputs)."""
    tensors = _tensors(tensors, "cat")
    ref = next((t for t in tensors if t._data.shape != (0,)), tensors[0])
    nd = ref._data.ndim
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = _wrap_dim(dim, nd)
    for i, t in enumerate(tensors):
        s = t._data.shape
        if s == (0,) and t is not ref:
            continue
        if len(s) != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {len(s)}"
            )
        for k in range(nd):
            if k != d and s[k] != ref._data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref._data.shape[k]} but got size {s[k]} for tensor number {i} in the "
                    "list."
                )
    return with_out(Cat.apply(d, *tensors), out)


concat = cat


def concatenate(tensors, axis=0, out=None):
    return cat(tensors, axis, out=out)


class Stack(Primitive):
    _name = "StackBackward0"
    __slots__ = ("dim", "n")

    def forward(ctx, dim, *xs):
        ctx.dim, ctx.n = dim, len(xs)
        return array_module(xs[0]).stack(xs, axis=dim)

    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return (None,) + tuple(g[lead + (i,)] for i in range(ctx.n))


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = _tensors(tensors, "stack")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    return with_out(Stack.apply(_wrap_dim(dim, len(shape) + 1), *tensors), out)


def atleast_1d(*tensors):
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    seq = (
        tensors if not (len(tensors) == 1 and isinstance(tensors[0], (list, tuple))) else tensors[0]
    )
    out = []
    for t in seq:
        nd = t._data.ndim
        if nd < n:
            shape = t._data.shape
            if n == 3 and nd == 2:
                shape = shape + (1,)
            elif n == 3 and nd == 1:
                shape = (1,) + shape + (1,)
            else:
                shape = (1,) * (n - nd) + shape
            t = reshape(t, shape)
        out.append(t)
    return out[0] if single else tuple(out)


def hstack(tensors, *, out=None):
    tensors = atleast_1d(*tensors) if len(tensors) != 1 else (atleast_1d(tensors[0]),)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in tensors], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return cat([atleast_3d(t) for t in tensors], 2, out=out)


def column_stack(tensors, *, out=None):
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1, out=out)


# --- broadcasting and repeating ----------------------------------------------------------------
def broadcast_shapes(*shapes):
    out = []
    for shape in shapes:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        for i, s in enumerate(shape):
            k = len(out) - len(shape) + i
            if out[k] == 1:
                out[k] = s
            elif s != 1 and s != out[k]:
                raise RuntimeError(
                    f"Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch "
                    f"is at dim {k}"
                )
    from .._tensor import Size

    return Size(out)


def broadcast_tensors(*tensors):
    tensors = _shape_args(tensors)
    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == tuple(shape) else expand(t, shape) for t in tensors)


class Repeat(Primitive):
    _name = "RepeatBackward0"
    __slots__ = ("shape", "repeats")

    def forward(ctx, x, repeats):
        ctx.shape, ctx.repeats = x.shape, repeats
        return array_module(x).tile(x, repeats)

    def backward(ctx, g):
        padded = (1,) * (len(ctx.repeats) - len(ctx.shape)) + ctx.shape
        inter = []
        for r, s in zip(ctx.repeats, padded):
            inter += [r, s]
        # NOTE: each copy's gradient lands on the same input element: sum over the copy axes
        summed = ctx.xp.sum(g.reshape(tuple(inter)), axis=tuple(range(0, len(inter), 2)))
        return summed.reshape(ctx.shape), None


def repeat(self, *sizes, **kwargs):
    sizes = keyword_form(sizes, kwargs, "repeats")
    sizes = tuple(int(s) for s in _shape_args(sizes))
    if len(sizes) < self._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number "
            "of dimensions of tensor"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}"
        )
    return Repeat.apply(self, sizes)


def tile(input, dims):
    dims = tuple(dims) if not isinstance(dims, int) else (dims,)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times; with only a tensor of
    counts, the indices repeated by those counts."""
    from .scatter import index_select

    if repeats is None:
        counts = input._data
        xp = array_module(counts)
        return wrap(xp.repeat(xp.arange(counts.shape[0]), counts))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d] if input._data.ndim else 1
    xp = array_module(input._data)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    if isinstance(reps, int) or reps.size == 1:
        reps = int(reps if isinstance(reps, int) else reps.reshape(-1)[0])
        if reps < 0:
            raise RuntimeError("repeats can not be negative")
    elif reps.ndim != 1 or reps.shape[0] != n:
        raise RuntimeError("repeats must have the same size as input along dim")
    elif (reps < 0).any():
        raise RuntimeError("repeats can not be negative")
    index = wrap(xp.repeat(xp.arange(n), reps))
    return index_select(input if input._data.ndim else reshape(input, (1,)), d, index)


METHODS = {
    "repeat": repeat,
    "tile": tile,
    "repeat_interleave": repeat_interleave,
}
