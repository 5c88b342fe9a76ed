"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``."""

from __future__ import annotations

import math

from ... import _dtype
from ..._autocast import REGION
from ..._tensor import Tensor
from ..creation import ones, zeros
from ..join import cat
from ..reorder import tril
from .activation import softmax
from .attention_ops import ScaledDotProductAttention
from .conv import pad
from .dropout import dropout
from .layers import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


def _mask_as_bias(mask: Tensor | None, dtype, allowed_when_true: bool) -> Tensor | None:
    """A float mask to add to attention scores: a bool mask becomes 0 / -inf."""
    if mask is None or mask._data.dtype.kind == "f":
        return mask
    if mask._data.dtype.kind != "b":
        raise AssertionError("only bool and floating types of masks are supported")
    blocked = mask.logical_not() if allowed_when_true else mask
    return zeros(mask.shape, dtype=dtype).masked_fill(blocked, _NEG_INF)


_C_TYPES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


def _c_type(t) -> str:
    return _C_TYPES.get(t.dtype.name, t.dtype.name)


def _check_attention_dtypes(query, key, value, attn_mask):
    if not (query.dtype is key.dtype and key.dtype is value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_c_type(query)} key.dtype: {_c_type(key)} and value.dtype: {_c_type(value)} "
            "instead."
        )
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_c_type(attn_mask)} and  query.dtype: {_c_type(query)} instead."
        )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over the last two dims.

    ``attn_mask``: bool (True = may attend) or float (added to the scores); ``is_causal``
    masks out keys after each query.

    Shape:
        query (..., L, E), key (..., S, E), value (..., S, Ev); output (..., L, Ev).
    """
    _check_attention_dtypes(query, key, value, attn_mask)
    length, source = query.shape[-2], key.shape[-2]
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be "
                "set when is_causal=True"
            )
        attn_mask = tril(ones(length, source, dtype=_dtype.bool))
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    bias = _mask_as_bias(attn_mask, query.dtype, True)
    if _fused(query, bias, dropout_p):
        arr = None if bias is None else bias._data
        return ScaledDotProductAttention.apply(query, key, value, arr, scale)
    scores = query @ key.transpose(-2, -1) * scale
    if bias is not None:
        scores = scores + bias
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


def _fused(query, bias, dropout_p) -> bool:
    """Whether attention runs as one node (attention_ops): no dropout, a float32 or float64
    query, a mask that needs no gradient, and no autocast (whose lists cast the composed
    matmuls)."""
    return (
        dropout_p == 0.0
        and query.dtype in (_dtype.float32, _dtype.float64)
        and (bias is None or not bias.requires_grad)
        and not REGION.active
    )


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w):
    if in_proj_weight is not None:
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    else:
        w_q, w_k, w_v = q_w, k_w, v_w
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    if query is key and key is value and in_proj_weight is not None:
        return linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """Multi-head attention on sequence-first inputs ``(L, N, E)`` (or unbatched ``(L, E)``).

    ``key_padding_mask`` (N, S) and a bool ``attn_mask`` mark positions that may *not* be
    attended (True); float masks are added to the scores. Returns ``(output, weights)``.
    """
    batched = query.dim() == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    if embed_dim % num_heads:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the "
            "Transformer module method `generate_square_subsequent_mask` to "
            "create this mask."
        )
    head_dim = embed_dim // num_heads
    q, k, v = _in_projection(
        query,
        key,
        value,
        None if use_separate_proj_weight else in_proj_weight,
        in_proj_bias,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
    )
    attn_mask = _mask_as_bias(attn_mask, q.dtype, False)
    key_padding_mask = _mask_as_bias(key_padding_mask, q.dtype, False)
    if attn_mask is not None and attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, key.shape[0]):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                f"be {(tgt_len, key.shape[0])}."
            )
        attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k if static_k is None else static_k
    v = v if static_v is None else static_v
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        k = cat([k, zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)], 1)
        v = cat([v, zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype)], 1)
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    src_len = k.shape[1]
    if key_padding_mask is not None:
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    scores = (q * (1 / math.sqrt(head_dim))) @ k.transpose(-2, -1)
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(1)
    return out, weights if batched else weights.squeeze(0)
