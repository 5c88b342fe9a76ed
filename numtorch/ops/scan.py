"""Cumulative ops along one dimension: cumsum, cumprod, cummax/cummin, logcumsumexp."""

from __future__ import annotations

from .. import _dtype, return_types
from .._backend import accumulator, array_module, array_of, narrowed
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
        wide = accumulator(x, np_dtype)
        out = array_module(x).cumsum(x, axis, dtype=wide)
        return out if wide is np_dtype else narrowed(out, x.dtype)

    def backward(ctx, g):
        return reverse_cumsum_of(g, ctx.axis), None, None


class ReverseCumsum(Primitive):
    """``sum_{i >= j} g_i``: the adjoint of cumsum."""

    _name = "CumsumBackward0"
    __slots__ = ("axis",)

    def forward(ctx, g, axis):
        ctx.axis = axis
        return _reverse_cumsum_array(g, axis)

    def backward(ctx, gg):
        return linear(ctx, Cumsum, gg, ctx.axis), None


def reverse_cumsum_of(g, axis):
    """``sum_{i >= j} g_i`` along ``axis``, of an array or (differentiably) of a Tensor."""
    return linear(None, ReverseCumsum, g, axis)


def cumprod_grad(xp, x, g, out, axis):
    """The gradient of ``out = cumprod(x)``: ``sum_{j >= k} g_j prod_{i <= j, i != k} x_i``,
    written once for arrays and Tensors and exact to every order where ``x`` holds zeros.

    Before a slice's first zero z, that is ``sum_{j >= k} g_j out_j / x_k``. At z it is the
    gradient of ``x`` with ``x_z`` replaced by 1, and after z that gradient times ``x_z``: the
    same function of an input with one zero fewer, so the recursion ends at the last zero.
    """
    zero = x == 0
    if not zero.any():
        return reverse_cumsum_of(g * out, axis) / x
    count = xp.cumsum(zero, axis)
    before, first = count == 0, zero & (count == 1)
    x1 = xp.where(first, 1.0, x)
    rest = cumprod_grad(xp, x1, g, xp.cumprod(x1, axis), axis)
    # NOTE: x_z is 0, but as a factor of the products it carries their derivative in x_z
    x_z = xp.sum(xp.where(first, x, 0.0), axis, keepdims=True)
    head = reverse_cumsum_of(g * out, axis) / xp.where(before, x, 1.0)
    return xp.where(before, head, xp.where(first, rest, rest * x_z))


class Cumprod(Primitive):
    _holomorphic = True
    _name = "CumprodBackward0"
    _save_names, _save_at = ("self", "result"), (0, None)
    __slots__ = ("axis",)

    def forward(ctx, x, axis, np_dtype=None):
        ctx.axis = axis
        out = array_module(x).cumprod(x, axis, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return cumprod_grad(ctx.xp, x, g, out, ctx.axis), None, None


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
    _save_names, _save_at = ("self", "result"), (0, None)
    __slots__ = ("axis",)

    def forward(ctx, x, axis):
        ctx.axis = axis
        out = array_module(x).logaddexp.accumulate(x, axis)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return logcumsumexp_grad(ctx.xp, x, g, out, ctx.axis), None


def logcumsumexp_grad(xp, x, g, out, axis):
    """``sum_{i >= j} g_i exp(x_j - out_i)``, PyTorch's formula: the positive and negative
    parts of ``g`` summed in log space (a reverse logcumsumexp), so that nothing overflows."""
    log_g, lowest = xp.log(xp.abs(g)), _lowest(xp, g.dtype)
    pos = _reverse_part(xp, xp.where(g > 0, log_g, lowest) - out, x, axis)
    neg = _reverse_part(xp, xp.where(g < 0, log_g, lowest) - out, x, axis)
    return pos - neg


def _reverse_part(xp, lg, x, axis):
    """``exp(x_j + log sum_{i >= j} exp(lg_i))``."""
    return xp.exp(xp.flip(xp.logaddexp.accumulate(xp.flip(lg, axis), axis), axis) + x)


_LOWEST = {}


def _lowest(xp, dtype):
    """The most negative finite value of ``dtype``: PyTorch's log(0) here, which keeps
    ``lowest - lowest`` finite in the second derivative (-inf would give NaN)."""
    low = _LOWEST.get(dtype)
    if low is None:
        low = _LOWEST[dtype] = float(xp.finfo(dtype).min)
    return low


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
