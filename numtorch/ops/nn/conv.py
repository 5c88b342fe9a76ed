"""Convolutions, padding and sliding blocks: ``F.conv2d``, ``F.conv_transpose2d``, ``F.pad``,
``F.unfold``, ``F.fold`` ..."""

from __future__ import annotations

from ..._autocast import op_inputs, unifies
from ..._backend import array_module
from ..._tensor import Tensor
from . import conv_ops as _conv
from . import padding_ops as _pad
from .dtype_checks import expect_same

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "pad",
    "unfold",
    "fold",
]

_DT = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _type_name(t: Tensor) -> str:
    return _DT.get(t._data.dtype.name, t._data.dtype.name)


def expand_param(value, nd: int, name: str, op: str = "convolution") -> tuple:
    """An int or a sequence of ``nd`` ints as a tuple (PyTorch's ``expand_param_if_needed``)."""
    if isinstance(value, int):
        return (value,) * nd
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * nd
    if len(value) != nd:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {nd} values to match the "
            f"{op} dimensions, but got {name}={list(value)}"
        )
    return value


def _batched(input: Tensor, nd: int, op: str) -> bool:
    """Whether ``input`` has a batch dimension; raises PyTorch's error for a wrong rank."""
    dim = input.dim()
    if dim == nd + 2:
        return True
    if dim == nd + 1:
        return False
    raise RuntimeError(
        f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got input of "
        f"size: {list(input.shape)}"
    )


def _check_types(input, weight, bias):
    """PyTorch's order: the bias's dtype against the input's first, then the weight's."""
    if unifies(input, weight) and (bias is None or unifies(input, bias)):
        return  # autocast casts them to one dtype
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Input type ({_type_name(input)}) and bias type ({_type_name(bias)}) "
            "should be the same"
        )
    expect_same(input, weight)


