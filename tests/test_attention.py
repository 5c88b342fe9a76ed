"""scaled_dot_product_attention, MultiheadAttention and the Transformer layers against torch."""

import numpy as np
import pytest
from helpers import assert_close, check_op, gradcheck, torch

import numtorch as nt
import numtorch.nn as nn

RNG = np.random.default_rng(0)


def F(t):
    return nt.nn.functional if isinstance(t, nt.Tensor) else torch.nn.functional


def _lib_tensor(like, a):
    if a.dtype.kind == "f":
        a = a.astype(str(like.dtype).split(".")[-1])
    return nt.tensor(a) if isinstance(like, nt.Tensor) else torch.tensor(a)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3}], ids=str)
def test_sdpa(kw):
    check_op(
        lambda q, k, v: F(q).scaled_dot_product_attention(q, k, v, **kw),
        [(2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 6)],
        second_order=not kw,
    )


def _composed_sdpa(q, k, v, bias, scale):
    scores = q @ k.transpose(-2, -1) * scale
    return nt.softmax(scores if bias is None else scores + bias, -1) @ v


def _mask(kind, dtype, rng):
    if kind == "bool":
        return nt.tensor(rng.standard_normal((5, 6)) > -0.5)
    if kind == "causal":
        return nt.tril(nt.ones(5, 6, dtype=nt.bool))
    shape = {"float": (5, 6), "broadcast": (2, 1, 5, 6)}.get(kind)
    return None if shape is None else nt.tensor(rng.standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "broadcast"])
def test_sdpa_node_equals_the_composed_ops_bit_for_bit(dtype, kind):
    # attention without dropout runs as one node; its output and gradients are those of the
    # composed matmul, scale, mask, softmax and matmul, to the bit
    rng = np.random.default_rng(5)
    arrays = [
        rng.standard_normal(s).astype(dtype) for s in [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 3)]
    ]
    mask = _mask(kind, dtype, rng)
    bias = mask
    if mask is not None and mask.dtype == nt.bool:
        bias = nt.zeros(5, 6, dtype=getattr(nt, dtype)).masked_fill(~mask, float("-inf"))
    a = [nt.tensor(x, requires_grad=True) for x in arrays]
    b = [nt.tensor(x, requires_grad=True) for x in arrays]
    kw = {"is_causal": True} if kind == "causal" else {"attn_mask": mask}
    out = nt.nn.functional.scaled_dot_product_attention(*a, **kw)
    ref = _composed_sdpa(*b, bias, 0.5)
    assert out.grad_fn.name() == "UnsafeViewBackward0"
    assert out.detach().numpy().tobytes() == ref.detach().numpy().tobytes()
    g = nt.tensor(rng.standard_normal(out.shape).astype(dtype))
    out.backward(g)
    ref.backward(g)
    for x, y in zip(a, b):
        assert x.grad.numpy().tobytes() == y.grad.numpy().tobytes()


def test_sdpa_node_second_order_with_a_mask():
    mask = nt.tensor(RNG.standard_normal((3, 4)))
    gradcheck(
        lambda q, k, v: nt.nn.functional.scaled_dot_product_attention(q, k, v, mask),
        [RNG.standard_normal(s) for s in [(2, 3, 2), (2, 4, 2), (2, 4, 3)]],
    )


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_masks(kind, rng):
    mask = rng.standard_normal((5, 6))
    mask = mask > -0.5 if kind == "bool" else mask
    check_op(
        lambda q, k, v: F(q).scaled_dot_product_attention(q, k, v, _lib_tensor(q, mask)),
        [(2, 5, 4), (2, 6, 4), (2, 6, 3)],
        second_order=False,
    )


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_rows_the_mask_shuts_give_zeros(kind, rng):
    """A query row whose mask admits no key: PyTorch's attention returns zeros there, with
    zero gradients (to the second order), where a softmax over -inf alone gives NaN."""
    keep = rng.standard_normal((5, 6)) > -0.5
    keep[[1, 3]] = False
    mask = keep if kind == "bool" else np.where(keep, rng.standard_normal((5, 6)), -np.inf)
    check_op(
        lambda q, k, v: F(q).scaled_dot_product_attention(q, k, v, _lib_tensor(q, mask)),
        [(2, 5, 4), (2, 6, 4), (2, 6, 3)],
    )


