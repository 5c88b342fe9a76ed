"""Sorting, order statistics, sets and counting against torch: values, indices, dtypes,
gradients, finite differences and errors."""

import numpy as np
import pytest
from helpers import check_op, gradcheck
from oracle import torch

import numtorch


def both(fn):
    """``fn(module)`` gives the op; returns the numtorch and torch versions."""
    return fn(numtorch), fn(torch)


def same(a, b):
    """Exact equality of a numtorch and a torch result (values, dtype, shape)."""
    if isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def check_pair(f, tf, shapes, **kw):
    """A (values, indices) op: compared with torch, then values alone through second-order
    finite differences (the checker seeds every output, and indices take no gradient)."""
    check_op(f, shapes, tf, second_order=False, **kw)
    arrays = [np.random.default_rng(5).uniform(-2, 2, s) for s in shapes]
    gradcheck(lambda *xs: f(*xs)[0], arrays)


def ints(shape, high=4, seed=0):
    return np.random.default_rng(seed).integers(0, high, size=shape)


# --- sort and friends --------------------------------------------------------------------------
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    "shape,dim", [((6,), -1), ((3, 5), 0), ((3, 5), 1), ((2, 3, 4), 1), ((), 0), ((0, 3), 1)]
)
def test_sort_values_indices_gradients(shape, dim, descending):
    f, tf = both(lambda m: lambda x: m.sort(x, dim=dim, descending=descending))
    check_pair(f, tf, [shape])
    f, tf = both(lambda m: lambda x: m.argsort(x, dim=dim, descending=descending))
    check_op(f, [shape], tf, grad=False)


def test_sort_non_contiguous_and_msort():
    f, tf = both(lambda m: lambda x: m.sort(x.t(), 0))
    check_pair(f, tf, [(4, 3)])
    f, tf = both(lambda m: lambda x: m.msort(x))
    check_op(f, [(4, 3)], tf)
    x = numtorch.randn(3, 4, requires_grad=True)
    v, i = x.sort(1, True)
    assert v.grad_fn.name() == "SortBackward0" and i.dtype == numtorch.int64


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_of_ties_matches_torch(descending):
    for shape, dim in [((20,), 0), ((4, 9), 1), ((9, 4), 0)]:
        a = ints(shape)
        for dt in ["int64", "float32", "bool"]:
            arr = a.astype(dt) if dt != "bool" else a > 1
            x, t = numtorch.tensor(arr), torch.tensor(arr)
            same(
                numtorch.sort(x, dim=dim, descending=descending, stable=True),
                torch.sort(t, dim=dim, descending=descending, stable=True),
            )
            same(
                numtorch.argsort(x, dim=dim, descending=descending, stable=True),
                torch.argsort(t, dim=dim, descending=descending, stable=True),
            )


def test_nan_sorts_largest():
    a = np.array([2.0, np.nan, 1.0, np.nan, -3.0], dtype="float32")
    for desc in [False, True]:
        same(
            numtorch.sort(numtorch.tensor(a), descending=desc, stable=True),
            torch.sort(torch.tensor(a), descending=desc, stable=True),
        )
    same(numtorch.topk(numtorch.tensor(a), 2), torch.topk(torch.tensor(a), 2))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize(
    "shape,k,dim", [((7,), 3, -1), ((4, 6), 2, 1), ((4, 6), 4, 0), ((3, 5), 0, 1), ((), 1, 0)]
)
def test_topk(shape, k, dim, largest):
    f, tf = both(lambda m: lambda x: m.topk(x, k, dim=dim, largest=largest))
    check_pair(f, tf, [shape])


def test_topk_ties_give_valid_indices():
    a = ints((5, 8), high=3).astype("float64")
    x = numtorch.tensor(a)
    v, i = numtorch.topk(x, 3, dim=1)
    tv, _ = torch.topk(torch.tensor(a), 3, dim=1)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), 1), v.numpy())
    assert all(len(set(row)) == 3 for row in i.tolist())


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(
    "shape,k,dim", [((7,), 1, 0), ((4, 6), 3, 1), ((4, 6), 4, 0), ((2, 3, 4), 2, -2)]
)
def test_kthvalue(shape, k, dim, keepdim):
    f, tf = both(lambda m: lambda x: m.kthvalue(x, k, dim, keepdim))
    check_pair(f, tf, [shape])


@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_matches_torch_on_ties(keepdim):
    for shape, dim in [((12,), 0), ((5, 9), 1), ((9, 5), 0), ((2, 3, 7), -1)]:
        a = ints(shape, high=3, seed=len(shape))
        same(
            numtorch.mode(numtorch.tensor(a), dim, keepdim),
            torch.mode(torch.tensor(a), dim, keepdim),
        )
    f, tf = both(lambda m: lambda x: m.mode(x * 0 + x.round(), 1, keepdim))
    check_op(f, [(3, 6)], tf, low=-1.0, high=1.0, second_order=False)


