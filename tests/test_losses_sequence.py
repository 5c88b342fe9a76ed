"""CTC, multi-label margin and adaptive-softmax losses against PyTorch: values, gradients,
reductions, target layouts, errors."""

import numpy as np
import pytest
from helpers import torch

import numtorch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 3, 5))
TARGETS = np.array([[2, 2, 3], [1, 4, 4], [3, 1, 2]])  # repeats need a blank between them
BIG = RNG.standard_normal((40, 4, 12))
BIG_TARGETS = RNG.integers(1, 12, (4, 10))

CASES = {
    "mean": dict(),
    "sum": dict(reduction="sum"),
    "none": dict(reduction="none"),
    "float32": dict(dtype="float32"),
    "concatenated": dict(targets=lambda m: m.tensor(TARGETS).flatten()[:6]),
    "tuples": dict(il=(6, 5, 4), tl=(3, 2, 1)),
    "empty_target": dict(tl=(3, 0, 1), reduction="none"),
    "empty_input": dict(il=(6, 0, 4), tl=(3, 0, 1), reduction="none"),
    "impossible": dict(il=(2, 2, 2), reduction="none"),
    "zero_infinity": dict(il=(2, 5, 4), zero_infinity=True, reduction="none"),
    "zero_infinity_mean": dict(il=(2, 5, 4), zero_infinity=True),
    "blank_last": dict(targets=lambda m: m.tensor(TARGETS - 1), blank=4),
    "unbatched": dict(unbatched=True),
    "long": dict(big=True),
}


def _run(m, case):
    c = CASES[case]
    x, targets = (BIG, BIG_TARGETS) if c.get("big") else (X, TARGETS)
    dtype = getattr(m, c.get("dtype", "float64"))
    lp = m.tensor(x, dtype=dtype).log_softmax(2).detach().requires_grad_()
    tg = c["targets"](m) if "targets" in c else m.tensor(targets)
    il, tl = c.get("il", (6, 5, 4)), c.get("tl", (3, 2, 1))
    if c.get("big"):
        il, tl = (40, 35, 30, 22), (10, 8, 6, 3)
    args = dict(
        reduction=c.get("reduction", "mean"),
        zero_infinity=c.get("zero_infinity", False),
        blank=c.get("blank", 0),
    )
    if c.get("unbatched"):
        loss = m.nn.functional.ctc_loss(lp[:, 0], tg[0], m.tensor(il[0]), m.tensor(tl[0]), **args)
    else:
        loss = m.nn.functional.ctc_loss(lp, tg, m.tensor(il), m.tensor(tl), **args)
    finite = loss.detach().numpy()
    if np.all(np.isfinite(finite)):
        loss.sum().backward()
    grad = None if lp.grad is None else lp.grad.numpy()
    return loss, grad


@pytest.mark.parametrize("case", list(CASES))
def test_ctc_loss_matches_pytorch(case):
    (ours, g1), (theirs, g2) = _run(numtorch, case), _run(torch, case)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5)
    assert np.array_equal(np.signbit(ours.detach().numpy()), np.signbit(theirs.detach().numpy()))
    assert (g1 is None) == (g2 is None)
    if g1 is not None:
        np.testing.assert_allclose(g1, g2, rtol=1e-4, atol=1e-6)


def test_ctc_gradient_through_log_softmax_is_the_true_gradient():
    """PyTorch's formula is the gradient of the loss through a log_softmax: check that composite
    against finite differences."""
    tg = numtorch.tensor(TARGETS)

    def loss(z):
        return numtorch.nn.functional.ctc_loss(z.log_softmax(2), tg, (6, 5, 4), (3, 2, 1))

    z = numtorch.tensor(X, requires_grad=True)
    assert numtorch.autograd.gradcheck(loss, (z,))


@pytest.mark.parametrize(
    "call",
    [
        lambda m, lp, tg: m.nn.functional.ctc_loss(
            lp, tg, m.tensor([6, 5, 4]), m.tensor([3, 2, 7])
        ),
        lambda m, lp, tg: m.nn.functional.ctc_loss(
            lp, tg, m.tensor([7, 5, 4]), m.tensor([3, 2, 1])
        ),
        lambda m, lp, tg: m.nn.functional.ctc_loss(lp, tg, (6, 5, 4), (3, 2, 1), blank=9),
    ],
)
def test_ctc_errors(call):
    results = []
    for m in (numtorch, torch):
        with pytest.raises(RuntimeError) as e:
            call(m, m.tensor(X).log_softmax(2), m.tensor(TARGETS))
        results.append(str(e.value))
    assert results[0] == results[1]


