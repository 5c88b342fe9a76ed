"""Ops, modules and optimizers on "cuda" against the same on the CPU: values and gradients.

Marked ``gpu``: on a machine with CuPy and a GPU they run on the GPU (``pytest -m gpu``, as
benchmarks/gpu_check.py does); elsewhere on the stand-in GPU of tests/cuda_standin.py, which
catches the places that build a host array where the operands' array module is needed.
"""

from __future__ import annotations

import numpy as np
import pytest
from cuda_standin import BACKEND

import numtorch as nt
from numtorch import _backend

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module", autouse=True)
def cuda():
    if nt.cuda.is_available():
        yield
        return
    _backend.register_backend("cuda", BACKEND)
    yield
    _backend.register_backend("cuda", None)


def _leaves(arrays, device):
    return [nt.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]


def _run(fn, arrays, device):
    xs = _leaves(arrays, device)
    out = fn(*xs)
    assert out.device.type == device
    if out.requires_grad:
        (
            out
            * nt.tensor(np.linspace(0.5, 1.5, out.numel()), dtype=out.dtype, device=device).reshape(
                out.shape
            )
        ).sum().backward()
    grads = [None if x.grad is None else x.grad.cpu().numpy() for x in xs]
    return out.detach().cpu().numpy(), grads


def _compare(fn, *arrays, tol=1e-5):
    want, want_g = _run(fn, arrays, "cpu")
    got, got_g = _run(fn, arrays, "cuda")
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    for g, w in zip(got_g, want_g):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


def _f(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


UNARY = [
    "exp",
    "log1p",
    "tanh",
    "sigmoid",
    "relu",
    "abs",
    "sqrt",
    "sin",
    "cos",
    "neg",
    "square",
    "rsqrt",
    "erf",
    "softplus",
    "gelu",
    "silu",
    "elu",
    "leaky_relu",
    "log_softmax",
    "softmax",
]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "atan2", "pow", "hypot"]
REDUCE = [
    lambda x: x.sum(),
    lambda x: x.mean(1),
    lambda x: x.amax(0),
    lambda x: x.var(1),
    lambda x: x.norm(),
    lambda x: x.logsumexp(1),
    lambda x: x.cumsum(1),
    lambda x: x.prod(0),
    lambda x: x.std(),
    lambda x: x.max(1).values,
]
SHAPE = [
    lambda x: x.t(),
    lambda x: x.reshape(-1),
    lambda x: x[1:, ::2],
    lambda x: x.flip(0),
    lambda x: nt.cat([x, x * 2], 1),
    lambda x: nt.stack([x, x]),
    lambda x: x.unsqueeze(0),
    lambda x: x.expand(2, 4, 6),
    lambda x: x.roll(1, 1),
    lambda x: x.permute(1, 0).contiguous(),
    lambda x: x.masked_fill(x > 0, 0.0),
    lambda x: nt.where(x > 0, x, x * 0.1),
    lambda x: x.gather(1, nt.zeros(4, 2, dtype=nt.long, device=x.device)),
    lambda x: x.index_select(0, nt.tensor([2, 0], device=x.device)),
    lambda x: x.sort(1).values,
    lambda x: x.topk(2).values,
    lambda x: x.clamp(-0.5, 0.5),
    lambda x: x.tril(),
]


def _activation(name):
    f = getattr(nt.nn.functional, name, None)
    if name in ("log_softmax", "softmax"):
        return lambda x: f(x, 1)
    return f or getattr(nt, name)


@pytest.mark.parametrize("name", UNARY)
def test_unary_on_cuda_matches_cpu(name, rng):
    x = np.abs(_f(rng, 4, 6)) + 0.1 if name in ("sqrt", "rsqrt", "log1p") else _f(rng, 4, 6)
    _compare(_activation(name), x)


@pytest.mark.parametrize("name", BINARY)
def test_binary_on_cuda_matches_cpu(name, rng):
    a, b = np.abs(_f(rng, 4, 6)) + 0.5, _f(rng, 1, 6)
    _compare(getattr(nt, name), a, b)


@pytest.mark.parametrize("i", range(len(REDUCE)))
def test_reduction_on_cuda_matches_cpu(i, rng):
    _compare(REDUCE[i], _f(rng, 4, 6), tol=1e-4)


@pytest.mark.parametrize("i", range(len(SHAPE)))
def test_shape_and_indexing_on_cuda_matches_cpu(i, rng):
    _compare(SHAPE[i], _f(rng, 4, 6))


