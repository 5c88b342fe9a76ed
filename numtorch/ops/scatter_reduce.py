"""``scatter_reduce``: ``src`` combined into ``input`` at ``index`` along ``dim`` with sum, prod,
mean, amax or amin (``include_self`` says whether ``input``'s own values take part), and
``index_reduce``, the same along one dim with a vector index."""

from __future__ import annotations

import warnings

from .._backend import array_module, array_of, kind_of
from .._tensor import Tensor
from ..autograd.function import Primitive
from .arithmetic import with_out
from .inplace import inplace
from .scatter import Gather, Scatter, _check_index, _src
from .shape import linear

__all__ = ["scatter_reduce", "index_reduce"]

_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(reduce, dtype, xp):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if kind_of(dtype) == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    info = xp.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Primitive):
    _name = "ScatterReduceBackward0"
    __slots__ = ("pos", "reduce", "include_self", "count")

    def forward(ctx, x, src, pos, reduce, include_self):
        ctx.pos, ctx.reduce, ctx.include_self = pos, reduce, include_self
        xp = array_module(x)
        out = xp.array(x, copy=True, order="C")
        flat, p, s = out.reshape(-1), pos.reshape(-1), src.reshape(-1)
        if not include_self:
            flat[p] = _identity(reduce, x.dtype, xp)
        getattr(xp, _UFUNC[reduce]).at(flat, p, s)
        ctx.count = None
        if reduce == "mean":
            count = xp.bincount(p, minlength=flat.shape[0]) + int(include_self)
            count = xp.maximum(count, 1).reshape(x.shape)  # untouched places keep their value
            ctx.count = count.astype(x.dtype) if x.dtype.kind in "fc" else count
            if x.dtype.kind in "iub":
                xp.floor_divide(out, count, out=out, casting="unsafe")
            else:
                xp.true_divide(out, count, out=out, casting="unsafe")
        ctx.save_for_backward(x, src, out)
        return out

    def backward(ctx, g):
        r = ctx.reduce
        if r in ("sum", "mean"):
            if r == "mean":
                g = g / ctx.xp.asarray(ctx.count)
            gx = g if ctx.include_self else linear(ctx, Scatter, g, 0, ctx.pos)
            gs = linear(ctx, Gather, g, ctx.pos) if ctx.needs_input_grad[1] else None
            return gx, gs, None, None, None
        x, src, out = ctx.saved_tensors
        if r == "prod":
            return _prod_grads(ctx, g, x, src, out)
        return _extreme_grads(ctx, g, x, src, out)


def _extreme_grads(ctx, g, x, src, out):
    """amax/amin: the gradient is shared evenly among the values equal to the result."""
    xa, sa, oa = array_of(x), array_of(src), array_of(out)
    xp = array_module(xa)
    p = ctx.pos
    hit_self = xa == oa
    if not ctx.include_self:
        touched = xp.zeros(xa.size, dtype=bool)
        touched[p.reshape(-1)] = True
        hit_self &= ~touched.reshape(xa.shape)
    hit_src = sa == oa.reshape(-1)[p]
    ties = hit_self.astype(xa.dtype).reshape(-1)
    xp.add.at(ties, p.reshape(-1), hit_src.reshape(-1).astype(xa.dtype))
    ties = xp.maximum(ties, 1).reshape(xa.shape)
    asarray = ctx.xp.asarray
    share = g / asarray(ties)
    gx = share * asarray(hit_self)
    gs = linear(ctx, Gather, share, p) * asarray(hit_src) if ctx.needs_input_grad[1] else None
    return gx, gs, None, None, None


def _prod_grads(ctx, g, x, src, out):
    """prod: each factor's gradient is the product of the others at its place (computed
    without dividing by zero)."""
    xa, sa = array_of(x), array_of(src)
    xp = array_module(xa)
    p = ctx.pos.reshape(-1)
    self_in = xp.ones(xa.shape, dtype=bool) if ctx.include_self else _untouched(xa, p)
    zeros = ((xa == 0) & self_in).astype(xp.int64).reshape(-1)
    xp.add.at(zeros, p, (sa == 0).reshape(-1).astype(xp.int64))
    nonzero_prod = xp.where(self_in & (xa != 0), xa, 1).reshape(-1)
    xp.multiply.at(nonzero_prod, p, xp.where(sa == 0, 1, sa).reshape(-1))

    def others(v, zc, nzp):  # the product of the other factors at v's place
        safe = xp.where(v == 0, 1, v)
        return xp.where(zc == 0, nzp / safe, xp.where((zc == 1) & (v == 0), nzp, 0))

    gx = g * ctx.xp.asarray(
        others(xa, zeros.reshape(xa.shape), nonzero_prod.reshape(xa.shape)) * self_in
    )
    gs = None
    if ctx.needs_input_grad[1]:
        sflat = sa.reshape(-1)
        o = others(sflat, zeros[p], nonzero_prod[p]).reshape(sa.shape)
        gs = linear(ctx, Gather, g, ctx.pos) * ctx.xp.asarray(o)
    return gx, gs, None, None, None


def _untouched(x, p):
    flags = array_module(x).ones(x.size, dtype=bool)
    flags[p] = False
    return flags.reshape(x.shape)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """``input`` with ``src`` combined in at ``index`` along ``dim`` by ``reduce``."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce not in _UFUNC:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    _, pos = _check_index("scatter_reduce", input, dim, index, src._data)
    src = _src(input, index, src, "scatter_reduce")
    return with_out(ScatterReduce.apply(input, src, pos, reduce, bool(include_self)), out)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return inplace(self, scatter_reduce, dim, index, src, reduce, include_self=include_self)


_INDEX_REDUCE_WARNED = []


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """A copy of ``input`` with ``source``'s slices along ``dim`` reduced into the slices that
    ``index`` names ('prod', 'mean', 'amax' or 'amin')."""
    if not _INDEX_REDUCE_WARNED:
        _INDEX_REDUCE_WARNED.append(True)
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time.",
            UserWarning,
            stacklevel=2,
        )
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    if index.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    d = dim % max(source.ndim, 1)
    shape = [1] * source.ndim
    if source.ndim:
        shape[d] = -1
    # NOTE: index_reduce along dim is scatter_reduce with the index repeated over the other dims
    expanded = index.reshape(shape).expand(source.shape) if source.ndim else index.reshape(())
    return input.scatter_reduce(d, expanded, source, reduce, include_self=include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return inplace(self, index_reduce, dim, index, source, reduce, include_self=include_self)


METHODS = {
    "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_,
    "index_reduce": index_reduce,
    "index_reduce_": index_reduce_,
}
