"""Losses against PyTorch: every reduction, float32/float64, gradients of input and target,
float64 finite differences, stability on huge logits, error types and messages."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, check_op, gradcheck, rand_arrays
from oracle import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F

TF = torch.nn.functional
REDUCTIONS = ["none", "mean", "sum"]


def _lib(x):
    return (F, numtorch) if isinstance(x, numtorch.Tensor) else (TF, torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("mse_loss", {}),
        ("l1_loss", {}),
        ("smooth_l1_loss", {"beta": 0.5}),
        ("smooth_l1_loss", {"beta": 0.0}),
        ("huber_loss", {"delta": 0.7}),
        ("soft_margin_loss", {}),
    ],
)
def test_regression_losses(name, kwargs, reduction):
    def fn(x, y):
        return getattr(_lib(x)[0], name)(x, y, reduction=reduction, **kwargs)

    if name == "soft_margin_loss":  # not differentiable in its target (as in PyTorch)
        target = np.sign(rand_arrays([(4, 5)], seed=9)[0])

        def fn(x):  # noqa: F811
            f, lib = _lib(x)
            return f.soft_margin_loss(x, lib.tensor(target, dtype=x.dtype), reduction=reduction)

        check_op(fn, [(4, 5)])
        return
    check_op(fn, [(4, 5), (4, 5)], second_order=name != "l1_loss")


def test_mse_broadcast_warns_like_torch():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(numtorch.randn(3, 4), numtorch.randn(4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(6, 4), (4,), (3, 4, 2, 2)])
def test_nll_and_cross_entropy_indices(reduction, weighted, shape):
    rng = np.random.default_rng(0)
    classes = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, classes, size=tshape)
    if len(shape) > 1:
        target.reshape(-1)[0] = -100  # one ignored entry
    weight = rng.uniform(0.5, 2.0, size=classes)

    for fname in ["cross_entropy", "nll_loss"]:

        def fn(x, fname=fname):
            f, lib = _lib(x)
            w = lib.tensor(weight, dtype=x.dtype) if weighted else None
            return getattr(f, fname)(x, lib.tensor(target), weight=w, reduction=reduction)

        check_op(fn, [shape], second_order=fname == "cross_entropy")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_label_smoothing_and_probabilities(reduction, smoothing, weighted):
    rng = np.random.default_rng(1)
    target = rng.integers(0, 4, size=5)
    target[2] = -100
    probs = rng.dirichlet(np.ones(4), size=5)
    w = rng.uniform(0.5, 2, size=4)

    def fn(x):
        f, lib = _lib(x)
        wt = lib.tensor(w, dtype=x.dtype) if weighted else None
        a = f.cross_entropy(
            x, lib.tensor(target), weight=wt, reduction=reduction, label_smoothing=smoothing
        )
        b = f.cross_entropy(
            x,
            lib.tensor(probs, dtype=x.dtype),
            weight=wt,
            reduction=reduction,
            label_smoothing=smoothing,
        )
        return a, b

    check_op(fn, [(5, 4)], second_order=False)


def test_cross_entropy_grad_fn_and_stability():
    a = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]], dtype=np.float32)
    x = numtorch.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    t = [0, 2]
    loss = F.cross_entropy(x, numtorch.tensor(t))
    tloss = TF.cross_entropy(tx, torch.tensor(t))
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert_close(loss, tloss)
    loss.backward()
    tloss.backward()
    assert_close(x.grad, tx.grad)
    bce = F.binary_cross_entropy_with_logits(x, numtorch.ones(2, 3))
    tbce = TF.binary_cross_entropy_with_logits(tx, torch.ones(2, 3))
    assert bce.grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"
    assert_close(bce, tbce)
    assert np.isfinite(bce.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    w = rand_arrays([(3, 4)], "float64", 0.5, 2.0, seed=8)[0]

    def fn(x, y):
        f, lib = _lib(x)
        return f.binary_cross_entropy(
            x, y, weight=lib.tensor(w, dtype=x.dtype) if weighted else None, reduction=reduction
        )

    check_op(fn, [(3, 4), (3, 4)], low=0.05, high=0.95)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits(reduction, weighted, pos_weight):
    rng = np.random.default_rng(2)
    w, pw = rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 3, (4,))

    def fn(x, y):
        f, lib = _lib(x)
        return f.binary_cross_entropy_with_logits(
            x,
            y,
            weight=lib.tensor(w, dtype=x.dtype) if weighted else None,
            pos_weight=lib.tensor(pw, dtype=x.dtype) if pos_weight else None,
            reduction=reduction,
        )

    check_op(fn, [(3, 4), (3, 4)], low=-3, high=3)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    def fn(x, y):
        f, _ = _lib(x)
        return f.kl_div(x, y, reduction=reduction, log_target=log_target)

    with pytest.warns() if reduction == "mean" else _nullcontext():
        check_op(fn, [(3, 4), (3, 4)], low=0.1, high=1.0)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_composite_losses(reduction):
    rng = np.random.default_rng(3)
    sign = np.where(rng.random(4) < 0.5, -1.0, 1.0)
    multi = rng.integers(0, 2, size=(4, 5)).astype(float)
    cases = [
        (lambda f, lib, x, y, z: f.poisson_nll_loss(x, y.abs(), reduction=reduction), [(4, 5)] * 3),
        (
            lambda f, lib, x, y, z: f.poisson_nll_loss(
                x.abs() + 0.5, y.abs() * 3, log_input=False, full=True, reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.gaussian_nll_loss(
                x, y, z.abs() + 0.1, full=True, reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.cosine_embedding_loss(
                x, y, lib.tensor(sign), margin=0.2, reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.margin_ranking_loss(
                x, y, lib.tensor(sign, dtype=x.dtype), margin=0.1, reduction=reduction
            ),
            [(4,)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.hinge_embedding_loss(
                x, lib.tensor(sign, dtype=x.dtype).reshape(4, 1), margin=0.5, reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.triplet_margin_loss(
                x, y, z, margin=1.5, swap=True, reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
        (
            lambda f, lib, x, y, z: f.multilabel_soft_margin_loss(
                x, lib.tensor(multi, dtype=x.dtype), reduction=reduction
            ),
            [(4, 5)] * 3,
        ),
    ]
    for case, shapes in cases:

        def fn(x, y, z, case=case):
            return case(*_lib(x), x, y, z)

        check_op(fn, shapes, second_order=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    target = np.array([0, 3, 1, 2])
    w = np.array([0.5, 1.0, 2.0, 1.5])

    def fn(x):
        f, lib = _lib(x)
        return (
            f.multi_margin_loss(x, lib.tensor(target), p=p, margin=0.7, reduction=reduction),
            f.multi_margin_loss(
                x, lib.tensor(target), p=p, weight=lib.tensor(w, dtype=x.dtype), reduction=reduction
            ),
        )

    check_op(fn, [(4, 4)], second_order=False, low=-1, high=1)


def test_distances():
    for fn in [
        lambda f, a, b: f.cosine_similarity(a, b, dim=1),
        lambda f, a, b: f.cosine_similarity(a, b, dim=0, eps=1e-3),
        lambda f, a, b: f.pairwise_distance(a, b),
        lambda f, a, b: f.pairwise_distance(a, b, p=1.5, keepdim=True),
        lambda f, a, b: f.normalize(a, dim=1),
    ]:
        check_op(lambda a, b, fn=fn: fn(_lib(a)[0], a, b), [(3, 4), (3, 4)], second_order=False)


def test_loss_modules_forward_like_functional():
    x = numtorch.randn(4, 3, requires_grad=True)
    t = numtorch.tensor([0, 2, 1, 1])
    assert nn.CrossEntropyLoss(reduction="sum")(x, t).item() == pytest.approx(
        F.cross_entropy(x, t, reduction="sum").item()
    )
    loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"
    y = numtorch.randn(4, 3)
    assert loss(x, y).item() == pytest.approx(((x - y) ** 2).sum().item(), rel=1e-6)
    crit = nn.CrossEntropyLoss(weight=numtorch.ones(3))
    assert "weight" in dict(crit.named_buffers())


def test_loss_errors_match_torch():
    x = numtorch.randn(3, 4)
    with pytest.raises(IndexError, match=r"Target 5 is out of bounds.*\[3, 4\]"):
        F.cross_entropy(x, numtorch.tensor([0, 1, 5]))
    with pytest.raises(IndexError, match="Target -2 is out of bounds"):
        F.nll_loss(x, numtorch.tensor([0, 1, -2]))
    with pytest.raises(
        ValueError,
        match=r"Expected input batch_size \(3\) to match target "
        r"batch_size \(2\)",
    ):
        F.cross_entropy(x, numtorch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        F.nll_loss(x, numtorch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 4"):
        F.nll_loss(x, numtorch.tensor([0, 1, 2]), weight=numtorch.ones(3))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 5\]"):
        F.cross_entropy(numtorch.randn(2, 3, 4), numtorch.zeros(2, 5, dtype=numtorch.int64))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="foo")
    with pytest.raises(ValueError, match="that is different to the input size"):
        F.binary_cross_entropy(x.sigmoid(), numtorch.rand(3))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(x * 10, numtorch.rand(3, 4))
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[3\]\)\) must be the same"):
        F.binary_cross_entropy_with_logits(x, numtorch.rand(3))
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        F.mse_loss(x, numtorch.rand(2, 4))


def test_nll_grad_of_log_softmax_gradcheck():
    target = numtorch.tensor([1, 0, 2])
    gradcheck(
        lambda x: F.cross_entropy(x, target, label_smoothing=0.1),
        rand_arrays([(3, 3)], "float64", seed=4),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_node_equals_log_softmax_then_nll_bit_for_bit(reduction, weighted, dtype):
    # (N, C) cross_entropy runs as one node; its loss and gradient are those of the two nodes
    # it replaces, to the bit (zeros' signs included: an ignored row's gradient is +0.0)
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((7, 5)) * 4).astype(dtype)
    target = numtorch.tensor(rng.integers(0, 5, size=7))
    target[2] = -100
    dt = getattr(numtorch, dtype)
    w = numtorch.tensor(rng.uniform(0.5, 2, size=5), dtype=dt) if weighted else None
    g = numtorch.tensor(rng.standard_normal(7) if reduction == "none" else 1.5, dtype=dt)
    x, y = numtorch.tensor(a, requires_grad=True), numtorch.tensor(a, requires_grad=True)
    loss = F.cross_entropy(x, target, weight=w, reduction=reduction)
    ref = F.nll_loss(F.log_softmax(y, 1), target, weight=w, reduction=reduction)
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    np.testing.assert_array_equal(loss.detach().numpy(), ref.detach().numpy())
    loss.backward(g)
    ref.backward(g)
    assert x.grad.numpy().tobytes() == y.grad.numpy().tobytes()


def test_cross_entropy_node_second_order_gradcheck():
    target = numtorch.tensor([1, 0, -100, 2])
    w = numtorch.tensor([0.5, 2.0, 1.0], dtype=numtorch.float64)
    gradcheck(
        lambda x: (
            F.cross_entropy(x, target, weight=w) * F.cross_entropy(x, target, reduction="sum")
        ),
        rand_arrays([(4, 3)], "float64", seed=6),
    )