def test_matmul_and_linear_algebra_on_cuda_match_cpu(rng):
    _compare(nt.matmul, _f(rng, 3, 4, 5), _f(rng, 5, 2), tol=1e-4)
    _compare(lambda a, b: nt.einsum("ij,jk->ik", a, b), _f(rng, 3, 4), _f(rng, 4, 2), tol=1e-4)
    _compare(lambda a, b, c: nt.addmm(c, a, b), _f(rng, 3, 4), _f(rng, 4, 2), _f(rng, 2), tol=1e-4)


MODULES = [
    lambda: nt.nn.Linear(6, 3),
    lambda: nt.nn.Sequential(nt.nn.Linear(6, 8), nt.nn.ReLU(), nt.nn.LayerNorm(8)),
    lambda: nt.nn.BatchNorm1d(6),
    lambda: nt.nn.Sequential(nt.nn.Unflatten(1, (1, 2, 3)), nt.nn.Conv2d(1, 2, 2, padding=1)),
    lambda: nt.nn.Sequential(nt.nn.Unflatten(1, (1, 2, 3)), nt.nn.MaxPool2d(2, 1)),
    lambda: nt.nn.Sequential(nt.nn.Unflatten(1, (2, 3)), nt.nn.LSTM(3, 4, 2, batch_first=True)),
    lambda: nt.nn.Sequential(nt.nn.Unflatten(1, (2, 3)), nt.nn.GRU(3, 4)),
]


def _module_step(make, device, x):
    nt.manual_seed(0)
    model = make().to(device)
    inp = nt.tensor(x, device=device, requires_grad=True)
    out = model(inp)
    out = out[0] if isinstance(out, tuple) else out
    out.square().mean().backward()
    grads = [p.grad.cpu().numpy() for p in (inp, *model.parameters())]
    return out.detach().cpu().numpy(), grads


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_forward_and_backward_on_cuda_match_cpu(i, rng):
    x = _f(rng, 5, 6)
    want, want_g = _module_step(MODULES[i], "cpu", x)
    got, got_g = _module_step(MODULES[i], "cuda", x)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for g, w in zip(got_g, want_g):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_losses_on_cuda_match_cpu(rng):
    target = rng.integers(0, 3, 5)
    _compare(nt.nn.CrossEntropyLoss(label_smoothing=0.1), _f(rng, 5, 3), target)
    _compare(lambda x, t: nt.nn.functional.nll_loss(x.log_softmax(1), t), _f(rng, 5, 3), target)
    _compare(nt.nn.MSELoss(), _f(rng, 5, 3), _f(rng, 5, 3))
    _compare(nt.nn.BCEWithLogitsLoss(), _f(rng, 5, 3), (_f(rng, 5, 3) > 0).astype(np.float32))


OPTIMIZERS = [
    lambda ps: nt.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: nt.optim.Adam(ps, lr=0.01),
    lambda ps: nt.optim.AdamW(ps, lr=0.01, amsgrad=True),
    lambda ps: nt.optim.RMSprop(ps, lr=0.01, momentum=0.5),
    lambda ps: nt.optim.Adagrad(ps, lr=0.1),
]


def _train(make_opt, device, x, y):
    nt.manual_seed(0)
    model = nt.nn.Linear(6, 3).to(device)
    opt = make_opt(model.parameters())
    for _ in range(3):
        opt.zero_grad()
        nt.nn.functional.mse_loss(model(x.to(device)), y.to(device)).backward()
        opt.step()
    for state in opt.state.values():
        for key, v in state.items():
            if isinstance(v, nt.Tensor) and key != "step":
                assert v.device.type == device
    return [p.detach().cpu().numpy() for p in model.parameters()]


