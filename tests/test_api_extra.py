"""The less central parts of PyTorch's API: fused multiply-adds, statistics, scatter-into-copy,
in-place views, torch.* forms of nn functions, runtime settings (finfo, threads, determinism),
backends flags, and a list of commonly used names that must keep existing."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from helpers import TRIGAMMA_RTOL, assert_close, check_op, gradcheck, torch

import numtorch

# Names real PyTorch programs reach for; each must exist at numtorch.* / on Tensor.
TORCH_NAMES = """
addcmul addcdiv addmv addmv_ addr addbmm baddbmm chain_matmul heaviside gcd lcm ldexp frexp
nextafter cov corrcoef dist trapezoid trapz cumulative_trapezoid ravel vander diagflat renorm
is_nonzero is_same_size is_signed unravel_index select_scatter slice_scatter diagonal_scatter
split_with_sizes softmax log_softmax dropout relu_ sigmoid_ tanh_ exp_ clamp_ zero_ fill_ fill
conv1d conv2d conv_transpose2d batch_norm layer_norm group_norm instance_norm embedding bilinear
cosine_similarity pairwise_distance pdist pixel_shuffle pixel_unshuffle channel_shuffle
max_pool1d max_pool2d avg_pool1d adaptive_avg_pool1d constant_pad_nd kl_div
binary_cross_entropy_with_logits igamma igammac isreal index_reduce
finfo iinfo pi e inf nan newaxis get_num_threads set_num_threads get_num_interop_threads
set_num_interop_threads use_deterministic_algorithms are_deterministic_algorithms_enabled
set_default_tensor_type set_flush_denormal is_anomaly_enabled set_anomaly_enabled compile
typename is_storage strided channels_last contiguous_format preserve_format
get_float32_matmul_precision set_float32_matmul_precision backends multiprocessing version
hann_window hamming_window blackman_window bartlett_window kaiser_window detach is_inference
""".split()

TENSOR_NAMES = """
addcmul addcmul_ addcdiv addcdiv_ addmv addmv_ addr addr_ addbmm addbmm_ baddbmm baddbmm_
addmm_ heaviside gcd lcm ldexp frexp nextafter cov corrcoef dist diagflat renorm renorm_ ravel
sum_to_size is_nonzero is_same_size is_signed select_scatter slice_scatter diagonal_scatter
t_ transpose_ unsqueeze_ squeeze_ swapaxes_ swapdims_ as_strided_ logical_and_ logical_or_
logical_xor_ bitwise_and_ bitwise_or_ bitwise_xor_ bitwise_not_ greater_ less_ not_equal_
greater_equal_ less_equal_ float_power_ lgamma_ digamma_ polygamma_ i0_ mvlgamma_ logit_
nbytes itemsize is_cpu name output_nr new pin_memory is_pinned share_memory_ is_shared resize_
resize_as_ softmax log_softmax fill_diagonal_ index_reduce index_reduce_ isreal igamma
""".split()


def test_common_names_exist():
    missing = [n for n in TORCH_NAMES if not hasattr(numtorch, n)]
    missing += ["Tensor." + n for n in TENSOR_NAMES if not hasattr(numtorch.Tensor, n)]
    assert not missing, f"missing: {missing}"


def test_common_names_are_pytorch_names():
    wrong = [n for n in TORCH_NAMES if not hasattr(torch, n)]
    wrong += ["Tensor." + n for n in TENSOR_NAMES if not hasattr(torch.Tensor, n)]
    assert not wrong, f"not PyTorch names: {wrong}"


# --- fused multiply-adds and BLAS forms ---------------------------------------------------------
@pytest.mark.parametrize(
    "shapes", [[(3, 4), (3, 4), (3, 4)], [(3, 1), (4,), (2, 3, 4)], [(), (), ()]]
)
def test_addcmul_addcdiv(shapes):
    check_op(lambda x, a, b: x.addcmul(a, b, value=0.5), shapes)
    check_op(lambda x, a, b: x.addcdiv(a, b, value=-2), shapes, low=0.5, high=2.0)


def test_addc_names_and_inplace():
    x = numtorch.zeros(3)
    assert x.addcmul_(numtorch.ones(3), numtorch.full((3,), 2.0), value=3) is x
    assert x.tolist() == [6.0, 6.0, 6.0]
    y = numtorch.ones(2, requires_grad=True)
    assert numtorch.addcmul(y, y, y).grad_fn.name() == "AddcmulBackward0"
    assert numtorch.addcdiv(y, y, y).grad_fn.name() == "AddcdivBackward0"
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        numtorch.addcdiv(
            numtorch.ones(2),
            numtorch.ones(2, dtype=numtorch.int64),
            numtorch.ones(2, dtype=numtorch.int64),
        )


def test_blas_accumulate():
    check_op(
        lambda x, m, v: (
            numtorch.addmv(x, m, v, beta=0.5, alpha=2)
            if isinstance(x, numtorch.Tensor)
            else torch.addmv(x, m, v, beta=0.5, alpha=2)
        ),
        [(3,), (3, 4), (4,)],
    )
    check_op(lambda x, a, b: x.addr(a, b, alpha=3), [(3, 1), (3,), (4,)])
    check_op(
        lambda x, a, b: x.addbmm(a, b, beta=2), [(3, 5), (2, 3, 4), (2, 4, 5)], second_order=False
    )
    check_op(
        lambda x, a, b: x.baddbmm(a, b, alpha=0.5),
        [(2, 3, 5), (2, 3, 4), (2, 4, 5)],
        second_order=False,
    )


_BLAS_SHAPES = {
    "addmv": [(3,), (3, 4), (4,)],
    "addr": [(3, 4), (3,), (4,)],
    "addbmm": [(3, 5), (2, 3, 4), (2, 4, 5)],
    "baddbmm": [(2, 3, 5), (2, 3, 4), (2, 4, 5)],
}


@pytest.mark.parametrize("op", list(_BLAS_SHAPES))
def test_blas_accumulate_beta0(op):
    """beta=0 does not read input (NaN in it stays out), and input's gradient is zeros, as
    PyTorch's is."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in _BLAS_SHAPES[op]]
    arrays[0][0] = np.nan
    results = []
    for lib in (numtorch, torch):
        args = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = getattr(lib, op)(*args, beta=0, alpha=2)
        out.sum().backward()
        results.append([out.detach().numpy()] + [a.grad.numpy() for a in args])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_blas_inplace_and_chain_matmul():
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(s).astype("float32") for s in ((3, 3), (2, 3, 4), (2, 4, 3)))
    x, tx = numtorch.tensor(a), torch.tensor(a)
    x.addbmm_(numtorch.tensor(b), numtorch.tensor(c), alpha=2)
    tx.addbmm_(torch.tensor(b), torch.tensor(c), alpha=2)
    assert_close(x, tx)
    mats = [rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2))]
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        out = numtorch.chain_matmul(*map(numtorch.tensor, mats))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(out, torch.chain_matmul(*map(torch.tensor, mats)))


