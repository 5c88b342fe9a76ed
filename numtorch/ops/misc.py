"""Assorted tensor functions: trace, tril/triu_indices, kron, tensordot, meshgrid,
cartesian_prod, combinations, block_diag, cdist, diff, isclose/allclose.

Most are compositions of differentiable ops (kron, tensordot, meshgrid, diff ...) and need no
derivative of their own; trace, block_diag and cdist are primitives.
"""

from __future__ import annotations

import itertools
import warnings

from .. import _dtype
from .._backend import array_module, as_device, module_for
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive, relabel
from .arithmetic import with_out

__all__ = [
    "trace",
    "tril_indices",
    "triu_indices",
    "kron",
    "tensordot",
    "meshgrid",
    "cartesian_prod",
    "combinations",
    "block_diag",
    "cdist",
    "pdist",
    "diff",
    "isclose",
    "allclose",
]


def _type_name(t: Tensor) -> str:
    return t.dtype.legacy_name[6:-6]


# --- trace and triangle indices ----------------------------------------------------------------
class Trace(Primitive):
    _name = "TraceBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x):
        ctx.shape = x.shape
        return array_module(x).trace(x)

    def backward(ctx, g):
        n, m = ctx.shape
        if ctx._graph:
            return g * wrap(array_module(g._data).eye(n, m, dtype=g._data.dtype))
        return g * array_module(g).eye(n, m, dtype=g.dtype)


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind in "bui":
        return wrap(array_module(input._data).trace(input._data, dtype="int64"))
    return Trace.apply(input)


def _triangle_indices(fn, row, col, offset, dtype, device):
    xp = module_for(as_device(device))
    rows, cols = fn(row, offset, col)
    return wrap(
        xp.stack([rows, cols]).astype((_dtype.as_dtype(dtype) or _dtype.int64).np).reshape(2, -1)
    )


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The (2, N) coordinates of a ``row x col`` matrix's lower triangle, row by row."""
    return _triangle_indices(
        module_for(as_device(device)).tril_indices, row, col, offset, dtype, device
    )


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The (2, N) coordinates of a ``row x col`` matrix's upper triangle, row by row."""
    return _triangle_indices(
        module_for(as_device(device)).triu_indices, row, col, offset, dtype, device
    )


# --- products ----------------------------------------------------------------------------------
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    nd = max(input._data.ndim, other._data.ndim)
    a_shape = (1,) * (nd - input._data.ndim) + input._data.shape
    b_shape = (1,) * (nd - other._data.ndim) + other._data.shape
    a = input.reshape([s for n in a_shape for s in (n, 1)])
    b = other.reshape([s for n in b_shape for s in (1, n)])
    return with_out((a * b).reshape([m * n for m, n in zip(a_shape, b_shape)]), out)


def _tensordot_dims(a: Tensor, b: Tensor, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a._data.ndim - dims, a._data.ndim)), list(range(dims))
    da, db = dims
    da = [da] if isinstance(da, int) else list(da)
    db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return ([_wrap_dim(d, a._data.ndim) for d in da], [_wrap_dim(d, b._data.ndim) for d in db])


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the paired dims ``dims`` (an int: the last
    ``dims`` of ``a`` with the first of ``b``; or two lists of dims)."""
    da, db = _tensordot_dims(a, b, dims)
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a._data.shape[i]} "
                f"in dim {i} and second has size {b._data.shape[j]} in dim {j}"
            )
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a._data.shape[d]
    a2 = a.permute(free_a + da).reshape(-1, k)
    b2 = b.permute(db + free_b).reshape(k, -1)
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    return with_out((a2 @ b2).reshape(shape), out)


# --- grids and combinations --------------------------------------------------------------------
def _tensor_list(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: the i-th output varies along dim i (``'ij'``), or
    with ``'xy'`` the first two inputs' dims swapped (Cartesian, as NumPy's default)."""
    tensors = _tensor_list(tensors)
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}"
            )
    flat = [t.reshape(-1) for t in tensors]
    if indexing == "xy" and len(flat) >= 2:
        flat[0], flat[1] = flat[1], flat[0]
    shape = [t._data.shape[0] for t in flat]
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = -1
        grids.append(t.reshape(view).expand(shape))
    if indexing == "xy" and len(grids) >= 2:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows."""
    from .join import stack

    tensors = _tensor_list(tensors)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a 1-D tensor's elements, as rows (itertools order)."""
    from .join import stack

    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(array_module(input._data).empty(0, input._data.dtype))
    make = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    xp = array_module(input._data)
    idx = xp.asarray(list(make(range(input._data.shape[0]), r)), dtype=xp.int64).reshape(-1, r)
    return stack([input.index_select(0, wrap(idx[:, j].copy())) for j in range(r)], 1)


