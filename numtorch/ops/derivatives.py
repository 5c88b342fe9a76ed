"""The derivative table of the elementwise ops: one row per primitive, as PyTorch's
``derivatives.yaml``.

A row gives the op's signature (its argument names: ``self`` and ``other`` for the tensors), the
node's PyTorch name, the forward (an expression over the arguments' arrays; ``xp`` is their
array module) and one derivative formula per differentiable argument, in order. A formula is an
expression in ``g`` (the output's gradient), ``xp``, the arguments and ``result`` (the output).
The names a row's formulas use are its declaration of what the node saves: exactly those values,
by position (never matched by identity), offered as PyTorch's ``_saved_<name>`` attributes.

A formula is written once and runs two ways: on arrays with ``xp`` the array module (first
order), and on Tensors with ``xp`` the graph module (``create_graph=True``), where a saved
argument is the input Tensor itself and a saved ``result`` is the output with this node as its
``grad_fn``, so the gradient is itself differentiable.

``row`` generates each node class's ``forward`` and ``backward`` from the row (as PyTorch
generates its nodes from its table), so a node costs what a hand-written one does; the generated
source is registered with ``linecache``, so tracebacks and debuggers show it. The op tests
(tests/test_derivatives.py) are generated from ``ROWS``.
"""

from __future__ import annotations

import linecache
import math

from .._backend import array_module, clip, float_info, is_array, special_module  # noqa: F401 - clip: rows
from .._tensor import Tensor
from ..autograd.function import Primitive, linear  # noqa: F401 - linear: in the rows' formulas
from .special.erf import erf_array, erfc_array, erfinv_array  # noqa: F401 - the rows' kernels

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_SQRT_2PI = math.sqrt(2 * math.pi)

ROWS: list = []  # every row's node class, in table order


def row(signature, name, forward, *grads, holomorphic=True, scalars=False, edges=None):
    """The node class ``name`` of the op ``signature`` (``"mul(self, other)"``): ``forward``
    and one formula per argument in ``grads`` (missing or None for an argument with no
    gradient, such as a Python number).

    ``holomorphic``: the formulas are written as for real numbers (``g * f'(z)``) and the engine
    conjugates around them for complex gradients. ``scalars``: ``next_functions`` lists Python
    number operands too (PyTorch wraps them into tensors for ``x * 2``); ``edges``: the
    positions of the arguments that ``next_functions`` lists (by default the float tensors).
    """
    op, _, rest = signature.partition("(")
    args = tuple(a.strip() for a in rest.rstrip(")").split(","))
    used = set()
    for f in grads:
        if f is not None:
            used.update(compile(f, name, "eval").co_names)
    saved = tuple(a for a in args + ("result",) if a in used)
    source = _source(args, forward, grads, saved, used)
    filename = f"<derivatives.py: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    space = {}
    exec(compile(source, filename, "exec"), globals(), space)  # noqa: S102 - the table's own
    attrs = {
        "__slots__": (),
        "_name": name,
        "_save_names": saved,
        "_save_at": tuple(None if s == "result" else args.index(s) for s in saved),
        "_holomorphic": holomorphic,
        "_wrapped_scalars": scalars,
        "_edge_args": edges,
        "_op": op,
        "_signature": args,
        "_grads": grads,
        "forward": space["forward"],
        "backward": space["backward"],
    }
    cls = type(name, (Primitive,), attrs)
    ROWS.append(cls)
    return cls


