"""Elementwise functions of one tensor: exponentials, logarithms, trigonometry, activations.
(Rounding, sign and the float classification tests: rounding.py.)

Float-valued functions of an integer or bool tensor compute in the default float dtype, as
PyTorch's do (``torch.exp(int tensor)`` is float32). Derivatives reuse the output where it is
the cheaper operand (``exp``, ``sqrt``, ``tanh``, ``sigmoid``).
"""

from __future__ import annotations

import math

from .. import _dtype
from .._backend import array_module, is_array
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
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

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class _Unary(Primitive):
    """Elementwise ``ufunc(x)`` whose derivative needs ``x`` (``_out`` False) or the output."""

    _holomorphic = True
    _ufunc = None
    _out = False

    def __init_subclass__(cls, **kwargs):
        cls._save_names = ("result",) if cls._out else ("self",)
        super().__init_subclass__(**kwargs)

    def forward(ctx, x):
        out = getattr(array_module(x), ctx._ufunc)(x)
        ctx.save_for_backward(out if ctx._out else x)
        return out


# --- primitives: the derivative table ---------------------------------------------------------
class Exp(_Unary):
    _name, _ufunc, _out = "ExpBackward0", "exp", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Exp2(_Unary):
    _name, _ufunc, _out = "Exp2Backward0", "exp2", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * _LN2


class Expm1(_Unary):
    _name, _ufunc, _out = "Expm1Backward0", "expm1", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Log(_Unary):
    _name, _ufunc = "LogBackward0", "log"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log2(_Unary):
    _name, _ufunc = "Log2Backward0", "log2"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)


class Log10(_Unary):
    _name, _ufunc = "Log10Backward0", "log10"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)


class Log1p(_Unary):
    _name, _ufunc = "Log1PBackward0", "log1p"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Sqrt(_Unary):
    _name, _ufunc, _out = "SqrtBackward0", "sqrt", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (out * 2)


class Rsqrt(Primitive):
    _holomorphic = True
    _name = "RsqrtBackward0"

    def forward(ctx, x):
        xp = array_module(x)
        out = xp.sqrt(x)
        out = xp.divide(1, out, out=out) if is_array(out) else 1 / out
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out * out * out) * -0.5


class Sin(_Unary):
    _name, _ufunc = "SinBackward0", "sin"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.xp.cos(x)


class Cos(_Unary):
    _name, _ufunc = "CosBackward0", "cos"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * -ctx.xp.sin(x)


class Tan(_Unary):
    _name, _ufunc, _out = "TanBackward0", "tan", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out * out + 1)


class Asin(_Unary):
    _name, _ufunc = "AsinBackward0", "arcsin"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ctx.xp.sqrt(1 - x * x)


class Acos(_Unary):
    _name, _ufunc = "AcosBackward0", "arccos"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / ctx.xp.sqrt(1 - x * x)


class Atan(_Unary):
    _name, _ufunc = "AtanBackward0", "arctan"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * x + 1)


class Sinh(_Unary):
    _name, _ufunc = "SinhBackward0", "sinh"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.xp.cosh(x)


class Cosh(_Unary):
    _name, _ufunc = "CoshBackward0", "cosh"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.xp.sinh(x)


class Tanh(_Unary):
    _name, _ufunc, _out = "TanhBackward0", "tanh", True

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        d = 1 - out * out
        if ctx._graph or d.dtype != g.dtype or not d.ndim:
            return g * d
        # in place: each fresh full-size temporary costs about as much as a pass over it
        d *= g
        return d


class Asinh(_Unary):
    _name, _ufunc = "AsinhBackward0", "arcsinh"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ctx.xp.sqrt(x * x + 1)


class Acosh(_Unary):
    _name, _ufunc = "AcoshBackward0", "arccosh"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / ctx.xp.sqrt(x * x - 1)


class Atanh(_Unary):
    _name, _ufunc = "AtanhBackward0", "arctanh"

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 - x * x)


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
        if ctx._graph or g.dtype != out.dtype:
            return g * out * (1 - out)
        # NOTE: (1 - out) * g * out, PyTorch's order, in one buffer
        d = 1 - out
        d *= g
        d *= out
        return d


class Relu(Primitive):
    _name = "ReluBackward0"

    def forward(ctx, x):
        out = array_module(x).maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        # NOTE: the derivative at 0 is 0 (PyTorch's convention): out > 0 is False there
        (out,) = ctx.saved_tensors
        return g * (out > 0)


class Abs(_Unary):
    _name, _ufunc = "AbsBackward0", "abs"
    _holomorphic = False  # |z| is not holomorphic: its VJP g * sgn(z) is already PyTorch's

    def backward(ctx, g):
        # NOTE: sign(0) = 0, so |x| has derivative 0 at 0, as in PyTorch
        (x,) = ctx.saved_tensors
        return g * ctx.xp.sign(x)


class Scale(Primitive):
    """``x * factor`` under a name of its own (deg2rad, rad2deg)."""

    __slots__ = ("factor",)

    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    def backward(ctx, g):
        return g * ctx.factor, None


class Deg2Rad(Scale):
    _name = "Deg2RadBackward0"


class Rad2Deg(Scale):
    _name = "Rad2DegBackward0"


class Sinc(Primitive):
    _holomorphic = True
    _name = "SincBackward0"

    def forward(ctx, x):
        out = array_module(x).sinc(x)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        # NOTE: (cos(pi x) - sinc(x)) / x, and 0 at x = 0; the denominator is made safe so
        # that second derivatives at 0 are finite too
        zero = x == 0
        safe = xp.where(zero, 1.0, x)
        return xp.where(zero, 0.0, g * (xp.cos(safe * math.pi) - out) / safe)


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
