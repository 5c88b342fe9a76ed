"""gradcheck and gradgradcheck on complex inputs and outputs, with PyTorch's convention: a
complex number is its real and imaginary parts, both perturbed; each check's verdict is
compared with PyTorch's, and a backward that misses a conjugate must fail."""

import numpy as np
import pytest
from helpers import torch

import numtorch

Z = [0.3 + 1.2j, -0.8 + 0.5j, 1.1 - 0.7j]
X = [0.4, -1.3, 0.9]


def _z(m):
    return m.tensor(Z, dtype=m.complex128, requires_grad=True)


def _x(m):
    return m.tensor(X, dtype=m.float64, requires_grad=True)


FUNCTIONS = {
    "square": (lambda m, a: a * a, (_z,)),
    "abs": (lambda m, a: a.abs(), (_z,)),
    "conj": (lambda m, a: a.conj() * 2, (_z,)),
    "exp": (lambda m, a: a.exp(), (_z,)),
    "angle": (lambda m, a: a.angle(), (_z,)),
    "real_to_complex": (lambda m, a: m.polar(a.abs() + 1, a), (_x,)),
    "complex_times_real": (lambda m, a, b: a * b, (_z, _x)),
    "outer_conj": (lambda m, a: a[:, None] @ a[None, :].conj(), (_z,)),
    "view_as_real": (lambda m, a: m.view_as_real(a * a).sum(), (_z,)),
}


def _verdicts(m, name):
    fn, makers = FUNCTIONS[name]
    inputs = tuple(make(m) for make in makers)
    check = m.autograd

    def f(*a):
        return fn(m, *a)

    return check.gradcheck(f, inputs), check.gradgradcheck(f, inputs)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_verdict_matches_pytorch(name):
    assert _verdicts(numtorch, name) == _verdicts(torch, name) == (True, True)


class _SquareWithoutConj(numtorch.autograd.Function):
    """z * z with the holomorphic VJP g * 2z, where PyTorch's convention is g * conj(2z)."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * 2 * z


def test_a_backward_missing_a_conjugate_fails():
    z = _z(numtorch)
    assert not numtorch.autograd.gradcheck(_SquareWithoutConj.apply, (z,), raise_exception=False)
    with pytest.raises(numtorch.autograd.GradcheckError, match="Jacobian mismatch"):
        numtorch.autograd.gradcheck(_SquareWithoutConj.apply, (z,))


def test_a_wrong_imaginary_part_fails():
    """Only the perturbation of the imaginary part sees a gradient whose imaginary part is
    dropped."""
    z = _z(numtorch)
    assert not numtorch.autograd.gradcheck(
        lambda a: a.real + a.imag.detach(), (z,), raise_exception=False
    )


def _abs_second_derivatives(m):
    z = _z(m)
    g = m.tensor([0.7, -0.4, 0.2], dtype=m.float64, requires_grad=True)
    (gz,) = m.autograd.grad(z.abs(), z, g, create_graph=True)
    seed = m.tensor([1, 1j, 0.5 - 2j], dtype=m.complex128)
    return [t.detach().numpy() for t in m.autograd.grad(gz, (z, g), seed)]


def test_abs_double_backward_on_complex_matches_pytorch():
    """abs's gradient g * sgn(z) depends on z: its second derivative is not 0."""
    for ours, theirs in zip(_abs_second_derivatives(numtorch), _abs_second_derivatives(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
