"""Dropout and its channel-wise (feature) and SELU (alpha) variants, with PyTorch's checks,
warnings and random draws: a mask of ``bernoulli(1 - p)`` draws, one per element or one per
``(sample, channel)``, scaled by ``1 / (1 - p)``."""

from __future__ import annotations

import math
import warnings

from ... import _dtype
from ..._backend import array_module, device_of, transfer
from ..._tensor import Tensor, wrap
from ...autograd.function import Primitive
from ..inplace import inplace

__all__ = [
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
]


class _MaskMul(Primitive):
    """``x * mask`` with a constant mask (PyTorch records a MulBackward0 here)."""

    _name = "MulBackward0"

    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x * mask

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _draws(arr, shape, alpha=False):
    """``shape`` bernoulli draws are about to be made for ``arr``: PyTorch's dtype refusals."""
    dt = _dtype.from_np(arr.dtype)
    if dt.is_complex:
        raise _dtype.not_implemented("bernoulli_scalar_cpu_", dt)
    if not dt.is_floating_point:
        # alpha dropout computes in integers first, so a bool input reports Long
        name = "Long" if alpha and dt is _dtype.bool else dt.scalar_type_name
        raise RuntimeError(f"result type Float can't be cast to the desired output type {name}")


def _keep(arr, shape, p, alpha=False):
    """``shape`` draws of ``bernoulli(1 - p)`` as ``arr``'s dtype."""
    from ... import random as _random

    _draws(arr, shape, alpha)
    gen = _random.generator_for(device_of(arr))
    return transfer(gen.bernoulli_scalar(shape, 1 - p).astype(arr.dtype), device_of(arr))


def dropout_mask(arr, shape, p):
    """The mask that multiplies ``arr``: ``shape`` draws kept with probability ``1 - p`` and
    scaled by ``1 / (1 - p)``. torch.compile records this call as one step of its replay, so
    that each replay draws from numtorch's random stream as eager mode does."""
    if p == 1:  # PyTorch multiplies by zero and draws nothing
        return array_module(arr).zeros((), arr.dtype)
    return _keep(arr, shape, p) / arr.dtype.type(1 - p)


def _apply_mask(input, mask, flag):
    if flag:
        return inplace(input, _MaskMul.apply, mask)
    return _MaskMul.apply(input, mask)


def _mask_shape(shape, feature):
    """Elementwise, or one draw per ``(sample, channel)`` (PyTorch's feature noise)."""
    if not feature:
        return shape
    if len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return shape[:2] + (1,) * (len(shape) - 2)


def _dropout(input, p, training, inplace, feature=False, unbatched=False):
    _check_p(p)
    arr = input._data
    if not training or p == 0 or arr.size == 0:
        return input
    # an unbatched input is dropped as a batch of one
    shape = _mask_shape(((1,) if unbatched else ()) + arr.shape, feature)[unbatched:]
    return _apply_mask(input, dropout_mask(arr, shape, p), inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    return _dropout(input, p, training, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, L) or (C, L) input."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _dropout(input, p, training, inplace, feature=True, unbatched=nd == 2)


def _warn_rank(input, spatial):
    nd = input.dim()
    if nd not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"dropout{spatial}d: Received a {nd}-D input to dropout{spatial}d, which is "
            "deprecated and will result in an error in a future release. To retain the behavior "
            f"and silence this warning, please use dropout instead. Note that dropout{spatial}d "
            f"exists to provide channel-wise dropout on inputs with {spatial} spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. "
            f"{spatial + 1}D or {spatial + 2}D inputs).",
            stacklevel=3,
        )
    return nd


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, H, W) input. Any other rank is dropped as (N, C, ...)
    with PyTorch's warnings: a 3-D input is (N, C, L), not an unbatched (C, H, W)."""
    _check_p(p)
    if _warn_rank(input, 2) == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input; any rank but 5 is taken
    as unbatched (with PyTorch's warning for ranks other than 4)."""
    _check_p(p)
    nd = _warn_rank(input, 3)
    return _dropout(input, p, training, inplace, feature=True, unbatched=nd != 5)


_SELU_NEG = 1.7580993408473766  # -scale * alpha of SELU: where its output saturates


def _alpha(input, p, training, feature):
    _check_p(p)
    arr = input._data
    if not training or p == 0 or arr.size == 0:
        return input
    if p == 1:
        return input * 0
    scale, shift = alpha_dropout_masks(arr, _mask_shape(arr.shape, feature), p)
    return input * wrap(scale) + wrap(shift)


def alpha_dropout_masks(arr, shape, p):
    """``(scale, shift)`` of alpha dropout from ``shape`` draws; recorded by torch.compile as
    one step (see ``dropout_mask``)."""
    keep = _keep(arr, shape, p, alpha=True)
    # NOTE: kept units become a * x + b, dropped ones b - a * alpha': a and b restore the
    # mean and variance that SELU's fixed point expects.
    a = 1.0 / math.sqrt((_SELU_NEG * _SELU_NEG * p + 1) * (1 - p))
    shift = ((keep - 1) * (_SELU_NEG * a) + _SELU_NEG * a * p).astype(arr.dtype)
    return (keep * a).astype(arr.dtype), shift


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and an
    affine correction keeps the mean and variance."""
    return _alpha(input, p, training, feature=False)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels (one draw per ``(sample, channel)``)."""
    return _alpha(input, p, training, feature=True)
