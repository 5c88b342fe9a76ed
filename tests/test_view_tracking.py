"""Which tensors autograd treats as views, against PyTorch: ``detach_`` refuses one, and the
gradient a ``create_graph`` backward stores is a recorded copy, never a view of another tensor
(so that ``zero_grad`` may detach it in place)."""

import warnings

import pytest
from helpers import torch
from test_edge_parity import outcome

import numtorch


def _accumulated(m, make):
    """``p.grad`` after a create_graph backward of ``make(p)``: view?, node (PyTorch names its
    copy's node with its C++ namespace), values."""
    p = m.ones(2, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's reference-cycle warning
        make(p).sum().backward(create_graph=True)
    g = p.grad
    node = None if g.grad_fn is None else g.grad_fn.name().rsplit("::", 1)[-1]
    return g._is_view(), node, g.tolist()


def _zero_grad_after_create_graph(m):
    p = m.ones(2, 3, requires_grad=True)
    opt = m.optim.SGD([p], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (p.reshape(6) ** 2).sum().backward(create_graph=True)
    opt.zero_grad(set_to_none=False)
    return p.grad.requires_grad, p.grad.grad_fn is None, p.grad.tolist()


CASES = {
    "detach_view": lambda m: m.ones(3)[:2].detach_(),
    "detach_view_in_graph": lambda m: (m.ones(3, requires_grad=True) * 1).view(3).detach_(),
    "detach_non_view": lambda m: (m.ones(3, requires_grad=True) * 1).detach_(),
    "grad_through_reshape": lambda m: _accumulated(m, lambda p: p.reshape(6) ** 2),
    "grad_through_view_select": lambda m: _accumulated(m, lambda p: p.view(6)[1:] * 3),
    "grad_of_square": lambda m: _accumulated(m, lambda p: p**2),
    "grad_constant": lambda m: _accumulated(m, lambda p: p.reshape(6) * 2),
    "grad_accumulated_twice": lambda m: _accumulated(m, lambda p: p**2 + p.t().t() ** 3),
    "zero_grad_after_create_graph": _zero_grad_after_create_graph,
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_pytorch(case):
    assert outcome(numtorch, CASES[case]) == outcome(torch, CASES[case])
