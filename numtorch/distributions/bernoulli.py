"""``Bernoulli``: 1 with probability ``probs``, else 0."""

from __future__ import annotations

from .._lazy import nt as _nt
from .._tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all
from .utils import probs_to_logits


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""

    arg_names = ("probs",)
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    _expand_params = ("probs", "logits")

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        # the one given is printed and validated, as in PyTorch (the other is derived)
        self.arg_names = ("probs",) if probs is not None else ("logits",)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            self.logits = probs_to_logits(self.probs, is_binary=True)
        else:
            (self.logits,) = broadcast_all(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape, validate_args=validate_args)

    mean = property(lambda self: self.probs)
    variance = property(lambda self: self.probs * (1 - self.probs))

    def sample(self, sample_shape=()) -> Tensor:
        nt = _nt()
        with nt.no_grad():
            return nt.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = _nt().broadcast_tensors(self.logits, value)
        return -_nt().nn.functional.binary_cross_entropy_with_logits(
            logits, value, reduction="none"
        )

    def entropy(self) -> Tensor:
        return _nt().nn.functional.binary_cross_entropy_with_logits(
            self.logits, self.probs, reduction="none"
        )
