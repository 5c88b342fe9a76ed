"""Loss functions (``torch.nn.functional.mse_loss``, ``cross_entropy`` ...).

Losses that PyTorch computes in one kernel are fused primitives (``loss_ops.py``); the rest
are compositions of numtorch ops, so their graphs (and grad_fn names) match PyTorch's.
"""

from __future__ import annotations

import warnings

from ... import _dtype
from ..._autocast import REGION, op_inputs, unifies
from ..._backend import kind_of
from ..._tensor import Tensor, wrap
from ..arithmetic import _check_bool_sub, operands
from . import dtype_checks as checks
from . import loss_ops as ops
from .activation import log_softmax

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "soft_margin_loss",
    "multi_margin_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce) -> str:
    """The ``reduction`` string for the deprecated ``size_average`` / ``reduce`` arguments."""
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        f"{_legacy(size_average, reduce)}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return _legacy(size_average, reduce)


def _legacy(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduction(reduction, size_average=None, reduce=None) -> str:
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_broadcast(input, target):
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _pair(input, target):
    x, y = operands(input, target)
    if isinstance(y, Tensor) and x._data.shape != y._data.shape:
        import numtorch

        try:
            numtorch.broadcast_shapes(x.shape, y.shape)
        except (RuntimeError, ValueError, AttributeError):
            _shape_mismatch(x, y)
    return x, y


def _shape_mismatch(x, y):
    a, b = x._data.shape, y._data.shape
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and 1 not in (da, db):
            raise RuntimeError(
                f"The size of tensor a ({da}) must match the size of tensor b ({db}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}"
            )


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight=None,
) -> Tensor:
    """Mean squared error: ``(input - target) ** 2`` reduced."""
    red = _reduction(reduction, size_average, reduce)
    _warn_broadcast(input, target)
    checks.loss_values(input, target, "mse_cpu")
    x, y = _pair(input, target)
    if weight is not None:
        return _reduce_weighted((x - y) ** 2, weight, red)
    return ops.MseLoss.apply(x, y, red)


def _reduce_weighted(loss, weight, red):
    return apply_reduction(loss * weight, red)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight=None,
) -> Tensor:
    """Mean absolute error."""
    input, target = op_inputs("l1_loss", input, target)
    red = _reduction(reduction, size_average, reduce)
    _warn_broadcast(input, target)
    x, y = _pair(input, target)
    loss = (x - y).abs()
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, red)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Quadratic below ``beta``, linear above: ``0.5 d**2 / beta`` or ``|d| - 0.5 beta``."""
    red = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_broadcast(input, target)
    checks.loss_values(input, target, "smooth_l1_cpu")
    x, y = _pair(input, target)
    return ops.SmoothL1Loss.apply(x, y, red, float(beta))


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight=None
) -> Tensor:
    """``0.5 d**2`` below ``delta``, ``delta * (|d| - 0.5 delta)`` above."""
    red = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_broadcast(input, target)
    checks.loss_values(input, target, "huber_cpu")
    x, y = _pair(input, target)
    if weight is not None:
        return _reduce_weighted(ops.HuberLoss.apply(x, y, "none", float(delta)), weight, red)
    return ops.HuberLoss.apply(x, y, red, float(delta))


def _check_nll(input, target, weight, ignore_index, op):
    checks.class_target(target)
    checks.expect_same(input, weight)
    xs, ts = input._data.shape, target._data.shape
    if input._data.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input._data.ndim})")
    if input._data.ndim == 1:
        if target._data.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif ts[:1] != xs[:1] and target._data.ndim >= 1:
        raise ValueError(
            f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0]})."
        )
    elif input._data.ndim == 2 and target._data.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif input._data.ndim > 2 and ts[1:] != xs[2:]:
        raise RuntimeError(f"Expected target size {[xs[0]] + list(xs[2:])}, got {list(ts)}")
    classes = xs[1] if input._data.ndim > 1 else xs[0]
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    t = target._data
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        value = int(t[bad].reshape(-1)[0])
        raise IndexError(
            f"Target {value} is out of bounds. ({op}: input of shape {list(xs)} has {classes} "
            f"classes, target of shape {list(ts)})"
        )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` classes given log-probabilities ``input``
    (N, C, ...) with the class dim 1 (or (C,) for one sample)."""
    red = _reduction(reduction, size_average, reduce)
    _check_nll(input, target, weight, ignore_index, "nll_loss")
    return _nll(input, target, weight, ignore_index, red)


def _nll(input, target, weight, ignore_index, red):
    if input._data.ndim == 1:
        out = ops.NllLoss.apply(
            input.unsqueeze(0), wrap(target._data.reshape(1)), _arr(weight), ignore_index, red
        )
        return out.squeeze(0) if red == "none" else out
    loss = ops.NllLoss if input._data.ndim == 2 else ops.NllLoss2D
    return loss.apply(input, target._data, _arr(weight), ignore_index, red)


