"""Index grids and combinations: ``tril_indices``/``triu_indices``, ``meshgrid``,
``cartesian_prod``, ``combinations`` and ``vander``. All are built from other ops (or are
constants), so they need no derivative of their own."""

from __future__ import annotations

import itertools
import warnings

from .. import _dtype
from .._backend import array_module, as_device, module_for
from .._lazy import nt as _nt
from .._tensor import Tensor, wrap

__all__ = ["tril_indices", "triu_indices", "meshgrid", "cartesian_prod", "combinations", "vander"]


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


# --- construction -------------------------------------------------------------------------------
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Columns are powers of ``x``: ``x**(N-1) ... x**0`` (reversed with ``increasing``)."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    nt = _nt()
    if x.dtype is _dtype.bool or x.dtype.is_integral and x.dtype is not _dtype.int64:
        x = x.to(_dtype.int64)  # PyTorch raises small integer types to int64 powers
    ones = nt.ones((x.shape[0], min(n, 1)), dtype=x.dtype)
    if n > 1:
        # NOTE: a running product (as PyTorch does) rather than pow, so 0**0 columns and their
        # gradients need no special case
        powers = x.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1)
        out = nt.cat([ones, powers], 1)
    else:
        out = ones
    return out if increasing else out.flip(1)
