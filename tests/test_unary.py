"""Elementwise functions of one tensor (ops/unary.py, ops/special/erf.py) against PyTorch."""

import math

import numpy as np
import pytest
from helpers import check_op, gradcheck, torch

import numtorch


def both(name, **kw):
    """``name`` called the same way on numtorch and on torch."""
    return (lambda *a: getattr(numtorch, name)(*a, **kw), lambda *a: getattr(torch, name)(*a, **kw))


SHAPES = [[(3, 4)], [()], [(2, 1, 3)]]

# (name, input range): the range keeps each function on its smooth domain
SMOOTH = [
    ("exp", -2, 2),
    ("exp2", -2, 2),
    ("expm1", -2, 2),
    ("log", 0.2, 3),
    ("log2", 0.2, 3),
    ("log10", 0.2, 3),
    ("log1p", -0.5, 2),
    ("sqrt", 0.2, 3),
    ("rsqrt", 0.2, 3),
    ("sin", -3, 3),
    ("cos", -3, 3),
    ("tan", -1.2, 1.2),
    ("asin", -0.9, 0.9),
    ("acos", -0.9, 0.9),
    ("atan", -3, 3),
    ("sinh", -2, 2),
    ("cosh", -2, 2),
    ("tanh", -3, 3),
    ("asinh", -3, 3),
    ("acosh", 1.2, 3),
    ("atanh", -0.9, 0.9),
    ("sigmoid", -6, 6),
    ("erf", -3, 3),
    ("erfc", -3, 3),
    ("erfinv", -0.9, 0.9),
    ("sinc", -2, 2),
    ("frac", 0.1, 0.9),
    ("deg2rad", -90, 90),
    ("rad2deg", -2, 2),
    ("abs", 0.1, 2),
    ("relu", 0.1, 2),
    ("nan_to_num", -2, 2),
    ("square", -2, 2),
    ("reciprocal", 0.5, 2),
    ("neg", -2, 2),
]


@pytest.mark.parametrize("name,low,high", SMOOTH, ids=[s[0] for s in SMOOTH])
@pytest.mark.parametrize("shapes", SHAPES, ids=["2d", "0d", "3d"])
def test_smooth(name, low, high, shapes):
    fn, tfn = both(name)
    check_op(fn, shapes, tfn, low=low, high=high, second_order=name not in ("frac",))


STEPS = ["sign", "sgn", "floor", "ceil", "round", "trunc"]


@pytest.mark.parametrize("name", STEPS)
def test_piecewise_constant(name):
    fn, tfn = both(name)
    # torch gives sgn a lazily-zero gradient that cannot be read back: compare values only
    check_op(fn, [(4, 5)], tfn, low=-3, high=3, atol=0, rtol=0, grad=name != "sgn")


@pytest.mark.parametrize("name", ["abs", "relu", "sign", "sinc", "frac", "sqrt", "log"])
def test_special_points(name):
    """Kinks and poles: abs and relu have derivative 0 at 0, sinc's is 0 at 0."""
    vals = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, math.inf, -math.inf, math.nan]
    x, tx = numtorch.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    y, ty = getattr(numtorch, name)(x), getattr(torch, name)(tx)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    finite = np.isfinite(vals)  # PyTorch's gradients at inf and NaN are not all meaningful
    np.testing.assert_allclose(x.grad.numpy()[finite], tx.grad.numpy()[finite], rtol=1e-6)


@pytest.mark.parametrize("name", [s[0] for s in SMOOTH if s[0] != "frac"] + ["sign", "floor"])
def test_grad_fn_names_and_int_promotion(name):
    x = numtorch.tensor([0.5, 0.25], requires_grad=True)
    tx = torch.tensor([0.5, 0.25], requires_grad=True)
    assert getattr(numtorch, name)(x).grad_fn.name() == getattr(torch, name)(tx).grad_fn.name()
    i, ti = numtorch.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    assert str(getattr(numtorch, name)(i).dtype) == str(getattr(torch, name)(ti).dtype)


def test_grad_fn_names_misc():
    x, tx = numtorch.tensor([1.25], requires_grad=True), torch.tensor([1.25], requires_grad=True)
    assert numtorch.round(x, decimals=1).grad_fn.name() == "RoundBackward1"
    assert torch.round(tx, decimals=1).grad_fn.name() == "RoundBackward1"


@pytest.mark.parametrize("decimals", [-1, 0, 1, 2, 3])
def test_round_decimals(decimals):
    a = np.random.default_rng(0).uniform(-500, 500, 50).astype("float64")
    np.testing.assert_allclose(
        numtorch.round(numtorch.tensor(a), decimals=decimals).numpy(),
        torch.round(torch.tensor(a), decimals=decimals).numpy(),
    )


def test_round_half_even():
    x = numtorch.tensor([0.5, 1.5, 2.5, -0.5, -1.5])
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]


def test_noncontiguous_input():
    a = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
    x, tx = numtorch.tensor(a).t(), torch.tensor(a).t()
    for name in ("exp", "tanh", "sigmoid", "abs", "erf"):
        np.testing.assert_allclose(
            getattr(numtorch, name)(x).numpy(),
            getattr(torch, name)(tx).numpy(),
            rtol=1e-6,
            atol=1e-7,
        )


def test_empty():
    x = numtorch.zeros(0, 3, requires_grad=True)
    y = x.exp().sigmoid().erf()
    assert y.shape == (0, 3)
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def test_errors_on_bool_and_int():
    b, i = numtorch.tensor([True, False]), numtorch.tensor([1, 2])
    with pytest.raises(NotImplementedError, match="abs_cpu"):
        numtorch.abs(b)
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        numtorch.relu(b)
    with pytest.raises(NotImplementedError, match="frac_cpu"):
        numtorch.frac(i)
    with pytest.raises(NotImplementedError, match="floor_vml_cpu"):
        numtorch.floor(b)
    assert numtorch.sign(b).tolist() == [True, False]
    assert numtorch.floor(i).dtype is numtorch.int64
    assert numtorch.relu(numtorch.tensor([-1, 2], dtype=numtorch.int32)).tolist() == [0, 2]


