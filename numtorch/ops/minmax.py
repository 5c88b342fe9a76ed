"""Order-statistic reductions: max/min (full, along a dim with indices, or elementwise),
amax/amin, argmax/argmin, aminmax, median/nanmedian.

Gradient conventions are PyTorch's: reductions that return only values (``max()``, ``amax``,
``median()``) share the gradient evenly among tied elements; those that return indices send it
to the element at the index.
"""

from __future__ import annotations

from .. import return_types
from .._backend import array_module, array_of
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .reduction import dims_of, keep
from .shape import linear

__all__ = ["max", "min", "amax", "amin", "argmax", "argmin", "aminmax", "median", "nanmedian"]


def even_weights(ctx, x, out, axes):
    """1/count on the elements equal to the reduced value ``out`` (kept dims), else 0; NaN
    results select the NaN elements. Piecewise constant, so a constant under create_graph."""
    x, out = array_of(x), array_of(out)
    xp = array_module(x)
    mask = (x == out) | (xp.isnan(x) & xp.isnan(out))
    count = mask.sum(axis=axes, keepdims=True, dtype=x.dtype)
    return ctx.xp.asarray(mask / count if axes else mask.astype(x.dtype))


# --- gather / scatter along an axis: the linear maps behind index-valued reductions ------------
def scatter_along(g, idx, axis, shape):
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``axis`` (repeats accumulate)."""
    xp = array_module(g)
    out = xp.zeros(shape, g.dtype)
    where = list(xp.indices(idx.shape, sparse=True))
    where[axis] = idx
    xp.add.at(out, tuple(where), g)
    return out


class TakeAlong(Primitive):
    _name = "GatherBackward0"
    __slots__ = ("idx", "axis", "shape")

    def forward(ctx, x, idx, axis):
        ctx.idx, ctx.axis, ctx.shape = idx, axis, x.shape
        return array_module(x).take_along_axis(x, idx, axis)

    def backward(ctx, g):
        return scatter(ctx, g, ctx.idx, ctx.axis, ctx.shape), None, None


class ScatterAlong(Primitive):
    _name = "ScatterAddBackward0"
    __slots__ = ("idx", "axis")

    def forward(ctx, g, idx, axis, shape):
        ctx.idx, ctx.axis = idx, axis
        return scatter_along(g, idx, axis, shape)

    def backward(ctx, gg):
        return linear(ctx, TakeAlong, gg, ctx.idx, ctx.axis), None, None, None


def scatter(ctx, g, idx, axis, shape):
    """``scatter_along`` inside a backward: on arrays, or as a graph op under create_graph."""
    return linear(ctx, ScatterAlong, g, array_of(idx), axis, shape)


# --- primitives -------------------------------------------------------------------------------
class Amax(Primitive):
    _name, _fn = "AmaxBackward0", "max"
    __slots__ = ("axes", "keepdims")

    def forward(ctx, x, axes, keepdims):
        ctx.axes, ctx.keepdims = axes, keepdims
        out = getattr(x, ctx._fn)(axis=axes, keepdims=keepdims)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp, axes, k = ctx.xp, ctx.axes, ctx.keepdims
        return keep(xp, g, axes, k) * even_weights(ctx, x, keep(xp, out, axes, k), axes), None, None


class Amin(Amax):
    _name, _fn = "AminBackward0", "min"


class MaxAll(Amax):
    _name = "MaxBackward1"


class MinAll(Amin):
    _name = "MinBackward1"


class MaxDim(Primitive):
    """Values and indices along one axis; the gradient goes to the index."""

    _name, _arg = "MaxBackward0", "argmax"
    __slots__ = ("axis", "keepdims", "shape")

    def forward(ctx, x, axis, keepdims):
        ctx.axis, ctx.keepdims, ctx.shape = axis, keepdims, x.shape
        xp = array_module(x)
        idx = xp.expand_dims(getattr(xp, ctx._arg)(x, axis=axis), axis)
        values = xp.take_along_axis(x, idx, axis)
        if not keepdims:
            idx, values = xp.squeeze(idx, axis), xp.squeeze(values, axis)
        ctx.save_for_backward(idx)
        return values, idx

    def backward(ctx, g, g_idx=None):
        (idx,) = ctx.saved_tensors
        xp, axis, k = ctx.xp, ctx.axis, ctx.keepdims
        idx = array_of(idx)
        g, idx = keep(xp, g, (axis,), k), keep(array_module(idx), idx, (axis,), k)
        return scatter(ctx, g, idx, axis, ctx.shape), None, None


class MinDim(MaxDim):
    _name, _arg = "MinBackward0", "argmin"


class Aminmax(Primitive):
    _name = "AminmaxBackward0"
    __slots__ = ("axes", "keepdims")

    def forward(ctx, x, axes, keepdims):
        ctx.axes, ctx.keepdims = axes, keepdims
        lo, hi = x.min(axis=axes, keepdims=keepdims), x.max(axis=axes, keepdims=keepdims)
        ctx.save_for_backward(x, lo, hi)
        return lo, hi

    def backward(ctx, g_lo, g_hi):
        x, lo, hi = ctx.saved_tensors
        xp, axes, k = ctx.xp, ctx.axes, ctx.keepdims
        gx = None
        for g, v in ((g_lo, lo), (g_hi, hi)):
            if g is not None:
                part = keep(xp, g, axes, k) * even_weights(ctx, x, keep(xp, v, axes, k), axes)
                gx = part if gx is None else gx + part
        return gx, None, None


class MedianAll(Amax):
    """The lower median of all elements (NaN if any is NaN)."""

    _name = "MedianBackward0"
    _skip_nan = False

    def forward(ctx, x, axes, keepdims):
        ctx.axes, ctx.keepdims = axes, keepdims
        xp = array_module(x)
        flat = x.reshape(-1)
        nan = xp.isnan(flat)
        if ctx._skip_nan:
            flat = flat[~nan]
        if flat.size == 0 or (not ctx._skip_nan and nan.any()):
            out = xp.asarray(xp.nan, dtype=x.dtype)
        else:
            out = xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
        out = xp.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out


class NanmedianAll(MedianAll):
    _name, _skip_nan = "NanmedianBackward0", True


class MedianDim(MaxDim):
    """The lower median along one axis with its index (a NaN in the slice wins)."""

    _name, _skip_nan = "MedianBackward1", False

    def forward(ctx, x, axis, keepdims):
        ctx.axis, ctx.keepdims, ctx.shape = axis, keepdims, x.shape
        xp = array_module(x)
        order = xp.argsort(x, axis=axis, kind="stable")  # NaNs sort last
        n_nan = xp.isnan(x).sum(axis=axis, keepdims=True)
        n = x.shape[axis]
        if ctx._skip_nan:
            k = xp.maximum((n - n_nan - 1) // 2, 0)
        else:
            k = xp.where(n_nan > 0, n - n_nan, (n - 1) // 2)
        idx = xp.take_along_axis(order, k, axis)
        values = xp.take_along_axis(x, idx, axis)
        if not keepdims:
            idx, values = xp.squeeze(idx, axis), xp.squeeze(values, axis)
        ctx.save_for_backward(idx)
        return values, idx


class NanmedianDim(MedianDim):
    _name, _skip_nan = "NanmedianBackward1", True


# --- functions --------------------------------------------------------------------------------
def _need_elements(
    input, name, exc=RuntimeError, extra=" Specify the reduction dim with the 'dim' argument."
):
    if input._data.size == 0:
        raise exc(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0." + extra
        )


def _nonempty_dims(input, axes, name):
    for a in axes:
        if input._data.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _with_dim(cls, rtype, name, input, dim, keepdim, out):
    if not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    axes = dims_of(dim, input._data.ndim)
    _nonempty_dims(input, axes, name)
    if not axes:  # a 0-d tensor: reduce it as a 1-element vector, the result stays 0-d
        res = rtype(cls.apply(input.reshape(1), 0, False))
    else:
        res = rtype(cls.apply(input, axes[0], keepdim))
    if out is not None:
        with_out(res[0], out[0])
        with_out(res[1], out[1])
        return rtype(out)
    return res


def _extremum(name, all_cls, dim_cls, pointwise):
    rtype = getattr(return_types, name)

    def fn(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
        if isinstance(dim, Tensor):
            return pointwise(input, dim, out=out)
        if dim is None:
            _need_elements(input, name)
            return with_out(all_cls.apply(input, dims_of(None, input._data.ndim), False), out)
        return _with_dim(dim_cls, rtype, name, input, dim, keepdim, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"The {name}imum of all elements; along ``dim`` the values with their "
        f"indices (``torch.return_types.{name}``); of two tensors, elementwise."
    )
    return fn


def _maximum(a, b, out=None):
    from .pointwise import maximum

    return maximum(a, b, out=out)


def _minimum(a, b, out=None):
    from .pointwise import minimum

    return minimum(a, b, out=out)


max = _extremum("max", MaxAll, MaxDim, _maximum)
min = _extremum("min", MinAll, MinDim, _minimum)


def _amax_like(cls, name):
    def fn(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
        axes = dims_of(dim, input._data.ndim)
        if input._data.size == 0:
            if not axes or len(axes) == input._data.ndim:
                _need_elements(input, name)
            _nonempty_dims(input, axes, name)
        return with_out(cls.apply(input, axes, keepdim), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {name[1:]}imum over ``dim``; ties share the gradient evenly."
    return fn


amax = _amax_like(Amax, "amax")
amin = _amax_like(Amin, "amin")


def _arg(name):
    def fn(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
        xp = array_module(input._data)
        d = input._data
        if d.dtype.kind == "b":
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            _need_elements(input, name, IndexError, "")
            res = getattr(xp, name)(d.reshape(-1))
            res = xp.asarray(res).reshape((1,) * d.ndim if keepdim else ())
        else:
            axes = dims_of(dim, d.ndim)
            _nonempty_dims(input, axes, name)
            if not axes:
                res = xp.zeros((), xp.int64)
            else:
                res = xp.asarray(getattr(xp, name)(d, axis=axes[0], keepdims=keepdim))
        return with_out(wrap(res.astype(xp.int64, copy=False)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The index of the {name[3:]}imum (the first one among ties), as int64."
    return fn


argmax = _arg("argmax")
argmin = _arg("argmin")


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False, out=None):
    """``(min, max)`` in one call, as ``torch.return_types.aminmax``."""
    axes = dims_of(dim, input._data.ndim)
    if input._data.size == 0:
        if dim is None:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the "
                "operation has no identity."
            )
        _nonempty_dims(input, axes, "aminmax")
    res = return_types.aminmax(Aminmax.apply(input, axes, keepdim))
    if out is not None:
        with_out(res[0], out[0])
        with_out(res[1], out[1])
        return return_types.aminmax(out)
    return res


def _median_like(name, all_cls, dim_cls):
    rtype = getattr(return_types, name)

    def fn(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
        if dim is None:
            return with_out(all_cls.apply(input, dims_of(None, input._data.ndim), False), out)
        return _with_dim(dim_cls, rtype, name, input, dim, keepdim, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"The lower median of all elements, or along ``dim`` with its index "
        f"(``torch.return_types.{name}``)."
    )
    return fn


median = _median_like("median", MedianAll, MedianDim)
nanmedian = _median_like("nanmedian", NanmedianAll, NanmedianDim)

METHODS = {
    "max": max,
    "min": min,
    "amax": amax,
    "amin": amin,
    "argmax": argmax,
    "argmin": argmin,
    "aminmax": aminmax,
    "median": median,
    "nanmedian": nanmedian,
}