def _source(args, forward, grads, saved, used):
    """The Python source of a row's ``forward`` and ``backward``."""
    params = ", ".join(args)
    names = ", ".join(saved) + ("," if len(saved) == 1 else "")
    lines = [f"def forward(ctx, {params}):"]
    if "xp" in compile(forward, "", "eval").co_names:
        lines.append(f"    xp = array_module({args[0]})")
    lines.append(f"    result = {forward}")
    if saved:
        lines.append(f"    ctx._saved = {names}")
    lines += ["    return result", "", "", "def backward(ctx, g):"]
    if saved:
        lines.append(f"    {names} = ctx.saved_tensors")
    if "xp" in used:
        lines.append("    xp = ctx.xp")
    live = [(i, f) for i, f in enumerate(grads) if f is not None]
    if len(grads) == 1:
        lines.append(f"    return {grads[0]}")
    else:
        lines.append("    n = ctx.needs_input_grad")
        outs = ["None"] * len(grads)
        for i, f in live:
            outs[i] = f"({f}) if n[{i}] else None"
        lines.append(f"    return ({', '.join(outs)})")
    return "\n".join(lines) + "\n"


def scalar_power(xp, x, e):
    """``x ** e`` for an array ``x`` and a number ``e``; float32/64 and complex rounded as
    PyTorch's CPU kernel does: products for 2, 3 and -2, a division for -1 and -2, sqrt for 0.5
    and 1 / sqrt for -0.5.
    Other float32 powers go through float64 as PyTorch's scalar ``std::pow(float, double)``
    does (its vectorized loop uses SLEEF's powf, which this agrees with on ~98 % of inputs;
    NumPy's own float32 pow on ~80 %)."""
    if x.dtype.kind not in "fc" or x.dtype.itemsize < 4:
        return x**e
    if e == 0.5:
        return xp.sqrt(x)
    if e == -0.5:
        return 1 / xp.sqrt(x)
    if e == -1:
        return 1 / x
    if x.dtype.kind == "c":
        return x**e
    if e == 2:
        return x * x
    if e == 3:
        return x * x * x
    if e == -2:
        return 1 / (x * x)
    return _pow(x, e)


def _pow(x, y):
    """``x ** y``, float32 through float64 as PyTorch's scalar loop computes it (see above)."""
    a = x if hasattr(x, "dtype") else y
    if a.dtype.kind == "f" and a.dtype.itemsize == 4:
        xp = array_module(a)
        return (xp.asarray(x, dtype=xp.float64) ** xp.asarray(y, dtype=xp.float64)).astype(a.dtype)
    return x**y


def _power(x, e):
    """``x ** e`` for an array or a Tensor (a differentiable op then), rounded as the pow
    kernel rounds it."""
    return x**e if isinstance(x, Tensor) else scalar_power(array_module(x), x, e)


def _atan2_scale(xp, g, y, x):
    """``g / (x * x + y * y)``, and 0 where that is 0 (both zero, or their squares underflow),
    as PyTorch masks it."""
    d = x * x + y * y
    return xp.where(d == 0, 0.0, g / xp.where(d == 0, 1.0, d))


def _rsqrt(x):
    out = array_module(x).sqrt(x)
    return array_module(x).divide(1, out, out=out) if is_array(out) else 1 / out


def _sign(xp, x):
    """sign(x), and 0 for NaN as in PyTorch."""
    if x.dtype.kind == "V":  # ml_dtypes' sign keeps NaN and -0.0: NumPy's float32 one, rounded
        return _sign(xp, x.astype("float32")).astype(x.dtype)
    out = xp.sign(x)
    return xp.where(xp.isnan(x), 0, out) if out.dtype.kind == "f" else out


def _within(x, lo, hi):
    """``lo <= x <= hi``, a missing bound (None) passing everything."""
    if lo is None:
        return x <= hi
    return x >= lo if hi is None else (x >= lo) & (x <= hi)


def _below(x, lo, hi):
    """Where the lower bound takes the gradient: ``x < lo``, unless ``lo > hi`` (then ``hi``)."""
    return x < lo if hi is None else (x < lo) & (lo < hi)


def _above(x, lo, hi):
    """Where the upper bound takes the gradient: ``x > hi``, or everywhere ``hi < lo``."""
    return x > hi if lo is None else (x > hi) | (hi < lo)


