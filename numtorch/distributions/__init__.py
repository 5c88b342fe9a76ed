"""``torch.distributions``: Normal, Uniform, Bernoulli, Categorical, Poisson, LogNormal,
MultivariateNormal, Independent and TransformedDistribution, with ``constraints`` and
``transforms``; each class lives in the module PyTorch defines it in.

Samples are drawn with numtorch's random functions in the order PyTorch draws them, so a seeded
program samples the same numbers. ``rsample`` is differentiable with respect to the parameters.
As in PyTorch, parameters and scored values are checked against their constraints unless
``validate_args=False`` (or ``Distribution.set_default_validate_args(False)``, or ``python -O``).
"""

from __future__ import annotations

from . import constraints, transforms
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .transforms import *
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Independent",
    "LogNormal",
    "MultivariateNormal",
    "Normal",
    "Poisson",
    "TransformedDistribution",
    "Uniform",
    "constraints",
    "transforms",
]
__all__ += transforms.__all__
from .kl import kl_divergence, register_kl  # noqa: E402

__all__ += ["kl_divergence", "register_kl"]
