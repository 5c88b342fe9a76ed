"""interpolate / Upsample, grid_sample / affine_grid and the pixel/channel shuffles against
torch."""

import re
import warnings

import numpy as np
import pytest
from helpers import assert_close, check_op, compare_with_torch, gradcheck, torch

import numtorch as nt
import numtorch.nn as nn


def F(t):
    return nt.nn.functional if isinstance(t, nt.Tensor) else torch.nn.functional


def lib(t):
    return nt if isinstance(t, nt.Tensor) else torch


_SHAPES = {1: (2, 3, 5), 2: (2, 3, 5, 6), 3: (1, 2, 4, 5, 3)}
_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _interp_cases():
    specs = [
        dict(scale_factor=2),
        dict(scale_factor=0.5),
        dict(scale_factor=1.7),
        dict(scale_factor=0.37),
        dict(size=7),
        dict(size=1),
        dict(scale_factor=2.1),
        dict(scale_factor=1.1),
        dict(scale_factor=2.6, recompute_scale_factor=True),
    ]
    for nd in (1, 2, 3):
        modes = ["nearest", "nearest-exact", _LINEAR[nd], "area"] + (["bicubic"] if nd == 2 else [])
        for mode in modes:
            aligns = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
            for ac in aligns:
                for spec in specs:
                    yield nd, mode, ac, spec


@pytest.mark.parametrize("nd,mode,ac,spec", list(_interp_cases()), ids=str)
def test_interpolate_matches_torch(nd, mode, ac, spec):
    # values and input gradients in float32 and float64, including PyTorch's size shortcuts
    # (equal or doubled sizes) whatever the scale factor says
    for dt in ("float32", "float64"):
        x = np.random.default_rng(0).standard_normal(_SHAPES[nd]).astype(dt)
        compare_with_torch(lambda t: F(t).interpolate(t, mode=mode, align_corners=ac, **spec), [x])


@pytest.mark.parametrize(
    "nd,mode,ac,spec",
    [
        (1, "linear", False, dict(scale_factor=1.7)),
        (1, "nearest", None, dict(size=8)),
        (2, "bilinear", True, dict(size=(4, 7))),
        (2, "bicubic", False, dict(scale_factor=1.5)),
        (2, "bicubic", True, dict(size=(3, 8))),
        (2, "nearest-exact", None, dict(size=(3, 9))),
        (3, "trilinear", False, dict(size=(3, 4, 5))),
        (2, "area", None, dict(size=(3, 4))),
        (2, "nearest", None, dict(scale_factor=2)),
        (3, "nearest", None, dict(scale_factor=(1, 2, 3))),
    ],
    ids=str,
)
def test_interpolate_gradcheck(nd, mode, ac, spec):
    # float64 finite differences, first and second order (the adjoint's own gradient)
    shape = {1: (1, 2, 5), 2: (1, 2, 4, 5), 3: (1, 1, 3, 4, 3)}[nd]
    check_op(
        lambda t: F(t).interpolate(t, mode=mode, align_corners=ac, **spec),
        [shape],
        dtypes=("float64",),
    )


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic", "nearest-exact"])
def test_interpolate_names_noncontiguous_empty(mode):
    x = np.random.default_rng(1).standard_normal((3, 2, 6, 5)).astype("float32")
    a = nt.tensor(x, requires_grad=True).transpose(2, 3)
    b = torch.tensor(x, requires_grad=True).transpose(2, 3)
    ya = F(a).interpolate(a, size=(4, 9), mode=mode)
    yb = F(b).interpolate(b, size=(4, 9), mode=mode)
    assert_close(ya, yb)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    ea = F(a).interpolate(a[:0], scale_factor=2, mode=mode)
    eb = F(b).interpolate(b[:0], scale_factor=2, mode=mode)
    assert_close(ea, eb)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
def test_interpolate_uint8(mode):
    x = np.random.default_rng(2).integers(0, 256, (1, 3, 7, 9)).astype("uint8")
    a = F(nt.tensor(x)).interpolate(nt.tensor(x), size=(11, 5), mode=mode)
    b = torch.nn.functional.interpolate(torch.tensor(x), size=(11, 5), mode=mode)
    assert str(a.dtype) == "torch.uint8"
    # NOTE: PyTorch rounds after each separable pass in fixed point; numtorch once, in float
    tol = 0 if mode.startswith("nearest") else 1
    assert np.abs(a.numpy().astype(int) - b.numpy().astype(int)).max() <= tol


