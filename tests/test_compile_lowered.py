"""torch.compile's array-level replay of Linear, sigmoid and MSE: bit-identical to eager
numtorch wherever the lowered steps apply, including where a sigmoid must not overwrite its
input (the input is read again, returned, or a parameter)."""

from __future__ import annotations

import numpy as np
import pytest
from test_compile import _replays

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F


def _net(bias):
    return nn.ModuleDict(
        {"a": nn.Linear(5, 4, bias=bias), "b": nn.Linear(4, 3, bias=bias)},
    )


def _plain(m, x, y):
    return F.mse_loss(m["b"](m["a"](x).sigmoid()).sigmoid(), y), ()


def _input_read_twice(m, x, y):
    h = m["a"](x)
    return F.mse_loss(m["b"](h.sigmoid() * h), y), ()


def _returns_pre_activation(m, x, y):
    h = m["a"](x)
    return F.mse_loss(m["b"](h.sigmoid()), y, reduction="sum"), (h,)


def _sigmoid_of_parameter(m, x, y):
    w = m["a"].weight.sigmoid()
    return F.mse_loss(x @ w.T @ m["b"].weight.T, y), (w,)


def _target_requires_grad(m, x, y):
    return F.mse_loss(m["b"](m["a"](x)).sigmoid(), m["b"](y @ m["a"].weight[:3, :4])), ()


CASES = {
    "plain": _plain,
    "input_read_twice": _input_read_twice,
    "returns_pre_activation": _returns_pre_activation,
    "sigmoid_of_parameter": _sigmoid_of_parameter,
    "target_requires_grad": _target_requires_grad,
}


def _run(case, dtype, batch, bias, compiled, steps=4):
    numtorch.manual_seed(0)
    model = _net(bias).to(dtype)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.5)

    def step(x, y):
        opt.zero_grad()
        loss, extra = CASES[case](model, x, y)
        loss.backward()
        opt.step()
        return (loss,) + extra

    fn = numtorch.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    outs = []
    for _ in range(steps):
        x = numtorch.from_numpy(rng.standard_normal((batch, 5))).to(dtype)
        y = numtorch.from_numpy(rng.random((batch, 3))).to(dtype)
        outs.append([t.detach().numpy().copy() for t in fn(x, y)])
    params = [
        (p._data.copy(), p.grad is not None and p.grad._data.copy()) for p in model.parameters()
    ]
    return outs, params, fn


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.float64])
@pytest.mark.parametrize("batch", [1, 6])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_lowered_steps_are_bit_identical(case, bias, batch, dtype):
    eager = _run(case, dtype, batch, bias, compiled=False)
    compiled = _run(case, dtype, batch, bias, compiled=True)
    for a, b in zip(eager[0], compiled[0]):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    for (p, g), (q, h) in zip(eager[1], compiled[1]):
        assert np.array_equal(p, q) and np.array_equal(g, h)
    assert _replays(compiled[2])


def test_lowered_model_whose_backward_runs_after_the_call():
    def train(compiled):
        numtorch.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 4), nn.Sigmoid(), nn.Linear(4, 3), nn.Sigmoid())
        fn = numtorch.compile(model) if compiled else model
        rng = np.random.default_rng(1)
        losses = []
        for _ in range(3):
            x = numtorch.from_numpy(rng.standard_normal((6, 5)).astype(np.float32))
            loss = F.mse_loss(fn(x), numtorch.zeros(6, 3))
            loss.backward()
            losses.append(loss.item())
        return losses, [p.grad._data.copy() for p in model.parameters()]

    eager, compiled = train(False), train(True)
    assert eager[0] == compiled[0]
    assert all(np.array_equal(a, b) for a, b in zip(eager[1], compiled[1]))


def test_lowered_replay_keeps_each_call_independent():
    """Arrays the replay hands out (loss, returned intermediates, .grad) are new on each call:
    a later call does not overwrite what an earlier one returned."""
    numtorch.manual_seed(0)
    model = _net(True)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.5)

    def step(x, y):
        opt.zero_grad()
        loss, (h,) = _returns_pre_activation(model, x, y)
        loss.backward()
        opt.step()
        return loss, h

    fn = numtorch.compile(step)
    x, y = numtorch.ones(2, 5), numtorch.zeros(2, 3)
    kept = [fn(x, y) for _ in range(3)]
    grads = model["a"].weight.grad
    copies = [(loss.detach().numpy().copy(), h.detach().numpy().copy()) for loss, h in kept]
    fn(x * 2, y)
    for (loss, h), (c_loss, c_h) in zip(kept, copies):
        assert np.array_equal(loss.detach().numpy(), c_loss)
        assert np.array_equal(h.detach().numpy(), c_h)
    assert grads is not model["a"].weight.grad