def test_mode_gradient_goes_to_the_last_occurrence():
    x = numtorch.tensor([3.0, 1.0, 3.0, 2.0], requires_grad=True)
    numtorch.mode(x).values.backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0]


# --- quantiles ---------------------------------------------------------------------------------
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile(name, interpolation):
    for shape, q, dim, keepdim in [
        ((9,), 0.3, None, False),
        ((4, 7), 0.5, 1, False),
        ((4, 7), [0.0, 0.25, 1.0], 0, True),
        ((2, 3, 5), [0.1, 0.9], None, True),
        ((2, 3, 5), 0.75, -1, True),
    ]:

        def op(m, q=q, dim=dim, keepdim=keepdim):
            def fn(x):
                qq = m.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
                return getattr(m, name)(
                    x, qq, dim=dim, keepdim=keepdim, interpolation=interpolation
                )

            return fn

        check_op(op(numtorch), [shape], op(torch), second_order=False)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_with_nan(name):
    a = np.random.default_rng(0).standard_normal((4, 6))
    a[0, 2] = a[1, :5].fill(np.nan) or np.nan
    a[3, :] = np.nan
    for q in [0.0, 0.4, 1.0]:
        for dim in [None, 1]:
            x, t = numtorch.tensor(a), torch.tensor(a)
            np.testing.assert_allclose(
                getattr(numtorch, name)(x, q, dim=dim).numpy(),
                getattr(torch, name)(t, q, dim=dim).numpy(),
                equal_nan=True,
            )


def test_quantile_gradcheck():
    gradcheck(
        lambda x: numtorch.quantile(x, numtorch.tensor([0.2, 0.65], dtype=x.dtype), 1),
        [np.random.default_rng(1).standard_normal((3, 5))],
        second_order=True,
    )


# --- sets and counting -------------------------------------------------------------------------
def test_unique():
    a = ints((5, 4), high=4)
    x, t = numtorch.tensor(a), torch.tensor(a)
    for kw in [
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
    ]:
        same(numtorch.unique(x, **kw), torch.unique(t, **kw))
        same(x.unique(**kw), t.unique(**kw))
        for dim in [0, 1, -1]:
            same(numtorch.unique(x, dim=dim, **kw), torch.unique(t, dim=dim, **kw))
        same(numtorch.unique_consecutive(x, **kw), torch.unique_consecutive(t, **kw))
        same(numtorch.unique_consecutive(x, dim=0, **kw), torch.unique_consecutive(t, dim=0, **kw))
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 2], [0, 5]])
    for kw in [{"dim": 0, "return_inverse": True, "return_counts": True}]:
        same(numtorch.unique(numtorch.tensor(rows), **kw), torch.unique(torch.tensor(rows), **kw))
        same(
            numtorch.unique_consecutive(numtorch.tensor(rows), **kw),
            torch.unique_consecutive(torch.tensor(rows), **kw),
        )
    same(
        numtorch.unique(numtorch.tensor([], dtype=numtorch.float32)), torch.unique(torch.tensor([]))
    )


def test_unique_of_grad_input_records_but_cannot_differentiate():
    x = numtorch.tensor([2.0, 1.0, 2.0], requires_grad=True)
    u = numtorch.unique(x)
    assert u.requires_grad and u.grad_fn.name() == "Unique2Backward0"
    with pytest.raises(RuntimeError):
        u.sum().backward()


def test_isin():
    a, b = ints((3, 4), 6), ints((5,), 6, seed=3)
    for kw in [{}, {"invert": True}]:
        same(
            numtorch.isin(numtorch.tensor(a), numtorch.tensor(b), **kw),
            torch.isin(torch.tensor(a), torch.tensor(b), **kw),
        )
    same(numtorch.isin(numtorch.tensor(a), 2), torch.isin(torch.tensor(a), 2))
    same(numtorch.isin(2, numtorch.tensor(b)), torch.isin(2, torch.tensor(b)))


def test_searchsorted_and_bucketize():
    seq = np.sort(np.random.default_rng(0).integers(0, 10, 8))
    vals = np.array([[0, 3, 9, 11], [4, 4, 5, -1]])
    S, V = numtorch.tensor(seq), numtorch.tensor(vals)
    s, v = torch.tensor(seq), torch.tensor(vals)
    for kw in [{}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True}]:
        same(numtorch.searchsorted(S, V, **kw), torch.searchsorted(s, v, **kw))
    seq2 = np.sort(np.random.default_rng(1).standard_normal((2, 5)), axis=1)
    vals2 = np.random.default_rng(2).standard_normal((2, 3))
    for kw in [{}, {"right": True}]:
        same(
            numtorch.searchsorted(numtorch.tensor(seq2), numtorch.tensor(vals2), **kw),
            torch.searchsorted(torch.tensor(seq2), torch.tensor(vals2), **kw),
        )
    perm = np.array([3, 0, 4, 1, 2, 7, 5, 6])
    unsorted = seq[np.argsort(perm)]
    srt = np.argsort(unsorted, kind="stable")
    same(
        numtorch.searchsorted(numtorch.tensor(unsorted), V, sorter=numtorch.tensor(srt)),
        torch.searchsorted(torch.tensor(unsorted), v, sorter=torch.tensor(srt)),
    )
    same(numtorch.searchsorted(S, 4), torch.searchsorted(s, 4))
    for kw in [{}, {"right": True}, {"out_int32": True}]:
        same(numtorch.bucketize(V, S, **kw), torch.bucketize(v, s, **kw))
    same(numtorch.bucketize(3, S), torch.bucketize(3, s))


