"""``scaled_dot_product_attention`` without dropout, as one primitive.

The composed form (matmul, scale, mask, softmax, matmul) makes five nodes and a new array at
each step; here the scores are scaled, masked and normalised in place, and the backward runs
the same formulas in the same order (so the values are the composed form's) with two arrays
fewer. The probabilities are a saved intermediate: under ``create_graph`` they are rebuilt
from the inputs, so that the second derivative sees them depend on ``q`` and ``k``.
"""

from __future__ import annotations

from ..._backend import array_module
from ...autograd.function import Primitive
from .act_ops import _dot


def _scores(xp, q, k, bias, scale):
    """``q @ k^T * scale + bias``, the product scaled and masked in place where it can be."""
    s = q @ xp.swapaxes(k, -1, -2)
    s *= scale
    if bias is None:
        return s
    if bias.ndim > s.ndim or any(
        b != 1 and b != n for b, n in zip(bias.shape[::-1], s.shape[::-1])
    ):
        return s + bias  # the mask broadcasts the scores to more dims
    s += bias
    return s


def _open_rows(xp, bias, dtype):
    """1 for each row of the mask that lets some key through, 0 for a row it shuts entirely
    (all -inf), or None where every row is open. PyTorch's attention gives a shut row zeros
    and zero gradients, where a softmax over -inf alone would give NaN."""
    if bias is None:
        return None
    shut = xp.isneginf(bias).all(axis=-1, keepdims=True)
    return (~shut).astype(dtype) if shut.any() else None


class ScaledDotProductAttention(Primitive):
    _name = "UnsafeViewBackward0"  # the last node of PyTorch's composed attention
    __slots__ = ("scale", "bias", "open")
    _save_at = (0, 1, 2, "_probs")  # q, k, v and the probabilities, rebuilt from q and k

    def _probs(ctx, q, k, v):
        """The probabilities in the graph of ``q`` and ``k`` (under ``create_graph``)."""
        from .activation import softmax

        xp = ctx.xp
        bias = None if ctx.bias is None else xp.asarray(ctx.bias)
        p = softmax(_scores(xp, q, k, bias, ctx.scale), -1)
        return p if ctx.open is None else p * xp.asarray(ctx.open)

    def forward(ctx, q, k, v, bias, scale):
        xp = array_module(q)
        ctx.open = _open_rows(xp, bias, q.dtype)
        if ctx.open is not None:  # a shut row's scores stay finite; its weights become 0
            bias = xp.where(ctx.open == 0, xp.zeros((), bias.dtype), bias)
        ctx.scale, ctx.bias = scale, bias
        p = _scores(xp, q, k, bias, xp.asarray(scale, dtype=q.dtype))
        p -= p.max(axis=-1, keepdims=True)
        xp.exp(p, out=p)
        p /= p.sum(axis=-1, keepdims=True)
        if ctx.open is not None:
            p *= ctx.open
        ctx.save_for_backward(q, k, v, p)
        return p @ v

    def backward(ctx, g):
        q, k, v, p = ctx.saved_tensors
        xp = ctx.xp
        n = ctx.needs_input_grad
        gv = xp.swapaxes(p, -1, -2) @ g if n[2] else None
        gs = None
        if n[0] or n[1]:
            # NOTE: softmax's (g - sum(g * p)) * p, then the scale's, as the composed nodes
            gp = g @ xp.swapaxes(v, -1, -2)
            gs = gp - _dot(xp, gp, p, -1)
            gs *= p
            gs = gs * ctx.scale
        gq = gs @ k if n[0] else None
        gk = xp.swapaxes(xp.swapaxes(q, -1, -2) @ gs, -1, -2) if n[1] else None
        return gq, gk, gv, None, None