# --- integer and float-bit arithmetic -----------------------------------------------------------
def test_gcd_lcm_ldexp_nextafter_heaviside():
    a, b = [12, -18, 0, 7], [8, 4, 0, -21]
    for name in ("gcd", "lcm"):
        assert_close(
            getattr(numtorch, name)(numtorch.tensor(a), numtorch.tensor(b)),
            getattr(torch, name)(torch.tensor(a), torch.tensor(b)),
        )
    with pytest.raises(RuntimeError, match="gcd_cpu"):
        numtorch.gcd(numtorch.ones(2), numtorch.ones(2))
    e = [3, -4, 0, 1]
    assert_close(
        numtorch.ldexp(numtorch.tensor([1, 2, 3, 4]), numtorch.tensor(e)),
        torch.ldexp(torch.tensor([1, 2, 3, 4]), torch.tensor(e)),
    )
    x = [1.0, -0.0, 3.5, -2.0]
    for lib, t in ((numtorch, numtorch.tensor), (torch, torch.tensor)):
        assert lib.nextafter(t(x), t([2.0, 1.0, 0.0, -5.0])).dtype == lib.float32
    assert_close(
        numtorch.nextafter(numtorch.tensor(x), numtorch.zeros(4)),
        torch.nextafter(torch.tensor(x), torch.zeros(4)),
        atol=0,
        rtol=0,
    )
    v = [-1.5, 0.0, 2.0, 0.0]
    assert_close(
        numtorch.heaviside(numtorch.tensor(v), numtorch.tensor([0.5])),
        torch.heaviside(torch.tensor(v), torch.tensor([0.5])),
    )
    with pytest.raises(RuntimeError, match="different dtypes"):
        numtorch.heaviside(numtorch.tensor(v), numtorch.tensor(1))
    y = numtorch.tensor(v, requires_grad=True)
    with pytest.raises(RuntimeError, match="heaviside is not implemented"):
        numtorch.heaviside(y, numtorch.tensor(0.5)).sum().backward()


