"""Small pieces of PyTorch's API: torch.gradient, pdist, narrow_copy, new_empty_strided,
linalg.matmul and the layout/backend flags, against PyTorch."""

import numpy as np
import pytest
from helpers import assert_close, torch

import numtorch


def _gradient_cases(m):
    f = m.tensor([1.0, 4.0, 9.0, 16.0, 20.0])
    c = m.tensor([0.0, 1.0, 3.0, 4.0, 7.0])
    g = m.tensor(np.random.default_rng(0).standard_normal((3, 5)))
    rows, cols = (
        m.tensor([0.0, 1.0, 5.0], dtype=m.float64),
        m.tensor([0.0, 2.0, 3.0, 7.0, 8.0], dtype=m.float64),
    )
    return [
        lambda: m.gradient(f),
        lambda: m.gradient(f, edge_order=2),
        lambda: m.gradient(f, spacing=2.0),
        lambda: m.gradient(f, spacing=(c,)),
        lambda: m.gradient(f, spacing=(c,), edge_order=2),
        lambda: m.gradient(g),
        lambda: m.gradient(g, dim=1),
        lambda: m.gradient(g, dim=-2, edge_order=2),
        lambda: m.gradient(g, spacing=[2.0, 3.0]),
        lambda: m.gradient(g, spacing=(rows, cols), edge_order=2),
        lambda: m.gradient(g, spacing=(cols,), dim=1),
        lambda: m.gradient(m.tensor([1, 4, 9, 16])),
        lambda: m.gradient(g, dim=(0, 1), spacing=3),
    ]


@pytest.mark.parametrize("case", range(13))
def test_gradient_matches_pytorch(case):
    ours, theirs = _gradient_cases(numtorch)[case](), _gradient_cases(torch)[case]()
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.gradient(m.tensor([1.0])),
        lambda m: m.gradient(m.tensor([1.0, 2.0]), edge_order=2),
        lambda m: m.gradient(m.tensor([1.0, 2.0, 3.0]), edge_order=3),
        lambda m: m.gradient(m.ones(3, 3), spacing=[1.0, 2.0, 3.0]),
        lambda m: m.gradient(m.ones(3, 3), dim=(0, 0)),
    ],
)
def test_gradient_errors(call):
    with pytest.raises(RuntimeError) as want:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(numtorch)
    assert str(got.value) == str(want.value)


def gradcheck(fn, inputs):
    assert numtorch.autograd.gradcheck(fn, inputs)
    assert numtorch.autograd.gradgradcheck(fn, inputs)


def test_gradient_differentiates():
    c = numtorch.tensor([0.0, 1.0, 3.0, 4.0, 7.0], dtype=numtorch.float64)
    for order in (1, 2):
        gradcheck(
            lambda f, order=order: numtorch.gradient(f, spacing=(c,), edge_order=order)[0],
            (numtorch.randn(5, dtype=numtorch.float64, requires_grad=True),),
        )
        gradcheck(
            lambda f, order=order: numtorch.gradient(f, edge_order=order)[1],
            (numtorch.randn(3, 4, dtype=numtorch.float64, requires_grad=True),),
        )


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.5, float("inf")])
def test_pdist(p):
    x = np.random.default_rng(1).standard_normal((5, 3))
    ours = numtorch.nn.functional.pdist(numtorch.tensor(x, requires_grad=True), p)
    theirs = torch.nn.functional.pdist(torch.tensor(x, requires_grad=True), p)
    assert_close(ours, theirs)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    if p >= 1:
        gradcheck(lambda t: numtorch.pdist(t, p), (numtorch.tensor(x, requires_grad=True),))
    if p == 2.0:
        assert ours.grad_fn.name() == "PdistBackward0"
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        numtorch.pdist(numtorch.ones(2, 3, 4))


def test_narrow_copy_is_a_copy():
    x = numtorch.arange(12.0).reshape(3, 4).requires_grad_()
    y = x.narrow_copy(1, 1, 2)
    assert y.tolist() == [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]
    assert y.grad_fn.name() == "NarrowCopyBackward0"
    assert y._base is None
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0, 0.0]] * 3
    assert numtorch.narrow_copy(x, 0, 2, 1).shape == (1, 4)


def test_new_empty_strided_and_flags():
    x = numtorch.ones(2, 2, dtype=numtorch.float64)
    e = x.new_empty_strided((2, 3), (1, 2))
    assert e.shape == (2, 3) and e.stride() == (1, 2) and e.dtype == numtorch.float64
    assert x.new_empty_strided((0, 3), (3, 1)).shape == (0, 3)
    for flag in (
        "is_sparse",
        "is_sparse_csr",
        "is_quantized",
        "is_nested",
        "is_mkldnn",
        "is_mps",
        "is_xla",
        "is_xpu",
    ):
        assert getattr(x, flag) is False
    assert numtorch.linalg.matmul is numtorch.matmul