_ERRORS = [
    lambda f, x: f.interpolate(x, size=3, scale_factor=2),
    lambda f, x: f.interpolate(x),
    lambda f, x: f.interpolate(x, size=(3,)),
    lambda f, x: f.interpolate(x, size=(3, 4.0)),
    lambda f, x: f.interpolate(x, scale_factor=(2,)),
    lambda f, x: f.interpolate(x, size=3, recompute_scale_factor=True),
    lambda f, x: f.interpolate(x, size=3, align_corners=True),
    lambda f, x: f.interpolate(x, size=3, mode="area", align_corners=False),
    lambda f, x: f.interpolate(x, size=3, mode="linear"),
    lambda f, x: f.interpolate(x, size=3, mode="trilinear"),
    lambda f, x: f.interpolate(x[0], size=3, mode="bilinear"),
    lambda f, x: f.interpolate(x[0, 0], size=3),
    lambda f, x: f.interpolate(x[None], size=3, mode="bicubic"),
    lambda f, x: f.interpolate(x, size=3, mode="bogus"),
    lambda f, x: f.interpolate(x, size=0),
    lambda f, x: f.interpolate(x[:, :, 0], size=0, mode="linear"),
    lambda f, x: f.interpolate(x[:, :, None], scale_factor=0.1, mode="trilinear"),
    lambda f, x: f.interpolate(x, scale_factor=-1.0),
    lambda f, x: f.interpolate(x[:, :, :0], scale_factor=2),
    lambda f, x: f.interpolate(x, size=3, mode="nearest", antialias=True),
    lambda f, x: f.interpolate((x * 10).long(), size=3, mode="bilinear"),
    lambda f, x: f.interpolate((x * 10).long(), size=3),
]


@pytest.mark.parametrize("call", _ERRORS, ids=range(len(_ERRORS)))
def test_interpolate_errors(call):
    x = np.random.default_rng(3).standard_normal((1, 2, 4, 5)).astype("float32")
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch.tensor(x))
    with pytest.raises(type(expected.value)) as got:
        call(nt.nn.functional, nt.tensor(x))
    if "not implemented for" in str(expected.value):  # kernel names differ; the dtype not
        assert re.search(r"not implemented for '\w+'", str(got.value))
    else:
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Upsample(scale_factor=2),
        lambda m: m.Upsample(size=(3, 7), mode="bilinear"),
        lambda m: m.Upsample(scale_factor=(1.5, 2), mode="bicubic", align_corners=True),
        lambda m: m.Upsample(scale_factor=1.3, mode="nearest-exact", recompute_scale_factor=True),
        lambda m: m.UpsamplingNearest2d(scale_factor=3),
        lambda m: m.UpsamplingBilinear2d(size=7),
        lambda m: m.Upsample(size=4, mode="area"),
    ],
    ids=range(7),
)
def test_upsample_layers(make):
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 6)).astype("float32")
    compare_with_torch(lambda t: a(t) if isinstance(t, nt.Tensor) else b(t), [x])


def test_deprecated_upsample_functions():
    x = nt.randn(1, 2, 3, 4)
    for name, want in (
        ("upsample", "nearest"),
        ("upsample_nearest", "nearest"),
        ("upsample_bilinear", "bilinear"),
    ):
        with pytest.warns(UserWarning, match="deprecated"):
            out = getattr(nt.nn.functional, name)(x, scale_factor=2)
        ac = True if want == "bilinear" else None
        ref = nt.nn.functional.interpolate(x, scale_factor=2, mode=want, align_corners=ac)
        assert nt.equal(out, ref)


# --- grid_sample / affine_grid ------------------------------------------------------------------
def _grid_cases():
    for nd in (2, 3):
        for mode in ("bilinear", "nearest") + (("bicubic",) if nd == 2 else ()):
            for pad in ("zeros", "border", "reflection"):
                for ac in (False, True):
                    yield nd, mode, pad, ac


@pytest.mark.parametrize("nd,mode,pad,ac", list(_grid_cases()), ids=str)
def test_grid_sample_matches_torch(nd, mode, pad, ac):
    rng = np.random.default_rng(5)
    for dt in ("float32", "float64"):
        for spread in (1.0, 3.5):  # inside, and far outside the image (padding, reflections)
            x = rng.standard_normal((2, 3) + (5, 6, 4)[:nd]).astype(dt)
            g = rng.uniform(-spread, spread, (2,) + (3, 4, 2)[:nd] + (nd,)).astype(dt)
            compare_with_torch(lambda a, b: F(a).grid_sample(a, b, mode, pad, ac), [x, g])


