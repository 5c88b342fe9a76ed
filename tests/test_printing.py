"""Tensor printing: PyTorch 2.13's recorded outputs, and character-exact comparison with torch.

The recorded cases (docs/TORCH_FACTS.md section 2) run everywhere; the differential cases skip
where torch is not installed.
"""

from __future__ import annotations

import math
import sys
import time
import types

import numpy as np
import oracle
import pytest

import numtorch
from numtorch import _dtype
from numtorch._printing import get_printoptions, printoptions, set_printoptions, tensor_repr


class Parameter(numtorch.Tensor):
    """Printing marks a tensor whose class is named Parameter (nn.Parameter) as one."""


def _make(data, dtype=None, requires_grad=False):
    return numtorch.tensor(data, dtype=dtype, requires_grad=requires_grad)


def _leaf(data, dtype=None):
    return _make(data, dtype, requires_grad=True)


@pytest.fixture(autouse=True)
def _default_options():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    if "torch" in sys.modules:
        sys.modules["torch"].set_printoptions(profile="default")


nan, inf = math.nan, math.inf
f64, f16, i32, u8, i64 = _dtype.float64, _dtype.float16, _dtype.int32, _dtype.uint8, _dtype.int64

RECORDED = [
    # shape, dtype and grad suffixes
    (lambda: _make([75.0]), "tensor([75.])"),
    (lambda: _make(75.0), "tensor(75.)"),
    (lambda: _make(3.5), "tensor(3.5000)"),
    (lambda: _make([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: _leaf([1.0, 2.0]).sum(), "tensor(3., grad_fn=<SumBackward0>)"),
    (
        lambda: _leaf([1.0, 2.0, 3.0]) * 2,
        "tensor([2., 4., 6.], grad_fn=<MulBackward0>)",
    ),
    (lambda: _make([1.0, 2.0], f64), "tensor([1., 2.], dtype=torch.float64)"),
    (
        lambda: _make([1.0, 2.0], f64, requires_grad=True),
        "tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
    ),
    (
        lambda: (_leaf([1.0, 2.0], f64) * 3).sum(),
        "tensor(9., dtype=torch.float64, grad_fn=<SumBackward0>)",
    ),
    (lambda: _make([1.5, 2.25], f64), "tensor([1.5000, 2.2500], dtype=torch.float64)"),
    (lambda: _make(2, i32), "tensor(2, dtype=torch.int32)"),
    (lambda: _make([1, 2], u8), "tensor([1, 2], dtype=torch.uint8)"),
    (lambda: _make([1.0, 2.0], f16), "tensor([1., 2.], dtype=torch.float16)"),
    (lambda: _make([0.1, 0.25, 1.0]), "tensor([0.1000, 0.2500, 1.0000])"),
    (lambda: _make([0.12345, 1.5]), "tensor([0.1235, 1.5000])"),
    (lambda: _make([1.0, -1.0, 0.5]), "tensor([ 1.0000, -1.0000,  0.5000])"),
    (lambda: _make([-1.0, 2.0, -3.0]), "tensor([-1.,  2., -3.])"),
    (lambda: _make([100.0, 2.0, 3.5]), "tensor([100.0000,   2.0000,   3.5000])"),
    (lambda: _make([123.456, 0.5]), "tensor([123.4560,   0.5000])"),
    (lambda: _make([1234567.0]), "tensor([1234567.])"),
    (lambda: _make([1, -22, 333]), "tensor([  1, -22, 333])"),
    # scientific-notation thresholds
    (lambda: _make([0.00012345, 1.5]), "tensor([1.2345e-04, 1.5000e+00])"),
    (lambda: _make([0.0001, 0.1]), "tensor([1.0000e-04, 1.0000e-01])"),
    (lambda: _make([1.0, 1000.0]), "tensor([   1., 1000.])"),
    (lambda: _make([1.0, 1001.0]), "tensor([1.0000e+00, 1.0010e+03])"),
    (lambda: _make([0.5, 1000.0]), "tensor([5.0000e-01, 1.0000e+03])"),
    (lambda: _make([1e8]), "tensor([100000000.])"),
    (lambda: _make([99999999.0]), "tensor([100000000.])"),
    (lambda: _make([1.5e8]), "tensor([1.5000e+08])"),
    (lambda: _make([1e8, 1.0]), "tensor([1.0000e+08, 1.0000e+00])"),
    (lambda: _make(1e-5), "tensor(1.0000e-05)"),
    (lambda: _make([12345678.0, 1.5]), "tensor([1.2346e+07, 1.5000e+00])"),
    # nan, inf, zeros, ties
    (lambda: _make([nan, 1.0]), "tensor([nan, 1.])"),
    (lambda: _make([inf, -inf, 1.0]), "tensor([inf, -inf, 1.])"),
    (lambda: _make([inf, 1.5]), "tensor([   inf, 1.5000])"),
    (lambda: _make([nan, 1e-6]), "tensor([       nan, 1.0000e-06])"),
    (lambda: _make(-0.0), "tensor(-0.)"),
    (lambda: _make([0.0, 0.0]), "tensor([0., 0.])"),
    (lambda: _make([nan]), "tensor([nan])"),
    (lambda: _make([0.03125, 0.15625]), "tensor([0.0312, 0.1562])"),
    # other dtypes, empty tensors
    (lambda: _make([True, False]), "tensor([ True, False])"),
    (lambda: _make([1 + 2j, 3 - 4j], _dtype.complex64), "tensor([1.+2.j, 3.-4.j])"),
    (lambda: _make(np.empty(0, np.float32)), "tensor([])"),
    (lambda: _make(np.empty((0, 3), np.float32)), "tensor([], size=(0, 3))"),
    (lambda: _make(np.empty(0, np.int64)), "tensor([], dtype=torch.int64)"),
    (lambda: _make(np.empty((2, 0)), f64), "tensor([], size=(2, 0), dtype=torch.float64)"),
    # layout
    (
        lambda: _make(np.arange(30.0), _dtype.float32),
        (
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
            "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
            "        28., 29.])"
        ),
    ),
    (lambda: _make(np.arange(1001)), "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    (
        lambda: _make(np.arange(1200).reshape(30, 40)),
        (
            "tensor([[   0,    1,    2,  ...,   37,   38,   39],\n"
            "        [  40,   41,   42,  ...,   77,   78,   79],\n"
            "        [  80,   81,   82,  ...,  117,  118,  119],\n"
            "        ...,\n"
            "        [1080, 1081, 1082,  ..., 1117, 1118, 1119],\n"
            "        [1120, 1121, 1122,  ..., 1157, 1158, 1159],\n"
            "        [1160, 1161, 1162,  ..., 1197, 1198, 1199]])"
        ),
    ),
    (
        lambda: _make(np.arange(24).reshape(2, 3, 4)),
        (
            "tensor([[[ 0,  1,  2,  3],\n"
            "         [ 4,  5,  6,  7],\n"
            "         [ 8,  9, 10, 11]],\n"
            "\n"
            "        [[12, 13, 14, 15],\n"
            "         [16, 17, 18, 19],\n"
            "         [20, 21, 22, 23]]])"
        ),
    ),
    (
        lambda: _make(np.arange(18.0), f64, requires_grad=True),
        (
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
            "        14., 15., 16., 17.], dtype=torch.float64, requires_grad=True)"
        ),
    ),
    (
        lambda: _leaf(np.arange(13.0), f64) * 2,
        (
            "tensor([ 0.,  2.,  4.,  6.,  8., 10., 12., 14., 16., 18., 20., 22., 24.],\n"
            "       dtype=torch.float64, grad_fn=<MulBackward0>)"
        ),
    ),
    (
        lambda: _make(np.arange(6.0) * 1.5, _dtype.float32, requires_grad=True),
        "tensor([0.0000, 1.5000, 3.0000, 4.5000, 6.0000, 7.5000], requires_grad=True)",
    ),
    (
        lambda: _make(np.arange(7.0) * 1.5, _dtype.float32, requires_grad=True),
        (
            "tensor([0.0000, 1.5000, 3.0000, 4.5000, 6.0000, 7.5000, 9.0000],\n"
            "       requires_grad=True)"
        ),
    ),
]


@pytest.mark.parametrize("build, expected", RECORDED)
def test_recorded(build, expected):
    t = build()
    assert tensor_repr(t) == expected
    assert str(t) == repr(t) == expected


def test_recorded_sci_wrapping():
    text = tensor_repr(_make(np.arange(2000.0).reshape(40, 50), _dtype.float32))
    assert text.startswith(
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
        "         4.9000e+01],\n"
        "        ["
    )


def test_parameter_prefix():
    p = Parameter([[1.0, 2.0]]).requires_grad_()
    assert tensor_repr(p) == "Parameter containing:\ntensor([[1., 2.]], requires_grad=True)"
    assert tensor_repr(Parameter([1.0])) == "Parameter containing:\ntensor([1.])"


def test_subclass_prefixes():
    class MyTensor(numtorch.Tensor):
        pass

    class MyParam(Parameter):
        pass

    assert tensor_repr(MyTensor([1.0, 2.0])) == "MyTensor([1., 2.])"
    assert tensor_repr(MyParam([1.0, 2.0]).requires_grad_()) == (
        "Parameter containing:\nParameter(MyParam([1., 2.], requires_grad=True))"
    )
    # The indent of wrapped rows follows the prefix length.
    assert tensor_repr(MyTensor([[1, 2], [3, 4]])) == "MyTensor([[1., 2.],\n          [3., 4.]])"


def test_device_suffix():
    # No GPU array can exist without CuPy, so a stand-in carries a CUDA device; tensor_repr reads
    # only these attributes.
    stand_in = type("Tensor", (types.SimpleNamespace,), {})
    for device, text in (
        (numtorch.device("cuda"), "cuda:0"),
        (numtorch.device("cuda", 1), "cuda:1"),
    ):
        t = stand_in(
            _data=np.array([1.0, 2.0]), dtype=f64, requires_grad=True, grad_fn=None, device=device
        )
        assert tensor_repr(t) == (
            f"tensor([1., 2.], device='{text}', dtype=torch.float64, requires_grad=True)"
        )


RECORDED_OPTIONS = [
    ({"precision": 2}, [1.12345, 2.5], "tensor([1.12, 2.50])"),
    ({"precision": 6}, [1.12345, 2.5], "tensor([1.123450, 2.500000])"),
    ({"precision": 8}, [0.1], "tensor([0.10000000])"),
    ({"sci_mode": False}, [1e-6, 1.0], "tensor([0.0000, 1.0000])"),
    ({"sci_mode": True}, [1.0, 2.0], "tensor([1.0000e+00, 2.0000e+00])"),
    ({"threshold": 5}, np.arange(10), "tensor([0, 1, 2,  ..., 7, 8, 9])"),
    ({"threshold": 5, "edgeitems": 2}, np.arange(10.0), "tensor([0., 1.,  ..., 8., 9.])"),
    ({"threshold": 5, "edgeitems": 0}, np.arange(10.0), "tensor([...], size=(10,))"),
    ({"edgeitems": 0}, [1.5], "tensor([1.5000], size=(1,))"),
    (
        {"linewidth": 40},
        np.arange(20.0),
        (
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,\n         6.,  7.,  8.,  9., 10., 11.,\n"
            "        12., 13., 14., 15., 16., 17.,\n        18., 19.])"
        ),
    ),
]


@pytest.mark.parametrize("options, values, expected", RECORDED_OPTIONS)
def test_recorded_options(options, values, expected):
    dtype = _dtype.float32 if np.asarray(values).dtype.kind == "f" else None
    set_printoptions(**options)
    assert tensor_repr(_make(values, dtype)) == expected


def test_options_api():
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)  # the quirk: sci_mode goes back to None
    assert get_printoptions()["sci_mode"] is None
    assert get_printoptions()["precision"] == 3
    set_printoptions(profile="short", linewidth=60)
    assert get_printoptions() == {
        "precision": 2,
        "threshold": 1000,
        "edgeitems": 2,
        "linewidth": 60,
        "sci_mode": None,
    }
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(profile="no-such-profile")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(profile="default", sci_mode=False)
    with printoptions(precision=1, sci_mode=True):
        assert tensor_repr(_make([1.25])) == "tensor([1.2e+00])"
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": False,
    }


