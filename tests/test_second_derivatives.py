"""Second derivatives of the scans, moments, dtype copies and linear-algebra primitives whose
backward is one formula for arrays and Tensors: the gradient and the gradient of
<gradient, w> against PyTorch's (float64 and complex128), float64 gradcheck and gradgradcheck,
and the saved values PyTorch's node shows."""

import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, gradcheck, rand
from oracle import torch

import numtorch


def _zeros(shape, positions):
    a = rand(shape, "float64", 0, 0.5, 2)
    for p in positions:
        a[p] = 0.0
    return a


def _lu(lib, a):
    return lib.linalg.lu_factor(a)[0]


def _unpacked(lib, a):
    _, low, up = lib.linalg.lu(a)
    return low.sum() + 2 * up.sum()


# name: (fn(lib, *tensors), input arrays)
CASES = {
    "cumprod-no-zero": (lambda lib, x: lib.cumprod(x, 1), [_zeros((3, 5), [])]),
    "cumprod-one-zero": (lambda lib, x: lib.cumprod(x, 1), [_zeros((3, 5), [(0, 1)])]),
    "cumprod-zeros": (
        lambda lib, x: lib.cumprod(x, 1),
        [_zeros((3, 5), [(0, 1), (0, 3), (1, 0), (2, 4)])],
    ),
    "cumprod-all-zero": (lambda lib, x: lib.cumprod(x, 0), [_zeros((4, 2), [(0, 0), (1, 0)])]),
    "cumprod-complex": (lambda lib, x: lib.cumprod(x, 0), [rand((4, 2), "complex128", 1)]),
    "logcumsumexp": (lambda lib, x: lib.logcumsumexp(x, 1), [rand((3, 5), "float64", 2)]),
    "logcumsumexp-large": (
        lambda lib, x: lib.logcumsumexp(x * 40, 0),
        [rand((4, 3), "float64", 3)],
    ),
    "sgn-complex": (lambda lib, x: lib.sgn(x) * x, [rand((2, 3), "complex128", 26)]),
    "var": (lambda lib, x: lib.var(x, 1), [rand((3, 4), "float64", 4)]),
    "var-all": (lambda lib, x: lib.var(x, correction=0), [rand((3, 4), "float64", 4)]),
    "std": (lambda lib, x: lib.std(x, 0, keepdim=True), [rand((3, 4), "float64", 5)]),
    "var_mean": (
        lambda lib, x: lib.var_mean(x, 1)[0] * lib.var_mean(x, 1)[1],
        [rand((3, 4), "float64", 6)],
    ),
    "std_mean": (
        lambda lib, x: lib.std_mean(x, 0)[0] * lib.std_mean(x, 0)[1],
        [rand((3, 4), "float64", 7)],
    ),
    "to-float32": (lambda lib, x: x.float().double() ** 3, [rand((4,), "float64", 8)]),
    "to-complex": (
        lambda lib, x: (x.to(lib.complex128) * (1 + 2j)) ** 2,
        [rand((4,), "float64", 9)],
    ),
    "solve": (
        lambda lib, a, b: lib.linalg.solve(a, b),
        [rand((3, 3), "float64", 10) + 3 * np.eye(3), rand((3, 2), "float64", 11)],
    ),
    "solve-vector-batch": (
        lambda lib, a, b: lib.linalg.solve(a, b),
        [rand((2, 3, 3), "float64", 12) + 3 * np.eye(3), rand((3,), "float64", 13)],
    ),
    "solve-complex": (
        lambda lib, a, b: lib.linalg.solve(a, b),
        [rand((3, 3), "complex128", 14) + 3 * np.eye(3), rand((3, 2), "complex128", 15)],
    ),
    "matrix_exp": (lambda lib, a: lib.linalg.matrix_exp(a), [rand((3, 3), "float64", 16)]),
    "matrix_exp-complex": (
        lambda lib, a: lib.linalg.matrix_exp(a),
        [rand((2, 3, 3), "complex128", 17) * 0.5],
    ),
    "cross": (
        lambda lib, a, b: lib.linalg.cross(a, b),
        [rand((4, 3), "float64", 18), rand((4, 3), "float64", 19)],
    ),
    "lu_factor-square": (_lu, [rand((4, 4), "float64", 20)]),
    "lu_factor-wide": (_lu, [rand((3, 5), "float64", 21)]),
    "lu_factor-tall": (_lu, [rand((5, 3), "float64", 22)]),
    "lu_factor-batch-complex": (_lu, [rand((2, 3, 3), "complex128", 23)]),
    "lu": (_unpacked, [rand((4, 4), "float64", 24)]),
}


def _seed(shape, dtype, rng):
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if np.dtype(dtype).kind == "c" else a


def _first_and_second(lib, fn, arrays, seed):
    """The gradient for a random output gradient, and the gradient of <gradient, w>."""
    rng = np.random.default_rng(seed)
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    go = lib.tensor(_seed(tuple(out.shape), out.detach().numpy().dtype, rng))
    gs = lib.autograd.grad(out, xs, go, create_graph=True)
    total = sum(
        (g * lib.tensor(_seed(a.shape, a.dtype, rng))).sum().real for g, a in zip(gs, arrays)
    )
    second = lib.autograd.grad(total, xs)
    return list(gs), list(second)


@pytest.mark.parametrize("name", CASES)
def test_first_and_second_derivatives_match_torch(name):
    fn, arrays = CASES[name]
    ours = _first_and_second(numtorch, fn, arrays, 1)
    theirs = _first_and_second(torch, fn, arrays, 1)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        assert_close(a, b)


# float32's rounding is beyond finite differences' tolerance
@pytest.mark.parametrize("name", [n for n in CASES if n != "to-float32"])
def test_gradcheck_and_gradgradcheck(name):
    fn, arrays = CASES[name]
    gradcheck(lambda *xs: fn(numtorch, *xs), arrays)


@pytest.mark.parametrize(
    "name,saved",
    [
        ("cumprod-zeros", ("self", "result")),
        ("logcumsumexp", ("self", "result")),
        ("var", ("self",)),
        ("std", ("self", "result")),
        ("solve", ("A", "result")),
        ("matrix_exp", ("self",)),
        ("cross", ("self", "other")),
    ],
)
def test_saved_values_are_named_as_torch(name, saved):
    fn, arrays = CASES[name]
    ours = fn(numtorch, *[numtorch.tensor(a, requires_grad=True) for a in arrays])
    theirs = fn(torch, *[torch.tensor(a, requires_grad=True) for a in arrays])
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    for s in saved:
        assert_close(getattr(ours.grad_fn, "_saved_" + s), getattr(theirs.grad_fn, "_saved_" + s))


def test_logcumsumexp_gradient_of_large_values_does_not_overflow():
    a = rand((2, 4), "float64", 25) * 500
    compare_with_torch(lambda x: x.logcumsumexp(1), [a])
