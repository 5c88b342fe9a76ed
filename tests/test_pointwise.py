"""Elementwise functions of two or three tensors (ops/pointwise.py) against PyTorch."""

import math

import numpy as np
import pytest
from helpers import check_op, compare_with_torch, torch

import numtorch


def both(name, **kw):
    return (lambda *a: getattr(numtorch, name)(*a, **kw), lambda *a: getattr(torch, name)(*a, **kw))


BINARY = [
    ("atan2", -2, 2),
    ("hypot", 0.5, 2),
    ("logaddexp", -2, 2),
    ("logaddexp2", -2, 2),
    ("maximum", -2, 2),
    ("minimum", -2, 2),
    ("fmax", -2, 2),
    ("fmin", -2, 2),
    ("fmod", 0.5, 3),
    ("remainder", 0.5, 3),
    ("xlogy", 0.5, 3),
    ("copysign", 0.5, 2),
]
BROADCAST = [[(3, 4), (3, 4)], [(3, 1), (4,)], [(), (2, 3)], [(2, 3), ()]]


@pytest.mark.parametrize("name,low,high", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", BROADCAST, ids=["same", "bcast", "0d-left", "0d-right"])
def test_binary(name, low, high, shapes):
    fn, tfn = both(name)
    # fmod/remainder jump where x/y crosses an integer: finite differences need smooth inputs
    check_op(fn, shapes, tfn, low=low, high=high, second_order=True)


@pytest.mark.parametrize("name", ["fmod", "remainder", "copysign", "xlogy"])
@pytest.mark.parametrize("scalar", [1.5, -2.0, 3])
def test_tensor_and_number(name, scalar):
    fn, tfn = both(name)
    check_op(lambda x: fn(x, scalar), [(3, 4)], lambda x: tfn(x, scalar), low=0.5, high=3)


def test_xlogy_number_first_and_zero_cases():
    check_op(
        lambda y: numtorch.xlogy(2.0, y), [(5,)], lambda y: torch.xlogy(2.0, y), low=0.5, high=3
    )
    x, y = [0.0, 0.0, 1.0, 2.0], [0.0, math.nan, 3.0, 0.0]
    assert np.array_equal(
        numtorch.xlogy(numtorch.tensor(x), numtorch.tensor(y)).numpy(),
        torch.xlogy(torch.tensor(x), torch.tensor(y)).numpy(),
        equal_nan=True,
    )


def test_ties_and_bounds():
    """maximum/minimum split ties evenly, fmax/fmin give them to the first operand, clamp
    passes the gradient on a bound."""
    a, b = [1.0, 2.0, 3.0, math.nan], [1.0, 3.0, 2.0, 1.0]
    for name in ("maximum", "minimum", "fmax", "fmin"):
        compare_with_torch(
            both(name)[0], [np.array(a, "float32"), np.array(b, "float32")], both(name)[1]
        )
    x = np.array([0.0, 1.0, 1.5, 2.0, 3.0], "float32")
    for kw in ({"min": 1.0, "max": 2.0}, {"min": 1.0}, {"max": 2.0}, {"min": 2.0, "max": 1.0}):
        compare_with_torch(
            lambda t, kw=kw: numtorch.clamp(t, **kw), [x], lambda t, kw=kw: torch.clamp(t, **kw)
        )
    lo, hi = np.full(5, 4.0, "float32"), np.full(5, 2.0, "float32")  # min > max
    compare_with_torch(numtorch.clamp, [x, lo, hi], torch.clamp)
    compare_with_torch(
        lambda t, m: numtorch.clamp(t, min=m), [x, lo], lambda t, m: torch.clamp(t, min=m)
    )


def test_grad_fn_names():
    x, tx = (
        numtorch.tensor([1.0, 2.0], requires_grad=True),
        torch.tensor([1.0, 2.0], requires_grad=True),
    )
    lo, tlo = numtorch.tensor([1.5, 1.5]), torch.tensor([1.5, 1.5])
    cases = [
        (lambda m, t, l: m.clamp(t, 0.0, 1.0)),
        (lambda m, t, l: m.clamp(t, l)),
        (lambda m, t, l: m.clamp_min(t, 0.5)),
        (lambda m, t, l: m.clamp_max(t, l)),
        (lambda m, t, l: m.where(t > 1, t, 0.0)),
        (lambda m, t, l: m.lerp(t, l, 0.3)),
        (lambda m, t, l: m.lerp(t, l, l)),
        (lambda m, t, l: m.fmod(t, 1.5)),
        (lambda m, t, l: m.fmod(t, l)),
        (lambda m, t, l: m.remainder(t, 1.5)),
        (lambda m, t, l: m.copysign(t, -1.0)),
        (lambda m, t, l: m.xlogy(t, 2.0)),
        (lambda m, t, l: m.maximum(t, l)),
        (lambda m, t, l: m.fmax(t, l)),
    ]
    for case in cases:
        assert case(numtorch, x, lo).grad_fn.name() == case(torch, tx, tlo).grad_fn.name()


def test_type_promotion():
    i, ti = numtorch.tensor([1, 2]), torch.tensor([1, 2])
    f, tf = numtorch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    d0, td0 = numtorch.tensor(2.0, dtype=numtorch.float64), torch.tensor(2.0, dtype=torch.float64)
    b, tb = numtorch.tensor([True, False]), torch.tensor([True, False])
    cases = [
        lambda m, i, f, d0, b: m.maximum(i, f),
        lambda m, i, f, d0, b: m.maximum(f, d0),
        lambda m, i, f, d0, b: m.atan2(i, i),
        lambda m, i, f, d0, b: m.fmod(i, 3),
        lambda m, i, f, d0, b: m.remainder(i, 1.5),
        lambda m, i, f, d0, b: m.clamp(i, 1.5),
        lambda m, i, f, d0, b: m.clamp(i, 0, 1),
        lambda m, i, f, d0, b: m.where(b, i, 1.5),
        lambda m, i, f, d0, b: m.where(b, 1, 0),
        lambda m, i, f, d0, b: m.where(b, 1.0, 0),
        lambda m, i, f, d0, b: m.where(b, f, d0),
        lambda m, i, f, d0, b: m.copysign(i, 1),
        lambda m, i, f, d0, b: m.xlogy(i, i),
        lambda m, i, f, d0, b: m.maximum(b, b),
        lambda m, i, f, d0, b: m.hypot(f, d0),
        lambda m, i, f, d0, b: m.minimum(i, b),
    ]
    for case in cases:
        r, tr = case(numtorch, i, f, d0, b), case(torch, ti, tf, td0, tb)
        assert str(r.dtype) == str(tr.dtype)
        np.testing.assert_allclose(r.numpy(), tr.numpy(), rtol=1e-6)


def test_integer_fmod_remainder():
    a, b = [5, -5, 7, -7], [3, 3, -2, -2]
    for name in ("fmod", "remainder"):
        r = getattr(numtorch, name)(numtorch.tensor(a), numtorch.tensor(b))
        assert r.tolist() == getattr(torch, name)(torch.tensor(a), torch.tensor(b)).tolist()
    assert (numtorch.tensor(a) % 3).tolist() == (torch.tensor(a) % 3).tolist()


def test_errors():
    x = numtorch.tensor([1.0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        numtorch.fmod(numtorch.tensor([1, 2]), 0)
    with pytest.raises(TypeError, match="must be Tensor"):
        numtorch.maximum(x, 2.0)
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        numtorch.clamp(x)
    with pytest.raises(RuntimeError, match="boolean tensor"):
        numtorch.where(x, x, x)
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        numtorch.lerp(x, x.double(), 0.5)
    with pytest.raises(NotImplementedError, match="hypot_cpu"):
        numtorch.hypot(numtorch.tensor([3]), numtorch.tensor([4]))


def test_inplace_and_out():
    a = np.array([-1.0, 0.5, 3.0], "float32")
    x, tx = numtorch.tensor(a), torch.tensor(a)
    assert x.clamp_(0, 1) is x
    tx.clamp_(0, 1)
    assert x.tolist() == tx.tolist() and x._version == 1
    for name, arg in (
        ("fmod_", 0.75),
        ("remainder_", 0.75),
        ("copysign_", -1.0),
        ("clamp_min_", 0.25),
        ("clamp_max_", 0.25),
        ("atan2_", x),
    ):
        y, ty = numtorch.tensor(a), torch.tensor(a)
        getattr(y, name)(arg)
        getattr(ty, name)(torch.tensor(arg.numpy()) if isinstance(arg, numtorch.Tensor) else arg)
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="can't be cast"):
        numtorch.tensor([1, 2]).clamp_(0.5)
    w = numtorch.tensor(a, requires_grad=True)
    y = w * 1
    y.clamp_(0, 1)
    assert y.grad_fn.name() == "ClampBackward1"
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0, 0.0]
    out = numtorch.empty(3)
    assert numtorch.maximum(x, x, out=out) is out


def test_return_where_one_arg_delegates():
    c = numtorch.tensor([True, False, True])
    (idx,) = numtorch.where(c)
    assert idx.tolist() == [0, 2]