def test_huge_tensor_prints_fast():
    t = numtorch.from_numpy(np.ones(10**7, np.float32))
    start = time.perf_counter()
    assert tensor_repr(t) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"
    assert time.perf_counter() - start < 1.0
    t = numtorch.from_numpy(np.zeros((100, 100, 1000), np.float32))
    start = time.perf_counter()
    # 6 matrices of 6 rows and a "..." row, a "..." matrix, and a blank line between matrices.
    assert tensor_repr(t).count("\n") == 6 * 6 + 6 * 2
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------------------------------------
# Differential: the same array printed by numtorch and by torch, compared character for character.


@pytest.fixture
def torch():
    return oracle.torch


def _pair(torch, array: np.ndarray, requires_grad: bool = False, op: bool = False):
    """The same values as a numtorch tensor and a torch tensor (``op``: as an op's output)."""
    array = np.ascontiguousarray(array)
    ref = torch.from_numpy(array.copy())
    if requires_grad or op:
        ref.requires_grad_()
    ours = numtorch.tensor(array, requires_grad=requires_grad or op)
    if op:
        # clone keeps the values (arithmetic on complex nan and inf would not).
        ref, ours = ref.clone(), ours.clone()
    return ours, ref


def _assert_same(torch, array, requires_grad=False, op=False, **options):
    set_printoptions(**options)
    torch.set_printoptions(**options)
    ours, ref = _pair(torch, array, requires_grad, op)
    assert tensor_repr(ours) == repr(ref)


