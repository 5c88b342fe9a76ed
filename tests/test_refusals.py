"""What PyTorch refuses, numtorch refuses too, with PyTorch's exception type and text."""

import pytest
from helpers import torch

import numtorch as nt


def _outcome(fn, lib):
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e).split("\n")[0]
    if hasattr(out, "detach"):
        return "ok", str(out.dtype), repr(out.detach().numpy().tolist())
    return "ok", repr(out)


def assert_same_outcome(fn):
    """``fn(numtorch)`` and ``fn(torch)`` both succeed with equal values, or both raise the same
    exception type with the same first line of text."""
    assert _outcome(fn, nt) == _outcome(fn, torch)


INT_DIV_BY_ZERO = {
    "floordiv": lambda m: m.tensor([5, -3, 0]) // 0,
    "floordiv_tensor": lambda m: m.tensor([5, -3, 0]) // m.tensor([1, 0, 2]),
    "rfloordiv": lambda m: 5 // m.tensor([0]),
    "rfloordiv_ok": lambda m: 7 // m.tensor([2, -2]),
    "div_floor": lambda m: m.div(m.tensor([5]), 0, rounding_mode="floor"),
    "div_trunc": lambda m: m.div(m.tensor([5]), m.tensor([0]), rounding_mode="trunc"),
    "div_trunc_": lambda m: m.tensor([5]).div_(0, rounding_mode="trunc"),
    "floor_divide_": lambda m: m.tensor([5]).floor_divide_(0),
    "ifloordiv": lambda m: m.tensor([5]).__ifloordiv__(0),
    "uint8": lambda m: m.tensor([5], dtype=m.uint8) // 0,
    "int32_trunc": lambda m: m.div(m.tensor([5], dtype=m.int32), 0, rounding_mode="trunc"),
    "remainder": lambda m: m.tensor([5]) % 0,
    "fmod_": lambda m: m.tensor([5]).fmod_(0),
    "true_div": lambda m: m.tensor([5, -3, 0]) / 0,
    "float_floordiv": lambda m: m.tensor([5.0, -1.0]) // 0,
    "bool": lambda m: m.tensor([True]) // m.tensor([False]),
}


@pytest.mark.parametrize("name", list(INT_DIV_BY_ZERO))
def test_integer_division_by_zero(name):
    assert_same_outcome(INT_DIV_BY_ZERO[name])


def _pools(m):
    F = m.nn.functional
    return {
        "avg_pool1d": lambda x: F.avg_pool1d(x[0], 3),
        "avg_pool2d": lambda x: F.avg_pool2d(x, 2),
        "avg_pool2d_ceil_pad": lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
        "avg_pool2d_exclude_pad": lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        "avg_pool2d_divisor": lambda x: F.avg_pool2d(x, 2, divisor_override=3),
        "avg_pool3d": lambda x: F.avg_pool3d(x, 2),
        "AvgPool2d": lambda x: m.nn.AvgPool2d(2)(x),
        "adaptive_avg_pool1d": lambda x: F.adaptive_avg_pool1d(x[0], 3),
        "adaptive_avg_pool2d": lambda x: F.adaptive_avg_pool2d(x, 3),
        "adaptive_avg_pool3d": lambda x: F.adaptive_avg_pool3d(x, 2),
        "global_avg_pool": lambda x: F.adaptive_avg_pool2d(x, 1),
        # rounded: its final sqrt is MKL's in PyTorch, within 1 ulp of the exact one
        "lp_pool2d": lambda x: F.lp_pool2d(x, 2, 2).round(decimals=2),
    }


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "complex64"])
@pytest.mark.parametrize("name", list(_pools(nt)))
def test_pooling_dtypes(name, dtype):
    # int64 averages with C's integer division; other integer dtypes are refused
    def fn(m):
        x = (m.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6) * 3 - 50).to(getattr(m, dtype))
        return _pools(m)[name](x)

    assert_same_outcome(fn)


def test_avg_pool3d_half_refused():
    assert_same_outcome(lambda m: m.nn.functional.avg_pool3d(m.ones(1, 2, 2, 2).half(), 2))


