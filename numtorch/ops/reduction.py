"""Reductions: sum, mean, nansum/nanmean, prod, var/std, logsumexp, all/any, count_nonzero.
(max/min and friends: minmax.py; cumulative ops: scan.py; norms: linalg.py.)

``dim`` is None (every dimension), an int or a sequence of ints; ``keepdim`` keeps the reduced
dimensions with size 1. Backward formulas re-insert the reduced axes (``_keep``) and let
broadcasting spread the gradient.
"""

from __future__ import annotations

import math
import warnings

from .. import _dtype
from .._backend import accumulator, array_module, narrowed, sum_all, widened
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .shape import linear

__all__ = [
    "sum",
    "mean",
    "nansum",
    "nanmean",
    "prod",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "all",
    "any",
    "count_nonzero",
]


def dims_of(dim, ndim):
    """``dim`` (None, an int or a sequence) as a sorted tuple of non-negative axes; () for a
    0-d tensor, whose only valid dims are 0 and -1."""
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, int):
        axes = (_wrap_dim(dim, ndim),)
    else:
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        for a, b in zip(axes, axes[1:]):
            if a == b:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return axes if ndim else ()


def count_of(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def keep(xp, g, axes, keepdim):
    """``g`` with the reduced axes back in place (size 1), ready to broadcast."""
    if keepdim or not axes:
        return g
    return xp.expand_dims(g, axes)


def _float_of(t: Tensor) -> Tensor:
    if t._data.dtype.kind in "iub":
        return wrap(t._data.astype(_dtype.get_default_dtype().np))
    return t


# --- sum and mean -----------------------------------------------------------------------------
class Sum(Primitive):
    _name = "SumBackward1"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        wide = accumulator(x, np_dtype)
        out = x.sum(axis=axes, keepdims=keepdims, dtype=wide)
        return out if wide is np_dtype else out.astype(x.dtype)

    def backward(ctx, g):
        return (
            ctx.xp.broadcast_to(keep(ctx.xp, g, ctx.axes, ctx.keepdims), ctx.shape),
            None,
            None,
            None,
        )


class SumAll(Sum):
    _name = "SumBackward0"

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        wide = accumulator(x, np_dtype)
        total = sum_all(x, wide)  # no axis tuple: the whole-array fast paths
        total = total if wide is np_dtype else total.astype(x.dtype)
        return total.reshape((1,) * x.ndim) if keepdims else total

    def backward(ctx, g):
        # g holds one element: it broadcasts as it is, with no reduced axes to put back
        return ctx.xp.broadcast_to(g, ctx.shape), None, None, None


def _sum_dtype(x, dtype):
    dtype = _dtype.as_dtype(dtype)
    if dtype is not None:
        return dtype.np
    if x._data.dtype.kind in "bui" and x._data.dtype != _dtype.uint64.np:
        return _dtype.int64.np  # integer sums accumulate in int64, as PyTorch's do
    return None


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The sum over all elements, or over ``dim`` (an int or a tuple)."""
    axes = dims_of(dim, input._data.ndim)
    cls = SumAll if dim is None else Sum
    return with_out(cls.apply(input, axes, keepdim, _sum_dtype(input, dtype)), out)


class Mean(Primitive):
    _name = "MeanBackward1"
    __slots__ = ("shape", "axes", "keepdims", "count")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        ctx.count = count_of(x.shape, axes)
        # the sum over the count (what NumPy's mean does, without its empty-slice warning)
        total = x.sum(axis=axes, keepdims=keepdims, dtype=accumulator(x, np_dtype))
        return narrowed(total / ctx.count, x.dtype)

    def backward(ctx, g):
        xp = ctx.xp
        return (
            xp.broadcast_to(keep(xp, g, ctx.axes, ctx.keepdims) / ctx.count, ctx.shape),
            None,
            None,
            None,
        )


class MeanAll(Mean):
    _name = "MeanBackward0"


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The arithmetic mean over all elements or over ``dim``; floating dtypes only."""
    dtype = _dtype.as_dtype(dtype)
    kind = dtype or input.dtype
    if not (kind.is_floating_point or kind.is_complex):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {kind.scalar_type_name}"
        )
    if dtype is not None and input.dtype is not dtype:
        input = input.to(dtype)
    axes = dims_of(dim, input._data.ndim)
    cls = MeanAll if dim is None else Mean
    return with_out(cls.apply(input, axes, keepdim, None), out)


