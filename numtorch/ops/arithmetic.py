"""Arithmetic, comparison and logical operators, with PyTorch's type promotion.

Binary ops first bring their operands to one dtype (``_dtype.result_type``: a float Python
number with an int tensor gives the default float dtype, a 0-d tensor does not promote a
tensor with dimensions of the same category), then call the primitive on arrays of that dtype.
"""

from __future__ import annotations

import numbers

from .. import _dtype
from .._backend import array_module
from .._fma import fma32
from .._tensor import Tensor
from ..autograd.function import Primitive
from .derivatives import Add, Div, Mul, Neg, Pow, PowScalar, Reciprocal, RPow, Rsub, Sub

__all__ = [
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "floor_divide",
    "neg",
    "negative",
    "pow",
    "float_power",
    "reciprocal",
    "rsub",
    "square",
]


def operands(a, b, wrap_ints=True):
    """``a`` and ``b`` with every tensor cast to the promoted dtype (numbers stay numbers; with
    an integer result, an int outside its range wraps into it unless ``wrap_ints`` is False)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype == b._data.dtype:
                return a, b
        elif type(b) is float and a._data.dtype.kind in "fc":
            return a, b
    if not isinstance(a, Tensor) and getattr(a, "ndim", None) == 0:
        a = a.item()  # a NumPy scalar counts as the Python number it holds
    if not isinstance(b, Tensor) and getattr(b, "ndim", None) == 0:
        b = b.item()
    if not isinstance(a, (Tensor, numbers.Number)) or not isinstance(b, (Tensor, numbers.Number)):
        bad = b if isinstance(a, (Tensor, numbers.Number)) else a
        raise TypeError(
            f"unsupported operand type: expected a Tensor or a number, got {type(bad).__name__}"
        )
    dt = _dtype.result_type(a, b)
    if isinstance(a, Tensor) and a.dtype is not dt:
        a = a.to(dt)
    if isinstance(b, Tensor) and b.dtype is not dt:
        b = b.to(dt)
    if wrap_ints and dt._cat == _dtype._INT:
        a, b = _wrapped(a, dt), _wrapped(b, dt)
    return a, b


def _wrapped(v, dt):
    """A Python int outside an integer dtype's range, wrapped into it as PyTorch casts it
    (``uint8_tensor + 300`` adds 44); ints beyond 64 bits are left to overflow."""
    if type(v) is not int or not -(1 << 63) <= v < (1 << 64):
        return v
    bits = dt.itemsize * 8
    v &= (1 << bits) - 1
    return v - (1 << bits) if dt.is_signed and v >= 1 << (bits - 1) else v


def _write_out(out, result):
    """Copy a result into ``out=`` (resizing it as PyTorch does when the shape differs)."""
    if result._rg:
        op = result.grad_fn.name().split("Backward")[0].lower()
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if out._data.shape != result._data.shape:
        out._data = result._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = result._data
    out._vc[0] += 1
    return out


def with_out(result, out):
    return result if out is None else _write_out(out, result)


def fma(a, b, c):
    """``a * b + c`` rounded once, as PyTorch's vectorized CPU kernels compute add/sub with
    ``alpha``, ``addcmul`` and ``lerp`` (fused multiply-add instructions). ``a`` or ``b`` may
    be a Python number. float32 goes through float64 (_fma.py); float64 uses error-free
    transformations (Dekker's product, Knuth's sum); other dtypes round twice.
    """
    arr = next(v for v in (a, b, c) if hasattr(v, "dtype"))
    dt = arr.dtype
    if dt.kind != "f" or dt.itemsize < 4:
        return a * b + c
    if dt.itemsize == 4:
        return fma32(a, b, c)
    xp = array_module(arr)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a * b == p + err exactly
    s = p + c
    v = s - p
    out = s + (((p - (s - v)) + (c - v)) + err)  # s + its rounding error + err, rounded once
    # the splits overflow near the top of the range: there, the plain expression
    return xp.where(xp.isfinite(out), out, s)


def _split(v):
    """``v`` as hi + lo, each with at most 26 significant bits (Veltkamp's splitting)."""
    t = 134217729.0 * v
    hi = t - (t - v)
    return hi, v - hi


# --- primitives -------------------------------------------------------------------------------
class AddScaled(Primitive):
    """``x + alpha * y`` (``add``/``sub`` with ``alpha``), one rounding as in PyTorch."""

    _name = "AddBackward0"
    __slots__ = ("alpha",)

    def forward(ctx, x, y, alpha):
        ctx.alpha = alpha
        return fma(y, alpha, x)

    def backward(ctx, g):
        return g, g * ctx.alpha if ctx.needs_input_grad[1] else None, None


class SubScaled(AddScaled):
    _name = "SubBackward0"

    def forward(ctx, x, y, alpha):
        ctx.alpha = alpha
        return fma(y, -alpha, x)

    def backward(ctx, g):
        return g, -g * ctx.alpha if ctx.needs_input_grad[1] else None, None


class RoundedDiv(Primitive):
    """Division with ``rounding_mode`` 'trunc' or 'floor': a step function, gradient zero."""

    _name = "DivBackward1"
    __slots__ = ("mode",)

    def forward(ctx, x, y, mode):
        ctx.mode = mode
        xp = array_module(x if hasattr(x, "dtype") else y)
        if mode == "floor":
            return xp.floor_divide(x, y)
        if xp.asarray(x).dtype.kind in "iub":
            q = xp.floor_divide(x, y)
            # floor and trunc differ by one where the quotient is negative and inexact
            return q + ((xp.remainder(x, y) != 0) & ((x < 0) != (y < 0)))
        return xp.trunc(x / y)

    def backward(ctx, g):
        return g * 0, g * 0 if ctx.needs_input_grad[1] else None


# --- functions --------------------------------------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion."""
    return _add(Add, AddScaled, input, other, alpha, out)


def _add(plain, scaled, input, other, alpha, out):
    """``input + alpha * other``: with ``alpha`` fused into one rounding where both are
    floating tensors (PyTorch's kernel), else through ``mul``."""
    if alpha.__class__ is not int or alpha != 1:
        alpha = _checked_alpha(input, other, alpha)
    if alpha != 1 and not (
        isinstance(input, Tensor)
        and isinstance(other, Tensor)
        and input._data.dtype.kind == other._data.dtype.kind == "f"
    ):
        # a Python number stays one, so that it keeps its weak dtype
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
        alpha = 1
    a, b = operands(input, other)
    if alpha != 1:
        return with_out(scaled.apply(a, b, a._data.dtype.type(alpha)), out)
    if not isinstance(a, Tensor):
        return with_out(Rsub.apply(b, a) if plain is Sub else Add.apply(b, a), out)
    return with_out(plain.apply(a, b), out)


def _checked_alpha(input, other, alpha):
    """``alpha`` where the result's dtype admits it (PyTorch's checks), as a Python number;
    for a bool result, a bool."""
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    dt = _dtype.result_type(input, other)
    if isinstance(alpha, bool) and dt is not _dtype.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, (float, complex)) and not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if isinstance(alpha, complex) and not dt.is_complex:
        raise RuntimeError(
            "For non-complex input tensors, argument alpha must not be a complex number."
        )
    return bool(alpha) if dt is _dtype.bool else alpha


