"""Shape ops: views, joins, splits, repeats and reorderings against PyTorch, with float64
finite-difference checks, view semantics (shared memory, in-place through views) and errors."""

import warnings

import numpy as np
import pytest
from helpers import assert_close, check_op, gradcheck, rand_arrays, torch

import numtorch as nt


def lib(x):
    """The module (numtorch or torch) a tensor belongs to, so one lambda serves both."""
    return nt if isinstance(x, nt.Tensor) else torch


def idx(x, data):
    return lib(x).tensor(data)


OPS = [
    ("view", lambda x: x.view(3, -1), [(3, 4)]),
    ("view_tuple", lambda x: x.view((2, 2, 3)), [(3, 4)]),
    ("view_0d", lambda x: x.view(1, 1), [()]),
    ("view_as", lambda x: x.view_as(x.new_zeros(4, 3)), [(3, 4)]),
    ("reshape_copy", lambda x: x.t().reshape(-1), [(3, 4)]),
    ("reshape_view", lambda x: x[:, 1:].reshape(2, -1, 2), [(2, 3, 4)]),
    ("reshape_empty", lambda x: x.reshape(-1, 2), [(0, 4)]),
    ("reshape_as", lambda x: x.reshape_as(x.new_zeros(6, 2)), [(3, 4)]),
    ("flatten", lambda x: x.flatten(), [(2, 3, 4)]),
    ("flatten_range", lambda x: x.flatten(1, 2), [(2, 3, 4, 5)]),
    ("flatten_0d", lambda x: x.flatten(), [()]),
    ("unflatten", lambda x: x.unflatten(1, (2, -1)), [(3, 4, 2)]),
    ("squeeze", lambda x: x.squeeze(), [(1, 3, 1, 2)]),
    ("squeeze_dim", lambda x: x.squeeze(-2), [(1, 3, 1, 2)]),
    ("squeeze_tuple", lambda x: x.squeeze((0, 2, 3)), [(1, 3, 1, 2)]),
    ("unsqueeze", lambda x: x.unsqueeze(-1).unsqueeze(0), [(2, 3)]),
    ("permute", lambda x: x.permute(2, 0, 1), [(2, 3, 4)]),
    ("permute_neg", lambda x: x.permute((-1, 0, 1)), [(2, 3, 4)]),
    ("transpose", lambda x: x.transpose(0, -1), [(2, 3, 4)]),
    ("swapaxes", lambda x: x.swapaxes(0, 1), [(2, 3)]),
    ("t", lambda x: x.t(), [(2, 3)]),
    ("t_1d", lambda x: x.t(), [(3,)]),
    ("T", lambda x: x.T, [(2, 3)]),
    ("mT", lambda x: x.mT, [(4, 2, 3)]),
    ("mH", lambda x: x.mH, [(4, 2, 3)]),
    ("H", lambda x: x.H, [(2, 3)]),
    ("movedim", lambda x: x.movedim((0, 1), (2, 0)), [(2, 3, 4)]),
    ("movedim_int", lambda x: lib(x).movedim(x, -1, 0), [(2, 3, 4)]),
    ("expand", lambda x: x.expand(2, 3, 4), [(3, 1)]),
    ("expand_keep", lambda x: x.expand(5, -1, -1), [(3, 1)]),
    ("expand_as", lambda x: x.expand_as(x.new_zeros(2, 4, 3)), [(4, 1)]),
    ("broadcast_to", lambda x: lib(x).broadcast_to(x, (2, 3)), [(3,)]),
    ("broadcast_tensors", lambda x, y: lib(x).broadcast_tensors(x, y), [(3, 1), (4,)]),
    ("repeat", lambda x: x.repeat(2, 1, 3), [(2, 3)]),
    ("repeat_0d", lambda x: x.repeat(2, 3), [()]),
    ("tile", lambda x: x.tile((2,)), [(2, 3)]),
    ("tile_more", lambda x: lib(x).tile(x, (2, 1, 2)), [(2, 3)]),
    ("repeat_interleave", lambda x: x.repeat_interleave(2), [(2, 3)]),
    ("repeat_interleave_dim", lambda x: x.repeat_interleave(idx(x, [1, 0, 3]), dim=1), [(2, 3)]),
    ("cat", lambda x, y: lib(x).cat([x, y, x], 1), [(2, 3), (2, 1)]),
    ("cat_neg", lambda x, y: lib(x).cat((x, y), -1), [(2, 3), (2, 2)]),
    ("concat", lambda x, y: lib(x).concat([x, y]), [(2, 3), (1, 3)]),
    ("concatenate", lambda x, y: lib(x).concatenate([x, y], axis=0), [(2, 3), (1, 3)]),
    ("cat_legacy_empty", lambda x, y: lib(x).cat([x, y]), [(2, 3), (0,)]),
    ("stack", lambda x, y: lib(x).stack([x, y], 1), [(2, 3), (2, 3)]),
    ("stack_neg", lambda x, y: lib(x).stack([x, y], -1), [(2, 3), (2, 3)]),
    ("hstack", lambda x, y: lib(x).hstack([x, y]), [(2, 3), (2, 2)]),
    ("hstack_1d", lambda x, y: lib(x).hstack([x, y]), [(3,), (2,)]),
    ("vstack", lambda x, y: lib(x).vstack([x, y]), [(3,), (2, 3)]),
    ("dstack", lambda x, y: lib(x).dstack([x, y]), [(2, 3), (2, 3)]),
    ("column_stack", lambda x, y: lib(x).column_stack([x, y]), [(3,), (3, 2)]),
    ("split", lambda x: x.split(2), [(5, 3)]),
    ("split_sizes", lambda x: x.split([1, 3, 1], dim=1), [(2, 5)]),
    ("split_partial_grad", lambda x: x.split(2)[1], [(5, 3)]),
    ("chunk", lambda x: x.chunk(3, -1), [(2, 7)]),
    ("tensor_split", lambda x: x.tensor_split(3), [(7, 2)]),
    ("tensor_split_idx", lambda x: x.tensor_split([1, 4], dim=1), [(2, 6)]),
    ("hsplit", lambda x: lib(x).hsplit(x, 2), [(2, 4)]),
    ("vsplit", lambda x: lib(x).vsplit(x, [1]), [(3, 4)]),
    ("unbind", lambda x: x.unbind(1), [(2, 3)]),
    ("unbind_partial", lambda x: x.unbind()[1] * 2, [(3, 2)]),
    ("narrow", lambda x: x.narrow(1, 1, 2), [(2, 4)]),
    ("narrow_neg", lambda x: x.narrow(-1, -3, 2), [(2, 4)]),
    ("select", lambda x: x.select(1, -1), [(2, 3, 4)]),
    ("flip", lambda x: x.flip(0, 2), [(2, 3, 4)]),
    ("fliplr", lambda x: x.fliplr(), [(2, 3)]),
    ("flipud", lambda x: x.flipud(), [(2, 3)]),
    ("roll", lambda x: x.roll(1), [(2, 3)]),
    ("roll_dims", lambda x: x.roll((1, -2), (0, 1)), [(2, 3)]),
    ("rot90", lambda x: x.rot90(), [(2, 3)]),
    ("rot90_k", lambda x: x.rot90(-3, (1, 2)), [(2, 3, 4)]),
    ("tril", lambda x: x.tril(), [(3, 4)]),
    ("triu_k", lambda x: x.triu(diagonal=-1), [(2, 3, 4)]),
    ("diagonal", lambda x: x.diagonal(), [(3, 4)]),
    ("diagonal_off", lambda x: x.diagonal(1, 0, 2), [(3, 2, 4)]),
    ("diagonal_neg", lambda x: x.diagonal(-1), [(3, 4)]),
    ("diagonal_empty", lambda x: x.diagonal(5), [(3, 4)]),
    ("diag_1d", lambda x: lib(x).diag(x, 1), [(3,)]),
    ("diag_2d", lambda x: lib(x).diag(x, -1), [(3, 4)]),
    ("diag_embed", lambda x: lib(x).diag_embed(x), [(2, 3)]),
    ("diag_embed_off", lambda x: lib(x).diag_embed(x, -1, 0, 2), [(2, 3)]),
    ("as_strided", lambda x: x.as_strided((2, 2), (1, 2)), [(3, 4)]),
    ("as_strided_overlap", lambda x: x.as_strided((3, 3), (1, 1), 1), [(3, 4)]),
    ("unfold", lambda x: x.unfold(1, 2, 1), [(2, 5)]),
    ("unfold_step", lambda x: x.unfold(0, 2, 3), [(7, 2)]),
]


