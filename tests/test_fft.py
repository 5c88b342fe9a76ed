"""numtorch.fft against torch.fft: values, dtypes, gradients (real and complex inputs, every
norm), finite-difference checks and errors."""

import numpy as np
import pytest
from helpers import compare_with_torch, gradcheck, rand
from oracle import torch

import numtorch

NORMS = [None, "backward", "forward", "ortho"]


def _fft(mod, name):
    return getattr(mod.fft, name)


def both(name, **kw):
    """The same call on numtorch and on torch."""
    return (lambda x: _fft(numtorch, name)(x, **kw)), (lambda x: _fft(torch, name)(x, **kw))


def assert_same_error(name, dtype, norm):
    """A real-input transform of a complex tensor: PyTorch's exception type and text."""
    z = rand((4, 6), dtype)
    f, tf = both(name, norm=norm)
    with pytest.raises(RuntimeError) as want:
        tf(torch.tensor(z))
    with pytest.raises(RuntimeError) as got:
        f(numtorch.tensor(z))
    assert str(got.value) == str(want.value)


ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
REAL_ONLY = {"rfft", "ihfft"}


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_one_dim(name, dtype, norm):
    if name in REAL_ONLY and "complex" in dtype:
        assert_same_error(name, dtype, norm)
        return
    for shape, kw in [
        ((8,), {}),
        ((3, 5), {"dim": 0}),
        ((2, 7), {"n": 4}),
        ((2, 3, 6), {"n": 9, "dim": 1}),
    ]:
        f, tf = both(name, norm=norm, **kw)
        compare_with_torch(f, [rand(shape, dtype)], tf)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize(
    "name",
    [
        "fft2",
        "ifft2",
        "rfft2",
        "irfft2",
        "hfft2",
        "ihfft2",
        "fftn",
        "ifftn",
        "rfftn",
        "irfftn",
        "hfftn",
        "ihfftn",
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_several_dims(name, dtype, norm):
    if name.startswith(("rfft", "ihfft")) and "complex" in dtype:
        assert_same_error(name, dtype, norm)
        return
    cases = [
        ((4, 6), {}),
        ((2, 3, 4), {"s": (5, 6)}),
        ((2, 3, 4), {"dim": (0, 2)}),
        ((3, 4, 5), {"s": (4, -1), "dim": (2, 0)}),
    ]
    if name.endswith("n"):
        cases.append(((2, 3, 4), {}))
    for shape, kw in cases:
        f, tf = both(name, norm=norm, **kw)
        compare_with_torch(f, [rand(shape, dtype)], tf)


def test_real_to_complex_transform_of_noncontiguous_input():
    a = rand((6, 4), "float64")
    compare_with_torch(
        lambda x: numtorch.fft.fft(x.t(), dim=0), [a], lambda x: torch.fft.fft(x.t(), dim=0)
    )
    compare_with_torch(lambda x: numtorch.fft.rfft2(x[::2]), [a], lambda x: torch.fft.rfft2(x[::2]))


def test_integer_input_gives_default_complex():
    for name in ["fft", "rfft", "irfft", "hfft"]:
        f, tf = both(name)
        compare_with_torch(f, [np.arange(6)], tf, grad=False)


def test_chained_round_trips_and_grad_fn_names():
    x = numtorch.randn(10, dtype=numtorch.float64, requires_grad=True)
    X = numtorch.fft.rfft(x)
    assert type(X.grad_fn).__name__ == X.grad_fn.name() == "FftR2CBackward0"
    y = numtorch.fft.irfft(X, n=10)
    assert y.grad_fn.name() == "FftC2RBackward0"
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy(), atol=1e-12)
    assert numtorch.fft.fft(X).grad_fn.name() == "FftC2CBackward0"
    assert numtorch.fft.ihfft(x).grad_fn.name() == "ConjBackward0"


@pytest.mark.parametrize(
    "name,kw,dtype",
    [
        ("fft", {"norm": "ortho"}, "complex128"),
        ("fft", {"n": 7}, "float64"),
        ("ifft", {"n": 3}, "complex128"),
        ("rfft", {"norm": "forward"}, "float64"),
        ("irfft", {}, "complex128"),
        ("irfft", {"n": 7}, "complex128"),
        ("hfft", {"n": 6}, "complex128"),
        ("ihfft", {}, "float64"),
        ("fft2", {}, "complex128"),
        ("rfft2", {"s": (3, 5)}, "float64"),
        ("irfftn", {"norm": "ortho"}, "complex128"),
        ("hfftn", {}, "complex128"),
    ],
)
def test_finite_differences(name, kw, dtype):
    shape = (5,) if name in ONE_D else (3, 4)
    gradcheck(lambda x: _fft(numtorch, name)(x, **kw), [rand(shape, dtype, seed=4)])


def test_frequencies():
    for n, d in [(1, 1.0), (5, 1.0), (8, 0.1), (7, 2.5)]:
        for name in ["fftfreq", "rfftfreq"]:
            a = _fft(numtorch, name)(n, d)
            b = _fft(torch, name)(n, d)
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
            assert str(a.dtype) == str(b.dtype)
    a = numtorch.fft.fftfreq(4, dtype=numtorch.float64)
    assert a.dtype == numtorch.float64


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts(name):
    for shape, dim in [
        ((10,), None),
        ((4, 5), None),
        ((4, 5), 1),
        ((3, 4, 5), (0, 2)),
        ((3, 4, 5), -1),
    ]:
        f, tf = both(name, dim=dim)
        compare_with_torch(f, [rand(shape, "float64")], tf)
    f, tf = both(name)
    compare_with_torch(f, [rand((3, 5), "complex128")], tf)


def test_errors_match_torch():
    x = numtorch.randn(4)
    cases = [
        (lambda m, t: m.fft.fft(t, norm="foo"), RuntimeError),
        (lambda m, t: m.fft.fft(t, n=0), RuntimeError),
        (lambda m, t: m.fft.fft(t[0]), IndexError),
        (lambda m, t: m.fft.fft(t, dim=3), IndexError),
        (lambda m, t: m.fft.irfft(t, n=-1), RuntimeError),
        (lambda m, t: m.fft.fftn(t, s=(2, 3)), RuntimeError),
        (lambda m, t: m.fft.fft2(t), IndexError),
        (lambda m, t: m.fft.rfft(t.to(m.complex64)), RuntimeError),
        (lambda m, t: m.fft.fft(t.half()), RuntimeError),
        (lambda m, t: m.fft.fftn(t.reshape(2, 2), dim=(0, 0)), RuntimeError),
    ]
    for fn, err in cases:
        with pytest.raises(err):
            fn(torch, torch.tensor(x.numpy()))
        with pytest.raises(err):
            fn(numtorch, x)
