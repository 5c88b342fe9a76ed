"""``x[key]`` and ``x[key] = value``, with PyTorch's rules for keys (the same as NumPy's, with
PyTorch's checks and errors).

A key of ints, slices, None and Ellipsis gives a view (``SelectBackward0``, ``SliceBackward0``
...); a key with integer or bool tensors copies (``IndexBackward0``), and its gradient adds
up repeated indices. The mask ops (masked_fill ...) are in masking.py.
"""

from __future__ import annotations

import warnings

from .._backend import array_module
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .inplace import check_leaf, copy_, fill_, inplace, needs_graph
from .shape import _view, linear, reshape
from .strided import Alias, IndexUnsqueeze, Select, Slice

__all__ = []

_BASIC = (int, slice, type(None), type(Ellipsis))


# --- parsing a key -----------------------------------------------------------------------------
def _as_tuple(key):
    if type(key) is tuple:
        return key
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (Tensor, list, tuple, slice)) or k is None or k is Ellipsis
            for k in key):
        # NOTE: PyTorch still reads x[[[0, 1], [1, 2]]] as x[[0, 1], [1, 2]] (with a warning)
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
            "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this "
            "will be interpreted as tensor index, x[torch.tensor(seq)], which will result either "
            "in an error or a different result", UserWarning, stacklevel=3)
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
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                          "torch.bool instead.", UserWarning, stacklevel=3)
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
    if hasattr(k, "__index__") and not isinstance(k, float):
        return k.__index__()
    if hasattr(k, "dtype") and hasattr(k, "shape"):  # an array from the same backend
        return _convert(wrap(xp.asarray(k)), xp)
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(k).__name__})")


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


def parse_key(x, key):
    """(items, basic): the key as a tuple NumPy reads as PyTorch does, and whether it has no
    index arrays (so ``x[key]`` is a view)."""
    xp = array_module(x._data)
    items = tuple(_convert(k, xp) for k in _as_tuple(key))
    basic = True
    shape = x._data.shape
    dim = 0
    n_used = sum(1 if not hasattr(k, "ndim") else max(k.ndim, 1) if k.dtype.kind == "b" else 1
                 for k in items if k is not None and k is not Ellipsis and type(k) is not bool)
    if n_used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    seen_ellipsis = False
    out = []
    for k in items:
        if k is Ellipsis:
            if seen_ellipsis:
                continue  # PyTorch accepts repeated ellipses; they add nothing
            seen_ellipsis = True
            dim = len(shape) - (n_used - dim)
        elif k is None or type(k) is bool:
            basic = basic and k is None
        elif type(k) is int:
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
            dim += 1
        elif type(k) is slice:
            dim += 1
        else:
            basic = False
            dim = _check_array(k, shape, dim)
        out.append(k)
    return tuple(out), basic


def _check_array(k, shape, dim):
    if k.dtype.kind == "b":
        for i, s in enumerate(k.shape):
            if shape[dim + i] != s:
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {i} does not match the shape "
                    f"of the indexed tensor {list(shape)} at index {dim + i}")
        return dim + k.ndim
    n = shape[dim]
    if k.size:
        lo, hi = k.min(), k.max()
        if hi >= n or lo < -n:
            bad = int(hi) if hi >= n else int(lo)
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
    return dim + 1


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
        return x[key]

    def backward(ctx, g):
        return linear(ctx, IndexScatter, g, ctx.shape, ctx.key), None


class IndexScatter(Primitive):
    """The adjoint of ``Index``: ``g`` added into zeros at ``key`` (repeats accumulate)."""

    _name = "IndexPutBackward0"
    __slots__ = ("key",)

    def forward(ctx, g, shape, key):
        ctx.key = key
        out = array_module(g).zeros(shape, g.dtype)
        accumulate_at(out, key, g)
        return out

    def backward(ctx, gg):
        return linear(ctx, Index, gg, ctx.key), None, None


def accumulate_at(out, key, values):
    """``out[key] += values`` where repeated indices in ``key`` each add."""
    xp = array_module(out)
    if len(key) == 1 and hasattr(key[0], "ndim") and key[0].ndim == 1 and out.ndim > 1 and \
            key[0].dtype.kind != "b":
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
        if accumulate:
            accumulate_at(out, key, value)
        else:
            out[key] = value
        return out

    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            if ctx.accumulate:
                gx = g
            else:  # NOTE: overwritten places get no gradient from the old values
                keep = array_module(g._data if ctx._graph else g).ones(g.shape, dtype=bool)
                keep[ctx.key] = False
                gx = g * (wrap(keep) if ctx._graph else keep)
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
    target = list(self._data[items].shape)
    vshape = list(value._data.shape) if isinstance(value, Tensor) else []
    if basic:
        bad = next(i for i in range(1, len(vshape) + 1)
                   if i > len(target) or vshape[-i] not in (1, target[-i]))
        dim = len(target) - bad
        return RuntimeError(
            f"The expanded size of the tensor ({target[dim] if dim >= 0 else -1}) must match the "
            f"existing size ({vshape[-bad]}) at non-singleton dimension {max(dim, 0)}.  Target "
            f"sizes: {target}.  Tensor sizes: {vshape}")
    return RuntimeError(f"shape mismatch: value tensor of shape {vshape} cannot be broadcast to "
                        f"indexing result of shape {target}")


def setitem(self, key, value):
    items, basic = parse_key(self, key)
    value = _value_for(self, value)
    try:
        if not needs_graph(self, (value,)):
            check_leaf(self)
            self._data[items] = value._data if isinstance(value, Tensor) else value
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
