"""Index ops along one dim: gather, scatter (+ add / reduce), index_select, index_add,
index_copy, index_fill, index_put and take_along_dim.

Every scatter works on flat positions (``_positions``): an index tensor turned into offsets
into the contiguous result, so one 1-D ``ufunc.at`` (NumPy's fast path) does the work.
"""

from __future__ import annotations

from .._autocast import op_inputs
from .._backend import array_module
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Primitive
from .arithmetic import with_out
from .indexing import IndexPut, add_rows
from .inplace import inplace_method, writes_shared
from .shape import linear

__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "index_select",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "take_along_dim",
]

_new = object.__new__


def _positions(shape, index, dim):
    """The flat position in a contiguous ``shape`` of every element ``index`` addresses along
    ``dim`` (other dims by their own coordinate)."""
    xp = array_module(index)
    pos = xp.zeros(index.shape, dtype=xp.int64)
    stride = 1
    for d in range(len(shape) - 1, -1, -1):
        if d == dim:
            coord = xp.where(index < 0, index + shape[d], index)
        else:
            n = index.shape[d]
            coord = xp.arange(n).reshape((n,) + (1,) * (index.ndim - d - 1))
        pos += coord * stride
        stride *= shape[d]
    return pos


# --- gather and scatter ------------------------------------------------------------------------
class Gather(Primitive):
    _name = "GatherBackward0"
    __slots__ = ("shape", "pos")

    def forward(ctx, x, pos):
        ctx.shape, ctx.pos = x.shape, pos
        return array_module(x).ascontiguousarray(x).reshape(-1)[pos]

    def backward(ctx, g):
        return linear(ctx, GatherScatter, g, ctx.shape, ctx.pos), None


class GatherScatter(Primitive):
    """The adjoint of ``Gather``: ``g`` added into zeros at flat positions ``pos``."""

    _name = "ScatterAddBackward0"
    __slots__ = ("pos",)

    def forward(ctx, g, shape, pos):
        ctx.pos = pos
        xp = array_module(g)
        out = xp.zeros(shape, g.dtype)
        xp.add.at(out.reshape(-1), pos.reshape(-1), g.reshape(-1))
        return out

    def backward(ctx, gg):
        return linear(ctx, Gather, gg, ctx.pos), None, None


