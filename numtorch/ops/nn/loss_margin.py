"""Margin and embedding losses (cosine embedding, margin ranking, hinge embedding, triplet and
multilabel margin), composed of numtorch ops as PyTorch composes them, so graphs and grad_fn
names agree."""

from __future__ import annotations

from ..._autocast import op_inputs
from ..._lazy import nt as _nt
from ..._tensor import Tensor
from ..arithmetic import Div
from ..reduction import MeanAll, SumAll
from ..shape import _view
from ..squeeze_expand import Squeeze
from . import dtype_checks as checks
from .activation import logsigmoid
from .distance import cosine_similarity, pairwise_distance
from .loss import _reduction, apply_reduction

__all__ = [
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "multilabel_soft_margin_loss",
    "multilabel_margin_loss",
]


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos - margin)`` where it is -1."""
    input1, input2, target = op_inputs("cosine_embedding_loss", input1, input2, target)
    red = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2):
        raise RuntimeError(
            f"cosine_embedding_loss: Expected 1D or 2D input, got input1 of shape "
            f"{list(input1.shape)} and input2 of shape {list(input2.shape)}"
        )
    nt = _nt()
    cos = cosine_similarity(input1, input2, dim=-1, eps=1e-12)
    zeros = cos * 0
    pos = nt.where(target == 1, 1 - cos, zeros)
    neg = nt.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return apply_reduction(pos + neg, red)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    input1, input2, target = op_inputs("margin_ranking_loss", input1, input2, target)
    red = _reduction(reduction, size_average, reduce)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return apply_reduction((-target * (input1 - input2) + margin).clamp_min(0), red)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where it is -1."""
    input, target = op_inputs("hinge_embedding_loss", input, target)
    red = _reduction(reduction, size_average, reduce)
    nt = _nt()
    zeros = input * 0
    margin_part = nt.where(target != 1, (margin - input).clamp_min(0), zeros)
    self_part = nt.where(target != -1, input, zeros)
    return apply_reduction(margin_part + self_part, red)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with the p-norm
    distance; ``swap`` uses the smaller of d(a, n) and d(p, n)."""
    anchor, positive, negative = op_inputs("triplet_margin_loss", anchor, positive, negative)
    red = _reduction(reduction, size_average, reduce)
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1 or dims[0] not in (1, 2):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _nt().minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return apply_reduction((margin + d_pos - d_neg).clamp_min(0), red)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``triplet_margin_loss`` with any distance function (default: pairwise_distance)."""
    red = _reduction(reduction)
    if margin <= 0:
        raise ValueError(
            f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
            f"got {margin} instead"
        )
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _nt().minimum(d_neg, dist(positive, negative))
    return apply_reduction((margin + d_pos - d_neg).clamp_min(0), red)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Per-class logistic loss averaged over the classes (last dim)."""
    red = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    c = input.shape[input.ndim - 1]
    loss = loss.sum(dim=input.ndim - 1) / c
    return apply_reduction(loss, red)


def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Hinge loss between each target class and each non-target class, over the number of
    classes. Each row of ``target`` lists class indices and ends at its first -1 (a class
    listed twice counts twice)."""
    input, target = op_inputs("multilabel_margin_loss", input, target)
    red = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    checks.class_target(target, "margin")
    x, y = (input, target) if input.ndim > 1 else (input.unsqueeze(0), target.unsqueeze(0))
    nt = _nt()
    listed = (y == -1).long().cumsum(1) == 0  # the entries before the first -1
    labels = nt.where(listed, y, 0)
    is_target = ((labels.unsqueeze(2) == nt.arange(x.shape[1])) & listed.unsqueeze(2)).any(1)
    picked = x.gather(1, labels)  # (N, K): the score of each listed class
    hinge = (1 - picked.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)  # (N, K, C)
    pairs = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    # one fused node in PyTorch: the last node here shows its name
    total, name = (hinge * pairs).sum((1, 2)), "MultilabelMarginLossBackward0"
    if red == "none" and input.ndim > 1:
        return Div.named(name).apply(total, x.shape[1])
    loss = total / x.shape[1]
    if red == "none":
        return _view(Squeeze.named(name), loss, (0,))
    return (MeanAll if red == "mean" else SumAll).named(name).apply(loss, (0,), False, None)
