"""``torch.special``: special mathematical functions with PyTorch's names and gradients.

    numtorch.special.gammaln(numtorch.tensor([0.5, 3.0]))   # log|gamma(x)|
    numtorch.special.expit(x)                                # sigmoid

The error functions are implemented in NumPy; log-gamma, its derivatives, most Bessel
functions and the normal quantile use SciPy when installed (the ``special`` extra).
"""

from __future__ import annotations

from ._aliases import with_numpy_aliases
from .ops.nn.activation import log_softmax as _log_softmax
from .ops.nn.activation import softmax as _softmax
from .ops.pointwise import xlogy
from .ops.reduction import logsumexp
from .ops.rounding import round
from .ops.special.functions import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    digamma,
    entr,
    erf,
    erfc,
    erfcx,
    erfinv,
    gammainc,
    gammaincc,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    logit,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    ndtr,
    ndtri,
    polygamma,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    spherical_bessel_j0,
    xlog1py,
    zeta,
)
from .ops.special.functions import lgamma as gammaln
from .ops.special.functions import mvlgamma as _mvlgamma
from .ops.unary import exp2, expm1, log1p, sinc
from .ops.unary import sigmoid as expit

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]

psi = digamma


def multigammaln(input, p: int, *, out=None):
    """The log of the multivariate gamma function of dimension ``p``."""
    return _mvlgamma(input, p, out=out)


def softmax(input, dim: int, *, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim`` (computed in ``dtype`` when given)."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None):
    """``x - logsumexp(x)`` along ``dim`` (computed in ``dtype`` when given)."""
    return _log_softmax(input, dim, dtype=dtype)


# PyTorch's native functions take NumPy-style keyword aliases (axis=, keepdims=)
_wrapped = {}  # one wrapper per function: an alias stays the same object (psi is digamma)
for _public in __all__:
    _fn = globals()[_public]
    if id(_fn) not in _wrapped:
        _wrapped[id(_fn)] = with_numpy_aliases(_fn, _public, "special_")
    globals()[_public] = _wrapped[id(_fn)]
del _public, _fn, _wrapped