def _check_index(name, input, dim, index, src=None):
    if (
        not isinstance(index, Tensor)
        or index._data.dtype.kind not in "iu"
        or index._data.dtype.itemsize not in (4, 8)
    ):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    nd = max(input._data.ndim, 1)
    d = _wrap_dim(dim, nd)
    idx = index._data
    shape = input._data.shape or (1,)
    if idx.ndim != nd and idx.size:
        raise RuntimeError(
            f"Index tensor must have the same number of dimensions as "
            f"{'input' if name == 'gather' else 'self'} tensor"
        )
    idx = idx.reshape(idx.shape or (1,)) if not input._data.ndim else idx
    for k in range(idx.ndim):
        if src is None and k != d and idx.shape[k] > shape[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                f"larger than self {list(shape)} apart from dimension {d}"
            )
        if src is not None and (
            (k != d and idx.shape[k] > shape[k]) or idx.shape[k] > (src.shape or (1,))[k]
        ):
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} apart "
                f"from dimension {d} and to be no larger size than src {list(src.shape)}"
            )
    if idx.size:
        hi, lo = idx.max(), idx.min()
        if hi >= shape[d] or lo < -shape[d]:
            bad = int(hi) if hi >= shape[d] else int(lo)
            raise RuntimeError(
                f"index {bad} is out of bounds for dimension {d} with size {shape[d]}"
            )
    return d, _positions(shape, idx.astype(array_module(idx).int64, copy=False), d)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[index[i][j]][j]`` (for dim 0), shaped like ``index``."""
    _, pos = _check_index("gather", input, dim, index)
    res = Gather.apply(input, pos)
    if res._data.shape != index._data.shape:
        res = res.reshape(index.shape)
    return with_out(res, out)


class Scatter(Primitive):
    """``x`` with ``src`` (a tensor or a number) written at flat positions ``pos``."""

    _name = "ScatterBackward0"
    __slots__ = ("pos",)

    def forward(ctx, x, src, pos):
        ctx.pos = pos
        out = array_module(x).array(x, copy=True, order="C")
        out.reshape(-1)[pos.reshape(-1)] = src.reshape(-1) if hasattr(src, "shape") else src
        return out

    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:  # NOTE: overwritten places get no gradient
            gx = linear(ctx, Scatter, g, 0, ctx.pos)
        if ctx.needs_input_grad[1]:
            gs = linear(ctx, Gather, g, ctx.pos)
        return gx, gs, None


class ScatterValue(Scatter):
    _name = "ScatterBackward1"


class ScatterAdd(Primitive):
    _name = "ScatterAddBackward0"
    __slots__ = ("pos",)

    def forward(ctx, x, src, pos):
        ctx.pos = pos
        out = array_module(x).array(x, copy=True, order="C")
        array_module(x).add.at(out.reshape(-1), pos.reshape(-1), src.reshape(-1))
        return out

    def backward(ctx, g):
        gs = linear(ctx, Gather, g, ctx.pos) if ctx.needs_input_grad[1] else None
        return g, gs, None


class ScatterLegacyReduce(Primitive):
    """``scatter(..., reduce='add'|'multiply')``: PyTorch has no derivative for it."""

    _name = "ScatterBackward0"
    __slots__ = ("pos",)

    def forward(ctx, x, src, pos, ufunc):
        out = array_module(x).array(x, copy=True, order="C")
        s = src.reshape(-1) if hasattr(src, "shape") else src
        getattr(array_module(x), ufunc).at(out.reshape(-1), pos.reshape(-1), s)
        return out

    def backward(ctx, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def _src(input, index, src, name):
    """``src`` checked against ``input`` and cut to ``index``'s extent."""
    if not isinstance(src, Tensor):
        return src
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    if src._data.shape != index._data.shape:
        from .indexing import getitem

        src = getitem(src, tuple(slice(0, s) for s in index._data.shape))
    return src


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """``input`` with ``src`` (or ``value``) written where ``index`` points along ``dim``."""
    if src is None:
        src = value
    src_arr = src._data if isinstance(src, Tensor) else None
    _, pos = _check_index("scatter", input, dim, index, src_arr)
    src = _src(input, index, src, "scatter")
    if reduce is not None:
        ufunc = {"add": "add", "multiply": "multiply"}.get(reduce)
        if ufunc is None:
            raise RuntimeError("reduce argument must be either add or multiply.")
        return with_out(ScatterLegacyReduce.apply(input, src, pos, ufunc), out)
    cls = Scatter if isinstance(src, Tensor) else ScatterValue
    return with_out(cls.apply(input, src, pos), out)


def scatter_add(input, dim, index, src, *, out=None):
    _, pos = _check_index("scatter_add", input, dim, index, src._data)
    src = _src(input, index, src, "scatter_add")
    return with_out(ScatterAdd.apply(input, src, pos), out)


# --- index_* along one dim ---------------------------------------------------------------------
def _vector_index(name, input, dim, index):
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d] if nd else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError("index out of range in self")
    return d, idx


class IndexSelect(Primitive):
    _name = "IndexSelectBackward0"
    __slots__ = ("shape", "dim", "index")

    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return array_module(x).take(x, index, axis=dim)

    def backward(ctx, g):
        return linear(ctx, IndexAddZeros, g, ctx.shape, ctx.dim, ctx.index), None, None


