"""numtorch's CPU generator against PyTorch 2.13, bit for bit.

The comparisons with torch run the model numtorch picks for this CPU (``CPU_CAPABILITY``) against
torch's own choice (``torch.backends.cpu.get_cpu_capability()``): AVX2 and AVX512 builds share the
fused/AVX2 model, anything else is "default". Recorded values at the top run without torch.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import numtorch
import numtorch._rng_kernels as rk
import numtorch.random as nr
from numtorch.random import Generator

SEEDS = [0, 1, 42, 12345, 2**40 + 7, -5]
SIZES = [1, 2, 5, 15, 16, 17, 31, 33, 100, 1000, 4099]
FLOATS = [np.float32, np.float64]


# ------------------------------------------------------------------ recorded values (no torch)


def test_recorded_words_and_uniform():
    g = Generator().manual_seed(0)
    assert g.random_words(4).tolist() == [2357136044, 2546248239, 3071714933, 3626093760]
    assert Generator().manual_seed(5489).random_words(1)[0] == 3499211612
    g.manual_seed(0)
    assert g.uniform(4).tolist() == [
        0.49625658988952637,
        0.7682217955589294,
        0.08847743272781372,
        0.13203048706054688,
    ]
    g.manual_seed(0)
    assert g.uniform(2, np.float64).tolist() == [0.9700530018065531, 0.707819864399788]


def test_recorded_normal():
    g = Generator().manual_seed(0)
    assert g.normal(4).tolist() == [
        1.5409960746765137,
        -0.293428897857666,
        -2.1787893772125244,
        0.5684312582015991,
    ]
    g.manual_seed(0)
    assert g.normal(2, np.float64).tolist() == [1.5409961082440433, -0.2934289057609464]
    g.manual_seed(0)
    assert g.normal(16, np.float64)[:2].tolist() == [-2.310411800234176, -0.3732508612577643]
    if rk.CPU_CAPABILITY == "avx2":
        g.manual_seed(0)
        assert g.normal(16)[:4].tolist() == [
            -1.1258398294448853,
            -1.152360200881958,
            -0.2505785822868347,
            -0.4338788092136383,
        ]


def test_recorded_integers():
    g = Generator().manual_seed(0)
    assert g.randperm(8).tolist() == [4, 0, 7, 3, 2, 5, 1, 6]
    g.manual_seed(0)
    assert g.randint((8,), 0, 10).tolist() == [4, 9, 3, 0, 3, 9, 7, 3]


def test_seed_semantics():
    g = Generator()
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1
    a = Generator().manual_seed(1).random_words(5)
    assert np.array_equal(a, Generator().manual_seed(2**32 + 1).random_words(5))
    with pytest.raises(ValueError):
        g.manual_seed(2**64)
    s = g.seed()
    assert g.initial_seed() == s


def test_fisher_yates_matches_the_loop():
    rs = np.random.RandomState(0)
    for n in [2, 3, 7, 64, 500, 3000]:
        i = np.arange(n - 1)
        j = i + rs.randint(0, 2**31, n - 1) % (n - i)
        a = list(range(n))
        for k, t in enumerate(j.tolist()):
            a[k], a[t] = a[t], a[k]
        assert rk._fisher_yates(j.astype(np.int64), n).tolist() == a


def test_fma_emulation_is_exactly_rounded():
    from fractions import Fraction

    rs = np.random.RandomState(3)
    a, b, c = rs.standard_normal((3, 2000)) * np.array([[1.0], [1e-3], [1e3]])
    got = rk._fma64(a, b, c)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    assert got.tolist() == want
    a32, b32, c32 = (v.astype(np.float32) for v in (a, b, c))
    got32 = rk._fma32(a32, b32, c32)
    want32 = [
        _round_f32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))
        for x, y, z in zip(a32, b32, c32)
    ]
    assert got32.tolist() == want32


def _round_f32(exact) -> float:
    """Round a Fraction to the nearest float32 (ties to even) without double rounding."""
    from fractions import Fraction

    guess = np.float32(float(exact))
    inf = np.float32(np.inf)
    cands = [np.nextafter(guess, -inf), guess, np.nextafter(guess, inf)]
    dist = [abs(Fraction(float(c)) - exact) for c in cands]
    best = min(dist)
    ties = [c for c, d in zip(cands, dist) if d == best]
    return float(min(ties, key=lambda c: int(np.array(c).view(np.uint32)) & 1))


def test_state_roundtrip_and_cache():
    g = Generator().manual_seed(7)
    g.normal(3, np.float64)  # leaves a cached sine sample
    state = g.state_bytes()
    assert state.size == 5056
    first = g.normal(5, np.float64)
    g.load_state_bytes(state)
    assert np.array_equal(g.normal(5, np.float64), first)
    with pytest.raises(RuntimeError):
        g.load_state_bytes(state[:100])


# ------------------------------------------------------------------ against PyTorch 2.13


@pytest.fixture(scope="module")
def torch():
    return oracle.torch


def _tg(torch, seed):
    return torch.Generator().manual_seed(seed)


def test_capability_matches_torch(torch, monkeypatch):
    import os

    if os.environ.get("NUMTORCH_CPU_CAPABILITY") or os.environ.get("ATEN_CPU_CAPABILITY"):
        pytest.skip("capability forced by the environment")
    cap = torch.backends.cpu.get_cpu_capability()
    assert rk.CPU_CAPABILITY == ("default" if cap in ("DEFAULT", "NO AVX") else "avx2"), cap


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_and_normal_all_sizes(torch, seed, dtype):
    tdt = torch.float32 if dtype is np.float32 else torch.float64
    g, tg = Generator().manual_seed(seed), _tg(torch, seed)
    for n in SIZES:
        want = torch.rand(n, dtype=tdt, generator=tg).numpy()
        assert np.array_equal(g.uniform((n,), dtype), want)
        want = torch.randn(n, dtype=tdt, generator=tg).numpy()
        assert np.array_equal(g.normal((n,), dtype), want)
    assert np.array_equal(g.state_bytes(), tg.get_state().numpy())


def test_normal_of_millions_matches_bit_for_bit(torch):
    """Big fills run in cache-sized chunks through the float32 Cephes replay; four million
    draws cover the chunk seams and a wide sample of the 2^24 possible uniforms."""
    g, tg = Generator().manual_seed(7), _tg(torch, 7)
    want = torch.randn(1 << 22, generator=tg).numpy()
    assert np.array_equal(g.normal((1 << 22,)).view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "bounds", [(-0.5773502691896258, 0.5773502691896258), (2.0, 5.5), (-3.0, -1.0), (0.0, 10.0)]
)
def test_uniform_bounds_fused(torch, dtype, bounds):
    tdt = torch.float32 if dtype is np.float32 else torch.float64
    for seed in (0, 42):
        g, tg = Generator().manual_seed(seed), _tg(torch, seed)
        want = torch.empty(4099, dtype=tdt).uniform_(*bounds, generator=tg).numpy()
        assert np.array_equal(g.uniform(4099, dtype, *bounds), want)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [5, 16, 17, 1000])
def test_normal_mean_std(torch, dtype, n):
    tdt = torch.float32 if dtype is np.float32 else torch.float64
    g, tg = Generator().manual_seed(3), _tg(torch, 3)
    for mean, std in [(0.5, 2.5), (-1.0, 0.01), (3.0, 1.0)]:
        want = torch.empty(n, dtype=tdt).normal_(mean, std, generator=tg).numpy()
        assert np.array_equal(g.normal(n, dtype, mean, std), want)


def test_normal_non_contiguous_uses_storage_order(torch):
    g, tg = Generator().manual_seed(0), _tg(torch, 0)
    for dtype, tdt in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        t = torch.empty(3, 20, dtype=tdt).t().normal_(generator=tg)
        got = g.normal(60, dtype, contiguous=False)
        assert np.array_equal(got, t.t().contiguous().numpy().ravel())


def test_normal_cache_survives_other_ops(torch):
    g, tg = Generator().manual_seed(12345), _tg(torch, 12345)
    seq = [
        g.normal(1, np.float64),
        g.normal(100),
        g.uniform(3),
        g.normal(1, np.float32),
        g.normal(3, np.float64),
    ]
    want = [
        torch.randn(1, dtype=torch.float64, generator=tg),
        torch.randn(100, generator=tg),
        torch.rand(3, generator=tg),
        torch.randn(1, generator=tg),
        torch.randn(3, dtype=torch.float64, generator=tg),
    ]
    for a, b in zip(seq, want):
        assert np.array_equal(a, b.numpy())
    assert np.array_equal(g.state_bytes(), tg.get_state().numpy())


@pytest.mark.parametrize("seed", SEEDS)
def test_integers(torch, seed):
    g, tg = Generator().manual_seed(seed), _tg(torch, seed)
    for low, high in [(0, 10), (-7, 3), (0, 2**29), (5, 2**31 + 5), (-(2**40), 2**35), (0, 2**33)]:
        for n in (1, 17, 1000):
            want = torch.randint(low, high, (n,), generator=tg).numpy()
            assert np.array_equal(g.randint(n, low, high), want), (low, high)
    want = torch.randint(-5, 100, (50,), dtype=torch.int32, generator=tg).numpy()
    assert np.array_equal(g.randint(50, -5, 100, np.int32), want)
    for n in (0, 1, 2, 5, 17, 100, 4099):
        assert np.array_equal(g.randperm(n), torch.randperm(n, generator=tg).numpy())
    assert np.array_equal(g.state_bytes(), tg.get_state().numpy())


LIKE_CALLS = {
    "rand_like": lambda m, x: m.rand_like(x),
    "randn_like_dtype": lambda m, x: m.randn_like(x, dtype=m.float32),
    "randint_like_high": lambda m, x: m.randint_like(x, 7),
    "randint_like_low_high": lambda m, x: m.randint_like(x, -3, 4, dtype=m.int32),
}


@pytest.mark.parametrize("name", list(LIKE_CALLS))
def test_like_factories(torch, name):
    # input's shape, and its dtype unless one is given; one bound of randint_like is the high
    def draw(m):
        m.manual_seed(3)
        return LIKE_CALLS[name](m, m.zeros(2, 5, dtype=m.float64))

    ours, theirs = draw(numtorch), draw(torch)
    assert str(ours.dtype) == str(theirs.dtype)
    assert np.array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "dtype", ["int64", "int32", "int16", "uint8", "bool", "float32", "float64"]
)
def test_random_full(torch, dtype):
    g, tg = Generator().manual_seed(1), _tg(torch, 1)
    want = torch.empty(257, dtype=getattr(torch, dtype)).random_(generator=tg).numpy()
    assert np.array_equal(g.random_full(257, np.dtype(dtype)), want)


def test_randperm_large(torch):
    g, tg = Generator().manual_seed(42), _tg(torch, 42)
    assert np.array_equal(g.randperm(200_003), torch.randperm(200_003, generator=tg).numpy())


@pytest.mark.parametrize("seed", [0, 42])
def test_bernoulli(torch, seed):
    g, tg = Generator().manual_seed(seed), _tg(torch, seed)
    p = g.uniform(1000).astype(np.float32)
    tp = torch.from_numpy(p.copy())
    tg.set_state(torch.from_numpy(g.state_bytes()))
    assert np.array_equal(g.bernoulli_tensor(p), torch.bernoulli(tp, generator=tg).numpy() == 1)
    assert np.array_equal(
        g.bernoulli_tensor(p.astype(np.float64)),
        torch.bernoulli(tp.double(), generator=tg).numpy() == 1,
    )
    if rk._vendor_is_intel():
        pytest.skip("PyTorch draws bernoulli_(p) through MKL on Intel CPUs: not reproducible")
    want = torch.empty(1000).bernoulli_(0.3, generator=tg).numpy()
    assert np.array_equal(g.bernoulli_scalar(1000, 0.3), want == 1)


def test_separate_generators_and_state_bytes(torch):
    gs = [Generator().manual_seed(s) for s in (1, 2)]
    tgs = [_tg(torch, s) for s in (1, 2)]
    for _ in range(3):
        for g, tg in zip(gs, tgs):
            assert np.array_equal(g.normal(20), torch.randn(20, generator=tg).numpy())
            assert np.array_equal(g.normal(3), torch.randn(3, generator=tg).numpy())
    for g, tg in zip(gs, tgs):
        assert np.array_equal(g.state_bytes(), tg.get_state().numpy())
    assert np.array_equal(Generator().state_bytes(), torch.Generator().get_state().numpy())
    # a state taken from torch continues torch's stream here
    state = tgs[0].get_state()
    g = Generator()
    g.load_state_bytes(state.numpy())
    assert np.array_equal(
        g.normal(7, np.float64), torch.randn(7, dtype=torch.float64, generator=tgs[0]).numpy()
    )


# ------------------------------------------------------------------ tensor-level API


@pytest.fixture(scope="module")
def sampling():
    from numtorch.ops import sampling

    return sampling


def _nt(arr):
    from numtorch._tensor import wrap

    return wrap(np.array(arr))


@pytest.mark.parametrize("seed", [0, 42, -5])
def test_factories(torch, sampling, seed):
    g, tg = Generator().manual_seed(seed), _tg(torch, seed)
    pairs = [
        (sampling.rand(3, 5, generator=g), torch.rand(3, 5, generator=tg)),
        (sampling.randn((4, 5), generator=g), torch.randn((4, 5), generator=tg)),
        (
            sampling.randn(17, generator=g, dtype=__import__("numtorch")._dtype.float64),
            torch.randn(17, generator=tg, dtype=torch.float64),
        ),
        (sampling.randint(10, (6,), generator=g), torch.randint(10, (6,), generator=tg)),
        (
            sampling.randint(-3, 3, size=(2, 3), generator=g),
            torch.randint(-3, 3, size=(2, 3), generator=tg),
        ),
        (sampling.randperm(33, generator=g), torch.randperm(33, generator=tg)),
        (
            sampling.normal(2.0, 3.0, (40,), generator=g),
            torch.normal(2.0, 3.0, (40,), generator=tg),
        ),
    ]
    for got, want in pairs:
        assert got._data.dtype == want.numpy().dtype and np.array_equal(got._data, want.numpy())


def test_normal_tensor_overloads(torch, sampling):
    g, tg = Generator().manual_seed(0), _tg(torch, 0)
    m = np.linspace(-1, 1, 20, dtype=np.float32)
    s = np.linspace(0.1, 2, 20, dtype=np.float32)
    tm, ts = torch.from_numpy(m), torch.from_numpy(s)
    for got, want in [
        (sampling.normal(_nt(m), _nt(s), generator=g), torch.normal(tm, ts, generator=tg)),
        (sampling.normal(_nt(m), 2.5, generator=g), torch.normal(tm, 2.5, generator=tg)),
        (sampling.normal(0.5, _nt(s), generator=g), torch.normal(0.5, ts, generator=tg)),
        (
            sampling.normal(_nt(m[:5]), _nt(s[:5]), generator=g),
            torch.normal(tm[:5], ts[:5], generator=tg),
        ),
    ]:
        assert np.array_equal(got._data, want.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_distributions(torch, dtype):
    g, tg = Generator().manual_seed(1), _tg(torch, 1)
    cases = [
        ("uniform_", (-2.0, 3.0)),
        ("normal_", (0.5, 2.5)),
        ("exponential_", (1.5,)),
        ("geometric_", (0.3,)),
        ("log_normal_", (0.2, 0.7)),
        ("cauchy_", (1.0, 2.0)),
        ("random_", ()),
        ("random_", (100,)),
        ("random_", (-5, 5)),
        ("bernoulli_", (0.25,)),
    ]
    for name, args in cases:
        for shape in [(5,), (33,), (4099,)]:
            t = _nt(np.zeros(shape, dtype))
            getattr(t, name)(*args, generator=g)
            want = getattr(torch.zeros(shape, dtype=getattr(torch, dtype)), name)(
                *args, generator=tg
            )
            assert np.array_equal(t._data, want.numpy()), (name, shape)


def test_inplace_non_contiguous(torch):
    g, tg = Generator().manual_seed(5), _tg(torch, 5)
    for name, args in [("normal_", ()), ("uniform_", (1.0, 2.0)), ("random_", (0, 7))]:
        from numtorch._tensor import wrap

        base = _nt(np.zeros((6, 20), np.float32))
        view = wrap(base._data[:, ::2].T)  # a strided, transposed view of base's memory
        tb = torch.zeros(6, 20)
        tview = tb[:, ::2].t()
        getattr(view, name)(*args, generator=g)
        getattr(tview, name)(*args, generator=tg)
        assert np.array_equal(base._data, tb.numpy()), name


def test_bernoulli_and_multinomial(torch, sampling):
    g, tg = Generator().manual_seed(3), _tg(torch, 3)
    p = np.random.RandomState(0).random_sample((4, 7)).astype(np.float32)
    tp = torch.from_numpy(p)
    assert np.array_equal(
        sampling.bernoulli(_nt(p), generator=g)._data, torch.bernoulli(tp, generator=tg).numpy()
    )
    for n, repl in [(1, False), (5, False), (7, False), (1, True), (20, True)]:
        got = sampling.multinomial(_nt(p), n, repl, generator=g)._data
        want = torch.multinomial(tp, n, repl, generator=tg).numpy()
        assert np.array_equal(got, want), (n, repl)
    assert np.array_equal(
        sampling.multinomial(_nt(p[0]), 3, generator=g)._data,
        torch.multinomial(tp[0], 3, generator=tg).numpy(),
    )


def test_module_functions_and_fork_rng():
    import numtorch

    g = nr.manual_seed(0)
    assert g is nr.default_generator and nr.initial_seed() == 0
    assert g.uniform(1).tolist() == [0.49625658988952637]
    with nr.fork_rng():
        g.uniform(10)
    assert g.uniform(1).tolist() == [0.7682217955589294]
    state = nr.get_rng_state()
    first = g.normal(5)
    nr.set_rng_state(state)
    assert np.array_equal(g.normal(5), first)
    assert isinstance(state, numtorch.Tensor) and state._data.dtype == np.uint8
    assert nr.seed() == nr.initial_seed()


def test_rng_state_bytes_match_torch(torch):
    torch.manual_seed(42)
    nr.manual_seed(42)
    torch.randn(3)
    nr.default_generator.normal(3)
    assert np.array_equal(nr.get_rng_state()._data, torch.get_rng_state().numpy())
    nr.set_rng_state(torch.get_rng_state())  # torch's own state object is accepted
    assert np.array_equal(nr.default_generator.uniform(9), torch.rand(9).numpy())


_DRAWS = """
import sys
import numpy as np
if sys.argv[1] == "torch":
    import torch