class Nansum(Primitive):
    _name = "NansumBackward0"
    __slots__ = ("axes", "keepdims")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.save_for_backward(x)
        wide = accumulator(x, np_dtype)
        xp = array_module(x)
        if x.dtype.kind == "V":
            # NOTE: NumPy's nansum leaves in the NaNs of ml_dtypes' bfloat16 (not inexact)
            x = xp.where(xp.isnan(x), 0, x)
        out = xp.nansum(x, axis=axes, keepdims=keepdims, dtype=wide)
        return out if wide is np_dtype else narrowed(out, x.dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        return xp.where(xp.isnan(x), 0.0, keep(xp, g, ctx.axes, ctx.keepdims)), None, None, None


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The sum with NaN counted as zero."""
    if input._data.dtype.kind in "iub":
        return sum(input, dim, keepdim, dtype=dtype, out=out)
    axes = dims_of(dim, input._data.ndim)
    return with_out(Nansum.apply(input, axes, keepdim, _dtype.to_np(_dtype.as_dtype(dtype))), out)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The mean of the non-NaN elements."""
    if not input.is_floating_point():
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype.scalar_type_name}"
        )
    count = sum(input.isnan().logical_not(), dim, keepdim)
    return with_out(nansum(input, dim, keepdim, dtype=dtype) / count, out)


# --- prod -------------------------------------------------------------------------------------
def _moved(x, axes):
    """``x`` as a (kept, reduced) 2-D array, and how to undo it."""
    xp = array_module(x)
    nd = x.ndim
    rest = tuple(a for a in range(nd) if a not in axes)
    perm = rest + tuple(axes)
    flat = xp.transpose(x, perm).reshape(count_of(x.shape, rest), count_of(x.shape, axes))
    return flat, perm


def _unmoved(flat, shape, perm):
    xp = array_module(flat)
    return xp.transpose(flat.reshape(tuple(shape[p] for p in perm)), xp.argsort(perm))


def prod_others(x, axes):
    """For each element, the product of the other elements of its reduced slice, computed
    from exclusive running products, so zeros need no division."""
    xp = array_module(x)
    flat, perm = _moved(x, axes)
    if flat.shape[1] == 0:
        return xp.zeros_like(x)
    ones = xp.ones((flat.shape[0], 1), flat.dtype)
    left = xp.cumprod(xp.concatenate([ones, flat[:, :-1]], axis=1), axis=1)
    right = xp.cumprod(xp.concatenate([ones, flat[:, :0:-1]], axis=1), axis=1)[:, ::-1]
    return _unmoved(left * right, x.shape, perm)


class ProdOthers(Primitive):
    """``prod_others`` as a differentiable op (for second derivatives of prod)."""

    _holomorphic = True
    __slots__ = ("axes",)

    def forward(ctx, x, axes):
        ctx.axes = axes
        out = prod_others(x, axes)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        # NOTE: d(others_i)/dx_j = others_i / x_j for j != i; exact where the slice has no
        # zero (second derivatives at zeros are not handled)
        x, out = ctx.saved_tensors
        xp = ctx.xp
        total = xp.sum(g * out, axis=ctx.axes, keepdims=True)
        return (total - g * out) / x, None