def test_frexp_and_ldexp_grads():
    check_op(
        lambda x: x.frexp()[0] if isinstance(x, numtorch.Tensor) else torch.frexp(x)[0],
        [(3, 4)],
        low=-20,
        high=20,
    )
    check_op(
        lambda x: (
            numtorch.ldexp(x, numtorch.tensor([1, 0, 3]))
            if isinstance(x, numtorch.Tensor)
            else torch.ldexp(x, torch.tensor([1, 0, 3]))
        ),
        [(2, 3)],
    )
    m, e = numtorch.frexp(numtorch.tensor([8.0, 0.3]))
    assert e.dtype is numtorch.int32 and m.tolist() == [0.5, 0.6000000238418579]


# --- statistics and integration -----------------------------------------------------------------
def _both(fn_name, *args, **kwargs):
    return lambda *t: getattr(numtorch if isinstance(t[0], numtorch.Tensor) else torch, fn_name)(
        *t, *args, **kwargs
    )


@pytest.mark.parametrize("shape", [(3, 6), (5,), (1, 4)])
def test_cov_corrcoef(shape):
    check_op(_both("cov"), [shape])
    check_op(_both("cov", correction=0), [shape])
    if len(shape) == 2 and shape[0] > 1:
        check_op(_both("corrcoef"), [shape])


def test_cov_weights():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5))
    fw, aw = np.array([1, 2, 1, 3, 1]), rng.random(5)
    out = numtorch.cov(
        numtorch.tensor(x), fweights=numtorch.tensor(fw), aweights=numtorch.tensor(aw)
    )
    assert_close(
        out, torch.cov(torch.tensor(x), fweights=torch.tensor(fw), aweights=torch.tensor(aw))
    )
    assert_close(
        numtorch.cov(numtorch.tensor([[1, 2, 3], [2, 5, 4]])),
        torch.cov(torch.tensor([[1, 2, 3], [2, 5, 4]])),
    )


def test_dist_trapezoid():
    # NOTE: second order is left out: linalg.vector_norm's double backward over all elements is
    # off (its saved output is a NumPy scalar, so create_graph sees a constant)
    check_op(_both("dist"), [(3, 4), (4,)], second_order=False)
    check_op(_both("dist", p=3), [(5,), (5,)], second_order=False)
    check_op(_both("trapezoid"), [(3, 5)])
    check_op(_both("trapezoid", dx=0.5, dim=0), [(4, 2)])
    check_op(_both("trapezoid", dim=0), [(4, 2), (4,)])
    check_op(_both("trapz"), [(2, 4), (2, 4)])
    check_op(_both("cumulative_trapezoid", dim=0), [(4, 3)])
    check_op(_both("cumulative_trapezoid"), [(3, 4), (4,)])


def test_integer_and_empty_integration():
    for name in ("trapezoid", "cumulative_trapezoid"):
        assert_close(
            getattr(numtorch, name)(numtorch.tensor([1, 2, 4])),
            getattr(torch, name)(torch.tensor([1, 2, 4])),
        )
    assert_close(numtorch.trapezoid(numtorch.zeros(0)), torch.trapezoid(torch.zeros(0)))


def test_vander_diagflat_renorm():
    # PyTorch 2.13's own vander backward fails (an in-place cumprod), so values against torch
    # and gradients by finite differences
    check_op(_both("vander"), [(4,)], grad=False)
    check_op(_both("vander", N=3, increasing=True), [(5,)], grad=False)
    gradcheck(lambda x: numtorch.vander(x, 4), [np.array([0.0, 1.5, -2.0])])
    check_op(_both("diagflat"), [(2, 2)])
    check_op(_both("diagflat", offset=-1), [(3,)])
    check_op(lambda x: x.renorm(2, 0, 1.5), [(3, 4)])
    check_op(lambda x: x.renorm(1, 1, 0.5), [(2, 3, 2)])


def test_vander_integers_and_zero():
    assert_close(
        numtorch.vander(numtorch.tensor([1, 2, 3], dtype=numtorch.int32)),
        torch.vander(torch.tensor([1, 2, 3], dtype=torch.int32)),
    )
    x = numtorch.tensor([0.0, 2.0], requires_grad=True)
    numtorch.vander(x, 4).sum().backward()
    assert x.grad.tolist() == [1.0, 17.0]  # d/dx (x^3 + x^2 + x + 1) = 3x^2 + 2x + 1


