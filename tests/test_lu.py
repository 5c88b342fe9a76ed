"""LU factorisation (linalg.lu_factor/_ex, linalg.lu, lu_unpack, linalg.lu_solve, torch.lu,
torch.lu_solve) against PyTorch: factors, pivots, solutions, gradients, errors."""

import warnings

import numpy as np
import pytest
from helpers import torch

import numtorch

SHAPES = [
    (3, 3),
    (5, 3),
    (3, 5),
    (2, 4, 4),
    (2, 1, 6, 4),
    (70, 70),
    (40, 90),
    (90, 40),
    (0, 0),
    (2, 0, 3),
]


def _matrix(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
def test_factors_match_pytorch(shape, dtype):
    a = _matrix(shape, dtype)
    ours = numtorch.linalg.lu_factor_ex(numtorch.tensor(a))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(a))
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), rtol=tol, atol=tol)
    np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
    assert ours.pivots.dtype == numtorch.int32 and ours.info.shape == theirs.info.shape
    for x, y in zip(numtorch.linalg.lu(numtorch.tensor(a)), torch.linalg.lu(torch.tensor(a))):
        assert tuple(x.shape) == tuple(y.shape)
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_lu_solve_matches_pytorch(left, adjoint, dtype):
    a, b = _matrix((2, 4, 4), dtype), _matrix((2, 4, 3) if left else (2, 3, 4), dtype, 1)
    results = []
    for m in (numtorch, torch):
        lu_, piv = m.linalg.lu_factor(m.tensor(a))
        bt = m.tensor(b, requires_grad=True)
        x = m.linalg.lu_solve(lu_, piv, bt, left=left, adjoint=adjoint)
        x.abs().sum().backward()
        results.append(
            (x.detach().resolve_conj().numpy(), bt.grad.resolve_conj().numpy(), x.grad_fn.name())
        )
    (x1, g1, n1), (x2, g2, n2) = results
    np.testing.assert_allclose(x1, x2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-12)
    assert n1 == n2


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3)], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_gradients_match_pytorch(shape, dtype):
    a = _matrix(shape, dtype, 2)
    w = _matrix(shape, "float64", 3)
    results = []
    for m in (numtorch, torch):
        x = m.tensor(a, requires_grad=True)
        lu_, _ = m.linalg.lu_factor(x)
        P, L, U = m.linalg.lu(x)
        loss = (lu_.abs() * m.tensor(w)).sum() + L.abs().sum() + (U.real**2).sum()
        loss.backward()
        results.append((x.grad.numpy(), lu_.grad_fn.name(), L.grad_fn.name(), U.grad_fn.name()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-8, atol=1e-10)
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)], ids=str)
def test_gradients_against_finite_differences(shape):
    a = numtorch.tensor(_matrix(shape, "float64", 4), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda x: numtorch.linalg.lu_factor(x).LU, (a,))
    assert numtorch.autograd.gradcheck(lambda x: numtorch.linalg.lu(x)[1:], (a,))
    b = numtorch.tensor(_matrix((shape[0], 2), "float64", 5), requires_grad=True)
    if shape[0] == shape[1]:

        def solve(x, b):
            return numtorch.linalg.lu_solve(*numtorch.linalg.lu_factor(x), b)

        assert numtorch.autograd.gradcheck(solve, (a, b))
        assert numtorch.autograd.gradgradcheck(solve, (a, b))


def _bad_calls(m, singular):
    return (
        lambda: m.linalg.lu_factor(m.tensor(singular)),
        lambda: m.linalg.lu_factor(m.stack([m.eye(2), m.tensor(singular).float()])),
        lambda: m.linalg.lu_factor_ex(m.tensor(singular), check_errors=True),
        lambda: m.linalg.lu_factor(m.eye(3), pivot=False),
        lambda: m.linalg.lu_factor(m.ones(2)),
        lambda: m.linalg.lu_solve(m.ones(2, 3), m.ones(2, dtype=m.int32), m.ones(2, 1)),
    )


def test_singular_matrices_and_errors():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for m in (numtorch, torch):
        ex = m.linalg.lu_factor_ex(m.tensor(singular))
        assert int(ex.info) == 2
    messages = []
    for m in (numtorch, torch):
        got = []
        for call in _bad_calls(m, singular):
            with pytest.raises(RuntimeError) as e:
                call()
            got.append(str(e.value))
        messages.append(got)
    assert messages[0] == messages[1]


def test_legacy_functions_and_methods():
    a, b = _matrix((3, 3), "float64"), _matrix((3, 2), "float64", 1)
    out = []
    for m in (numtorch, torch):
        A, B = m.tensor(a), m.tensor(b)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lu_, piv = m.lu(A)
            _, _, infos = m.lu(A, get_infos=True)
            x = m.lu_solve(B, lu_, piv)
            y = B.lu_solve(*A.lu())
        P, L, U = m.lu_unpack(lu_, piv)
        P2, L2, U2 = m.lu_unpack(lu_, piv, unpack_data=False)
        out.append(
            [
                lu_.numpy(),
                piv.numpy(),
                infos.numpy(),
                x.numpy(),
                y.numpy(),
                P.numpy(),
                L.numpy(),
                U.numpy(),
                P2.numpy(),
                tuple(L2.shape),
            ]
        )
    for u, v in zip(*out):
        if isinstance(u, tuple):
            assert u == v
        else:
            np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14)
