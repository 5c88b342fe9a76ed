"""Reductions (ops/reduction.py, ops/minmax.py, ops/scan.py) against PyTorch."""

import math
import warnings

import numpy as np
import pytest
from helpers import check_op, compare_with_torch, gradcheck, torch

import numtorch


def both(name, *args, **kw):
    return (
        lambda x: getattr(numtorch, name)(x, *args, **kw),
        lambda x: getattr(torch, name)(x, *args, **kw),
    )


def both_values(name, *args, **kw):
    """Like ``both``, keeping only ``.values`` of a (values, indices) result (the indices are
    compared in test_return_types)."""
    fns = both(name, *args, **kw)
    if name in ("cummax", "cummin") or (name in ("max", "min", "median", "nanmedian") and args):
        return tuple(lambda x, f=f: f(x)[0] for f in fns)
    return fns


def both_combined(name, *args, **kw):
    """Two-output ops as one tensor ``out0 + 2 * out1``: both gradients flow at once."""
    return tuple(lambda x, f=f: (lambda r: r[0] + 2 * r[1])(f(x)) for f in both(name, *args, **kw))


# (name, args, kwargs, shape): one line per reduction and dim form
CASES = [
    ("sum", (), {}, (3, 4)),
    ("sum", (1,), {}, (3, 4)),
    ("sum", ((0, 2),), {"keepdim": True}, (2, 3, 4)),
    ("sum", (0,), {}, ()),
    ("sum", (-1,), {}, ()),
    ("mean", (), {}, (3, 4)),
    ("mean", (-1,), {"keepdim": True}, (3, 4)),
    ("mean", ((0, 1),), {}, (2, 3, 2)),
    ("nansum", (1,), {}, (3, 4)),
    ("nanmean", (), {}, (3, 4)),
    ("prod", (), {}, (2, 3)),
    ("prod", (1,), {}, (3, 4)),
    ("prod", (0,), {"keepdim": True}, (3, 2)),
    ("var", (), {}, (3, 4)),
    ("var", (1,), {}, (3, 4)),
    ("var", ((0, 1),), {"correction": 0}, (3, 4)),
    ("var", (0,), {"unbiased": False, "keepdim": True}, (3, 4)),
    ("std", (), {}, (3, 4)),
    ("std", (1,), {"correction": 2}, (4, 5)),
    ("std", ((0, 2),), {"keepdim": True}, (2, 3, 4)),
    ("logsumexp", (1,), {}, (3, 4)),
    ("logsumexp", ((0, 1),), {"keepdim": True}, (3, 4)),
    ("amax", (), {}, (3, 4)),
    ("amax", (1,), {}, (3, 4)),
    ("amin", ((0, 1),), {}, (2, 3, 2)),
    ("max", (), {}, (3, 4)),
    ("min", (), {}, (3, 4)),
    ("max", (1,), {}, (3, 4)),
    ("min", (0,), {"keepdim": True}, (3, 4)),
    ("max", (0,), {}, ()),
    ("median", (), {}, (3, 5)),
    ("median", (1,), {}, (3, 5)),
    ("nanmedian", (0,), {}, (4, 3)),
    ("cumsum", (1,), {}, (3, 4)),
    ("cumsum", (0,), {}, ()),
    ("cumprod", (0,), {}, (4, 3)),
    ("cummax", (1,), {}, (3, 4)),
    ("cummin", (0,), {}, (4, 3)),
    ("logcumsumexp", (1,), {}, (3, 4)),
]


def _id(c):
    return f"{c[0]}{c[1]}{c[2] or ''}{c[3]}".replace(" ", "")


@pytest.mark.parametrize("name,args,kw,shape", CASES, ids=[_id(c) for c in CASES])
def test_reduction(name, args, kw, shape):
    fn, tfn = both_values(name, *args, **kw)
    check_op(fn, [shape], tfn, low=0.5 if name in ("prod", "cumprod") else -2, high=2)


