"""optim.swa_utils against PyTorch: averaged weights (SWA, EMA, custom), buffers, update_bn,
SWALR's learning rates and state dict."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import torch

import numtorch


def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.BatchNorm1d(5), lib.nn.Linear(5, 2))


def _train_and_average(lib, **kwargs):
    """Three SGD steps, averaging after each; returns the averaged model."""
    model = _net(lib)
    averaged = lib.optim.swa_utils.AveragedModel(model, **kwargs)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    x = lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4))
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        averaged.update_parameters(model)
    return averaged


def _variants(lib):
    su = lib.optim.swa_utils
    return {
        "swa": {},
        "ema-multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
        "ema-multi-buffers": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9), "use_buffers": True},
        "ema": {"avg_fn": su.get_ema_avg_fn(0.8)},
        "swa-multi": {"multi_avg_fn": su.get_swa_multi_avg_fn()},
        "swa-buffers": {"use_buffers": True},
    }


@pytest.mark.parametrize("variant", list(_variants(numtorch)))
def test_averaged_model_matches_pytorch(variant):
    ours = _train_and_average(numtorch, **_variants(numtorch)[variant])
    theirs = _train_and_average(torch, **_variants(torch)[variant])
    sd_ours, sd_theirs = ours.state_dict(), theirs.state_dict()
    assert list(sd_ours) == list(sd_theirs)
    for key, value in sd_theirs.items():
        np.testing.assert_allclose(sd_ours[key].numpy(), value.numpy(), rtol=1e-6, atol=1e-7)
        assert str(sd_ours[key].dtype) == str(value.dtype)
    assert int(ours.n_averaged) == 3


def test_update_bn_matches_pytorch():
    models = []
    for lib in (numtorch, torch):
        model = _net(lib)
        batches = [lib.tensor(np.arange(24, dtype=np.float32).reshape(6, 4) * k) for k in (1, 2)]
        model.eval()
        lib.optim.swa_utils.update_bn([(b, 0) for b in batches], model)
        assert not model.training and model[1].momentum == 0.1
        models.append(model)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        got, want = getattr(models[0][1], name), getattr(models[1][1], name)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("strategy,epochs", [("cos", 5), ("linear", 3), ("cos", 0)])
def test_swalr_learning_rates(strategy, epochs):
    lrs = []
    for lib in (numtorch, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.SGD([{"params": [p]}, {"params": [], "lr": 0.3}], lr=1.0)
        sched = lib.optim.swa_utils.SWALR(
            opt, swa_lr=[0.05, 0.1], anneal_epochs=epochs, anneal_strategy=strategy
        )
        seq = []
        for _ in range(8):
            opt.step()
            sched.step()
            seq.append(sched.get_last_lr())
        lrs.append(seq)
        state = sched.state_dict()
        assert "anneal_func" not in state and state["_anneal_strategy"] == strategy
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)


def test_errors_match_pytorch():
    su, tsu = numtorch.optim.swa_utils, torch.optim.swa_utils
    for call in (
        lambda m: m.get_ema_avg_fn(1.5),
        lambda m: m.get_ema_multi_avg_fn(-0.1),
    ):
        with pytest.raises(ValueError) as ours:
            call(su)
        with pytest.raises(ValueError) as theirs:
            call(tsu)
        assert str(ours.value) == str(theirs.value)
    opt = numtorch.optim.SGD([numtorch.nn.Parameter(numtorch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        su.SWALR(opt, 0.1, anneal_strategy="step")
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        su.AveragedModel(numtorch.nn.Linear(1, 1), avg_fn=su.get_swa_avg_fn(), multi_avg_fn=1)