else:
    import numtorch as torch
out = {}
for dt in (torch.float32, torch.float64):
    for n in (1, 7, 16, 17, 100, 4099):
        torch.manual_seed(n)
        key = f"{dt}-{n}-"
        out[key + "randn"] = torch.randn(n, dtype=dt).numpy()
        out[key + "rand"] = torch.rand(n, dtype=dt).numpy()
        out[key + "uniform"] = torch.empty(n, dtype=dt).uniform_(-2.0, 3.0).numpy()
        out[key + "normal"] = torch.empty(n, dtype=dt).normal_(0.5, 2.0).numpy()
        out[key + "bernoulli"] = torch.empty(n, dtype=dt).bernoulli_(0.3).numpy()
        out[key + "exponential"] = torch.empty(n, dtype=dt).exponential_(1.5).numpy()
np.savez(sys.argv[2], **out)
"""


@pytest.mark.live_torch("PyTorch draws in a process of its own; its draws exceed what a test keeps")
def test_the_portable_path_matches_pytorch_without_avx2(torch, tmp_path):
    """Both libraries forced onto their kernels for CPUs without AVX2 (glibc's logf/sinf/cosf,
    unfused multiply-adds) draw the same values."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, ATEN_CPU_CAPABILITY="default", NUMTORCH_CPU_CAPABILITY="default")
    files = {}
    for lib in ("torch", "numtorch"):
        files[lib] = tmp_path / f"{lib}.npz"
        subprocess.run(
            [sys.executable, "-c", _DRAWS, lib, str(files[lib])], env=env, check=True, timeout=300
        )
    ours, theirs = np.load(files["numtorch"]), np.load(files["torch"])
    assert sorted(ours.files) == sorted(theirs.files)
    for key in theirs.files:
        assert np.array_equal(ours[key], theirs[key]), key