def _scipy(name, x, *args):
    """SciPy's special function ``name`` (the device library's own off the CPU) of ``args``
    and ``x``, in x's dtype."""
    return getattr(special_module(x), name)(*args, x).astype(x.dtype, copy=False)


def _lgamma(xp, x):
    # NOTE: log|gamma(-inf)| is +inf in PyTorch (SciPy says -inf)
    return xp.where(x == -math.inf, math.inf, _scipy("gammaln", x)).astype(x.dtype)


def _entr(xp, x):
    """``-x log x``; 0 at 0 and -inf below it."""
    out = xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1)), xp.where(x == 0, 0, -math.inf))
    return xp.where(xp.isnan(x), x, out).astype(x.dtype, copy=False)


def _nan_to_num(xp, x, nan, posinf, neginf):
    if x.dtype.kind != "V":
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    # NOTE: NumPy's nan_to_num leaves ml_dtypes' bfloat16 alone; its limits are float32 values
    info = float_info(x.dtype)
    hi = float(info.max) if posinf is None else posinf
    lo = float(info.min) if neginf is None else neginf
    wide = xp.nan_to_num(x.astype(xp.float32), nan=nan, posinf=hi, neginf=lo)
    return wide.astype(x.dtype)


def _clamp(xp, x, lo, hi):
    out = x if lo is None else xp.maximum(x, lo)
    return out if hi is None else xp.minimum(out, hi)


def _lerp(xp, start, end, weight):
    """``start + weight * (end - start)`` from the nearer end, with fused multiply-adds, as
    PyTorch's kernel computes it."""
    diff = end - start
    near_start = xp.abs(weight) < 0.5
    fma = _arithmetic.fma
    return xp.where(near_start, fma(weight, diff, start), fma(weight - 1, diff, end))


# fmt: off
# --- one tensor -------------------------------------------------------------------------------
# signature, node name, forward, derivative
Exp = row("exp(self)", "ExpBackward0", "xp.exp(self)", "g * result")
Exp2 = row("exp2(self)", "Exp2Backward0", "xp.exp2(self)", "g * result * _LN2")
Expm1 = row("expm1(self)", "Expm1Backward0", "xp.expm1(self)", "g * (result + 1)")
Log = row("log(self)", "LogBackward0", "xp.log(self)", "g / self")
Log2 = row("log2(self)", "Log2Backward0", "xp.log2(self)", "g / (self * _LN2)")
Log10 = row("log10(self)", "Log10Backward0", "xp.log10(self)", "g / (self * _LN10)")
Log1p = row("log1p(self)", "Log1PBackward0", "xp.log1p(self)", "g / (self + 1)")
Sqrt = row("sqrt(self)", "SqrtBackward0", "xp.sqrt(self)", "g / (result * 2)")
Rsqrt = row("rsqrt(self)", "RsqrtBackward0", "_rsqrt(self)",
            "g * (result * result * result) * -0.5")
Sin = row("sin(self)", "SinBackward0", "xp.sin(self)", "g * xp.cos(self)")
Cos = row("cos(self)", "CosBackward0", "xp.cos(self)", "g * -xp.sin(self)")
Tan = row("tan(self)", "TanBackward0", "xp.tan(self)", "g * (result * result + 1)")
Asin = row("asin(self)", "AsinBackward0", "xp.arcsin(self)", "g / xp.sqrt(1 - self * self)")
Acos = row("acos(self)", "AcosBackward0", "xp.arccos(self)", "-g / xp.sqrt(1 - self * self)")
Atan = row("atan(self)", "AtanBackward0", "xp.arctan(self)", "g / (self * self + 1)")
Sinh = row("sinh(self)", "SinhBackward0", "xp.sinh(self)", "g * xp.cosh(self)")
Cosh = row("cosh(self)", "CoshBackward0", "xp.cosh(self)", "g * xp.sinh(self)")
Asinh = row("asinh(self)", "AsinhBackward0", "xp.arcsinh(self)", "g / xp.sqrt(self * self + 1)")
Acosh = row("acosh(self)", "AcoshBackward0", "xp.arccosh(self)", "g / xp.sqrt(self * self - 1)")
Atanh = row("atanh(self)", "AtanhBackward0", "xp.arctanh(self)", "g / (1 - self * self)")
Reciprocal = row("reciprocal(self)", "ReciprocalBackward0", "1 / self", "-g * result * result")
Neg = row("neg(self)", "NegBackward0", "-self", "-g", holomorphic=False)
# NOTE: the derivative of relu and abs at 0 is 0 (PyTorch's convention): result > 0 and
# sign(0) are 0 there. |z| is not holomorphic: its VJP g * sgn(z) is already PyTorch's.
Relu = row("relu(self)", "ReluBackward0", "xp.maximum(self, 0)", "g * (result > 0)",
           holomorphic=False)
