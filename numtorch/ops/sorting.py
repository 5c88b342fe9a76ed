"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, mode, quantile,
nanquantile.

Every op here picks elements of its input by index, so they share one gradient: the output
gradient scattered back to the positions the values came from (``_Pick``). NaN sorts as the
largest value, as in PyTorch.
"""

from __future__ import annotations

from .. import return_types
from .._autocast import op_inputs
from .._backend import array_module
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .scatter import GatherScatter, _positions
from .shape import linear

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "mode", "quantile", "nanquantile"]


# --- the shared primitive ----------------------------------------------------------------------
class _Pick(Primitive):
    """``take_along_axis(x, idx, dim)``, with ``dim`` squeezed away when ``squeeze``."""

    __slots__ = ("shape", "idx", "dim", "squeeze")

    def forward(ctx, x, idx, dim, squeeze):
        ctx.shape, ctx.idx, ctx.dim, ctx.squeeze = x.shape, idx, dim, squeeze
        out = array_module(x).take_along_axis(x, idx, dim) if x.ndim else x.copy()
        return out.squeeze(dim) if squeeze else out

    def backward(ctx, g):
        if not ctx.shape:
            return g, None, None, None
        if ctx.squeeze:
            g = ctx.xp.expand_dims(g, ctx.dim)
        pos = _positions(ctx.shape, ctx.idx, ctx.dim)
        # NOTE: picked positions are distinct for sort/topk; adding (not assigning) also gives
        # the right gradient where an index repeats (quantile's lower == upper)
        return linear(ctx, GatherScatter, g, ctx.shape, pos), None, None, None


class SortPick(_Pick):
    _name = "SortBackward0"


class TopkPick(_Pick):
    _name = "TopkBackward0"


class KthvaluePick(_Pick):
    _name = "KthvalueBackward0"


class ModePick(_Pick):
    _name = "ModeBackward0"


def _pick(cls, input: Tensor, idx, dim: int, squeeze: bool = False) -> Tensor:
    return cls.apply(input, idx, dim, squeeze)


# --- sorting -----------------------------------------------------------------------------------
def _check_sortable(input: Tensor, name: str):
    if input._data.dtype.kind == "c":
        raise RuntimeError(f" {name.capitalize()} does not support complex dtypes on CPU")


def order(a, axis: int, descending: bool):
    """Stable argsort along ``axis`` (NaN largest); descending keeps ties in input order."""
    xp = array_module(a)
    if a.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    # NOTE: reversing, sorting stably and reversing back orders ties by ascending position
    n = a.shape[axis]
    rev = xp.flip(a, axis)
    return (n - 1) - xp.flip(xp.argsort(rev, axis=axis, kind="stable"), axis)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """Values sorted along ``dim`` and the indices they came from (always stable here)."""
    _check_sortable(input, "sort")
    d = _wrap_dim(dim, input._data.ndim)
    idx = order(input._data, d, descending)
    values = _pick(SortPick, input, idx, d)
    res = return_types.sort((values, wrap(idx)))
    if out is not None:
        with_out(res[0], out[0])
        with_out(res[1], out[1])
        return return_types.sort(tuple(out))
    return res


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    _check_sortable(input, "sort")
    return wrap(order(input._data, _wrap_dim(dim, input._data.ndim), descending))


def msort(input: Tensor, *, out=None) -> Tensor:
    """``sort(input, dim=0).values``."""
    return with_out(sort(input, 0).values, out)


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None
):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    _check_sortable(input, "topk")
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d] if nd else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    idx = order(input._data, d, largest)
    if nd:
        idx = idx[(slice(None),) * d + (slice(0, k),)]
    res = return_types.topk((_pick(TopkPick, input, idx, d), wrap(idx)))
    return _pair_out(res, out, return_types.topk)


def _pair_out(res, out, cls):
    if out is None:
        return res
    with_out(res[0], out[0])
    with_out(res[1], out[1])
    return cls(tuple(out))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    _check_sortable(input, "kthvalue")
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d] if nd else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = order(input._data, d, False)
    if nd:
        idx = idx[(slice(None),) * d + (slice(k - 1, k),)]
    squeeze = nd > 0 and not keepdim
    values = _pick(KthvaluePick, input, idx, d, squeeze)
    res = return_types.kthvalue((values, wrap(idx.squeeze(d) if squeeze else idx)))
    return _pair_out(res, out, return_types.kthvalue)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and
    the index of its last occurrence."""
    _check_sortable(input, "mode")
    a = input._data
    nd = a.ndim
    d = _wrap_dim(dim, nd)
    if nd == 0:
        return return_types.mode((_pick(ModePick, input, None, 0), wrap(a * 0 + 0).long()))
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    xp = array_module(a)
    idx = xp.moveaxis(order(a, d, False), d, -1)
    s = xp.take_along_axis(xp.moveaxis(a, d, -1), idx, -1)
    # the count of each run of equal sorted values, read at the run's last element
    pos = xp.arange(n)
    starts = xp.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    run_start = xp.maximum.accumulate(xp.where(starts, pos, 0), axis=-1)
    best = xp.argmax(pos - run_start, axis=-1)[..., None]
    where = xp.moveaxis(xp.take_along_axis(idx, best, -1), -1, d)
    values = _pick(ModePick, input, where, d, not keepdim)
    res = return_types.mode((values, wrap(where if keepdim else where.squeeze(d))))
    return _pair_out(res, out, return_types.mode)


