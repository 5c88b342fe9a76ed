"""Sets, searching and counting: unique, unique_consecutive, isin, searchsorted, bucketize,
bincount, histc, histogram.

Results are indices, counts or membership and carry no gradient, except ``unique``'s values,
which (as in PyTorch) are part of the graph but cannot be differentiated.
"""

from __future__ import annotations

from .. import return_types
from .._backend import array_module, kind_of
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .creation import linspace

__all__ = [
    "unique",
    "unique_consecutive",
    "isin",
    "searchsorted",
    "bucketize",
    "bincount",
    "histc",
    "histogram",
]


# --- unique ------------------------------------------------------------------------------------
class Unique(Primitive):
    """The distinct values of ``x``, computed beforehand; recorded so the result keeps
    ``requires_grad`` as in PyTorch, whose unique has no derivative."""

    _name = "Unique2Backward0"

    def forward(ctx, x, values):
        return values

    def backward(ctx, g):
        raise RuntimeError("the derivative for '_unique2' is not implemented.")


def _unique_rows(a, xp):
    """Unique slices along axis 0 of a 2-D array (lexicographic order), with inverse and
    counts."""
    if a.shape[0] == 0:
        return a, xp.zeros(0, xp.int64), xp.zeros(0, xp.int64)
    order = xp.lexsort(a.T[::-1]) if a.shape[1] else xp.arange(a.shape[0])
    s = a[order]
    new = xp.ones(a.shape[0], dtype=bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    group = xp.cumsum(new) - 1
    inverse = xp.empty(a.shape[0], xp.int64)
    inverse[order] = group
    counts = xp.bincount(group).astype(xp.int64)
    return s[new], inverse, counts


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim=None,
):
    """The distinct elements (or, with ``dim``, slices along ``dim``) in ascending order,
    optionally with the index of each input element's value and each value's count."""
    a = input._data
    xp = array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        values, inverse, counts = xp.unique(flat, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(a.shape)
    else:
        d = _wrap_dim(dim, a.ndim)
        moved = xp.moveaxis(a, d, 0)
        rows, inverse, counts = _unique_rows(moved.reshape(moved.shape[0], -1), xp)
        values = xp.moveaxis(rows.reshape((rows.shape[0],) + moved.shape[1:]), 0, d)
    values = xp.ascontiguousarray(values)
    out = Unique.apply(input, values) if input._rg else wrap(values)
    extra = []
    if return_inverse:
        extra.append(wrap(inverse.astype(xp.int64, copy=False)))
    if return_counts:
        extra.append(wrap(counts.astype(xp.int64, copy=False)))
    return (out, *extra) if extra else out


def unique_consecutive(
    input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None
):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) to one."""
    a = input._data
    xp = array_module(a)
    if dim is None:
        rows = a.reshape(-1, 1)
    else:
        d = _wrap_dim(dim, a.ndim)
        moved = xp.moveaxis(a, d, 0)
        rows = moved.reshape(moved.shape[0], -1)
    n = rows.shape[0]
    new = xp.ones(n, dtype=bool)
    if n:
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    group = xp.cumsum(new) - 1
    starts = xp.flatnonzero(new)
    if dim is None:
        values = a.reshape(-1)[starts]
        inverse = group.reshape(a.shape)
    else:
        values = xp.moveaxis(moved[starts], 0, d)
        inverse = group
    out = wrap(xp.ascontiguousarray(values))
    extra = []
    if return_inverse:
        extra.append(wrap(inverse.astype(xp.int64)))
    if return_counts:
        extra.append(wrap(xp.diff(xp.append(starts, n)).astype(xp.int64)))
    return (out, *extra) if extra else out


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Whether each element of ``elements`` occurs in ``test_elements``."""
    t = elements if isinstance(elements, Tensor) else test_elements
    xp = array_module(t._data)
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return wrap(xp.isin(a, b, assume_unique=assume_unique, invert=invert))


