"""``x[key]`` and ``x[key] = value``, with PyTorch's rules for keys (the same as NumPy's, with
PyTorch's checks and errors).

A key of ints, slices, None and Ellipsis gives a view (``SelectBackward0``, ``SliceBackward0``
...); a key with integer or bool tensors copies (``IndexBackward0``), and its gradient adds
up repeated indices. The mask ops (masked_fill ...) are in masking.py.
"""

from __future__ import annotations

import numbers
import warnings

from .. import _dtype
from .._backend import array_module
from .._lazy import nt as _nt
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .inplace import check_leaf, copy_, fill_, inplace, needs_graph
from .shape import _view, linear, reshape
from .strided import Alias, IndexUnsqueeze, Select, Slice

__all__ = ["unravel_index"]

_BASIC = (int, slice, type(None), type(Ellipsis))


# --- parsing a key -----------------------------------------------------------------------------
def _as_tuple(key):
    if type(key) is tuple:
        return key
    if (
        isinstance(key, list)
        and len(key) < 32
        and any(
            isinstance(k, (Tensor, list, tuple, slice)) or k is None or k is Ellipsis for k in key
        )
    ):
        # NOTE: PyTorch still reads x[[[0, 1], [1, 2]]] as x[[0, 1], [1, 2]] (with a warning)
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
            "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this "
            "will be interpreted as tensor index, x[torch.tensor(seq)], which will result either "
            "in an error or a different result",
            UserWarning,
            stacklevel=3,
        )
        return tuple(key)
    return (key,)


def _convert(k, xp):
    """One key item as an int, slice, None, Ellipsis, bool or an index/mask array."""
    if isinstance(k, _BASIC) and type(k) is not bool:
        if type(k) is slice:
            return _slice(k)
        return k
    if isinstance(k, Tensor):
        a = k._data
        kind = a.dtype.kind
        if kind == "b":
            return a if a.ndim else bool(a)
        if kind == "u" and a.dtype.itemsize == 1:
            warnings.warn(
                "indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                "torch.bool instead.",
                UserWarning,
                stacklevel=3,
            )
            return a.astype(bool) if a.ndim else bool(a)
        if kind not in "iu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return int(a) if a.ndim == 0 else a
    if type(k) is bool:
        return k
    if isinstance(k, (list, tuple)):
        a = xp.asarray(k)
        if a.size == 0:
            return a.astype(xp.int64)
        if a.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return a
    if hasattr(k, "dtype") and hasattr(k, "shape"):  # an array from the same backend
        return _convert(wrap(xp.asarray(k)), xp)
    if hasattr(k, "__index__") and not isinstance(k, float):
        return k.__index__()
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(k).__name__})"
    )


def _slice(k):
    start, stop, step = k.start, k.stop, k.step
    if step is not None:
        step = step.__index__()
        if step <= 0:
            raise ValueError("step must be greater than zero")
    if isinstance(start, Tensor) or isinstance(stop, Tensor):
        start = None if start is None else start.__index__()
        stop = None if stop is None else stop.__index__()
        return slice(start, stop, step)
    return k


def _span(k):
    """How many of the tensor's dims a key item consumes."""
    if k is None or k is Ellipsis or type(k) is bool:
        return 0
    if hasattr(k, "ndim") and k.dtype.kind == "b":
        return max(k.ndim, 1)
    return 1


def parse_key(x, key):
    """(key, basic): for a basic key (ints, slices, None, Ellipsis: a view) the key as a
    tuple; otherwise a pair (pre, adv) of a basic key applied first and the advanced key
    applied to its result, since PyTorch applies ints and None before the index arrays (so
    ``x[0, :, idx]`` puts idx's dims last, where NumPy would put them first)."""
    xp = array_module(x._data)
    items = tuple(_convert(k, xp) for k in _as_tuple(key))
    shape = x._data.shape
    used = sum(_span(k) for k in items)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    basic = not any(type(k) is bool or hasattr(k, "ndim") for k in items)
    dim = tdim = 0  # the dim in the input, and in the input after ints and None are applied
    out, pre, adv, arrays = [], [], [], []
    for k in items:
        if k is Ellipsis:
            if Ellipsis in pre:
                continue  # PyTorch accepts repeated ellipses; they add nothing
            covered = len(shape) - (used - dim) - dim
            tdim += covered
            dim = len(shape) - (used - dim)
            pre.append(k)
            # NOTE: spelled out as slices, so index arrays on either side of an ellipsis that
            # covers no dims count as adjacent, as in PyTorch (NumPy would move them first)
            adv.extend([slice(None)] * covered)
            if not basic:
                out.extend([slice(None)] * covered)
                continue
        elif k is None:
            pre.append(k)
            adv.append(slice(None))
            tdim += 1
        elif type(k) is bool:
            adv.append(k)
        elif type(k) is int:
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
            pre.append(k)
            dim += 1
        elif type(k) is slice:
            pre.append(k)
            adv.append(slice(None))
            dim, tdim = dim + 1, tdim + 1
        else:
            span = _span(k)
            _check_mask(k, shape, dim)
            arrays.append((len(adv), k, dim, tdim))
            pre.extend([slice(None)] * span)
            adv.append(k)
            dim, tdim = dim + span, tdim + span
        out.append(k)
    if basic:
        return tuple(out), True
    pre = tuple(pre) if Ellipsis in pre else tuple(pre) + (Ellipsis,)
    empty = x._data[pre].size == 0
    if not any(type(k) is int or k is None for k in out):  # NumPy's order is PyTorch's here
        return (None, _check_arrays(out, arrays, shape, empty, xp)), False
    return (pre, _check_arrays(adv, arrays, shape, empty, xp)), False