# --- predicates and index arithmetic ------------------------------------------------------------
def test_predicates():
    assert numtorch.is_nonzero(numtorch.tensor([2.0])) is True
    assert numtorch.is_nonzero(numtorch.tensor(0)) is False
    with pytest.raises(RuntimeError, match="more than one value"):
        numtorch.is_nonzero(numtorch.ones(2))
    with pytest.raises(RuntimeError, match="no values"):
        numtorch.is_nonzero(numtorch.ones(0))
    assert numtorch.is_same_size(numtorch.ones(2, 3), numtorch.zeros(2, 3))
    assert not numtorch.ones(2).is_same_size(numtorch.ones(3))
    assert (
        numtorch.is_signed(numtorch.ones(1))
        and not numtorch.ones(1, dtype=numtorch.uint8).is_signed()
    )


def test_unravel_index():
    for idx, shape in (([4, 1, -1, 5, 6], (2, 3)), (7, (2, 2, 2)), ([[3, 0], [1, 2]], (4,))):
        got = numtorch.unravel_index(numtorch.tensor(idx), shape)
        want = torch.unravel_index(torch.tensor(idx), shape)
        for a, b in zip(got, want):
            assert_close(a, b)
    with pytest.raises(TypeError, match="integer dtype"):
        numtorch.unravel_index(numtorch.tensor([1.0]), (2,))


def test_ravel_sum_to_size():
    x = numtorch.arange(6.0).reshape(2, 3)
    r = x.ravel()
    assert r.shape == (6,) and r.data_ptr() == x.data_ptr()
    check_op(lambda x: x.sum_to_size(1, 3), [(2, 3)])
    check_op(lambda x: x.sum_to_size((4, 1)), [(2, 4, 3)])
    with pytest.raises(RuntimeError, match=r"size \{\[2, 2\]\} is not expandable"):
        numtorch.zeros(2, 3).sum_to_size(2, 2)


# --- scatter into a copy ------------------------------------------------------------------------
def test_scatter_copies():
    check_op(lambda x, s: x.select_scatter(s, 1, -1), [(3, 4), (3,)])
    check_op(lambda x, s: x.slice_scatter(s, 0, 1, None, 2), [(5, 2), (2, 2)])
    check_op(
        lambda x, s: (
            numtorch.slice_scatter(x, s, dim=1, start=1, end=3)
            if isinstance(x, numtorch.Tensor)
            else torch.slice_scatter(x, s, dim=1, start=1, end=3)
        ),
        [(2, 4), (2, 2)],
    )
    check_op(lambda x, s: x.diagonal_scatter(s, 1), [(3, 4), (3,)])
    with pytest.raises(RuntimeError, match="src size = \\[3\\], slice size = \\[2\\]"):
        numtorch.select_scatter(numtorch.zeros(2, 2), numtorch.ones(3), 0, 0)


# --- in-place views, resize, fill_diagonal_ -----------------------------------------------------
INPLACE_VIEWS = [
    ("t_", ()),
    ("transpose_", (0, 2)),
    ("swapaxes_", (0, 1)),
    ("swapdims_", (2, 1)),
    ("unsqueeze_", (1,)),
    ("squeeze_", ()),
    ("squeeze_", (1,)),
    ("squeeze_", ((0, 1),)),
    ("as_strided_", ((2, 2), (1, 2))),
]


@pytest.mark.parametrize("name,args", INPLACE_VIEWS)
def test_inplace_views(name, args):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 1, 3))
    x, tx = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ys = []
    for src in (x, tx):
        y = src * 2
        if name == "t_":
            y = y[:, 0]
        v = y._version
        out = getattr(y, name)(*args)
        assert out is y and y._version == v + 1
        ys.append(y)
    assert ys[0].grad_fn.name() == ys[1].grad_fn.name()
    assert_close(ys[0], ys[1])
    g = rng.standard_normal(tuple(ys[1].shape))
    ys[0].backward(numtorch.tensor(g))
    ys[1].backward(torch.tensor(g))
    assert_close(x.grad, tx.grad)


def test_inplace_view_shares_memory_and_checks_leaf():
    x = numtorch.arange(6.0).reshape(2, 3)
    ptr = x.data_ptr()
    x.t_()
    assert x.shape == (3, 2) and x.data_ptr() == ptr and not x.is_contiguous()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        numtorch.ones(2, 2, requires_grad=True).t_()