def test_ctc_module_and_double_backward():
    ctc = numtorch.nn.CTCLoss(zero_infinity=True)
    assert repr(ctc) == "CTCLoss()"
    lp = numtorch.tensor(X).log_softmax(2).detach().requires_grad_()
    loss = ctc(lp, numtorch.tensor(TARGETS), (6, 5, 4), (3, 2, 1))
    (g,) = numtorch.autograd.grad(loss, lp, create_graph=True)
    with pytest.raises(RuntimeError, match="_ctc_loss_backward is not implemented"):
        g.sum().backward()
    with pytest.raises(TypeError):
        numtorch.nn.functional.ctc_loss(lp, numtorch.tensor(TARGETS), 6, 3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss(reduction):
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((5, 6))
    ys = rng.integers(-1, 6, (5, 6))
    ys[0] = -1
    ys[1, :3] = [2, 2, 5]  # a class listed twice counts twice
    results = []
    for m in (numtorch, torch):
        x = m.tensor(xs, requires_grad=True)
        loss = m.nn.MultiLabelMarginLoss(reduction=reduction)(x, m.tensor(ys))
        loss.sum().backward()
        one = m.nn.functional.multilabel_margin_loss(x[1], m.tensor(ys[1]), reduction=reduction)
        results.append(
            (loss.detach().numpy(), x.grad.numpy(), one.detach().numpy(), loss.grad_fn.name())
        )
    for a, b in zip(*results):
        if isinstance(a, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(RuntimeError, match="inconsistent target size"):
        numtorch.nn.functional.multilabel_margin_loss(
            numtorch.ones(2, 4), numtorch.ones(2, 3).long()
        )


def _adaptive(m):
    m.manual_seed(0)
    asm = m.nn.AdaptiveLogSoftmaxWithLoss(16, 30, cutoffs=[5, 12], div_value=2.0, head_bias=True)
    x = m.tensor(np.random.default_rng(2).standard_normal((9, 16)).astype("f4"), requires_grad=True)
    y = m.tensor([0, 4, 5, 11, 12, 29, 3, 20, 7])
    out = asm(x, y)
    out.loss.backward()
    with m.no_grad():
        lp, pred = asm.log_prob(x), asm.predict(x)
        single = asm(x[0], y[0])
    return [
        repr(asm),
        out.output.detach().numpy(),
        out.loss.item(),
        x.grad.numpy(),
        asm.head.weight.grad.numpy(),
        asm.tail[1][1].weight.grad.numpy(),
        lp.numpy(),
        pred.numpy(),
        single.output.numpy(),
        list(asm.state_dict()),
    ]


def test_adaptive_log_softmax_matches_pytorch():
    for a, b in zip(_adaptive(numtorch), _adaptive(torch)):
        if isinstance(a, (str, list)):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    asm = numtorch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4])
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 9\]"):
        asm(numtorch.randn(2, 8), numtorch.tensor([1, 10]))
    with pytest.raises(ValueError, match="cutoffs should be a sequence"):
        numtorch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[6, 2])


def _linear_ce(m):
    F = m.nn.functional
    rng = np.random.default_rng(4)
    x = m.tensor(rng.standard_normal((4, 5)).astype("f4"), requires_grad=True)
    w = m.tensor(rng.standard_normal((3, 5)).astype("f4"), requires_grad=True)
    y = m.tensor([0, 2, 1, 2])
    loss = F.linear_cross_entropy(x, w, y)
    loss.backward()
    out = [
        loss.item(),
        loss.grad_fn.name(),
        w.grad.numpy(),
        x.grad.numpy(),
        F.linear_cross_entropy(
            x, w, y, linear_bias=m.ones(3), reduction="none", label_smoothing=0.1
        )
        .detach()
        .numpy(),
    ]
    w2 = m.tensor(rng.standard_normal((3, 2, 5)).astype("f4"))
    y2 = m.tensor([[0, 2], [1, 1], [2, 0], [0, 0]])
    k_dim = F.linear_cross_entropy(x, w2, y2)
    out += [k_dim.item(), k_dim.grad_fn.name()]
    m.manual_seed(0)
    module = m.nn.LinearCrossEntropyLoss(5, 3, out_features=(2,), bias=True, ignore_index=1)
    out += [
        repr(module),
        [tuple(v.shape) for v in module.state_dict().values()],
        module(x, y2).item(),
    ]
    options = m.nn.LinearCrossEntropyOptions(batch_chunk_size=4)
    out += [repr(options), F.linear_cross_entropy(x, w, y, options=options).item()]
    return out


def test_linear_cross_entropy_matches_pytorch():
    for a, b in zip(_linear_ce(numtorch), _linear_ce(torch)):
        if isinstance(a, (str, list)):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
