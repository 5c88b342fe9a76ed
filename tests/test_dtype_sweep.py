"""Every dtype through common unary, reduction and binary ops (with tensor, int, float and bool
operands): result dtype and values, or the exception type, as PyTorch's."""

import warnings

import pytest
from helpers import assert_close, torch

import numtorch

UNARY = [
    "abs",
    "neg",
    "exp",
    "log",
    "sqrt",
    "sin",
    "sigmoid",
    "tanh",
    "floor",
    "ceil",
    "round",
    "sign",
    "square",
    "reciprocal",
    "rsqrt",
    "erf",
    "log1p",
    "expm1",
    "sum",
    "mean",
    "prod",
    "cumsum",
    "cumprod",
    "max",
    "min",
    "argmax",
    "std",
    "var",
    "norm",
    "logsumexp",
    "relu",
    "isnan",
    "isfinite",
    "nonzero",
    "any",
    "all",
    "clone",
    "t",
    "flatten",
    "sort",
    "argsort",
    "unique",
    "count_nonzero",
    "trunc",
    "frac",
    "bitwise_not",
    "logical_not",
    "angle",
    "sgn",
    "nan_to_num",
    "deg2rad",
    "exp2",
    "log2",
    "softmax",
]
BINARY = [
    "add",
    "sub",
    "mul",
    "div",
    "floor_divide",
    "remainder",
    "fmod",
    "pow",
    "maximum",
    "minimum",
    "eq",
    "lt",
    "ge",
    "logical_and",
    "bitwise_and",
    "atan2",
    "hypot",
    "true_divide",
    "copysign",
    "xlogy",
    "ldexp",
    "bitwise_or",
]
DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]


def _outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = fn()
    except Exception as e:  # the type is what is compared
        return type(e).__name__
    return y[0] if isinstance(y, tuple) else y


def _run(m, dtype, op):
    a = m.tensor([[0, 1, 2], [3, 0, 1]]).to(getattr(m, dtype))
    b = m.tensor([[1, 1, 2], [2, 3, 1]]).to(getattr(m, dtype))
    if op in UNARY:
        fn = (lambda: m.softmax(a, 1)) if op == "softmax" else (lambda: getattr(m, op)(a))
        return [_outcome(fn)]
    return [_outcome(lambda o=o: getattr(m, op)(a, o)) for o in (b, 2, 2.5, True)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY + BINARY)
def test_dtype_and_errors_match_pytorch(op, dtype):
    for ours, theirs in zip(_run(numtorch, dtype, op), _run(torch, dtype, op)):
        if isinstance(theirs, str) or isinstance(ours, str):
            assert ours == theirs
        else:
            assert_close(ours, theirs)