# --- block_diag --------------------------------------------------------------------------------
class BlockDiag(Primitive):
    _name = "BlockDiagBackward0"
    __slots__ = ("shapes",)

    def forward(ctx, *blocks):
        ctx.shapes = [b.shape for b in blocks]
        mats = [b.reshape(_as_matrix(b.shape)) for b in blocks]
        xp = array_module(blocks[0])
        out = xp.zeros(
            (sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), blocks[0].dtype
        )
        r = c = 0
        for m in mats:
            out[r : r + m.shape[0], c : c + m.shape[1]] = m
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    def backward(ctx, g):
        grads, r, c = [], 0, 0
        for shape, need in zip(ctx.shapes, ctx.needs_input_grad):
            h, w = _as_matrix(shape)
            grads.append(g[r : r + h, c : c + w].reshape(shape) if need else None)
            r, c = r + h, c + w
        return tuple(grads)


def _as_matrix(shape):
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix with the given (0-, 1- or 2-D) tensors as its blocks."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                f"Input {i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return wrap(module_for(as_device(None)).zeros((1, 0), _dtype.get_default_dtype().np))
    dt = _dtype.result_type(*[wrap(t._data.reshape(-1)) for t in tensors])
    return BlockDiag.apply(*[t if t.dtype is dt else t.to(dt) for t in tensors])


# --- cdist -------------------------------------------------------------------------------------
class Cdist(Primitive):
    _name = "CdistBackward0"
    __slots__ = ("p",)

    def forward(ctx, x1, x2, p):
        ctx.p = p
        xp = array_module(x1)
        d = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            out = (d != 0).sum(-1).astype(x1.dtype)
        elif p == float("inf"):
            out = d.max(-1) if d.shape[-1] else d.sum(-1)
        elif p == 1:
            out = d.sum(-1)
        elif p == 2:
            out = xp.sqrt((d * d).sum(-1))
        else:
            out = (d**p).sum(-1) ** (1.0 / p)
        ctx.save_for_backward(x1, x2, out)
        return out

    def backward(ctx, g):
        x1, x2, dist = ctx.saved_tensors
        xp, p = ctx.xp, ctx.p
        diff = xp.expand_dims(x1, -2) - xp.expand_dims(x2, -3)
        dist = xp.expand_dims(dist, -1)
        if p == 0:
            term = diff * 0
        elif p == 1:
            term = xp.sign(diff)
        elif p == float("inf"):
            term = xp.sign(diff) * (xp.abs(diff) == dist)
        else:
            # NOTE: PyTorch's convention: zero where the distance (or, for p < 2, the
            # coordinate difference) is zero, where the derivative may not exist
            zero = (dist == 0) | (diff == 0) if p < 2 else dist == 0
            safe = xp.where(dist == 0, 1.0, dist)
            if p == 2:
                term = diff / safe
            else:
                term = xp.sign(diff) * xp.abs(diff) ** (p - 1) / safe ** (p - 1)
            term = xp.where(zero, 0.0, term)
        gt = xp.expand_dims(g, -1) * term
        n = ctx.needs_input_grad
        return (gt.sum(-2) if n[0] else None), (-gt.sum(-3) if n[1] else None), None


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """The p-norm distance between each row of ``x1`` and each row of ``x2`` (batched over
    leading dims)."""
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D"
            )
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {_type_name(t)}"
            )
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: "
            f"{x1._data.shape[-1]} X2: {x2._data.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(
            f"cdist: X1 and X2 must have the same dtype, but got {x1.dtype} and {x2.dtype}"
        )
    return Cdist.apply(x1, x2, float(p))


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between each pair of rows ``i < j`` of a 2-D input, in row-major
    order of the pairs (the upper triangle of ``cdist(input, input)``)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input._data.ndim}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"pdist only supports floating-point dtypes, got: {_type_name(input)}")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input._data.shape[0]
    xp = array_module(input._data)
    i, j = xp.triu_indices(n, 1)
    return relabel(Cdist.apply(input, input, float(p))[wrap(i), wrap(j)], "PdistBackward0")


# --- differences and closeness -----------------------------------------------------------------
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (after concatenating ``prepend`` and
    ``append``)."""
    from .join import cat

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input._data.ndim)
    parts = []
    for extra in (prepend, input, append):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            extra = wrap(array_module(input._data).asarray(extra, input._data.dtype))
        if extra._data.ndim != input._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        parts.append(extra)
    if n == 0:
        return input  # PyTorch ignores prepend/append when there is nothing to difference
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        m = x._data.shape[d]
        if m <= 1:
            return x.narrow(d, 0, 0)
        hi, lo = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = (hi ^ lo) if x._data.dtype.kind == "b" else hi - lo
    return x


def _check_same_dtype(a: Tensor, b: Tensor):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{_type_name(a)} did not match {_type_name(b)}")


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities too)."""
    _check_same_dtype(input, other)
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    xp = array_module(a)
    if a.shape != b.shape:
        try:
            a, b = xp.broadcast_arrays(a, b)
        except ValueError:
            from .join import broadcast_shapes

            broadcast_shapes(a.shape, b.shape)
    if a.dtype.kind == "b":
        return wrap(a == b)
    return wrap(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element pair is close (``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


METHODS = {"trace": trace, "kron": kron, "diff": diff, "isclose": isclose, "allclose": allclose}
