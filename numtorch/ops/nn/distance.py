"""Distances and similarities: cosine_similarity, pairwise_distance, normalize."""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd import grad_mode
from ..distance import pdist

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "normalize"]


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``||x||`` along ``dim`` (kept), raised to at least ``eps`` outside autograd: the
    gradient flows as if unclamped, as in PyTorch."""
    n = x.norm(2, dim, keepdim=True).clone()
    with grad_mode.no_grad():
        n.clamp_min_(eps)
    return n


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``."""
    import numtorch

    a, b = numtorch.broadcast_tensors(x1, x2)
    if not a.is_floating_point():
        a, b = a.float(), b.float()
    return ((a / _clamped_norm(a, dim, eps)) * (b / _clamped_norm(b, dim, eps))).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim."""
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return diff.abs() if not keepdim else diff.abs().reshape(1)
    return diff.norm(p, -1, keepdim=keepdim)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result
