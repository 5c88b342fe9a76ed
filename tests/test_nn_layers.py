"""Every layer against PyTorch with the same weights: repr, outputs, input and parameter
gradients, train and eval mode, float32 and float64; init and nn.utils."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import gradcheck, rand_arrays
from oracle import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F

tnn = torch.nn

# (constructor arguments as a string evaluated against each library, input shapes,
# integer-input flag): every layer of the issue
LAYERS = [
    ("Linear(4, 3)", [(5, 4)]),
    ("Linear(4, 3, bias=False)", [(2, 5, 4)]),
    ("Linear(4, 3)", [(4,)]),
    ("Bilinear(3, 4, 2)", [(5, 3), (5, 4)]),
    ("Identity(7, x=1)", [(2, 3)]),
    ("Flatten()", [(2, 3, 4)]),
    ("Flatten(0, 1)", [(2, 3, 4)]),
    ("Unflatten(1, (2, 2))", [(3, 4)]),
    ("LayerNorm(4)", [(3, 4)]),
    ("LayerNorm((3, 4), elementwise_affine=False)", [(2, 3, 4)]),
    ("LayerNorm(4, bias=False)", [(2, 3, 4)]),
    ("RMSNorm(4)", [(3, 4)]),
    ("RMSNorm([2, 4], eps=1e-5)", [(3, 2, 4)]),
    ("PReLU()", [(3, 4)]),
    ("PReLU(4, init=0.1)", [(3, 4, 2)]),
    ("ReLU()", [(3, 4)]),
    ("ReLU6()", [(3, 4)]),
    ("LeakyReLU(0.2)", [(3, 4)]),
    ("ELU(0.5)", [(3, 4)]),
    ("SELU()", [(3, 4)]),
    ("CELU(1.5)", [(3, 4)]),
    ("GELU()", [(3, 4)]),
    ("GELU('tanh')", [(3, 4)]),
    ("SiLU()", [(3, 4)]),
    ("Mish()", [(3, 4)]),
    ("Sigmoid()", [(3, 4)]),
    ("LogSigmoid()", [(3, 4)]),
    ("Tanh()", [(3, 4)]),
    ("Softmax(dim=1)", [(3, 4)]),
    ("LogSoftmax(dim=0)", [(3, 4)]),
    ("Softmin(dim=1)", [(3, 4)]),
    ("Softplus(2, 5)", [(3, 4)]),
    ("Softsign()", [(3, 4)]),
    ("Softshrink(0.3)", [(3, 4)]),
    ("Hardshrink(0.3)", [(3, 4)]),
    ("Tanhshrink()", [(3, 4)]),
    ("Hardtanh(-0.5, 0.5)", [(3, 4)]),
    ("Hardsigmoid()", [(3, 4)]),
    ("Hardswish()", [(3, 4)]),
    ("Threshold(0.1, 20)", [(3, 4)]),
    ("GLU()", [(3, 4)]),
    ("RReLU(0.1, 0.3)", [(3, 4)]),
    ("Dropout(0.3)", [(3, 4)]),
    ("Dropout1d()", [(2, 3, 4)]),
    ("Dropout2d()", [(2, 3, 4, 4)]),
    ("AlphaDropout(0.2)", [(3, 4)]),
    ("FeatureAlphaDropout(0.2)", [(2, 3, 4)]),
    ("CosineSimilarity(dim=1)", [(3, 4), (3, 4)]),
    ("PairwiseDistance(p=1.0)", [(3, 4), (3, 4)]),
    ("Softmax2d()", [(2, 3, 2, 2)]),
]
INDEX_LAYERS = [
    ("Embedding(6, 3)", (2, 4)),
    ("Embedding(6, 3, padding_idx=1)", (5,)),
    ("Embedding(6, 3, max_norm=1.0)", (2, 3)),
    ("EmbeddingBag(6, 3)", (2, 4)),
    ("EmbeddingBag(6, 3, mode='sum')", (2, 4)),
    ("EmbeddingBag(6, 3, mode='max')", (2, 4)),
]
RANDOM_IN_TRAINING = ("Dropout", "RReLU", "AlphaDropout", "FeatureAlphaDropout")


def _pair(spec, dtype):
    m = eval("nn." + spec)  # noqa: S307 - a fixed table of constructor calls
    tm = eval("tnn." + spec)  # noqa: S307
    if dtype == "float64":
        m.double()
        tm.double()
    with torch.no_grad():  # the same weights in both
        for p, tp in zip(m.parameters(), tm.parameters()):
            tp.copy_(torch.tensor(p.detach().numpy()))
    return m, tm


def _forward_backward(m, tm, arrays):
    xs = [numtorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    txs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out, tout = m(*xs), tm(*txs)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert out.dtype.name == str(tout.dtype).split(".")[1]
    if not tout.requires_grad:
        return
    g = np.random.default_rng(5).standard_normal(tuple(tout.shape))
    g = g.astype(out.detach().numpy().dtype)
    out.backward(numtorch.tensor(g))
    tout.backward(torch.tensor(g))
    for x, tx in zip(xs + list(m.parameters()), txs + list(tm.parameters())):
        if tx.grad is None:
            continue
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spec,shapes", LAYERS, ids=[s for s, _ in LAYERS])
def test_layer_matches_torch(spec, shapes, dtype):
    m, tm = _pair(spec, dtype)
    assert repr(m) == repr(tm)
    arrays = rand_arrays(shapes, dtype, -2, 2, seed=2)
    if spec.startswith(RANDOM_IN_TRAINING):
        m.eval()
        tm.eval()
    _forward_backward(m, tm, arrays)
    m.eval()
    tm.eval()
    _forward_backward(m, tm, arrays)


@pytest.mark.parametrize("spec,shape", INDEX_LAYERS, ids=[s for s, _ in INDEX_LAYERS])
def test_index_layer_matches_torch(spec, shape):
    m, tm = _pair(spec, "float32")
    assert repr(m) == repr(tm)
    idx = np.random.default_rng(1).integers(0, 6, size=shape)
    _forward_backward(m, tm, [idx])
    np.testing.assert_allclose(m.weight.detach().numpy(), tm.weight.detach().numpy(), rtol=1e-6)


def test_embedding_bag_offsets_and_weights():
    m, tm = _pair("EmbeddingBag(8, 3, mode='sum')", "float64")
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 7])
    off = np.array([0, 3, 3, 5])
    w = np.linspace(0.5, 2, 8)
    x = numtorch.tensor(w, requires_grad=True)
    tx = torch.tensor(w, requires_grad=True)
    out = m(numtorch.tensor(idx), numtorch.tensor(off), per_sample_weights=x)
    tout = tm(torch.tensor(idx), torch.tensor(off), per_sample_weights=tx)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-6)


def test_embedding_from_pretrained_and_errors():
    w = numtorch.randn(4, 2)
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    with pytest.raises(IndexError, match="index out of range in self"):
        e(numtorch.tensor([4]))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        e(numtorch.tensor([1.0]))


def test_dropout_training_statistics_and_gradient():
    x = numtorch.ones(200, 50, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    kept = y.detach().numpy() != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)
    assert nn.Dropout(1.0)(x).detach().numpy().sum() == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)
    ch = nn.Dropout2d(0.5)(numtorch.ones(4, 6, 3, 3)).detach().numpy()
    assert (ch.reshape(4, 6, -1).std(axis=2) == 0).all()


def test_dropout_mask_matches_torch_stream():
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    a = F.dropout(numtorch.ones(4, 5), 0.4).numpy()
    b = torch.nn.functional.dropout(torch.ones(4, 5), 0.4).numpy()
    # same seed, same generator words: identical where PyTorch uses its portable path
    assert a.shape == b.shape and set(np.unique(a)) <= {0.0, np.float32(1 / 0.6)}


def test_linear_errors_name_both_shapes():
    lin = nn.Linear(3, 2)
    with pytest.raises(
        RuntimeError,
        match=r"mat1 and mat2 shapes cannot be multiplied "
        r"\(4x5 and 3x2\)",
    ):
        lin(numtorch.randn(4, 5))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        lin(numtorch.randn(4, 3, dtype=numtorch.float64))
    with pytest.raises(
        RuntimeError,
        match=r"Given normalized_shape=\[3\], expected input with "
        r"shape \[\*, 3\], but got input of size",
    ):
        nn.LayerNorm(3)(numtorch.randn(3, 4))


def test_layer_norm_gradcheck_second_order():
    w = numtorch.tensor(rand_arrays([(4,)], "float64", 0.5, 1.5, seed=1)[0])
    gradcheck(lambda x: F.layer_norm(x, (4,), w, None), rand_arrays([(2, 4)], "float64"))


@pytest.mark.parametrize(
    "fn,args",
    [
        ("uniform_", (-0.5, 0.5)),
        ("normal_", (0.1, 2.0)),
        ("xavier_uniform_", (1.5,)),
        ("xavier_normal_", ()),
        ("kaiming_uniform_", (math.sqrt(5),)),
        ("trunc_normal_", (0.5, 0.5, 1.5, 3.0)),
        ("kaiming_normal_", (0, "fan_out", "relu")),
        ("trunc_normal_", (0.0, 1.0, -1.0, 1.5)),
        ("constant_", (0.3,)),
        ("ones_", ()),
        ("zeros_", ()),
        ("eye_", ()),
        ("orthogonal_", (2.0,)),
        ("sparse_", (0.5,)),
    ],
)
@pytest.mark.parametrize("shape", [(5, 4), (3, 7)])
def test_init_matches_torch_with_the_same_seed(fn, args, shape):
    numtorch.manual_seed(7)
    torch.manual_seed(7)
    a = getattr(nn.init, fn)(numtorch.empty(shape), *args)
    b = getattr(tnn.init, fn)(torch.empty(shape), *args)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_init_dirac_gain_and_errors():
    a = nn.init.dirac_(numtorch.empty(4, 2, 3, 3), groups=2)
    b = tnn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    for nl, param in [
        ("linear", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
        ("sigmoid", None),
    ]:
        assert nn.init.calculate_gain(nl, param) == tnn.init.calculate_gain(nl, param)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(numtorch.empty(3))
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(numtorch.empty(0, 3))


@pytest.mark.parametrize(
    "spec", ["Linear(7, 5)", "Bilinear(3, 4, 2)", "Embedding(5, 3)", "PReLU()"]
)
def test_default_init_equals_torch(spec):
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    m = eval("nn." + spec)  # noqa: S307
    tm = eval("tnn." + spec)  # noqa: S307
    for p, tp in zip(m.parameters(), tm.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy())


def test_clip_grad_and_vector_conversion():
    def grads(lib):
        ps = [lib.nn.Parameter(lib.tensor(a)) for a in rand_arrays([(3, 2), (4,)], seed=3)]
        for p, a in zip(ps, rand_arrays([(3, 2), (4,)], low=-3, high=3, seed=4)):
            p.grad = lib.tensor(a)
        return ps

    for norm_type in (2.0, 1.0, math.inf):
        ps, tps = grads(numtorch), grads(torch)
        total = nn.utils.clip_grad_norm_(ps, 1.0, norm_type)
        ttotal = tnn.utils.clip_grad_norm_(tps, 1.0, norm_type)
        np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-5)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5)
    ps, tps = grads(numtorch), grads(torch)
    nn.utils.clip_grad_value_(ps, 0.5)
    tnn.utils.clip_grad_value_(tps, 0.5)
    for p, tp in zip(ps, tps):
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())
    vec = nn.utils.parameters_to_vector(ps)
    assert vec.shape == (10,)
    nn.utils.vector_to_parameters(vec * 0 + 1, ps)
    assert all((p.detach().numpy() == 1).all() for p in ps)


def test_embedding_scale_grad_by_freq_matches_torch():
    from oracle import torch

    w = np.random.default_rng(0).random((5, 3)).astype("f4")
    idx = np.array([[0, 2, 2], [4, 2, 0]])
    a, b = numtorch.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya = F.embedding(numtorch.tensor(idx), a, scale_grad_by_freq=True, padding_idx=4)
    yb = torch.nn.functional.embedding(torch.tensor(idx), b, scale_grad_by_freq=True, padding_idx=4)
    g = np.random.default_rng(1).random(tuple(ya.shape)).astype("f4")
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)