class IndexAddZeros(Primitive):
    """The adjoint of ``IndexSelect``: slices of ``g`` added into zeros at ``index``."""

    _name = "IndexAddBackward0"
    __slots__ = ("dim", "index")

    def forward(ctx, g, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        xp = array_module(g)
        out = xp.zeros(shape, g.dtype)
        _add_along(out, dim, index, g)
        return out

    def backward(ctx, gg):
        return linear(ctx, IndexSelect, gg, ctx.dim, ctx.index), None, None, None


def _add_along(out, dim, index, src):
    """``out.index_add_(dim, index, src)`` on arrays (repeats accumulate)."""
    xp = array_module(out)
    if out.ndim == 0:
        out += src.sum()
    elif out.ndim == 1:
        xp.add.at(out, index, src)
    else:
        add_rows(xp.moveaxis(out, dim, 0), index, xp.moveaxis(src, dim, 0))


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a vector)."""
    d, idx = _vector_index("index_select", input, dim, index)
    if not input._data.ndim:
        return with_out(input.reshape(idx.shape[:1]) if idx.size else input.reshape(0), out)
    return with_out(IndexSelect.apply(input, d, idx), out)


def _source_check(name, input, d, idx, source):
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{name}(): self and source expected to have the same dtype, but got (self) "
            f"{input.dtype.scalar_type_name} and (source) {source.dtype.scalar_type_name}"
        )
    n = source._data.shape[d] if source._data.ndim else 1
    if n != idx.size:
        raise RuntimeError(
            f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({n}), for dim: {d}"
        )


class IndexAdd(Primitive):
    _name = "IndexAddBackward0"
    __slots__ = ("dim", "index", "alpha")

    def forward(ctx, x, src, dim, index, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x.copy()
        _add_along(out, dim, index, src * alpha if alpha != 1 else src)
        return out

    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = linear(ctx, IndexSelect, g, ctx.dim, ctx.index)
            gs = gs * ctx.alpha if ctx.alpha != 1 else gs
        return g, gs, None, None, None


def index_add(input, dim, index, source, *, alpha=1):
    d, idx = _vector_index("index_add_", input, dim, index)
    _source_check("index_add_", input, d, idx, source)
    return IndexAdd.apply(input, source, d, idx, alpha)


class IndexCopy(Primitive):
    _name = "IndexCopyBackward0"
    __slots__ = ("dim", "index")

    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        key = (slice(None),) * dim + (index,)
        out[key] = src
        return out

    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:  # NOTE: overwritten slices get no gradient
            gx = linear(ctx, IndexFill, g, ctx.dim, ctx.index, 0)
        if ctx.needs_input_grad[1]:
            gs = linear(ctx, IndexSelect, g, ctx.dim, ctx.index)
        return gx, gs, None, None


def index_copy(input, dim, index, source):
    input, source = op_inputs("IndexCopyBackward0", input, source)
    d, idx = _vector_index("index_copy_", input, dim, index)
    _source_check("index_copy_", input, d, idx, source)
    return IndexCopy.apply(input, source, d, idx)


class IndexFill(Primitive):
    _name = "IndexFillBackward0"
    __slots__ = ("dim", "index")

    def forward(ctx, x, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        out[(slice(None),) * dim + (index,)] = value
        return out

    def backward(ctx, g):
        key = (slice(None),) * ctx.dim + (ctx.index,)
        gx = linear(ctx, IndexFill, g, ctx.dim, ctx.index, 0) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[3]:
            mask = array_module(g).zeros(g.shape, dtype=bool)
            mask[key] = True
            gv = (g * ctx.xp.asarray(mask)).sum()
        return gx, None, None, gv


def index_fill(input, dim, index, value):
    d, idx = _vector_index("index_fill_", input, dim, index)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
    return IndexFill.apply(input, d, idx, value)


def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` put at ``input[indices]`` (a tuple of index tensors), added
    instead where ``accumulate``."""
    from .indexing import _value_for, parse_key

    items, basic = parse_key(input, tuple(indices))
    if basic:
        items = (None, items)
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' must be Tensor")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{input.dtype.scalar_type_name} for the destination and "
            f"{values.dtype.scalar_type_name} for the source."
        )
    return IndexPut.apply(input, _value_for(input, values), items, bool(accumulate))


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (the flattened input without one),
    broadcasting the other dims."""
    from .join import broadcast_shapes
    from .masking import take
    from .squeeze_expand import expand

    if dim is None:
        return with_out(take(input, indices.reshape(-1)), out)
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    if indices._data.ndim != nd:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {nd} dimensions for input, and {indices._data.ndim} "
            "dimensions for indices"
        )
    s_in, s_idx = list(input._data.shape), list(indices._data.shape)
    s_in[d] = s_idx[d] = 1
    common = list(broadcast_shapes(s_in, s_idx))
    x_shape, i_shape = list(common), list(common)
    x_shape[d], i_shape[d] = input._data.shape[d], indices._data.shape[d]
    x = expand(input, x_shape) if tuple(x_shape) != input._data.shape else input
    i = expand(indices, i_shape) if tuple(i_shape) != indices._data.shape else indices
    return with_out(gather(x, d, i), out)


METHODS = {
    "gather": gather,
    "scatter": scatter,
    "scatter_": inplace_method(scatter),
    "scatter_add": scatter_add,
    "scatter_add_": inplace_method(scatter_add),
    "index_select": index_select,
    "index_add": index_add,
    "index_add_": inplace_method(index_add),
    "index_copy": index_copy,
    "index_copy_": inplace_method(index_copy),
    "index_fill": index_fill,
    "index_fill_": inplace_method(writes_shared(index_fill, "tensor[mask] = scalar")),
    "index_put": index_put,
    "index_put_": inplace_method(writes_shared(index_put, "tensor[indices] = tensor")),
    "take_along_dim": take_along_dim,
}
