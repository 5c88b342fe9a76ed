"""torch.compile's replay of plain SGD, which updates parameters in place: the same values,
versions and state as the optimizer's own step, and its own step wherever it is needed."""

from __future__ import annotations

import numpy as np
import pytest
from test_compile import _replays, _step_fn

import numtorch
import numtorch.nn as nn

SGDS = {
    "float_lr": dict(lr=0.1),
    "int_lr": dict(lr=1),
    "tensor_lr": dict(lr=numtorch.tensor(0.05)),
    "momentum": dict(lr=0.1, momentum=0.9),
    "nesterov": dict(lr=0.1, momentum=0.8, nesterov=True),
    "dampening": dict(lr=0.2, momentum=0.5, dampening=0.3),
    "weight_decay": dict(lr=0.1, weight_decay=0.01),
    "maximize": dict(lr=0.01, maximize=True),
}


def _train(kwargs, dtype, compiled, steps=4, schedule=False):
    numtorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7, bias=False), nn.Sigmoid(), nn.Linear(7, 2)).to(dtype)
    opt = numtorch.optim.SGD(model.parameters(), **kwargs)
    sched = numtorch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.7) if schedule else None
    step = _step_fn(model, opt)
    fn = numtorch.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        x = numtorch.from_numpy(rng.standard_normal((3, 5))).to(dtype)
        losses.append(fn(x, numtorch.zeros(3, 2, dtype=dtype)).item())
        if sched is not None:
            sched.step()
    params = [(p._data.copy(), p.grad._data.copy(), p._version) for p in model.parameters()]
    state = [v._data.copy() for s in opt.state.values() for v in s.values()]
    return losses, params, state, fn


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.float64])
@pytest.mark.parametrize("name", list(SGDS))
def test_sgd_replay_is_bit_identical(name, dtype):
    eager = _train(SGDS[name], dtype, compiled=False)
    compiled = _train(SGDS[name], dtype, compiled=True)
    assert eager[0] == compiled[0]
    for (p, g, v), (q, h, w) in zip(eager[1], compiled[1]):
        assert np.array_equal(p, q) and np.array_equal(g, h) and v == w
    assert all(np.array_equal(a, b) for a, b in zip(eager[2], compiled[2]))
    assert _replays(compiled[3])


def test_sgd_replay_follows_a_scheduled_learning_rate():
    eager = _train(dict(lr=0.3), numtorch.float32, compiled=False, schedule=True)
    compiled = _train(dict(lr=0.3), numtorch.float32, compiled=True, schedule=True)
    assert eager[0] == compiled[0]
    assert all(np.array_equal(p[0], q[0]) for p, q in zip(eager[1], compiled[1]))


def test_sgd_replay_changes_nothing_when_a_step_fails():
    a, b = numtorch.ones(3, requires_grad=True), numtorch.ones(2, requires_grad=True)
    opt = numtorch.optim.SGD([a, b], lr=0.5)
    step = numtorch.compile(lambda: opt.step())
    for _ in range(2):  # the recording, then a replay
        a.grad, b.grad = numtorch.ones(3), numtorch.ones(2)
        step()
    assert _replays(step) and a.tolist() == [0.0] * 3
    b.grad._data = np.ones(4, np.float32)  # a gradient of the wrong shape, as after a bad load
    with pytest.raises(RuntimeError, match="SGD.step"):
        step()
    assert a.tolist() == [0.0] * 3 and b.tolist() == [0.0] * 2


@pytest.mark.parametrize("name", list(SGDS))
def test_in_place_path_taken_where_it_computes_what_sgd_does(name):
    from numtorch.compiler._optim import sgd_in_place

    def make():
        p = numtorch.linspace(-1, 1, 4, requires_grad=True)
        p.grad = numtorch.full((4,), 2.0)
        opt = numtorch.optim.SGD([p], **SGDS[name])
        opt.step()  # the first step makes the momentum buffer
        return p, opt

    (p, opt), (q, ref) = make(), make()
    before = p._version
    taken = sgd_in_place(opt)()
    assert taken == (name not in ("tensor_lr", "weight_decay", "maximize"))
    assert p._version == before + taken
    if taken:
        ref.step()
        assert np.array_equal(p._data, q._data)
        for key, value in ref.state[q].items():
            assert np.array_equal(opt.state[p][key]._data, value._data)
            assert opt.state[p][key]._version == value._version


def test_in_place_path_waits_for_the_momentum_buffer():
    from numtorch.compiler._optim import sgd_in_place

    p = numtorch.ones(3, requires_grad=True)
    p.grad = numtorch.ones(3)
    assert not sgd_in_place(numtorch.optim.SGD([p], lr=0.1, momentum=0.9))()
    assert p.tolist() == [1.0] * 3
