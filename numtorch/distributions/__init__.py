"""``torch.distributions``: Normal, Uniform, Bernoulli, Categorical, Poisson, LogNormal,
HalfNormal, Gumbel, LogisticNormal, MultivariateNormal, Independent and
TransformedDistribution, with ``constraints``, ``transforms`` and ``biject_to``/``transform_to``;
each class lives in the module PyTorch defines it in.

Samples are drawn with numtorch's random functions in the order PyTorch draws them, so a seeded
program samples the same numbers. ``rsample`` is differentiable with respect to the parameters.
As in PyTorch, parameters and scored values are checked against their constraints unless
``validate_args=False`` (or ``Distribution.set_default_validate_args(False)``, or ``python -O``).
"""

from __future__ import annotations

from . import constraints, transforms
from .constraint_registry import biject_to, transform_to
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
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
    "Gumbel",
    "HalfNormal",
    "Independent",
    "LogNormal",
    "LogisticNormal",
    "MultivariateNormal",
    "Normal",
    "Poisson",
    "TransformedDistribution",
    "Uniform",
    "biject_to",
    "constraints",
    "transform_to",
    "transforms",
]
__all__ += transforms.__all__
from .kl import kl_divergence, register_kl  # noqa: E402

__all__ += ["kl_divergence", "register_kl"]