# ---------------------------------------------------------------------------------- poisson
def test_recorded_poisson():
    """PyTorch 2.13's ``torch.poisson`` after ``manual_seed(0)`` (both samplers: Knuth's below
    rate 10, transformed rejection from 10 on)."""
    import numtorch

    numtorch.manual_seed(0)
    rates = numtorch.tensor([0.5, 3.0, 15.0, 100.0, 0.0, 9.99, 10.0, 1e4], dtype=numtorch.float64)
    assert numtorch.poisson(rates).tolist() == [2.0, 4.0, 16.0, 99.0, 0.0, 10.0, 10.0, 10016.0]


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize(
    "rates",
    [
        [0.5, 3.0, 15.0, 100.0, 0.0, 9.99, 10.0, 1e4],
        list(np.linspace(0, 40, 300)),
        [2.5] * 1000,
        [1e6, 0.01],
    ],
)
def test_poisson_matches_pytorch(torch, seed, rates):
    g, tg = Generator().manual_seed(seed), _tg(torch, seed)
    want = torch.poisson(torch.tensor(rates, dtype=torch.float64), generator=tg).numpy()
    assert np.array_equal(g.poisson(np.array(rates)), want)
    # the stream goes on where PyTorch's does
    assert np.array_equal(g.uniform((5,)), torch.rand(5, generator=tg).numpy())