def _separate(fn):
    """``fn`` with each output made contiguous and given a node of its own.

    gradgradcheck perturbs its grad_outputs in place and wants them contiguous, and the
    outputs of one multi-output node must reach autograd.grad through separate nodes."""

    def wrapped(*args):
        out = fn(*args)
        if isinstance(out, (tuple, list)):
            return tuple(o.contiguous() * 1 for o in out)
        return out.contiguous()

    return wrapped


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_op(name, fn, shapes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_op(_separate(fn), shapes)


NON_CONTIGUOUS = [
    lambda x: x.reshape(-1),
    lambda x: x.flatten(),
    lambda x: x.repeat(2, 1),
    lambda x: x.flip(0),
    lambda x: x.roll(1, 1),
    lambda x: x.tril(),
    lambda x: x.diagonal(),
    lambda x: lib(x).cat([x, x], 1),
    lambda x: lib(x).stack([x, x]),
    lambda x: x.expand(2, 4, 3),
    lambda x: x.unfold(0, 2, 1),
    lambda x: x.as_strided((2, 2), (1, 1)),
    lambda x: x.split(2)[1],
    lambda x: x.rot90(),
    lambda x: x[1:, ::2],
]


@pytest.mark.parametrize("fn", NON_CONTIGUOUS, ids=range(len(NON_CONTIGUOUS)))
def test_non_contiguous_input(fn):
    """Ops on a transposed input (a non-contiguous view)."""
    check_op(_separate(lambda x: fn(x.t())), [(3, 4)], dtypes=("float64",), second_order=False)


GRAD_FN = [
    (lambda x: x.view(12), "ViewBackward0"),
    (lambda x: x.t().reshape(12), "UnsafeViewBackward0"),
    (lambda x: x.expand(2, 3, 4), "ExpandBackward0"),
    (lambda x: x.repeat(2, 1), "RepeatBackward0"),
    (lambda x: lib(x).cat([x, x]), "CatBackward0"),
    (lambda x: lib(x).stack([x, x]), "StackBackward0"),
    (lambda x: x.split(1)[0], "SplitBackward0"),
    (lambda x: x.split([1, 2])[0], "SplitWithSizesBackward0"),
    (lambda x: x.unbind()[0], "UnbindBackward0"),
    (lambda x: x.narrow(0, 0, 1), "SliceBackward0"),
    (lambda x: x.select(0, 0), "SelectBackward0"),
    (lambda x: x.squeeze(), "SqueezeBackward0"),
    (lambda x: x.squeeze(0), "SqueezeBackward1"),
    (lambda x: x.squeeze((0,)), "SqueezeBackward2"),
    (lambda x: x.flip(0), "FlipBackward0"),
    (lambda x: x.roll(1), "RollBackward0"),
    (lambda x: x.rot90(), "Rot90Backward0"),
    (lambda x: x.tril(), "TrilBackward0"),
    (lambda x: x.triu(), "TriuBackward0"),
    (lambda x: x.diagonal(), "DiagonalBackward0"),
    (lambda x: x.diag_embed(), "DiagEmbedBackward0"),
    (lambda x: x.as_strided((2,), (1,)), "AsStridedBackward0"),
    (lambda x: x.unfold(0, 2, 1), "UnfoldBackward0"),
    (lambda x: x.permute(1, 0), "PermuteBackward0"),
    (lambda x: x.T, "PermuteBackward0"),
    (lambda x: x.mT, "TransposeBackward0"),
    (lambda x: x.t(), "TBackward0"),
    (lambda x: x.unsqueeze(0), "UnsqueezeBackward0"),
]


@pytest.mark.parametrize("fn,name", GRAD_FN, ids=[g[1] + str(i) for i, g in enumerate(GRAD_FN)])
def test_grad_fn_names(fn, name):
    x = nt.ones(3, 4, requires_grad=True)
    assert fn(x).grad_fn.name() == name
    assert fn(torch.ones(3, 4, requires_grad=True)).grad_fn.name() == name


# --- view semantics ---------------------------------------------------------------------------
VIEWS = [
    lambda x: x.view(-1),
    lambda x: x.t(),
    lambda x: x.permute(1, 0),
    lambda x: x[1],
    lambda x: x.unsqueeze(0),
    lambda x: x.narrow(1, 1, 2),
    lambda x: x.select(1, 2),
    lambda x: x.diagonal(),
    lambda x: x.as_strided((2, 2), (4, 1), 1),
    lambda x: x.unfold(1, 2, 2),
    lambda x: x.mT,
    lambda x: x.transpose(0, 1)[1:, ::2],
    lambda x: x.flatten(),
    lambda x: x.squeeze(),
    lambda x: x[None, ..., 1:],
]
MULTI_VIEWS = [lambda x: x.unbind(1)[2], lambda x: x.split(2, 1)[1], lambda x: x.chunk(2)[0]]


@pytest.mark.parametrize("fn", VIEWS + MULTI_VIEWS, ids=range(len(VIEWS + MULTI_VIEWS)))
def test_views_share_memory_and_version(fn):
    x = nt.arange(12.0).reshape(3, 4)
    v = fn(x)
    v.mul_(10)
    assert x._version == v._version == 1
    tx = torch.arange(12.0).reshape(3, 4)
    fn(tx).mul_(10)
    assert_close(x, tx)


@pytest.mark.parametrize("fn", VIEWS, ids=range(len(VIEWS)))
def test_inplace_through_view_keeps_gradients(fn):
    """``y = x * 1; view(y).mul_(2)``: the base's gradient sees the in-place change."""
    outs = []
    for m in (nt, torch):
        x = m.arange(12.0).reshape(3, 4).requires_grad_()
        y = x * 1
        v = fn(y)
        v.mul_(v.detach() + 2)
        (y * y).sum().backward()
        outs.append(x.grad)
        assert "CopySlices" in y.grad_fn.name()
    assert_close(*outs)


@pytest.mark.parametrize("fn", MULTI_VIEWS, ids=range(len(MULTI_VIEWS)))
def test_inplace_through_multi_output_view(fn):
    """PyTorch refuses in-place changes to the pieces of unbind/split; numtorch allows them
    and keeps the gradient exact (checked by finite differences)."""

    def f(x):
        y = x * 1
        fn(y).mul_(3)
        return y * y

    gradcheck(f, rand_arrays([(4, 4)], "float64"), second_order=False)


def test_inplace_on_view_twice_and_on_base():
    for m in (nt, torch):
        x = m.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x * 2
        y[1:3].mul_(3)
        y[0].add_(y[3])
        y.exp_()
        y.sum().backward()
        if m is nt:
            got = x.grad
        else:
            assert_close(got, x.grad)


def test_view_of_leaf_inplace_errors():
    x = nt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x[0].mul_(2)
    with nt.no_grad():
        x[0].mul_(2)
    assert x.tolist() == [2.0, 1.0, 1.0]


def test_reshape_copies_only_when_needed():
    x = nt.arange(12.0).reshape(3, 4)
    assert x.reshape(4, 3).data_ptr() == x.data_ptr()
    assert x.t().reshape(12)._base is None
    y = x[:, 1:3].reshape(3, 2)  # a view is possible: no copy
    y.fill_(0)
    assert x[:, 1:3].sum().item() == 0
    assert x.flatten().data_ptr() == x.data_ptr()


def test_expand_shares_memory():
    x = nt.zeros(3, 1)
    e = x.expand(2, 3, 4)
    assert e.stride() == (0, 1, 0)
    x.fill_(2)
    assert e.sum().item() == 48


def test_contiguous_and_strides():
    x = nt.arange(6.0).reshape(2, 3)
    assert x.t().stride() == (1, 3)
    assert not x.t().is_contiguous()
    assert x.t().contiguous().is_contiguous()
    assert x.unfold(1, 2, 1).stride() == (3, 1, 1)


def test_iteration_uses_unbind():
    x = nt.arange(6.0).reshape(2, 3).requires_grad_()
    rows = list(x)
    assert [r.tolist() for r in rows] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    (rows[0] * 2 + rows[1]).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3, [1.0] * 3]