# --- searching ---------------------------------------------------------------------------------
def searchsorted(
    sorted_sequence: Tensor,
    input,
    *,
    out_int32: bool = False,
    right: bool = False,
    side=None,
    sorter=None,
    out=None,
) -> Tensor:
    """Where ``input``'s values would be inserted into the innermost dim of
    ``sorted_sequence`` to keep it sorted (the first such place, or with ``right`` the last)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, "
                "got side of left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    xp = array_module(seq)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, -1)
    if seq.ndim > 1 and seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
        )
    how = "right" if right else "left"
    if seq.ndim <= 1:
        res = xp.searchsorted(seq, vals, side=how)
    else:
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = vals.reshape(s2.shape[0], -1)
        res = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(s2, v2)])
        res = res.reshape(vals.shape)
    res = xp.asarray(res, dtype=xp.int32 if out_int32 else xp.int64)
    return with_out(wrap(res), out)


def bucketize(
    input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out=None
) -> Tensor:
    """The bucket of each value: ``i`` with ``boundaries[i-1] < x <= boundaries[i]`` (or
    ``<= x <`` with ``right``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# --- counting ----------------------------------------------------------------------------------
def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs (or the sum of its ``weights``)."""
    a = input._data
    if a.dtype.kind not in "iub":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{input.dtype.scalar_type_name}'"
        )
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = array_module(a)
    if weights is None:
        return wrap(xp.bincount(a, minlength=minlength).astype(xp.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # NOTE: PyTorch keeps float32 weights' dtype and sums every other dtype in float64
    dt = w.dtype if w.dtype == xp.float32 else xp.float64
    return wrap(xp.bincount(a, weights=w, minlength=minlength).astype(dt))


def _check_float(input: Tensor, op: str, halves: bool = True):
    """Refuse what PyTorch's CPU kernel ``op`` has no loop for: non-floats, and the 16-bit floats
    where not ``halves``."""
    dt = input._data.dtype
    if kind_of(dt) != "f" or (not halves and dt.itemsize == 2):
        raise NotImplementedError(f"\"{op}\" not implemented for '{input.dtype.scalar_type_name}'")


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    """Counts in ``bins`` equal-width bins over ``[min, max]`` (the data's range when both
    are 0); values outside are ignored."""
    _check_float(input, "histogram_cpu")
    a = input._data.reshape(-1)
    xp = array_module(a)
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0")
    if max < min:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = a[(a >= lo) & (a <= hi)]
    idx = ((inside - lo) * bins / (hi - lo)).astype(xp.int64)
    idx = xp.minimum(idx, bins - 1)  # the right edge belongs to the last bin
    counts = xp.bincount(idx, minlength=bins).astype(a.dtype)
    return with_out(wrap(counts), out)


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False, out=None):
    """A histogram with ``bins`` equal bins over ``range`` (default: the data's range) or
    with the given bin edges; returns ``(hist, bin_edges)``."""
    _check_float(input, "histogramdd", halves=False)
    a = input._data.reshape(-1)
    xp = array_module(a)
    edges = bins._data if isinstance(bins, Tensor) else bins
    if not isinstance(bins, Tensor):
        lo, hi = (
            (float(a.min()), float(a.max())) if range is None and a.size else (range or (0.0, 0.0))
        )
        lo, hi = float(lo), float(hi)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = linspace(lo, hi, int(bins) + 1, dtype=input.dtype)._data
    w = None if weight is None else weight._data.reshape(-1)
    hist, _ = xp.histogram(a, bins=edges, weights=w, density=density)
    hist = wrap(hist.astype(a.dtype))
    edges = wrap(xp.ascontiguousarray(edges.astype(a.dtype)))
    if out is not None:
        with_out(hist, out[0])
        with_out(edges, out[1])
        hist, edges = out
    return return_types.histogram((hist, edges))


METHODS = {
    "unique": unique,
    "unique_consecutive": unique_consecutive,
    "bincount": bincount,
    "histc": histc,
    "histogram": histogram,
}
