"""``torch.distributions``: Normal, Uniform, Bernoulli, Categorical and Poisson.

Samples are drawn with numtorch's random functions in the order PyTorch draws them, so a seeded
program samples the same numbers. ``rsample`` (Normal, Uniform) is differentiable with respect
to the parameters. Arguments are not validated (``validate_args`` is accepted and ignored).
"""

from __future__ import annotations

from .distribution import Distribution
from .simple import Bernoulli, Categorical, Normal, Poisson, Uniform

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical", "Poisson"]
from .kl import kl_divergence, register_kl  # noqa: E402

__all__ += ["kl_divergence", "register_kl"]