def _random_ops(m):
    return {
        "exponential_": lambda t: t.exponential_(),
        "geometric_": lambda t: t.geometric_(0.5),
        "cauchy_": lambda t: t.cauchy_(),
        "log_normal_": lambda t: t.log_normal_(),
        "bernoulli_": lambda t: t.bernoulli_(),
        "bernoulli_tensor_p": lambda t: t.bernoulli_(m.full((3,), 0.5)),
        "bernoulli": lambda t: m.bernoulli(t),
        "random_": lambda t: t.random_(),
        "random_to": lambda t: t.random_(10),
        "uniform_": lambda t: t.uniform_(),
        "normal_": lambda t: t.normal_(),
        "randint": lambda t: m.randint(3, (3,), dtype=t.dtype),
        "randperm": lambda t: m.randperm(3, dtype=t.dtype),
        "rand": lambda t: m.rand(3, dtype=t.dtype),
        "randn": lambda t: m.randn(3, dtype=t.dtype),
        "multinomial": lambda t: m.multinomial(t + 1, 2),
        "poisson": lambda t: m.poisson(t),
    }


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8", "float16", "complex64"])
@pytest.mark.parametrize("name", list(_random_ops(nt)))
def test_random_dtypes(name, dtype):
    def fn(m):
        m.manual_seed(0)
        return _random_ops(m)[name](m.zeros(3, dtype=getattr(m, dtype)))

    assert_same_outcome(fn)


C_NAMED_DTYPES = ["int16", "int64", "int8", "uint8", "bool", "float16", "bfloat16", "complex64"]
C_NAMED_ERRORS = {
    "masked_fill_": lambda m, dt: m.zeros(2).masked_fill_(m.zeros(2, dtype=dt), 1.0),
    "mm": lambda m, dt: m.zeros(2, 2).mm(m.zeros(2, 2, dtype=dt)),
    "cauchy_": lambda m, dt: m.zeros(2, dtype=dt).cauchy_().dtype,
}


@pytest.mark.parametrize("dtype", C_NAMED_DTYPES)
@pytest.mark.parametrize("name", list(C_NAMED_ERRORS))
def test_errors_naming_the_c_type(name, dtype):
    # these errors print the dtype's C++ name (short int, c10::Half ...), one table for all
    assert_same_outcome(lambda m: C_NAMED_ERRORS[name](m, getattr(m, dtype)))


def _load_outcome(m, data, **kwargs):
    import io

    try:
        m.load(io.BytesIO(data), **kwargs)
    except BaseException as e:  # noqa: BLE001 - the exception is what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("data", [b"", bytes(range(7, 71)), b"\x00\x01", b"\xff" * 9], ids=repr)
@pytest.mark.live_torch("compares PyTorch's exception classes by identity")
def test_load_of_a_non_checkpoint(data, weights_only):
    # an empty file: EOFError; other bytes: pickle.UnpicklingError, as PyTorch's unpickler says
    outcome = _load_outcome(nt, data, weights_only=weights_only)
    assert outcome == _load_outcome(torch, data, weights_only=weights_only)


def test_load_empty_file_is_eof(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    with pytest.raises(EOFError):
        nt.load(path)


RAGGED = [
    [[1, 2], [3]],
    [[[1, 2], [3, 4]], [[1, 2], [3]]],
    [[1.0, 2.0], [3.0, 4.0, 5.0]],
    [[1, 2], 3],
    [1, [2, 3]],
    [(1, 2), (3,)],
]


@pytest.mark.parametrize("dtype", [None, "float64", "int32"])
@pytest.mark.parametrize("data", RAGGED, ids=str)
def test_ragged_nested_list(data, dtype):
    def fn(m):
        return m.tensor(data, dtype=None if dtype is None else getattr(m, dtype))

    assert_same_outcome(fn)


DEVICES = {
    "cuda_method": lambda m: m.ones(2).cuda(),
    "to_cuda": lambda m: m.ones(2).to("cuda"),
    "factory_cuda": lambda m: m.ones(2, device="cuda"),
    "cuda_index": lambda m: m.zeros(1, device="cuda:1"),
    "module_cuda": lambda m: m.nn.Linear(2, 2).cuda(),
    "module_to_cuda": lambda m: m.nn.Linear(2, 2).to("cuda"),
    "to_mps": lambda m: m.ones(2).to("mps"),
}


@pytest.mark.skipif(nt.cuda.is_available(), reason="a CUDA backend is present")
@pytest.mark.parametrize("name", list(DEVICES))
def test_unavailable_devices(name):
    assert_same_outcome(DEVICES[name])


@pytest.mark.skipif(nt.cuda.is_available(), reason="a CUDA backend is present")
def test_mps_factory_text_does_not_speak_of_cuda():
    with pytest.raises(RuntimeError) as info:
        nt.ones(2, device="mps")
    assert "mps" in str(info.value)
    assert "CUDA" not in str(info.value) and "CuPy" not in str(info.value)
