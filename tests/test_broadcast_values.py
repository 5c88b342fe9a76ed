"""Every binary and ternary elementwise op on drawn broadcast shapes and drawn values (both
signs, zeros, infinities and NaNs where the op defines them, float32 denormals) against
PyTorch: values everywhere, gradients at finite points. Derandomized: the same draws on every
run, so a failure is never a matter of luck."""

import numpy as np
import pytest
from helpers import compare_with_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numtorch

BINARY = [
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "atan2",
    "hypot",
    "logaddexp",
    "logaddexp2",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "fmod",
    "remainder",
    "xlogy",
    "copysign",
]
TERNARY = ["where", "lerp", "clamp", "addcmul", "addcdiv"]


def _values(dtype, special):
    """Floats of ``dtype``: with ``special``, any (denormals, +-0, +-inf, NaN); without, finite
    and away from overflow, so gradients stay finite."""
    width = 32 if dtype == "float32" else 64
    if special:
        return st.floats(width=width, allow_subnormal=width == 32)
    return st.floats(-4, 4, width=width, allow_subnormal=False)


@st.composite
def operands(draw, n, dtype, special):
    """``n`` arrays of mutually broadcastable shapes with drawn values."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=3, max_side=3))
    return [
        draw(hnp.arrays(dtype, s, elements=_values(dtype, special))) for s in shapes.input_shapes
    ]


def _binary(module, name):
    return getattr(module, name)


def _ternary(module, name):
    if name == "where":
        return lambda c, x, y: module.where(c > 0, x, y)
    return getattr(module, name)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(name=st.sampled_from(BINARY), data=st.data())
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.live_torch("hypothesis' derandomized examples differ between its versions")
def test_binary_any_values(dtype, name, data):
    arrays = data.draw(operands(2, dtype, special=True))
    compare_with_torch(_binary(numtorch, name), arrays, _binary(torch, name), grad=False)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(name=st.sampled_from(BINARY), arrays=operands(2, "float64", special=False))
@pytest.mark.live_torch("hypothesis draws new examples each run; a recording cannot follow them")
def test_binary_gradients(name, arrays):
    compare_with_torch(_binary(numtorch, name), arrays, _binary(torch, name))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(name=st.sampled_from(TERNARY), data=st.data())
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.live_torch("hypothesis draws new examples each run; a recording cannot follow them")
def test_ternary_any_values(dtype, name, data):
    arrays = data.draw(operands(3, dtype, special=True))
    compare_with_torch(_ternary(numtorch, name), arrays, _ternary(torch, name), grad=False)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(name=st.sampled_from(TERNARY), arrays=operands(3, "float64", special=False))
@pytest.mark.live_torch("hypothesis draws new examples each run; a recording cannot follow them")
def test_ternary_gradients(name, arrays):
    if name == "clamp":
        # PyTorch's clamp backward raises where the input is smaller than the result
        arrays[0] = np.broadcast_to(arrays[0], np.broadcast_shapes(*map(np.shape, arrays))).copy()
    compare_with_torch(_ternary(numtorch, name), arrays, _ternary(torch, name))