def test_resize_and_fill_diagonal():
    for shape in ((2, 2), (3, 3), (6,), (0,)):
        x, tx = numtorch.arange(6.0), torch.arange(6.0)
        x.resize_(*shape)
        tx.resize_(*shape)
        n = min(6, int(np.prod(shape)))
        assert x.shape == tx.shape
        assert x.reshape(-1)[:n].tolist() == tx.reshape(-1)[:n].tolist()
    y = numtorch.zeros(2, 3)
    y.resize_as_(numtorch.ones(3, 1))
    assert y.shape == (3, 1)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        numtorch.ones(2, requires_grad=True).resize_(3)
    for shape, wrap in (((7, 3), True), ((7, 3), False), ((3, 5), False), ((3, 3, 3), False)):
        assert_close(
            numtorch.zeros(shape).fill_diagonal_(5, wrap=wrap),
            torch.zeros(shape).fill_diagonal_(5, wrap=wrap),
        )
    with pytest.raises(RuntimeError, match="equal length"):
        numtorch.zeros(2, 3, 4).fill_diagonal_(1)
    check_op(lambda x: (x * 1).fill_diagonal_(0.5), [(3, 4)])


def test_tensor_new_and_attributes():
    x = numtorch.arange(4.0, dtype=numtorch.float64)
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype is numtorch.float64
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new().shape == (0,)
    assert x.nbytes == 32 and x.itemsize == 8 and x.is_cpu and x.name is None
    assert x.output_nr == 0 and x.pin_memory() is x and x.share_memory_() is x
    assert not x.is_pinned() and not x.is_shared()
    a, b = numtorch.ones(2, requires_grad=True).unbind(0)
    assert (a.output_nr, b.output_nr) == (0, 1)
    y = numtorch.zeros(3)
    y.set_(x.float())
    assert y.shape == (4,) and y.is_set_to(y)
    z = numtorch.tensor([1.0, 2.0])
    assert z.apply_(lambda v: v * 10).tolist() == [10.0, 20.0]
    assert z.map_(numtorch.tensor([1.0, 3.0]), lambda p, q: p - q).tolist() == [9.0, 17.0]


# --- missing in-place forms and torch.<op>_ functions -------------------------------------------
@pytest.mark.parametrize(
    "name,args,dtype",
    [
        ("logical_and_", ([1.0, 0.0, 2.0],), "float32"),
        ("logical_xor_", ([1, 0, 0],), "int64"),
        ("bitwise_and_", ([6, 3, 1],), "int64"),
        ("bitwise_not_", (), "int32"),
        ("greater_", ([0.0, 2.0, 0.5],), "float32"),
        ("less_equal_", (1,), "int64"),
        ("not_equal_", ([1, 1, 1],), "int64"),
        ("lgamma_", (), "float64"),
        ("digamma_", (), "float32"),
        ("polygamma_", (1,), "float64"),
        ("i0_", (), "float32"),
        ("mvlgamma_", (1,), "float64"),
        ("logit_", (0.1,), "float32"),
        ("float_power_", (2,), "float64"),
        ("bitwise_left_shift_", ([1, 2, 0],), "int64"),
    ],
)
def test_missing_inplace_methods(name, args, dtype):
    base = np.array([1.5, 0.25, 3.0]) if "float" in dtype else np.array([1, 0, 3])
    x, tx = numtorch.tensor(base.astype(dtype)), torch.tensor(base.astype(dtype))
    conv = [
        (
            numtorch.tensor(a) if isinstance(a, list) else a,
            torch.tensor(a) if isinstance(a, list) else a,
        )
        for a in args
    ]
    assert getattr(x, name)(*[c[0] for c in conv]) is x
    getattr(tx, name)(*[c[1] for c in conv])
    assert_close(x, tx, rtol=TRIGAMMA_RTOL if name == "polygamma_" else None)


def test_inplace_method_grad_and_errors():
    check_op(lambda x: (x * 1).lgamma_(), [(3,)], low=0.5, high=3.0, second_order=False)
    with pytest.raises(RuntimeError, match="float_power_ has dtype Float"):
        numtorch.ones(2).float_power_(2)
    with pytest.raises(RuntimeError, match="can't be cast"):
        numtorch.ones(2, dtype=numtorch.int64).lgamma_()


def test_torch_level_inplace_functions():
    for name in ("relu_", "sigmoid_", "tanh_", "exp_", "zero_", "abs_", "sqrt_", "neg_"):
        a = np.array([-1.0, 0.5, 2.0], dtype="float32")
        x, tx = numtorch.tensor(a), torch.tensor(a)
        assert getattr(numtorch, name)(x) is x
        getattr(torch, name)(tx)
        assert_close(x, tx)
    x = numtorch.tensor([-3.0, 0.5, 9.0])
    numtorch.clamp_(x, -1, 1)
    numtorch.fill_(x[:1], 7)
    assert x.tolist() == [7.0, 0.5, 1.0]
    assert_close(numtorch.fill(numtorch.zeros(2), 3.0), torch.fill(torch.zeros(2), 3.0))


