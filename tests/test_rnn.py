"""RNN / LSTM / GRU layers, cells and packed sequences against torch."""

import numpy as np
import pytest
from helpers import assert_close, gradcheck, torch

import numtorch as nt
import numtorch.nn as nn
from numtorch.nn.utils import rnn as R


def _states(out):
    if isinstance(out, tuple):
        return list(out)
    return [out]


def _compare(make, x, hx=None, lens=None, dtype="float64"):
    nt.manual_seed(1)
    torch.manual_seed(1)
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    if dtype == "float64":
        a, b = a.double(), b.double()
    x = x.astype(dtype)
    xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ia, ib = xa, xb
    bf = getattr(a, "batch_first", False)
    if lens is not None:
        ia = R.pack_padded_sequence(xa, lens, batch_first=bf, enforce_sorted=False)
        ib = torch.nn.utils.rnn.pack_padded_sequence(xb, lens, batch_first=bf, enforce_sorted=False)
    ha = hb = None
    if hx is not None:
        ha = tuple(nt.tensor(h.astype(dtype)) for h in hx)
        hb = tuple(torch.tensor(h.astype(dtype)) for h in hx)
        ha, hb = (ha, hb) if len(hx) == 2 else (ha[0], hb[0])
    ya, yb = a(ia, ha), b(ib, hb)
    if isinstance(a, nn.RNNBase):
        oa, sa = ya
        ob, sb = yb
        if lens is not None:
            oa = R.pad_packed_sequence(oa, batch_first=bf)[0]
            ob = torch.nn.utils.rnn.pad_packed_sequence(ob, batch_first=bf)[0]
        outs_a, outs_b = [oa] + _states(sa), [ob] + _states(sb)
    else:
        outs_a, outs_b = _states(ya), _states(yb)
    rng = np.random.default_rng(2)
    loss_a = loss_b = 0
    for oa, ob in zip(outs_a, outs_b):
        assert_close(oa, ob)
        g = rng.standard_normal(tuple(ob.shape)).astype(dtype)
        loss_a = loss_a + (oa * nt.tensor(g)).sum()
        loss_b = loss_b + (ob * torch.tensor(g)).sum()
    loss_a.backward()
    loss_b.backward()
    assert_close(xa.grad, xb.grad)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert_close(pa.grad, pb.grad)


RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 3, 4))

LAYERS = [
    lambda m: m.LSTM(4, 5),
    lambda m: m.LSTM(4, 5, 2, bidirectional=True),
    lambda m: m.LSTM(4, 5, 2, proj_size=3),
    lambda m: m.LSTM(4, 5, bias=False, batch_first=True),
    lambda m: m.GRU(4, 5, 2, bidirectional=True),
    lambda m: m.GRU(4, 5, batch_first=True),
    lambda m: m.RNN(4, 5, 2),
    lambda m: m.RNN(4, 5, nonlinearity="relu", bidirectional=True),
]


@pytest.mark.parametrize("make", LAYERS, ids=range(len(LAYERS)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(make, dtype):
    _compare(make, X, dtype=dtype)


@pytest.mark.parametrize("make", LAYERS[:2] + LAYERS[4:5] + LAYERS[7:], ids=range(4))
def test_packed(make):
    _compare(make, X, lens=[4, 6, 2])


def test_initial_states_and_unbatched(rng):
    _compare(
        lambda m: m.LSTM(4, 5, 2, proj_size=2),
        X,
        hx=(rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 5))),
    )
    _compare(lambda m: m.GRU(4, 5), X, hx=(rng.standard_normal((1, 3, 5)),))
    _compare(lambda m: m.LSTM(4, 5), X[:, 0])


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.LSTMCell(4, 5),
        lambda m: m.GRUCell(4, 5),
        lambda m: m.RNNCell(4, 5, nonlinearity="relu"),
        lambda m: m.RNNCell(4, 5, bias=False),
    ],
    ids=range(4),
)
def test_cells(make):
    _compare(make, X[0])
    _compare(make, X[0, 0])


def test_double_backward_falls_back_to_ops(rng):
    w = rng.standard_normal((12, 2)) * 0.5
    u = rng.standard_normal((12, 3)) * 0.5

    def f(x, w_ih, w_hh):
        return nt.ops.nn.rnn_ops.GRULayer.apply(
            x, nt.zeros(2, 3, dtype=x.dtype), w_ih[:9], w_hh[:9], None, None, None, False
        )[0]

    gradcheck(f, [rng.standard_normal((3, 2, 2)), w, u])


def test_pad_and_pack_sequence(rng):
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    a = R.pad_sequence([nt.tensor(s) for s in seqs], batch_first=True, padding_value=-1.0)
    b = torch.nn.utils.rnn.pad_sequence(
        [torch.tensor(s) for s in seqs], batch_first=True, padding_value=-1.0
    )
    assert_close(a, b)
    pa = R.pack_sequence([nt.tensor(s) for s in seqs], enforce_sorted=False)
    pb = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    assert_close(pa.data, pb.data)
    assert_close(pa.batch_sizes, pb.batch_sizes)
    assert_close(pa.sorted_indices, pb.sorted_indices)
    for u, v in zip(R.unpack_sequence(pa), torch.nn.utils.rnn.unpack_sequence(pb)):
        assert_close(u, v)


def test_errors():
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        nn.LSTM(3, 4)(nt.randn(5, 2, 5))
    with pytest.raises(RuntimeError, match="Expected hidden\\[0\\] size"):
        nn.LSTM(3, 4)(nt.randn(5, 2, 3), (nt.randn(2, 2, 4), nt.randn(1, 2, 4)))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D"):
        nn.GRU(3, 4)(nt.randn(5, 2, 3, 1))
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        R.pack_padded_sequence(nt.randn(5, 2, 3), [2, 5])
