"""Functional forms of the layers: linear, bilinear, embedding, normalisation."""

from __future__ import annotations

import warnings

from ..._backend import array_module, array_of, narrowed, widened
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Primitive
from ..blas import linear as _linear
from ..shape import linear as _call
from . import dtype_checks as checks

__all__ = [
    "linear",
    "bilinear",
    "embedding",
    "layer_norm",
    "rms_norm",
    "one_hot",
]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for input (*, in_features), weight (out, in)."""
    return _linear(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """``y_k = x1 @ weight[k] @ x2 + bias[k]`` for inputs (*, in1) and (*, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input size does not match weight size: got {input1.shape[-1]} and "
            f"{input2.shape[-1]} but expected {weight.shape[1]} and {weight.shape[2]}"
        )
    k, i, j = weight.shape
    lead = tuple(input1.shape[:-1])
    # x1 @ W laid out as (i, k*j), then a row-wise dot with x2: two ordinary products
    t = input1.reshape(-1, i) @ weight.permute(1, 0, 2).reshape(i, k * j)
    out = (t.reshape(-1, k, j) * input2.reshape(-1, 1, j)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (k,))


# --- embedding ------------------------------------------------------------------------------
class Embedding(Primitive):
    _name = "EmbeddingBackward0"
    __slots__ = ("indices", "padding_idx", "scale_grad_by_freq")

    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.padding_idx = indices, padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        return weight[indices]

    def backward(ctx, g):
        shape = ctx._in_shapes[0]
        flat = ctx.indices.reshape(-1)
        scale = None
        if ctx.scale_grad_by_freq:
            # NOTE: each row's gradient is divided by how often its index occurs in the batch
            counts = array_module(flat).bincount(flat, minlength=shape[0])[flat]
            scale = (1.0 / counts).astype(array_of(g).dtype)[:, None]
        gw = _call(ctx, EmbeddingDense, g, flat, shape, ctx.padding_idx, scale)
        return gw, None, None, None


class EmbeddingDense(Primitive):
    """The weight gradient of ``Embedding``: the rows of ``g`` (times ``scale``) summed at
    their indices into zeros of ``shape``, the padding row left at zero."""

    _name = "EmbeddingDenseBackwardBackward0"
    __slots__ = ("flat", "gshape", "padding_idx", "scale")

    def forward(ctx, g, flat, shape, padding_idx, scale):
        ctx.flat, ctx.gshape, ctx.padding_idx, ctx.scale = flat, g.shape, padding_idx, scale
        xp = array_module(g)
        rows = g.reshape(-1, shape[1])
        if scale is not None:
            rows = rows * scale
        gw = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(gw, flat, rows)
        if padding_idx is not None:
            gw[padding_idx] = 0
        return gw

    def backward(ctx, h):
        # NOTE: the adjoint, so scaled as the forward scales (PyTorch's double backward leaves
        # scale_grad_by_freq's scale out)
        keep = 1 if ctx.padding_idx is None else (ctx.flat != ctx.padding_idx)[:, None]
        factor = keep if ctx.scale is None else keep * ctx.scale
        rows = h[ctx.flat] * ctx.xp.asarray(factor)
        return rows.reshape(ctx.gshape), None, None, None, None


def _renorm_(weight, indices, max_norm, norm_type):
    """Rescale, in place and outside autograd, the rows of ``weight`` that ``indices`` use
    whose ``norm_type``-norm exceeds ``max_norm``."""
    from ..._backend import array_module

    w = weight._data
    xp = array_module(w)
    rows = xp.unique(indices)
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._vc[0] += 1


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) selected by the integer ``input``."""
    checks.indices(input, "embedding")
    idx = input._data
    n = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx += n
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(
            f"index out of range in self (embedding: {n} rows, index "
            f"{int(idx.max() if idx.max() >= n else idx.min())})"
        )
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    if sparse:
        warnings.warn(
            "numtorch has no sparse tensors: embedding(sparse=True) gives a dense gradient",
            UserWarning,
            stacklevel=2,
        )
    return Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(…, num_classes) int64 tensor with a 1 at each index of ``tensor``."""
    from ..._backend import array_module

    t = tensor._data
    if t.dtype != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = array_module(t)
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((t[..., None] == xp.arange(num_classes)).astype(xp.int64))