@pytest.mark.parametrize(
    "name,args",
    [
        ("max", ()),
        ("amax", ()),
        ("amax", (1,)),
        ("min", ()),
        ("median", ()),
        ("max", (1,)),
        ("aminmax", ()),
        ("cummax", (1,)),
        ("cummin", (1,)),
    ],
)
def test_ties(name, args):
    """Value reductions share the gradient among ties; index reductions pick one element."""
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 2.0]], "float32")
    fn, tfn = both_combined(name, *args) if name == "aminmax" else both_values(name, *args)
    compare_with_torch(fn, [a], tfn)


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize(
    "zeros", [[(0, 0)], [(0, 0), (1, 2)], [(0, 0), (0, 2)], [(0, 1), (1, 1), (0, 2)]]
)
def test_prod_and_cumprod_with_zeros(dim, zeros):
    a = np.random.default_rng(0).uniform(0.5, 2, (2, 3)).astype("float64")
    for z in zeros:
        a[z] = 0.0
    if dim is None:
        compare_with_torch(numtorch.prod, [a], torch.prod)
    else:
        for name in ("prod", "cumprod"):
            fn, tfn = both(name, dim)
            compare_with_torch(fn, [a], tfn)


def test_var_mean_std_mean():
    for name in ("var_mean", "std_mean"):
        for kw in ({}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"correction": 0}):
            fn, tfn = both_combined(name, **kw)
            check_op(fn, [(3, 4)], tfn)


def test_grad_fn_names():
    x = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    tx = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for name, args in [
        ("sum", ()),
        ("sum", (0,)),
        ("mean", ()),
        ("mean", (1,)),
        ("prod", ()),
        ("prod", (0,)),
        ("max", ()),
        ("max", (0,)),
        ("min", ()),
        ("min", (1,)),
        ("amax", ()),
        ("amin", (0,)),
        ("var", ()),
        ("std", (1,)),
        ("var_mean", ()),
        ("std_mean", ()),
        ("logsumexp", (1,)),
        ("median", ()),
        ("median", (1,)),
        ("nanmedian", ()),
        ("nansum", ()),
        ("cumsum", (0,)),
        ("cumprod", (1,)),
        ("cummax", (0,)),
        ("cummin", (0,)),
        ("logcumsumexp", (0,)),
        ("aminmax", ()),
    ]:
        r, tr = getattr(numtorch, name)(x, *args), getattr(torch, name)(tx, *args)
        r, tr = (r[0], tr[0]) if isinstance(tr, tuple) else (r, tr)
        assert r.grad_fn.name() == tr.grad_fn.name(), name


def test_return_types():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], "float32")
    x, tx = numtorch.tensor(a), torch.tensor(a)
    for name in ("max", "min", "median", "cummax", "cummin"):
        r, tr = getattr(x, name)(1), getattr(tx, name)(1)
        assert repr(r) == repr(tr)
        assert type(r).__name__ == name and r._fields == ("values", "indices")
        assert r.values.tolist() == tr.values.tolist() and r.indices.tolist() == tr[1].tolist()
        values, indices = r
        assert indices.dtype is numtorch.int64
    r, tr = numtorch.aminmax(x), torch.aminmax(tx)
    assert repr(r) == repr(tr) and r.min.item() == 0.0 and r.max.item() == 3.0
    assert isinstance(numtorch.return_types.max((x, x)), tuple)


def test_arg_and_logical_reductions():
    a = np.array([[1.0, 3.0, 3.0], [2.0, math.nan, 0.0], [0.0, 0.0, 0.0]], "float32")
    x, tx = numtorch.tensor(a), torch.tensor(a)
    cases = [
        lambda m, t: m.argmax(t),
        lambda m, t: m.argmin(t, 1),
        lambda m, t: m.argmax(t, 0, True),
        lambda m, t: m.argmax(t, keepdim=True),
        lambda m, t: m.all(t),
        lambda m, t: m.all(t, 1),
        lambda m, t: m.any(t, (0, 1), keepdim=True),
        lambda m, t: m.count_nonzero(t),
        lambda m, t: m.count_nonzero(t, 1),
        lambda m, t: m.count_nonzero(t, (0, 1)),
        lambda m, t: m.any(t.to(m.uint8)),
        lambda m, t: m.max(t),
        lambda m, t: m.max(t, 1)[1],
        lambda m, t: m.sum(t.to(m.int32)),
        lambda m, t: m.prod(t.to(m.bool)),
        lambda m, t: m.sum(t, dtype=m.float64),
        lambda m, t: m.cumsum(t.to(m.int32), 0),
        lambda m, t: m.amax(t.to(m.int64), 1),
        lambda m, t: m.logsumexp(t.to(m.int64), 1),
    ]
    for case in cases:
        r, tr = case(numtorch, x), case(torch, tx)
        assert str(r.dtype) == str(tr.dtype) and tuple(r.shape) == tuple(tr.shape)
        np.testing.assert_allclose(r.numpy(), tr.numpy(), rtol=1e-6)


