"""The Optimizer base: groups, state dicts, hooks, zero_grad, all-or-nothing steps, nn models."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import numtorch
from numtorch import optim


def _params():
    w = numtorch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = numtorch.tensor([0.1, -0.2], requires_grad=True)
    return w, b


def _backward(w, b):
    ((w * w).sum() + (b * 3).sum()).backward()


def test_state_dict_layout_and_round_trip():
    w, b = _params()
    opt = optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    _backward(w, b)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][0]["step"].item() == 1.0 and sd["state"][0]["step"].shape == ()
    w2, b2 = _params()
    opt2 = optim.Adam([{"params": [w2]}, {"params": [b2]}], lr=0.1)
    opt2.load_state_dict(copy.deepcopy(sd))  # as if saved and loaded: no shared tensors
    assert opt2.param_groups[1]["lr"] == 0.5 and opt2.param_groups[1]["params"] == [b2]
    for p, p2 in ((w, w2), (b, b2)):
        p.grad = numtorch.ones_like(p)
        p2.grad = numtorch.ones_like(p2)
    starts = [p.detach().numpy().copy() for p in (w, b, w2, b2)]
    opt.step()
    opt2.step()
    deltas = [p.detach().numpy() - s for p, s in zip((w, b, w2, b2), starts)]
    np.testing.assert_allclose(deltas[0], deltas[2], rtol=1e-5)  # the loaded state: same update
    np.testing.assert_allclose(deltas[1], deltas[3], rtol=1e-5)
    np.testing.assert_allclose(opt.state[w]["exp_avg"].numpy(), opt2.state[w2]["exp_avg"].numpy())


def test_load_state_dict_errors_leave_state_untouched():
    w, b = _params()
    opt = optim.SGD([w, b], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict({"state": {}, "param_groups": [{"params": [0], "lr": 9.0}]})
    assert opt.param_groups[0]["lr"] == 0.1


def test_torch_state_dict_loads():
    from oracle import torch

    tw = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    topt = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    (tw * tw).sum().backward()
    topt.step()
    tsd = topt.state_dict()
    sd = {
        "state": {
            k: {n: numtorch.tensor(v.numpy()) for n, v in s.items()}
            for k, s in tsd["state"].items()
        },
        "param_groups": tsd["param_groups"],
    }
    w, _ = _params()
    opt = optim.SGD([w], lr=0.5, momentum=0.9)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(
        opt.state[w]["momentum_buffer"].numpy(), tsd["state"][0]["momentum_buffer"].numpy()
    )


def test_param_group_errors_and_repr():
    w, b = _params()
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([w], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one"):
        opt.add_param_group({"params": w})
    opt.add_param_group({"params": b, "lr": 0.3})
    assert opt.param_groups[1]["momentum"] == 0 and opt.param_groups[1]["lr"] == 0.3
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        opt.add_param_group({"params": [1.0]})
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "Parameter Group 1" in text and text.endswith(")")
    named = optim.SGD([("w", w), ("b", b)], lr=0.1)
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_zero_grad():
    w, b = _params()
    opt = optim.SGD([w, b], lr=0.1)
    _backward(w, b)
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and not w.grad.any().item()
    opt.zero_grad()
    assert w.grad is None and b.grad is None


def test_step_hooks_and_closure():
    w, b = _params()
    opt = optim.SGD([w, b], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    g = optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global"))

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(14.25)
    assert calls == ["global", "pre", "post"]
    h1.remove()
    g.remove()
    opt.step(closure)
    assert calls == ["global", "pre", "post", "post"]


def test_failed_step_leaves_params_and_state():
    w, b = _params()
    opt = optim.Adam([w, b], lr=0.1)
    _backward(w, b)
    opt.step()
    before = {k: v.numpy().copy() for k, v in opt.state[w].items()}
    w_before, b_before = w.detach().numpy().copy(), b.detach().numpy().copy()
    opt.state[b]["exp_avg"] = numtorch.zeros(5)  # corrupt the second parameter's state
    _backward(w, b)
    with pytest.raises(RuntimeError):
        opt.step()
    np.testing.assert_array_equal(w.detach().numpy(), w_before)
    np.testing.assert_array_equal(b.detach().numpy(), b_before)
    for k, v in opt.state[w].items():
        np.testing.assert_array_equal(v.numpy(), before[k])

    def failing_closure():
        raise ValueError("shape error in the closure")

    with pytest.raises(ValueError, match="shape error"):
        opt.step(failing_closure)
    lbfgs = optim.LBFGS([w], line_search_fn="strong_wolfe")
    calls = []

    def closure():
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("closure failed mid line search")
        lbfgs.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with pytest.raises(ValueError, match="mid line search"):
        lbfgs.step(closure)
    np.testing.assert_array_equal(w.detach().numpy(), w_before)
    assert dict(lbfgs.state) in ({}, {w: {}})


def test_step_is_in_place_and_bumps_version():
    w, b = _params()
    view = w.data
    opt = optim.SGD([w, b], lr=0.1)
    _backward(w, b)
    version = w._version
    opt.step()
    np.testing.assert_allclose(view.numpy(), [[0.8, -1.6], [0.4, 2.4]])
    assert w._version > version


def test_nn_model_matches_torch():
    from oracle import torch

    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((32, 6)), rng.standard_normal((32, 2))

    def run(lib, cls, kw):
        model = lib.nn.Sequential(lib.nn.Linear(6, 8), lib.nn.Sigmoid(), lib.nn.Linear(8, 2))
        model = model.double()
        with lib.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(tuple(p.shape)) / (i + 1)))
        opt = cls(model.parameters(), **kw)
        xt, yt = lib.tensor(x), lib.tensor(y)
        for _ in range(50):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(xt), yt)
            loss.backward()
            opt.step()
        return [p.detach().numpy() for p in model.parameters()]

    for name, kw in [("Adam", dict(lr=0.01)), ("SGD", dict(lr=0.1, momentum=0.9))]:
        mine = run(numtorch, getattr(optim, name), kw)
        theirs = run(torch, getattr(torch.optim, name), kw)
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