_RNG = np.random.default_rng(2024)


def _randn(*shape, scale=1.0, dtype=np.float32, rng=_RNG):
    return (rng.standard_normal(shape) * scale).astype(dtype)


HAND_PICKED = {
    "0d": np.float32(-2.75),
    "0d-nan": np.float32(nan),
    "0d-int": np.int64(-7),
    "0d-bool": np.bool_(True),
    "0d-complex": np.complex64(-1.5 - 0.25j),
    "1d": _randn(9),
    "2d": _randn(4, 6),
    "3d": _randn(3, 4, 5),
    "4d": _randn(2, 3, 4, 5),
    "1000": _randn(1000),
    "1001": _randn(1001),
    "10x100": _randn(10, 100),
    "10x101": _randn(10, 101),
    "7x11x13": _randn(7, 11, 13),
    "6x6x6x6": _randn(6, 6, 6, 6),
    "7x7x7x7": _randn(7, 7, 7, 7),
    "tall": _randn(2000, 1),
    "wide": _randn(1, 2000),
    "tiny": _randn(5, 5, scale=1e-7),
    "huge": _randn(5, 5, scale=1e12),
    "mixed": np.array([1e-12, 3.0, -4e9, 0.5], np.float32),
    "mixed-f64": np.array([1e-300, 3.0, -4e200, 5e-324], np.float64),
    "f64-extremes": np.array([1.7976931348623157e308, -2.2250738585072014e-308]),
    "f32-extremes": np.array([3.4028235e38, -1.1754944e-38, 1e-45], np.float32),
    "neg-zero": np.array([-0.0, 0.0, -0.0], np.float32),
    "neg-zero-mixed": np.array([-0.0, 1.5, -2.25], np.float32),
    "int-valued": np.array([-3.0, 1e7, 42.0], np.float32),
    "int-valued-sci": np.array([-3.0, 2e8, 42.0], np.float32),
    "nan-inf": np.array([nan, inf, -inf, 0.0, -0.0], np.float32),
    "nan-inf-frac": np.array([[nan, 2.5], [-inf, -1e-3]], np.float32),
    "rounding-up": np.array([9.99996, 99.99995, -0.99999], np.float32),
    "ties": np.array([0.03125, 0.15625, 2.5, 0.5], np.float64),
    "nan-summarised": np.where(_RNG.random(3000) < 0.5, nan, 1.0).astype(np.float32),
    "all-nan-big": np.full((40, 40), nan, np.float32),
    "f16": _randn(5, 7, dtype=np.float16),
    "f16-big": _randn(1500, dtype=np.float16) * np.float16(300),
    "f64": _randn(3, 3, dtype=np.float64),
    "c64": (_randn(3, 4) + 1j * _randn(3, 4)).astype(np.complex64),
    "c128-big": (_randn(30, 40) * 1e5 + 1j * _randn(30, 40)).astype(np.complex128),
    "c64-special": np.array([complex(nan, -0.0), complex(1, inf), -0.0j, 3 + 1e-9j], np.complex64),
    "int8": _RNG.integers(-128, 128, (5, 9), dtype=np.int8),
    "int16": _RNG.integers(-(2**15), 2**15, 50, dtype=np.int16),
    "int32": _RNG.integers(-(2**31), 2**31, (3, 3), dtype=np.int32),
    "int64": np.array([-(2**63), 2**63 - 1, 0]),
    "int64-big": _RNG.integers(-5, 5000, (40, 30)),
    "uint8": _RNG.integers(0, 256, (2, 3, 4), dtype=np.uint8),
    "uint16": np.array([0, 65535], np.uint16),
    "uint32": np.array([7, 2**32 - 1], np.uint32),
    "uint64": np.array([2**64 - 1, 1], np.uint64),
    "bool": _RNG.random((4, 5)) < 0.5,
    "bool-true": np.ones(6, bool),
    "bool-big": _RNG.random((30, 50)) < 0.5,
    "empty-1d-int": np.empty(0, np.int32),
    "empty-3d": np.empty((2, 0, 4), np.float32),
    "empty-bool": np.empty((0, 1), bool),
    "empty-c64": np.empty(0, np.complex64),
}


