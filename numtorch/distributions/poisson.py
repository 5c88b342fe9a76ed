"""``Poisson``: counts with mean ``rate``."""

from __future__ import annotations

from .._lazy import nt as _nt
from .._tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all


class Poisson(Distribution):
    """Counts with mean ``rate``: ``P(k) = rate**k exp(-rate) / k!``."""

    arg_names = ("rate",)
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    mean = property(lambda self: self.rate)
    variance = property(lambda self: self.rate)
    mode = property(lambda self: self.rate.floor())

    def sample(self, sample_shape=()) -> Tensor:
        nt = _nt()
        with nt.no_grad():
            return nt.poisson(self.rate.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = _nt().broadcast_tensors(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()
