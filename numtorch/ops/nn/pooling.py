"""Pooling: ``F.max_pool2d``, ``F.avg_pool2d``, ``F.adaptive_avg_pool2d``, ``F.max_unpool2d``,
``F.lp_pool2d`` and their 1-D / 3-D forms."""

from __future__ import annotations

import itertools

from ... import _dtype
from ..._autocast import op_inputs
from ..._backend import array_module
from ..._tensor import Tensor, wrap
from ..shape import _view
from ..squeeze_expand import Squeeze
from . import pool_ops as _pool
from .conv import expand_param

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]


def _batch(input: Tensor, nd: int):
    """``(input with a batch dim, batched)``; PyTorch's error for a wrong rank."""
    if input.dim() == nd + 2:
        return input, True
    if input.dim() == nd + 1 and all(s > 0 for s in input.shape[1:]):
        return input.unsqueeze(0), False
    raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")


def _node(cls, nd, batched, name):
    """The class of the pooling node, shown as PyTorch shows the pooled tensor's node:
    ``SqueezeBackward1`` for batched 1-D pooling (which PyTorch runs as 2-D pooling and a
    squeeze), else ``name``."""
    return cls.named("SqueezeBackward1" if nd == 1 and batched else name)


def _unbatch(out, batched, nd=None, name=None):
    """``out`` without the batch dim ``_batch`` added. With ``name``, its squeeze node shows as
    PyTorch's does: ``name`` for 2-D and 3-D pooling (whose kernels take unbatched input as it
    is) and ``SqueezeBackward1`` for 1-D pooling."""
    if batched:
        return out
    if name is None or nd == 1:
        return out.squeeze(0)
    return _view(Squeeze.named(name), out, (0,))