Abs = row("abs(self)", "AbsBackward0", "xp.abs(self)", "g * xp.sign(self)", holomorphic=False)
# NOTE: (cos(pi x) - sinc(x)) / x, and 0 at x = 0; the denominator is made safe so that second
# derivatives at 0 are finite too
Sinc = row("sinc(self)", "SincBackward0", "xp.sinc(self)",
           "xp.where(self == 0, 0.0, g * (xp.cos(xp.where(self == 0, 1.0, self) * math.pi)"
           " - result) / xp.where(self == 0, 1.0, self))")
# x * factor, under PyTorch's names for deg2rad and rad2deg
Deg2Rad = row("deg2rad(self, factor)", "Deg2RadBackward0", "self * factor", "g * factor",
              holomorphic=False)
Rad2Deg = row("rad2deg(self, factor)", "Rad2DegBackward0", "self * factor", "g * factor",
              holomorphic=False)

# --- two operands (other may be a Python number) ----------------------------------------------
# signature, node name, forward, derivative in self, derivative in other
Add = row("add(self, other)", "AddBackward0", "self + other", "g", "g",
          holomorphic=False, scalars=True)
Sub = row("sub(self, other)", "SubBackward0", "self - other", "g", "-g",
          holomorphic=False, scalars=True)
Rsub = row("rsub(self, other)", "RsubBackward1", "other - self", "-g", holomorphic=False)
Mul = row("mul(self, other)", "MulBackward0", "self * other", "g * other", "g * self",
          scalars=True)
# NOTE: self / other / other, PyTorch's order: other * other underflows first for tiny other
Div = row("div(self, other)", "DivBackward0", "self / other", "g / other",
          "-g * (self / other / other)", scalars=True)
# NOTE: PyTorch's order of rounding, grad * (e * x.pow(e - 1)), with pow's fast paths
PowScalar = row("pow(self, exponent)", "PowBackward0", "scalar_power(xp, self, exponent)",
                "g * 0 if exponent == 0 else g * (exponent * _power(self, exponent - 1))")
# NOTE: 0 where other == 0, as PyTorch masks it (at self == 0, other * self ** (other - 1) is
# 0 * inf); 0 ** other has derivative 0 in other for other >= 0 (PyTorch's convention), not nan
Pow = row("pow(self, exponent)", "PowBackward1", "_pow(self, exponent)",
          "xp.where(exponent == 0, 0.0, g * exponent * self ** (exponent - 1))",
          "xp.where((self == 0) & (exponent >= 0), 0.0, g * result * xp.log(self))")
# number ** tensor: 0 ** x is flat where defined, and PyTorch gives 0 there too
RPow = row("pow(self, base)", "PowBackward2", "_pow(base, self)",
           "g * 0 if base == 0 else g * result * math.log(base)")

# --- two operands of pointwise.py (a number operand arrives as a 0-d array) -------------------
Atan2 = row("atan2(self, other)", "Atan2Backward0", "xp.arctan2(self, other)",
            "_atan2_scale(xp, g, self, other) * other", "-_atan2_scale(xp, g, self, other) * self",
            holomorphic=False)
