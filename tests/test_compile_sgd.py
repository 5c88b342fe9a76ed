"""torch.compile's replay of SGD, Adam and AdamW, which update parameters and state in place:
the same values, versions and state as the optimizer's own step, and its own step wherever it
is needed."""

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
    "maximize_decay_momentum": dict(lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True),
    "decay_dampening": dict(lr=0.1, momentum=0.5, dampening=0.5, weight_decay=0.01),
    "decay_nesterov": dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01),
}
ADAMS = {
    "adam": (numtorch.optim.Adam, dict(lr=0.01)),
    "adam_decay_maximize": (numtorch.optim.Adam, dict(lr=0.01, weight_decay=0.1, maximize=True)),
    "adam_amsgrad_low_beta1": (numtorch.optim.Adam, dict(lr=0.02, betas=(0.3, 0.9), amsgrad=True)),
    "adam_decoupled": (
        numtorch.optim.Adam,
        dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    ),
    "adamw": (numtorch.optim.AdamW, dict(lr=0.01)),
    "adamw_maximize_amsgrad": (numtorch.optim.AdamW, dict(lr=1, maximize=True, amsgrad=True)),
    "adam_tensor_lr": (numtorch.optim.Adam, dict(lr=numtorch.tensor(0.01))),
}


def _train(kwargs, dtype, compiled, steps=4, schedule=False, cls=numtorch.optim.SGD):
    numtorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7, bias=False), nn.Sigmoid(), nn.Linear(7, 2)).to(dtype)
    opt = cls(model.parameters(), **kwargs)
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


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.float64])
@pytest.mark.parametrize("name", list(ADAMS))
def test_adam_replay_is_bit_identical(name, dtype):
    cls, kwargs = ADAMS[name]
    eager = _train(kwargs, dtype, compiled=False, cls=cls)
    compiled = _train(kwargs, dtype, compiled=True, cls=cls)
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


PATHS = {name: (numtorch.optim.SGD, kwargs) for name, kwargs in SGDS.items()} | ADAMS


@pytest.mark.parametrize("name", list(PATHS))
def test_in_place_path_taken_where_it_computes_what_the_optimizer_does(name):
    from numtorch.compiler._optim import in_place_step

    cls, kwargs = PATHS[name]

    def make():
        p = numtorch.linspace(-1, 1, 4, requires_grad=True)
        p.grad = numtorch.full((4,), 2.0)
        opt = cls([p], **kwargs)
        opt.step()  # the first step makes the state
        p.grad = numtorch.linspace(3, -2, 4)
        return p, opt

    (p, opt), (q, ref) = make(), make()
    before = p._version
    taken = in_place_step(opt)()
    assert taken == ("tensor_lr" not in name)
    assert p._version == before + taken
    if taken:
        ref.step()
        assert np.array_equal(p._data, q._data)
        for key, value in ref.state[q].items():
            assert np.array_equal(opt.state[p][key]._data, value._data)
            assert opt.state[p][key]._version == value._version


@pytest.mark.parametrize("cls", [numtorch.optim.Adam, numtorch.optim.AdamW])
def test_in_place_path_waits_for_the_first_step_and_fitting_state(cls):
    from numtorch.compiler._optim import in_place_step

    p = numtorch.ones(3, requires_grad=True)
    p.grad = numtorch.ones(3)
    opt = cls([p], lr=0.1)
    assert not in_place_step(opt)()
    assert p.tolist() == [1.0] * 3
    opt.step()
    opt.state[p]["exp_avg"]._data = np.zeros(4, np.float32)  # as after a bad load
    snapshot = p._data.copy(), opt.state[p]["step"]._data.copy()
    assert not in_place_step(opt)()
    assert np.array_equal(p._data, snapshot[0])
    assert np.array_equal(opt.state[p]["step"]._data, snapshot[1])


def test_no_in_place_form_for_other_optimizers():
    from numtorch.compiler._optim import in_place_step

    assert in_place_step(numtorch.optim.RMSprop([numtorch.ones(2, requires_grad=True)])) is None


def test_in_place_path_waits_for_the_momentum_buffer():
    from numtorch.compiler._optim import in_place_step

    p = numtorch.ones(3, requires_grad=True)
    p.grad = numtorch.ones(3)
    assert not in_place_step(numtorch.optim.SGD([p], lr=0.1, momentum=0.9))()
    assert p.tolist() == [1.0] * 3