class Prod(Primitive):
    _holomorphic = True
    _name = "ProdBackward1"
    __slots__ = ("axes", "keepdims")

    def forward(ctx, x, axes, keepdims, np_dtype):
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.save_for_backward(x)
        return x.prod(axis=axes, keepdims=keepdims, dtype=np_dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        g = keep(ctx.xp, g, ctx.axes, ctx.keepdims)
        if not ctx.axes:
            return g * 1, None, None, None
        return g * linear(ctx, ProdOthers, x, ctx.axes), None, None, None


class ProdAll(Prod):
    _name = "ProdBackward0"


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The product over all elements, or over the single dimension ``dim``."""
    if dim is not None and not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    axes = dims_of(dim, input._data.ndim)
    cls = ProdAll if dim is None else Prod
    return with_out(cls.apply(input, axes, keepdim, _sum_dtype(input, dtype)), out)


# --- var and std ------------------------------------------------------------------------------
def _correction(name, correction, unbiased):
    if correction is not None and unbiased is not None:
        raise RuntimeError(f"{name}: can't specify both correction and unbiased arguments")
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _dof(name, x, axes, correction):
    kept = x.size // count_of(x.shape, axes) if x.size else 0
    n = x.size // kept if kept else 0  # PyTorch's count: input numel over output numel
    dof = n - correction
    if dof <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    return n, dof


def _ratio(a, b):
    return a / b if b > 0 else math.inf


class VarMean(Primitive):
    """Variance and mean in one pass; the gradient of either output flows to ``x``."""

    _name = "VarMeanBackward0"
    __slots__ = ("axes", "keepdims", "n", "dof")
    _save_names, _save_at = ("self",), (0, "_mean")
    _root = False  # the first output is the variance's square root

    def _mean(ctx, x):
        return ctx.xp.mean(x, axis=ctx.axes, keepdims=True)

    def forward(ctx, x, axes, keepdims, n, dof):
        ctx.axes, ctx.keepdims, ctx.n, ctx.dof = axes, keepdims, n, dof
        xp = array_module(x)
        xw = widened(x)
        m = xw.sum(axis=axes, keepdims=True) / count_of(x.shape, axes)
        d = xw - m
        # NOTE: a complex variance is the mean squared modulus: real, as PyTorch's
        sq = d * d if d.dtype.kind != "c" else d.real * d.real + d.imag * d.imag
        var = xp.sum(sq, axis=axes, keepdims=keepdims) / max(dof, 0)
        var = narrowed(xp.sqrt(var) if ctx._root else var, x.dtype)
        m = narrowed(m, x.dtype)
        ctx.save_for_backward(x, m)
        return var, (m if keepdims else xp.squeeze(m, axis=axes))

    def backward(ctx, g_var, g_mean):
        x, m = ctx.saved_tensors
        xp, k = ctx.xp, ctx.keepdims
        gx = None
        if g_var is not None:
            gx = keep(xp, g_var, ctx.axes, k) * (x - m) * _ratio(2.0, ctx.dof)
        if g_mean is not None:
            gm = keep(xp, g_mean, ctx.axes, k) / ctx.n
            gx = xp.broadcast_to(gm, x.shape) if gx is None else gx + gm
        return gx, None, None, None, None


class StdMean(VarMean):
    _name = "StdMeanBackward0"
    _save_names, _save_at = ("self", None, "result0"), (0, "_mean", None)
    _root = True

    def forward(ctx, x, axes, keepdims, n, dof):
        std, m = VarMean.forward(ctx, x, axes, keepdims, n, dof)
        ctx.save_for_backward(x, ctx._saved[1], std)
        return std, m

    def backward(ctx, g_std, g_mean):
        x, m, std = ctx.saved_tensors
        xp, k = ctx.xp, ctx.keepdims
        gx = None
        if g_std is not None:
            # NOTE: at std == 0 the derivative is taken as 0 (PyTorch masks it the same way)
            s = keep(xp, std, ctx.axes, k)
            gs = xp.where(s == 0, 0.0, keep(xp, g_std, ctx.axes, k) / (s * ctx.dof))
            gx = gs * (x - m)
        if g_mean is not None:
            gm = keep(xp, g_mean, ctx.axes, k) / ctx.n
            gx = xp.broadcast_to(gm, x.shape) if gx is None else gx + gm
        return gx, None, None, None, None


class Var(VarMean):
    _name = "VarBackward0"

    def forward(ctx, x, axes, keepdims, n, dof):
        return VarMean.forward(ctx, x, axes, keepdims, n, dof)[0]

    def backward(ctx, g):
        return VarMean.backward(ctx, g, None)


class Std(StdMean):
    _name = "StdBackward0"
    _save_names = ("self", None, "result")

    def forward(ctx, x, axes, keepdims, n, dof):
        return StdMean.forward(ctx, x, axes, keepdims, n, dof)[0]

    def backward(ctx, g):
        return StdMean.backward(ctx, g, None)


def _moments(cls, name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(x, False): the legacy positional ``unbiased``
        dim, unbiased = None, dim
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError("std and var only support floating point and complex dtypes")
    corr = _correction(name, correction, unbiased)
    axes = dims_of(dim, input._data.ndim)
    n, dof = _dof(name, input._data, axes, corr)
    return cls.apply(input, axes, keepdim, n, dof)


def var(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None
) -> Tensor:
    """The variance, dividing by ``N - correction`` (Bessel's correction, 1, by default)."""
    return with_out(_moments(Var, "var", input, dim, unbiased, keepdim, correction), out)


def std(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None
) -> Tensor:
    """The standard deviation: the square root of ``var``."""
    return with_out(_moments(Std, "std", input, dim, unbiased, keepdim, correction), out)


def var_mean(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> tuple:
    """``(var, mean)`` over the same dims."""
    return _moments(VarMean, "var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> tuple:
    """``(std, mean)`` over the same dims."""
    return _moments(StdMean, "std_mean", input, dim, unbiased, keepdim, correction)


# --- logsumexp -------------------------------------------------------------------------------
def _rounded_sum(x, axes):
    """``x``'s sum over ``axes`` (kept), accumulated as ``Sum``'s and rounded to ``x``'s dtype."""
    return narrowed(x.sum(axis=axes, keepdims=True, dtype=accumulator(x)), x.dtype)


class Logsumexp(Primitive):
    _name = "LogsumexpBackward0"
    __slots__ = ("axes", "keepdims")

    def forward(ctx, x, axes, keepdims):
        ctx.axes, ctx.keepdims = axes, keepdims
        xp = array_module(x)
        # NOTE: only the sum is widened: PyTorch's exp, log and shift run in x's dtype
        if x.size == 0:
            out = xp.log(_rounded_sum(xp.exp(x), axes))
        else:
            # shifting by the max keeps exp from overflowing; an infinite max shifts by 0
            m = x.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            out = xp.log(_rounded_sum(xp.exp(x - m), axes)) + m
        out = out if keepdims else xp.squeeze(out, axis=axes)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp, axes, k = ctx.xp, ctx.axes, ctx.keepdims
        return keep(xp, g, axes, k) * xp.exp(x - keep(xp, out, axes, k)), None, None


_REQUIRED = object()  # a marker: the argument has no default


def logsumexp(input: Tensor, dim=_REQUIRED, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim`` (required, as in PyTorch; ``()`` or None for all
    dims), computed without overflow."""
    if dim is _REQUIRED:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    axes = dims_of(dim, input._data.ndim)
    return with_out(Logsumexp.apply(_float_of(input), axes, keepdim), out)


# --- logical reductions -----------------------------------------------------------------------
def _logical(name):
    def fn(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
        xp = array_module(input._data)
        axes = dims_of(dim, input._data.ndim)
        res = getattr(xp, name)(input._data, axis=axes, keepdims=keepdim)
        if input._data.dtype == xp.uint8:
            res = res.astype(xp.uint8)  # PyTorch keeps uint8 for all/any of uint8
        return with_out(wrap(xp.asarray(res)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Whether {'every' if name == 'all' else 'any'} element (over ``dim``) is true."
    return fn


all = _logical("all")
any = _logical("any")


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """The number of nonzero elements (over ``dim``), as int64."""
    axes = dims_of(dim, input._data.ndim)
    xp = array_module(input._data)
    return wrap(xp.asarray(xp.count_nonzero(input._data, axis=axes), dtype=xp.int64))


METHODS = {
    "sum": sum,
    "mean": mean,
    "nansum": nansum,
    "nanmean": nanmean,
    "prod": prod,
    "var": var,
    "std": std,
    "logsumexp": logsumexp,
    "all": all,
    "any": any,
    "count_nonzero": count_nonzero,
}