def _same_pads(ksize, dilation):
    pads = []
    for k, d in zip(ksize, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _conv_pads(padding, nd, stride, ksize, dilation):
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            return _same_pads(ksize, dilation)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    pads = expand_param(padding, nd, "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _check_conv(input, weight, groups, nd, pads, ksize, dilation):
    c = input.shape[1]
    if weight.dim() != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
            f"input {list(input.shape)}, but got {weight.dim()}-dimensional weight "
            f"of size {list(weight.shape)} instead"
        )
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead"
        )
    if c != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {c} "
            "channels instead"
        )
    padded = [n + lo + hi for n, (lo, hi) in zip(input.shape[2:], pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(ksize, dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
            f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
            "size"
        )


def _convnd(nd, input, weight, bias, stride, padding, dilation, groups):
    op = f"conv{nd}d"
    batched = _batched(input, nd, op)
    if not batched:
        input = input.unsqueeze(0)
    stride = expand_param(stride, nd, "stride")
    dilation = expand_param(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    ksize = tuple(weight.shape[2:])
    pads = _conv_pads(padding, nd, stride, ksize, dilation)
    _check_conv(input, weight, groups, nd, pads, ksize, dilation)
    _check_types(input, weight, bias)
    out = _conv.Convolution.apply(input, weight, bias, stride, pads, dilation, groups)
    return out if batched else out.squeeze(0)


def _conv_function(nd: int, doc: str):
    """``F.conv{nd}d``: one definition for the three ranks, whose signatures PyTorch keeps
    alike."""

    def conv(
        input: Tensor,
        weight: Tensor,
        bias: Tensor | None = None,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
    ) -> Tensor:
        return _convnd(nd, input, weight, bias, stride, padding, dilation, groups)

    conv.__name__ = conv.__qualname__ = f"conv{nd}d"
    conv.__doc__ = doc
    return conv


conv1d = _conv_function(
    1, "1-D convolution of ``(N, C_in, L)`` with ``weight`` ``(C_out, C_in/groups, k)``."
)
conv2d = _conv_function(
    2, "2-D convolution of ``(N, C_in, H, W)`` with ``weight`` ``(C_out, C_in/groups, kH, kW)``."
)
conv3d = _conv_function(3, "3-D convolution of ``(N, C_in, D, H, W)``.")


def transpose_output_size(spatial, ksize, stride, pads, dilation, output_padding):
    return tuple(
        (n - 1) * s - lo - hi + d * (k - 1) + op + 1
        for n, k, s, (lo, hi), d, op in zip(spatial, ksize, stride, pads, dilation, output_padding)
    )


def _conv_transposend(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    batched = _batched(input, nd, f"conv_transpose{nd}d")
    if not batched:
        input = input.unsqueeze(0)
    stride = expand_param(stride, nd, "stride")
    dilation = expand_param(dilation, nd, "dilation")
    output_padding = expand_param(output_padding, nd, "output_padding")
    pads = tuple((p, p) for p in expand_param(padding, nd, "padding"))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but "
            f"got output_padding={list(output_padding)} stride={list(stride)} "
            f"dilation={list(dilation)}"
        )
    if input.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[0]} channels, but got "
            f"{input.shape[1]} channels instead"
        )
    if not unifies(input, weight):
        expect_same(input, weight)
    if bias is not None and bias.dtype is not input.dtype:
        bias = bias.to(input.dtype)  # PyTorch adds a bias of another dtype into the result
    outs = transpose_output_size(
        input.shape[2:], weight.shape[2:], stride, pads, dilation, output_padding
    )
    out = _conv.ConvTranspose.apply(input, weight, bias, stride, pads, dilation, groups, outs)
    return out if batched else out.squeeze(0)


def _conv_transpose_function(nd: int, doc: str):
    """``F.conv_transpose{nd}d``, one definition for the three ranks."""

    def conv_transpose(
        input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
    ) -> Tensor:
        return _conv_transposend(
            nd, input, weight, bias, stride, padding, output_padding, groups, dilation
        )

    conv_transpose.__name__ = conv_transpose.__qualname__ = f"conv_transpose{nd}d"
    conv_transpose.__doc__ = doc
    return conv_transpose


conv_transpose1d = _conv_transpose_function(
    1, "1-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, k)``."
)
conv_transpose2d = _conv_transpose_function(
    2, "2-D transposed convolution (the gradient of conv2d in its input)."
)
conv_transpose3d = _conv_transpose_function(3, "3-D transposed convolution.")


# --- padding --------------------------------------------------------------------------------
def _pad_pairs(pad, ndim):
    """F.pad's flat, last-dim-first list as (lo, hi) pairs, first padded dim first."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {ndim}"
        )
    return tuple((pad[2 * i], pad[2 * i + 1]) for i in reversed(range(len(pad) // 2)))


def _check_index_pad(input, pairs, mode):
    ndim, nd = input.dim(), len(pairs)
    if nd not in (1, 2, 3) or ndim not in (nd + 1, nd + 2):
        raise NotImplementedError(
            f"Padding size {2 * nd} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    spatial = input.shape[ndim - nd :]
    for i, ((lo, hi), n) in enumerate(zip(pairs, spatial)):
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({lo}, {hi}) at dimension {ndim - nd + i} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo < 0 or hi < 0:
            raise RuntimeError(f"{mode} padding does not support negative amounts here")
        if mode == "replicate" and n == 0 and (lo or hi):
            raise RuntimeError("padding of an empty dimension in replicate mode")


_PAD_NAMES = {
    "reflect": "ReflectionPad{}DBackward0",
    "replicate": "ReplicationPad{}DBackward0",
    "circular": "CircularPad{}DBackward0",
}


# PyTorch's names of the padding kernels, which its CPU autocast lists
_PAD_OPS = {"reflect": "reflection_pad", "replicate": "replication_pad"}


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pads the last ``len(pad) // 2`` dims; ``pad`` lists (left, right) for the last dim first.

    Modes: 'constant' (with ``value``; negative amounts crop), 'reflect', 'replicate',
    'circular'.
    """
    if mode in _PAD_OPS:
        (input,) = op_inputs(f"{_PAD_OPS[mode]}{len(pad) // 2}d", input)
    pairs = _pad_pairs(pad, input.dim())
    if mode == "constant":
        return _pad.ConstantPad.apply(input, pairs, 0 if value is None else value)
    if mode not in _PAD_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_index_pad(input, pairs, mode)
    srcs = _pad.source_indices(array_module(input._data), input.shape, pairs, mode)
    return _pad.IndexPad.named(_PAD_NAMES[mode].format(len(pairs))).apply(input, srcs)


# --- sliding blocks -------------------------------------------------------------------------
def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks of ``(N, C, H, W)`` as columns ``(N, C * kH * kW, L)``."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to im2col, but got "
            f"input of size: {list(input.shape)}"
        )
    batched = input.dim() == 4
    if not batched:
        input = input.unsqueeze(0)
    ks = expand_param(kernel_size, 2, "kernel_size", "im2col")
    d = expand_param(dilation, 2, "dilation", "im2col")
    p = expand_param(padding, 2, "padding", "im2col")
    s = expand_param(stride, 2, "stride", "im2col")
    out = _conv.Unfold.apply(input, ks, s, tuple((q, q) for q in p), d)
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sums columns ``(N, C * kH * kW, L)`` back into ``(N, C, *output_size)``."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D (unbatched) or 3D (batched) input to col2im, but got "
            f"input of size: {list(input.shape)}"
        )
    batched = input.dim() == 3
    if not batched:
        input = input.unsqueeze(0)
    size = expand_param(output_size, 2, "output_size", "col2im")
    ks = expand_param(kernel_size, 2, "kernel_size", "col2im")
    d = expand_param(dilation, 2, "dilation", "col2im")
    p = tuple((q, q) for q in expand_param(padding, 2, "padding", "col2im"))
    s = expand_param(stride, 2, "stride", "col2im")
    kk = ks[0] * ks[1]
    if input.shape[1] % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={input.shape[1]} and kernel_size=({ks[0]}, {ks[1]})"
        )
    blocks = 1
    for n, k, st, (lo, hi), dd in zip(size, ks, s, p, d):
        blocks *= _conv.out_length(n, k, st, lo, hi, dd)
    if input.shape[2] != blocks:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({ks[0]}, {ks[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0][0]}, {p[1][0]}), stride=({s[0]}, {s[1]}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {blocks}, but got input.size(2)={input.shape[2]}."
        )
    out = _conv.Fold.apply(input, size, ks, s, p, d)
    return out if batched else out.squeeze(0)
