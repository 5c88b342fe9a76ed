"""Losses composed of numtorch ops (as PyTorch composes them, so graphs and grad_fn names
agree): KL divergence, Poisson and Gaussian NLL, margin and embedding losses."""

from __future__ import annotations

import math
import warnings

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import relabel
from . import dtype_checks as checks
from .activation import logsigmoid
from .distance import cosine_similarity, pairwise_distance
from .loss import _reduction, apply_reduction

__all__ = [
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "multilabel_soft_margin_loss",
    "multilabel_margin_loss",
    "linear_cross_entropy",
]


def _nt():
    import numtorch

    return numtorch


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """``target * (log(target) - input)`` for log-probabilities ``input``."""
    if size_average is not None or reduce is not None:
        red = _reduction("mean", size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                UserWarning,
                stacklevel=2,
            )
        red = "sum" if reduction == "batchmean" else _reduction(reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _nt().xlogy(target, target) - target * input
    out = apply_reduction(loss, red)
    if reduction == "batchmean" and input.ndim != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under Poisson(``input``) (or
    Poisson(``exp(input)``) with ``log_input``); ``full`` adds Stirling's term."""
    red = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + _nt().where(t > 1, stirling, t * 0)
    return apply_reduction(loss, red)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """``0.5 * (log(var) + (input - target)**2 / var)`` with ``var`` clamped at ``eps``."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _nt().ones_like(input) * var
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (
            input.ndim == var.ndim and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1
        ):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return apply_reduction(loss, reduction)


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
    loss = (hinge * pairs).sum((1, 2)) / x.shape[1]
    if input.ndim == 1:
        loss = loss.squeeze(0)
    return relabel(apply_reduction(loss, red), "MultilabelMarginLossBackward0")


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options=None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    ``linear_weight`` is ``(C, in_features)``, or ``(C, d_1, ..., d_K, in_features)`` for a
    K-dimensional loss (logits ``(N, C, d_1, ..., d_K)``). ``options`` (chunking, to save memory
    in PyTorch) is accepted; numtorch computes the logits whole, which gives the same loss.
    """
    from .layers import linear
    from .loss import cross_entropy

    shape = linear_weight.shape[:-1]  # (C, d_1, ..., d_K)
    flat = linear_weight.reshape(-1, linear_weight.shape[-1])
    bias = None if linear_bias is None else linear_bias.reshape(-1)
    logits = linear(input, flat, bias)
    if len(shape) > 1:
        logits = logits.reshape(tuple(input.shape[:-1]) + tuple(shape))
    return cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        ignore_index=-100 if ignore_index is None else ignore_index,
        label_smoothing=label_smoothing,
    )