@pytest.mark.parametrize(
    "mode,pad",
    [
        ("bilinear", "zeros"),
        ("bilinear", "reflection"),
        ("bicubic", "border"),
        ("bicubic", "zeros"),
        ("nearest", "zeros"),
    ],
    ids=str,
)
def test_grid_sample_gradcheck(mode, pad):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 2, 4, 5))
    g = rng.uniform(-1.2, 1.2, (1, 3, 2, 2))
    gradcheck(
        lambda a, b: nt.nn.functional.grid_sample(a, b, mode, pad, False),
        [x, g],
        second_order=mode != "nearest",
    )


def test_grid_sample_double_backward_matches_torch():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 2, 4, 5))
    g = rng.uniform(-1.1, 1.1, (1, 3, 3, 2))
    out = []
    for m in (nt, torch):
        a, b = m.tensor(x, requires_grad=True), m.tensor(g, requires_grad=True)
        y = m.nn.functional.grid_sample(a, b, align_corners=True, padding_mode="border")
        ga, gb = m.autograd.grad((y * y).sum(), (a, b), create_graph=True)
        out.append(m.autograd.grad((ga * ga).sum() + (gb * gb).sum(), (a, b)))
    for u, v in zip(*out):
        assert_close(u, v)


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("ac", [False, True])
def test_affine_grid_and_identity_sampling(nd, ac):
    # the identity grid lands exactly on pixels: the one-sided bilinear gradients and the
    # zero gradient on the border must be PyTorch's
    rng = np.random.default_rng(8)
    size = (2, 3) + (4, 5, 3)[:nd]
    for dt in ("float32", "float64"):
        theta = rng.standard_normal((2, nd, nd + 1)).astype(dt)
        compare_with_torch(lambda t: F(t).affine_grid(t, size, align_corners=ac), [theta])
        eye = np.tile(np.eye(nd, nd + 1, dtype=dt), (2, 1, 1))
        x = rng.standard_normal(size).astype(dt)
        for pad in ("zeros", "border", "reflection"):
            compare_with_torch(
                lambda a, t, pad=pad: F(a).grid_sample(
                    a,
                    F(a).affine_grid(t, size, align_corners=ac),
                    padding_mode=pad,
                    align_corners=ac,
                ),
                [x, eye],
            )
    gradcheck(
        lambda t: nt.nn.functional.affine_grid(t, size, align_corners=ac),
        [rng.standard_normal((2, nd, nd + 1))],
    )


_GRID_ERRORS = [
    lambda f, x, g: f.grid_sample(x, g.double(), align_corners=False),
    lambda f, x, g: f.grid_sample(x, g[:1], align_corners=False),
    lambda f, x, g: f.grid_sample(x, g[..., :1], align_corners=False),
    lambda f, x, g: f.grid_sample(x[:, :, :0], g, align_corners=False),
    lambda f, x, g: f.grid_sample(x, g, mode="area", align_corners=False),
    lambda f, x, g: f.grid_sample(x, g, padding_mode="wrap", align_corners=False),
    lambda f, x, g: f.grid_sample(
        x[:, :, None],
        g[:, None].expand(2, 2, 6, 7, 2)[..., :1].expand(2, 2, 6, 7, 3),
        mode="bicubic",
        align_corners=False,
    ),
    lambda f, x, g: f.affine_grid(
        g[:, :2, 0, :].expand(2, 2, 2)[..., :2], (2, 3, 4), align_corners=False
    ),
    lambda f, x, g: f.affine_grid(x[:, :2, :2, :3], (2, 3, 4, 5, 6), align_corners=False),
    lambda f, x, g: f.affine_grid(x[:, 0, :2, :3].long(), (2, 3, 4, 5), align_corners=False),
    lambda f, x, g: f.affine_grid(x[:, 0, :2, :3], (2, 3, 0, 5), align_corners=False),
]