Hypot = row("hypot(self, other)", "HypotBackward0", "xp.hypot(self, other)",
            "g / result * self", "g / result * other", holomorphic=False)
Logaddexp = row("logaddexp(self, other)", "LogaddexpBackward0", "xp.logaddexp(self, other)",
                "g / (xp.exp(other - self) + 1)", "g / (xp.exp(self - other) + 1)",
                holomorphic=False)
Logaddexp2 = row("logaddexp2(self, other)", "Logaddexp2Backward0", "xp.logaddexp2(self, other)",
                 "g / (xp.exp2(other - self) + 1)", "g / (xp.exp2(self - other) + 1)",
                 holomorphic=False)
# NOTE: ties split the gradient evenly between the operands, as PyTorch does; NaN (neither
# greater, less nor equal) sends the whole gradient to both
Maximum = row("maximum(self, other)", "MaximumBackward0", "xp.maximum(self, other)",
              "xp.where(other > self, 0.0, xp.where(self == other, g / 2, g))",
              "xp.where(self > other, 0.0, xp.where(self == other, g / 2, g))", holomorphic=False)
Minimum = row("minimum(self, other)", "MinimumBackward0", "xp.minimum(self, other)",
              "xp.where(other < self, 0.0, xp.where(self == other, g / 2, g))",
              "xp.where(self < other, 0.0, xp.where(self == other, g / 2, g))", holomorphic=False)
# NOTE: a NaN loses to a number; ties go to the first operand (PyTorch's convention)
Fmax = row("fmax(self, other)", "FmaxBackward0", "xp.fmax(self, other)",
           "xp.where((self >= other) | xp.isnan(other), g, 0.0)",
           "xp.where((self >= other) | xp.isnan(other), 0.0, g)", holomorphic=False)
Fmin = row("fmin(self, other)", "FminBackward0", "xp.fmin(self, other)",
           "xp.where((self <= other) | xp.isnan(other), g, 0.0)",
           "xp.where((self <= other) | xp.isnan(other), 0.0, g)", holomorphic=False)
# fmod: the remainder with the sign of self; remainder: with the sign of other (Python's %).
# PyTorch names the variant with a number operand ...Backward0.
_FMOD = ("xp.fmod(self, other)", "g", "-g * xp.trunc(self / other)")
_REMAINDER = ("xp.remainder(self, other)", "g", "-g * xp.floor(self / other)")
Fmod = row("fmod(self, other)", "FmodBackward1", *_FMOD, holomorphic=False)
FmodScalar = row("fmod(self, other)", "FmodBackward0", *_FMOD[:2], holomorphic=False)
Remainder = row("remainder(self, other)", "RemainderBackward1", *_REMAINDER, holomorphic=False)
RemainderScalar = row("remainder(self, other)", "RemainderBackward0", *_REMAINDER[:2],
                      holomorphic=False)
# NOTE: d/dself = the sign flip (0 where self is 0); the sign operand gets a zero gradient
_COPYSIGN = ("xp.copysign(self, other)",
             "g * xp.where(self == 0, 0.0, result / xp.where(self == 0, 1.0, self))", "g * 0")
Copysign = row("copysign(self, other)", "CopysignBackward0", *_COPYSIGN, holomorphic=False)
CopysignScalar = row("copysign(self, other)", "CopysignBackward1", *_COPYSIGN,
                     holomorphic=False)
# self * log(other), and 0 where self is 0 (unless other is NaN); Backward1 has a number self,
# Backward2 a number other
_XLOGY = ("xp.where((self != 0) | xp.isnan(other), self * xp.log(other), 0.0)",
          "g * xp.where((self == 0) & ~xp.isnan(other), 0.0, xp.log(other))", "g * self / other")
