"""autocast against PyTorch: the dtype each listed op computes in, its values at the autocast
dtype's tolerance, the gradients' dtypes, the region's state; GradScaler's scale sequence."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, tolerance
from oracle import torch

import numtorch as nt

pytestmark = pytest.mark.skipif(nt.bfloat16 is None, reason="bfloat16 needs ml_dtypes")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 6)).astype("float32")
W = RNG.standard_normal((5, 6)).astype("float32")
B = RNG.standard_normal(5).astype("float32")
IMG = RNG.standard_normal((2, 3, 6, 6)).astype("float32")
K = RNG.standard_normal((4, 3, 3, 3)).astype("float32")
SEQ = RNG.standard_normal((2, 4, 6)).astype("float32")
TARGET = np.array([0, 2, 4, 1])


def _f(T):
    return T.nn.functional


def _square(T, x, w):
    """A well-conditioned 4x4 matrix in the autocast dtype (a product's output)."""
    low = _f(T).linear(x, w)[:, :4]
    return low + 4 * T.eye(4, dtype=low.dtype)


def _low(T, x, w, ndim):
    """A product's output (in the autocast dtype), shaped ``ndim``-D for a pooling or padding."""
    low = _f(T).linear(x, w)[:, :4]
    return low.reshape((1,) * (ndim - 3) + (2, 2, 4))


def _spd(T, x, w):
    low = _square(T, x, w)
    return low @ low.t()


# each op takes (T, x, w, b): x (4, 6), w (5, 6), b (5,), float32 leaves that require grad
OPS = {
    "mm": lambda T, x, w, b: T.mm(x, w.t()),
    "matmul": lambda T, x, w, b: x @ w.t(),
    "matmul_vec": lambda T, x, w, b: T.matmul(x, w[0]),
    "matmul_batched": lambda T, x, w, b: T.matmul(x.expand(2, 4, 6), w.t()),
    "bmm": lambda T, x, w, b: T.bmm(x[None], w.t()[None]),
    "addmm": lambda T, x, w, b: T.addmm(b, x, w.t()),
    "baddbmm": lambda T, x, w, b: T.baddbmm(b[None, None], x[None], w.t()[None]),
    "addbmm": lambda T, x, w, b: T.addbmm(b[None], x[None], w.t()[None]),
    "linear": lambda T, x, w, b: _f(T).linear(x, w, b),
    "linear_3d": lambda T, x, w, b: _f(T).linear(x.expand(2, 4, 6), w, b),
    "linear_then_linear": lambda T, x, w, b: _f(T).linear(_f(T).linear(x, w, b), w[:, :5]),
    "conv2d": lambda T, x, w, b: _f(T).conv2d(T.tensor(IMG), T.tensor(K) * w[0, 0], b[:4]),
    "conv1d": lambda T, x, w, b: _f(T).conv1d(x[None, :3], w[None, :3, :3].expand(2, 3, 3)),
    "conv_transpose1d": lambda T, x, w, b: _f(T).conv_transpose1d(x[None, :3], w[:3, None, :3]),
    "prelu": lambda T, x, w, b: _f(T).prelu(x, b[:1]),
    "sdpa": lambda T, x, w, b: _f(T).scaled_dot_product_attention(x[None], x[None], x[None]),
    "mse_loss": lambda T, x, w, b: _f(T).mse_loss(_f(T).linear(x, w), b.expand(4, 5)),
    "cross_entropy": lambda T, x, w, b: _f(T).cross_entropy(
        _f(T).linear(x, w, b), T.tensor(TARGET)
    ),
    "nll_loss": lambda T, x, w, b: _f(T).nll_loss(_f(T).linear(x, w, b), T.tensor(TARGET)),
    "smooth_l1_loss": lambda T, x, w, b: _f(T).smooth_l1_loss(_f(T).linear(x, w), b.expand(4, 5)),
    "bce_with_logits": lambda T, x, w, b: _f(T).binary_cross_entropy_with_logits(
        _f(T).linear(x, w), b.sigmoid().expand(4, 5)
    ),
    "bce": lambda T, x, w, b: _f(T).binary_cross_entropy(
        _f(T).linear(x, w).sigmoid(), b.sigmoid().expand(4, 5)
    ),
    "cat": lambda T, x, w, b: T.cat([_f(T).linear(x, w), x[:, :5]]),
    "stack": lambda T, x, w, b: T.stack([_f(T).linear(x, w), x[:, :5]]),
    "einsum": lambda T, x, w, b: T.einsum("ij,kj->ik", x, w),
    "vecdot": lambda T, x, w, b: T.linalg.vecdot(x, w[:4]),
    "l1_loss": lambda T, x, w, b: _f(T).l1_loss(_f(T).linear(x, w), b.expand(4, 5)),
    "kl_div": lambda T, x, w, b: _f(T).kl_div(_f(T).linear(x, w), b.sigmoid().expand(4, 5)),
    "margin_ranking_loss": lambda T, x, w, b: _f(T).margin_ranking_loss(
        _f(T).linear(x, w)[0], b, b.sign()
    ),
    "cosine_embedding_loss": lambda T, x, w, b: _f(T).cosine_embedding_loss(
        _f(T).linear(x, w), b.expand(4, 5), T.tensor([1.0, -1.0, 1.0, -1.0])
    ),
    "hinge_embedding_loss": lambda T, x, w, b: _f(T).hinge_embedding_loss(
        _f(T).linear(x, w), b.sign().expand(4, 5)
    ),
    "poisson_nll_loss": lambda T, x, w, b: _f(T).poisson_nll_loss(
        _f(T).linear(x, w), b.abs().expand(4, 5)
    ),
    "triplet_margin_loss": lambda T, x, w, b: _f(T).triplet_margin_loss(
        _f(T).linear(x, w), b.expand(4, 5), x[:, :5]
    ),
    "multilabel_margin_loss": lambda T, x, w, b: _f(T).multilabel_margin_loss(
        _f(T).linear(x, w), T.tensor(TARGET[:, None].repeat(5, 1) - 1)
    ),
    # PyTorch's CPU kernels for these lack the half types: float32, from a lower-precision input
    "linalg_inv": lambda T, x, w, b: T.linalg.inv(_square(T, x, w)),
    "linalg_solve": lambda T, x, w, b: T.linalg.solve(_square(T, x, w), x[:, :2]),
    "linalg_cholesky": lambda T, x, w, b: T.linalg.cholesky(_spd(T, x, w)),
    "linalg_qr": lambda T, x, w, b: T.linalg.qr(_square(T, x, w)).R,
    "linalg_svdvals": lambda T, x, w, b: T.linalg.svdvals(_f(T).linear(x, w)),
    "linalg_eigvalsh": lambda T, x, w, b: T.linalg.eigvalsh(_spd(T, x, w)),
    "linalg_lstsq": lambda T, x, w, b: T.linalg.lstsq(_square(T, x, w), x[:, :2]).solution,
    "fft_rfft": lambda T, x, w, b: T.fft.rfft(_f(T).linear(x, w)).abs(),
    "fft_fft2": lambda T, x, w, b: T.fft.fft2(_f(T).linear(x, w)).real,
    "avg_pool3d": lambda T, x, w, b: _f(T).avg_pool3d(_low(T, x, w, 5), (2, 2, 1)),
    "max_pool3d": lambda T, x, w, b: _f(T).max_pool3d(_low(T, x, w, 5), (2, 2, 1)),
    "adaptive_avg_pool3d": lambda T, x, w, b: _f(T).adaptive_avg_pool3d(_low(T, x, w, 5), 2),
    "reflection_pad2d": lambda T, x, w, b: _f(T).pad(_low(T, x, w, 3), (1, 1, 1, 1), "reflect"),
    "replication_pad1d": lambda T, x, w, b: _f(T).pad(_low(T, x, w, 3), (1, 2), "replicate"),
    "grid_sampler": lambda T, x, w, b: _f(T).grid_sample(
        _low(T, x, w, 4), x[:, :4].reshape(1, 2, 4, 2).tanh(), align_corners=False
    ),
    "trace": lambda T, x, w, b: T.trace(_f(T).linear(x, w)),
    "cdist": lambda T, x, w, b: T.cdist(_f(T).linear(x, w), x[:2, :5]),
    "quantile": lambda T, x, w, b: T.quantile(_f(T).linear(x, w), 0.4, dim=1),
    "polar": lambda T, x, w, b: T.polar(_f(T).linear(x, w).abs(), x[:, :5]).abs(),
    "view_as_complex": lambda T, x, w, b: T.view_as_complex(_low(T, x, w, 3)[..., :2]).abs(),
    "cholesky_solve": lambda T, x, w, b: T.cholesky_solve(
        _f(T).linear(x, w)[:, :2], T.linalg.cholesky(_spd(T, x, w))
    ),
    "pinverse": lambda T, x, w, b: T.pinverse(_f(T).linear(x, w)),
    "stft": lambda T, x, w, b: T.stft(
        _f(T).linear(x, w).reshape(-1), 8, window=T.hann_window(8), return_complex=True
    ).abs(),
    "index_copy": lambda T, x, w, b: _f(T).linear(x, w).index_copy(0, T.tensor([2, 0]), x[:2, :5]),
    # not on the CPU lists: they keep their input's dtype
    "mv_direct": lambda T, x, w, b: T.mv(x, w[0]),
    "dot_direct": lambda T, x, w, b: T.dot(x[0], w[0]),
    "softmax_lower": lambda T, x, w, b: T.softmax(_f(T).linear(x, w), 1),
    "relu": lambda T, x, w, b: T.relu(_f(T).linear(x, w, b)),
    "exp_fp32": lambda T, x, w, b: T.exp(x),
    "mm_float64": lambda T, x, w, b: T.mm(x.double(), w.double().t()),
}


def _leaves(T):
    return [T.tensor(a, requires_grad=True) for a in (X, W, B)]


def _run(T, op, dtype, **kwargs):
    leaves = _leaves(T)
    with T.autocast("cpu", dtype=getattr(T, dtype), **kwargs):
        out = OPS[op](T, *leaves)
    out.float().sum().backward()
    return out, leaves


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_cpu_op_dtype_values_and_grads(op, dtype):
    ours, our_leaves = _run(nt, op, dtype)
    theirs, their_leaves = _run(torch, op, dtype)
    atol, rtol = tolerance(dtype)
    assert str(ours.dtype) == str(theirs.dtype)
    # each input of a product carries one rounding to the autocast dtype, and its output one
    assert_close(ours.detach().float(), theirs.detach().float(), atol=8 * atol, rtol=8 * rtol)
    for mine, ref in zip(our_leaves, their_leaves):
        assert (mine.grad is None) == (ref.grad is None)
        if ref.grad is not None:
            assert_close(mine.grad, ref.grad, atol=16 * atol, rtol=16 * rtol)


RECURRENT = {
    "RNN": lambda nn: nn.RNN(6, 5),
    "RNN_relu": lambda nn: nn.RNN(6, 5, num_layers=2, nonlinearity="relu"),
    "LSTM": lambda nn: nn.LSTM(6, 5),
    "GRU": lambda nn: nn.GRU(6, 5),
    "RNNCell": lambda nn: nn.RNNCell(6, 5),
    "RNNCell_relu": lambda nn: nn.RNNCell(6, 5, nonlinearity="relu"),
    "LSTMCell": lambda nn: nn.LSTMCell(6, 5),
    "GRUCell": lambda nn: nn.GRUCell(6, 5),
}


def _recurrent(T, name, state):
    layer = RECURRENT[name](T.nn)
    layer.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    x = T.tensor(SEQ if "Cell" not in name else SEQ[0], requires_grad=True)
    with T.autocast("cpu", dtype=T.bfloat16):
        out = layer(x)
    flat = []
    for o in out if isinstance(out, tuple) else (out,):
        flat += list(o) if isinstance(o, tuple) else [o]
    sum(o.float().sum() for o in flat).backward()
    return flat, [x.grad] + [p.grad for p in layer.parameters()]


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_cpu_recurrent_layers_and_cells(name):
    """RNN layers run in bfloat16 as PyTorch lists them (GRU does not); the cells, which
    PyTorch composes of ordinary ops, give each output the dtype its last op gives (an LSTM
    cell's h and c meet its float32 state: float32)."""
    torch.manual_seed(0)
    state = {k: v.numpy() for k, v in RECURRENT[name](torch.nn).state_dict().items()}
    ours, our_grads = _recurrent(nt, name, state)
    theirs, their_grads = _recurrent(torch, name, state)
    assert [str(o.dtype) for o in ours] == [str(o.dtype) for o in theirs]
    atol, rtol = tolerance("bfloat16")
    for mine, ref in zip(ours, theirs):
        assert_close(mine.detach().float(), ref.detach().float(), atol=8 * atol, rtol=8 * rtol)
    for mine, ref in zip(our_grads, their_grads):
        assert str(mine.dtype) == str(ref.dtype)
        assert_close(mine, ref, atol=16 * atol, rtol=16 * rtol)


def test_cpu_lstm_cell_graph_is_pytorchs():
    cells = [T.nn.LSTMCell(6, 5) for T in (nt, torch)]
    names = []
    for T, cell in zip((nt, torch), cells):
        with T.autocast("cpu", dtype=T.bfloat16):
            h, c = cell(T.tensor(SEQ[0]))
        names.append((h.grad_fn.name(), c.grad_fn.name()))
    assert names[0] == names[1] == ("MulBackward0", "AddBackward0")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "int64"])
