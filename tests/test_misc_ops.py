"""trace, tril/triu_indices, kron, tensordot, meshgrid, cartesian_prod, combinations,
block_diag, cdist, diff, isclose/allclose against torch: values, dtypes, gradients,
finite differences, errors."""

import warnings

import numpy as np
import pytest
from helpers import check_op, gradcheck
from oracle import torch

import numtorch


def both(fn):
    return fn(numtorch), fn(torch)


def same(a, b):
    if isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_trace():
    f, tf = both(lambda m: m.trace)
    for shape in [(3, 3), (2, 5), (4, 1)]:
        check_op(f, [shape], tf)
    check_op(lambda x: x.t().trace(), [(3, 4)], lambda x: x.t().trace())
    a = np.arange(6).reshape(2, 3)
    same(numtorch.trace(numtorch.tensor(a)), torch.trace(torch.tensor(a)))
    assert (
        numtorch.trace(numtorch.ones(2, 2, requires_grad=True)).grad_fn.name() == "TraceBackward0"
    )


def test_triangle_indices():
    for args in [(3, 4, 1), (4, 3, -1), (0, 3, 0), (5, 5, 0), (3, 3, 10), (3, 3, -10)]:
        same(numtorch.tril_indices(*args), torch.tril_indices(*args))
        same(numtorch.triu_indices(*args), torch.triu_indices(*args))
    same(
        numtorch.tril_indices(3, 3, dtype=numtorch.int32),
        torch.tril_indices(3, 3, dtype=torch.int32),
    )


def test_kron():
    f, tf = both(lambda m: m.kron)
    for sa, sb in [((2,), (3,)), ((2, 3), (2, 2)), ((2,), (2, 3)), ((2, 1, 2), (3, 2)), ((), (3,))]:
        check_op(f, [sa, sb], tf)
    same(
        numtorch.kron(numtorch.tensor([1, 2]), numtorch.tensor([[1, 0], [0, 1]])),
        torch.kron(torch.tensor([1, 2]), torch.tensor([[1, 0], [0, 1]])),
    )


@pytest.mark.parametrize(
    "shapes,dims",
    [
        (((2, 3, 4), (3, 4, 5)), 2),
        (((2, 3), (3, 2)), ([1], [0])),
        (((2, 3), (4, 2)), ([0], [1])),
        (((2, 3), (4, 2)), 0),
        (((2, 3, 4), (4, 3, 2)), ([1, 2], [1, 0])),
        (((3,), (3,)), 1),
    ],
)
def test_tensordot(shapes, dims):
    f, tf = both(lambda m: lambda a, b: m.tensordot(a, b, dims=dims))
    check_op(f, list(shapes), tf)


def test_tensordot_dims_as_tensor():
    a, b = np.ones((2, 3)), np.ones((3, 2))
    same(
        numtorch.tensordot(
            numtorch.tensor(a), numtorch.tensor(b), dims=numtorch.tensor([[1], [0]])
        ),
        torch.tensordot(torch.tensor(a), torch.tensor(b), dims=torch.tensor([[1], [0]])),
    )


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_and_cartesian_prod(indexing):
    f, tf = both(lambda m: lambda a, b, c: m.meshgrid(a, b, c, indexing=indexing))
    check_op(f, [(2,), (3,), (4,)], tf)
    f, tf = both(lambda m: lambda a, b: m.meshgrid([a, b], indexing=indexing))
    check_op(f, [(2,), ()], tf)
    f, tf = both(lambda m: lambda a, b: m.cartesian_prod(a, b))
    check_op(f, [(2,), (3,)], tf)
    f, tf = both(lambda m: lambda a: m.cartesian_prod(a))
    check_op(f, [(3,)], tf)


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="indexing"):
        grids = numtorch.meshgrid(numtorch.ones(2), numtorch.ones(3))
    assert [g.shape for g in grids] == [(2, 3), (2, 3)]


@pytest.mark.parametrize("r,rep", [(2, False), (3, False), (2, True), (1, False), (5, False)])
def test_combinations(r, rep):
    f, tf = both(lambda m: lambda x: m.combinations(x, r, rep))
    check_op(f, [(4,)], tf)
    a = np.array([1, 2, 3])
    same(
        numtorch.combinations(numtorch.tensor(a), r, rep),
        torch.combinations(torch.tensor(a), r, rep),
    )
    same(numtorch.combinations(numtorch.tensor(a), 0), torch.combinations(torch.tensor(a), 0))