Xlogy = row("xlogy(self, other)", "XlogyBackward0", *_XLOGY, holomorphic=False)
XlogyScalarSelf = row("xlogy(self, other)", "XlogyBackward1", *_XLOGY, holomorphic=False)
XlogyScalarOther = row("xlogy(self, other)", "XlogyBackward2", *_XLOGY, holomorphic=False)

# --- clamp, where, lerp -----------------------------------------------------------------------
# NOTE: a value on a bound passes the gradient (PyTorch's convention); where min > max the result
# is max, and max alone gets the gradient. A missing bound (None) of clamp is no bound.
_CLAMP = ("xp.where(_within(self, min, max), g, 0.0)", "xp.where(_below(self, min, max), g, 0.0)",
          "xp.where(_above(self, min, max), g, 0.0)")
Clamp = row("clamp(self, min, max)", "ClampBackward0", "_clamp(xp, self, min, max)", *_CLAMP,
            holomorphic=False, edges=(0, 1, 2))
ClampScalar = row("clamp(self, min, max)", "ClampBackward1", "clip(self, min, max)",
                  _CLAMP[0], holomorphic=False)
_CLAMP_MIN = ("xp.where(self >= min, g, 0.0)", "xp.where(self < min, g, 0.0)")
ClampMin = row("clamp_min(self, min)", "ClampMinBackward1", "xp.maximum(self, min)", *_CLAMP_MIN,
               holomorphic=False)
ClampMinScalar = row("clamp_min(self, min)", "ClampMinBackward0", "clip(self, min, None)",
                     _CLAMP_MIN[0], holomorphic=False)
_CLAMP_MAX = ("xp.where(self <= max, g, 0.0)", "xp.where(self > max, g, 0.0)")
ClampMax = row("clamp_max(self, max)", "ClampMaxBackward1", "xp.minimum(self, max)", *_CLAMP_MAX,
               holomorphic=False)
ClampMaxScalar = row("clamp_max(self, max)", "ClampMaxBackward0", "clip(self, None, max)",
                     _CLAMP_MAX[0], holomorphic=False)
Where = row("where(condition, self, other)", "WhereBackward0", "xp.where(condition, self, other)",
            None, "xp.where(condition, g, 0.0)", "xp.where(condition, 0.0, g)",
            holomorphic=False, edges=(1, 2))
# lerp with a tensor weight; LerpBackward0 has a number weight (a 0-d array here)
_LERP = ("_lerp(xp, self, end, weight)", "g * (1 - weight)", "g * weight")
Lerp = row("lerp(self, end, weight)", "LerpBackward1", *_LERP, "g * (end - self)")
LerpScalar = row("lerp(self, end, weight)", "LerpBackward0", *_LERP)

# --- rounding and sign: piecewise constant, so the gradient is zero (at the jumps too) ---------
Floor = row("floor(self)", "FloorBackward0", "xp.floor(self)", "g * 0", holomorphic=False)
Ceil = row("ceil(self)", "CeilBackward0", "xp.ceil(self)", "g * 0", holomorphic=False)
Round = row("round(self)", "RoundBackward0", "xp.rint(self)", "g * 0", holomorphic=False)
RoundDecimals = row("round(self, decimals)", "RoundBackward1", "xp.round(self, decimals)",
                    "g * 0", holomorphic=False)
Trunc = row("trunc(self)", "TruncBackward0", "xp.trunc(self)", "g * 0", holomorphic=False)
Frac = row("frac(self)", "FracBackward0", "self - xp.trunc(self)", "g", holomorphic=False)
Sign = row("sign(self)", "SignBackward0", "_sign(xp, self)", "g * 0", holomorphic=False)
NanToNum = row("nan_to_num(self, nan, posinf, neginf)", "NanToNumBackward0",
               "_nan_to_num(xp, self, nan, posinf, neginf)",
               "xp.where(xp.isfinite(self), g, 0.0)", holomorphic=False)
