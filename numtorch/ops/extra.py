"""Fused multiply-adds, BLAS-with-accumulate forms, integer and float-bit arithmetic.

``addcmul``/``addcdiv`` are primitives (optimisers call them once per parameter per step);
the BLAS forms (``addmm``, ``addmv``, ``addr``, ``addbmm``, ``baddbmm``) are compositions of the
products in blas.py, so their gradients come from those (their last node shows PyTorch's name
for the fused op). ``gcd``/``lcm``/``frexp``/``nextafter`` map to
NumPy's functions of the same name.
"""

from __future__ import annotations

import warnings

from .. import _dtype
from .._backend import array_module
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive, relabel
from ..return_types import frexp as _FrexpResult
from .arithmetic import fma, operands, with_out
from .blas import bmm, matmul, mm, mv, outer
from .inplace import inplace

__all__ = [
    "addcmul",
    "addcdiv",
    "addmm",
    "addmv",
    "addmv_",
    "addr",
    "addbmm",
    "baddbmm",
    "chain_matmul",
    "heaviside",
    "gcd",
    "gcd_",
    "lcm",
    "lcm_",
    "ldexp",
    "ldexp_",
    "frexp",
    "nextafter",
]


# --- addcmul / addcdiv --------------------------------------------------------------------------
class Addcmul(Primitive):
    """``input + value * t1 * t2``."""

    _name = "AddcmulBackward0"
    __slots__ = ("value",)
    _holomorphic = True

    def forward(ctx, x, t1, t2, value):
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return fma(t1 if value == 1 else value * t1, t2, x)  # PyTorch's rounding

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n, v = ctx.needs_input_grad, ctx.value
        gv = g if v == 1 else g * v
        return g if n[0] else None, gv * t2 if n[1] else None, gv * t1 if n[2] else None, None


class Addcdiv(Primitive):
    """``input + value * t1 / t2``."""

    _name = "AddcdivBackward0"
    __slots__ = ("value",)
    _holomorphic = True

    def forward(ctx, x, t1, t2, value):
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return x + (t1 if value == 1 else value * t1) / t2  # PyTorch's order of rounding

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n, v = ctx.needs_input_grad, ctx.value
        gv = g if v == 1 else g * v
        g1 = gv / t2 if n[1] or n[2] else None
        return g if n[0] else None, g1 if n[1] else None, -g1 * t1 / t2 if n[2] else None, None


def _three(name, input, tensor1, tensor2, value):
    tensors = [t for t in (input, tensor1, tensor2) if isinstance(t, Tensor)]
    if len(tensors) < 3:
        bad = next(i for i, t in enumerate((input, tensor1, tensor2)) if not isinstance(t, Tensor))
        raise TypeError(
            f"{name}(): argument '{('input', 'tensor1', 'tensor2')[bad]}' "
            f"(position {bad + 1}) must be Tensor"
        )
    dt = _dtype.result_type(input, tensor1, tensor2)
    return [t if t.dtype is dt else t.to(dt) for t in tensors]


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2`` (broadcast)."""
    x, a, b = _three("addcmul", input, tensor1, tensor2, value)
    return with_out(Addcmul.apply(x, a, b, value), out)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2`` (broadcast; floating point only)."""
    x, a, b = _three("addcdiv", input, tensor1, tensor2, value)
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return with_out(Addcdiv.apply(x, a, b, value), out)


# --- BLAS with accumulate -----------------------------------------------------------------------
def _scaled_sum(input, product, beta, alpha, name):
    """``beta * input + alpha * product``, shown as PyTorch's node ``name``; beta == 0 ignores
    input (NaN in it included)."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return relabel(product, name)  # NOTE: as in PyTorch, input is not read (no gradient)
    return relabel(product + (input if beta == 1 else input * beta), name)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    return with_out(_scaled_sum(input, mm(mat1, mat2), beta, alpha, "AddmmBackward0"), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    return with_out(_scaled_sum(input, mv(mat, vec), beta, alpha, "AddmvBackward0"), out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D"
            if vec1.ndim != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D"
        )
    return with_out(_scaled_sum(input, outer(vec1, vec2), beta, alpha, "AddrBackward0"), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if batch1.ndim != 3 else "batch2 must be a 3D tensor"
        )
    # NOTE: one 2-D product over the joined batch-and-inner axis equals the sum of the
    # per-batch products, and BLAS does it in one call
    b, n, k = batch1.shape
    p = batch2.shape[2]
    if batch2.shape[0] != b or batch2.shape[1] != k:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
            f"[{batch2.shape[0]}, {batch2.shape[1]}]."
        )
    prod = mm(batch1.permute(1, 0, 2).reshape(n, b * k), batch2.reshape(b * k, p))
    return with_out(_scaled_sum(input, prod, beta, alpha, "AddbmmBackward0"), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return with_out(_scaled_sum(input, bmm(batch1, batch2), beta, alpha, "BaddbmmBackward0"), out)


def _accumulate_inplace(fn):
    def method(self, *args, beta=1, alpha=1):
        return inplace(self, fn, *args, beta=beta, alpha=alpha)

    method.__name__ = fn.__name__ + "_"
    return method


addmv_ = _accumulate_inplace(addmv)


def chain_matmul(*matrices, out=None) -> Tensor:
    """Deprecated: the product of 2-D matrices, left to right (``linalg.multi_dot``)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    if len(matrices) == 1:
        return with_out(matrices[0].clone(), out)
    result = matrices[0]
    for m in matrices[1:]:
        result = matmul(result, m)
    return with_out(result, out)