def test_block_diag():
    f, tf = both(lambda m: lambda a, b, c, d: m.block_diag(a, b, c, d))
    check_op(f, [(), (2,), (2, 3), (1, 1)], tf)
    args = [np.array(1), np.ones(2, "float64"), np.ones((2, 2), "int32")]
    same(
        numtorch.block_diag(*map(numtorch.tensor, args)), torch.block_diag(*map(torch.tensor, args))
    )
    same(numtorch.block_diag(), torch.block_diag())
    a = numtorch.ones(2, requires_grad=True)
    assert numtorch.block_diag(a).grad_fn.name() == "BlockDiagBackward0"


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_cdist(p):
    f, tf = both(lambda m: lambda a, b: m.cdist(a, b, p=p))
    for sa, sb in [((4, 3), (5, 3)), ((2, 3, 2), (2, 4, 2)), ((2, 1, 3, 2), (4, 2))]:
        check_op(f, [sa, sb], tf, second_order=False)
    rng = np.random.default_rng(0)
    gradcheck(
        lambda a, b: numtorch.cdist(a, b, p=p),
        [rng.standard_normal(s) for s in [(3, 2), (2, 2)]],
        second_order=p not in (0.0, 1.0, float("inf")),
    )


def test_cdist_equal_rows_give_zero_gradient():
    a = np.array([[1.0, 2.0], [0.0, 0.0]])
    for p in [0.5, 1.5, 2.0, 3.0]:
        x = numtorch.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        numtorch.cdist(x, x.detach(), p=p).sum().backward()
        torch.cdist(t, t.detach(), p=p).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_diff(n):
    f, tf = both(lambda m: lambda x: m.diff(x, n=n))
    check_op(f, [(6,)], tf)
    f, tf = both(lambda m: lambda x, p, a: m.diff(x, n=n, dim=0, prepend=p, append=a))
    check_op(f, [(3, 4), (2, 4), (1, 4)], tf)
    for a in [np.array([1, 3, 6, 10]), np.array([True, False, False, True])]:
        same(numtorch.diff(numtorch.tensor(a), n=n), torch.diff(torch.tensor(a), n=n))


def test_isclose_allclose():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 2.0], dtype="float32")
    b = np.array([1.0 + 1e-6, np.nan, np.inf, np.inf, 0.0, 2.1], dtype="float32")
    for kw in [{}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 1e-3}, {"rtol": 0, "atol": 0}]:
        same(
            numtorch.isclose(numtorch.tensor(a), numtorch.tensor(b), **kw),
            torch.isclose(torch.tensor(a), torch.tensor(b), **kw),
        )
        assert numtorch.allclose(numtorch.tensor(a), numtorch.tensor(b), **kw) == torch.allclose(
            torch.tensor(a), torch.tensor(b), **kw
        )
    i, j = np.array([1, 2, 3]), np.array([[1], [3]])
    same(
        numtorch.isclose(numtorch.tensor(i), numtorch.tensor(j)),
        torch.isclose(torch.tensor(i), torch.tensor(j)),
    )
    assert numtorch.tensor(a[:1]).allclose(numtorch.tensor(b[:1]))


def test_errors_match_torch():
    cases = [
        (lambda m: m.isclose(m.ones(2), m.ones(2, dtype=m.float64)), RuntimeError),
        (lambda m: m.allclose(m.ones(2), m.ones(3)), RuntimeError),
        (lambda m: m.trace(m.ones(3)), RuntimeError),
        (lambda m: m.combinations(m.ones(2, 2)), RuntimeError),
        (lambda m: m.block_diag(m.ones(2, 2, 2)), RuntimeError),
        (lambda m: m.cdist(m.ones(3), m.ones(3)), RuntimeError),
        (lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)), RuntimeError),
        (lambda m: m.cdist(m.ones(2, 3), m.ones(2, 3), p=-1), RuntimeError),
        (lambda m: m.cdist(m.ones(2, 3, dtype=m.int64), m.ones(2, 3, dtype=m.int64)), RuntimeError),
        (lambda m: m.diff(m.tensor(1.0)), RuntimeError),
        (lambda m: m.diff(m.ones(3), n=-1), RuntimeError),
        (lambda m: m.diff(m.ones(2, 3), prepend=m.ones(3)), RuntimeError),
        (lambda m: m.meshgrid(m.ones(2, 2), indexing="ij"), RuntimeError),
        (lambda m: m.tensordot(m.ones(2, 3), m.ones(4, 2), dims=([0], [0])), RuntimeError),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, err in cases:
            with pytest.raises(err):
                fn(torch)
            with pytest.raises(err):
                fn(numtorch)
