"""Second derivatives of the nn primitives whose gradient is an op of its own (convolution,
pooling, resampling, embedding, recurrent layers) or reads a saved intermediate (losses): in the
inputs and in the output's gradient, against PyTorch's, and float64 gradgradcheck."""

import numpy as np
import pytest
from helpers import assert_close, gradcheck, rand, second_derivatives
from oracle import torch

import numtorch

IDX = [[0, 2, 2], [4, 1, 0]]

# name: (input shapes, f(F, *inputs) on a library's nn.functional)
CASES = {
    "conv2d": (
        [(2, 3, 6, 5), (4, 3, 3, 2), (4,)],
        lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1),
    ),
    "conv2d_groups": (
        [(1, 4, 7, 6), (6, 2, 3, 3)],
        lambda F, x, w: F.conv2d(x, w, groups=2, dilation=(2, 1)),
    ),
    "conv1d": ([(2, 2, 9), (3, 2, 4)], lambda F, x, w: F.conv1d(x, w, stride=2, padding=2)),
    "conv_transpose2d": (
        [(2, 3, 4, 3), (3, 2, 3, 3), (2,)],
        lambda F, x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
    ),
    "max_pool2d": ([(2, 3, 6, 7)], lambda F, x: F.max_pool2d(x, 2)),
    "max_pool2d_overlapping": ([(2, 3, 6, 7)], lambda F, x: F.max_pool2d(x, 3, 1, 1)),
    # more window elements than the offset-by-offset scan takes: the gathered path
    "max_pool2d_large": ([(1, 2, 10, 10)], lambda F, x: F.max_pool2d(x, 9, 1)),
    "avg_pool2d": ([(2, 3, 6, 7)], lambda F, x: F.avg_pool2d(x, 3, 2, 1)),
    "adaptive_avg_pool2d": ([(2, 3, 7, 5)], lambda F, x: F.adaptive_avg_pool2d(x, (3, 4))),
    "bilinear": ([(1, 2, 4, 5)], lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear")),
    "bicubic": (
        [(1, 2, 4, 3)],
        lambda F, x: F.interpolate(x, size=(5, 7), mode="bicubic", align_corners=True),
    ),
    "nearest": ([(1, 2, 3, 4)], lambda F, x: F.interpolate(x, scale_factor=3)),
    "embedding": ([(6, 3)], lambda F, w: F.embedding(_index(F), w)),
    "embedding_padding": ([(6, 3)], lambda F, w: F.embedding(_index(F), w, padding_idx=2)),
    # losses that save x - y: under create_graph it is recomputed from x and y
    "mse_loss": ([(3, 4), (3, 4)], lambda F, x, y: F.mse_loss(x, y)),
    "mse_loss_none": ([(3, 4), (3, 4)], lambda F, x, y: F.mse_loss(x, y, reduction="none")),
    "smooth_l1_loss": ([(3, 4), (3, 4)], lambda F, x, y: F.smooth_l1_loss(x, y, beta=1.5)),
    "huber_loss": ([(3, 4), (3, 4)], lambda F, x, y: F.huber_loss(x, y, reduction="sum")),
    # the values GELU keeps for its backward are recomputed from x under create_graph
    "gelu": ([(3, 4)], lambda F, x: F.gelu(x * 2)),
    "gelu_tanh": ([(3, 4)], lambda F, x: F.gelu(x * 2, approximate="tanh")),
    # activations and losses whose backward reuses its output or a saved intermediate, and the
    # normalisations and attention whose statistics or probabilities depend on the input
    "sigmoid": ([(3, 4)], lambda F, x: x.sigmoid()),
    "tanh": ([(3, 4)], lambda F, x: x.tanh()),
    "silu": ([(3, 4)], lambda F, x: F.silu(x)),
    "log_softmax": ([(3, 4)], lambda F, x: F.log_softmax(x, 1)),
    "cross_entropy": (
        [(4, 5)],
        lambda F, x: F.cross_entropy(x, _const(F, TARGET), _const(F, WEIGHT), ignore_index=2),
    ),
    "cross_entropy_none": (
        [(4, 5)],
        lambda F, x: F.cross_entropy(x, _const(F, TARGET), reduction="none"),
    ),
    "nll_loss": (
        [(4, 5)],
        lambda F, x: F.nll_loss(x, _const(F, TARGET), _const(F, WEIGHT), reduction="sum"),
    ),
    "layer_norm": ([(3, 4), (4,), (4,)], lambda F, x, w, b: F.layer_norm(x, (4,), w, b)),
    "layer_norm_no_affine": ([(2, 3, 4)], lambda F, x: F.layer_norm(x, (3, 4))),
    "batch_norm": (
        [(4, 3, 2), (3,), (3,)],
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    ),
    "batch_norm_eval": (
        [(4, 3), (3,), (3,)],
        lambda F, x, w, b: F.batch_norm(x, _const(F, MEAN), _const(F, VAR), w, b),
    ),
    "group_norm": ([(2, 4, 3), (4,), (4,)], lambda F, x, w, b: F.group_norm(x, 2, w, b)),
    "attention_masked": (
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, _const(F, MASK)),
    ),
}
TARGET = [0, 4, 2, 1]
WEIGHT = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
MEAN, VAR = np.array([0.1, -0.2, 0.3]), np.array([1.5, 0.5, 2.0])
MASK = np.arange(15).reshape(3, 5) % 4 != 1