def _pair(make):
    nt.manual_seed(3)
    torch.manual_seed(3)
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    return a, b


def _check(a, b, args, kwargs=None, dtype="float64"):
    kwargs = kwargs or {}
    if dtype == "float64":
        a, b = a.double(), b.double()
    ins_a = [nt.tensor(x.astype(dtype), requires_grad=True) for x in args]
    ins_b = [torch.tensor(x.astype(dtype), requires_grad=True) for x in args]
    kw_a = {k: nt.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    kw_b = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ya, yb = a(*ins_a, **kw_a), b(*ins_b, **kw_b)
    ya = ya if isinstance(ya, tuple) else (ya,)
    yb = yb if isinstance(yb, tuple) else (yb,)
    for u, v in zip(ya, yb):
        if v is None:
            assert u is None
        else:
            assert_close(u, v)
    g = np.random.default_rng(1).standard_normal(tuple(yb[0].shape)).astype(dtype)
    ya[0].backward(nt.tensor(g))
    yb[0].backward(torch.tensor(g))
    for u, v in list(zip(ins_a, ins_b)) + list(zip(a.parameters(), b.parameters())):
        if v.grad is None:
            assert u.grad is None
        else:
            assert_close(u.grad, v.grad)


X = RNG.standard_normal((5, 2, 8))
MEM = RNG.standard_normal((7, 2, 8))
CAUSAL = np.triu(np.full((5, 5), -np.inf), 1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mha(dtype):
    a, b = _pair(lambda m: m.MultiheadAttention(8, 2))
    _check(a, b, [X, X, X], dtype=dtype)
    a, b = _pair(lambda m: m.MultiheadAttention(8, 2, batch_first=True, bias=False))
    _check(a, b, [X, X, X], {"attn_mask": np.triu(np.ones((2, 2), bool), 1)}, dtype=dtype)


def test_mha_options(rng):
    a, b = _pair(
        lambda m: m.MultiheadAttention(8, 4, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5)
    )
    kpm = np.zeros((2, 7), bool)
    kpm[0, -2:] = True
    _check(
        a,
        b,
        [X, rng.standard_normal((7, 2, 3)), rng.standard_normal((7, 2, 5))],
        {"key_padding_mask": kpm, "average_attn_weights": False},
    )
    a, b = _pair(lambda m: m.MultiheadAttention(8, 2))
    _check(a, b, [X, X, X], {"attn_mask": CAUSAL, "need_weights": False, "is_causal": True})
    _check(a, b, [X[:, 0], X[:, 0], X[:, 0]])


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
        lambda m: m.TransformerEncoderLayer(
            8, 2, 16, dropout=0.0, norm_first=True, activation="gelu"
        ),
    ],
    ids=["post-norm", "pre-norm-gelu"],
)
def test_encoder_layer(make):
    a, b = _pair(make)
    _check(a, b, [X], {"src_mask": CAUSAL})


def test_decoder_and_transformer(rng):
    a, b = _pair(lambda m: m.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True))
    _check(a, b, [X, rng.standard_normal((5, 3, 8))])
    a, b = _pair(lambda m: m.Transformer(8, 2, 2, 1, 16, dropout=0.0))
    _check(a, b, [MEM, X], {"tgt_mask": CAUSAL})
    assert_close(
        nn.Transformer.generate_square_subsequent_mask(4),
        torch.nn.Transformer.generate_square_subsequent_mask(4),
    )


def test_training_mode_dropout_runs():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    out = layer(nt.tensor(X.astype("float32")))
    out.sum().backward()
    grad = layer.linear1.weight.grad.numpy()
    assert grad.shape == (16, 8) and np.isfinite(grad).all() and np.abs(grad).sum() > 0


def test_errors():
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(8, 3)
    mha = nn.MultiheadAttention(8, 2)
    x = nt.randn(5, 2, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        mha(x, x, x, is_causal=True)
