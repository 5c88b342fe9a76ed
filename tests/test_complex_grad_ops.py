"""Gradients of elementwise ops, reductions and products on complex tensors against PyTorch
(PyTorch's convention: the conjugate Wirtinger derivative), and complex var/std values."""

import numpy as np
import pytest
from helpers import torch

import numtorch

RNG = np.random.default_rng(1)
A = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
B = RNG.standard_normal((4, 2)) + 1j * RNG.standard_normal((4, 2))
W = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))

CASES = {
    "abs": lambda t, x, w: x.abs(),
    "angle": lambda t, x, w: x.angle(),
    "exp": lambda t, x, w: x.exp() * w,
    "log": lambda t, x, w: x.log() * w,
    "sqrt": lambda t, x, w: x.sqrt() * w,
    "sin": lambda t, x, w: x.sin() * w,
    "tanh": lambda t, x, w: x.tanh() * w,
    "sigmoid": lambda t, x, w: x.sigmoid() * w,
    "pow": lambda t, x, w: x**2 * w,
    "complex_pow": lambda t, x, w: x ** (1.5 + 0.5j),
    "rpow": lambda t, x, w: 2**x,
    "reciprocal": lambda t, x, w: 1 / x,
    "div": lambda t, x, w: x / (w + 3),
    "times_conj": lambda t, x, w: x * x.conj(),
    "real_imag": lambda t, x, w: x.real * 2 + x.imag,
    "mean": lambda t, x, w: x.mean(0) * w[0],
    "sum": lambda t, x, w: x.sum() * w,
    "prod": lambda t, x, w: x.prod(1),
    "cumsum": lambda t, x, w: x.cumsum(1) * w,
    "cumprod": lambda t, x, w: x.cumprod(1) * w,
    "matmul": lambda t, x, w: x @ t.tensor(B),
    "view_as_real": lambda t, x, w: t.view_as_real(x),
    "polar": lambda t, x, w: t.polar(x.abs(), x.angle()) * w,
    "sgn": lambda t, x, w: x.sgn() * w,
    "norm": lambda t, x, w: x.norm(),
    "vector_norm": lambda t, x, w: t.linalg.vector_norm(x, 3, 1),
    "fft": lambda t, x, w: t.fft.fft(x) * w,
    "ifft2": lambda t, x, w: t.fft.ifft2(x) * w,
    "vdot": lambda t, x, w: t.vdot(x[0], x[1]),
    "outer": lambda t, x, w: t.outer(x[0], x[1]),
    "einsum": lambda t, x, w: t.einsum("ij,jk->ik", x, t.tensor(B)),
    "trace": lambda t, x, w: x[:, :3].trace(),
    "where": lambda t, x, w: t.where(x.real > 0, x, x * 2),
    "std": lambda t, x, w: x.std(1),
    "var": lambda t, x, w: x.var(),
    "var_mean": lambda t, x, w: t.var_mean(x, 1)[0] + t.var_mean(x, 1)[1].abs(),
    "linear": lambda t, x, w: t.nn.functional.linear(x, w),
    "asin": lambda t, x, w: (x * 0.3).asin() * w,
    "log1p": lambda t, x, w: x.log1p() * w,
    "rsqrt": lambda t, x, w: x.rsqrt() * w,
    "addcmul": lambda t, x, w: t.addcmul(x, x, w, value=0.5),
    "addcdiv": lambda t, x, w: t.addcdiv(x, w, x + 3, value=0.5),
    "lerp": lambda t, x, w: t.lerp(x, w, 0.3),
}


def _grad(t, case):
    x = t.tensor(A, requires_grad=True)
    y = CASES[case](t, x, t.tensor(W))
    (y.abs() if y.is_complex() else y).sum().backward()
    return y.detach().resolve_conj().numpy(), x.grad.resolve_conj().numpy()


@pytest.mark.parametrize("case", list(CASES))
def test_complex_gradient_matches_pytorch(case):
    for ours, theirs in zip(_grad(numtorch, case), _grad(torch, case)):
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