def test_pinv_refuses_what_pytorchs_refuses(dtype):
    texts = []
    for T in (nt, torch):
        with pytest.raises(RuntimeError) as err:
            T.linalg.pinv(T.ones(3, 2).to(getattr(T, dtype)))
        texts.append(str(err.value))
    assert texts[0] == texts[1]


def test_linalg_pinv_follows_its_pieces():
    """``linalg.pinv`` is not listed: its SVD runs in float32 and its products in the autocast
    dtype (``torch.pinverse`` is listed: float32)."""
    for T in (nt, torch):
        with T.autocast("cpu", dtype=T.bfloat16):
            a = T.tensor(X)
            assert T.linalg.pinv(a).dtype == T.bfloat16 and T.pinverse(a).dtype == T.float32


@pytest.mark.parametrize("op", ["cross_entropy", "matmul_vec", "l1_loss"])
def test_cpu_graph_casts_where_pytorchs_does(op):
    """The nodes from the loss back to the leaves, by name: a composite op PyTorch lists casts
    its inputs on entry, so its pieces (log_softmax in cross_entropy) run in that dtype."""
    chains = []
    for T in (nt, torch):
        out, _ = _run(T, op, "bfloat16")
        names, node = [], out.grad_fn
        while node is not None:
            names.append(node.name())
            node = next((f for f, _ in node.next_functions if f is not None), None)
        chains.append(names)
    assert chains[0] == chains[1]