def test_bincount():
    a = ints((20,), 7)
    w = np.random.default_rng(0).standard_normal(20)
    same(numtorch.bincount(numtorch.tensor(a)), torch.bincount(torch.tensor(a)))
    same(numtorch.tensor(a).bincount(minlength=10), torch.tensor(a).bincount(minlength=10))
    for dt in ["float32", "float64", "int64"]:
        x = numtorch.bincount(numtorch.tensor(a), numtorch.tensor(w.astype(dt)))
        y = torch.bincount(torch.tensor(a), torch.tensor(w.astype(dt)))
        assert str(x.dtype) == str(y.dtype)
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)
    same(
        numtorch.bincount(numtorch.tensor([], dtype=numtorch.int64)),
        torch.bincount(torch.tensor([], dtype=torch.int64)),
    )


def test_histc_and_histogram():
    a = np.random.default_rng(0).standard_normal(50).astype("float32")
    x, t = numtorch.tensor(a), torch.tensor(a)
    for kw in [{}, {"bins": 7}, {"bins": 5, "min": -1, "max": 1}]:
        same(numtorch.histc(x, **kw), torch.histc(t, **kw))
    same(numtorch.histc(numtorch.ones(3), bins=4), torch.histc(torch.ones(3), bins=4))
    w = np.abs(a)
    for kw in [
        {},
        {"bins": 6},
        {"bins": 4, "range": (-1.0, 2.0)},
        {"density": True},
        {"bins": 5, "weight": "w"},
        {"bins": 5, "weight": "w", "density": True},
    ]:
        nkw, tkw = dict(kw), dict(kw)
        if "weight" in kw:
            nkw["weight"], tkw["weight"] = numtorch.tensor(w), torch.tensor(w)
        h, e = numtorch.histogram(x, **nkw)
        th, te = torch.histogram(t, **tkw)
        np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-5)
        np.testing.assert_allclose(e.numpy(), te.numpy(), rtol=1e-6, atol=1e-6)
        assert str(h.dtype) == str(th.dtype)
    edges = np.array([-2.0, -0.5, 0.0, 3.0], dtype="float32")
    r = numtorch.histogram(x, numtorch.tensor(edges))
    same(r, torch.histogram(t, torch.tensor(edges)))
    assert type(r).__name__ == "histogram" and r.bin_edges is r[1]


def test_errors_match_torch():
    f32 = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    cases = [
        (lambda m: m.kthvalue(m.tensor(f32), 5), RuntimeError),
        (lambda m: m.kthvalue(m.tensor(f32), 0), RuntimeError),
        (lambda m: m.topk(m.tensor(f32), 5), RuntimeError),
        (lambda m: m.sort(m.tensor(f32).to(m.complex64)), RuntimeError),
        (lambda m: m.sort(m.tensor(f32), dim=2), IndexError),
        (lambda m: m.quantile(m.tensor(f32), 1.5), RuntimeError),
        (lambda m: m.quantile(m.tensor(f32).int(), 0.5), RuntimeError),
        (lambda m: m.quantile(m.tensor(f32), 0.5, interpolation="foo"), RuntimeError),
        (lambda m: m.quantile(m.tensor(f32), m.tensor([[0.5]])), RuntimeError),
        (lambda m: m.quantile(m.tensor(f32), m.tensor([0.5], dtype=m.float64)), RuntimeError),
        (lambda m: m.quantile(m.ones(0), 0.5), RuntimeError),
        (lambda m: m.mode(m.ones(0)), IndexError),
        (lambda m: m.bincount(m.tensor([-1, 2])), RuntimeError),
        (lambda m: m.bincount(m.tensor([[1]])), RuntimeError),
        (lambda m: m.bincount(m.tensor([1.0])), NotImplementedError),
        (lambda m: m.bincount(m.tensor([1, 2]), m.tensor([1.0])), RuntimeError),
        (lambda m: m.histc(m.tensor([1, 2])), NotImplementedError),
        (lambda m: m.histc(m.tensor([1.0]), bins=2, min=3, max=1), RuntimeError),
        (
            lambda m: m.searchsorted(m.tensor([1, 3]), m.tensor([4]), side="left", right=True),
            RuntimeError,
        ),
        (lambda m: m.searchsorted(m.tensor([[1, 3, 5]]), m.tensor([4, 5])), RuntimeError),
    ]
    for fn, err in cases:
        with pytest.raises(err):
            fn(torch)
        with pytest.raises(err):
            fn(numtorch)