def _arr(t):
    return None if t is None else t._data


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)``; ``target`` holds class indices, or class
    probabilities of ``input``'s shape. ``label_smoothing`` mixes in a uniform target."""
    input, target, weight = op_inputs("cross_entropy_loss", input, target, weight)
    red = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    cdim = 0 if input._data.ndim == 1 else 1
    classes = input._data.shape[cdim]
    probs = kind_of(target._data.dtype) == "f" and target._data.shape == input._data.shape
    if _fused(input, probs, classes, label_smoothing):
        _check_nll(input, target, weight, ignore_index, "cross_entropy")
        return ops.CrossEntropy.apply(input, target._data, _arr(weight), ignore_index, red)[0]
    logp = log_softmax(input, cdim)
    if probs:
        return _cross_entropy_probs(logp, target, weight, red, label_smoothing, cdim, classes)
    _check_nll(input, target, weight, ignore_index, "cross_entropy")
    nll = _nll(logp, target, weight, ignore_index, red)
    if label_smoothing == 0:
        return nll
    return nll * (1 - label_smoothing) + _smooth_term(
        logp, target, weight, ignore_index, red, cdim
    ) * (label_smoothing / classes)


def _fused(input, probs, classes, label_smoothing) -> bool:
    """Whether ``cross_entropy`` runs as one node (ops.CrossEntropy): (N, C) float logits with
    class indices, no smoothing, outside autocast (whose lists cast log_softmax's and nll_loss's
    inputs each by its own rule)."""
    x = input._data
    return (
        x.ndim == 2
        and classes > 1
        and not probs
        and label_smoothing == 0
        and x.dtype.kind == "f"
        and not REGION.active
    )


def _class_shape(weight, logp, cdim):
    return weight.reshape([-1 if i == cdim else 1 for i in range(logp.ndim)])


def _smooth_term(logp, target, weight, ignore_index, red, cdim):
    keep = wrap((target._data != ignore_index).astype(logp._data.dtype))
    lp = logp if weight is None else logp * _class_shape(weight, logp, cdim)
    smooth = -lp.sum(cdim) * keep
    if red == "none":
        return smooth
    if red == "sum":
        return smooth.sum()
    if weight is None:
        return smooth.sum() / keep.sum()
    t = target._data[target._data != ignore_index]
    return smooth.sum() / weight._data[t].sum()


def _cross_entropy_probs(logp, target, weight, red, smoothing, cdim, classes):
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / classes
    terms = logp * target
    if weight is not None:
        terms = terms * _class_shape(weight, logp, cdim)
    loss = -terms.sum(cdim)
    if red == "mean":
        n = logp.numel() // classes if classes else 0
        return loss.sum() / n
    return apply_reduction(loss, red)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``-(y log x + (1 - y) log(1 - x))`` for probabilities ``x`` (logs clamped at -100)."""
    red = _reduction(reduction, size_average, reduce)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if target.dtype is not input.dtype and not unifies(target, input):
        raise RuntimeError(
            f"Found dtype {target.dtype.scalar_type_name} but expected "
            f"{input.dtype.scalar_type_name}"
        )
    x, y = operands(input, target)
    a = x._data
    if a.size and ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        weight = weight.expand(x.shape) if weight.shape != x.shape else weight
    return ops.BinaryCrossEntropy.apply(x, y, _arr(weight), red)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from logits;
    ``pos_weight`` scales the positive term."""
    red = _reduction(reduction, size_average, reduce)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    _check_logits_target(input, target)
    x, y = operands(input, target)
    return ops.BinaryCrossEntropyWithLogits.apply(x, y, _arr(weight), _arr(pos_weight), red)


def _check_logits_target(input, target):
    checks.floating(input, "log_sigmoid_cpu")
    if target.dtype is _dtype.bool:  # PyTorch computes 1 - target
        _check_bool_sub(target, target)
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "result type Float can't be cast to the desired output type "
            + target.dtype.scalar_type_name
        )


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """``log(1 + exp(-y x))``."""
    red = _reduction(reduction, size_average, reduce)
    if isinstance(target, Tensor) and target.requires_grad:
        raise RuntimeError(
            "The function 'soft_margin_loss' is not differentiable with respect to argument "
            "'target'. This input cannot have requires_grad True."
        )
    x, y = _pair(input, target)
    return ops.SoftMarginLoss.apply(x, y, red)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i]) ** p / C``."""
    red = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    nd = input._data.ndim
    if (
        nd > 2
        or (nd == 2 and target._data.shape != input._data.shape[:1])
        or (nd <= 1 and target._data.size != 1)
    ):
        raise RuntimeError(
            "inconsistent target size, expected "
            f"{input._data.shape[0] if nd == 2 else 1} but got {list(target.shape)}"
        )
    checks.class_target(target, "margin")
    checks.expect_same(input, weight)
    c = input._data.shape[-1] if nd else 1
    t = target._data
    if ((t < 0) | (t >= c)).any():
        raise IndexError(f"target out of range (multi_margin_loss: {c} classes)")
    x = input if nd else input.reshape(1)
    return ops.MultiMarginLoss.apply(
        x, t.reshape(-1) if nd <= 1 else t, p, float(margin), _arr(weight), red
    )