def _const(F, value):
    lib = numtorch if F is numtorch.nn.functional else torch
    return lib.tensor(value)


def _index(F):
    return _const(F, IDX)


def _arrays(shapes, seed):
    return [rand(s, "float64", seed + i) for i, s in enumerate(shapes)]


def _call(f):
    return lambda lib, *xs: f(lib.nn.functional, *xs)


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_match_torch(name):
    shapes, f = CASES[name]
    arrays = _arrays(shapes, 0)
    out = f(numtorch.nn.functional, *[numtorch.tensor(a) for a in arrays])
    rng = np.random.default_rng(1)
    seeds = [rng.standard_normal(tuple(out.shape))] + [rng.standard_normal(s) for s in shapes]
    ours = second_derivatives(numtorch, _call(f), arrays, seeds, seed_grad=True)
    theirs = second_derivatives(torch, _call(f), arrays, seeds, seed_grad=True)
    assert len(ours) == len(theirs) == len(shapes) + 1
    for a, b in zip(ours, theirs):
        assert_close(numtorch.tensor(a), torch.tensor(b))


# (the padding row's gradient is zero by definition, which finite differences cannot know)
@pytest.mark.parametrize("name", [n for n in CASES if n != "embedding_padding"])
def test_gradgradcheck(name):
    shapes, f = CASES[name]
    gradcheck(lambda *xs: f(numtorch.nn.functional, *xs), _arrays(shapes, 7))


def test_embedding_scaled_by_frequency_second_order():
    # NOTE: the scaled gradient is not the derivative (so no gradcheck), but the gradient of
    # the gradient is the adjoint of that scaled map; PyTorch's double backward leaves the
    # scale out
    def f(w):
        return numtorch.nn.functional.embedding(idx, w, scale_grad_by_freq=True)

    idx = _index(numtorch.nn.functional)
    w = numtorch.tensor(_arrays([(6, 3)], 7)[0], requires_grad=True)
    assert numtorch.autograd.gradgradcheck(f, (w,))
    v = numtorch.ones(2, 3, 3, dtype=w.dtype, requires_grad=True)
    (g,) = numtorch.autograd.grad(f(w), w, v, create_graph=True)
    (gv,) = numtorch.autograd.grad(g.sum(), v)
    # indices 0 and 2 occur twice in the batch (0, 2, 2, 4, 1, 0): their rows count half
    assert gv[..., 0].tolist() == [[0.5, 0.5, 0.5], [1.0, 1.0, 0.5]]


@pytest.mark.parametrize("name", ["conv2d", "max_pool2d", "avg_pool2d", "bilinear", "embedding"])
def test_first_order_gradient_has_no_graph(name):
    # the same formulas on a first-order pass: plain gradients, no graph recorded
    shapes, f = CASES[name]
    xs = [numtorch.tensor(a, requires_grad=True) for a in _arrays(shapes, 0)]
    gs = numtorch.autograd.grad(f(numtorch.nn.functional, *xs).sum(), xs)
    assert all(g.grad_fn is None and not g.requires_grad for g in gs)


