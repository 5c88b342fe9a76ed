"""Integer and floating-point number functions: ``gcd``, ``lcm``, ``heaviside``, ``ldexp``,
``frexp`` and ``nextafter``. ``gcd``/``lcm``/``frexp``/``nextafter`` map to NumPy's functions
of the same name.
"""

from __future__ import annotations

from .. import _dtype
from .._backend import array_module
from .._tensor import Tensor, arg_type_name, wrap
from ..autograd.function import Primitive
from ..return_types import frexp as _FrexpResult
from .arithmetic import operands, with_out
from .inplace import inplace_method

__all__ = ["heaviside", "gcd", "gcd_", "lcm", "lcm_", "ldexp", "ldexp_", "frexp", "nextafter"]


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
            f"{arg_type_name(values)}"
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
                f"\"{name}_cpu\" not implemented for '{t.dtype.scalar_type_name}'"
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


gcd_, lcm_ = inplace_method(gcd), inplace_method(lcm)


def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2 ** other`` in floating point."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"ldexp(): argument 'other' (position 2) must be Tensor, not {arg_type_name(other)}"
        )
    dt = _dtype.result_type(input, other)
    if not (dt.is_floating_point or dt.is_complex):
        dt = _dtype.get_default_dtype()
    scale = other.to(dt.to_real()).exp2() if isinstance(other, Tensor) else 2.0**other
    return with_out(input.to(dt) * scale, out)


ldexp_ = inplace_method(ldexp)


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
            f"\"nextafter_cpu\" not implemented for '{a.dtype.scalar_type_name}'"
        )
    return with_out(Nextafter.apply(a, b), out)


METHODS = {
    "heaviside": heaviside,
    "gcd": gcd,
    "lcm": lcm,
    "ldexp": ldexp,
    "frexp": frexp,
    "nextafter": nextafter,
    "heaviside_": inplace_method(heaviside),
    "gcd_": gcd_,
    "lcm_": lcm_,
    "ldexp_": ldexp_,
    "nextafter_": inplace_method(nextafter),
}
