"""Gradients of torch.linalg on complex (and real) matrices against PyTorch: PyTorch's
convention (the conjugate Wirtinger derivative) for every decomposition and solver."""

import numpy as np
import pytest
from helpers import torch

import numtorch


def _data(dtype, rng):
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    w = rng.standard_normal((3, 3))
    if dtype == "complex128":
        a = a + 1j * rng.standard_normal((3, 3))
        b = b + 1j * rng.standard_normal((3, 2))
        w = w + 1j * rng.standard_normal((3, 3))
    return a, b, w


CASES = {
    "solve_triangular": lambda t, A, B, W: t.linalg.solve_triangular(A.triu(), B, upper=True),
    "solve": lambda t, A, B, W: t.linalg.solve(A, B),
    "inv": lambda t, A, B, W: t.linalg.inv(A) @ B,
    "det": lambda t, A, B, W: t.linalg.det(A) * B,
    "slogdet_logabsdet": lambda t, A, B, W: t.linalg.slogdet(A)[1] * B,
    "slogdet_sign": lambda t, A, B, W: t.linalg.slogdet(A)[0] * B,
    "pinv": lambda t, A, B, W: t.linalg.pinv(A) @ B,
    "matrix_exp": lambda t, A, B, W: t.linalg.matrix_exp(A) @ B,
    "cholesky": lambda t, A, B, W: t.linalg.cholesky(A @ A.mH + 3 * t.eye(3)) @ B,
    "cholesky_upper": lambda t, A, B, W: t.linalg.cholesky(A @ A.mH + 3 * t.eye(3), upper=True) @ B,
    "qr_r": lambda t, A, B, W: t.linalg.qr(A)[1] @ B,
    "qr_q": lambda t, A, B, W: t.linalg.qr(A)[0] @ B,
    "eigh_vectors": lambda t, A, B, W: (t.linalg.eigh(A + A.mH)[1].abs() * W).sum() * B,
    "eigvalsh": lambda t, A, B, W: t.linalg.eigvalsh(A + A.mH)[:2] * B,
    "svdvals": lambda t, A, B, W: t.linalg.svdvals(A)[:2] * B,
    "svd_u": lambda t, A, B, W: (t.linalg.svd(A)[0] * W).abs().sum() * B,
    "svd_vh": lambda t, A, B, W: (t.linalg.svd(A)[2].abs() * W.abs()).sum() * B,
    "cholesky_solve": lambda t, A, B, W: t.cholesky_solve(
        B, t.linalg.cholesky(A @ A.mH + 3 * t.eye(3))
    ),
    "cholesky_inverse": lambda t, A, B, W: (
        t.cholesky_inverse(t.linalg.cholesky(A @ A.mH + 3 * t.eye(3))) @ B
    ),
    "lstsq": lambda t, A, B, W: t.linalg.lstsq(A, B).solution,
    "lu_solve": lambda t, A, B, W: t.linalg.lu_solve(*t.linalg.lu_factor(A), B),
    "eigvals": lambda t, A, B, W: t.linalg.eigvals(A)[:2].abs().sum() * B,
    "nuclear_norm": lambda t, A, B, W: t.linalg.matrix_norm(A, "nuc") * B,
    "cond": lambda t, A, B, W: t.linalg.cond(A) * B,
}


def _grads(t, case, data):
    a, b, w = data
    A, B = t.tensor(a, requires_grad=True), t.tensor(b, requires_grad=True)
    out = CASES[case](t, A, B, t.tensor(w))
    out.abs().sum().backward()
    return tuple(
        None if x is None else x.resolve_conj().numpy() for x in (out.detach(), A.grad, B.grad)
    )


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
@pytest.mark.parametrize("case", list(CASES))
def test_linalg_gradient_matches_pytorch(case, dtype, rng):
    data = _data(dtype, rng)
    ours, theirs = _grads(numtorch, case, data), _grads(torch, case, data)
    for x, y in zip(ours, theirs):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("which", ["eigh", "svd"])
def test_phase_dependent_losses_raise_as_in_pytorch(which, rng):
    a, _, w = _data("complex128", rng)
    messages = []
    for t in (numtorch, torch):
        A = t.tensor(a + a.conj().T if which == "eigh" else a, requires_grad=True)
        vectors = t.linalg.eigh(A)[1] if which == "eigh" else t.linalg.svd(A)[0]
        with pytest.raises(RuntimeError) as e:
            (vectors * t.tensor(w)).sum().abs().backward()
        messages.append(str(e.value))
    assert messages[0] == messages[1]
