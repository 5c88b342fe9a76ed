"""Diagonal and block-diagonal matrices: ``trace`` and ``block_diag`` (primitives) and
``diagflat``."""

from __future__ import annotations

from .. import _dtype
from .._autocast import op_inputs
from .._backend import accumulator, array_module, as_device, module_for, narrowed
from .._lazy import nt as _nt
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive

__all__ = ["trace", "block_diag", "diagflat"]


# --- trace and triangle indices ----------------------------------------------------------------
class Trace(Primitive):
    _name = "TraceBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x):
        ctx.shape = x.shape
        wide = accumulator(x)
        out = array_module(x).trace(x, dtype=wide)
        return out if wide is None else narrowed(out, x.dtype)

    def backward(ctx, g):
        n, m = ctx.shape
        return g * ctx.xp.eye(n, m, dtype=g.dtype)


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal."""
    (input,) = op_inputs("trace", input)
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind in "bui":
        return wrap(array_module(input._data).trace(input._data, dtype="int64"))
    return Trace.apply(input)


# --- block_diag --------------------------------------------------------------------------------
class BlockDiag(Primitive):
    _name = "BlockDiagBackward0"
    __slots__ = ("shapes",)

    def forward(ctx, *blocks):
        ctx.shapes = [b.shape for b in blocks]
        mats = [b.reshape(_as_matrix(b.shape)) for b in blocks]
        xp = array_module(blocks[0])
        out = xp.zeros(
            (sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), blocks[0].dtype
        )
        r = c = 0
        for m in mats:
            out[r : r + m.shape[0], c : c + m.shape[1]] = m
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    def backward(ctx, g):
        grads, r, c = [], 0, 0
        for shape, need in zip(ctx.shapes, ctx.needs_input_grad):
            h, w = _as_matrix(shape)
            grads.append(g[r : r + h, c : c + w].reshape(shape) if need else None)
            r, c = r + h, c + w
        return tuple(grads)


def _as_matrix(shape):
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix with the given (0-, 1- or 2-D) tensors as its blocks."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                f"Input {i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return wrap(module_for(as_device(None)).zeros((1, 0), _dtype.get_default_dtype().np))
    dt = _dtype.result_type(*[wrap(t._data.reshape(-1)) for t in tensors])
    return BlockDiag.apply(*[t if t.dtype is dt else t.to(dt) for t in tensors])


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened input on its ``offset`` diagonal."""
    return _nt().diag(input.reshape(-1), offset)


METHODS = {"trace": trace, "diagflat": diagflat}