@pytest.mark.parametrize("call", _GRID_ERRORS, ids=range(len(_GRID_ERRORS)))
def test_grid_errors(call):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    g = rng.uniform(-1, 1, (2, 6, 7, 2)).astype("float32")
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch.tensor(x), torch.tensor(g))
    with pytest.raises(type(expected.value)) as got:
        call(nt.nn.functional, nt.tensor(x), nt.tensor(g))
    assert str(got.value) == str(expected.value)


def test_grid_sample_default_warns():
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        nt.nn.functional.grid_sample(nt.randn(1, 1, 3, 3), nt.zeros(1, 2, 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nt.nn.functional.affine_grid(nt.randn(1, 2, 3), (1, 1, 3, 3), align_corners=False)


# --- pixel and channel shuffles -----------------------------------------------------------------
@pytest.mark.parametrize(
    "fn,shape",
    [
        (lambda t: F(t).pixel_shuffle(t, 2), (2, 8, 3, 4)),
        (lambda t: F(t).pixel_shuffle(t, 3), (9, 2, 3)),
        (lambda t: F(t).pixel_shuffle(t, 2), (2, 1, 4, 2, 3)),
        (lambda t: F(t).pixel_unshuffle(t, 2), (2, 3, 4, 6)),
        (lambda t: F(t).pixel_unshuffle(t, 3), (1, 2, 1, 6, 3)),
        (lambda t: F(t).channel_shuffle(t, 2), (2, 8, 3, 4)),
        (lambda t: F(t).channel_shuffle(t, 3), (2, 6, 5)),
        # PyTorch's native_channel_shuffle has no derivative; numtorch's has channel_shuffle's
        (
            lambda t: (
                F(t).native_channel_shuffle(t, 4)
                if isinstance(t, nt.Tensor)
                else F(t).channel_shuffle(t, 4)
            ),
            (1, 8, 2, 2, 2),
        ),
    ],
    ids=range(8),
)
def test_shuffles(fn, shape):
    check_op(fn, [shape])
    x = nt.randn(*shape, requires_grad=True)
    y = torch.randn(*shape, requires_grad=True)
    if "native" not in fn.__code__.co_names:
        assert fn(x).grad_fn.name() == fn(y).grad_fn.name()


@pytest.mark.parametrize(
    "make",
    [lambda m: m.PixelShuffle(2), lambda m: m.PixelUnshuffle(2), lambda m: m.ChannelShuffle(4)],
    ids=range(3),
)
def test_shuffle_layers(make):
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    x = np.random.default_rng(10).standard_normal((2, 8, 4, 6)).astype("float32")
    compare_with_torch(lambda t: a(t) if isinstance(t, nt.Tensor) else b(t), [x])


_SHUFFLE_ERRORS = [
    lambda f, x: f.pixel_shuffle(x, 3),
    lambda f, x: f.pixel_shuffle(x, 0),
    lambda f, x: f.pixel_shuffle(x[0, 0], 2),
    lambda f, x: f.pixel_shuffle(x, 2.0),
    lambda f, x: f.pixel_unshuffle(x, 3),
    lambda f, x: f.pixel_unshuffle(x[:, :, :3], 2),
    lambda f, x: f.pixel_unshuffle(x, -1),
    lambda f, x: f.pixel_unshuffle(x[0, 0], 2),
    lambda f, x: f.channel_shuffle(x, 3),
    lambda f, x: f.channel_shuffle(x, 0),
    lambda f, x: f.channel_shuffle(x[0, 0], 2),
]


@pytest.mark.parametrize("call", _SHUFFLE_ERRORS, ids=range(len(_SHUFFLE_ERRORS)))
def test_shuffle_errors(call):
    x = np.zeros((2, 8, 4, 6), "float32")
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch.tensor(x))
    with pytest.raises(type(expected.value)) as got:
        call(nt.nn.functional, nt.tensor(x))
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    "shape,mode,spec",
    [
        ((2, 3, 70), "linear", dict(size=150)),  # several dense blocks
        ((2, 3, 70), "linear", dict(scale_factor=0.2)),  # strong downsampling: the gathers
        ((1, 2, 70, 9), "bilinear", dict(size=(150, 20))),
        ((1, 2, 70, 9), "bicubic", dict(scale_factor=(0.3, 2.5))),
        ((1, 1, 3, 70, 2), "trilinear", dict(size=(5, 131, 3))),
        ((2, 3, 70), "nearest", dict(scale_factor=3)),  # integer nearest: a broadcast copy
        ((1, 2, 5, 7), "nearest", dict(scale_factor=(3, 2))),
        ((1, 2, 3, 5, 4), "nearest", dict(scale_factor=2)),
        ((1, 2, 70, 9), "nearest-exact", dict(size=(150, 4))),
    ],
    ids=str,
)
@pytest.mark.parametrize("ac", [None, True])
def test_interpolate_large(shape, mode, spec, ac):
    x = np.random.default_rng(11).standard_normal(shape)
    if ac and mode.startswith("nearest"):
        with pytest.raises(ValueError, match="align_corners option can only be set with the"):
            nt.nn.functional.interpolate(nt.tensor(x), mode=mode, align_corners=ac, **spec)
        return
    for dt in ("float32", "float64"):
        compare_with_torch(
            lambda t: F(t).interpolate(t, mode=mode, align_corners=ac, **spec), [x.astype(dt)]
        )
    if len(shape) == 3:  # float64 finite differences through the blocks, first and second order
        gradcheck(
            lambda t: nt.nn.functional.interpolate(t, mode=mode, align_corners=ac, **spec),
            [x[:1, :1]],
        )


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_interpolate_non_finite(mode):
    # a non-finite value only reaches the outputs that read it (no dense zero * inf)
    x = np.random.default_rng(12).standard_normal((1, 2, 40)).astype("float32")
    x[0, 0, [3, 20]] = [np.inf, np.nan]
    for spec in (dict(size=90), dict(scale_factor=2), dict(size=31)):
        a = F(nt.tensor(x)).interpolate(nt.tensor(x), mode=mode, **spec)
        b = torch.nn.functional.interpolate(torch.tensor(x), mode=mode, **spec)
        assert_close(a, b)


