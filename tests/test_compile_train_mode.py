"""torch.compile in training mode: dropout masks and BatchNorm's statistics replay.

The replay draws dropout's masks from numtorch's random stream in the order eager mode draws
them, and moves BatchNorm's running statistics (and its batch counter) as eager mode does, so
that values, ``.grad``, buffers and the generator's state after the steps are bit-identical."""

from __future__ import annotations

import numpy as np
import pytest
from test_compile import _replays, _step_fn

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch._dynamo.exc import Unsupported


class _Functional(nn.Module):
    """Dropout through nn.functional, twice per call (two draws in one step)."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(6, 8), nn.Linear(8, 3)

    def forward(self, x):
        h = F.dropout(self.a(x), 0.25, self.training)
        return self.b(F.dropout(h.tanh(), 0.5, self.training))


MODELS = {
    "dropout_batchnorm1d": lambda: nn.Sequential(
        nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3)
    ),
    "functional_dropout_twice": _Functional,
    "conv_batchnorm2d_dropout2d": lambda: nn.Sequential(
        nn.Unflatten(1, (1, 2, 3)),
        nn.Conv2d(1, 4, 2, padding=1),
        nn.BatchNorm2d(4, momentum=0.2),
        nn.Dropout2d(0.4),
        nn.Flatten(),
        nn.Linear(4 * 3 * 4, 3),
    ),
    "alpha_dropout_selu": lambda: nn.Sequential(
        nn.Linear(6, 8), nn.SELU(), nn.AlphaDropout(0.2), nn.Linear(8, 3)
    ),
    "batchnorm_without_affine": lambda: nn.Sequential(
        nn.Linear(6, 8), nn.BatchNorm1d(8, affine=False), nn.Linear(8, 3)
    ),
}


def _run(make, dtype, compiled, steps=4):
    numtorch.manual_seed(0)
    model = make().to(dtype)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    step = _step_fn(model, opt)
    fn = numtorch.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    numtorch.manual_seed(1)
    losses = []
    for _ in range(steps):
        x = numtorch.from_numpy(rng.standard_normal((4, 6))).to(dtype)
        y = numtorch.from_numpy(rng.standard_normal((4, 3))).to(dtype)
        losses.append(fn(x, y).detach().numpy().copy())
    model.eval()  # running statistics in use, no draws: a guard set of its own
    losses += [fn(x, y).detach().numpy().copy() for _ in range(2)]
    after = numtorch.rand(5).numpy().copy()  # where the random stream stands
    state = [v._data.copy() for s in opt.state.values() for v in s.values()]
    params = [(p._data.copy(), p.grad._data.copy()) for p in model.parameters()]
    buffers = [b._data.copy() for b in model.buffers()]
    return (losses, after, state, params, buffers), fn


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.float64])
@pytest.mark.parametrize("name", list(MODELS))
def test_train_mode_replays_bit_identically(name, dtype):
    eager, _ = _run(MODELS[name], dtype, compiled=False)
    compiled, fn = _run(MODELS[name], dtype, compiled=True)
    for what, a, b in zip(("losses", "stream", "state", "params", "buffers"), eager, compiled):
        assert _same(a, b), what
    assert _replays(fn)
    assert not any(e.reason for es in fn._cache.values() for e in es)


def test_batch_counter_and_running_stats_move_on_every_replay():
    numtorch.manual_seed(0)
    bn = nn.BatchNorm1d(3)
    comp = numtorch.compile(bn)
    numtorch.manual_seed(0)
    ref = nn.BatchNorm1d(3)
    for i in range(5):
        x = numtorch.linspace(-1, 1 + i, 12).reshape(4, 3)
        out, expected = comp(x), ref(x)
        assert np.array_equal(out._data, expected._data)
    assert _replays(comp)
    assert bn.num_batches_tracked.item() == ref.num_batches_tracked.item() == 5
    assert np.array_equal(bn.running_mean._data, ref.running_mean._data)
    assert np.array_equal(bn.running_var._data, ref.running_var._data)
    assert bn.running_mean._version == ref.running_mean._version


def test_cumulative_batchnorm_reads_its_counter_and_falls_back():
    def make():
        return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8, momentum=None), nn.Linear(8, 3))

    eager, _ = _run(make, numtorch.float32, compiled=False)
    compiled, fn = _run(make, numtorch.float32, compiled=True)
    assert _same(eager, compiled)
    reasons = [e.reason for es in fn._cache.values() for e in es]
    assert reasons[0] == "Tensor.float() reads a value into Python"  # training: eager
    assert reasons[1] is None  # eval: replays
    numtorch.manual_seed(0)
    model = make()
    with pytest.raises(Unsupported, match="reads a value into Python"):
        numtorch.compile(model, fullgraph=True)(numtorch.ones(4, 6))


def test_dropout_of_a_compiled_module_with_backward_after_the_call():
    def make():
        numtorch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.5), nn.Linear(6, 2))

    eager_model, comp_model = make(), make()
    comp = numtorch.compile(comp_model)
    draws = []
    for fn in (eager_model, comp):
        numtorch.manual_seed(5)
        outs = []
        for i in range(4):
            out = fn(numtorch.full((3, 4), 0.2 * i + 0.1))
            out.pow(2).sum().backward()
            outs.append(out._data.copy())
        draws.append((outs, numtorch.rand(3)._data.copy()))
    assert _same(draws[0], draws[1])
    assert _replays(comp)
    for p, q in zip(eager_model.parameters(), comp_model.parameters()):
        assert np.array_equal(p.grad._data, q.grad._data)


def test_dropout_p_one_and_zero_replay():
    def f(x):
        return F.dropout(x, 1.0) + F.dropout(x * 2, 0.0)

    comp = numtorch.compile(f)
    for v in (1.0, 2.0, 3.0):
        x = numtorch.full((2, 3), v)
        assert np.array_equal(comp(x)._data, f(x)._data)
    assert _replays(comp)