def _geometry(input, nd, kernel_size, stride, padding, dilation, ceil_mode):
    k = expand_param(kernel_size, nd, "kernel_size", "pooling")
    s = (
        k
        if stride is None or stride == [] or stride == ()
        else expand_param(stride, nd, "stride", "pooling")
    )
    p = expand_param(padding, nd, "padding", "pooling")
    d = expand_param(dilation, nd, "dilation", "pooling")
    if any(v <= 0 for v in k + s + d):
        raise RuntimeError("pooling kernel_size, stride and dilation must be greater than zero")
    for pi, ki, di in zip(p, k, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got "
                f"pad={pi}, kernel_size={ki} and dilation={di}"
            )
    spatial = input.shape[2:]
    outs, pads = _pool.pool_geometry(spatial, k, s, p, d, ceil_mode)
    if any(o <= 0 for o in outs):
        c = input.shape[1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, (c,) + tuple(spatial)))}). Calculated output "
            f"size: ({'x'.join(map(str, (c,) + outs))}). Output size is too small"
        )
    return k, s, p, d, outs, pads


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, batched = _batch(input, nd)
    k, s, p, d, _, _ = _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    name = f"MaxPool{nd}DWithIndicesBackward0"
    values, idx = _node(_pool.MaxPool, nd, batched, name).apply(x, k, s, p, d, ceil_mode)
    values = _unbatch(values, batched, nd, name)
    return (values, _unbatch(idx, batched)) if return_indices else values


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, L)``."""
    if not (return_indices or input.dtype.is_floating_point):  # PyTorch's index-free kernel
        raise _dtype.not_implemented("max_pool1d_impl", input.dtype)
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, H, W)``; indices are flat ``h * W + w``."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, D, H, W)``."""
    (input,) = op_inputs("max_pool3d", input)
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(
    nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    x, batched = _batch(input, nd)
    dt = x.dtype
    if not (dt.is_floating_point or dt is _dtype.int64) or (nd == 3 and dt.itemsize == 2):
        raise _dtype.not_implemented("avg_pool3d_out_frame" if nd == 3 else "avg_pool2d", dt)
    k, s, p, _, outs, pads = _geometry(x, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        div = divisor_override
    else:
        div = _pool.avg_divisor(
            array_module(x._data), x._data.dtype, x.shape[2:], k, s, p, outs, count_include_pad
        )
    name = f"AvgPool{nd}DBackward0"
    out = _node(_pool.AvgPool, nd, batched, name).apply(x, k, s, pads, outs, div)
    return _unbatch(out, batched, nd, name)


def avg_pool1d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
) -> Tensor:
    """Mean over sliding windows of ``(N, C, L)``."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> Tensor:
    """Mean over sliding windows of ``(N, C, H, W)``."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> Tensor:
    """Mean over sliding windows of ``(N, C, D, H, W)``."""
    (input,) = op_inputs("avg_pool3d", input)
    return _avg_pool(
        3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _adaptive_sizes(x, nd, output_size):
    if isinstance(output_size, int):
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) == 1 and nd > 1:
        output_size *= nd
    if len(output_size) != nd:
        raise ValueError(
            f"adaptive pooling expects an output size of {nd} values, got {output_size}"
        )
    return tuple(x.shape[2 + i] if o is None else int(o) for i, o in enumerate(output_size))


def _adaptive_avg(nd, input, output_size):
    x, batched = _batch(input, nd)
    outs = _adaptive_sizes(x, nd, output_size)
    if nd > 1 and all(o == 1 for o in outs):  # PyTorch's global average pooling: a mean
        return input.mean(dim=tuple(range(-nd, 0)), keepdim=True)
    if not x.dtype.is_floating_point:
        raise _dtype.not_implemented(
            f"adaptive_avg_pool{max(nd, 2)}d" + "_cpu" * (nd == 3), x.dtype
        )
    spatial = x.shape[2:]
    xp = array_module(x._data)
    kind = f"AdaptiveAvgPool{nd}DBackward0"
    if all(n % o == 0 for n, o in zip(spatial, outs)):
        k = tuple(n // o for n, o in zip(spatial, outs))
        pool = _node(_pool.AvgPool, nd, batched, kind)
        out = pool.apply(x, k, k, ((0, 0),) * nd, outs, float(_prod(k)))
    else:
        mats = tuple(
            None if n == o else _pool.adaptive_avg_matrix(xp, n, o, x._data.dtype)
            for n, o in zip(spatial, outs)
        )
        out = _node(_pool.Separable, nd, batched, kind).apply(x, mats, False, kind)
    return _unbatch(out, batched, nd, kind)


def _prod(values):
    out = 1
    for v in values:
        out *= v
    return out


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Mean over ``output_size`` windows that cover ``(N, C, L)``."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Mean over windows that cover ``(N, C, H, W)``, giving ``output_size``."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    (input,) = op_inputs("adaptive_avg_pool3d", input)
    return _adaptive_avg(3, input, output_size)


def _adaptive_max(nd, input, output_size, return_indices):
    x, batched = _batch(input, nd)
    outs = _adaptive_sizes(x, nd, output_size)
    _, idx = _pool.adaptive_max_pool(array_module(x._data), x._data, outs)
    name = f"AdaptiveMaxPool{nd}DBackward0"
    values = _unbatch(_node(_pool.GatherPlane, nd, batched, name).apply(x, idx), batched, nd, name)
    return (values, _unbatch(wrap(idx), batched)) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over windows that cover ``(N, C, H, W)``, giving ``output_size``."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    (input,) = op_inputs("adaptive_max_pool3d", input)
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(3, input, output_size, True)


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    x, batched = _batch(input, nd)
    idx = indices if batched else indices.unsqueeze(0)
    k = expand_param(kernel_size, nd, "kernel_size", "unpooling")
    s = k if stride is None else expand_param(stride, nd, "stride", "unpooling")
    p = expand_param(padding, nd, "padding", "unpooling")
    default = tuple((n - 1) * si - 2 * pi + ki for n, si, pi, ki in zip(x.shape[2:], s, p, k))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)[-nd:]
    if x.shape != idx.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(x.shape)}) but got indices tensor with shape: "
            f"{list(idx.shape)}"
        )
    limit = _prod(size)
    if idx.numel() and (int(idx._data.max()) >= limit or int(idx._data.min()) < 0):
        raise RuntimeError(
            f"Found an invalid max index: {int(idx._data.max())} (output volumes "
            f"are of size {'x'.join(map(str, size))}"
        )
    out = _pool.ScatterPlane.apply(x, idx._data, size)
    return _unbatch(out, batched)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Places each value of ``input`` at its max-pooling index in a zero tensor."""
    (input,) = op_inputs("max_unpool2d", input)
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    (input,) = op_inputs("max_unpool3d", input)
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    k = expand_param(kernel_size, nd, "kernel_size", "pooling")
    out = _avg_pool(nd, input.pow(norm_type), k, stride, 0, ceil_mode, True, None)
    return (out.sign() * out.abs().relu()).mul(_prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """Power-average pooling: ``(sum x^p)^(1/p)`` over each window."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# --- fractional max pooling --------------------------------------------------------------------
