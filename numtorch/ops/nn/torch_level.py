"""The neural-network functions PyTorch also exposes as ``torch.*``: ``torch.softmax``,
``torch.conv2d``, ``torch.dropout``, ``torch.layer_norm`` ... each with the ``torch.*``
signature (which for some differs from ``nn.functional``'s: ``torch.embedding`` takes the
weight first, the losses take ``reduction`` as 0/1/2), calling the functions of this package.

NOTE: they sit in one module, not beside each kernel, because ``import numtorch`` loads them:
this module is small and loads the rest of the package on first call.
Also, re-exported from interpolate.py, ``pixel_shuffle``, ``pixel_unshuffle`` and
``channel_shuffle``.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .interpolate import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: F401

__all__ = [
    "softmax",
    "log_softmax",
    "dropout",
    "dropout_",
    "alpha_dropout",
    "alpha_dropout_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "relu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "rrelu",
    "rrelu_",
    "threshold",
    "threshold_",
    "hardshrink",
    "prelu",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "convolution",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "rms_norm",
    "embedding",
    "bilinear",
    "cosine_similarity",
    "pairwise_distance",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "avg_pool1d",
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "constant_pad_nd",
    "kl_div",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "triplet_margin_loss",
    "poisson_nll_loss",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
]

_REDUCTION = ("none", "mean", "sum")  # the enum behind torch.*'s integer ``reduction``
_FUNCTIONAL = []


def _F():
    """The functional namespace (ops/nn), loaded on first use to keep ``import numtorch`` small."""
    if not _FUNCTIONAL:
        from . import functional

        _FUNCTIONAL.append(functional)
    return _FUNCTIONAL[0]


def _alias(name: str, first: str = "input"):
    def fn(*args, **kwargs):
        return getattr(_F(), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.tensor_first = first  # what the argument check calls its first parameter
    fn.__doc__ = f"``torch.{name}``: ``nn.functional.{name}``."
    return fn


# the same signature at both levels
selu_ = _alias("selu_")
celu_ = _alias("celu_")
relu_ = _alias("relu_")
threshold_ = _alias("threshold_")
rrelu_ = _alias("rrelu_")
hardshrink = _alias("hardshrink")
prelu = _alias("prelu")
conv1d = _alias("conv1d")
conv2d = _alias("conv2d")
conv3d = _alias("conv3d")
conv_transpose1d = _alias("conv_transpose1d")
conv_transpose2d = _alias("conv_transpose2d")
conv_transpose3d = _alias("conv_transpose3d")
layer_norm = _alias("layer_norm")
group_norm = _alias("group_norm")
rms_norm = _alias("rms_norm")
bilinear = _alias("bilinear", "input1")
cosine_similarity = _alias("cosine_similarity", "x1")
pairwise_distance = _alias("pairwise_distance", "x1")
adaptive_avg_pool1d = _alias("adaptive_avg_pool1d")


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    return _F().softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    return _F().log_softmax(input, dim, dtype=dtype)


def selu(input: Tensor) -> Tensor:
    return _F().selu(input)


def celu(input: Tensor, alpha=1.0) -> Tensor:
    return _F().celu(input, alpha)


def rrelu(
    input: Tensor, lower=0.125, upper=1.0 / 3, training: bool = False, generator=None
) -> Tensor:
    return _F().rrelu(input, lower, upper, training)


def threshold(input: Tensor, threshold, value) -> Tensor:
    return _F().threshold(input, threshold, value)


# --- dropout: torch.* takes ``train`` positionally --------------------------------------------
def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


# --- convolution and normalisation with aten's argument order ----------------------------------
def convolution(
    input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
) -> Tensor:
    """The general convolution: ``conv{1,2,3}d`` or its transpose, by the weight's rank."""
    n = weight.ndim - 2
    F = _F()
    if transposed:
        fn = getattr(F, f"conv_transpose{n}d")
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(F, f"conv{n}d")(input, weight, bias, stride, padding, dilation, groups)


def batch_norm(
    input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True
) -> Tensor:
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input,
    weight,
    bias,
    running_mean,
    running_var,
    use_input_stats,
    momentum,
    eps,
    cudnn_enabled=True,
) -> Tensor:
    return _F().instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` (note: weight first); ``padding_idx=-1`` means none."""
    pad = None if padding_idx is None or padding_idx < 0 else padding_idx
    return _F().embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq)


# --- pooling and padding ------------------------------------------------------------------------
def _stride(stride):
    return None if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(
        input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True
    )


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return _F().avg_pool1d(
        input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad
    )


def adaptive_max_pool1d(input, output_size):
    """(values, indices), as ``torch.adaptive_max_pool1d`` returns both."""
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    return _F().pad(input, list(pad), value=value)


# --- losses with an integer ``reduction`` -------------------------------------------------------
def kl_div(input, target, reduction: int = 1, *, log_target: bool = False):
    return _F().kl_div(input, target, reduction=_REDUCTION[reduction], log_target=log_target)


def binary_cross_entropy_with_logits(
    input, target, weight=None, pos_weight=None, reduction: int = 1
):
    return _F().binary_cross_entropy_with_logits(
        input, target, weight, reduction=_REDUCTION[reduction], pos_weight=pos_weight
    )


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction: int = 1):
    return _F().cosine_embedding_loss(
        input1, input2, target, margin, reduction=_REDUCTION[reduction]
    )


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction: int = 1):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_REDUCTION[reduction])


def hinge_embedding_loss(input, target, margin=1.0, reduction: int = 1):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_REDUCTION[reduction])


def triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction: int = 1
):
    return _F().triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_REDUCTION[reduction]
    )


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(
        input, target, log_input, full, eps=eps, reduction=_REDUCTION[reduction]
    )


METHODS = {
    "softmax": softmax,
    "log_softmax": log_softmax,
    "hardshrink": hardshrink,
    "prelu": prelu,
}
