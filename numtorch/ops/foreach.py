"""``torch._foreach_*``: one op over a list of tensors, as optimizers and EMA helpers call them.

Each runs the tensor op once per element; a list argument of the same length goes element by
element, a scalar or tensor goes to every element. The in-place forms (trailing ``_``) update
the tensors and return the list they were given; the others return a tuple.
"""

from __future__ import annotations

from .._tensor import Tensor

# name -> the Tensor method it applies; each also gets its in-place form unless listed below
_BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "clamp_min", "clamp_max"]
_TERNARY = ["addcmul", "addcdiv", "lerp"]
_UNARY = "abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p"
_UNARY += " log2 neg reciprocal round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc"
_NO_INPLACE = {"maximum", "minimum"}  # Tensor has no maximum_/minimum_


def _check(tensors) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return tensors


def _spread(arg, n: int) -> list:
    """``arg`` per element: a list or tuple of the same length goes element by element."""
    if not isinstance(arg, (list, tuple)):
        return [arg] * n
    if len(arg) != n:
        if arg and isinstance(arg[0], Tensor):
            raise RuntimeError(
                f"Tensor lists must have the same number of tensors, got {n} and {len(arg)}"
            )
        raise RuntimeError("Tensor list must have same number of elements as scalar list.")
    return list(arg)


def _make(name: str, op, inplace: bool):
    """The foreach form of ``op(tensor, *args, **kwargs)``."""

    def fn(self, *args, **kwargs):
        if name == "pow" and not isinstance(self, (list, tuple)):
            # _foreach_pow(scalar, tensors): the scalar raised to each tensor
            base, exponents = self, _check(args[0])
            return tuple(t.__rpow__(base) for t in exponents)
        tensors = _check(self)
        spread = [_spread(a, len(tensors)) for a in args]
        out = tuple(op(t, *[s[i] for s in spread], **kwargs) for i, t in enumerate(tensors))
        return self if inplace else out

    fn.__name__ = fn.__qualname__ = f"_foreach_{name}{'_' if inplace else ''}"
    fn.__doc__ = f"``Tensor.{name}{'_' if inplace else ''}`` of each tensor of a list."
    return fn


def _method(name: str):
    return lambda t, *args, **kwargs: getattr(t, name)(*args, **kwargs)


def _copy_into(name: str):
    """In place through ``copy_``: the Tensor method exists only out of place."""
    return lambda t, *args, **kwargs: t.copy_(getattr(t, name)(*args, **kwargs))


def _zero_(self):
    for t in _check(self):
        t.zero_()
    return self


def _copy_(self, src, non_blocking: bool = False):
    tensors = _check(self)
    for t, s in zip(tensors, _spread(list(src), len(tensors))):
        t.copy_(s, non_blocking)
    return self


def _norm(self, ord=2, dtype=None):
    from .. import linalg

    return tuple(linalg.vector_norm(t, ord, dtype=dtype) for t in _check(self))


def _max(self):
    return tuple(t.max() for t in _check(self))


def _clone(self):
    return tuple(t.clone() for t in _check(self))


_FUNCS = {
    "_foreach_zero_": _zero_,
    "_foreach_copy_": _copy_,
    "_foreach_norm": _norm,
    "_foreach_max": _max,
    "_foreach_clone": _clone,
}
for _name in _BINARY + _TERNARY + _UNARY.split():
    _FUNCS[f"_foreach_{_name}"] = _make(_name, _method(_name), False)
    inplace = _copy_into(_name) if _name in _NO_INPLACE else _method(_name + "_")
    _FUNCS[f"_foreach_{_name}_"] = _make(_name, inplace, True)

globals().update(_FUNCS)
__all__ = sorted(_FUNCS)
