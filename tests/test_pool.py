"""Pooling functions and layers against torch."""

import numpy as np
import pytest
from helpers import assert_close, check_op, torch

import numtorch as nt
import numtorch.nn as nn


def F(t):
    return nt.nn.functional if isinstance(t, nt.Tensor) else torch.nn.functional


@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=3, stride=2, ceil_mode=True),
        dict(kernel_size=2, dilation=2, padding=1),
    ],
    ids=str,
)
def test_max_pool(kw):
    # distinct values keep the argmax (and so the gradient) well defined
    check_op(lambda x: F(x).max_pool2d(x, **kw), [(2, 3, 7, 8)], second_order=False)
    check_op(lambda x: F(x).max_pool1d(x, **kw), [(2, 3, 9)], second_order=False)


def test_max_pool3d_and_indices():
    check_op(lambda x: F(x).max_pool3d(x, 2, padding=1), [(1, 2, 4, 5, 3)], second_order=False)
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype("float32")
    a = nt.nn.functional.max_pool2d(nt.tensor(x), 3, 2, 1, return_indices=True, ceil_mode=True)
    b = (
        torch.nn.functional.max_pool2d(
            torch.tensor(x), 3, 2, 1, return_indices=True, ceil_mode=True
        )
        if torch
        else None
    )
    if b is not None:
        assert_close(a[0], b[0])
        assert_close(a[1], b[1])


@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        dict(kernel_size=3, padding=1, ceil_mode=True, stride=2),
    ],
    ids=str,
)
def test_avg_pool(kw):
    check_op(lambda x: F(x).avg_pool2d(x, **kw), [(2, 3, 7, 8)], second_order=len(kw) == 1)
    check_op(lambda x: F(x).avg_pool1d(x, **kw), [(2, 3, 9)], second_order=False)


def test_avg_pool_divisor_and_3d():
    check_op(
        lambda x: F(x).avg_pool2d(x, 3, 1, 1, divisor_override=4),
        [(1, 2, 5, 5)],
        second_order=False,
    )
    check_op(lambda x: F(x).avg_pool3d(x, 2, 1), [(1, 2, 3, 4, 3)], second_order=False)


@pytest.mark.parametrize("size", [1, (3, 5), (3, 4), (None, 2)], ids=str)
def test_adaptive(size):
    check_op(lambda x: F(x).adaptive_avg_pool2d(x, size), [(2, 3, 9, 8)])
    check_op(lambda x: F(x).adaptive_max_pool2d(x, size), [(2, 3, 9, 8)], second_order=False)


def test_adaptive_1d_3d():
    check_op(lambda x: F(x).adaptive_avg_pool1d(x, 4), [(2, 3, 10)], second_order=False)
    check_op(
        lambda x: F(x).adaptive_avg_pool3d(x, (2, 3, 2)), [(1, 2, 5, 6, 4)], second_order=False
    )
    check_op(lambda x: F(x).adaptive_max_pool1d(x, 3), [(2, 3, 10)], second_order=False)


def test_lp_pool_and_unpool():
    check_op(lambda x: F(x).lp_pool2d(x, 2, 3, 2), [(2, 3, 7, 7)], low=0.5, second_order=False)

    def unpool(x):
        f = F(x)
        out, idx = f.max_pool2d(x, 2, return_indices=True)
        return f.max_unpool2d(out, idx, 2)

    check_op(unpool, [(2, 3, 6, 4)], second_order=False)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True),
        lambda m: m.MaxPool1d(2),
        lambda m: m.MaxPool3d(2),
        lambda m: m.AvgPool2d(3, 1, 1, count_include_pad=False),
        lambda m: m.AvgPool1d(3),
        lambda m: m.AvgPool3d(2),
        lambda m: m.AdaptiveAvgPool2d((3, None)),
        lambda m: m.AdaptiveAvgPool1d(2),
        lambda m: m.AdaptiveMaxPool2d(3),
        lambda m: m.LPPool2d(2, 2),
        lambda m: m.LPPool1d(1.5, 2),
    ],
    ids=range(11),
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(make, dtype):
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    nd = 1 if "1d" in type(a).__name__ else 3 if "3d" in type(a).__name__ else 2
    shape = {1: (2, 3, 8), 2: (2, 3, 6, 7), 3: (1, 2, 4, 4, 6)}[nd]
    x = np.abs(np.random.default_rng(0).standard_normal(shape)).astype(dtype) + 0.1
    xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a(xa), b(xb)
    assert_close(ya, yb)
    ya.sum().backward()
    yb.sum().backward()
    assert_close(xa.grad, xb.grad)


