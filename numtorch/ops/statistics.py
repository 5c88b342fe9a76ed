"""Covariance and correlation of variables observed in a matrix's columns (``cov``,
``corrcoef``). Both are compositions of existing primitives, so their gradients come from those.
"""

from __future__ import annotations

import warnings

from .. import _dtype
from .._lazy import nt as _nt
from .._tensor import Tensor

__all__ = ["cov", "corrcoef"]


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


METHODS = {"cov": cov, "corrcoef": corrcoef}