def test_lower_precision_op_returns_autocast_dtype():
    x, w, b = _leaves(nt)
    with nt.autocast("cpu"):
        assert nt.mm(x, w.t()).dtype is nt.bfloat16
        assert nt.nn.functional.mse_loss(x, x.bfloat16()).dtype is nt.float32
    assert nt.mm(x, w.t()).dtype is nt.float32


def test_state_nesting_and_decorator():
    for T in (nt, torch):
        assert not T.is_autocast_enabled("cpu")
        with T.autocast("cpu", dtype=T.float16):
            assert T.is_autocast_enabled("cpu") and T.get_autocast_dtype("cpu") == T.float16
            with T.autocast("cpu", enabled=False):
                assert not T.is_autocast_enabled("cpu")
                assert T.mm(T.ones(2, 2), T.ones(2, 2)).dtype == T.float32
            with T.autocast("cpu"):  # the enclosing region's dtype is the default
                assert T.mm(T.ones(2, 2), T.ones(2, 2)).dtype == T.float16
            assert T.mm(T.ones(2, 2), T.ones(2, 2)).dtype == T.float16
        assert T.get_autocast_dtype("cpu") == T.bfloat16
        fn = T.autocast("cpu")(lambda T=T: T.mm(T.ones(2, 2), T.ones(2, 2)).dtype)
        assert fn() == T.bfloat16 and not T.is_autocast_enabled("cpu")