def _is_bool(v) -> bool:
    return isinstance(v, bool) or (isinstance(v, Tensor) and v._data.dtype.kind == "b")


def _check_bool_sub(input, other) -> None:
    """PyTorch's errors for subtraction with a bool operand (tensor or Python bool)."""
    first, second = _is_bool(input), _is_bool(other)
    if first and second:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if first or second:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input, other, *, alpha=1, out=None):
    _check_bool_sub(input, other)
    return _add(Sub, SubScaled, input, other, alpha, out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha) if isinstance(other, Tensor) else _rsub(input, other)


def _rsub(t, number):
    _check_bool_sub(number, t)
    a, b = operands(t, number)
    return Rsub.apply(a, b)


def mul(input, other, *, out=None):
    a, b = operands(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return with_out(Mul.apply(a, b), out)


multiply = mul


def _float_operands(input, other):
    a, b = operands(input, other, wrap_ints=False)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind in "iub":
        dt = _dtype.get_default_dtype()
        a = a.to(dt) if isinstance(a, Tensor) else a
        b = b.to(dt) if isinstance(b, Tensor) else b
    return a, b


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give the default float dtype) or, with ``rounding_mode``
    'trunc' or 'floor', rounded division that keeps the dtype."""
    if rounding_mode is None:
        a, b = _float_operands(input, other)
        if not isinstance(a, Tensor):
            return with_out(mul(reciprocal(b), a), out)
        return with_out(Div.apply(a, b), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    a, b = operands(input, other)
    kind = (a if isinstance(a, Tensor) else b)._data.dtype.kind
    if kind in "cb":
        t = a if isinstance(a, Tensor) else b
        raise NotImplementedError(
            f"\"div_{rounding_mode}_cpu\" not implemented for '{t.dtype.scalar_type_name}'"
        )
    check_int_divisor(a, b)
    return with_out(RoundedDiv.apply(a, b, rounding_mode), out)


def check_int_divisor(a, b):
    """PyTorch's error for an integer division by zero (NumPy would give 0 and a warning)."""
    if (a if isinstance(a, Tensor) else b)._data.dtype.kind not in "iu":
        return
    bd = b._data if isinstance(b, Tensor) else b
    if (bd == 0).any() if hasattr(bd, "any") else bd == 0:
        raise RuntimeError("ZeroDivisionError")


divide = div
true_divide = div


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def neg(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return with_out(Neg.apply(input), out)


negative = neg


def reciprocal(input, *, out=None):
    if input._data.dtype.kind in "iub":
        input = input.to(_dtype.get_default_dtype())
    return with_out(Reciprocal.apply(input), out)


def square(input, *, out=None):
    return with_out(pow(input, 2), out)


def pow(input, exponent, *, out=None):
    """``input ** exponent`` for tensors and numbers in either place."""
    if isinstance(input, Tensor) and isinstance(exponent, numbers.Number):
        a, e = operands(input, exponent)
        if a._data.dtype.kind in "iu" and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if a._data.dtype.kind == "b":  # bool ** bool stays bool (NumPy would give int8)
            return with_out(PowScalar.apply(a, int(e)).to(_dtype.bool), out)
        return with_out(PowScalar.apply(a, e), out)
    if not isinstance(input, Tensor):
        a, b = operands(input, exponent)
        return with_out(RPow.apply(b, a), out)
    a, b = operands(input, exponent)
    if a._data.dtype.kind == "b":
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if a._data.dtype.kind in "iu" and (b._data < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return with_out(Pow.apply(a, b), out)


def float_power(input, exponent, *, out=None):
    def cast(v):
        return v.double() if isinstance(v, Tensor) else v

    return with_out(pow(cast(input), cast(exponent)), out)


METHODS = {
    "add": add,
    "sub": sub,
    "subtract": sub,
    "mul": mul,
    "multiply": mul,
    "div": div,
    "divide": div,
    "true_divide": div,
    "floor_divide": floor_divide,
    "neg": neg,
    "negative": neg,
    "reciprocal": reciprocal,
    "pow": pow,
    "float_power": float_power,
    "square": square,
}
