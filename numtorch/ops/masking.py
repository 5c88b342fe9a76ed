"""Mask and flat-index ops: masked_fill, masked_select, masked_scatter, nonzero, argwhere,
take and put."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from ..autograd.node import broadcast_error
from .arithmetic import with_out
from .indexing import Index, IndexScatter
from .inplace import inplace_method, writes_shared
from .shape import linear, numel_of, zeros

__all__ = ["nonzero", "argwhere", "masked_select", "masked_fill", "masked_scatter", "take", "put"]


def _mask(mask, name):
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        if name == "masked_fill_" and isinstance(mask, Tensor):
            raise RuntimeError(
                "masked_fill_ only supports boolean masks, but got mask with dtype "
                f"{mask.dtype.c_type_name}"
            )
        raise RuntimeError(f"{name}: expected BoolTensor for mask")
    return mask._data


class MaskedFill(Primitive):
    _name = "MaskedFillBackward0"
    __slots__ = ("mask",)

    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return array_module(x).where(mask, value, x).astype(x.dtype, copy=False)

    def backward(ctx, g):
        gx = g * ctx.xp.asarray(~ctx.mask) if ctx.needs_input_grad[0] else None
        gv = (g * ctx.xp.asarray(ctx.mask)).sum() if ctx.needs_input_grad[2] else None
        return gx, None, gv


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
    m = _mask(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
    try:
        array_module(m).broadcast_shapes(input._data.shape, m.shape)
    except ValueError:
        raise broadcast_error(m.shape, input._data.shape) from None  # PyTorch names the mask first
    return MaskedFill.apply(input, m, value)


class MaskedSelect(Primitive):
    _name = "MaskedSelectBackward0"
    __slots__ = ("shape", "key")

    def forward(ctx, x, mask):
        xp = array_module(x)
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        x = xp.broadcast_to(x, shape)
        ctx.shape, ctx.key = x.shape, (None, (xp.broadcast_to(mask, shape),))
        return x[ctx.key[1]]

    def backward(ctx, g):
        return linear(ctx, IndexScatter, g, ctx.shape, ctx.key), None


def masked_select(input, mask, *, out=None):
    return with_out(MaskedSelect.apply(input, _mask(mask, "masked_select")), out)


class MaskedScatter(Primitive):
    _name = "MaskedScatterBackward0"
    __slots__ = ("key", "n", "src_shape")

    def forward(ctx, x, mask, src):
        xp = array_module(x)
        key = (None, (xp.broadcast_to(mask, x.shape),))
        n = int(key[1][0].sum())
        if n > src.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        ctx.key, ctx.n, ctx.src_shape = key, n, src.shape
        out = x.copy()
        out[key[1]] = src.reshape(-1)[:n]
        return out

    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = g * ctx.xp.asarray(~ctx.key[1][0])
        if ctx.needs_input_grad[2]:
            # NOTE: source elements past the mask's count were never read: zero gradient
            size = numel_of(ctx.src_shape)
            picked = linear(ctx, Index, g, ctx.key)
            rest = zeros(ctx, (size - ctx.n,), picked)
            gs = ctx.xp.concatenate([picked, rest]).reshape(ctx.src_shape)
        return gx, None, gs


def masked_scatter(input, mask, source):
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"masked_scatter_: expected self and source to have same dtypes but got "
            f"{input.dtype.scalar_type_name} and {source.dtype.scalar_type_name}"
        )
    return MaskedScatter.apply(input, _mask(mask, "masked_scatter_"), source)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one per dim."""
    data = input._data
    xp = array_module(data)
    if as_tuple:
        if data.ndim == 0:
            return (wrap(xp.zeros(int(bool(data)), dtype=xp.int64)),)
        return tuple(wrap(i.astype(xp.int64, copy=False)) for i in xp.nonzero(data))
    res = wrap(xp.argwhere(data).astype(xp.int64, copy=False))
    if out is not None:
        return with_out(res, out)
    return res


def argwhere(input):
    return nonzero(input)


class Take(Primitive):
    _name = "TakeBackward0"
    __slots__ = ("shape", "index")

    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    def backward(ctx, g):
        return linear(ctx, TakeScatter, g, ctx.shape, ctx.index), None


class TakeScatter(Primitive):
    _name = "PutBackward0"
    __slots__ = ("index",)

    def forward(ctx, g, shape, index):
        ctx.index = index
        out = array_module(g).zeros(shape, g.dtype)
        array_module(g).add.at(out.reshape(-1), index, g)
        return out

    def backward(ctx, gg):
        return linear(ctx, Take, gg, ctx.index), None, None


def _flat_index(input, index, name):
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}(): Expected a long tensor for index, but got "
            f"{index.dtype.scalar_type_name if isinstance(index, Tensor) else ''}"
        )
    n = input._data.size
    idx = index._data
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return idx


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (shaped like ``index``)."""
    return Take.apply(input, _flat_index(input, index, "take"))


class Put(Primitive):
    _name = "PutBackward0"
    __slots__ = ("index", "accumulate")

    def forward(ctx, x, index, source, accumulate):
        ctx.index, ctx.accumulate = index, accumulate
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            array_module(x).add.at(flat, index.reshape(-1), source.reshape(-1))
        else:
            flat[index.reshape(-1)] = source.reshape(-1)
        return out

    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:
            if ctx.accumulate:
                gx = g
            else:
                keep = array_module(g).ones(g.shape, dtype=bool)
                keep.reshape(-1)[ctx.index.reshape(-1)] = False
                gx = g * ctx.xp.asarray(keep)
        if ctx.needs_input_grad[2]:
            gs = linear(ctx, Take, g, ctx.index)
        return gx, None, gs, None


def put(input, index, source, accumulate=False):
    idx = _flat_index(input, index, "put")
    if source._data.size != idx.size:
        raise IndexError(
            f"put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"put_(): self and source expected to have the same dtype, but got "
            f"self.dtype = {input.dtype} and source.dtype = {source.dtype}"
        )
    return Put.apply(input, idx, source, bool(accumulate))


METHODS = {
    "nonzero": nonzero,
    "argwhere": argwhere,
    "masked_fill": masked_fill,
    "masked_fill_": inplace_method(writes_shared(masked_fill, "tensor[mask] = scalar")),
    "masked_select": masked_select,
    "masked_scatter": masked_scatter,
    "masked_scatter_": inplace_method(masked_scatter),
    "take": take,
    "put": put,
    "put_": inplace_method(put),
}