@pytest.mark.parametrize("cache", [True, False])
def test_weight_cache(cache):
    """A parameter used twice in a region has one cast node while the cache is on."""
    shared = []
    for T in (nt, torch):
        x, w = T.tensor(X), T.tensor(W.T.copy(), requires_grad=True)
        with T.autocast("cpu", cache_enabled=cache):
            a, b = T.mm(x, w), T.mm(x + 1, w)
        nodes = [y.grad_fn.next_functions[1][0] for y in (a, b)]
        assert nodes[0].name() == "ToCopyBackward0"
        shared.append(nodes[0] is nodes[1])
    assert shared == [cache, cache]


def test_unsupported_dtype_disables_with_pytorch_warning():
    texts = []
    for T in (nt, torch):
        with pytest.warns(UserWarning) as rec:
            region = T.autocast("cpu", dtype=T.float32)
        texts.append(str(rec[0].message))
        with region:
            assert not T.is_autocast_enabled("cpu")
    assert texts[0] == texts[1]
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'mps'"):
        nt.autocast("mps")


def _scaler_run(T, device="cpu"):
    """Steps of an enabled GradScaler, some with inf gradients: the scales seen and the
    parameters after each step."""
    p = T.nn.Parameter(T.tensor([1.0, -2.0, 3.0], device=device))
    opt = T.optim.SGD([p], lr=0.1, momentum=0.9)
    scaler = T.amp.GradScaler(device, init_scale=2.0**4, growth_interval=2)
    seen = []
    for step in range(7):
        opt.zero_grad()
        loss = (p * p).sum() * (float("inf") if step in (2, 5) else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        seen.append((scaler.get_scale(), p.detach().cpu().numpy().copy()))
    return seen


def test_grad_scaler_matches_pytorch_on_cpu():
    ours, theirs = _scaler_run(nt), _scaler_run(torch)
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.fixture
def cuda(monkeypatch):
    """The stand-in GPU of tests/cuda_standin.py, which autocast("cuda") takes for a GPU."""
    from cuda_standin import BACKEND

    from numtorch import _backend

    if nt.cuda.is_available():
        yield
        return
    _backend.register_backend("cuda", BACKEND)
    monkeypatch.setattr(nt.cuda, "is_available", lambda: True)
    yield
    _backend.register_backend("cuda", None)


# PyTorch's CUDA lists (the oracle here has no GPU): float16 for the products, float32 for
# the ops that overflow or lose precision in float16, the widest input for the promote ops
CUDA_DTYPES = {
    "mm": "float16",
    "linear_3d": "float16",
    "softmax_lower": "float32",
    "exp_fp32": "float32",
    "mse_loss": "float32",
    "cat": "float32",
    "relu": "float16",
    "mm_float64": "float64",
}


@pytest.mark.gpu
@pytest.mark.parametrize("op", sorted(CUDA_DTYPES))
def test_cuda_dtypes_and_grads(cuda, op):
    leaves = [nt.tensor(a, device="cuda", requires_grad=True) for a in (X, W, B)]
    with nt.autocast("cuda"):
        assert nt.get_autocast_dtype("cuda") is nt.float16 and not nt.is_autocast_enabled("cpu")
        out = OPS[op](nt, *leaves)
    assert out.device.type == "cuda" and out.dtype is getattr(nt, CUDA_DTYPES[op])
    out.float().sum().backward()
    assert all(t.grad is None or t.grad.dtype is nt.float32 for t in leaves)


@pytest.mark.gpu
def test_cuda_refuses_binary_cross_entropy(cuda):
    p = nt.tensor([0.5, 0.25], device="cuda")
    with nt.autocast("cuda"), pytest.raises(RuntimeError, match="unsafe to autocast"):
        nt.nn.functional.binary_cross_entropy(p, p)
    assert nt.nn.functional.binary_cross_entropy(p, p).dtype is nt.float32


@pytest.mark.gpu
def test_grad_scaler_on_cuda_steps_as_on_cpu(cuda):
    ours, on_cpu = _scaler_run(nt, "cuda"), _scaler_run(nt)
    assert [s for s, _ in ours] == [s for s, _ in on_cpu]
    for (_, a), (_, b) in zip(ours, on_cpu):
        np.testing.assert_array_equal(a, b)