def test_split_pieces_sum_of_gradients():
    gradcheck(
        lambda x: sum(p.sum() * (i + 1) for i, p in enumerate(x.split(2))),
        rand_arrays([(5, 2)], "float64"),
    )


def test_cat_promotes_dtypes():
    a = nt.ones(2, dtype=nt.int32)
    b = nt.ones(2, dtype=nt.float64)
    assert nt.cat([a, b]).dtype is nt.float64
    assert nt.cat([nt.ones(2, dtype=nt.bool), a]).dtype is nt.int32
    assert nt.stack([a, nt.ones(2, dtype=nt.int64)]).dtype is nt.int64
    assert nt.cat([nt.zeros(0, dtype=nt.float64), nt.ones(2, 3)]).dtype is nt.float64


def test_cat_out():
    out = nt.empty(4)
    nt.cat([nt.ones(2), nt.zeros(2)], out=out)
    assert out.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_int_ops_keep_dtype():
    x = nt.arange(6).reshape(2, 3)
    for y in (
        x.t(),
        x.flip(0),
        x.repeat(2, 1),
        nt.cat([x, x]),
        x.tril(),
        x.roll(1),
        x.expand(2, 2, 3),
        x.unfold(1, 2, 1),
        x.diagonal(),
    ):
        assert y.dtype is nt.int64
        assert not y.requires_grad