def _intervals(xp, samples, n_in, n_out, pool, dtype):
    """PyTorch's window starts for ``n_out`` windows of ``pool`` over ``n_in``, one row per
    sample in [0, 1): ``int((i + u) * alpha) - int(u * alpha)`` computed in ``dtype``, the last
    window flush with the end."""
    out = xp.empty(samples.shape + (n_out,), xp.int64)
    if n_out > 1:
        alpha = dtype.type(n_in - pool) / dtype.type(n_out - 1)
        u = samples.astype(dtype)[..., None]
        i = xp.arange(n_out - 1).astype(dtype)
        out[..., :-1] = ((i + u) * alpha).astype(xp.int64) - (u * alpha).astype(xp.int64)
    if n_out > 0:
        out[..., -1] = n_in - pool
    return out


def _fractional_max(
    nd, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    x, batched = _batch(input, nd)
    k = expand_param(kernel_size, nd, "kernel_size", "pooling")
    if output_size is None:
        ratio = (
            tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        )
        output_size = tuple(int(n * r) for n, r in zip(x.shape[2:], ratio))
    outs = expand_param(output_size, nd, "output_size", "pooling")
    for axis, n, o, kk in zip(
        ("time", "height", "width")[-nd:] if nd == 3 else ("height", "width"), x.shape[2:], outs, k
    ):
        if o + kk - 1 > n:
            raise RuntimeError(f"{name}(): pool {axis} {kk} too large relative to input {axis} {n}")
    arr = x._data
    xp = array_module(arr)
    n_batch, channels = arr.shape[:2]
    if _random_samples is None:
        from ..sampling import rand

        _random_samples = rand(n_batch, channels, nd, dtype=x.dtype)
    samples = _random_samples._data
    # the samples are ordered W, H in 2-D and T, H, W in 3-D, as PyTorch's kernels read them
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [
        _intervals(xp, samples[..., order[d]], arr.shape[2 + d], outs[d], k[d], arr.dtype)
        for d in range(nd)
    ]
    spatial = arr.shape[2:]
    # each dim's window starts, shaped to broadcast over (N, C, *outs)
    starts = [
        s.reshape((n_batch, channels) + tuple(o if e == d else 1 for e, o in enumerate(outs)))
        for d, s in enumerate(starts)
    ]
    shape = (n_batch, channels) + tuple(outs)
    flat = arr.reshape(n_batch, channels, -1)
    best, best_idx = xp.full(shape, -xp.inf, dtype=arr.dtype), None
    for offset in itertools.product(*(range(kk) for kk in k)):
        idx = 0  # the flat spatial index of this offset in every window
        for d in range(nd):
            idx = idx * spatial[d] + starts[d] + offset[d]
        idx = xp.broadcast_to(idx, shape)
        val = xp.take_along_axis(flat, idx.reshape(n_batch, channels, -1), 2).reshape(shape)
        take = (val > best) | xp.isnan(val)  # PyTorch's rule: a NaN always wins
        best = xp.where(take, val, best)
        # NOTE: a window of -inf keeps its first element's index, as PyTorch's does
        best_idx = idx.copy() if best_idx is None else xp.where(take, idx, best_idx)
    name = f"FractionalMaxPool{nd}DBackward0"
    gather = _node(_pool.GatherPlane, nd, batched, name)
    values = _unbatch(gather.apply(x, best_idx), batched, nd, name)
    return (values, _unbatch(wrap(best_idx), batched)) if return_indices else values


def fractional_max_pool2d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """Max over ``kernel_size`` windows at pseudo-random, overlapping-free steps that shrink
    ``(N, C, H, W)`` to ``output_size`` (or ``output_ratio`` of it); one pair of uniforms per
    plane (``_random_samples``) places the windows."""
    (input,) = op_inputs("fractional_max_pool2d", input)
    return _fractional_max(
        2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def fractional_max_pool3d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """``fractional_max_pool2d`` over ``(N, C, T, H, W)``."""
    (input,) = op_inputs("fractional_max_pool3d", input)
    return _fractional_max(
        3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def fractional_max_pool2d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=True,
    _random_samples=None,
):
    return _fractional_max(2, input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=True,
    _random_samples=None,
):
    return _fractional_max(3, input, kernel_size, output_size, output_ratio, True, _random_samples)