@pytest.mark.parametrize(
    "name",
    [
        "exp",
        "sigmoid",
        "relu",
        "tanh",
        "abs",
        "sqrt",
        "erf",
        "floor",
        "sign",
        "nan_to_num",
        "trunc",
        "rsqrt",
    ],
)
def test_inplace(name):
    a = np.random.default_rng(2).uniform(0.1, 2, (3, 4)).astype("float32")
    x, tx = numtorch.tensor(a), torch.tensor(a)
    ret = getattr(x, name + "_")()
    getattr(tx, name + "_")()
    assert ret is x and x._version == 1
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-6)
    # through the graph: an in-place op on a non-leaf is differentiated like the op
    w, tw = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = w * 2, tw * 2
    getattr(y, name + "_")()
    getattr(ty, name + "_")()
    assert y.grad_fn.name() == ty.grad_fn.name()
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    # 1 - tanh^2 near 1 magnifies the last-bit differences of the two tanh implementations
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_inplace_errors():
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        numtorch.tensor([1, 2]).exp_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        numtorch.tensor([1.0], requires_grad=True).sigmoid_()


def test_out():
    x = numtorch.tensor([0.0, 1.0])
    out = numtorch.empty(2)
    assert numtorch.exp(x, out=out) is out
    np.testing.assert_allclose(out.numpy(), np.exp([0.0, 1.0]).astype("float32"))


def test_sigmoid_tanh_extremes_and_second_order():
    vals = [-1000.0, -100.0, -88.0, -20.0, 0.0, 20.0, 100.0, 1000.0]
    for dt, tdt in ((numtorch.float32, torch.float32), (numtorch.float64, torch.float64)):
        for name in ("sigmoid", "tanh"):
            x = numtorch.tensor(vals, dtype=dt, requires_grad=True)
            tx = torch.tensor(vals, dtype=tdt, requires_grad=True)
            y, ty = getattr(numtorch, name)(x), getattr(torch, name)(tx)
            np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
            (g,) = numtorch.autograd.grad(y.sum(), x, create_graph=True)
            (tg,) = torch.autograd.grad(ty.sum(), tx, create_graph=True)
            np.testing.assert_allclose(
                g.detach().numpy(), tg.detach().numpy(), atol=1e-30, rtol=1e-6
            )
            g.sum().backward()
            tg.sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-30, rtol=1e-5)


def _ulps(a, b):
    finite = np.isfinite(b) & (b != 0)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    return np.max(np.abs(a[finite] - b[finite]) / np.spacing(np.abs(b[finite])))


def test_erf_family_float64_accuracy():
    x = np.concatenate(
        [
            np.linspace(-30, 30, 60001),
            [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, 0.46875, 4.0, 26.7],
        ]
    )
    tx = torch.tensor(x)
    assert _ulps(numtorch.erf(numtorch.tensor(x)).numpy(), torch.erf(tx).numpy()) <= 4
    assert _ulps(numtorch.erfc(numtorch.tensor(x)).numpy(), torch.erfc(tx).numpy()) <= 8
    y = np.concatenate(
        [
            np.linspace(-1, 1, 40001),
            1 - np.logspace(-16, -1, 300),
            [np.nan, 2.0, -2.0, 1e-300, -0.0],
        ]
    )
    got = numtorch.erfinv(numtorch.tensor(y)).numpy()
    assert _ulps(got, torch.erfinv(torch.tensor(y)).numpy()) <= 8


def test_erf_float32():
    a = np.random.default_rng(3).standard_normal(10000).astype("float32") * 3
    np.testing.assert_allclose(
        numtorch.erf(numtorch.tensor(a)).numpy(), torch.erf(torch.tensor(a)).numpy(), atol=1.2e-7
    )
    u = np.random.default_rng(4).uniform(-0.999, 0.999, 10000).astype("float32")
    np.testing.assert_allclose(
        numtorch.erfinv(numtorch.tensor(u)).numpy(),
        torch.erfinv(torch.tensor(u)).numpy(),
        rtol=3e-7,
    )


def test_erf_gradcheck_without_torch():
    gradcheck(numtorch.erf, [np.array([-1.5, 0.1, 2.0])])
    gradcheck(numtorch.erfinv, [np.array([-0.7, 0.1, 0.5])])


@pytest.mark.parametrize("kw", [{}, {"nan": 1.5}, {"posinf": 9.0, "neginf": -9.0}])
def test_nan_to_num(kw):
    vals = [math.nan, math.inf, -math.inf, 1.0]
    for dt, tdt in ((numtorch.float32, torch.float32), (numtorch.float64, torch.float64)):
        x = numtorch.tensor(vals, dtype=dt, requires_grad=True)
        tx = torch.tensor(vals, dtype=tdt, requires_grad=True)
        y, ty = numtorch.nan_to_num(x, **kw), torch.nan_to_num(tx, **kw)
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"])
def test_classification(name):
    vals = [math.nan, math.inf, -math.inf, 1.0, -0.0]
    assert (
        getattr(numtorch, name)(numtorch.tensor(vals)).tolist()
        == getattr(torch, name)(torch.tensor(vals)).tolist()
    )
    assert (
        getattr(numtorch, name)(numtorch.tensor([1, -2])).tolist()
        == getattr(torch, name)(torch.tensor([1, -2])).tolist()
    )