@pytest.mark.parametrize("i", range(len(OPTIMIZERS)))
def test_optimizer_steps_on_cuda_match_cpu(i, rng):
    x, y = nt.tensor(_f(rng, 8, 6)), nt.tensor(_f(rng, 8, 3))
    for got, want in zip(_train(OPTIMIZERS[i], "cuda", x, y), _train(OPTIMIZERS[i], "cpu", x, y)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


SAMPLERS = [
    lambda x: nt.nn.functional.dropout(x, 0.5),
    lambda x: nt.nn.functional.rrelu(x, training=True),
    lambda x: nt.normal(x, x.abs()),
    lambda x: nt.multinomial(x.abs(), 3),
    lambda x: nt.multinomial(x.abs(), 8, replacement=True),
    lambda x: nt.bernoulli(x.sigmoid()),
    lambda x: nt.rand_like(x),
    lambda x: x.clone().uniform_(),
]


@pytest.mark.parametrize("i", range(len(SAMPLERS)))
def test_sampling_on_cuda_draws_on_the_device(i, rng):
    """Draws come from the device's own generator: repeatable after manual_seed, different
    from the CPU stream, and the CPU generator is left untouched."""
    x = nt.tensor(_f(rng, 40, 50), device="cuda")
    nt.manual_seed(3)
    cpu_state = nt.get_rng_state()
    first = SAMPLERS[i](x)
    assert first.device.type == "cuda" and first.shape[0] == 40
    assert nt.equal(nt.get_rng_state(), cpu_state)  # nothing drawn on the host
    nt.manual_seed(3)
    np.testing.assert_array_equal(SAMPLERS[i](x).cpu().numpy(), first.cpu().numpy())
    nt.manual_seed(3)
    on_cpu = SAMPLERS[i](x.cpu()).numpy()
    assert not np.array_equal(on_cpu, first.cpu().numpy())


def test_device_generator_statistics_and_state():
    nt.manual_seed(0)
    draws = {
        "rand": nt.rand(200_000, device="cuda"),
        "randn": nt.randn(200_000, device="cuda"),
        "randint": nt.randint(0, 10, (200_000,), device="cuda").double(),
        "dropout": nt.nn.functional.dropout(nt.ones(200_000, device="cuda"), 0.25),
    }
    moments = {k: (float(v.mean()), float(v.var())) for k, v in draws.items()}
    want = {"rand": (0.5, 1 / 12), "randn": (0.0, 1.0), "randint": (4.5, 8.25)}
    want["dropout"] = (1.0, 1 / 3)  # kept w.p. 3/4, scaled by 4/3
    for name, (mean, var) in want.items():
        assert abs(moments[name][0] - mean) < 0.01 * max(1.0, abs(mean)), name
        assert abs(moments[name][1] - var) < 0.02 * max(1.0, var), name
    perm = nt.randperm(1000, device="cuda")
    assert sorted(perm.tolist()) == list(range(1000))
    state = nt.cuda.random.default_generator_for("cuda").get_state()
    assert state.dtype == nt.uint8 and state.shape == (16,)
    after = nt.randn(5, device="cuda")
    nt.cuda.random.default_generator_for("cuda").set_state(state)
    assert nt.equal(nt.randn(5, device="cuda"), after)


def test_complex_and_half_draws_on_cuda():
    nt.manual_seed(1)
    z = nt.randn(100_000, dtype=nt.complex64, device="cuda")
    assert z.dtype == nt.complex64 and abs(float(z.abs().square().mean()) - 1.0) < 0.02
    h = nt.rand(1000, dtype=nt.float16, device="cuda")
    assert h.dtype == nt.float16 and 0 <= float(h.min()) and float(h.max()) <= 1


def test_dataloader_pin_memory_batches_move_to_cuda():
    data = nt.utils.data.TensorDataset(nt.arange(8.0).reshape(4, 2))
    (batch,) = next(iter(nt.utils.data.DataLoader(data, batch_size=2, pin_memory=True)))
    moved = batch.to("cuda", non_blocking=True)
    assert moved.device.type == "cuda"
    np.testing.assert_array_equal(moved.cpu().numpy(), [[0.0, 1.0], [2.0, 3.0]])


def test_fork_rng_restores_the_device_generators():
    nt.manual_seed(5)
    nt.randn(3, device="cuda")
    with nt.random.fork_rng():
        inside = nt.randn(4, device="cuda")
    assert nt.equal(nt.randn(4, device="cuda"), inside)
    with nt.random.fork_rng(devices=[0], device_type="cuda"):
        inside = nt.rand(4, device="cuda")
    assert nt.equal(nt.rand(4, device="cuda"), inside)


def test_a_cuda_generator_object_draws_on_the_device():
    gen = nt.Generator(device="cuda")
    assert gen.initial_seed() == 67280421310721 and gen.device.type == "cuda"
    cpu_state = nt.get_rng_state()
    first = nt.randn(6, device="cuda", generator=gen.manual_seed(2))
    again = nt.randn(6, device="cuda", generator=gen.manual_seed(2))
    assert first.device.type == "cuda" and nt.equal(first, again)
    assert nt.equal(nt.get_rng_state(), cpu_state)