# --- quantiles ---------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_quantile(name, input, q, interpolation):
    if input._data.dtype.kind != "f" or input._data.dtype.itemsize < 4:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data
    else:
        qa = array_module(input._data).asarray(q, dtype=input._data.dtype)
    if ((qa < 0) | (qa > 1)).any():
        bad = "values" if qa.ndim else f"but got {float(qa):g}"
        raise RuntimeError(
            f"{name}() q {'values must be' if qa.ndim else 'must be'} in the "
            f"range [0, 1]{'' if qa.ndim else ' ' + bad}"
        )
    return qa


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    qa = _check_quantile(name, input, q, interpolation)
    xp = array_module(input._data)
    nd = input._data.ndim
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = _wrap_dim(dim, nd)
        x = input if nd else input.reshape(1)
    x = x.movedim(d, -1) if x._data.ndim and d != x._data.ndim - 1 else x
    s = sort(x, -1).values
    n = s._data.shape[-1]
    nan = xp.isnan(s._data)
    if ignore_nan:
        valid = n - nan.sum(axis=-1, keepdims=True)
        # NOTE: an all-NaN row picks its last (NaN) element, so the result is NaN
        last = xp.where(valid == 0, n - 1, valid - 1)
        ranks = xp.where(valid == 0, n - 1, qa.reshape(-1) * last)
    else:
        ranks = xp.where(nan[..., -1:], n - 1, qa.reshape(-1) * (n - 1))
    ranks = xp.broadcast_to(ranks, s._data.shape[:-1] + (qa.size,))
    if interpolation == "nearest":
        ranks = xp.round(ranks)
    lo = xp.floor(ranks).astype(xp.int64)
    hi = xp.ceil(ranks).astype(xp.int64)
    if interpolation in ("lower", "nearest"):
        out = s.gather(-1, wrap(lo))
    elif interpolation == "higher":
        out = s.gather(-1, wrap(hi))
    else:
        w = ranks - lo if interpolation == "linear" else xp.full(ranks.shape, 0.5)
        below, above = s.gather(-1, wrap(lo)), s.gather(-1, wrap(hi))
        out = below + (above - below) * wrap(w.astype(s._data.dtype))
    out = out.movedim(-1, 0)  # the q dim leads, as in PyTorch
    if keepdim:
        kept = (
            [1] * nd
            if dim is None
            else [1 if i == d else m for i, m in enumerate(input._data.shape)]
        )
        out = out.reshape([qa.size] + kept)
    if qa.ndim == 0:
        out = out.squeeze(0)
    return out


def quantile(
    input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear", out=None
) -> Tensor:
    """The ``q``-th quantiles along ``dim`` (all elements when None); NaN where a row holds
    NaN."""
    input, q = op_inputs("quantile", input, q)
    return with_out(_quantile("quantile", input, q, dim, keepdim, interpolation, False), out)


def nanquantile(
    input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear", out=None
) -> Tensor:
    """``quantile`` ignoring NaN (NaN only where a row holds nothing else)."""
    input, q = op_inputs("nanquantile", input, q)
    return with_out(_quantile("nanquantile", input, q, dim, keepdim, interpolation, True), out)


def _sort_method(self, dim=-1, descending=False, stable=False):
    return sort(self, dim, descending, stable)


METHODS = {
    "sort": _sort_method,
    "argsort": argsort,
    "msort": msort,
    "topk": topk,
    "kthvalue": kthvalue,
    "mode": mode,
    "quantile": quantile,
    "nanquantile": nanquantile,
}
