"""Indexing: x[key], x[key] = v, gather/scatter/index_* and mask ops against PyTorch, with
float64 finite-difference checks, repeated indices, hypothesis-generated keys and errors."""

import warnings

import numpy as np
import pytest
from helpers import assert_close, check_op, gradcheck, rand_arrays, torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numtorch as nt


def lib(x):
    return nt if isinstance(x, nt.Tensor) else torch


def T(x, data, dtype=None):
    """An index tensor of ``x``'s library."""
    m = lib(x)
    return m.tensor(data, dtype=getattr(m, dtype) if dtype else None)


def _separate(fn):
    def wrapped(*args):
        out = fn(*args)
        if isinstance(out, (tuple, list)):
            return tuple(o.contiguous() * 1 for o in out)
        return out.contiguous()

    return wrapped


GETITEM = [
    ("int", lambda x: x[1], [(3, 4)]),
    ("neg_int", lambda x: x[-1, -2], [(3, 4)]),
    ("int_0d_result", lambda x: x[2], [(3,)]),
    ("slice", lambda x: x[1:3], [(4, 3)]),
    ("slice_step", lambda x: x[::2, 1::3], [(5, 7)]),
    ("slice_clamped", lambda x: x[-10:10], [(4,)]),
    ("slice_empty", lambda x: x[3:1], [(4, 2)]),
    ("none", lambda x: x[None, :, None], [(3, 2)]),
    ("ellipsis", lambda x: x[..., 1], [(2, 3, 4)]),
    ("ellipsis_mid", lambda x: x[0, ..., 1:], [(2, 3, 4)]),
    ("zero_d_none", lambda x: x[None], [()]),
    ("zero_d_ellipsis", lambda x: x[...], [()]),
    ("bool_true", lambda x: x[True], [(2, 3)]),
    ("bool_false", lambda x: x[False], [(2, 3)]),
    ("list", lambda x: x[[0, 2, 0]], [(3, 4)]),
    ("tensor_repeated", lambda x: x[T(x, [1, 1, 0, 1])], [(3, 4)]),
    ("tensor_neg", lambda x: x[T(x, [-1, 0])], [(3, 4)]),
    ("tensor_2d", lambda x: x[T(x, [[0, 1], [2, 2]])], [(3, 4)]),
    ("tensor_int32", lambda x: x[T(x, [2, 0], "int32")], [(3, 4)]),
    ("tensor_0d", lambda x: x[T(x, 1)], [(3, 4)]),
    ("two_tensors", lambda x: x[T(x, [0, 2, 2]), T(x, [1, 1, 3])], [(3, 4)]),
    ("broadcast_tensors", lambda x: x[T(x, [[0], [2]]), T(x, [1, 3, 1])], [(3, 4)]),
    ("slice_and_tensor", lambda x: x[1:, T(x, [0, 0, 2])], [(3, 4)]),
    ("separated_adv", lambda x: x[T(x, [0, 1]), :, T(x, [1, 1])], [(2, 3, 4)]),
    ("adv_none", lambda x: x[:, None, T(x, [1, 0])], [(2, 3)]),
    ("mask", lambda x: x[x > 0], [(3, 4)]),
    ("mask_rows", lambda x: x[T(x, [True, False, True])], [(3, 4)]),
    ("mask_and_int", lambda x: x[T(x, [True, False, True]), 1], [(3, 4)]),
    ("mask_0d", lambda x: x[T(x, True)], [(3,)]),
    ("mask_partial_dims", lambda x: x[x[..., 0] > 0], [(3, 2, 4)]),
    ("empty_index", lambda x: x[T(x, [], "int64")], [(3, 4)]),
    ("nested_list", lambda x: x[[[0, 1], [1, 2]]], [(3, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", GETITEM, ids=[g[0] for g in GETITEM])
def test_getitem(name, fn, shapes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_op(_separate(fn), shapes)


GRAD_FN = [
    (lambda x: x[0], "SelectBackward0"),
    (lambda x: x[1:], "SliceBackward0"),
    (lambda x: x[:], "SliceBackward0"),
    (lambda x: x[:, :], "AliasBackward0"),
    (lambda x: x[...], "AliasBackward0"),
    (lambda x: x[None], "UnsqueezeBackward0"),
    (lambda x: x[0, None, :], "UnsqueezeBackward0"),
    (lambda x: x[None, 0], "SelectBackward0"),
    (lambda x: x[1:, 0], "SelectBackward0"),
    (lambda x: x[0, 1:], "SliceBackward0"),
    (lambda x: x[0:100, 0], "SelectBackward0"),
    (lambda x: x[[0]], "IndexBackward0"),
    (lambda x: x[x > 0], "IndexBackward0"),
    (lambda x: x[True], "IndexBackward0"),
    (lambda x: x.gather(0, T(x, [[0]])), "GatherBackward0"),
    (lambda x: x.index_select(1, T(x, [0])), "IndexSelectBackward0"),
    (lambda x: x.masked_fill(x > 0, 1.0), "MaskedFillBackward0"),
    (lambda x: x.masked_select(x > 0), "MaskedSelectBackward0"),
    (lambda x: x.take(T(x, [0])), "TakeBackward0"),
    (lambda x: x.scatter(0, T(x, [[0]]), x), "ScatterBackward0"),
    (lambda x: x.scatter(0, T(x, [[0]]), 1.0), "ScatterBackward1"),
    (lambda x: x.scatter_add(0, T(x, [[0]]), x), "ScatterAddBackward0"),
    (lambda x: x.scatter_reduce(0, T(x, [[0]]), x, "amax"), "ScatterReduceBackward0"),
    (lambda x: x.index_add(0, T(x, [0]), x[:1]), "IndexAddBackward0"),
    (lambda x: x.index_copy(0, T(x, [0]), x[:1]), "IndexCopyBackward0"),
    (lambda x: x.index_fill(0, T(x, [0]), 2.0), "IndexFillBackward0"),
    (lambda x: x.index_put((T(x, [0]),), x[0]), "IndexPutBackward0"),
    (lambda x: x.masked_scatter(x > 0, x), "MaskedScatterBackward0"),
    (lambda x: x.put(T(x, [0]), x[0, :1]), "PutBackward0"),
]


@pytest.mark.parametrize("fn,name", GRAD_FN, ids=[g[1] + str(i) for i, g in enumerate(GRAD_FN)])
def test_grad_fn_names(fn, name):
    assert fn(nt.ones(3, 4, requires_grad=True)).grad_fn.name() == name
    assert fn(torch.ones(3, 4, requires_grad=True)).grad_fn.name() == name


def test_basic_index_is_a_view_and_advanced_is_a_copy():
    x = nt.arange(12.0).reshape(3, 4)
    v = x[1, ::2]
    v.fill_(-1)
    assert x[1].tolist() == [-1.0, 5.0, -1.0, 7.0]
    assert x._version == 1
    c = x[[1]]
    c.fill_(9)
    assert x[1, 1].item() == 5.0
    assert x[0, 0].dim() == 0 and x[0, 0].data_ptr() == x.data_ptr()


def test_repeated_indices_accumulate():
    for m in (nt, torch):
        x = m.zeros(3, 2, requires_grad=True)
        x[m.tensor([0, 0, 2, 0])].sum().backward()
        assert x.grad.tolist() == [[3.0, 3.0], [0.0, 0.0], [1.0, 1.0]]


@pytest.mark.parametrize("n,m,d", [(50, 400, 4), (5, 2000, 3), (100, 7, 1)])
def test_row_scatter_paths(n, m, d):
    """Few and many repeats take different paths; both sum every occurrence."""
    rng = np.random.default_rng(n)
    idx = rng.integers(-n, n, size=m)
    g = rng.standard_normal((m, d))
    x = nt.zeros(n, d, dtype=nt.float64, requires_grad=True)
    x[nt.tensor(idx)].backward(nt.tensor(g))
    expect = np.zeros((n, d))
    np.add.at(expect, idx, g)
    np.testing.assert_allclose(x.grad.numpy(), expect, atol=1e-12)


# --- x[key] = value ---------------------------------------------------------------------------
SETITEM = [
    ("int_number", lambda x, v: _set(x, 1, 5.0)),
    ("slice_tensor", lambda x, v: _set(x, (slice(None), slice(1, 3)), v[:, :2])),
    ("broadcast_value", lambda x, v: _set(x, slice(0, 2), v[0])),
    ("leading_ones", lambda x, v: _set(x, 0, v[:1])),
    ("ellipsis", lambda x, v: _set(x, Ellipsis, v)),
    ("list_index", lambda x, v: _set(x, [2, 0], v[:2])),
    ("tensor_index_number", lambda x, v: _set(x, T(x, [0, 2]), 1.5)),
    ("mask", lambda x, v: _set(x, x > 0, 0.0)),
    ("mask_tensor_value", lambda x, v: _set(x, v > 0, v[v > 0] * 2)),
    ("two_tensors", lambda x, v: _set(x, (T(x, [0, 1]), T(x, [3, 2])), v[0, :2])),
    ("step_slice", lambda x, v: _set(x, (slice(None, None, 2), 0), v[:2, 0])),
]


def _set(x, key, value):
    y = x * 1
    y[key] = value
    return y * y


@pytest.mark.parametrize("name,fn", SETITEM, ids=[s[0] for s in SETITEM])
def test_setitem_gradients(name, fn):
    check_op(fn, [(3, 4), (3, 4)], second_order=False)


def test_setitem_grad_fn_and_leaf_errors():
    x = nt.ones(3, requires_grad=True)
    y = x * 1
    y[0] = 5.0
    assert y.grad_fn.name() == "CopySlices"
    y[[0, 1]] = 5.0
    assert y.grad_fn.name() == "IndexPutBackward0"
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x[0] = 1.0
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[[0]] = 1.0
    with nt.no_grad():
        x[0] = 7.0
    assert x.tolist() == [7.0, 1.0, 1.0]


def test_setitem_plain_values_and_versions():
    for m in (nt, torch):
        b = m.zeros(3)
        b[0:2] = m.ones(1, 1, 2)
        b[m.tensor([2, 2])] = m.tensor([1.0, 4.0])
        b[-1] += 1
        i = m.zeros(3, dtype=m.long)
        i[0] = 1.7
        c = m.zeros(2, 3, dtype=m.float64)
        c[0] = m.ones(3, dtype=m.float32)
        if m is nt:
            got = (b, i, c, b._version)
        else:
            for a, e in zip(got[:3], (b, i, c)):
                assert_close(a, e)
            assert got[3] == b._version


def test_setitem_value_grad_to_value():
    for m in (nt, torch):
        x = m.zeros(4, 3, dtype=m.float64, requires_grad=True)
        v = m.ones(3, dtype=m.float64, requires_grad=True)
        y = x * 2
        y[m.tensor([0, 2])] = v * 3
        y[1:2] = v
        (y * m.arange(12.0, dtype=m.float64).reshape(4, 3)).sum().backward()
        if m is nt:
            got = (x.grad, v.grad)
        else:
            assert_close(got[0], x.grad)
            assert_close(got[1], v.grad)


# --- gather / scatter / index_* ---------------------------------------------------------------
IDX = [[0, 2, 1, 0], [1, 0, 0, 2]]
OPS = [
    ("gather0", lambda x: x.gather(0, T(x, [[0, 2, 1, 0], [2, 2, 0, 1]])), [(3, 4)]),
    ("gather1", lambda x: lib(x).gather(x, 1, T(x, [[3, 3], [0, 1], [2, 2]])), [(3, 4)]),
    ("gather_small", lambda x: x.gather(1, T(x, [[1]])), [(3, 4)]),
    ("gather_int32", lambda x: x.gather(1, T(x, [[1, 0]], "int32")), [(3, 4)]),
    ("scatter_src", lambda x, y: x.scatter(1, T(x, [[0, 2], [1, 3]]), y), [(3, 4), (2, 2)]),
    ("scatter_value", lambda x: x.scatter(0, T(x, [[1, 2, 0, 1]]), 0.5), [(3, 4)]),
    ("scatter_add", lambda x, y: x.scatter_add(0, T(x, IDX), y), [(3, 4), (2, 4)]),
    ("index_select", lambda x: x.index_select(0, T(x, [2, 0, 2])), [(3, 4)]),
    ("index_select1", lambda x: lib(x).index_select(x, 1, T(x, [3, 3])), [(3, 4)]),
    ("index_select_3d", lambda x: x.index_select(1, T(x, [2, 0, 0])), [(2, 3, 2)]),
    ("index_add", lambda x, y: x.index_add(1, T(x, [0, 0, 3]), y, alpha=2), [(3, 4), (3, 3)]),
    ("index_copy", lambda x, y: x.index_copy(0, T(x, [2, 0]), y), [(3, 4), (2, 4)]),
    ("index_fill", lambda x: x.index_fill(1, T(x, [1, 3]), -1.0), [(3, 4)]),
    ("index_put", lambda x, y: x.index_put((T(x, [0, 2]),), y), [(3, 4), (4,)]),
    (
        "index_put_acc",
        lambda x, y: x.index_put((T(x, [0, 0]), T(x, [1, 1])), y, True),
        [(3, 4), (2,)],
    ),
    ("take", lambda x: x.take(T(x, [[0, 11], [5, 5]])), [(3, 4)]),
    ("take_along_dim", lambda x: lib(x).take_along_dim(x, T(x, [[0], [2], [1]]), 1), [(3, 4)]),
    ("take_along_dim_bcast", lambda x: lib(x).take_along_dim(x, T(x, [[[0, 2]]]), 0), [(3, 4, 1)]),
    ("take_along_dim_flat", lambda x: lib(x).take_along_dim(x, T(x, [5, 0])), [(3, 4)]),
    ("put", lambda x, y: x.put(T(x, [1, 6]), y), [(3, 4), (2,)]),
    ("put_acc", lambda x, y: x.put(T(x, [1, 1]), y, accumulate=True), [(3, 4), (2,)]),
    ("masked_fill", lambda x: x.masked_fill(x > 0, 2.0), [(3, 4)]),
    (
        "masked_fill_bcast",
        lambda x: x.masked_fill(T(x, [True, False, True, False]), -1.0),
        [(3, 4)],
    ),
    ("masked_fill_tensor", lambda x, v: x.masked_fill(x > 0, v), [(3, 4), ()]),
    ("masked_select", lambda x: x.masked_select(x > 0.5), [(3, 4)]),
    ("masked_select_bcast", lambda x: lib(x).masked_select(x, T(x, [True, False, True])), [(2, 3)]),
    ("masked_scatter", lambda x, y: x.masked_scatter(x > 0, y), [(3, 4), (13,)]),
]
REDUCE = [(r, s) for r in ("sum", "prod", "mean", "amax", "amin") for s in (True, False)]


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_index_ops(name, fn, shapes):
    check_op(_separate(fn), shapes)


@pytest.mark.parametrize("reduce,include_self", REDUCE, ids=str)
def test_scatter_reduce(reduce, include_self):
    def fn(x, y):
        return x.scatter_reduce(0, T(x, IDX), y, reduce, include_self=include_self)

    check_op(fn, [(3, 4), (2, 4)], second_order=reduce in ("sum", "mean"))


@pytest.mark.parametrize("reduce", ["amax", "amin", "prod"])
def test_scatter_reduce_ties_and_zeros(reduce):
    outs = []
    for m in (nt, torch):
        x = m.tensor([[1.0, 0.0], [2.0, 3.0]], requires_grad=True)
        s = m.tensor([[1.0, 0.0], [1.0, 0.0], [2.0, 3.0]], requires_grad=True)
        r = x.scatter_reduce(0, m.tensor([[0, 0], [0, 0], [1, 1]]), s, reduce)
        r.backward(m.tensor([[1.0, 2.0], [3.0, 4.0]]))
        outs.append((r, x.grad, s.grad))
    for a, b in zip(*outs):
        assert_close(a, b)


def test_scatter_reduce_int_mean():
    r = nt.tensor([1, 2, 3]).scatter_reduce(0, nt.tensor([0, 0, 1]), nt.tensor([4, 5, 7]), "mean")
    assert r.tolist() == [3, 4, 3]


INPLACE = [
    ("scatter_", lambda x: x.scatter_(0, T(x, [[1, 0, 0, 2]]), 2.0)),
    ("scatter_add_", lambda x: x.scatter_add_(1, T(x, [[0, 0]] * 3), x[:, :2] + 0)),
    ("scatter_reduce_", lambda x: x.scatter_reduce_(1, T(x, [[0]] * 3), x[:, :1] + 0, "sum")),
    ("index_add_", lambda x: x.index_add_(0, T(x, [1, 1]), x[:2] + 0)),
    ("index_copy_", lambda x: x.index_copy_(0, T(x, [1]), x[:1] + 1)),
    ("index_fill_", lambda x: x.index_fill_(1, T(x, [2]), 0.0)),
    ("index_put_", lambda x: x.index_put_((T(x, [0]),), x[2] + 0, accumulate=True)),
    ("masked_fill_", lambda x: x.masked_fill_(x > 0, 1.0)),
    ("masked_scatter_", lambda x: x.masked_scatter_(x < 0, x.flip(0) * 1)),
    ("put_", lambda x: x.put_(T(x, [3]), x[0, :1] + 0)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_forms(name, fn):
    def wrapped(x):
        y = x * 1
        out = fn(y)
        assert out is y
        return y * y

    check_op(wrapped, [(3, 4)], second_order=False)
    x = nt.arange(12.0).reshape(3, 4) - 5
    fn(x)
    assert x._version >= 1


def test_nonzero_argwhere_where():
    x = nt.tensor([[0, 1, 0], [2, 0, 3]])
    assert x.nonzero().tolist() == [[0, 1], [1, 0], [1, 2]]
    assert nt.argwhere(x).dtype is nt.int64
    rows, cols = nt.nonzero(x, as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2]
    assert [t.tolist() for t in nt.where(x > 0)] == [[0, 1, 1], [1, 0, 2]]
    assert nt.nonzero(nt.tensor(5), as_tuple=True)[0].tolist() == [0]
    assert nt.tensor(0.0).nonzero().shape == (0, 0)
    assert tuple(torch.tensor(0.0).nonzero().shape) == (0, 0)


# --- errors -----------------------------------------------------------------------------------
ERRORS = [
    (lambda m, x: x[5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda m, x: x[:, -5], IndexError, "index -5 is out of bounds for dimension 1 with size 4"),
    (lambda m, x: x[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda m, x: x[::-1], ValueError, "step must be greater than zero"),
    (lambda m, x: x[1.5], IndexError, "only integers, slices"),
    (lambda m, x: x[m.tensor([0.0])], IndexError, "tensors used as indices must be long"),
    (lambda m, x: x[m.tensor([0, 3])], IndexError, "index 3 is out of bounds"),
    (lambda m, x: x[m.tensor([True, False])], IndexError, "The shape of the mask"),
    (
        lambda m, x: x.__setitem__(slice(0, 2), m.ones(3)),
        RuntimeError,
        r"The expanded size of the tensor \(4\) must match the existing size \(3\)",
    ),
    (
        lambda m, x: x.__setitem__(m.tensor([0, 1]), m.ones(3)),
        RuntimeError,
        "shape mismatch: value tensor of shape",
    ),
    (lambda m, x: x.gather(0, m.zeros(3, 4)), RuntimeError, "Expected dtype int32/int64"),
    (
        lambda m, x: x.gather(0, m.full((3, 4), 5)),
        RuntimeError,
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    (lambda m, x: x.gather(0, m.zeros(4, dtype=m.long)), RuntimeError, "same number of dim"),
    (
        lambda m, x: x.scatter(0, m.zeros(3, 4, dtype=m.long), m.zeros(2, 4)),
        RuntimeError,
        "to be no larger size than src",
    ),
    (
        lambda m, x: x.scatter(0, m.zeros(3, 4, dtype=m.long), m.zeros(3, 4, dtype=m.float64)),
        RuntimeError,
        "Expected self.dtype to be equal to src.dtype",
    ),
    (
        lambda m, x: x.scatter(0, m.zeros(1, 4, dtype=m.long), 1.0, reduce="max"),
        RuntimeError,
        "reduce argument must be either add or multiply",
    ),
    (
        lambda m, x: x.scatter_reduce(0, m.zeros(1, 4, dtype=m.long), x, "add"),
        RuntimeError,
        "reduce argument must be either sum, prod, mean, amax or amin",
    ),
    (lambda m, x: x.index_select(0, m.tensor([0.0])), RuntimeError, "Expected dtype int32"),
    (lambda m, x: x.index_select(0, m.tensor([[0]])), IndexError, "supposed to be a vector"),
    (lambda m, x: x.index_select(0, m.tensor([5])), IndexError, "index out of range in self"),
    (lambda m, x: x.index_add(0, m.tensor([0]), m.ones(2, 4)), RuntimeError, "Number of indices"),
    (
        lambda m, x: x.index_copy(0, m.tensor([0]), m.ones(1, 4, dtype=m.float64)),
        RuntimeError,
        "same dtype",
    ),
    (
        lambda m, x: x.index_fill(0, m.tensor([0]), m.ones(2)),
        RuntimeError,
        "0-dimensional value tensor",
    ),
    (lambda m, x: x.masked_fill(m.ones(3, 4), 1.0), RuntimeError, "only supports boolean masks"),
    (lambda m, x: x.masked_fill(x > 0, m.ones(2)), RuntimeError, "0-dimensional value"),
    (lambda m, x: x.masked_select(m.ones(3, 4)), RuntimeError, "expected BoolTensor"),
    (
        lambda m, x: x.masked_scatter(m.ones(3, 4, dtype=m.bool), m.ones(3)),
        RuntimeError,
        "Number of elements of source < number of ones in mask",
    ),
    (lambda m, x: x.take(m.tensor([12])), IndexError, "out of range"),
    (lambda m, x: x.put(m.tensor([0]), m.ones(2)), IndexError, "same number of elements"),
]


@pytest.mark.parametrize("fn,exc,match", ERRORS, ids=range(len(ERRORS)))
def test_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn(nt, nt.zeros(3, 4))
    with pytest.raises(exc, match=match if exc is not RuntimeError else None):
        fn(torch, torch.zeros(3, 4))


def test_scatter_with_reduce_has_no_derivative():
    x = nt.ones(2, 2, requires_grad=True)
    y = x.scatter(0, nt.tensor([[0, 0]]), 2.0, reduce="multiply")
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        y.sum().backward()


# --- hypothesis: random keys against torch ----------------------------------------------------
@st.composite
def index_case(draw):
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    key, dim, n_adv = [], 0, 0
    used_ellipsis = False
    for _ in range(draw(st.integers(0, ndim + 2))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "tensor", "mask", "list"]))
        if kind == "none":
            key.append(None)
            continue
        if kind == "ellipsis":
            if not used_ellipsis:
                used_ellipsis = True
                key.append(Ellipsis)
            continue
        if dim >= ndim:
            break
        n = shape[dim]
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            key.append(slice(start, stop, step))
        elif kind in ("tensor", "list"):
            size = draw(st.integers(1, 3)) if n_adv == 0 else n_adv
            n_adv = size
            vals = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
            key.append(("tensor", vals) if kind == "tensor" else vals)
        else:
            span = draw(st.integers(1, min(2, ndim - dim)))
            mshape = shape[dim : dim + span]
            bits = draw(
                st.lists(
                    st.booleans(), min_size=int(np.prod(mshape)), max_size=int(np.prod(mshape))
                )
            )
            key.append(("mask", np.array(bits).reshape(mshape)))
            dim += span - 1
        dim += 1
    return shape, key


def _materialise(m, key):
    out = []
    for k in key:
        if isinstance(k, tuple) and k[0] == "tensor":
            out.append(m.tensor(k[1]))
        elif isinstance(k, tuple) and k[0] == "mask":
            out.append(m.tensor(k[1]))
        else:
            out.append(k)
    return tuple(out)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index_case())
@pytest.mark.live_torch("hypothesis' examples differ between its versions")
def test_random_keys_match_torch(case):
    shape, key = case
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    tx = torch.tensor(a, requires_grad=True)
    try:
        expected = tx[_materialise(torch, key)]
    except (IndexError, RuntimeError, ValueError) as e:
        with pytest.raises(type(e)):
            nt.tensor(a)[_materialise(nt, key)]
        return
    x = nt.tensor(a, requires_grad=True)
    got = x[_materialise(nt, key)]
    assert_close(got, expected)
    g = np.random.default_rng(0).standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(g))
    got.backward(nt.tensor(g))
    assert_close(x.grad, tx.grad)
    # the same key as an assignment target
    ty, y = torch.tensor(a), nt.tensor(a)
    ty[_materialise(torch, key)] = -1.0
    y[_materialise(nt, key)] = -1.0
    assert_close(y, ty)


def test_double_backward_through_index():
    gradcheck(
        lambda x: (x[nt.tensor([0, 0, 2])] ** 2).sum() + x[1:, None].pow(3).sum(),
        rand_arrays([(3, 2)], "float64"),
    )


def test_index_arrays_around_an_empty_ellipsis_stay_in_place():
    x = np.arange(4.0).reshape(2, 1, 2)
    for key in (
        lambda m: (slice(None), m.tensor([0]), Ellipsis, m.tensor([True, True])),
        lambda m: (slice(None, 0), m.tensor([0]), Ellipsis, m.tensor([0])),
    ):
        got = nt.tensor(x)[key(nt)]
        expected = torch.tensor(x)[key(torch)]
        assert tuple(got.shape) == tuple(expected.shape)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
