"""Reductions: sum, mean, prod, max/min, var/std, norm, logsumexp, cumulative ops, all/any."""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Primitive

__all__ = ["sum", "mean"]


def dims_of(dim, ndim):
    """``dim`` (None, an int or a sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (_wrap_dim(dim, ndim),)
    return tuple(sorted(_wrap_dim(d, ndim) for d in dim))


class Sum(Primitive):
    _name = "SumBackward1"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims, dtype=np_dtype)

    def backward(ctx, g):
        xp = ctx.xp
        if not ctx.keepdims and ctx.axes:
            g = xp.expand_dims(g, ctx.axes)
        return xp.broadcast_to(g, ctx.shape), None, None, None


class SumAll(Sum):
    _name = "SumBackward0"


def _sum_dtype(x, dtype):
    if dtype is not None:
        return dtype.np
    if x._data.dtype.kind in "bui" and x._data.dtype != _dtype.uint64.np:
        return _dtype.int64.np  # integer sums accumulate in int64, as PyTorch's do
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum over all elements, or over ``dim`` (an int or a tuple)."""
    nd = input._data.ndim
    axes = dims_of(dim, nd)
    cls = SumAll if dim is None else Sum
    return Sum_with_out(cls.apply(input, axes, keepdim, _sum_dtype(input, dtype)), out)


def Sum_with_out(result, out):
    from .arithmetic import with_out

    return with_out(result, out)


class Mean(Primitive):
    _name = "MeanBackward1"
    __slots__ = ("shape", "axes", "keepdims", "count")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        count = 1
        for a in axes:
            count *= x.shape[a]
        ctx.count = count
        return x.mean(axis=axes, keepdims=keepdims, dtype=np_dtype)

    def backward(ctx, g):
        xp = ctx.xp
        if not ctx.keepdims and ctx.axes:
            g = xp.expand_dims(g, ctx.axes)
        return xp.broadcast_to(g / ctx.count, ctx.shape), None, None, None


class MeanAll(Mean):
    _name = "MeanBackward0"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    kind = (dtype or input.dtype)
    if not (kind.is_floating_point or kind.is_complex):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.legacy_name[6:-6]}"
        )
    axes = dims_of(dim, input._data.ndim)
    cls = MeanAll if dim is None else Mean
    res = cls.apply(input, axes, keepdim, None if dtype is None else dtype.np)
    if dtype is None and res._data.dtype != input._data.dtype:
        res._data = res._data.astype(input._data.dtype)
    return Sum_with_out(res, out)


METHODS = {"sum": sum, "mean": mean}
_ = Tensor
