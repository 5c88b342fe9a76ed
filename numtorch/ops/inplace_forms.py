"""The in-place forms of ops defined out of place elsewhere (``x.logical_and_(y)``,
``x.lgamma_()`` ...), the ``torch.*`` spellings of in-place methods (``torch.relu_(x)``,
``torch.exp_(x)``), ``float_power_`` and ``torch.fill``.

Every in-place form here runs the out-of-place op through ``inplace`` (inplace.py), which
keeps autograd and the version counter right and refuses a result of a higher category than
the tensor (a float result into an int tensor).
"""

from __future__ import annotations

from .._tensor import Tensor
from .inplace import inplace

__all__ = ["fill"]

# Tensor methods whose in-place form is ``inplace(self, method, *args)``.
_INPLACE_OF = (
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "logical_and",
    "logical_or",
    "logical_xor",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "digamma",
    "lgamma",
    "polygamma",
    "mvlgamma",
    "i0",
    "logit",
    "igamma",
    "igammac",
    "addmm",
)

# ``torch.<name>_(x, ...)`` is ``x.<name>_(...)`` for these.
_TORCH_LEVEL_INPLACE = (
    "abs_",
    "acos_",
    "acosh_",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "i0_",
    "index_put_",
    "log10_",
    "log1p_",
    "log2_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "rad2deg_",
    "reciprocal_",
    "resize_as_",
    "round_",
    "rsqrt_",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
    "as_strided_",
    "conj_physical_",
)


def _inplace_method(name: str):
    def method(self, *args, **kwargs):
        return inplace(self, getattr(Tensor, name), *args, **kwargs)

    method.__name__ = name + "_"
    return method


def _torch_level(name: str):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``, in place."
    return fn


def float_power_(self: Tensor, exponent) -> Tensor:
    """In place; the tensor must already be float64 (or complex128), the result's dtype."""
    if self.dtype.name not in ("float64", "complex128"):
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype.scalar_type_name} but the "
            "operation's result requires dtype Double"
        )
    return inplace(self, Tensor.float_power, exponent)


# --- new functions --------------------------------------------------------------------------
def fill(input: Tensor, value) -> Tensor:
    """A copy of ``input`` with every element ``value``."""
    return input.clone().fill_(value)


METHODS = {name + "_": _inplace_method(name) for name in _INPLACE_OF}
METHODS["float_power_"] = float_power_
for _name in _TORCH_LEVEL_INPLACE:
    globals()[_name] = _torch_level(_name)
    __all__.append(_name)
del _name