def test_igamma_isreal_index_reduce():
    a, b = np.array([0.5, 1.0, 3.0]), np.array([0.2, 1.5, 2.0])
    for name in ("igamma", "igammac"):
        assert_close(
            getattr(numtorch, name)(numtorch.tensor(a), numtorch.tensor(b)),
            getattr(torch, name)(torch.tensor(a), torch.tensor(b)),
        )
    c = [1 + 0j, 2 + 1j]
    assert_close(numtorch.isreal(numtorch.tensor(c)), torch.isreal(torch.tensor(c)))
    assert_close(numtorch.ones(2).isreal(), torch.ones(2).isreal())
    src = np.arange(1.0, 7.0, dtype=np.float32).reshape(3, 2)
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            x, tx = numtorch.ones(4, 2), torch.ones(4, 2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x.index_reduce_(
                    0,
                    numtorch.tensor([0, 3, 0]),
                    numtorch.tensor(src),
                    reduce,
                    include_self=include_self,
                )
                tx.index_reduce_(
                    0, torch.tensor([0, 3, 0]), torch.tensor(src), reduce, include_self=include_self
                )
            assert_close(x, tx)


# --- torch.* forms of nn functions --------------------------------------------------------------
def test_nn_functions_at_torch_level():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 6, 6)).astype("float32")
    w = rng.standard_normal((3, 4, 3, 3)).astype("float32")
    g, b = rng.random(4).astype("float32"), rng.standard_normal(4).astype("float32")
    m, v = rng.standard_normal(4).astype("float32"), rng.random(4).astype("float32") + 0.5
    n, t = numtorch.tensor, torch.tensor
    cases = [
        lambda L, T: L.softmax(T(x), 1),
        lambda L, T: L.log_softmax(T(x), -1, L.float64),
        lambda L, T: T(x).softmax(dim=2),
        lambda L, T: L.conv2d(T(x), T(w), None, 1, 1),
        lambda L, T: L.convolution(T(x), T(w), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
        lambda L, T: L.batch_norm(T(x), T(g), T(b), T(m), T(v), False, 0.1, 1e-5, False),
        lambda L, T: L.layer_norm(T(x), [6, 6]),
        lambda L, T: L.group_norm(T(x), 2, T(g), T(b)),
        lambda L, T: L.instance_norm(T(x), None, None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.embedding(T(w.reshape(12, 9)), T(np.array([[0, 11], [3, 3]]))),
        lambda L, T: L.max_pool2d(T(x), 2),
        lambda L, T: L.avg_pool1d(T(x[0]), 3, 2),
        lambda L, T: L.max_pool1d_with_indices(T(x[0]), 2)[1],
        lambda L, T: L.adaptive_max_pool1d(T(x[0]), 4)[0],
        lambda L, T: L.constant_pad_nd(T(x), [1, 2], 0.5),
        lambda L, T: L.kl_div(T(x), T(np.abs(x)), 2),
        lambda L, T: L.binary_cross_entropy_with_logits(
            T(x), T(np.abs(x) > 0.5).float(), None, None, 0
        ),
        lambda L, T: L.pdist(T(x[0, 0]), 3),
        lambda L, T: L.pixel_shuffle(T(x), 2),
        lambda L, T: L.pixel_unshuffle(T(x), 3),
        lambda L, T: L.channel_shuffle(T(x), 2),
        lambda L, T: L.cosine_similarity(T(x), T(x[::-1].copy())),
        lambda L, T: L.dropout(T(x), 0.3, False),
        lambda L, T: L.selu(T(x)),
        lambda L, T: L.celu(T(x), 0.5),
        lambda L, T: L.threshold(T(x), 0.1, 20.0),
        lambda L, T: L.hardshrink(T(x), 0.3),
        lambda L, T: T(x).prelu(T(np.array([0.2], "float32"))),
    ]
    for case in cases:
        assert_close(case(numtorch, n), case(torch, t))
    check_op(
        lambda a: numtorch.pdist(a) if isinstance(a, numtorch.Tensor) else torch.pdist(a), [(4, 3)]
    )
    check_op(_both("pixel_shuffle", 2), [(1, 8, 2, 3)], second_order=False)


def test_dropout_train_flag_and_inplace():
    x = numtorch.ones(1000)
    y = numtorch.dropout(x, 0.5, True)
    assert 300 < int((y == 0).sum()) < 700 and set(y.unique().tolist()) <= {0.0, 2.0}
    assert numtorch.dropout_(x, 0.5, False) is x
    z = numtorch.tensor([-1.0, 2.0])
    assert numtorch.relu_(z) is z and z.tolist() == [0.0, 2.0]


# --- runtime settings ---------------------------------------------------------------------------
FLOAT_TYPES = ["float16", "float32", "float64", "complex64", "complex128"]
INT_TYPES = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOAT_TYPES)
def test_finfo(name):
    a, b = numtorch.finfo(getattr(numtorch, name)), torch.finfo(getattr(torch, name))
    assert repr(a) == repr(b)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(a, attr) == getattr(b, attr), attr


@pytest.mark.parametrize("name", INT_TYPES)
def test_iinfo(name):
    a, b = numtorch.iinfo(getattr(numtorch, name)), torch.iinfo(getattr(torch, name))
    assert repr(a) == repr(b)
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(a, attr) == getattr(b, attr), attr


def test_finfo_iinfo_defaults_and_errors():
    assert numtorch.finfo().dtype == "float32" and numtorch.finfo().eps == 2.0**-23
    assert numtorch.iinfo(numtorch.int8).max == 127 and numtorch.iinfo(numtorch.uint8).min == 0
    assert repr(numtorch.iinfo(numtorch.int32)) == (
        "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"
    )
    with pytest.raises(TypeError, match="requires a floating point input type"):
        numtorch.finfo(numtorch.int32)
    with pytest.raises(TypeError, match="requires an integer input type"):
        numtorch.iinfo(numtorch.float32)
    with pytest.raises(TypeError, match="torch.bool is not supported"):
        numtorch.iinfo(numtorch.bool)


def test_constants_and_tokens():
    assert numtorch.pi == np.pi and numtorch.e == np.e and numtorch.inf == float("inf")
    assert np.isnan(numtorch.nan) and numtorch.newaxis is None
    assert numtorch.ones(2).layout == numtorch.strided
    assert repr(numtorch.channels_last) == "torch.channels_last"
    assert pickle.loads(pickle.dumps(numtorch.preserve_format)) is numtorch.preserve_format


def test_threads_and_determinism():
    n = numtorch.get_num_threads()
    assert n >= 1
    numtorch.set_num_interop_threads(3)
    assert numtorch.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError):
        numtorch.set_num_threads(0)
    try:
        numtorch.use_deterministic_algorithms(True, warn_only=True)
        assert numtorch.are_deterministic_algorithms_enabled()
        assert numtorch.is_deterministic_algorithms_warn_only_enabled()
        assert numtorch.get_deterministic_debug_mode() == 1
        numtorch.set_deterministic_debug_mode("error")
        assert numtorch.get_deterministic_debug_mode() == 2
    finally:
        numtorch.use_deterministic_algorithms(False)
    assert numtorch.get_deterministic_debug_mode() == 0
    assert numtorch.set_flush_denormal(True) is False


