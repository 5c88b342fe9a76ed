"""Tensor's arithmetic operators (``+ - * / // **``, unary ``-`` and their reflected and
augmented forms) and the in-place ``add_`` / ``sub_`` / ``mul_`` / ``div_`` ... methods.

An in-place form writes straight into the tensor with a ufunc where no graph is recorded (an
optimizer's step), else takes the general path of ``inplace.py``.
"""

from __future__ import annotations

import numbers

from .. import _dtype
from .._backend import array_module
from .._fma import fma32
from .._tensor import Tensor
from ..autograd.node import broadcast_error, check_same_device
from .arithmetic import (
    _rsub,
    add,
    div,
    floor_divide,
    mul,
    neg,
    pow,
    reciprocal,
    square,
    sub,
)
from .inplace import (
    check_cast,
    check_leaf,
    check_no_partial_overlap,
    check_not_overlapping,
    inplace,
    inplace_method,
    needs_graph,
)

__all__ = []


def _inplace_ufunc(fn, ufunc):
    """``x.add_(y)``: a ufunc writing into ``x`` when no graph is recorded, else the general
    in-place path."""

    def method(self, other, *args, **kwargs):
        if kwargs or args or needs_graph(self, (other,)):
            return inplace(self, fn, other, *args, **kwargs)
        check_leaf(self)
        if isinstance(other, Tensor):
            check_no_partial_overlap(self, other)
        o = other._data if isinstance(other, Tensor) else other
        xp = array_module(self._data)
        res_dt = _dtype.result_type(self, other).np
        check_cast(res_dt, self._data.dtype)
        try:
            getattr(xp, ufunc)(self._data, o, out=self._data, casting="unsafe")
        except TypeError:  # another device's array
            check_same_device((self, other))
            raise
        except ValueError:
            check_not_overlapping(self)
            err = broadcast_error(self.shape, getattr(other, "shape", ()))
            if str(err).startswith("shapes"):  # broadcastable, but wider than self
                shape = [
                    max(x, y)
                    for x, y in zip(
                        (1,) * (len(other.shape) - self.ndim) + tuple(self.shape), other.shape
                    )
                ]
                err = RuntimeError(
                    f"output with shape {list(self.shape)} doesn't match the "
                    f"broadcast shape {shape}"
                )
            raise err from None
        self._vc[0] += 1
        return self

    method.__name__ = fn.__name__ + "_"
    return method


def _add_(self, other, *, alpha=1):
    if isinstance(alpha, Tensor):  # a 0-d tensor is a Number here (optimizers pass one)
        if alpha.ndim != 0:
            raise TypeError("add_(): argument 'alpha' must be Number, not Tensor")
        alpha = alpha.item()
    if alpha != 1:
        return _scaled_(self, other, alpha, add)
    return _add_plain(self, other)


def _scaled_(self, other, alpha, fn):
    """``self.add_(other, alpha=alpha)`` (``fn`` is add or sub): the fused multiply-add written
    straight into ``self`` for two float32 tensors of one shape (an optimizer's step) where no
    graph is recorded and ``other`` is not another view of ``self``'s memory; else the general
    in-place path."""
    x = self._data
    o = other._data if isinstance(other, Tensor) else None
    if (
        o is None
        or x.dtype.char != "f"
        or o.dtype.char != "f"
        or o.shape != x.shape
        or type(alpha) not in (int, float)
        or not x.flags.writeable
        or needs_graph(self, (other,))
        or (o is not x and array_module(x).may_share_memory(x, o))
    ):
        return inplace(self, fn, other, alpha=alpha)
    check_leaf(self)
    a = x.dtype.type(alpha)
    fma32(o, a if fn is add else -a, x, out=x)
    self._vc[0] += 1
    return self


_add_plain = _inplace_ufunc(add, "add")


def _sub_(self, other, *, alpha=1):
    if alpha != 1:
        return _scaled_(self, other, alpha, sub)
    return _sub_plain(self, other)


_sub_plain = _inplace_ufunc(sub, "subtract")


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None or self._data.dtype.kind in "iub":
        return inplace(self, div, other, rounding_mode=rounding_mode)
    return _div_plain(self, other)


_div_plain = _inplace_ufunc(div, "true_divide")


def _radd(self, other):
    return add(self, other)


def _rmul(self, other):
    return mul(self, other)


def _rsub_dunder(self, other):
    return _rsub(self, other)


def _rtruediv(self, other):
    return mul(reciprocal(self), other) if not isinstance(other, Tensor) else div(other, self)


def _rpow(self, other):
    return pow(other, self)


def _rfloordiv(self, other):
    return floor_divide(other, self)


def _not_implemented_guard(fn):
    """Dunder versions return NotImplemented for operands numtorch does not know."""

    def method(self, other):
        if not isinstance(other, (Tensor, numbers.Number)):
            return NotImplemented
        return fn(self, other)

    return method


_mul_ = _inplace_ufunc(mul, "multiply")


METHODS = {
    "add_": _add_,
    "sub_": _sub_,
    "subtract_": _sub_,
    "mul_": _mul_,
    "multiply_": _mul_,
    "div_": _div_,
    "divide_": _div_,
    "true_divide_": _div_,
    "floor_divide_": inplace_method(floor_divide),
    "neg_": inplace_method(neg),
    "negative_": inplace_method(neg),
    "reciprocal_": inplace_method(reciprocal),
    "pow_": inplace_method(pow),
    "square_": inplace_method(square),
    "__add__": _not_implemented_guard(add),
    "__radd__": _not_implemented_guard(_radd),
    "__iadd__": _add_,
    "__sub__": _not_implemented_guard(sub),
    "__rsub__": _not_implemented_guard(_rsub_dunder),
    "__isub__": _sub_,
    "__mul__": _not_implemented_guard(mul),
    "__rmul__": _not_implemented_guard(_rmul),
    "__imul__": _mul_,
    "__truediv__": _not_implemented_guard(div),
    "__rtruediv__": _not_implemented_guard(_rtruediv),
    "__itruediv__": _div_,
    "__floordiv__": _not_implemented_guard(floor_divide),
    "__rfloordiv__": _not_implemented_guard(_rfloordiv),
    "__ifloordiv__": inplace_method(floor_divide),
    "__pow__": _not_implemented_guard(pow),
    "__rpow__": _not_implemented_guard(_rpow),
    "__ipow__": inplace_method(pow),
    "__neg__": neg,
    "__pos__": lambda self: self,
}
