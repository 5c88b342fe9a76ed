"""Statistics and numerical integration (cov, corrcoef, dist, trapezoid ...) and small
predicates and shape helpers (ravel, sum_to_size, diagflat, vander, unravel_index, renorm).

All are compositions of existing primitives, so their gradients come from those.
"""

from __future__ import annotations

import numbers
import warnings

from .. import _dtype
from .._tensor import Size, Tensor, _wrap_dim
from .inplace import inplace

__all__ = [
    "cov",
    "corrcoef",
    "dist",
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "gradient",
    "vander",
    "diagflat",
    "renorm",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "unravel_index",
    "ravel",
]


def _nt():
    import numtorch

    return numtorch


def _floating(t: Tensor) -> Tensor:
    return t if t.is_floating_point() or t.is_complex() else t.to(_dtype.get_default_dtype())


# --- covariance ---------------------------------------------------------------------------------
def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """Covariance of the variables in ``input``'s rows, observed in its columns."""
    if input.ndim > 2:
        raise ValueError(
            f"cov(): expected input to have two or fewer dimensions but got an "
            f"input with {input.ndim} dimensions"
        )
    x = _floating(input if input.ndim == 2 else input.reshape(1, -1))
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        if fweights.is_floating_point() or fweights.is_complex():
            raise ValueError("cov(): expected fweights to have integral dtype")
        w = fweights
    if aweights is not None:
        if not aweights.is_floating_point():
            raise ValueError("cov(): expected aweights to have floating point dtype")
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum = n_obs
        avg = x.mean(1)
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if float(norm) <= 0:
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less "
            "than the number of observations.",
            UserWarning,
            stacklevel=2,
        )
        norm = norm * 0 if isinstance(norm, Tensor) else 0
    xc = x - avg.unsqueeze(1)
    right = xc if w is None else xc * w
    c = xc.mm(right.t().conj() if right.is_complex() else right.t())
    return (c / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in ``input``'s rows."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    std = (d.real if d.is_complex() else d).sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    if c.is_complex():
        return _nt().complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast)."""
    return _nt().linalg.vector_norm(input - other, p)


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


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened input on its ``offset`` diagonal."""
    return _nt().diag(input.reshape(-1), offset)


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each slice along ``dim`` rescaled to p-norm at most ``maxnorm``."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if input.ndim <= 1:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions"
        )
    dim = _wrap_dim(dim, input.ndim, "renorm")
    others = tuple(d for d in range(input.ndim) if d != dim)
    norms = _nt().linalg.vector_norm(input, p, dim=others, keepdim=True)
    # NOTE: the 1e-7 guard against a zero norm is PyTorch's, so values agree to rounding
    factor = (maxnorm / (norms + 1e-7)).where(norms > maxnorm, norms.new_ones(()))
    return input * factor


# --- predicates ---------------------------------------------------------------------------------
def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (raises for any other size)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item() != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape


def is_signed(input: Tensor) -> bool:
    return input.dtype.is_signed


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


# --- shape helpers --------------------------------------------------------------------------------
def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when the memory allows)."""
    return input.reshape(-1)


def sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum over the dimensions that ``size`` would broadcast, to a tensor of ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = self.shape
    lead = len(shape) - len(size)
    ok = lead >= 0 and all(s == t or s == 1 for s, t in zip(size, shape[lead:]))
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = self.sum(dim=dims, keepdim=True) if dims else self
    return out.reshape(Size(size)) if lead else out


METHODS = {
    "cov": cov,
    "corrcoef": corrcoef,
    "dist": dist,
    "diagflat": diagflat,
    "renorm": renorm,
    "renorm_": lambda self, p, dim, maxnorm: inplace(self, renorm, p, dim, maxnorm),
    "is_nonzero": is_nonzero,
    "is_same_size": is_same_size,
    "is_signed": is_signed,
    "ravel": ravel,
    "sum_to_size": sum_to_size,
}
