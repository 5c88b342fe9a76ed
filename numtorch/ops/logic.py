"""Comparisons, logical and bitwise ops: results that never require grad (bool for
comparisons), operands promoted as PyTorch promotes them."""

from __future__ import annotations

from .._backend import array_module, is_array
from .._tensor import Tensor, arg_type_name, wrap
from ..autograd.node import broadcast_error
from .arithmetic import operands, with_out
from .inplace import inplace_method
from .operators import _not_implemented_guard

__all__ = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "isclose",
    "allclose",
    "is_nonzero",
    "is_same_size",
    "is_signed",
]


def _compare(ufunc_name):
    def compare(input, other, *, out=None):
        a, b = operands(input, other)
        if not isinstance(a, Tensor):
            a, b = b, a
            name = _SWAP[ufunc_name]
        else:
            name = ufunc_name
        bd = b._data if isinstance(b, Tensor) else b
        if a._data.dtype.kind == "c" and name not in ("__eq__", "__ne__"):
            raise NotImplementedError(
                f"\"{compare.__name__}_cpu\" not implemented for '{a.dtype.scalar_type_name}'"
            )
        try:
            return with_out(wrap(getattr(a._data, name)(bd)), out)
        except ValueError:
            raise broadcast_error(a.shape, getattr(b, "shape", ())) from None

    compare.__name__ = ufunc_name.strip("_")
    return compare


_SWAP = {
    "__lt__": "__gt__",
    "__gt__": "__lt__",
    "__le__": "__ge__",
    "__ge__": "__le__",
    "__eq__": "__eq__",
    "__ne__": "__ne__",
}

eq = _compare("__eq__")
ne = not_equal = _compare("__ne__")
lt = less = _compare("__lt__")
le = less_equal = _compare("__le__")
gt = greater = _compare("__gt__")
ge = greater_equal = _compare("__ge__")


def equal(input, other) -> bool:
    """True iff both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _logical(name):
    def logical(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}(): argument 'other' (position 2) must be Tensor, not "
                f"{arg_type_name(other)}"
            )
        xp = _xp(input)
        return with_out(wrap(getattr(xp, name)(_data(input), _data(other))), out)

    logical.__name__ = name
    return logical


def _xp(t):
    return array_module(t._data)


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def logical_not(input, *, out=None):
    return with_out(wrap(_xp(input).logical_not(input._data)), out)


def _bitwise(name):
    def bitwise(input, other, *, out=None):
        a, b = operands(input, other)
        if not isinstance(a, Tensor):
            a, b = b, a
        if a._data.dtype.kind not in "iub":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{a.dtype.scalar_type_name}'"
            )
        return with_out(wrap(getattr(_xp(a), name)(a._data, _data(b))), out)

    bitwise.__name__ = name
    return bitwise


bitwise_and = _bitwise("bitwise_and")
bitwise_or = _bitwise("bitwise_or")
bitwise_xor = _bitwise("bitwise_xor")
bitwise_left_shift = _bitwise("left_shift")
bitwise_right_shift = _bitwise("right_shift")


def bitwise_not(input, *, out=None):
    if input._data.dtype.kind not in "iub":
        name = input.dtype.scalar_type_name
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{name}'")
    return with_out(wrap(_xp(input).invert(input._data)), out)


def _invert(self):
    if self._data.dtype.kind not in "iub":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return bitwise_not(self)


def _equality(fn):
    """``t == other``: an array of the tensor's device compared as a tensor (PyTorch's ``==``
    takes one; its ``!=`` and ``<`` do not), other objects as Python compares them."""
    guarded = _not_implemented_guard(fn)

    def method(self, other):
        return fn(self, wrap(other)) if is_array(other) else guarded(self, other)

    return method


METHODS = {
    "eq": eq,
    "ne": ne,
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
    "greater": gt,
    "less": lt,
    "greater_equal": ge,
    "less_equal": le,
    "not_equal": ne,
    "equal": equal,
    "eq_": inplace_method(eq),
    "ne_": inplace_method(ne),
    "lt_": inplace_method(lt),
    "le_": inplace_method(le),
    "gt_": inplace_method(gt),
    "ge_": inplace_method(ge),
    "logical_and": logical_and,
    "logical_or": logical_or,
    "logical_xor": logical_xor,
    "logical_not": logical_not,
    "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor,
    "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift,
    "logical_not_": inplace_method(logical_not),
    "__eq__": _equality(eq),
    "__ne__": _not_implemented_guard(ne),
    "__lt__": _not_implemented_guard(lt),
    "__le__": _not_implemented_guard(le),
    "__gt__": _not_implemented_guard(gt),
    "__ge__": _not_implemented_guard(ge),
    "__and__": _not_implemented_guard(bitwise_and),
    "__or__": _not_implemented_guard(bitwise_or),
    "__xor__": _not_implemented_guard(bitwise_xor),
    "__invert__": _invert,
    "__rand__": _not_implemented_guard(bitwise_and),
    "__ror__": _not_implemented_guard(bitwise_or),
    "__rxor__": _not_implemented_guard(bitwise_xor),
    "__iand__": inplace_method(bitwise_and),
    "__ior__": inplace_method(bitwise_or),
    "__ixor__": inplace_method(bitwise_xor),
    "__lshift__": _not_implemented_guard(bitwise_left_shift),
    "__rshift__": _not_implemented_guard(bitwise_right_shift),
}


def _check_same_dtype(a: Tensor, b: Tensor):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{a.dtype.scalar_type_name} did not match {b.dtype.scalar_type_name}")


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities too)."""
    _check_same_dtype(input, other)
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    xp = array_module(a)
    if a.shape != b.shape:
        try:
            a, b = xp.broadcast_arrays(a, b)
        except ValueError:
            from .join import broadcast_shapes

            broadcast_shapes(a.shape, b.shape)
    if a.dtype.kind == "b":
        return wrap(a == b)
    return wrap(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element pair is close (``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# --- predicates ---------------------------------------------------------------------------------
def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (raises for any other size)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item() != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape


def is_signed(input: Tensor) -> bool:
    return input.dtype.is_signed


METHODS.update(
    isclose=isclose,
    allclose=allclose,
    is_nonzero=is_nonzero,
    is_same_size=is_same_size,
    is_signed=is_signed,
)