# --- normalisation --------------------------------------------------------------------------


one_hot.tensor_first = "input"  # the name PyTorch's parser gives its argument


class LayerNorm(Primitive):
    """Normalise over the trailing ``k`` dims, then scale by ``weight`` and add ``bias``."""

    _name = "NativeLayerNormBackward0"
    __slots__ = ("axes", "eps")
    # x, rstd and xhat (both recomputed from x under create_graph) and the weight
    _save_at = (0, "_rstd", "_xhat", 1)

    def _rstd(ctx, x):
        return _normalise(x, ctx.axes, ctx.eps)[1]

    def _xhat(ctx, x, rstd):
        return (x - x.mean(ctx.axes, keepdim=True)) * rstd

    def forward(ctx, x, weight, bias, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        ctx.axes, ctx.eps = axes, eps
        xhat, rstd = _normalise(widened(x), axes, eps)  # bfloat16's in float32
        ctx.save_for_backward(x, narrowed(rstd, x.dtype), narrowed(xhat, x.dtype), weight)
        if weight is None:
            return narrowed(xhat if bias is None else xhat + bias, x.dtype)
        out = xhat * weight
        if bias is not None:
            out += bias
        return narrowed(out, x.dtype)

    def backward(ctx, g):
        _, rstd, xhat, w = ctx.saved_tensors
        xp = ctx.xp
        axes = ctx.axes
        n = ctx.needs_input_grad
        gw = xp.sum(g * xhat, axis=tuple(range(g.ndim - len(axes)))) if n[1] else None
        gb = g if n[2] else None
        gx = None
        if n[0]:
            gh = g if w is None else g * w
            m1 = xp.mean(gh, axis=axes, keepdims=True)
            m2 = xp.mean(gh * xhat, axis=axes, keepdims=True)
            # NOTE: (gh - m1 - xhat * m2) * rstd, its last two steps in place on the new
            # difference (in-place nodes under create_graph)
            gx = gh - m1
            gx -= xhat * m2
            gx *= rstd
        return gx, gw, gb, None, None


def _normalise(x, axes, eps):
    """``(x - mean) * rstd`` and ``rstd = 1 / sqrt(var + eps)`` over ``axes`` (arrays or
    Tensors)."""
    xc = (
        x - x.mean(axes, keepdims=True)
        if not hasattr(x, "_data")
        else x - x.mean(axes, keepdim=True)
    )
    sq = xc * xc
    var = sq.mean(axes, keepdims=True) if not hasattr(x, "_data") else sq.mean(axes, keepdim=True)
    rstd = 1 / (var + eps) ** 0.5
    return xc * rstd, rstd


def _check_normalized_shape(input, normalized_shape):
    shape = (
        tuple(normalized_shape) if not isinstance(normalized_shape, int) else (normalized_shape,)
    )
    k = len(shape)
    if tuple(input._data.shape[input._data.ndim - k :]) != shape or input._data.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return k


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dims."""
    k = _check_normalized_shape(input, normalized_shape)
    if weight is not None and weight.dtype is input.dtype:
        checks.expect_same(input, bias)
    weight, bias = checks.norm_params(input, "LayerNormKernelImpl", weight, bias)
    return LayerNorm.apply(input, weight, bias, k, eps)


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last dims (``eps`` defaults to the
    dtype's machine epsilon)."""
    k = _check_normalized_shape(input, normalized_shape)
    if eps is None:
        eps = _finfo_eps(input)
    dims = tuple(range(-k, 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def _finfo_eps(t):
    from ..._backend import array_module

    return float(array_module(t._data).finfo(t._data.dtype).eps)
