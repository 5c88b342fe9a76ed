"""Convolutions, transposed convolutions, F.pad, unfold/fold and the Conv layers against torch."""

import math
import re

import numpy as np
import pytest
from helpers import assert_close, check_op, torch

import numtorch as nt
import numtorch.nn as nn


def F(t):
    """The functional module of the library ``t`` belongs to."""
    return nt.nn.functional if isinstance(t, nt.Tensor) else torch.nn.functional


CONV2D = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
    dict(groups=2),
    dict(groups=4, padding="same"),
    dict(padding="same", dilation=2),
    dict(padding="valid", stride=3),
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d(kw, bias):
    g = kw.get("groups", 1)
    out = 4 if g == 4 else 6
    shapes = [(2, 4, 6, 5), (out, 4 // g, 3, 2)] + ([(out,)] if bias else [])
    check_op(lambda x, w, *b: F(x).conv2d(x, w, *b, **kw), shapes, second_order=not kw)


@pytest.mark.parametrize(
    "kw",
    [dict(), dict(stride=2, padding=2, dilation=2), dict(groups=3), dict(padding="same")],
    ids=str,
)
def test_conv1d_conv3d(kw):
    check_op(
        lambda x, w, b: F(x).conv1d(x, w, b, **kw),
        [(2, 3, 9), (6, 3 // kw.get("groups", 1), 3), (6,)],
        atol=1e-4,
        second_order=False,
    )
    check_op(
        lambda x, w: F(x).conv3d(x, w, **kw),
        [(1, 3, 5, 4, 5), (3, 3 // kw.get("groups", 1), 2, 3, 2)],
        atol=1e-4,
        second_order=False,
    )


def test_conv_unbatched_and_depthwise():
    check_op(lambda x, w: F(x).conv2d(x, w, groups=3), [(3, 6, 5), (6, 1, 3, 3)])


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(stride=2, padding=1, output_padding=1),
        dict(stride=(2, 3), dilation=2, output_padding=(1, 0)),
        dict(groups=2, stride=2),
    ],
    ids=str,
)
def test_conv_transpose(kw):
    check_op(
        lambda x, w, b: F(x).conv_transpose2d(x, w, b, **kw),
        [(2, 4, 4, 3), (4, 3, 3, 2), (6 if kw.get("groups") else 3,)],
        atol=1e-4,
        second_order=not kw,
    )
    check_op(
        lambda x, w: F(x).conv_transpose1d(
            x, w, **{k: (v if isinstance(v, int) else v[0]) for k, v in kw.items()}
        ),
        [(2, 4, 5), (4, 3, 3)],
        atol=1e-4,
        second_order=False,
    )


def test_conv_transpose3d():
    check_op(
        lambda x, w: F(x).conv_transpose3d(x, w, stride=2),
        [(1, 2, 2, 3, 2), (2, 2, 2, 2, 2)],
        atol=1e-4,
        second_order=False,
    )


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("amounts", [(1, 2), (2, 1, 0, 3), (1, 1, 2, 0, 1, 1)], ids=str)
def test_pad_modes(mode, amounts):
    shape = (2, 3, 4, 5, 4)[: len(amounts) // 2 + 2]
    check_op(lambda x: F(x).pad(x, amounts, mode=mode), [shape], second_order=len(amounts) == 2)


def test_pad_constant_value_and_crop():
    check_op(lambda x: F(x).pad(x, (-1, 2, 1, -2), value=3.5), [(2, 5, 6)])
    check_op(lambda x: F(x).pad(x, (1, 1)), [(4,)])


def test_unfold_fold():
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    check_op(lambda x: F(x).unfold(x, **kw), [(2, 3, 6, 7)])
    check_op(lambda c: F(c).fold(c, (6, 7), **kw), [(2, 18, 20)])


@pytest.mark.parametrize(
    "call,error",
    [
        (lambda f, T: f.conv2d(T(2, 3), T(6, 3, 5, 5)), "Expected 3D (unbatched) or 4D"),
        (lambda f, T: f.conv2d(T(2, 3, 8, 8), T(6, 1, 5, 5)), "to have 1 channels, but got 3"),
        (lambda f, T: f.conv2d(T(2, 3, 4, 4), T(6, 3, 5, 5)), "Kernel size can't be greater"),
        (lambda f, T: f.conv2d(T(2, 4, 8, 8), T(3, 2, 3, 3), groups=2), "divisible by 2"),
        (
            lambda f, T: f.conv2d(T(2, 3, 8, 8), T(6, 3, 3, 3), padding="same", stride=2),
            "not supported for strided",
        ),
        (lambda f, T: f.conv2d(T(2, 3, 8, 8), T(6, 3, 3, 3), padding=-1), "negative padding"),
        (lambda f, T: f.conv2d(T(2, 3, 8, 8), T(6, 3, 3, 3), stride=(1, 1, 1)), "stride"),
        (lambda f, T: f.pad(T(1, 1, 3), (3, 3), mode="reflect"), "Padding size should be less"),
        (lambda f, T: f.pad(T(1, 1, 3), (3,)), "divisible by 2"),
        (lambda f, T: f.pad(T(1, 1, 3), (4, 4), mode="circular"), "wrapping around"),
    ],
)
def test_errors(call, error):
    with pytest.raises(RuntimeError, match=re.escape(error)):
        call(torch.nn.functional, lambda *s: torch.randn(*s))
    with pytest.raises(RuntimeError, match=re.escape(error)):
        call(nt.nn.functional, lambda *s: nt.randn(*s))


def test_dtype_mismatch_errors():
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        nt.nn.functional.conv2d(nt.randn(1, 1, 4, 4).double(), nt.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match=r"Input type \(float\) and bias type \(double\)"):
        nt.nn.functional.conv2d(nt.randn(1, 1, 4, 4), nt.randn(1, 1, 3, 3), nt.randn(1).double())


LAYERS = [
    lambda m: m.Conv2d(4, 6, 3),
    lambda m: m.Conv2d(4, 8, (3, 2), stride=2, padding=1, groups=2, bias=False),
    lambda m: m.Conv2d(4, 6, 3, padding="same", padding_mode="reflect", dilation=2),
    lambda m: m.Conv2d(4, 6, 3, padding=2, padding_mode="circular"),
    lambda m: m.Conv2d(4, 6, 3, padding=(1, 2), padding_mode="replicate"),
    lambda m: m.Conv1d(4, 6, 3, stride=2, padding="valid"),
    lambda m: m.Conv3d(4, 2, 2),
    lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1),
    lambda m: m.ConvTranspose1d(4, 2, 3, groups=2, dilation=2),
    lambda m: m.ConvTranspose3d(4, 2, 2, bias=False),
]
INPUTS = {1: (2, 4, 9), 2: (2, 4, 7, 8), 3: (1, 4, 4, 5, 3)}


@pytest.mark.parametrize("make", LAYERS, ids=range(len(LAYERS)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers_match_torch(make, dtype):
    nt.manual_seed(7)
    torch.manual_seed(7)
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())  # same init
    if dtype == "float64":
        a, b = a.double(), b.double()
    x = np.random.default_rng(0).standard_normal(INPUTS[len(a.kernel_size)]).astype(dtype)
    xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a(xa), b(xb)
    assert_close(ya, yb)
    g = np.random.default_rng(1).standard_normal(yb.shape).astype(dtype)
    ya.backward(nt.tensor(g))
    yb.backward(torch.tensor(g))
    assert_close(xa.grad, xb.grad)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert_close(pa.grad, pb.grad)


def test_conv_transpose_output_size():
    nt.manual_seed(0)
    torch.manual_seed(0)
    a, b = nn.ConvTranspose2d(3, 2, 3, stride=2), torch.nn.ConvTranspose2d(3, 2, 3, stride=2)
    x = np.random.default_rng(0).standard_normal((1, 3, 4, 4)).astype("float32")
    assert_close(a(nt.tensor(x), output_size=[10, 10]), b(torch.tensor(x), output_size=[10, 10]))
    with pytest.raises(ValueError, match="requested an output size"):
        a(nt.tensor(x), output_size=[12, 12])


def test_layer_construction_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="Invalid padding string"):
        nn.Conv2d(3, 6, 3, padding="full")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 6, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(3, 6, 3, padding_mode="reflect")


def test_one_im2col_buffer_per_layer():
    """Backward keeps the forward's im2col buffer and builds no second one."""
    x = nt.randn(8, 3, 16, 16, requires_grad=True)
    w = nt.randn(4, 3, 5, 5, requires_grad=True)
    y = nt.nn.functional.conv2d(x, w)
    cols = y.grad_fn._saved[2]
    assert cols.shape == (1, 3 * 25, 8 * 12 * 12)
    big = cols.size
    seen = []
    orig = np.zeros

    def spy(shape, *a, **k):
        out = orig(shape, *a, **k)
        seen.append(out.size)
        return out

    np.zeros, saved = spy, np.zeros
    try:
        y.sum().backward()
    finally:
        np.zeros = saved
    assert all(s < big for s in seen)
    assert math.isfinite(float(x.grad.sum()))