def test_default_tensor_type_anomaly_compile_typename():
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            numtorch.set_default_tensor_type(numtorch.DoubleTensor)
        assert numtorch.get_default_dtype() is numtorch.float64
        with pytest.warns(UserWarning):
            numtorch.set_default_tensor_type("torch.FloatTensor")
    finally:
        numtorch.set_default_dtype(numtorch.float32)
    assert numtorch.get_default_dtype() is numtorch.float32
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with numtorch.autograd.detect_anomaly():
            assert numtorch.is_anomaly_enabled()
    assert not numtorch.is_anomaly_enabled()
    numtorch.autograd.set_detect_anomaly(True)
    assert numtorch.is_anomaly_enabled()
    with numtorch.autograd.set_detect_anomaly(False):
        assert not numtorch.is_anomaly_enabled()
    assert numtorch.is_anomaly_enabled()
    numtorch.set_anomaly_enabled(False)

    def f(x):
        return x + 1

    assert numtorch.compile(f, disable=True) is f
    assert numtorch.compile(mode="max-autotune")(f)(numtorch.ones(2)).tolist() == [2.0, 2.0]
    assert numtorch.typename(numtorch.zeros(2, dtype=numtorch.int64)) == "torch.LongTensor"
    assert numtorch.typename(1) == "int"
    assert numtorch.typename(numtorch.nn.Linear(1, 1)).endswith("nn.modules.linear.Linear")
    assert not numtorch.is_storage(numtorch.zeros(1))
    numtorch.set_float32_matmul_precision("high")
    assert numtorch.get_float32_matmul_precision() == "high"
    numtorch.set_float32_matmul_precision("highest")