def test_poisson_tensor_api(torch):
    import numtorch

    for m in (numtorch, torch):
        m.manual_seed(3)
    rates = np.array([[1.0, 2.0], [3.0, 40.0]], dtype=np.float32)
    ours = numtorch.poisson(numtorch.tensor(rates).t())
    theirs = torch.poisson(torch.tensor(rates).t())  # logical order, contiguous result
    assert ours.dtype == numtorch.float32
    assert np.array_equal(ours.numpy(), theirs.numpy())
    x = numtorch.tensor([1.5, 20.0], requires_grad=True)
    y = numtorch.poisson(x)
    y.sum().backward()
    assert y.grad_fn.name() == "PoissonBackward0" and x.grad.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="expected rate to be non-negative"):
        numtorch.poisson(numtorch.tensor([-1.0]))


def test_poisson_distribution(torch):
    import numtorch

    results = []
    for m in (numtorch, torch):
        m.manual_seed(0)
        d = m.distributions.Poisson(m.tensor([1.5, 20.0]))
        results.append(
            (
                repr(d),
                d.sample().tolist(),
                d.sample((2,)).tolist(),
                d.log_prob(m.tensor([1.0, 18.0])).tolist(),
                d.mean.tolist(),
                d.variance.tolist(),
                d.mode.tolist(),
            )
        )
    assert results[0][:3] == results[1][:3]
    for a, b in zip(results[0][3:], results[1][3:]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_training_slopes_match_pytorch(torch, dtype):
    """One 53-bit uniform per input <= 0, in order, between bounds rounded to float32 (for
    float32 input), scaled without a fused multiply-add."""
    import numtorch

    x = np.random.default_rng(5).standard_normal((50, 40)).astype(dtype)
    x[0, :3] = 0.0
    outs = []
    for m in (numtorch, torch):
        m.manual_seed(7)
        outs.append(
            (
                m.nn.functional.rrelu(m.tensor(x), 0.1, 0.7, training=True).numpy(),
                m.nn.RReLU()(m.tensor(x)).numpy(),
                m.rand(3).numpy(),
            )
        )
    for a, b in zip(*outs):
        assert np.array_equal(a, b)