@pytest.mark.parametrize("name", sorted(HAND_PICKED))
def test_matches_torch(torch, name):
    array = HAND_PICKED[name]
    _assert_same(torch, array)
    if array.dtype.kind in "fc":
        _assert_same(torch, array, requires_grad=True)
        _assert_same(torch, array, op=True)


OPTIONS = [
    {"precision": 0},
    {"precision": 2},
    {"precision": 7},
    {"precision": 10},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 0},
    {"threshold": 0, "edgeitems": 0},
    {"threshold": 2.5},
    {"linewidth": 0},
    {"precision": 20},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 0},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 30, "edgeitems": 10},
    {"edgeitems": 0},
    {"linewidth": 1},
    {"linewidth": 20},
    {"linewidth": 45},
    {"linewidth": 200},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 5, "sci_mode": True},
]
OPTION_ARRAYS = [
    "0d",
    "0d-int",
    "0d-complex",
    "2d",
    "4d",
    "1001",
    "10x101",
    "tiny",
    "mixed",
    "nan-inf-frac",
    "neg-zero-mixed",
    "f16",
    "c64",
    "int8",
    "bool",
    "empty-3d",
    "7x11x13",
]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_options_match_torch(torch, options):
    for name in OPTION_ARRAYS:
        array = HAND_PICKED[name]
        _assert_same(torch, array, **options)
        if array.dtype.kind == "f":
            _assert_same(torch, array, op=True, **options)


