"""Hooks, node names and reprs, anomaly detection and view tracking, as PyTorch has them."""

import re
import warnings

import pytest
from helpers import torch

import numtorch


def _both(fn):
    """``fn`` run on numtorch and on PyTorch."""
    return fn(numtorch), fn(torch)


def _error(fn, m):
    try:
        fn(m)
    except RuntimeError as e:
        return str(e)
    return None


@pytest.mark.parametrize("api", ["backward", "grad"])
def test_backward_length_mismatch(api):
    def run(m, n_tensors, n_grads):
        x = m.ones(2, requires_grad=True)
        outs, grads = [x.sum()] * n_tensors, [m.tensor(float(i + 1)) for i in range(n_grads)]
        if api == "grad":
            return _error(lambda m: m.autograd.grad(outs, [x], grads), m)
        return _error(lambda m: m.autograd.backward(outs, grads), m) or x.grad.tolist()

    ours, theirs = _both(lambda m: run(m, 2, 1))
    assert ours == theirs == "got 2 tensors and 1 gradients"
    ours, theirs = _both(lambda m: run(m, 1, 2))  # extra gradients are ignored
    assert ours == theirs


@pytest.mark.parametrize("retain_first", [True, False])
def test_retain_grad_holds_gradient_after_all_hooks(retain_first):
    def run(m):
        u = m.tensor([1.0, 2.0], requires_grad=True) * 2
        if retain_first:
            u.retain_grad()
        u.register_hook(lambda g: g * 10)
        if not retain_first:
            u.retain_grad()
        u.register_hook(lambda g: g + 1)
        (u * u).sum().backward()
        return u.grad.tolist()

    ours, theirs = _both(run)
    assert ours == theirs == [41.0, 81.0]


class _Exp:
    @staticmethod
    def forward(ctx, i):
        r = i.exp()
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return g * r


def test_node_names_and_reprs():
    def run(m):
        MyExp = type("MyExp", (m.autograd.Function,), dict(vars(_Exp)))
        x = m.ones(2, requires_grad=True)
        node = MyExp.apply(x).grad_fn
        acc = (x * 2).grad_fn.next_functions[0][0]
        rep = re.sub(r"^<(numtorch|torch)\.", "<", repr(node)).split(" at ")[0]
        return (
            acc.name(),
            repr(acc).split(" at ")[0],
            type(acc).__name__,
            rep,
            type(node).__name__,
            node.name(),
            MyExp._backward_cls is type(node),
        )

    ours, theirs = _both(run)
    assert ours == theirs
    assert ours[0] == "torch::autograd::AccumulateGrad"
    assert ours[3] == "<autograd.function.MyExpBackward object"


@pytest.mark.parametrize(
    "op",
    [
        lambda m, x: m.sqrt(x),
        lambda m, x: (x * 0).log() * 0,
        lambda m, x: m.stack([x, x.sqrt()]).sum(),
    ],
)
def test_detect_anomaly_names_node_that_returned_nan(op):
    def run(m, check_nan=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with m.autograd.detect_anomaly(check_nan=check_nan):
                return _error(lambda m: op(m, m.tensor(-1.0, requires_grad=True)).backward(), m)

    ours, theirs = _both(run)
    assert ours == theirs and "returned nan values in its 0th output." in ours
    assert run(numtorch, check_nan=False) is None
    assert _error(lambda m: op(m, m.tensor(-1.0, requires_grad=True)).backward(), numtorch) is None


def test_anomaly_switch_is_process_wide():
    import threading

    numtorch.autograd.set_detect_anomaly(True)
    try:
        seen = []
        thread = threading.Thread(target=lambda: seen.append(numtorch.is_anomaly_enabled()))
        thread.start()
        thread.join()
        assert seen == [True]
    finally:
        numtorch.autograd.set_detect_anomaly(False)
    assert not numtorch.is_anomaly_enabled()


def test_eigvals_of_real_matrix_backward_is_real_without_warning():
    def run(m):
        a = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = m.linalg.eigvals(a)
        (w.real.sum() + 2 * w.imag.sum() + (w * w).real.sum()).backward()
        return a.grad

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = run(numtorch)
    theirs = run(torch)
    assert ours.dtype == numtorch.float32
    assert ours.flatten().tolist() == pytest.approx(theirs.flatten().tolist(), rel=1e-5)


VIEWS = {
    "index": lambda x, y: x[0],
    "t": lambda x, y: x.t(),
    "view": lambda x, y: x.view(12),
    "view_of_view": lambda x, y: x[0][1:],
    "detach": lambda x, y: x.detach(),
    "nonleaf_view": lambda x, y: y.view(-1),
    "reshape": lambda x, y: y.reshape(12),
    "clone": lambda x, y: x.clone(),
    "expand": lambda x, y: x.unsqueeze(0).expand(2, 4, 3),
    "data": lambda x, y: x.data,
    "t_t": lambda x, y: y.t().t(),
    "contiguous": lambda x, y: x.contiguous(),
    "column": lambda x, y: x[:, 0],
    "advanced_index": lambda x, y: x[[0]],
    "unbind": lambda x, y: x.unbind()[0],
    "split": lambda x, y: x.split(2)[0],
    "diagonal": lambda x, y: x.diagonal(),
    "real": lambda x, y: x.real,
}


@pytest.mark.parametrize("case", list(VIEWS))
def test_is_view_and_base(case):
    def run(m):
        x = m.zeros(4, 3, requires_grad=True)
        y = x * 2
        v = VIEWS[case](x, y)
        base = {id(x): "x", id(y): "y", id(None): None}.get(id(v._base), "other")
        return v._is_view(), base

    ours, theirs = _both(run)
    assert ours == theirs
