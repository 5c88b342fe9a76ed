"""Optimizers against PyTorch: 50 steps from identical weights and data, several options."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import torch

import numtorch
from numtorch import optim

RNG = np.random.default_rng(0)
W0, B0 = RNG.standard_normal((5, 3)), RNG.standard_normal(3)
X, Y = RNG.standard_normal((16, 5)), RNG.standard_normal((16, 3))


def _loss(mod, w, b, x, y):
    d = x @ w + b - y
    return (d * d * d * d).sum() / 16 + (d * d).sum() / 16


def train(mod, cls, kwargs, steps=50, dtype="float64", closure=False):
    """Run ``steps`` steps of ``cls`` on a small regression problem; return the weights."""
    w = mod.tensor(W0.astype(dtype), requires_grad=True)
    b = mod.tensor(B0.astype(dtype), requires_grad=True)
    x, y = mod.tensor(X.astype(dtype)), mod.tensor(Y.astype(dtype))
    opt = cls([w, b], **kwargs)
    losses = []

    def step_closure():
        opt.zero_grad()
        loss = _loss(mod, w, b, x, y)
        loss.backward()
        return loss

    for _ in range(steps):
        if closure:
            losses.append(opt.step(step_closure).item())
        else:
            losses.append(step_closure().item())
            opt.step()
    return w.detach().numpy().copy(), b.detach().numpy().copy(), opt, losses


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.5)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, weight_decay=0.1)),
    ("Adadelta", dict(lr=1.0)),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.2))),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=10, lambd=0.01, weight_decay=0.1)),
    ("Adafactor", dict(lr=0.05)),
    (
        "Adafactor",
        dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-3), d=1.5, weight_decay=0.1, maximize=True),
    ),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_fifty_steps_match_torch(name, kwargs):
    w, b, opt, _ = train(numtorch, getattr(optim, name), kwargs)
    tw, tb, topt, _ = train(torch, getattr(torch.optim, name), kwargs)
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-5, atol=1e-12)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    # the order of the options and of the state entries too: printing a state_dict shows it
    assert [list(g) for g in sd["param_groups"]] == [list(g) for g in tsd["param_groups"]]
    assert list(sd["state"]) == list(tsd["state"])
    assert [list(s) for s in sd["state"].values()] == [list(s) for s in tsd["state"].values()]
    for key, value in tsd["state"].get(0, {}).items():
        mine = sd["state"][0][key]
        assert mine.dtype.name == str(value.dtype).split(".")[1], key
        np.testing.assert_allclose(mine.numpy(), value.numpy(), rtol=1e-5, atol=1e-12)
    assert repr(opt) == repr(topt)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("SGD", dict(lr=0.05, momentum=0.9)),
        ("Adam", dict(lr=0.01)),
        ("RMSprop", dict(lr=0.01)),
        ("Adafactor", dict(lr=0.05)),
    ],
)
def test_float32_close_to_torch(name, kwargs):
    w, _, opt, _ = train(numtorch, getattr(optim, name), kwargs, dtype="float32")
    tw, _, _, _ = train(torch, getattr(torch.optim, name), kwargs, dtype="float32")
    assert w.dtype == np.float32
    np.testing.assert_allclose(w, tw, rtol=1e-4, atol=1e-6)
    if "step" in opt.state_dict()["state"][0]:
        assert opt.state_dict()["state"][0]["step"].dtype == numtorch.float32


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=1),
        dict(lr=0.1, max_iter=3),  # every step stops at max_iter: its end point unevaluated
        dict(lr=0.5, line_search_fn="strong_wolfe"),
        dict(lr=1, history_size=3, max_iter=5, line_search_fn="strong_wolfe"),
    ],
)
@pytest.mark.live_torch("PyTorch's LBFGS calls the test's closure, which a replay cannot run")
def test_lbfgs_matches_torch(kwargs):
    w, b, opt, losses = train(numtorch, optim.LBFGS, kwargs, steps=4, closure=True)
    tw, tb, topt, tlosses = train(torch, torch.optim.LBFGS, kwargs, steps=4, closure=True)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-5)
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-10)
    state, tstate = opt.state[opt._params[0]], topt.state[topt._params[0]]
    assert state["func_evals"] == tstate["func_evals"]
    assert state["n_iter"] == tstate["n_iter"]