@pytest.mark.parametrize("linewidth", [60, 76, 77, 78, 80, 81])
def test_suffix_wrapping_matches_torch(torch, linewidth):
    # Every line length around the wrapping point, with one, two and three suffixes.
    for n in range(1, 16):
        for dtype in (np.float32, np.float64, np.float16):
            array = (np.arange(n) * 1.5).astype(dtype)
            _assert_same(torch, array, requires_grad=True, linewidth=linewidth)
            _assert_same(torch, array, op=True, linewidth=linewidth)
            _assert_same(torch, array.reshape(1, n), op=True, linewidth=linewidth, edgeitems=0)


def test_bfloat16_matches_torch(torch, rng):
    pytest.importorskip("ml_dtypes")
    for array in (
        _randn(5, 7, rng=rng),
        _randn(2000, scale=1e5, rng=rng),
        np.array([1.0, -0.0, nan, inf], np.float32),
        _randn(3, 4, scale=1e-6, rng=rng),
        np.float32(3.5),
    ):
        ours = numtorch.tensor(array, dtype=_dtype.bfloat16, requires_grad=True)
        ref = torch.tensor(array, dtype=torch.bfloat16, requires_grad=True)
        assert tensor_repr(ours) == repr(ref)
        assert tensor_repr(ours.clone()) == repr(ref.clone())


def test_default_dtype_float64_matches_torch(torch):
    saved, saved_torch = _dtype.get_default_dtype(), torch.get_default_dtype()
    _dtype.set_default_dtype(_dtype.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for array in (
            np.array([1.5]),
            np.array([1.5], np.float32),
            np.empty(0),
            np.empty(0, np.float32),
            np.array([1j]),
            np.array([1j], np.complex64),
        ):
            _assert_same(torch, array)
    finally:
        _dtype.set_default_dtype(saved)
        torch.set_default_dtype(saved_torch)


def test_parameter_matches_torch(torch, rng):
    array = _randn(2, 3, rng=rng)
    ref = torch.nn.Parameter(torch.from_numpy(array.copy()))
    assert tensor_repr(Parameter(array).requires_grad_()) == repr(ref)
    ref = torch.nn.Parameter(torch.from_numpy(array.copy()), requires_grad=False)
    assert tensor_repr(Parameter(array)) == repr(ref)


def test_huge_tensor_matches_torch(torch, rng):
    array = _randn(100, 100, 1000, rng=rng)
    _assert_same(torch, array)


@pytest.mark.live_torch("hypothesis draws new examples each run; a recording cannot follow them")
def test_random_floats_match_torch(torch):
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    def float_arrays(dtype):
        bits = np.dtype(dtype).itemsize * 8
        return hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=0, max_dims=4, max_side=9),
            elements=st.floats(width=bits),
        )

    arrays = st.one_of([float_arrays(d) for d in (np.float16, np.float32, np.float64)])
    options = st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 8),
            "threshold": st.integers(0, 400),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(1, 120),
            "sci_mode": st.sampled_from([None, True, False]),
        },
    )

    @settings(max_examples=300, deadline=None, database=None)
    @given(array=arrays, options=options, op=st.booleans())
    def check(array, options, op):
        try:
            _assert_same(torch, array, op=op, **options)
        finally:
            set_printoptions(profile="default")
            torch.set_printoptions(profile="default")

    check()
