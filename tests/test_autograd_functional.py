"""autograd.functional against PyTorch."""

import numpy as np
import pytest
from helpers import assert_close
from oracle import torch

import numtorch as nt


def f(a, b):
    return (a * b).sum() + (a**2 * b).sum()


def g(a):
    return a**2 * 3


@pytest.mark.parametrize("name", ["vjp", "vhp"])
def test_vjp_vhp(name):
    a = np.array([1.0, 2.0, 3.0])
    v = np.array([0.5, -1.0, 2.0])
    fn = g if name == "vjp" else (lambda x: (x**3).sum())
    out = getattr(nt.autograd.functional, name)(fn, nt.tensor(a), nt.tensor(v))
    ref = getattr(torch.autograd.functional, name)(fn, torch.tensor(a), torch.tensor(v))
    for x, y in zip(out, ref):
        assert_close(x, y)


def test_jvp():
    a, v = np.array([1.0, 2.0]), np.array([1.0, 0.5])
    out = nt.autograd.functional.jvp(g, nt.tensor(a), nt.tensor(v))
    ref = torch.autograd.functional.jvp(g, torch.tensor(a), torch.tensor(v))
    assert_close(out[1], ref[1])


def test_jacobian_and_hessian():
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    jac = nt.autograd.functional.jacobian(f, (nt.tensor(a), nt.tensor(b)))
    ref = torch.autograd.functional.jacobian(f, (torch.tensor(a), torch.tensor(b)))
    for x, y in zip(jac, ref):
        assert_close(x, y)
    assert_close(
        nt.autograd.functional.jacobian(g, nt.tensor(a)),
        torch.autograd.functional.jacobian(g, torch.tensor(a)),
    )
    h = nt.autograd.functional.hessian(lambda x: (x**3).sum(), nt.tensor(a))
    assert_close(h, torch.autograd.functional.hessian(lambda x: (x**3).sum(), torch.tensor(a)))