def _check_mask(k, shape, dim):
    if k.dtype.kind == "b":
        for i, s in enumerate(k.shape):
            if shape[dim + i] != s:
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {i} does not match the shape "
                    f"of the indexed tensor {list(shape)} at index {dim + i}"
                )


def _check_arrays(adv, arrays, shape, empty, xp):
    """Bounds-check the index arrays. PyTorch checks only the elements it reads, so where the
    result is empty, out-of-range indices are clipped instead of refused."""
    adv = list(adv)
    for pos, k, dim, tdim in arrays:
        n = shape[dim]
        if k.dtype.kind == "b" or not k.size:
            continue
        lo, hi = k.min(), k.max()
        if hi >= n or lo < -n:
            if empty and n:
                adv[pos] = xp.clip(k, -n, n - 1)
                continue
            bad = int(hi) if hi >= n else int(lo)
            raise IndexError(f"index {bad} is out of bounds for dimension {tdim} with size {n}")
    return tuple(adv)


def locate(a, key):
    """The array the advanced part of ``key`` applies to (a view of ``a``), and that part."""
    pre, adv = key
    return (a if pre is None else a[pre]), adv


def _view_class(items, shape):
    """PyTorch applies a basic key left to right (skipping full slices inside a tuple); the
    grad_fn shows the last op applied."""
    cls, dim = Alias, 0
    for k in items:
        if k is None:
            cls = IndexUnsqueeze
        elif k is Ellipsis:
            dim = len(shape) - sum(1 for j in items if j is not None and j is not Ellipsis)
        elif type(k) is int:
            cls, dim = Select, dim + 1
        else:
            if k.indices(shape[dim]) != (0, shape[dim], 1):
                cls = Slice
            dim += 1
    return cls


# --- x[key] ------------------------------------------------------------------------------------
class Index(Primitive):
    _name = "IndexBackward0"
    __slots__ = ("shape", "key")

    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        a, adv = locate(x, key)
        return a[adv]

    def backward(ctx, g):
        return linear(ctx, IndexScatter, g, ctx.shape, ctx.key), None


class IndexScatter(Primitive):
    """The adjoint of ``Index``: ``g`` added into zeros at ``key`` (repeats accumulate)."""

    _name = "IndexPutBackward0"
    __slots__ = ("key",)

    def forward(ctx, g, shape, key):
        ctx.key = key
        out = array_module(g).zeros(shape, g.dtype)
        accumulate_at(*locate(out, key), g)
        return out

    def backward(ctx, gg):
        return linear(ctx, Index, gg, ctx.key), None, None


def accumulate_at(out, key, values):
    """``out[key] += values`` where repeated indices in ``key`` each add."""
    xp = array_module(out)
    if (
        len(key) == 1
        and hasattr(key[0], "ndim")
        and key[0].ndim == 1
        and out.ndim > 1
        and key[0].dtype.kind != "b"
    ):
        add_rows(out, key[0], values)
    else:
        xp.add.at(out, key, values)


def add_rows(out, index, rows):
    """``out[index[i]] += rows[i]`` for a 1-D ``index`` on dim 0."""
    xp = array_module(out)
    rows = xp.broadcast_to(rows, index.shape + out.shape[1:])
    index = xp.where(index < 0, index + out.shape[0], index)
    order = xp.argsort(index, kind="stable")
    s = index[order]
    new = xp.empty(s.shape[0], dtype=bool)
    new[:1] = True
    xp.not_equal(s[1:], s[:-1], out=new[1:])
    starts = xp.flatnonzero(new)
    rank = xp.arange(s.shape[0]) - starts[xp.cumsum(new) - 1]
    top = int(rank.max()) if s.shape[0] else -1
    # NOTE: fancy ``+=`` per occurrence rank is ~5x faster than ufunc.at when indices repeat a
    # few times (embeddings, gathers); with many repeats one segmented sum is cheaper
    if top <= 8:
        for k in range(top + 1):
            sel = order[rank == k] if top else order
            out[index[sel]] += rows[sel]
    else:
        out[s[starts]] += xp.add.reduceat(rows[order], starts, axis=0)


