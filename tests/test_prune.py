"""nn.utils.prune against PyTorch: masks, weight_orig/weight_mask, the forward pre-hook,
iterative pruning, global pruning, remove, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

# PyTorch does not import prune with torch.nn
from oracle import torch

import numtorch

# Distinct magnitudes so the smallest-k choice has no ties.
W = (np.arange(1, 25, dtype=np.float32) * np.where(np.arange(24) % 3, 1, -1)).reshape(4, 6)
W = W[:, np.random.default_rng(0).permutation(6)]


def _linear(lib):
    lib.manual_seed(0)
    m = lib.nn.Linear(6, 4)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W / 10))
    return m


STEPS = {
    "identity": lambda p, m: p.identity(m, "weight"),
    "l1": lambda p, m: p.l1_unstructured(m, "weight", amount=0.3),
    "l1-int": lambda p, m: p.l1_unstructured(m, "weight", amount=5),
    "random": lambda p, m: p.random_unstructured(m, "weight", amount=0.4),
    "ln-rows": lambda p, m: p.ln_structured(m, "weight", amount=0.5, n=2, dim=0),
    "ln-cols": lambda p, m: p.ln_structured(m, "weight", amount=2, n=1, dim=-1),
    "random-structured": lambda p, m: p.random_structured(m, "weight", amount=2, dim=1),
    "l1-then-ln": lambda p, m: (
        p.l1_unstructured(m, "weight", amount=0.25),
        p.ln_structured(m, "weight", amount=1, n=2, dim=0),
    ),
    "ln-then-l1": lambda p, m: (
        p.ln_structured(m, "weight", amount=1, n=float("inf"), dim=1),
        p.l1_unstructured(m, "weight", amount=3),
    ),
    "custom": lambda p, m: p.custom_from_mask(m, "bias", mask=_lib(p).tensor([1, 0, 1, 0])),
}


def _lib(prune_module):
    return numtorch if prune_module.__name__.startswith("numtorch") else torch


def _pruned(lib, step):
    m = _linear(lib)
    lib.manual_seed(3)
    STEPS[step](lib.nn.utils.prune, m)
    return m


@pytest.mark.parametrize("step", list(STEPS))
def test_pruning_matches_pytorch(step):
    ours, theirs = _pruned(numtorch, step), _pruned(torch, step)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name].numpy(), value.numpy(), err_msg=name)
    for name in ("weight", "bias"):
        np.testing.assert_array_equal(
            getattr(ours, name).detach().numpy(), getattr(theirs, name).detach().numpy()
        )
    assert numtorch.nn.utils.prune.is_pruned(ours) and torch.nn.utils.prune.is_pruned(theirs)
    kinds = [type(h).__name__ for h in ours._forward_pre_hooks.values()]
    assert kinds == [type(h).__name__ for h in theirs._forward_pre_hooks.values()]


def test_hook_recomputes_weight_and_gradient_reaches_orig():
    results = []
    for lib in (numtorch, torch):
        m = _pruned(lib, "l1")
        with lib.no_grad():
            m.weight_orig.mul_(2)
        x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6))
        out = m(x)
        out.sum().backward()
        results.append(
            (out.detach().numpy(), m.weight_orig.grad.numpy(), m.weight.detach().numpy())
        )
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("step", ["l1", "l1-then-ln", "custom"])
def test_remove_makes_pruning_permanent(step):
    mods = []
    for lib in (numtorch, torch):
        m = _pruned(lib, step)
        name = "bias" if step == "custom" else "weight"
        lib.nn.utils.prune.remove(m, name)
        assert not lib.nn.utils.prune.is_pruned(m) and not m._forward_pre_hooks
        mods.append(m)
    ours, theirs = mods
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.named_buffers()) == list(theirs.named_buffers()) == []
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert isinstance(ours.weight, numtorch.nn.Parameter)


def test_global_unstructured_matches_pytorch():
    masks = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(6, 4), lib.nn.Linear(4, 3))
        with lib.no_grad():
            net[0].weight.copy_(lib.tensor(W / 10))
        lib.nn.utils.prune.l1_unstructured(net[1], "weight", amount=2)
        params = [(net[0], "weight"), (net[1], "weight"), (net[1], "bias")]
        prune = lib.nn.utils.prune
        prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=0.3)
        masks.append([getattr(m, n + "_mask").numpy() for m, n in params])
        hooks = list(net[1]._forward_pre_hooks.values())
        assert [type(h).__name__ for h in hooks] == ["PruningContainer", "CustomFromMask"]
    for ours, theirs in zip(*masks):
        np.testing.assert_array_equal(ours, theirs)


def _error(lib, call):
    with pytest.raises(Exception) as info:
        call(lib.nn.utils.prune, _linear(lib))
    return type(info.value).__name__, str(info.value)


ERRORS = {
    "negative": lambda p, m: p.l1_unstructured(m, "weight", amount=-1),
    "fraction": lambda p, m: p.l1_unstructured(m, "weight", amount=1.5),
    "type": lambda p, m: p.l1_unstructured(m, "weight", amount="a"),
    "too-many": lambda p, m: p.l1_unstructured(m, "weight", amount=30),
    "1-d structured": lambda p, m: p.ln_structured(m, "bias", amount=1, n=2, dim=0),
    "dim": lambda p, m: p.ln_structured(m, "weight", amount=1, n=2, dim=2),
    "remove unpruned": lambda p, m: p.remove(m, "weight"),
    "global structured": lambda p, m: p.global_unstructured(
        [(m, "weight")], pruning_method=p.LnStructured, amount=1, n=2, dim=0
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_pytorch(case):
    ours_type, ours_text = _error(numtorch, ERRORS[case])
    theirs_type, theirs_text = _error(torch, ERRORS[case])
    assert ours_type == theirs_type
    if case not in ("remove unpruned", "global structured"):  # these name objects
        assert ours_text == theirs_text


def test_failed_pruning_restores_the_parameter():
    names = []
    for lib in (numtorch, torch):
        m = _linear(lib)
        with pytest.raises(ValueError):
            lib.nn.utils.prune.l1_unstructured(m, "weight", amount=30)
        assert not lib.nn.utils.prune.is_pruned(m)
        names.append([n for n, _ in m.named_parameters()])
    assert names[0] == names[1] == ["bias", "weight"]
