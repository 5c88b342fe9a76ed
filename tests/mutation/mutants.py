"""Small, realistic mutations of numtorch's backward formulas and kernels, each with the tests
that must catch it. A mutation replaces one exact piece of source text, found wherever it lives
in the package (so a file may move without touching this list): a constant off by 1e-6
relative, a flipped sign, a transposed operand, a dropped term, an off-by-one axis.

``backward=True`` marks a mutation of a derivative: every one of those must be caught.
"""

from __future__ import annotations

from typing import NamedTuple


class Mutant(NamedTuple):
    kind: str
    find: str
    replace: str
    tests: tuple
    backward: bool = True


def _unary(name):
    return ("tests/test_unary.py", "-k", f"test_smooth and {name}]")


def _act(name):
    return ("tests/test_nn_activation.py", "-k", f"test_activation_matches_torch and {name}-")


_LOSS = ("tests/test_nn_loss.py",)
_REDUCE = ("tests/test_reduction.py",)
_NORM = ("tests/test_norm_layers.py",)
_LINALG = ("tests/test_linalg.py", "tests/test_linalg_complex_grad.py")
_MATMUL = ("tests/test_arithmetic.py", "-k", "matrix_products")

MUTANTS = [
    # --- elementwise derivatives
    Mutant("constant", '"g * result * _LN2"', '"g * result * (_LN2 * (1 + 1e-6))"', _unary("exp2")),
    Mutant("drop", '"g * (result + 1)"', '"g * result"', _unary("expm1")),
    Mutant(
        "constant", '"g / (self * _LN10)"', '"g / (self * _LN10 * (1 + 1e-6))"', _unary("log10")
    ),
    Mutant("constant", '"g / (self + 1)"', '"g / (self + 1.000001)"', _unary("log1p")),
    Mutant("constant", '"g / (result * 2)"', '"g / (result * 2.000002)"', _unary("sqrt")),
    Mutant(
        "sign",
        '"g * (result * result * result) * -0.5"',
        '"g * (result * result * result) * 0.5"',
        _unary("rsqrt"),
    ),
    Mutant("sign", '"g * -xp.sin(self)"', '"g * xp.sin(self)"', _unary("cos")),
    Mutant("drop", '"g * (result * result + 1)"', '"g * (result * result)"', _unary("tan")),
    Mutant(
        "sign",
        '"-g / xp.sqrt(1 - self * self)"',
        '"g / xp.sqrt(1 - self * self)"',
        _unary("acos"),
    ),
    Mutant("constant", '"g / (self * self + 1)"', '"g / (self * self + 1.000001)"', _unary("atan")),
    Mutant(
        "constant",
        "return reuse(mul, 1 - out * out, g)",
        "return reuse(mul, 1.000001 - out * out, g)",
        _unary("tanh"),
    ),
    Mutant(
        "sign",
        '"g / xp.sqrt(self * self - 1)"',
        '"g / xp.sqrt(self * self + 1)"',
        _unary("acosh"),
    ),
    Mutant(
        "drop",
        "return reuse(mul, reuse(mul, 1 - out, g), out)",
        "return g * out",
        _unary("sigmoid"),
    ),
    Mutant(
        "sign",
        '" - result) / xp.where(self == 0, 1.0, self))"',
        '" + result) / xp.where(self == 0, 1.0, self))"',
        _unary("sinc"),
    ),
    Mutant(
        "constant",
        '"g * _TWO_OVER_SQRT_PI * xp.exp(-(self * self))"',
        '"g * _TWO_OVER_SQRT_PI * 1.000001 * xp.exp(-(self * self))"',
        _unary("erf"),
    ),
    Mutant(
        "constant",
        '"g * _SQRT_PI_OVER_2 * xp.exp(result * result)"',
        '"g * _SQRT_PI_OVER_2 * xp.exp(result * result * 1.000001)"',
        _unary("erfinv"),
    ),
    # --- binary derivatives
    Mutant(
        "sign",
        "return g, -g * ctx.alpha if ctx.needs_input_grad[1] else None, None",
        "return g, g * ctx.alpha if ctx.needs_input_grad[1] else None, None",
        ("tests/test_arithmetic.py",),
    ),
    Mutant(
        "transpose",
        '"self * other", "g * other", "g * self"',
        '"self * other", "g * self", "g * other"',
        ("tests/test_arithmetic.py",),
    ),
    Mutant(
        "drop",
        '"-g * (self / other / other)"',
        '"-g * (1 / other / other)"',
        ("tests/test_arithmetic.py",),
    ),
    Mutant(
        "constant",
        '"xp.where(exponent == 0, 0.0, g * exponent * self ** (exponent - 1))"',
        '"xp.where(exponent == 0, 0.0, g * exponent * self ** (exponent - 1.000001))"',
        ("tests/test_arithmetic.py",),
    ),
    Mutant(
        "sign",
        '"-_atan2_scale(xp, g, self, other) * self"',
        '"_atan2_scale(xp, g, self, other) * self"',
        ("tests/test_pointwise.py",),
    ),
    # --- matrix products
    Mutant(
        "transpose",
        "return g @ y.T if n[0] else None, gy",
        "return g @ y if n[0] else None, gy",
        _MATMUL,
    ),
    Mutant("transpose", "gx = g @ xp.swapaxes(y, -1, -2)", "gx = g @ y", _MATMUL),
    Mutant(
        "constant",
        "return g.T * x if g.shape[0] == 1 else g.T @ x",
        "return (g.T * x if g.shape[0] == 1 else g.T @ x) * 1.000001",
        _MATMUL,
    ),
    # --- reductions
    Mutant(
        "constant",
        "xp.broadcast_to(keep(xp, g, ctx.axes, ctx.keepdims) / ctx.count, ctx.shape)",
        "xp.broadcast_to(keep(xp, g, ctx.axes, ctx.keepdims) / (ctx.count * 1.000001), ctx.shape)",
        _REDUCE,
    ),
    Mutant("drop", "return (total - g * out) / x, None", "return total / x, None", _REDUCE),
    Mutant(
        "constant",
        "gx = keep(xp, g_var, ctx.axes, k) * (x - m) * _ratio(2.0, ctx.dof)",
        "gx = keep(xp, g_var, ctx.axes, k) * (x - m) * _ratio(2.000002, ctx.dof)",
        _REDUCE,
    ),
    Mutant("drop", "gx = gs * (x - m)", "gx = gs * x", _REDUCE),
    Mutant(
        "sign",
        "return keep(xp, g, axes, k) * xp.exp(x - keep(xp, out, axes, k)), None, None",
        "return keep(xp, g, axes, k) * xp.exp(x + keep(xp, out, axes, k)), None, None",
        _REDUCE,
    ),
    Mutant(
        "axis",
        "return reverse_cumsum_of(g * out, axis) / x",
        "return reverse_cumsum_of(g * out, axis - 1) / x",
        _REDUCE,
    ),
    # --- activations
    Mutant(
        "constant",
        "return g * ((x > -3) & (x < 3)) * _f32(1 / 6)",
        "return g * ((x > -3) & (x < 3)) * _f32(1 / 6) * 1.000001",
        _act("hardsigmoid"),
    ),
    Mutant(
        "drop",
        "neg = g * inv * ctx.alpha * ctx.xp.exp(x * inv)",
        "neg = g * ctx.alpha * ctx.xp.exp(x * inv)",
        _act("celu"),
    ),
    Mutant(
        "constant",
        "d = x * x * (3 * 0.044715) + 1",
        "d = x * x * (3 * 0.0447151) + 1",
        _act("gelu"),
    ),
    Mutant("drop", "reuse(add, reuse(mul, 1 - s, x), 1)", "(x + 1)", _act("silu")),
    Mutant(
        "sign",
        "return g * (t + x * (1 - t * t) * logistic(x))",
        "return g * (t - x * (1 - t * t) * logistic(x))",
        _act("mish"),
    ),
    Mutant(
        "sign",
        "return g * logistic(-x)",
        "return g * logistic(x)",
        _act("logsigmoid"),
    ),
    Mutant(
        "constant",
        "return xp.where(x < -3, g * 0, xp.where(x <= 3, g * (x / 3 + 0.5), g))",
        "return xp.where(x < -3, g * 0, xp.where(x <= 3, g * (x / 3 + 0.500001), g))",
        _act("hardswish"),
    ),
    Mutant(
        "drop",
        "return xp.concatenate([g * s, g * a * s * (1 - s)], axis=ctx.dim), None",
        "return xp.concatenate([g * s, g * a * s], axis=ctx.dim), None",
        ("tests/test_nn_activation.py", "-k", "glu"),
    ),
    Mutant(
        "drop",
        "d = g - _dot(ctx.xp, g, out, ctx.dim)",
        "d = g - 0 * _dot(ctx.xp, g, out, ctx.dim)",
        ("tests/test_nn_activation.py", "-k", "softmax"),
    ),
    Mutant(
        "axis",
        "-_uniform(xp.sum(g, axis=ctx.dim, keepdims=True))",
        "-_uniform(xp.sum(g, axis=ctx.dim - 1, keepdims=True))",
        ("tests/test_nn_activation.py", "-k", "softmax"),
    ),
    # --- losses
    Mutant(
        "constant",
        "return d * (2 * _scale(g, reduction, n))",
        "return d * (2.000002 * _scale(g, reduction, n))",
        _LOSS,
    ),
    Mutant(
        "sign",
        "return gx if n[0] else None, -gx if n[1] else None, None, None",
        "return gx if n[0] else None, gx if n[1] else None, None, None",
        _LOSS,
    ),
    Mutant(
        "constant",
        "local = xp.where(d < -b, -1 + d * 0, xp.where(d > b, 1 + d * 0, d / b))",
        "local = xp.where(d < -b, -1 + d * 0, xp.where(d > b, 1 + d * 0, d / (b * 1.000001)))",
        _LOSS,
    ),
    Mutant(
        "sign",
        "gx = g * (x - y) / xp.clip((1 - x) * x, 1e-12, None)",
        "gx = g * (y - x) / xp.clip((1 - x) * x, 1e-12, None)",
        _LOSS,
    ),
    Mutant(
        "drop",
        "gx = g * (s - y) if pw is None else g * (s * (pw * y + 1 - y) - pw * y)",
        "gx = g * s if pw is None else g * (s * (pw * y + 1 - y) - pw * y)",
        _LOSS,
    ),
    Mutant(
        "transpose",
        "return (-g * y * s if n[0] else None), (-g * x * s if n[1] else None), None",
        "return (-g * x * s if n[0] else None), (-g * y * s if n[1] else None), None",
        _LOSS,
    ),
    # --- normalisation
    Mutant("drop", "gx = (g - gmean - xhat * gxhat) * invstd", "gx = (g - gmean) * invstd", _NORM),
    Mutant(
        "axis",
        "gw = xp.sum(g * xhat, axis=param_axes) if n[1] else None",
        "gw = xp.sum(g * xhat, axis=param_axes[1:] + (1,)) if n[1] else None",
        _NORM,
    ),
    Mutant(
        "sign",
        "gw = xp.sum(g * (x - mean) * invstd, axis=axes) if n[1] else None",
        "gw = xp.sum(g * (x + mean) * invstd, axis=axes) if n[1] else None",
        _NORM,
    ),
    # --- linear algebra
    Mutant(
        "transpose",
        "return xp.expand_dims(xp.expand_dims(g * det, -1), -1) * inv_t",
        "return xp.expand_dims(xp.expand_dims(g * det, -1), -1) * _mT(xp, inv_t)",
        _LINALG,
    ),
    Mutant(
        "transpose",
        "out_t = _mT(xp, out)\n        return -(out_t @ g @ out_t)",
        "out_t = out\n        return -(out_t @ g @ out_t)",
        _LINALG,
    ),
    Mutant(
        "sign",
        "ga = -(gb @ _mT(xp, x)) if ctx.needs_input_grad[0] else None",
        "ga = gb @ _mT(xp, x) if ctx.needs_input_grad[0] else None",
        _LINALG,
    ),
    Mutant(
        "constant",
        "phi = xp.tril(phi) - 0.5 * _diag_embed(xp, _diagonal(xp, phi))",
        "phi = xp.tril(phi) - 0.500001 * _diag_embed(xp, _diagonal(xp, phi))",
        _LINALG,
    ),
    Mutant(
        "drop",
        "copyltu = low + _mH(xp, low) + _diag_embed(xp, diag.real if _is_complex(mm) else diag)",
        "copyltu = low + _diag_embed(xp, diag.real if _is_complex(mm) else diag)",
        _LINALG,
    ),
    Mutant(
        "sign",
        "inner = (vtg - _mH(xp, vtg)) / 2 / safe * (1 - eye)",
        "inner = (vtg + _mH(xp, vtg)) / 2 / safe * (1 - eye)",
        _LINALG,
    ),
    Mutant("drop", "return out + core + term_u + term_v", "return out + core + term_u", _LINALG),
    Mutant(
        "transpose",
        "xp.cross(b, g, axis=ctx.axis) if n[0] else None",
        "xp.cross(g, b, axis=ctx.axis) if n[0] else None",
        _LINALG,
    ),
    # --- forward kernels
    Mutant(
        "constant",
        "invstd = 1.0 / xp.sqrt(var + eps)\n",
        "invstd = 1.0 / xp.sqrt(var + eps * 1.5)\n",
        _NORM,
        False,
    ),
    Mutant(
        "axis",
        "return mean, xp.mean(d * d, axis=axes, keepdims=True)",
        "return mean, xp.mean(d * d, axis=axes[1:], keepdims=True)",
        _NORM,
        False,
    ),
    Mutant(
        "sign",
        "return xp.clip(x, 0, None) + xp.log1p(xp.exp(-xp.abs(x)))",
        "return xp.clip(x, 0, None) + xp.log1p(xp.exp(xp.abs(x)))",
        _act("mish"),
        False,
    ),
    Mutant(
        "drop",
        "neg = xp.expm1(xp.clip(x, None, 0) * _scalar(x, input_scale)) * _scalar(x, alpha * scale)",
        "neg = xp.expm1(xp.clip(x, None, 0) * _scalar(x, input_scale))",
        _act("elu"),
        False,
    ),
    Mutant(
        "constant",
        "t *= _scalar(x, 0.044715)",
        "t *= _scalar(x, 0.0447151)",
        _act("gelu"),
        False,
    ),
    Mutant(
        "axis",
        "out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))",
        "out -= xp.log(xp.exp(out).sum(axis=dim - 1, keepdims=True))",
        ("tests/test_nn_activation.py", "-k", "softmax"),
        False,
    ),
    Mutant(
        "axis",
        "return reverse_cumsum_of(g, ctx.axis), None, None",
        "return reverse_cumsum_of(g, ctx.axis - 1), None, None",
        _REDUCE,
    ),
    Mutant(
        "constant",
        "d *= _INV_SQRT_2PI",
        "d *= _INV_SQRT_2PI * 1.000001",
        _act("gelu"),
    ),
    Mutant(
        "sign",
        "bits &= neg",
        "bits |= neg",
        ("tests/test_nn_activation.py", "-k", "gelu_float32"),
        False,
    ),
]