def test_unpool_layer_repr():
    assert repr(nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    assert repr(nn.MaxUnpool1d(3, 2)) == repr(torch.nn.MaxUnpool1d(3, 2))


@pytest.mark.parametrize(
    "call,error",
    [
        (lambda f: f.max_pool2d(nt.randn(1, 1, 4, 4), 3, padding=2), "pad should be at most half"),
        (lambda f: f.max_pool2d(nt.randn(1, 1, 2, 2), 5), "Output size is too small"),
        (lambda f: f.max_pool2d(nt.randn(4, 4), 2), "3D or 4D (batch mode) tensor expected"),
    ],
)
def test_errors(call, error):
    with pytest.raises(RuntimeError, match=__import__("re").escape(error)):
        call(nt.nn.functional)


def _tied(shape, seed=0):
    """Values from a small set (many ties within a window), some NaNs and -infs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=shape).astype("float64")
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, max(flat.size // 20, 1), replace=False)] = np.nan
    flat[rng.choice(flat.size, max(flat.size // 20, 1), replace=False)] = -np.inf
    return x


@pytest.mark.parametrize(
    "nd,kw",
    [
        (2, dict(kernel_size=2)),
        (2, dict(kernel_size=(2, 3))),
        (1, dict(kernel_size=3)),
        (3, dict(kernel_size=2)),
        (2, dict(kernel_size=3, stride=1, padding=1)),
        (2, dict(kernel_size=3, stride=2, ceil_mode=True)),
        (2, dict(kernel_size=2, dilation=2)),
        (2, dict(kernel_size=9, stride=3)),  # beyond SEQ_LIMIT: the gathered-window path
    ],
    ids=str,
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool_ties_nan(nd, kw, dtype):
    # PyTorch keeps the first of tied maxima and the last NaN of a window
    shape = {1: (2, 3, 12), 2: (2, 3, 12, 18), 3: (1, 2, 4, 6, 4)}[nd]
    x = _tied(shape).astype(dtype)
    fa = getattr(nt.nn.functional, f"max_pool{nd}d")
    fb = getattr(torch.nn.functional, f"max_pool{nd}d")
    xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    va, ia = fa(xa, return_indices=True, **kw)
    vb, ib = fb(xb, return_indices=True, **kw)
    assert_close(va, vb)
    assert_close(ia, ib)
    g = np.random.default_rng(1).standard_normal(tuple(vb.shape)).astype(dtype)
    va.backward(nt.tensor(g))
    vb.backward(torch.tensor(g))
    assert_close(xa.grad, xb.grad)
    if nd > 1:  # PyTorch's 1-d form ends in a squeeze of a 2-d pooling
        assert va.grad_fn.name() == vb.grad_fn.name()


def test_pool_after_relu_matches_torch():
    # ReLU zeros tie inside pooling windows: the gradient goes to the first zero, as in PyTorch
    x = np.random.default_rng(2).standard_normal((4, 6, 24, 24)).astype("float32")
    xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = nt.nn.functional.max_pool2d(xa.relu(), 2)
    yb = torch.nn.functional.max_pool2d(xb.relu(), 2)
    assert_close(ya, yb)
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    assert_close(xa.grad, xb.grad)


@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=(3, 2)),
        dict(kernel_size=2, divisor_override=3),
        dict(kernel_size=9, stride=3),
    ],
    ids=str,
)
def test_avg_pool_blocks(kw):
    check_op(lambda x: F(x).avg_pool2d(x, **kw), [(2, 3, 12, 18)], second_order=False)


def test_max_pool_double_backward():
    # second order through the offset-scanned path (the gradient is a scatter to the maxima)
    from helpers import gradcheck

    gradcheck(
        lambda x: nt.nn.functional.max_pool2d(x, 2),
        [np.random.default_rng(3).standard_normal((1, 2, 4, 6))],
    )


def _fractional(m):
    F = m.nn.functional
    m.manual_seed(0)
    x = m.tensor(
        np.random.default_rng(0).standard_normal((1, 2, 7, 9)).astype("f4"), requires_grad=True
    )
    y, idx = F.fractional_max_pool2d(x, 2, output_size=(4, 5), return_indices=True)
    y.sum().backward()
    out = [y.detach().numpy(), idx.numpy(), x.grad.numpy(), y.grad_fn.name()]
    s = m.tensor([[[0.3, 0.8], [0.1, 0.95]]])
    out.append(
        F.fractional_max_pool2d(x, 3, output_size=(3, 3), return_indices=True, _random_samples=s)[
            1
        ].numpy()
    )
    out.append(m.nn.FractionalMaxPool2d(2, output_ratio=0.5)(x).detach().numpy())
    pool3 = m.nn.FractionalMaxPool3d((2, 1, 2), output_size=(2, 3, 2), return_indices=True)
    out.append(pool3(m.randn(2, 3, 5, 6, 4))[1].numpy())
    out.append(
        F.fractional_max_pool2d(m.randn(3, 8, 8), 3, output_ratio=(0.5, 0.6), return_indices=True)[
            1
        ].numpy()
    )
    out.append(
        F.fractional_max_pool2d(m.randn(2, 3, 20, 20, dtype=m.float64), 3, output_size=7)[0].numpy()
    )
    out.append(m.rand(2).numpy())  # the stream goes on alike
    return out


def test_fractional_max_pool_matches_pytorch():
    for a, b in zip(_fractional(nt), _fractional(torch)):
        if isinstance(a, str):
            assert a == b
        else:
            np.testing.assert_array_equal(a, b)
    with pytest.raises(RuntimeError, match="pool height 5 too large relative to input height 7"):
        nt.nn.functional.fractional_max_pool2d(nt.ones(1, 1, 7, 9), 5, output_size=(4, 5))
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
        nt.nn.FractionalMaxPool2d(2, output_ratio=1.5)
