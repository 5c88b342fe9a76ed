"""Inference tensors meeting autograd: what PyTorch refuses (saving one for backward, its
version counter, a write recorded through a view made in inference mode) and what it allows.
Each case runs on both libraries and compares the value or the exception type and text."""

import pytest
from helpers import torch
from test_edge_parity import outcome

import numtorch


def _inference(m):
    with m.inference_mode():
        return m.ones(3)


def _weight(m):
    return m.ones(3, requires_grad=True)


def _view_in_inference(m, make=lambda x: x[:2]):
    """A view of a normal tensor (in a graph) made in inference mode."""
    x = _weight(m) * 1
    with m.inference_mode():
        return make(x)


def _grads(m, make):
    w = _weight(m)
    make(m, w).sum().backward()
    return w.grad.tolist()


CASES = {
    # saved for backward: refused; an op that saves nothing, or no graph, goes through
    "saved_mul": lambda m: _weight(m) * _inference(m),
    "saved_matmul": lambda m: _weight(m) @ _inference(m),
    "not_saved_add": lambda m: _weight(m) + _inference(m),
    "no_graph_mul": lambda m: m.ones(3) * _inference(m),
    "grad_through_add": lambda m: _grads(m, lambda m, w: w * 2 + _inference(m)),
    # the version counter
    "version_inference": lambda m: _inference(m)._version,
    "version_inference_view": lambda m: _inference(m)[1:]._version,
    "version_view_made_inside": lambda m: _view_in_inference(m)._version,
    # writes through a view made in inference mode of a normal tensor
    "view_write_recorded": lambda m: _view_in_inference(m).mul_(2),
    "view_write_with_grad_operand": lambda m: (lambda x: _view_in_inference(m, lambda y: x[:2]))(
        m.ones(3)
    ).mul_(_weight(m)[:2]),
    "view_of_view_select": lambda m: _view_in_inference(m, lambda x: x.view(3))[0].mul_(2),
    "view_of_view_slice": lambda m: _view_in_inference(m, lambda x: x.view(3))[1:].mul_(2),
    "view_of_view_unsqueeze": lambda m: (
        _view_in_inference(m, lambda x: x.view(3)).unsqueeze(0).mul_(2)
    ),
    "view_of_view_made_inside": lambda m: _view_in_inference(m, lambda x: x.view(3)[1:]).mul_(2),
    "view_write_not_recorded": lambda m: (lambda x: _view_in_inference(m, lambda y: x[:2]))(
        m.ones(3)
    ).add_(1),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_pytorch(case):
    assert outcome(numtorch, CASES[case]) == outcome(torch, CASES[case])


def test_view_write_inside_inference_mode_is_allowed():
    x = numtorch.ones(3, requires_grad=True) * 1
    with numtorch.inference_mode():
        v = x[:2]
        v.mul_(3)
    assert x.tolist() == [3.0, 3.0, 1.0]


class _Scale(numtorch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y, None


def test_custom_function_refuses_saving_an_inference_tensor_as_pytorch():
    """PyTorch's text (the same as for its own ops, compared above) where a graph is recorded;
    without one, or inside inference mode, the Function runs."""
    expected = outcome(torch, CASES["saved_mul"])
    assert outcome(numtorch, lambda m: _Scale.apply(_weight(m), _inference(m))) == expected
    assert _Scale.apply(numtorch.ones(3), _inference(numtorch)).tolist() == [1.0] * 3
    with numtorch.inference_mode():
        x = numtorch.ones(3, requires_grad=True)
        assert _Scale.apply(x, x).tolist() == [1.0] * 3
