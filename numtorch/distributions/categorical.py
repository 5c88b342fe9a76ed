"""``Categorical``: one of ``K`` categories."""

from __future__ import annotations

import math

from .._lazy import nt as _nt
from .._tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .utils import probs_to_logits


class Categorical(Distribution):
    """One of ``K`` categories (the last dim of ``probs`` or ``logits``)."""

    arg_names = ("probs",)
    _expand_params = ("probs", "logits")
    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        # the one given is printed and validated, as in PyTorch (the other is derived)
        self.arg_names = ("probs",) if probs is not None else ("logits",)
        if probs is not None:
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = probs_to_logits(self.probs)
        else:
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = self.probs.shape[-1]
        super().__init__(self.probs.shape[:-1], validate_args=validate_args)

    @property
    def param_shape(self) -> Size:
        return self.probs.shape

    mean = property(
        lambda self: _nt().full(self._extended_shape(), math.nan, dtype=self.probs.dtype)
    )
    mode = property(lambda self: self.probs.argmax(-1))

    def sample(self, sample_shape=()) -> Tensor:
        nt = _nt()
        sample_shape = Size(tuple(sample_shape))
        with nt.no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples = nt.multinomial(probs_2d, sample_shape.numel(), True).T
        return samples.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = _nt().broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        logits = self.logits.clamp(min=_nt().finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)
