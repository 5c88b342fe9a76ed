"""nn.functional activations against PyTorch: values, input gradients, float32/float64, and
float64 finite-difference checks (first and second order)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op, gradcheck, rand_arrays
from oracle import torch

import numtorch
import numtorch.nn.functional as F

TF = torch.nn.functional

# (name, kwargs, second-order check): every activation with PyTorch's signature
ACTIVATIONS = [
    ("relu", {}, True),
    ("relu6", {}, True),
    ("hardtanh", {"min_val": -0.5, "max_val": 1.5}, True),
    ("elu", {"alpha": 1.3}, True),
    ("selu", {}, True),
    ("celu", {"alpha": 0.7}, True),
    ("leaky_relu", {"negative_slope": 0.2}, True),
    ("gelu", {}, True),
    ("gelu", {"approximate": "tanh"}, True),
    ("silu", {}, True),
    ("mish", {}, True),
    ("logsigmoid", {}, True),
    ("softplus", {}, True),
    ("softplus", {"beta": 2, "threshold": 1}, True),
    ("softsign", {}, True),
    ("softshrink", {"lambd": 0.3}, True),
    ("hardshrink", {"lambd": 0.3}, True),
    ("tanhshrink", {}, True),
    ("hardsigmoid", {}, True),
    ("hardswish", {}, True),
    ("threshold", {"threshold": 0.1, "value": -2.0}, True),
    ("sigmoid", {}, True),
    ("tanh", {}, True),
]


@pytest.mark.parametrize(
    "name,kwargs,second", ACTIVATIONS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)]
)
@pytest.mark.parametrize("shape", [(3, 5), (), (2, 3, 4)])
def test_activation_matches_torch(name, kwargs, second, shape):
    check_op(
        lambda x: getattr(F, name)(x, **kwargs),
        [shape],
        torch_fn=lambda x: getattr(TF, name)(x, **kwargs),
        low=-4,
        high=4,
        second_order=second and shape == (3, 5),
    )


@pytest.mark.parametrize(
    "name",
    [
        "relu",
        "elu",
        "leaky_relu",
        "hardtanh",
        "silu",
        "selu",
        "hardswish",
        "hardsigmoid",
        "mish",
        "celu",
        "relu6",
    ],
)
def test_inplace_activation(name):
    a = rand_arrays([(4, 3)], "float32", -3, 3)[0]
    x = numtorch.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y = x * 1
    ty = tx * 1
    out = getattr(F, name)(y, inplace=True)
    tout = getattr(TF, name)(ty, inplace=True)
    assert out is y
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_grad_fn_names():
    x = numtorch.randn(3, 4, requires_grad=True)
    tx = torch.randn(3, 4, requires_grad=True)
    for name in [
        "relu6",
        "elu",
        "selu",
        "celu",
        "gelu",
        "silu",
        "mish",
        "logsigmoid",
        "softplus",
        "softshrink",
        "hardshrink",
        "hardsigmoid",
        "hardswish",
        "leaky_relu",
        "hardtanh",
        "glu",
        "sigmoid",
    ]:
        assert getattr(F, name)(x).grad_fn.name() == getattr(TF, name)(tx).grad_fn.name(), name
    assert F.softmax(x, 1).grad_fn.name() == "SoftmaxBackward0"
    assert F.log_softmax(x, 1).grad_fn.name() == "LogSoftmaxBackward0"
    assert F.threshold(x, 0.1, 2.0).grad_fn.name() == "ThresholdBackward0"


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize(
    "shape,dim", [((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((4,), 0), ((), 0)]
)
def test_softmax_family(fn, shape, dim):
    check_op(
        lambda x: getattr(F, fn)(x, dim),
        [shape],
        torch_fn=lambda x: getattr(TF, fn)(x, dim),
        low=-5,
        high=5,
        second_order=shape == (3, 5),
    )


def test_softmax_dtype_argument_and_implicit_dim():
    x = numtorch.randn(2, 3)
    assert F.softmax(x, 1, dtype=numtorch.float64).dtype == numtorch.float64
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(x)
    np.testing.assert_allclose(y.numpy(), TF.softmax(torch.tensor(x.numpy()), 1).numpy(), rtol=1e-6)


def test_log_softmax_is_stable_for_huge_logits():
    a = np.array([[1e4, -1e4, 0.0], [5e3, 5e3, -5e3]], dtype=np.float32)
    x = numtorch.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    out, tout = F.log_softmax(x, 1), TF.log_softmax(tx, 1)
    assert np.isfinite(out.detach().numpy()).all()
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy())
    out.sum().backward()
    tout.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_glu(dim):
    check_op(lambda x: F.glu(x, dim), [(4, 6)], torch_fn=lambda x: TF.glu(x, dim))


def test_glu_odd_dim_error():
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(numtorch.randn(3, 5))


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4)])
def test_prelu(channels, shape):
    w = rand_arrays([(channels,)], "float64", 0.1, 0.5, seed=3)[0]

    def nt_fn(x, weight):
        return F.prelu(x, weight)

    check_op(nt_fn, [shape, (channels,)], torch_fn=lambda x, weight: TF.prelu(x, weight))
    del w


def test_prelu_channel_mismatch():
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel"):
        F.prelu(numtorch.randn(2, 3), numtorch.ones(2))


def test_rrelu_eval_and_training():
    a = rand_arrays([(5, 4)], "float32", -2, 2)[0]
    out = F.rrelu(numtorch.tensor(a), 0.1, 0.3, training=False)
    ref = TF.rrelu(torch.tensor(a), 0.1, 0.3, training=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    x = numtorch.tensor(a, requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    slope = y.detach().numpy()[a < 0] / a[a < 0]
    assert ((slope >= 0.1) & (slope <= 0.3)).all()
    np.testing.assert_array_equal(y.detach().numpy()[a > 0], a[a > 0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[a < 0], slope, rtol=1e-6)


def test_activation_errors():
    with pytest.raises(RuntimeError, match="approximate argument"):
        F.gelu(numtorch.randn(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(numtorch.randn(2), 1.0, -1.0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(numtorch.randn(2, 3), 2)


def test_extreme_inputs_are_finite():
    a = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4], dtype=np.float32)
    for name in ["silu", "mish", "logsigmoid", "softplus", "gelu", "elu", "selu", "celu"]:
        x = numtorch.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        out, tout = getattr(F, name)(x), getattr(TF, name)(tx)
        np.testing.assert_allclose(
            out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, err_msg=name
        )
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(
            x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7, err_msg=name
        )


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1])
def test_gradcheck_softmax_second_order(fn, dim):
    gradcheck(lambda x: getattr(F, fn)(x, dim), rand_arrays([(3, 2)], "float64", seed=5))


def test_gumbel_softmax_matches_torch_with_the_same_seed():
    from oracle import torch

    x = np.random.default_rng(0).random((3, 5)).astype("f4")
    for hard in (False, True):
        numtorch.manual_seed(0)
        torch.manual_seed(0)
        a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya = numtorch.nn.functional.gumbel_softmax(a, tau=0.5, hard=hard)
        yb = torch.nn.functional.gumbel_softmax(b, tau=0.5, hard=hard)
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-6)
        w = np.arange(15, dtype="f4").reshape(3, 5)
        (ya * numtorch.tensor(w)).sum().backward()
        (yb * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-5)


def test_gelu_float32_kernel_is_within_a_few_ulps():
    # float32 GELU has a kernel of its own (a rational tail times exp(-x^2/2)); the float64
    # path, erf to float64 rounding, is the reference where 1 + erf keeps float32's digits
    x = np.concatenate(
        [np.linspace(-6, 8, 400001, dtype=np.float32), np.float32([0.0, -0.0, 1e-30, -1e-30])]
    )
    got = numtorch.tensor(x, requires_grad=True)
    ref = numtorch.tensor(x.astype(np.float64), requires_grad=True)
    out, ref_out = F.gelu(got), F.gelu(ref)
    assert out.dtype == numtorch.float32
    exact = ref_out.detach().numpy()
    ulps = np.abs(out.detach().numpy() - exact) / np.spacing(np.abs(exact).astype(np.float32))
    near = np.abs(x) <= 4
    assert ulps[near].max() <= 16 and ulps.max() <= 32
    out.sum().backward()
    ref_out.sum().backward()
    np.testing.assert_allclose(got.grad.numpy(), ref.grad.numpy(), rtol=4e-6, atol=1e-7)


def test_gelu_float32_matches_torch_over_many_inputs():
    a = np.random.default_rng(7).standard_normal(100000).astype(np.float32) * 4
    a = np.concatenate([a, np.float32([-np.inf, np.nan, 1e7, -1e7, 0.0, -0.0])])
    x = numtorch.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    out, tout = F.gelu(x), TF.gelu(tx)
    # PyTorch's float32 GELU is itself an approximation, off by up to ~1.2e-6
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, atol=2e-6)
    g = np.random.default_rng(8).standard_normal(a.shape).astype(np.float32)
    out.backward(numtorch.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("offset", [0.0, 100.0], ids=["one-shift", "row-shifts"])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_family_float32_rows_close_to_torch(fn, offset):
    # rows whose maxima lie close together share one shift; far apart, each row takes its own
    rng = np.random.default_rng(11)
    a = rng.standard_normal((64, 300)).astype(np.float32) * 3
    a += np.arange(64, dtype=np.float32)[:, None] * np.float32(offset)
    g = rng.standard_normal(a.shape).astype(np.float32)
    x, tx = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = getattr(F, fn)(x, 1), getattr(TF, fn)(tx, 1)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=2e-6, atol=1e-7)
    out.backward(numtorch.tensor(g))
    tout.backward(torch.tensor(g))
    # the gradient cancels (g - softmax * sum(g)): float32 sums in another order differ at ~1e-6
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=5e-6)