def test_empty():
    e = numtorch.empty(0, 3)
    for name in ("sum", "prod", "mean", "logsumexp"):
        args = (0,) if name == "logsumexp" else ()
        r, tr = getattr(numtorch, name)(e, *args), getattr(torch, name)(torch.empty(0, 3), *args)
        np.testing.assert_array_equal(r.numpy(), tr.numpy())
    assert numtorch.max(e, 1).values.shape == (0,)
    assert numtorch.amax(e, 1).shape == (0,)
    for name in ("max", "min", "amax"):
        with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
            getattr(numtorch, name)(e)
    with pytest.raises(IndexError, match="Expected reduction dim to be specified"):
        numtorch.argmax(e)
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        numtorch.max(e, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(numtorch.var(numtorch.tensor([1.0])).item())


def test_dim_errors():
    x = numtorch.zeros(2, 3)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of "
        r"\[-2, 1\], but got 2\)",
    ):
        numtorch.sum(x, 2)
    for fn in (lambda: x.max(-3), lambda: x.var(5), lambda: x.argmax(2), lambda: x.cumsum(2)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            fn()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        numtorch.sum(x, (0, 0))
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        numtorch.var(numtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        numtorch.mean(numtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="can't specify both correction and unbiased"):
        numtorch.var(x, unbiased=True, correction=1)


def test_dof_warning_and_nan_values():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        numtorch.std(numtorch.tensor([1.0, 2.0]), correction=2)
    a = np.array([1.0, math.nan, 3.0], "float32")
    for name in ("max", "amax", "median", "nanmedian", "nansum", "nanmean", "argmax"):
        r, tr = getattr(numtorch, name)(numtorch.tensor(a)), getattr(torch, name)(torch.tensor(a))
        np.testing.assert_array_equal(r.numpy(), tr.numpy())


def test_gradcheck_without_torch():
    """Finite differences alone (float64): second order included."""
    a = [np.array([[0.7, -1.2, 0.4], [1.5, 0.3, -0.8]])]
    gradcheck(lambda x: x.prod(1), [np.abs(a[0]) + 0.5])
    gradcheck(lambda x: x.std(0), a)
    gradcheck(lambda x: x.logsumexp(1), a)
    gradcheck(lambda x: x.max(1).values, a)
    gradcheck(lambda x: x.cummax(1).values, a)
    gradcheck(lambda x: x.cumsum(0), a)
    gradcheck(lambda x: x.cumprod(1), a)
    gradcheck(lambda x: x.logcumsumexp(1), a)


def test_out_and_methods():
    x = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = numtorch.empty(2)
    assert numtorch.sum(x, 0, out=out) is out and out.tolist() == [4.0, 6.0]
    v, i = numtorch.empty(2), numtorch.empty(2, dtype=numtorch.int64)
    r = numtorch.max(x, 1, out=(v, i))
    assert r.values is v and v.tolist() == [2.0, 4.0] and i.tolist() == [1, 1]
    assert x.cumsum(1).tolist() == [[1.0, 3.0], [3.0, 7.0]]
    y = x.clone()
    y.cumsum_(0)
    assert y.tolist() == [[1.0, 2.0], [4.0, 6.0]]
    assert numtorch.max(x, numtorch.tensor([2.5])).tolist() == [[2.5, 2.5], [3.0, 4.0]]


def test_var_mean_gradient_of_the_mean_alone_has_the_input_shape():
    for fn in (numtorch.var_mean, numtorch.std_mean):
        x = numtorch.arange(12.0).reshape(3, 4).requires_grad_()
        fn(x, 1)[1].sum().backward()
        assert x.grad.shape == (3, 4)
        assert x.grad.tolist() == [[0.25] * 4] * 3