ERRORS = [
    (lambda m: m.zeros(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda m: m.zeros(2, 3).view(4, -1), RuntimeError, r"shape '\[4, -1\]' is invalid"),
    (lambda m: m.zeros(2, 3).view(-2, 3), RuntimeError, "invalid shape dimension -2"),
    (lambda m: m.zeros(0, 3).view(0, -1), RuntimeError, "ambiguous"),
    (lambda m: m.zeros(2, 3).t().view(6), RuntimeError, "view size is not compatible"),
    (lambda m: m.zeros(2, 3).expand(3, 3), RuntimeError, "must match the existing size"),
    (lambda m: m.zeros(2, 3).expand(3), RuntimeError, "must be greater or equal"),
    (lambda m: m.zeros(2, 3).repeat(2), RuntimeError, "Number of dimensions of repeat"),
    (lambda m: m.zeros(2, 3).permute(0), RuntimeError, "number of dimensions"),
    (lambda m: m.zeros(2, 3).permute(0, 0), RuntimeError, "duplicate dims"),
    (lambda m: m.zeros(2, 3).transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda m: m.zeros(2, 3, 4).t(), RuntimeError, "expects a tensor with <= 2 dimensions"),
    (lambda m: m.zeros(3).mT, RuntimeError, "only supported on matrices"),
    (lambda m: m.cat([]), ValueError, "expected a non-empty list"),
    (lambda m: m.cat([m.zeros(2), m.zeros(2, 3)]), RuntimeError, "same number of dimensions"),
    (
        lambda m: m.cat([m.zeros(1, 2), m.zeros(2, 3)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0",
    ),
    (lambda m: m.cat([m.tensor(1.0)]), RuntimeError, "zero-dimensional tensor"),
    (lambda m: m.stack([m.zeros(2), m.zeros(3)]), RuntimeError, "stack expects each tensor"),
    (lambda m: m.zeros(3).split([1, 1]), RuntimeError, "split_with_sizes expects"),
    (lambda m: m.zeros(3).chunk(0), RuntimeError, "chunk expects `chunks`"),
    (lambda m: m.zeros(3).narrow(0, 2, 2), RuntimeError, "exceeds dimension size"),
    (lambda m: m.zeros(3).select(0, 3), IndexError, "out of range"),
    (lambda m: m.zeros(3).diagonal(), IndexError, "Dimension out of range"),
    (lambda m: m.zeros(3, 3).diagonal(0, 1, -1), RuntimeError, "cannot be identical"),
    (lambda m: m.zeros(3).tril(), RuntimeError, "at least 2 dimensions"),
    (lambda m: m.zeros(3).flip(0, 0), RuntimeError, "dims has duplicates"),
    (lambda m: m.zeros(3).unfold(0, 4, 1), RuntimeError, "maximum size for tensor"),
    (lambda m: m.zeros(3).as_strided((4,), (1,)), RuntimeError, "out of bounds for storage"),
    (lambda m: m.zeros(3).unflatten(0, (2, 2)), RuntimeError, "don't multiply up"),
    (lambda m: m.broadcast_tensors(m.zeros(2), m.zeros(3)), RuntimeError, "mismatch"),
]


@pytest.mark.parametrize("fn,exc,match", ERRORS, ids=range(len(ERRORS)))
def test_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn(nt)
    with pytest.raises(exc):
        fn(torch)


def test_broadcast_shapes():
    assert nt.broadcast_shapes((3, 1), (4,), ()) == (3, 4)
    assert tuple(nt.broadcast_shapes(2, (3, 1))) == (3, 2)


def test_repeat_interleave_counts():
    r = nt.repeat_interleave(nt.tensor([1, 0, 2]))
    assert r.tolist() == [0, 2, 2] and r.dtype is nt.int64


def test_values_random_shapes():
    """cat/stack/split round trips on random shapes keep every value."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        shape = tuple(rng.integers(1, 4, size=rng.integers(1, 4)))
        a = rng.standard_normal(shape)
        x = nt.tensor(a)
        d = int(rng.integers(0, len(shape)))
        pieces = x.split(1, d)
        assert np.array_equal(nt.cat(pieces, d).numpy(), a)
        assert np.array_equal(nt.stack(x.unbind(d), d).numpy(), a)


def test_squeeze_of_a_0d_tensor_accepts_dim_0():
    s = nt.tensor(5.0)
    for d in (0, -1, (0,)):
        out = s.squeeze(d)
        assert out.shape == () and out.item() == 5.0
    with pytest.raises(IndexError):
        s.squeeze(1)