def getitem(self, key):
    data = self._data
    if type(key) is int and data.ndim:  # the commonest key, without the general parse
        n = data.shape[0]
        if -n <= key < n:
            return _view(Select, self, (key, Ellipsis))
    elif type(key) is slice and data.ndim:  # a lone slice is applied even when it is full
        return _view(Slice, self, (_slice(key), Ellipsis))
    items, basic = parse_key(self, key)
    if basic:
        if Ellipsis not in items:
            items = items + (Ellipsis,)  # x[0] on a 1-D array must stay a 0-d view
        return _view(_view_class(items, data.shape), self, items)
    return Index.apply(self, items)


# --- x[key] = value ----------------------------------------------------------------------------
class IndexPut(Primitive):
    _name = "IndexPutBackward0"
    __slots__ = ("key", "accumulate")

    def forward(ctx, x, value, key, accumulate):
        ctx.key, ctx.accumulate = key, accumulate
        out = x.copy()
        a, adv = locate(out, key)
        if accumulate:
            accumulate_at(a, adv, value)
        else:
            a[adv] = value
        return out

    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            if ctx.accumulate:
                gx = g
            else:  # NOTE: overwritten places get no gradient from the old values
                keep = array_module(g).ones(g.shape, dtype=bool)
                a, adv = locate(keep, ctx.key)
                a[adv] = False
                gx = g * ctx.xp.asarray(keep)
        if ctx.needs_input_grad[1]:
            gv = linear(ctx, Index, g, ctx.key)
        return gx, gv, None, None


def _value_for(self, value):
    """The value as a tensor of self's dtype with leading size-1 dims dropped (as PyTorch
    and NumPy both allow), or a plain number."""
    if not isinstance(value, Tensor):
        if isinstance(value, (int, float, bool, complex)):
            return value
        xp = array_module(self._data)
        return wrap(xp.asarray(value, dtype=self._data.dtype))
    if value._data.dtype != self._data.dtype:
        value = value.to(self.dtype)
    shape = value._data.shape
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return reshape(value, shape[k:]) if k else value


def _shape_error(self, items, basic, value):
    a, adv = (self._data, items) if basic else locate(self._data, items)
    target = list(a[adv].shape)
    vshape = list(value._data.shape) if isinstance(value, Tensor) else []
    if basic:
        bad = next(
            i
            for i in range(1, len(vshape) + 1)
            if i > len(target) or vshape[-i] not in (1, target[-i])
        )
        dim = len(target) - bad
        return RuntimeError(
            f"The expanded size of the tensor ({target[dim] if dim >= 0 else -1}) must match the "
            f"existing size ({vshape[-bad]}) at non-singleton dimension {max(dim, 0)}.  Target "
            f"sizes: {target}.  Tensor sizes: {vshape}"
        )
    return RuntimeError(
        f"shape mismatch: value tensor of shape {vshape} cannot be broadcast to "
        f"indexing result of shape {target}"
    )


def setitem(self, key, value):
    items, basic = parse_key(self, key)
    value = _value_for(self, value)
    try:
        if not needs_graph(self, (value,)):
            check_leaf(self)
            a, adv = (self._data, items) if basic else locate(self._data, items)
            a[adv] = value._data if isinstance(value, Tensor) else value
            self._vc[0] += 1
            return
        if basic:
            view = getitem(self, items)
            if isinstance(value, Tensor) and value._data.ndim:
                copy_(view, value)
            else:
                fill_(view, value)
            return
        inplace(self, _index_put, items, value, False)
    except ValueError:
        raise _shape_error(self, items, basic, value) from None


def _index_put(x, items, value, accumulate):
    return IndexPut.apply(x, value, items, accumulate)


METHODS = {"__getitem__": getitem, "__setitem__": setitem}


def unravel_index(indices, shape) -> tuple:
    """The coordinates in a tensor of ``shape`` of each flat index (wrapping as PyTorch does)."""
    nt = _nt()
    if not isinstance(indices, Tensor):
        indices = nt.tensor(indices)
    if indices.is_floating_point() or indices.is_complex() or indices.dtype is _dtype.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    idx = indices.to(_dtype.int64)
    coords = []
    for size in reversed(shape):
        coords.append(idx.remainder(size) if size else idx * 0)
        idx = idx.div(size, rounding_mode="floor") if size else idx
    return tuple(reversed(coords))
