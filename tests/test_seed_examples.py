"""The seed article's two gradient programs, with only the import line changed."""

import numtorch as torch
from numtorch.autograd import Variable


def _run(f, x0):
    x = Variable(torch.tensor([x0]), requires_grad=True)
    y = f(x)
    out = []
    y.backward(retain_graph=True)
    out.append(str(x.grad))
    y.backward(retain_graph=True)
    out.append(str(x.grad))
    x.grad.data.zero_()
    y.backward()
    out.append(str(x.grad))
    return out


def test_cube_gradients_accumulate_until_zeroed():
    assert _run(lambda x: x**3, 5.0) == ["tensor([75.])", "tensor([150.])", "tensor([75.])"]


def test_reciprocal_gradients_accumulate_until_zeroed():
    assert _run(lambda x: 1 / x, 2.0) == [
        "tensor([-0.2500])",
        "tensor([-0.5000])",
        "tensor([-0.2500])",
    ]
