"""Normalisation over batches and groups: ``F.batch_norm``, ``F.instance_norm``,
``F.group_norm``, ``F.local_response_norm``."""

from __future__ import annotations

from ..._backend import array_module, widened
from ..._tensor import Tensor
from ..arithmetic import Add, Mul
from ..shape import View, _view
from . import dtype_checks as checks
from . import norm_ops as _norm
from .conv import pad
from .pooling import avg_pool2d, avg_pool3d

__all__ = ["batch_norm", "instance_norm", "group_norm", "local_response_norm"]


# PyTorch runs instance norm as a batch norm and a view, and group norm as one fused node: the
# last node numtorch makes for each shows PyTorch's name
_INSTANCE = _norm.Normalize.named("ViewBackward0")
_INSTANCE_STATS = _norm.NormalizeStats.named("ViewBackward0")
_GROUP = "NativeGroupNormBackward0"


def _update_running(running, stat, momentum):
    """``running = (1 - momentum) * running + momentum * stat`` in place, outside autograd."""
    data = running._data
    data *= 1 - momentum
    data += momentum * stat.astype(data.dtype, copy=False)
    running._vc[0] += 1


def update_running_stats(running_mean, running_var, mean, var, momentum, count, per_instance):
    """Move the running statistics (tensors, or None) towards a batch's ``mean`` and biased
    ``var`` (arrays over ``count`` values per channel). torch.compile records this call as one
    step of its replay, so that each replay moves the buffers as eager mode does."""
    c = mean.shape[1]
    m, v = mean.reshape(-1, c), var.reshape(-1, c)
    if per_instance:  # instance norm: the running stats average over the batch
        m, v = m.mean(axis=0), v.mean(axis=0)
    else:
        m, v = m[0], v[0]
    if running_mean is not None:
        _update_running(running_mean, m, momentum)
    if running_var is not None:
        _update_running(running_var, v * (count / (count - 1)), momentum)


def count_batch(num_batches_tracked) -> None:
    """One more batch seen by a BatchNorm layer in training (recorded by torch.compile as one
    step, as ``update_running_stats`` is)."""
    num_batches_tracked._data += 1
    num_batches_tracked._vc[0] += 1


def _check_param(t, name, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalises each channel (axis 1) over the batch and spatial dims.

    In training, uses the batch's statistics and moves ``running_mean`` / ``running_var``
    (unbiased) towards them by ``momentum``; otherwise uses the running statistics.
    """
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or more input (got {input.dim()}D input)")
    c = input.shape[1]
    for t, name in (
        (running_mean, "running_mean"),
        (running_var, "running_var"),
        (weight, "weight"),
        (bias, "bias"),
    ):
        _check_param(t, name, c)
    # the running statistics stay as they are: they are updated in place
    weight, bias, _, _ = checks.norm_params(
        input, "batch_norm", weight, bias, running_mean, running_var
    )
    if training:
        count = input.numel() // max(c, 1)
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input "
                f"size {input.shape}"
            )
        axes = (0,) + tuple(range(2, input.dim()))
        return _train_norm(
            input, weight, bias, running_mean, running_var, momentum, eps, axes, count, None
        )
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    mean, var = running_stats(running_mean, running_var, input._data.dtype)
    return _norm.NormalizeStats.apply(input, weight, bias, mean, var, eps)


def running_stats(running_mean, running_var, dtype):
    """Copies of the running statistics as ``dtype`` arrays: what a backward saves stays as
    it is when the buffers move on. Recorded by torch.compile as one step of its replay."""
    return running_mean._data.astype(dtype), running_var._data.astype(dtype)


def _train_norm(
    input, weight, bias, running_mean, running_var, momentum, eps, axes, count, per_instance
):
    x = input._data
    xp = array_module(x)
    mean, var = _norm.batch_stats(xp, widened(x), axes)  # bfloat16's in float32
    node = _INSTANCE if per_instance else _norm.Normalize
    out = node.apply(input, weight, bias, mean, var, eps, axes)
    if running_mean is not None or running_var is not None:
        update_running_stats(running_mean, running_var, mean, var, momentum, count, per_instance)
    return out


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalises each channel of each sample over its spatial dims."""
    checks.floating(input, "batch_norm")
    c = input.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var")):
        _check_param(t, name, c)
    if use_input_stats:
        axes = tuple(range(2, input.dim()))
        count = 1
        for a in axes:
            count *= input.shape[a]
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {input.shape}"
            )
        return _train_norm(
            input, weight, bias, running_mean, running_var, momentum, eps, axes, count, True
        )
    return _INSTANCE_STATS.apply(input, weight, bias, running_mean._data, running_var._data, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalises each group of ``C / num_groups`` channels of each sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    weight, bias = checks.norm_params(input, "GroupNormKernelImpl", weight, bias)
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by "
            f"num_groups, but got input of shape {list(input.shape)} and "
            f"num_groups={num_groups}"
        )
    grouped = input.reshape(n, num_groups, -1)
    x = grouped._data
    mean, var = _norm.batch_stats(array_module(x), widened(x), (2,))
    normed = _norm.Normalize.apply(grouped, None, None, mean, var, eps, (2,))
    if weight is None and bias is None:
        return _view(View.named(_GROUP), normed, tuple(input.shape))
    out = normed.reshape(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)
    if bias is None:
        return Mul.named(_GROUP).apply(out, weight.reshape(shape))
    if weight is not None:
        out = out * weight.reshape(shape)
    return Add.named(_GROUP).apply(out, bias.reshape(shape))


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Divides each value by a power of the mean square over ``size`` neighbouring channels."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = (input * input).unsqueeze(1)
    if dim == 3:
        sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(sq, (size, 1), stride=1).squeeze(1)
    else:
        shape = input.shape
        sq = sq.reshape(shape[0], 1, shape[1], shape[2], -1)
        sq = pad(sq, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(sq, (size, 1, 1), stride=1).squeeze(1).reshape(shape)
    return input / (div * alpha + k) ** beta
