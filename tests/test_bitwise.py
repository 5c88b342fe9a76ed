"""Results that must equal PyTorch's bit for bit: the fast paths its CPU kernels take for
particular scalar arguments, and the formulas of its range constructors."""

import numpy as np
import pytest
from helpers import torch

import numtorch as nt

EXACT_EXPONENTS = [2, 3, -1, -2, -0.5, 0, 1, 2.0, 3.0]


def _pair(dtype, positive, n=4099, seed=0):
    x = np.random.default_rng(seed).standard_normal(n) * 3
    x = (np.abs(x) + 1e-3 if positive else x).astype(dtype)
    return nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _same_bits(a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    assert a.dtype == b.dtype
    if a.dtype.kind == "c":  # each part's bits
        a, b = a.view(a.real.dtype), b.view(b.real.dtype)
    np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("e", EXACT_EXPONENTS, ids=str)
def test_pow_fast_paths_bitwise(dtype, e):
    a, b = _pair(dtype, positive=e % 1 != 0)
    ya, yb = a**e, b**e
    _same_bits(ya.detach().numpy(), yb.detach().numpy())
    ya.sum().backward()
    yb.sum().backward()
    if e - 1 in EXACT_EXPONENTS:  # the gradient is grad * (e * x ** (e - 1))
        _same_bits(a.grad.numpy(), b.grad.numpy())
    else:
        np.testing.assert_array_max_ulp(a.grad.numpy(), b.grad.numpy(), maxulp=1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_half_is_sqrt(dtype):
    # PyTorch routes x ** 0.5 to its sqrt kernel; on MKL builds that kernel is not correctly
    # rounded, so numtorch can only promise the same route: x ** 0.5 is numtorch.sqrt(x)
    a, b = _pair(dtype, positive=True)
    _same_bits((a**0.5).detach().numpy(), a.detach().sqrt().numpy())
    _same_bits((b**0.5).detach().numpy(), b.detach().sqrt().numpy())


@pytest.mark.parametrize("e", [1.5, 4, -3, 0.25, 7, 2.5])
def test_pow_float32_general_exponent(e):
    # PyTorch's vectorized loop uses SLEEF's powf (within 1 ulp, not correctly rounded);
    # rounding the float64 power agrees with it far more often than NumPy's float32 pow does
    a, b = _pair("float32", positive=True)
    ya, yb = (a**e).detach().numpy(), (b**e).detach().numpy()
    np.testing.assert_array_max_ulp(ya, yb, maxulp=1)
    assert np.mean(ya != yb) < 0.05


@pytest.mark.parametrize(
    "fn",
    [lambda m, x: m.pow(x, x * 0.5), lambda m, x: 2.5**x, lambda m, x: m.float_power(x, 3)],
    ids=["tensor_tensor", "number_tensor", "float_power"],
)
def test_pow_other_forms(fn):
    a, b = _pair("float32", positive=True)
    ya, yb = fn(nt, a).detach().numpy(), fn(torch, b).detach().numpy()
    np.testing.assert_array_max_ulp(ya, yb, maxulp=1)
    assert np.mean(ya != yb) < 0.05


@pytest.mark.parametrize("e", [2, 3, -1, -2, -0.5])
def test_pow_complex_fast_paths(e):
    z = (np.random.default_rng(1).standard_normal((2, 257)) + 0.1).astype(np.float32)
    z = z[0] + 1j * z[1]
    ya, yb = nt.tensor(z) ** e, torch.tensor(z) ** e
    np.testing.assert_allclose(ya.numpy(), yb.numpy(), rtol=1e-5)


FUSED = {
    "add_alpha": lambda m, x, y: m.add(x, y, alpha=0.3),
    "sub_alpha": lambda m, x, y: m.sub(x, y, alpha=1.7),
    "add_alpha_": lambda m, x, y: x.clone().add_(y, alpha=-0.1),
    "sub_alpha_": lambda m, x, y: x.clone().sub_(y, alpha=0.1),
    "addcmul": lambda m, x, y: m.addcmul(x, y, x, value=0.3),
    "addcmul_1": lambda m, x, y: m.addcmul(x, y, x),
    "addcdiv": lambda m, x, y: m.addcdiv(x, y, x, value=-0.3),
    "addcdiv_1": lambda m, x, y: m.addcdiv(x, y, x),
    "lerp_small": lambda m, x, y: m.lerp(x, y, 0.3),
    "lerp_large": lambda m, x, y: m.lerp(x, y, 0.7),
    "lerp_negative": lambda m, x, y: m.lerp(x, y, -0.7),
    "lerp_tensor": lambda m, x, y: m.lerp(x, y, (y - x) * 0.5),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(FUSED))
def test_fused_scalar_ops_bitwise(dtype, name):
    # PyTorch's vectorized kernels round a * b + c once (FMA); two roundings differ on ~20 %
    (a, b), (c, d) = _pair(dtype, False), _pair(dtype, False, seed=1)
    ya, yb = FUSED[name](nt, a, c), FUSED[name](torch, b, d)
    _same_bits(ya.detach().numpy(), yb.detach().numpy())
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.grad.numpy(), d.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert ya.grad_fn.name() == yb.grad_fn.name()


LINSPACE = [(0, 25, 1000), (-3.7, 11.3, 777), (2, -1.3, 333), (0.5, 10.7, 7), (-2.5, 7.9, 40000)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "int64"])
@pytest.mark.parametrize("args", LINSPACE, ids=str)
def test_linspace_bitwise(dtype, args):
    ya = nt.linspace(*args, dtype=getattr(nt, dtype)).numpy()
    _same_bits(ya, torch.linspace(*args, dtype=getattr(torch, dtype)).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("base", [10.0, 2.0, 2.7])
@pytest.mark.parametrize("args", LINSPACE[:4], ids=str)
def test_logspace(dtype, base, args):
    ya = nt.logspace(*args, base=base, dtype=getattr(nt, dtype)).numpy()
    yb = torch.logspace(*args, base=base, dtype=getattr(torch, dtype)).numpy()
    if dtype == "float32":
        _same_bits(ya, yb)
    else:  # PyTorch's double pow here is SLEEF's (1 ulp), not the C library's
        np.testing.assert_array_max_ulp(ya, yb, maxulp=1)


ARANGE = [
    (0, 25, 0.025),
    (-3.7, 11.3, 0.0137),
    (0.5, 10, 0.1),
    (10, 0, -0.3),
    (-5, 5, 1 / 3),
    (0, 1000, 0.0101),  # more than one thread's piece
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args", ARANGE, ids=str)
def test_arange_float_step_bitwise(dtype, args):
    if args[2] == 0.0101 and nt.get_num_threads() != torch.get_num_threads():
        pytest.skip("PyTorch splits long ranges by its thread count")
    ya = nt.arange(*args, dtype=getattr(nt, dtype)).numpy()
    _same_bits(ya, torch.arange(*args, dtype=getattr(torch, dtype)).numpy())


COMPLEX_DRAWS = {
    "randn": lambda m: m.randn(3, dtype=m.complex64),
    "randn_fill": lambda m: m.randn(4, 5, dtype=m.complex128),
    "randn_like": lambda m: m.randn_like(m.zeros(9, dtype=m.complex64)),
    "rand": lambda m: m.rand(17, dtype=m.complex64),
    "rand_like": lambda m: m.rand_like(m.zeros(2, dtype=m.complex128)),
    "normal": lambda m: m.normal(0.0, 1.0, (2,), dtype=m.complex64),
    "normal_": lambda m: m.zeros(3, dtype=m.complex64).normal_(1.0, 2.0),
    "normal_transposed": lambda m: m.zeros(5, 4, dtype=m.complex64).t().normal_(),
    "uniform_": lambda m: m.zeros(3, dtype=m.complex64).uniform_(-1, 2),
    "then_real": lambda m: (m.randn(3, dtype=m.complex64), m.randn(3))[1],
}


@pytest.mark.parametrize("name", list(COMPLEX_DRAWS))
def test_complex_random_stream_bitwise(name):
    # PyTorch draws a complex tensor through its real view, each part with half the variance
    nt.manual_seed(0)
    torch.manual_seed(0)
    ya, yb = COMPLEX_DRAWS[name](nt), COMPLEX_DRAWS[name](torch)
    _same_bits(ya.numpy(), yb.numpy())


def _midpoints(n):
    """float32 (a, b, c) whose a * b + c lands exactly on a float32 midpoint when summed in
    float64 (one rounding there, a second to float32) but not exactly: two roundings are wrong
    there, every other element is random."""
    rs = np.random.RandomState(5)
    a, b, c = rs.standard_normal((3, n)).astype(np.float32)
    k = rs.choice(n, n // 7, replace=False)
    a[k] = np.float32((1 + 2**-18) * 2**-12)
    b[k] = np.float32((1 - 2**-18) * 2**-12)
    c[k] = np.float32(1 + 2**-23)
    return a, b, c


@pytest.mark.parametrize("n", [100, 300_001], ids=["small", "blocks"])
def test_fused_multiply_add_is_rounded_once_at_midpoints(n):
    a, b, c = _midpoints(n)
    alpha = float(np.float32(-0.37))
    for m in (nt, torch):
        A, B, C = (m.tensor(v) for v in (a, b, c))
        ours = [
            m.add(C, A, alpha=alpha),
            m.sub(C, A, alpha=alpha),
            m.addcmul(C, A, B),
            C.clone().add_(A, alpha=alpha),
            C.clone().sub_(A, alpha=alpha),
            C.clone().addcmul_(A, B, value=0.5),
        ]
        if m is nt:
            got = [t.numpy() for t in ours]
        else:
            want = [t.numpy() for t in ours]
    for g, w in zip(got, want):
        _same_bits(g, w)
    kept = nt.tensor(c)
    k = nt.tensor(a)
    assert kept.add_(k, alpha=alpha) is kept and kept._version == 1
    _same_bits(kept.numpy(), want[0])


def test_add_alpha_in_place_on_itself_and_on_views():
    """The in-place fused multiply-add reads its operands where it writes them."""
    x = np.random.RandomState(2).standard_normal(300_000).astype(np.float32)
    for m in (nt, torch):
        a = m.tensor(x)
        a.add_(a, alpha=0.3)  # the operand is the output
        b = m.tensor(x)
        b[1::2].sub_(b[::2], alpha=2.5)  # views of one buffer that do not overlap
        c = m.tensor(x).reshape(600, 500).t()
        c.add_(c.clone(), alpha=1.5)  # non-contiguous
        if m is nt:
            got = (a.numpy(), b.numpy(), c.numpy())
        else:
            for g, w in zip(got, (a, b, c)):
                _same_bits(g, w.numpy())