@pytest.mark.parametrize(
    "mode,ac",
    [
        ("bilinear", False),
        ("bilinear", True),
        ("bicubic", False),
        ("bicubic", True),
        ("lanczos", None),
    ],
    ids=str,
)
@pytest.mark.parametrize(
    "spec",
    [
        dict(size=(5, 4)),
        dict(scale_factor=0.3),
        dict(scale_factor=(0.5, 1.7)),
        dict(size=(23, 40)),
        dict(scale_factor=(1.05, 0.5)),
    ],
    ids=str,
)
def test_interpolate_antialias(mode, ac, spec):
    # NOTE: PyTorch's antialiased kernels repeat the first row for one-pixel-wide outputs
    # (a kernel bug numtorch does not copy), so no width-1 outputs here
    x = np.random.default_rng(13).standard_normal((2, 3, 17, 13))
    for dt in ("float32", "float64"):
        a = nt.tensor(x.astype(dt))
        out = F(a).interpolate(a, mode=mode, align_corners=ac, antialias=True, **spec)
        ref = torch.nn.functional.interpolate(
            torch.tensor(x.astype(dt)), mode=mode, align_corners=ac, antialias=True, **spec
        )
        compare_with_torch(
            lambda t: F(t).interpolate(t, mode=mode, align_corners=ac, antialias=True, **spec),
            [x.astype(dt)],
        )
        assert_close(out, ref)
    if spec.get("scale_factor") == (1.05, 0.5):
        return  # a dim of unchanged size: PyTorch's gradient is not its forward's derivative
    gradcheck(
        lambda t: nt.nn.functional.interpolate(
            t, mode=mode, align_corners=ac, antialias=True, **spec
        ),
        [x[:1, :1, :9, :7]],
        second_order=False,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x: f.interpolate(x, size=3, mode="lanczos"),
        lambda f, x: f.interpolate(x, size=3, mode="lanczos", antialias=True, align_corners=True),
        lambda f, x: f.interpolate(x[0], size=3, mode="bilinear", antialias=True),
    ],
    ids=range(3),
)
def test_antialias_errors(call):
    x = np.zeros((1, 2, 4, 5), "float32")
    with pytest.raises(ValueError) as expected:
        call(torch.nn.functional, torch.tensor(x))
    with pytest.raises(ValueError, match=re.escape(str(expected.value))):
        call(nt.nn.functional, nt.tensor(x))


def test_antialias_grad_fn_name():
    x = nt.randn(1, 1, 8, 8, requires_grad=True)
    out = nt.nn.functional.interpolate(x, size=3, mode="bicubic", antialias=True)
    assert out.grad_fn.name() == "UpsampleBicubic2DAaBackward0"