@pytest.mark.parametrize("name", ["embedding", "embedding_padding"])
def test_gradient_node_named_as_torch(name):
    shapes, f = CASES[name]
    names = []
    for lib in (numtorch, torch):
        w = lib.tensor(_arrays(shapes, 0)[0], requires_grad=True)
        y = f(lib.nn.functional, w)
        v = lib.ones(tuple(y.shape), dtype=y.dtype, requires_grad=True)
        (g,) = lib.autograd.grad(y, w, v, create_graph=True)
        names.append(g.grad_fn.name())
    assert names[0] == names[1] == "EmbeddingDenseBackwardBackward0"


_BY_INPUT = {
    "max_pool3d": ([(1, 2, 4, 4, 5)], lambda F, x: F.max_pool3d(x, 2)),
    "avg_pool3d": ([(1, 2, 4, 4, 5)], lambda F, x: F.avg_pool3d(x, 2, 1)),
    "adaptive_avg_pool2d_windows": ([(1, 2, 6, 6)], lambda F, x: F.adaptive_avg_pool2d(x, 3)),
}


@pytest.mark.parametrize("name", ["conv2d", "conv1d", "max_pool2d", "avg_pool2d", *_BY_INPUT])
def test_input_gradient_node_named_as_torch(name):
    # the node computing the input's gradient under create_graph, as PyTorch names it
    shapes, f = _BY_INPUT.get(name) or CASES[name]
    names = []
    for lib in (numtorch, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in _arrays(shapes, 0)]
        y = f(lib.nn.functional, *xs)
        v = lib.ones(tuple(y.shape), dtype=y.dtype, requires_grad=True)
        (g,) = lib.autograd.grad(y, xs[0], v, create_graph=True)
        names.append(g.grad_fn.name())
    assert names[0] == names[1]


# recurrent layers: (module on a library's nn, input shape); gradients in the input and in
# every parameter, the layer's weights drawn by the test
RNNS = {
    "lstm": (lambda nn: nn.LSTM(2, 3), (3, 2, 2)),
    "lstm_proj": (lambda nn: nn.LSTM(2, 3, proj_size=2), (3, 2, 2)),
    "gru_bidirectional": (lambda nn: nn.GRU(2, 3, bidirectional=True), (3, 2, 2)),
    "rnn_relu": (lambda nn: nn.RNN(2, 3, nonlinearity="relu", bias=False), (3, 2, 2)),
    "lstm_cell": (lambda nn: nn.LSTMCell(2, 3), (2, 2)),
    "gru_cell": (lambda nn: nn.GRUCell(2, 3), (2, 2)),
}


def _rnn_case(name):
    make, x_shape = RNNS[name]
    shapes = [x_shape] + [tuple(p.shape) for p in make(numtorch.nn).parameters()]

    def f(lib, x, *ws):
        m = make(lib.nn).double()
        names = [n for n, _ in m.named_parameters()]
        out = lib.func.functional_call(m, dict(zip(names, ws)), (x,))
        return out[0] if isinstance(out, tuple) else out

    return shapes, f


@pytest.mark.parametrize("name", list(RNNS))
def test_recurrent_second_derivatives_match_torch(name):
    shapes, f = _rnn_case(name)
    arrays = _arrays(shapes, 0)
    out = f(numtorch, *[numtorch.tensor(a) for a in arrays])
    rng = np.random.default_rng(1)
    seeds = [rng.standard_normal(tuple(out.shape))] + [rng.standard_normal(s) for s in shapes]
    ours = second_derivatives(numtorch, f, arrays, seeds, seed_grad=True)
    theirs = second_derivatives(torch, f, arrays, seeds, seed_grad=True)
    for a, b in zip(ours, theirs):
        assert_close(numtorch.tensor(a), torch.tensor(b))


@pytest.mark.parametrize("name", ["lstm_proj", "gru_bidirectional", "lstm_cell"])
def test_recurrent_gradgradcheck(name):
    shapes, f = _rnn_case(name)
    gradcheck(lambda *xs: f(numtorch, *xs), [a * 0.5 for a in _arrays(shapes, 7)])


def test_recurrent_third_derivative_refused():
    shapes, f = _rnn_case("gru_bidirectional")
    xs = [numtorch.tensor(a, requires_grad=True) for a in _arrays(shapes, 0)]
    (g,) = numtorch.autograd.grad(f(numtorch, *xs).sum(), xs[:1], create_graph=True)
    (gg,) = numtorch.autograd.grad((g * g).sum(), xs[:1], create_graph=True)
    with pytest.raises(RuntimeError, match="third derivative of a fused RNN"):
        gg.sum().backward()