# --- integer and floating-point bit arithmetic --------------------------------------------------
class NotDifferentiable(Primitive):
    """Records ``op`` in the graph; its backward raises as PyTorch's does."""

    _name = "NotImplemented"
    __slots__ = ("op",)

    def forward(ctx, x, y, op):
        ctx.op = op
        return getattr(array_module(x), op)(x, y)

    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


def heaviside(input: Tensor, values: Tensor, *, out=None) -> Tensor:
    """0 where input < 0, 1 where input > 0, ``values`` where input == 0."""
    if not isinstance(values, Tensor):
        raise TypeError(
            f"heaviside(): argument 'values' (position 2) must be Tensor, not "
            f"{type(values).__name__}"
        )
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input.is_complex():
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    return with_out(NotDifferentiable.apply(input, values, "heaviside"), out)


def _integer_op(name):
    def fn(input: Tensor, other: Tensor, *, out=None) -> Tensor:
        a, b = operands(input, other)
        t = a if isinstance(a, Tensor) else b
        if t._data.dtype.kind not in "iu":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{t.dtype.legacy_name[6:-6]}'"
            )
        xp = array_module(t._data)
        a = a._data if isinstance(a, Tensor) else a
        b = b._data if isinstance(b, Tensor) else b
        return with_out(wrap(getattr(xp, name)(a, b).astype(t._data.dtype, copy=False)), out)

    fn.__name__ = name
    fn.__doc__ = (
        "Elementwise "
        + ("greatest common divisor" if name == "gcd" else "least common multiple")
        + " of integers."
    )
    return fn


gcd = _integer_op("gcd")
lcm = _integer_op("lcm")


def _self_inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)

    method.__name__ = fn.__name__ + "_"
    return method


gcd_, lcm_ = _self_inplace(gcd), _self_inplace(lcm)


def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2 ** other`` in floating point."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"ldexp(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    dt = _dtype.result_type(input, other)
    if not (dt.is_floating_point or dt.is_complex):
        dt = _dtype.get_default_dtype()
    scale = other.to(dt.to_real()).exp2() if isinstance(other, Tensor) else 2.0**other
    return with_out(input.to(dt) * scale, out)


ldexp_ = _self_inplace(ldexp)


class Frexp(Primitive):
    _name = "FrexpBackward0"

    def forward(ctx, x):
        mantissa, exponent = array_module(x).frexp(x)
        exponent = exponent.astype("int32", copy=False)
        ctx.save_for_backward(-exponent)  # a constant of the graph, not the integer output
        return mantissa, exponent

    def backward(ctx, g, g_exponent):
        (neg_exponent,) = ctx.saved_tensors
        # mantissa = x * 2**-exponent, with the exponent piecewise constant
        return ctx.xp.ldexp(g, neg_exponent)


def frexp(input: Tensor, *, out=None):
    """(mantissa, exponent) with ``input == mantissa * 2 ** exponent``, 0.5 <= |mantissa| < 1."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = Frexp.apply(input)
    if out is not None:
        out[0].copy_(mantissa)
        out[1].copy_(exponent)
        mantissa, exponent = out
    return _FrexpResult((mantissa, exponent))


class Nextafter(Primitive):
    _name = "NextafterBackward0"

    def forward(ctx, x, y):
        return array_module(x).nextafter(x, y)

    def backward(ctx, g):
        # NOTE: PyTorch treats the step to the neighbouring float as the identity in x, and as
        # constant in the direction y
        n = ctx.needs_input_grad
        return g if n[0] else None, g * 0 if n[1] else None


def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable float after ``input`` towards ``other``."""
    a, b = operands(input, other)
    if not a.is_floating_point():
        raise NotImplementedError(
            f"\"nextafter_cpu\" not implemented for '{a.dtype.legacy_name[6:-6]}'"
        )
    return with_out(Nextafter.apply(a, b), out)


METHODS = {
    "addcmul": addcmul,
    "addcdiv": addcdiv,
    "addmm": addmm,
    "addmv": addmv,
    "addr": addr,
    "addbmm": addbmm,
    "baddbmm": baddbmm,
    "heaviside": heaviside,
    "gcd": gcd,
    "lcm": lcm,
    "ldexp": ldexp,
    "frexp": frexp,
    "nextafter": nextafter,
    "addcmul_": _self_inplace(addcmul),
    "addcdiv_": _self_inplace(addcdiv),
    "addmv_": addmv_,
    "addr_": _accumulate_inplace(addr),
    "addbmm_": _accumulate_inplace(addbmm),
    "baddbmm_": _accumulate_inplace(baddbmm),
    "heaviside_": _self_inplace(heaviside),
    "gcd_": gcd_,
    "lcm_": lcm_,
    "ldexp_": ldexp_,
    "nextafter_": _self_inplace(nextafter),
}
