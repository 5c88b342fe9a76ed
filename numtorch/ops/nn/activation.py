"""Activation functions (``torch.nn.functional.relu``, ``gelu``, ``softmax`` ...)."""

from __future__ import annotations

import warnings

from ..._backend import array_module, device_of, transfer
from ..._tensor import Tensor, _wrap_dim, wrap
from ..inplace import inplace
from . import act_ops as ops
from . import dtype_checks as checks
from .gelu import Gelu

__all__ = [
    "gumbel_softmax",
    "threshold",
    "threshold_",
    "relu",
    "relu_",
    "relu6",
    "hardtanh",
    "hardtanh_",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "leaky_relu",
    "leaky_relu_",
    "prelu",
    "rrelu",
    "rrelu_",
    "glu",
    "gelu",
    "logsigmoid",
    "hardshrink",
    "tanhshrink",
    "softsign",
    "softplus",
    "softmin",
    "softmax",
    "log_softmax",
    "softshrink",
    "tanh",
    "sigmoid",
    "hardsigmoid",
    "silu",
    "mish",
    "hardswish",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(input, fn, flag, *args):
    return inplace(input, fn, *args) if flag else fn(input, *args)


def _float_only(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind not in "fcV":  # V: bfloat16 (ml_dtypes)
        name = input.dtype.scalar_type_name
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``input`` where it is greater than ``threshold``, else ``value``."""
    return _maybe_inplace(input, ops.Threshold.apply, inplace, threshold, value)


def threshold_(input, threshold, value):
    return inplace(input, ops.Threshold.apply, threshold, value)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """``input`` clipped to ``[min_val, max_val]``."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, ops.Hardtanh.apply, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    _float_only(input, "elu")
    return _maybe_inplace(input, ops.Elu.apply, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "elu")
    return _maybe_inplace(input, ops.Elu.apply, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    _float_only(input, "elu")
    return _maybe_inplace(input, ops.Celu.apply, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, ops.LeakyRelu.apply, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``input`` where positive, else ``weight * input`` (one weight, or one per channel)."""
    if weight._data.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
            f"ndim = {weight._data.ndim}"
        )
    checks.floating(input, "prelu_cpu")
    if weight.dtype is not input.dtype:
        raise RuntimeError(
            "prelu: Type promoting not supported. Got "
            f"{input.dtype.scalar_type_name} and {weight.dtype.scalar_type_name}"
        )
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{n} and channel size = {channels}."
        )
    if weight._data.ndim == 0:
        weight = weight.reshape(1)
    return ops.Prelu.apply(input, weight)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU: negative inputs scaled by a slope drawn uniformly from
    ``[lower, upper]`` in training, by ``(lower + upper) / 2`` in evaluation."""
    arr = input._data
    if training:
        from ... import random as _random

        # NOTE: as PyTorch's kernel: one 53-bit uniform per element <= 0, in order, scaled in
        # float64 (a separately rounded multiply and add) between the bounds rounded to the
        # input's compute dtype (float32 below float64), then cast
        xp = array_module(arr)
        hit = arr <= 0
        gen = _random.generator_for(device_of(arr))
        u = transfer(gen.uniform_double(int(hit.sum())), device_of(arr))
        bound = xp.float64 if arr.dtype == xp.float64 else xp.float32
        lo, hi = float(bound(lower)), float(bound(upper))
        noise = xp.ones(arr.shape, arr.dtype)
        noise[hit] = (u * (hi - lo) + lo).astype(arr.dtype)
    else:
        slope = arr.dtype.type((lower + upper) / 2)
        noise = ((arr > 0) * (1 - slope) + slope).astype(arr.dtype, copy=False)
    return _maybe_inplace(input, ops.MulNoise.apply, inplace, wrap(noise))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """First half of ``input`` along ``dim`` times the sigmoid of the second half."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input._data.shape[d]}"
        )
    return ops.Glu.apply(input, d)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate == "tanh")


def logsigmoid(input: Tensor) -> Tensor:
    return ops.LogSigmoid.apply(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return ops.Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return ops.Shrink.apply(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:
    return input / (input.abs() + 1)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold``."""
    return ops.Softplus.apply(input, beta, threshold)


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(cls, name, input, dim, dtype):
    if dim is None:
        dim = _softmax_dim(name, input._data.ndim)
    if dtype is not None:
        input = input.to(dtype)
    _float_only(input, f"{name}_lastdim_kernel_impl")
    nd = input._data.ndim
    if nd == 0:
        _wrap_dim(dim, 0)
        return cls.apply(input.reshape(1), 0).reshape(())
    d = _wrap_dim(dim, nd)
    if input._data.shape[d] == 0:
        return input.clone()
    return cls.apply(input, d)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (computed with the maximum subtracted)."""
    return _softmax_like(ops.Softmax, "softmax", input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    if dim is None:
        dim = _softmax_dim("softmin", input._data.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``: finite for logits of any magnitude."""
    return _softmax_like(ops.LogSoftmax, "log_softmax", input, dim, dtype)


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, ops.Hardsigmoid.apply, inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, ops.Silu.apply, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, ops.Mish.apply, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, ops.Hardswish.apply, inplace)


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """Samples from the Gumbel-softmax distribution; with ``hard=True`` the result is one-hot
    in the forward pass and keeps the soft sample's gradient (straight-through)."""
    from ..creation import empty_like, zeros_like

    # the Gumbel noise is -log of an exponential sample, drawn as PyTorch draws it
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
