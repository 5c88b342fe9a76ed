"""Elementwise functions of one tensor: exponentials, logarithms, trigonometry, activations.
(Rounding, sign and the float classification tests: rounding.py.)

Float-valued functions of an integer or bool tensor compute in the default float dtype, as
PyTorch's do (``torch.exp(int tensor)`` is float32). Derivatives reuse the output where it is
the cheaper operand (``exp``, ``sqrt``, ``tanh``, ``sigmoid``).
"""

from __future__ import annotations

import math
from operator import mul

from .. import _dtype
from .._backend import array_module, is_array, reuse
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .derivatives import (
    Abs,
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atanh,
    Cos,
    Cosh,
    Deg2Rad,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log1p,
    Log2,
    Log10,
    Rad2Deg,
    Relu,
    Rsqrt,
    Sin,
    Sinc,
    Sinh,
    Sqrt,
    Tan,
)
from .inplace import inplace, needs_graph

__all__ = [
    "abs",
    "absolute",
    "exp",
    "exp2",
    "log",
    "log2",
    "log10",
    "log1p",
    "expm1",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "sigmoid",
    "relu",
    "deg2rad",
    "rad2deg",
    "sinc",
]


# --- primitives: the rest are rows of the derivative table (derivatives.py) ---------------
class Tanh(Primitive):
    _holomorphic = True
    _name = "TanhBackward0"
    _save_names = ("result",)

    def forward(ctx, x):
        out = array_module(x).tanh(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return reuse(mul, 1 - out * out, g)


def sigmoid_into(x, out):
    """``1 / (1 + exp(-x))`` written into ``out``: four passes and no temporary. exp(-x)
    overflowing to inf for very negative x gives exactly 0, so no branch is needed."""
    xp = array_module(x)
    xp.negative(x, out=out)
    xp.exp(out, out=out)
    out += 1
    # NOTE: divide, not reciprocal: the same rounding, and twice as fast in NumPy for float32
    return xp.divide(1, out, out=out)


def logistic(x):
    """The logistic function of an array, or of a Tensor in a backward under ``create_graph``
    (a differentiable op then): the one sigmoid that other primitives' formulas use."""
    if isinstance(x, Tensor):
        return sigmoid(x)
    return sigmoid_into(x, array_module(x).empty_like(x))


class Sigmoid(Primitive):
    _holomorphic = True
    _name = "SigmoidBackward0"
    _save_names = ("result",)

    def forward(ctx, x):
        if is_array(x) and x.ndim:
            out = sigmoid_into(x, array_module(x).empty_like(x))
        else:
            out = 1 / (1 + array_module(x).exp(-x))
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return sigmoid_grad(g, out)


def sigmoid_grad(g, out):
    """Sigmoid's gradient from its output (arrays, or Tensors under ``create_graph``): also the
    compiled replay's step. (1 - out) * g * out, PyTorch's order, in one buffer on arrays."""
    return reuse(mul, reuse(mul, 1 - out, g), out)


# --- functions --------------------------------------------------------------------------------
def _float(t: Tensor) -> Tensor:
    if t._data.dtype.kind in "iub":
        return wrap(t._data.astype(_dtype.get_default_dtype().np))
    return t


def _float_fn(prim, name):
    def fn(input: Tensor, *, out=None) -> Tensor:
        if input._data.dtype.kind in "iub":
            input = _float(input)
        return with_out(prim.apply(input), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}``; integer inputs give the default float dtype."
    return fn


exp = _float_fn(Exp, "exp")
exp2 = _float_fn(Exp2, "exp2")
expm1 = _float_fn(Expm1, "expm1")
log = _float_fn(Log, "log")
log2 = _float_fn(Log2, "log2")
log10 = _float_fn(Log10, "log10")
log1p = _float_fn(Log1p, "log1p")
sqrt = _float_fn(Sqrt, "sqrt")
rsqrt = _float_fn(Rsqrt, "rsqrt")
sin = _float_fn(Sin, "sin")
cos = _float_fn(Cos, "cos")
tan = _float_fn(Tan, "tan")
asin = arcsin = _float_fn(Asin, "asin")
acos = arccos = _float_fn(Acos, "acos")
atan = arctan = _float_fn(Atan, "atan")
sinh = _float_fn(Sinh, "sinh")
cosh = _float_fn(Cosh, "cosh")
tanh = _float_fn(Tanh, "tanh")
asinh = arcsinh = _float_fn(Asinh, "asinh")
acosh = arccosh = _float_fn(Acosh, "acosh")
atanh = arctanh = _float_fn(Atanh, "atanh")
sigmoid = _float_fn(Sigmoid, "sigmoid")
sinc = _float_fn(Sinc, "sinc")


def deg2rad(input: Tensor, *, out=None) -> Tensor:
    return with_out(Deg2Rad.apply(_float(input), math.pi / 180.0), out)


def rad2deg(input: Tensor, *, out=None) -> Tensor:
    return with_out(Rad2Deg.apply(_float(input), 180.0 / math.pi), out)


def _no_bool(t: Tensor, kernel: str) -> None:
    if t._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def abs(input: Tensor, *, out=None) -> Tensor:
    _no_bool(input, "abs_cpu")
    return with_out(Abs.apply(input), out)


absolute = abs


def relu(input: Tensor) -> Tensor:
    """``max(x, 0)``; integer tensors stay integer."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


# --- in-place forms ---------------------------------------------------------------------------
def _inplace(fn, kernel=None):
    """``x.exp_()``: ``kernel(array, out=array)`` when no graph is recorded and the tensor is
    floating point; otherwise the general in-place path (which also raises PyTorch's error for
    a float result written into an integer tensor)."""

    def method(self, *args, **kwargs):
        d = self._data
        if (
            kernel is not None
            and not args
            and not kwargs
            and d.dtype.kind == "f"
            and is_array(d)
            and d.flags.writeable
            and not needs_graph(self, ())
        ):
            kernel(d, out=d)
            self._vc[0] += 1
            return self
        return inplace(self, fn, *args, **kwargs)

    method.__name__ = fn.__name__ + "_"
    return method


def _ufunc_kernel(name):
    def kernel(d, out):
        getattr(array_module(d), name)(d, out=out)

    return kernel


def _relu_kernel(d, out):
    array_module(d).maximum(d, 0, out=out)


_UFUNC_NAMES = {
    "exp": "exp",
    "exp2": "exp2",
    "expm1": "expm1",
    "log": "log",
    "log2": "log2",
    "log10": "log10",
    "log1p": "log1p",
    "sqrt": "sqrt",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "asinh": "arcsinh",
    "acosh": "arccosh",
    "atanh": "arctanh",
    "abs": "abs",
}
_KERNELS = {name: _ufunc_kernel(u) for name, u in _UFUNC_NAMES.items()}
_KERNELS.update(sigmoid=sigmoid_into, relu=_relu_kernel)

METHODS = {}
for _fn in (
    abs,
    exp,
    exp2,
    expm1,
    log,
    log2,
    log10,
    log1p,
    sqrt,
    rsqrt,
    sin,
    cos,
    tan,
    asin,
    acos,
    atan,
    sinh,
    cosh,
    tanh,
    asinh,
    acosh,
    atanh,
    sigmoid,
    relu,
    deg2rad,
    rad2deg,
    sinc,
):
    METHODS[_fn.__name__] = _fn
    METHODS[_fn.__name__ + "_"] = _inplace(_fn, _KERNELS.get(_fn.__name__))
for _alias, _fn in (
    ("absolute", abs),
    ("arcsin", asin),
    ("arccos", acos),
    ("arctan", atan),
    ("arcsinh", asinh),
    ("arccosh", acosh),
    ("arctanh", atanh),
):
    METHODS[_alias] = _fn
    METHODS[_alias + "_"] = METHODS[_fn.__name__ + "_"]
METHODS["__abs__"] = abs
del _fn, _alias