# NOTE: sgn(z) = z / |z| moves only along the circle: the gradient loses its radial part, and
# is 0 at z = 0; for real z that leaves 0
Sgn = row("sgn(self)", "SgnBackward0", "_sign(xp, self)",
          "xp.where(self == 0, 0.0, (g - result * xp.real(g * xp.conj(result)))"
          " / xp.where(self == 0, 1.0, xp.abs(self)))", holomorphic=False)

# --- the error function family (kernels in special/erf.py) -------------------------------------
Erf = row("erf(self)", "ErfBackward0", "erf_array(self)",
          "g * _TWO_OVER_SQRT_PI * xp.exp(-(self * self))", holomorphic=False)
Erfc = row("erfc(self)", "ErfcBackward0", "erfc_array(self)",
           "g * -_TWO_OVER_SQRT_PI * xp.exp(-(self * self))", holomorphic=False)
# NOTE: from the saved result, where PyTorch saves self and computes erfinv again
Erfinv = row("erfinv(self)", "ErfinvBackward0", "erfinv_array(self)",
             "g * _SQRT_PI_OVER_2 * xp.exp(result * result)", holomorphic=False)

# --- special functions: each derivative is a row of the table too, so they have every order ---
Lgamma = row("lgamma(self)", "LgammaBackward0", "_lgamma(xp, self)",
             "g * linear(None, Digamma, self)", holomorphic=False)
Digamma = row("digamma(self)", "DigammaBackward0", "_scipy('psi', self)",
              "g * linear(None, Polygamma, self, 1)", holomorphic=False)
Polygamma = row("polygamma(self, n)", "PolygammaBackward0", "_scipy('polygamma', self, n)",
                "g * linear(None, Polygamma, self, n + 1)", holomorphic=False)
I0 = row("i0(self)", "I0Backward0", "xp.i0(self).astype(self.dtype, copy=False)",
         "g * linear(None, I1, self)", holomorphic=False)
# NOTE: i1'(x) = i0(x) - i1(x) / x, whose limit at 0 is 1/2 (and so for i1e)
I1 = row("special_i1(self)", "SpecialI1Backward0", "_scipy('i1', self)",
         "g * xp.where(self == 0, 0.5,"
         " linear(None, I0, self) - result / xp.where(self == 0, 1.0, self))", holomorphic=False)
I0e = row("special_i0e(self)", "SpecialI0EBackward0", "_scipy('i0e', self)",
          "g * (linear(None, I1e, self) - xp.sign(self) * result)", holomorphic=False)
I1e = row("special_i1e(self)", "SpecialI1EBackward0", "_scipy('i1e', self)",
          "g * xp.where(self == 0, 0.5, linear(None, I0e, self)"
          " - result * (xp.sign(self) + 1 / xp.where(self == 0, 1.0, self)))", holomorphic=False)
Ndtri = row("special_ndtri(self)", "SpecialNdtriBackward0", "_scipy('ndtri', self)",
            "g * _SQRT_2PI * xp.exp(result * result / 2)", holomorphic=False)
# NOTE: phi(x) / Phi(x) as exp(-x^2/2 - log Phi(x)), finite far into the left tail
LogNdtr = row("special_log_ndtr(self)", "SpecialLogNdtrBackward0", "_scipy('log_ndtr', self)",
              "g * xp.exp(-self * self / 2 - result) / _SQRT_2PI", holomorphic=False)
Erfcx = row("special_erfcx(self)", "SpecialErfcxBackward0", "_scipy('erfcx', self)",
            "g * (2 * self * result - _TWO_OVER_SQRT_PI)", holomorphic=False)
Entr = row("special_entr(self)", "SpecialEntrBackward0", "_entr(xp, self)",
           "-g * (xp.log(self) + 1)", holomorphic=False)
# fmt: on

# arithmetic (fma) uses this table: imported after the rows, the forwards look it up when they run
from . import arithmetic as _arithmetic  # noqa: E402, F401
