"""Finite differences and numerical integration: ``diff``, ``gradient``, ``trapezoid`` and
``cumulative_trapezoid``. All are compositions of views and arithmetic, so their gradients
come from those."""

from __future__ import annotations

import numbers

from .._backend import array_module
from .._lazy import nt as _nt
from .._tensor import Tensor, _wrap_dim, wrap
from .reduction import _float_of as _floating

__all__ = ["diff", "trapezoid", "trapz", "cumulative_trapezoid", "gradient"]


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


# --- integration --------------------------------------------------------------------------------
def _along(t: Tensor, dim: int, start, stop) -> Tensor:
    return t.narrow(dim, start, (stop if stop >= 0 else t.shape[dim] + stop) - start)


def _spacing(y: Tensor, x, dx, dim: int):
    """The widths of the intervals along ``dim``, shaped to broadcast against ``y``."""
    if x is None:
        return 1 if dx is None else dx
    if isinstance(x, numbers.Number):
        return x
    if x.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        widths = x[1:] - x[:-1]
        return widths.reshape((-1,) + (1,) * (y.ndim - 1 - dim))
    return _along(x, dim, 1, x.shape[dim]) - _along(x, dim, 0, -1)


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: sample spacing from ``x`` (points or a spacing) or
    ``dx``."""
    dim = _wrap_dim(dim, y.ndim, "trapezoid")
    y = _floating(y)
    n = y.shape[dim]
    if n == 0:
        return y.sum(dim)
    widths = _spacing(y, x, dx, dim)
    if isinstance(widths, Tensor):
        return (widths * (_along(y, dim, 1, n) + _along(y, dim, 0, -1))).sum(dim) / 2
    # equal spacing: the inner points count once, the two ends half each
    return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * widths


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral along ``dim`` (one fewer element than ``y``)."""
    dim = _wrap_dim(dim, y.ndim, "cumulative_trapezoid")
    y = _floating(y)
    n = y.shape[dim]
    if n == 0:
        return y
    widths = _spacing(y, x, dx, dim)
    areas = (_along(y, dim, 1, n) + _along(y, dim, 0, -1)) * widths / 2
    return areas.cumsum(dim)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """Central differences of ``input`` along each of ``dim`` (all dims by default), one-sided at
    the ends (first or second order, ``edge_order``). ``spacing`` is one number for every dim,
    one number per dim, or one tensor of sample coordinates per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = (
        list(range(input.ndim))
        if dim is None
        else ([dim] if isinstance(dim, numbers.Integral) else list(dim))
    )
    dims = [_wrap_dim(d, input.ndim, "gradient") for d in dims]
    for d in set(dims):
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            given = (
                "since dim argument was not given"
                if dim is None
                else f"since dim argument was given as {list(dims)}"
            )
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                f"length equal to 'self.dim() = {input.ndim}', {given}, but got a list of "
                f"length {len(spacing)}"
            )
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    f = _floating(input)
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, spacings))


def _gradient_along(f: Tensor, dim: int, h, edge_order: int) -> Tensor:
    n = f.shape[dim]
    lo, mid, hi = _along(f, dim, 0, n - 2), _along(f, dim, 1, n - 1), _along(f, dim, 2, n)
    first, last = f.narrow(dim, 0, 1), f.narrow(dim, n - 1, 1)
    if not isinstance(h, Tensor):  # one step for every interval
        inner = (hi - lo) / (2 * h)
        if edge_order == 1:
            start = (f.narrow(dim, 1, 1) - first) / h
            end = (last - f.narrow(dim, n - 2, 1)) / h
        else:
            start = (-1.5 * first + 2 * f.narrow(dim, 1, 1) - 0.5 * f.narrow(dim, 2, 1)) / h
            end = (0.5 * f.narrow(dim, n - 3, 1) - 2 * f.narrow(dim, n - 2, 1) + 1.5 * last) / h
        return _nt().cat([start, inner, end], dim)
    # sample coordinates: the second-order formula for uneven steps
    shape = (-1,) + (1,) * (f.ndim - 1 - dim)
    dx = (h[1:] - h[:-1]).to(f.dtype).reshape(shape)
    dx1, dx2 = dx[:-1], dx[1:]  # the steps before and after each inner point
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    inner = a * lo + b * mid + c * hi
    if edge_order == 1:
        start = (f.narrow(dim, 1, 1) - first) / dx[:1]
        end = (last - f.narrow(dim, n - 2, 1)) / dx[-1:]
    else:
        d1, d2 = dx[:1], dx[1:2]
        start = (
            -(2 * d1 + d2) / (d1 * (d1 + d2)) * first
            + (d1 + d2) / (d1 * d2) * f.narrow(dim, 1, 1)
            - d1 / (d2 * (d1 + d2)) * f.narrow(dim, 2, 1)
        )
        d1, d2 = dx[-2:-1], dx[-1:]
        end = (
            d2 / (d1 * (d1 + d2)) * f.narrow(dim, n - 3, 1)
            - (d2 + d1) / (d1 * d2) * f.narrow(dim, n - 2, 1)
            + (2 * d2 + d1) / (d2 * (d1 + d2)) * last
        )
    return _nt().cat([start, inner, end], dim)


METHODS = {"diff": diff}
