"""Helpers the distributions share, as ``torch.distributions.utils`` names them."""

from __future__ import annotations

from .._lazy import nt as _nt
from .distribution import broadcast_all  # noqa: F401 - PyTorch's home of it


def probs_to_logits(probs, is_binary=False):
    eps = _nt().finfo(probs.dtype).eps
    p = probs.clamp(eps, 1 - eps)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def _sum_rightmost(value, dim: int):
    """``value`` summed over its ``dim`` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1)
