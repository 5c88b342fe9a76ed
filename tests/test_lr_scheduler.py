"""Learning-rate schedulers against PyTorch: 100-step sequences, state dicts, warnings."""

from __future__ import annotations

import warnings

import pytest
from oracle import torch

import numtorch
from numtorch import optim

METRICS = [1.0 / (1 + i % 17) + (0.5 if i % 29 > 20 else 0.0) for i in range(100)]


def _schedulers(lib, opt):
    """name -> constructor of the scheduler (``lib`` is numtorch.optim or torch.optim)."""
    L = lib.lr_scheduler
    return {
        "LambdaLR": lambda: L.LambdaLR(opt, lambda e: 0.95**e),
        "LambdaLR-groups": lambda: L.LambdaLR(opt, [lambda e: 0.9**e, lambda e: 1 / (1 + e)]),
        "MultiplicativeLR": lambda: L.MultiplicativeLR(opt, lambda e: 0.97),
        "StepLR": lambda: L.StepLR(opt, step_size=7, gamma=0.5),
        "MultiStepLR": lambda: L.MultiStepLR(opt, milestones=[10, 30, 30, 80], gamma=0.3),
        "ConstantLR": lambda: L.ConstantLR(opt, factor=0.25, total_iters=12),
        "LinearLR": lambda: L.LinearLR(opt, start_factor=0.1, end_factor=0.9, total_iters=40),
        "ExponentialLR": lambda: L.ExponentialLR(opt, gamma=0.96),
        "PolynomialLR": lambda: L.PolynomialLR(opt, total_iters=60, power=2.0),
        "CosineAnnealingLR": lambda: L.CosineAnnealingLR(opt, T_max=30, eta_min=0.001),
        "CosineAnnealingWarmRestarts": lambda: L.CosineAnnealingWarmRestarts(
            opt, T_0=10, T_mult=2, eta_min=0.01
        ),
        "CyclicLR": lambda: L.CyclicLR(
            opt, base_lr=0.01, max_lr=0.1, step_size_up=7, step_size_down=5
        ),
        "CyclicLR-tri2": lambda: L.CyclicLR(
            opt, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=6, mode="triangular2"
        ),
        "CyclicLR-exp": lambda: L.CyclicLR(
            opt, base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.99
        ),
        "OneCycleLR": lambda: L.OneCycleLR(opt, max_lr=0.5, total_steps=101),
        "OneCycleLR-3": lambda: L.OneCycleLR(
            opt,
            max_lr=[0.5, 0.3],
            epochs=10,
            steps_per_epoch=11,
            three_phase=True,
            anneal_strategy="linear",
        ),
        "ReduceLROnPlateau": lambda: L.ReduceLROnPlateau(
            opt, patience=3, factor=0.5, cooldown=2, min_lr=0.005
        ),
        "ReduceLROnPlateau-max": lambda: L.ReduceLROnPlateau(
            opt, mode="max", patience=2, threshold_mode="abs"
        ),
        "SequentialLR": lambda: L.SequentialLR(
            opt,
            [
                L.ConstantLR(opt, factor=0.5, total_iters=5),
                L.ExponentialLR(opt, gamma=0.9),
                L.StepLR(opt, 10),
            ],
            milestones=[20, 50],
        ),
        "ChainedScheduler": lambda: L.ChainedScheduler(
            [L.ExponentialLR(opt, gamma=0.98), L.StepLR(opt, 9, gamma=0.5)]
        ),
    }


NAMES = list(_schedulers(optim, None))


def _setup(lib, name):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
    opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.2}], lr=0.1, momentum=0.9)
    return opt, _schedulers(lib.optim, opt)[name]()


def _run(opt, sched, steps, start=0):
    out = []
    for i in range(start, start + steps):
        opt.step()
        if "Plateau" in type(sched).__name__:
            sched.step(METRICS[i])
        else:
            sched.step()
        out.append((list(sched.get_last_lr()), [g["momentum"] for g in opt.param_groups]))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_hundred_steps_equal_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt, sched = _setup(numtorch, name)
        topt, tsched = _setup(torch, name)
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
        mine, theirs = _run(opt, sched, 100), _run(topt, tsched, 100)
    assert len(mine) == len(theirs)
    for (lr, mom), (tlr, tmom) in zip(mine, theirs):
        assert lr == pytest.approx(tlr, rel=1e-12, abs=1e-15)
        assert mom == pytest.approx(tmom, rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_resumes_the_sequence(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt, sched = _setup(numtorch, name)
        _run(opt, sched, 40)
        saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
        expected = _run(opt, sched, 60, start=40)
        opt2, sched2 = _setup(numtorch, name)
        sched2.load_state_dict(saved_sched)
        opt2.load_state_dict(saved_opt)
        assert _run(opt2, sched2, 60, start=40) == expected
        topt, tsched = _setup(torch, name)
        _run(topt, tsched, 40)
        assert sorted(saved_sched) == sorted(tsched.state_dict())


def test_warnings_for_call_order():
    opt, sched = _setup(numtorch, "StepLR")
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    opt, sched = _setup(numtorch, "StepLR")
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(5)
    assert sched.get_last_lr() == [0.1 * 0.1**0, 0.2]  # closed form: 5 // step_size == 0
    opt, sched = _setup(numtorch, "StepLR")
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="overridden after learning rate scheduler"):
        sched.step()


def test_errors():
    opt, _ = _setup(numtorch, "StepLR")
    L = optim.lr_scheduler
    with pytest.raises(TypeError, match="is not an Optimizer"):
        L.StepLR(object(), 3)
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=0.1), 3, last_epoch=4)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        L.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        L.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="You must define either total_steps"):
        L.OneCycleLR(opt, max_lr=0.1)
    sched = L.OneCycleLR(opt, max_lr=0.1, total_steps=2)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        sched.step()
    with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers"):
        L.SequentialLR(opt, [L.StepLR(opt, 2)], milestones=[3])
