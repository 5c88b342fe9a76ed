"""Cumulative ops along one dimension: cumsum, cumprod, cummax/cummin, logcumsumexp."""

from __future__ import annotations

from .. import _dtype, return_types
from .._backend import array_module, array_of
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .minmax import scatter
from .shape import linear

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"]


def _reverse_cumsum_array(g, axis):
    xp = array_module(g)
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis), axis)


class Cumsum(Primitive):
    _name = "CumsumBackward0"
    __slots__ = ("axis",)

    def forward(ctx, x, axis, np_dtype=None):
        ctx.axis = axis
        return array_module(x).cumsum(x, axis, dtype=np_dtype)

    def backward(ctx, g):
        return reverse_cumsum(ctx, g, ctx.axis), None, None


class ReverseCumsum(Primitive):
    """``sum_{i >= j} g_i``: the adjoint of cumsum."""

    _name = "CumsumBackward0"
    __slots__ = ("axis",)

    def forward(ctx, g, axis):
        ctx.axis = axis
        return _reverse_cumsum_array(g, axis)

    def backward(ctx, gg):
        return linear(ctx, Cumsum, gg, ctx.axis), None


def reverse_cumsum(ctx, g, axis):
    return linear(ctx, ReverseCumsum, g, axis)


def _cumprod_grad_with_zeros(x, g, out, axis):
    """The exact cumprod gradient, slice by slice where a slice holds a zero.

    Before the first zero z, d out_i / d x_j = out_i / x_j; at z, the running product before
    z times the products after it; after z, every product includes x_z = 0.
    """
    xp = array_module(x)
    n = x.shape[axis]
    xm, gm, om = (xp.moveaxis(a, axis, -1).reshape(-1, n) for a in (x, g, out))
    safe = xp.where(xm == 0, 1, xm)
    res = _reverse_cumsum_array(gm * om, 1) / safe
    for r in xp.nonzero((xm == 0).any(axis=1))[0]:
        z = int(xp.argmax(xm[r] == 0))
        before = om[r, z - 1] if z else 1
        c = xp.cumprod(xp.concatenate([xp.ones(1, x.dtype), xm[r, z + 1 :]]))
        res[r, z] = before * (gm[r, z:] * c).sum()
        res[r, z + 1 :] = 0
    shape = tuple(s for i, s in enumerate(x.shape) if i != axis) + (n,)
    return xp.moveaxis(res.reshape(shape), -1, axis)


class Cumprod(Primitive):
    _holomorphic = True
    _name = "CumprodBackward0"
    __slots__ = ("axis",)

    def forward(ctx, x, axis, np_dtype=None):
        ctx.axis = axis
        out = array_module(x).cumprod(x, axis, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        if ctx._graph:
            # NOTE: under create_graph the formula divides by x: exact where x has no zeros
            return reverse_cumsum(ctx, g * out, ctx.axis) / x, None, None
        if (x == 0).any():
            return _cumprod_grad_with_zeros(x, g, out, ctx.axis), None, None
        return _reverse_cumsum_array(g * out, ctx.axis) / x, None, None


class Cummax(Primitive):
    _name, _ufunc = "CummaxBackward0", "maximum"
    __slots__ = ("axis", "shape")

    def forward(ctx, x, axis):
        ctx.axis, ctx.shape = axis, x.shape
        xp = array_module(x)
        values = getattr(xp, ctx._ufunc).accumulate(x, axis)
        # the index is the last position holding the running extremum (a NaN once seen)
        pos = xp.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        hit = (x == values) | xp.isnan(x)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis)
        ctx.save_for_backward(idx)
        return values, idx

    def backward(ctx, g, g_idx=None):
        (idx,) = ctx.saved_tensors
        return scatter(ctx, g, array_of(idx), ctx.axis, ctx.shape), None


class Cummin(Cummax):
    _name, _ufunc = "CumminBackward0", "minimum"


class Logcumsumexp(Primitive):
    _name = "LogcumsumexpBackward0"
    __slots__ = ("axis",)

    def forward(ctx, x, axis):
        ctx.axis = axis
        out = array_module(x).logaddexp.accumulate(x, axis)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp, axis = ctx.xp, ctx.axis
        if ctx._graph:
            return xp.exp(x) * reverse_cumsum(ctx, g * xp.exp(-out), axis), None
        # sum_{i >= j} g_i exp(x_j - out_i), with the positive and negative parts of g summed
        # in log space so that nothing overflows
        res = 0
        for part, sign in ((xp.maximum(g, 0), 1), (xp.maximum(-g, 0), -1)):
            lg = xp.log(part) - out
            acc = xp.flip(xp.logaddexp.accumulate(xp.flip(lg, axis), axis), axis)
            res = res + sign * xp.exp(acc + x)
        return res, None


# --- functions --------------------------------------------------------------------------------
def _axis(input, dim):
    return _wrap_dim(dim, input._data.ndim)


def _flat0d(input):
    """Cumulative ops see a 0-d tensor as one element."""
    return input.reshape(1) if input._data.ndim == 0 else input


def _scan(cls, name):
    def fn(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
        axis = _axis(input, dim)
        dtype = _dtype.as_dtype(dtype)
        np_dtype = None if dtype is None else dtype.np
        if dtype is None and input._data.dtype.kind in "bui":
            np_dtype = _dtype.int64.np  # integer scans accumulate in int64, as PyTorch's do
        x = _flat0d(input)
        res = cls.apply(x, 0 if input._data.ndim == 0 else axis, np_dtype)
        if input._data.ndim == 0:
            res = res.reshape(())
        return with_out(res, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The running {name[3:]} along ``dim``."
    return fn


cumsum = _scan(Cumsum, "cumsum")
cumprod = _scan(Cumprod, "cumprod")


def _cumext(cls, name):
    rtype = getattr(return_types, name)

    def fn(input: Tensor, dim: int, *, out=None):
        axis = _axis(input, dim)
        values, idx = cls.apply(_flat0d(input), 0 if input._data.ndim == 0 else axis)
        if input._data.ndim == 0:
            values, idx = values.reshape(()), idx.reshape(())
        res = rtype((values, idx))
        if out is not None:
            with_out(values, out[0])
            with_out(idx, out[1])
            return rtype(out)
        return res

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The running {name[3:]}imum along ``dim`` with its indices."
    return fn


cummax = _cumext(Cummax, "cummax")
cummin = _cumext(Cummin, "cummin")


def logcumsumexp(input: Tensor, dim: int, *, out=None) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, without overflow."""
    if input._data.dtype.kind in "iub":
        input = wrap(input._data.astype(_dtype.get_default_dtype().np))
    axis = _axis(input, dim)
    res = Logcumsumexp.apply(_flat0d(input), 0 if input._data.ndim == 0 else axis)
    return with_out(res.reshape(()) if input._data.ndim == 0 else res, out)


def _inplace(fn):
    def method(self, dim, *, dtype=None):
        from .inplace import inplace

        return inplace(self, fn, dim, dtype=dtype)

    method.__name__ = fn.__name__ + "_"
    return method


METHODS = {
    "cumsum": cumsum,
    "cumprod": cumprod,
    "cummax": cummax,
    "cummin": cummin,
    "logcumsumexp": logcumsumexp,
    "cumsum_": _inplace(cumsum),
    "cumprod_": _inplace(cumprod),
}
