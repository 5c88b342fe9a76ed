"""Distances and norms between tensors: ``cdist`` (a primitive, with ``pdist`` its upper
triangle), ``dist`` and ``renorm``."""

from __future__ import annotations

from .. import _dtype
from .._autocast import op_inputs
from .._backend import array_module
from .._lazy import nt as _nt
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.function import Primitive
from .indexing import Index, parse_key
from .inplace import inplace

__all__ = ["cdist", "pdist", "dist", "renorm"]


# --- cdist -------------------------------------------------------------------------------------
class Cdist(Primitive):
    _name = "CdistBackward0"
    __slots__ = ("p",)

    def forward(ctx, x1, x2, p):
        ctx.p = p
        xp = array_module(x1)
        d = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            out = (d != 0).sum(-1).astype(x1.dtype)
        elif p == float("inf"):
            out = d.max(-1) if d.shape[-1] else d.sum(-1)
        elif p == 1:
            out = d.sum(-1)
        elif p == 2:
            out = xp.sqrt((d * d).sum(-1))
        else:
            out = (d**p).sum(-1) ** (1.0 / p)
        ctx.save_for_backward(x1, x2, out)
        return out

    def backward(ctx, g):
        x1, x2, dist = ctx.saved_tensors
        xp, p = ctx.xp, ctx.p
        diff = xp.expand_dims(x1, -2) - xp.expand_dims(x2, -3)
        dist = xp.expand_dims(dist, -1)
        if p == 0:
            term = diff * 0
        elif p == 1:
            term = xp.sign(diff)
        elif p == float("inf"):
            term = xp.sign(diff) * (xp.abs(diff) == dist)
        else:
            # NOTE: PyTorch's convention: zero where the distance (or, for p < 2, the
            # coordinate difference) is zero, where the derivative may not exist
            zero = (dist == 0) | (diff == 0) if p < 2 else dist == 0
            safe = xp.where(dist == 0, 1.0, dist)
            if p == 2:
                term = diff / safe
            else:
                term = xp.sign(diff) * xp.abs(diff) ** (p - 1) / safe ** (p - 1)
            term = xp.where(zero, 0.0, term)
        gt = xp.expand_dims(g, -1) * term
        n = ctx.needs_input_grad
        return (gt.sum(-2) if n[0] else None), (-gt.sum(-3) if n[1] else None), None


def _refuse_half(kernel, t):
    # PyTorch's CPU build has no cdist/pdist kernel for the 16-bit floats
    if t.dtype in (_dtype.float16, _dtype.bfloat16):
        raise _dtype.not_implemented(kernel, t.dtype)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """The p-norm distance between each row of ``x1`` and each row of ``x2`` (batched over
    leading dims)."""
    x1, x2 = op_inputs("cdist", x1, x2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D"
            )
        if not t.is_floating_point():
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {t.dtype.scalar_type_name}"
            )
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: "
            f"{x1._data.shape[-1]} X2: {x2._data.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    _refuse_half("cdist", x1)
    if x1.dtype is not x2.dtype:
        raise RuntimeError(
            f"cdist: X1 and X2 must have the same dtype, but got {x1.dtype} and {x2.dtype}"
        )
    return Cdist.apply(x1, x2, float(p))


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between each pair of rows ``i < j`` of a 2-D input, in row-major
    order of the pairs (the upper triangle of ``cdist(input, input)``)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input._data.ndim}D")
    if not input.is_floating_point():
        raise RuntimeError(
            f"pdist only supports floating-point dtypes, got: {input.dtype.scalar_type_name}"
        )
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    _refuse_half("pdist", input)
    n = input._data.shape[0]
    xp = array_module(input._data)
    i, j = xp.triu_indices(n, 1)
    dist = Cdist.apply(input, input, float(p))
    key, _ = parse_key(dist, (wrap(i), wrap(j)))
    return Index.named("PdistBackward0").apply(dist, key)  # one node in PyTorch


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast)."""
    return _nt().linalg.vector_norm(input - other, p)


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each slice along ``dim`` rescaled to p-norm at most ``maxnorm``."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if input.ndim <= 1:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions"
        )
    dim = _wrap_dim(dim, input.ndim, "renorm")
    others = tuple(d for d in range(input.ndim) if d != dim)
    norms = _nt().linalg.vector_norm(input, p, dim=others, keepdim=True)
    # NOTE: the 1e-7 guard against a zero norm is PyTorch's, so values agree to rounding
    factor = (maxnorm / (norms + 1e-7)).where(norms > maxnorm, norms.new_ones(()))
    return input * factor


METHODS = {
    "dist": dist,
    "renorm": renorm,
    "renorm_": lambda self, p, dim, maxnorm: inplace(self, renorm, p, dim, maxnorm),
}