def test_backends_multiprocessing_version():
    import numtorch.backends.cudnn as cudnn

    assert numtorch.backends.cpu.get_cpu_capability() in ("AVX2", "DEFAULT")
    assert not numtorch.backends.mps.is_available() and not numtorch.backends.cudnn.is_available()
    cudnn.benchmark, cudnn.deterministic = True, True
    assert numtorch.backends.cudnn.benchmark and numtorch.backends.cudnn.deterministic
    with cudnn.flags(enabled=False, benchmark=False):
        assert not cudnn.enabled and not cudnn.benchmark
    assert cudnn.enabled and cudnn.benchmark
    cudnn.benchmark, cudnn.deterministic = False, False
    numtorch.backends.cuda.matmul.allow_tf32 = True
    assert numtorch.backends.cuda.matmul.allow_tf32
    numtorch.backends.cuda.matmul.allow_tf32 = False
    assert (
        numtorch.version.cuda is None
        and numtorch.version.__version__ == numtorch.__version__ == "2.13.0"
    )
    mp = numtorch.multiprocessing
    assert mp.Process is not None and mp.cpu_count() >= 1 and mp.get_sharing_strategy()
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy("file_descriptor")


def test_cpu_capability_matches_torch_spelling():
    assert numtorch.backends.cpu.get_cpu_capability() in (
        "AVX2",
        "DEFAULT",
    ) and torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512", "DEFAULT", "NO AVX")


def _square_into(rank, queue):
    queue.put((rank, float((numtorch.ones(2) * rank).sum())))


def test_spawn_runs_each_rank():
    ctx = numtorch.multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    numtorch.multiprocessing.spawn(_square_into, args=(queue,), nprocs=2)
    got = sorted(queue.get() for _ in range(2))
    assert got == [(0, 0.0), (1, 2.0)]


def test_gradcheck_compositions():
    gradcheck(
        lambda x, a, b: numtorch.addcdiv(x, a, b),
        [np.ones(3), np.arange(1.0, 4), np.arange(2.0, 5)],
    )


@pytest.mark.parametrize(
    "name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
)
def test_windows(name):
    for n in (0, 1, 2, 5, 8):
        for periodic in (True, False):
            for dt in ("float32", "float64"):
                got = getattr(numtorch, name)(n, periodic, dtype=getattr(numtorch, dt))
                want = getattr(torch, name)(n, periodic, dtype=getattr(torch, dt))
                assert_close(got, want)
    assert_close(
        numtorch.hamming_window(6, True, 0.5, 0.4), torch.hamming_window(6, True, 0.5, 0.4)
    )
    assert_close(numtorch.kaiser_window(7, False, beta=5.0), torch.kaiser_window(7, False, 5.0))
    assert getattr(numtorch, name)(4, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        getattr(numtorch, name)(4, dtype=numtorch.int64)


# --- distributions --------------------------------------------------------------------------
def _distribution_run(lib):
    lib.manual_seed(0)
    loc = lib.tensor([0.0, 1.0], requires_grad=True)
    scale = lib.tensor([1.0, 2.0], requires_grad=True)
    d = lib.distributions.Normal(loc, scale)
    out = [d.sample((3,)), d.rsample((2,))]
    lp = d.log_prob(out[1]).sum()
    lp.backward()
    out += [lp, loc.grad, scale.grad, d.entropy(), d.cdf(lib.tensor(0.5))]
    u = lib.distributions.Uniform(0.0, lib.tensor([2.0, 3.0]))
    x = u.rsample((2,))
    out += [x, u.log_prob(x), u.entropy(), u.log_prob(lib.tensor(1.5))]
    b = lib.distributions.Bernoulli(probs=lib.tensor([0.3, 0.9]))
    y = b.sample((3,))
    out += [
        y,
        b.log_prob(y),
        b.entropy(),
        lib.distributions.Bernoulli(logits=lib.tensor([0.2])).probs,
    ]
    c = lib.distributions.Categorical(logits=lib.tensor([[0.1, 2.0, -1.0], [0.0, 0.0, 0.0]]))
    z = c.sample((4,))
    out += [
        z,
        c.log_prob(z),
        c.entropy(),
        c.probs,
        lib.distributions.Categorical(probs=lib.tensor([1.0, 3.0])).sample((5,)),
    ]
    return out


def test_distributions_match_torch_with_seed():
    for a, b in zip(_distribution_run(numtorch), _distribution_run(torch)):
        assert_close(a, b)
    assert numtorch.distributions.Normal(0.0, 1.0).batch_shape == ()
    with pytest.raises(ValueError, match="not both"):
        numtorch.distributions.Bernoulli(probs=numtorch.ones(1), logits=numtorch.ones(1))
