"""``print(tensor)`` shows ``grad_fn=<...>``: the node names are PyTorch's, including for ops
numtorch builds from several nodes (whose last node takes the fused op's name)."""

import numpy as np
import pytest
from helpers import requires_torch

import numtorch

CASES = {
    "linear": lambda m, x, img: m.nn.Linear(3, 2)(x),
    "addmm": lambda m, x, img: m.addmm(x[:, :2], x, x.t()[:, :2]),
    "addmm_beta0": lambda m, x, img: m.addmm(x[:, :2], x, x.t()[:, :2], beta=0),
    "addmm_scaled": lambda m, x, img: m.addmm(x[:, :2], x, x.t()[:, :2], alpha=2, beta=3),
    "addmm_method": lambda m, x, img: x[:, :2].addmm(x, x.t()[:, :2]),
    "addmv": lambda m, x, img: m.addmv(x[:, 0], x, x[0]),
    "addr": lambda m, x, img: m.addr(x, x[:, 0], x[0]),
    "addbmm": lambda m, x, img: m.addbmm(x[:, :2], x.unsqueeze(0), x.t()[:, :2].unsqueeze(0)),
    "baddbmm": lambda m, x, img: m.baddbmm(
        x.unsqueeze(0), x.unsqueeze(0), x.t().unsqueeze(0)[:, :, :3]
    ),
    "group_norm": lambda m, x, img: m.nn.GroupNorm(1, 3)(img),
    "group_norm_plain": lambda m, x, img: m.nn.functional.group_norm(img, 3),
    "instance_norm": lambda m, x, img: m.nn.InstanceNorm2d(3)(img),
    "instance_norm_affine": lambda m, x, img: m.nn.InstanceNorm2d(3, affine=True)(img),
    "instance_norm_1d_unbatched": lambda m, x, img: m.nn.InstanceNorm1d(3)(img[0, :, 0]),
    "embedding_bag": lambda m, x, img: m.nn.functional.embedding_bag(m.tensor([[0, 1], [2, 0]]), x),
    "embedding_bag_max": lambda m, x, img: m.nn.functional.embedding_bag(
        m.tensor([[0, 1], [2, 0]]), x, mode="max"
    ),
    "diag": lambda m, x, img: m.diag(x[:3]),
    "diag_offset": lambda m, x, img: m.diag(x, 1),
    "cross_entropy_2d": lambda m, x, img: m.nn.functional.cross_entropy(
        img, m.zeros(2, 4, 4, dtype=m.int64)
    ),
    "nll_loss_1d": lambda m, x, img: m.nn.functional.nll_loss(x, m.tensor([0, 2, 1, 1])),
    "interpolate_area": lambda m, x, img: m.nn.functional.interpolate(
        img, scale_factor=0.5, mode="area"
    ),
}
for name, make in {
    "lstm": lambda m: m.nn.LSTM(3, 4),
    "lstm_2_layers": lambda m: m.nn.LSTM(3, 4, num_layers=2),
    "lstm_proj": lambda m: m.nn.LSTM(3, 4, proj_size=2),
    "gru": lambda m: m.nn.GRU(3, 4),
    "rnn": lambda m: m.nn.RNN(3, 4),
    "gru_bidirectional": lambda m: m.nn.GRU(3, 4, bidirectional=True),
}.items():
    CASES[name] = lambda m, x, img, make=make: make(m)(x.unsqueeze(1))[0]
    CASES[name + "_packed"] = lambda m, x, img, make=make: (
        make(m)(m.nn.utils.rnn.pack_padded_sequence(m.stack([x, x], 1), [4, 2]))[0].data
    )
for nd in (1, 2, 3):
    shape = (2, 3) + (4,) * nd

    def _input(m, shape=shape):
        return m.randn(*shape, requires_grad=True)

    for kind in ("avg_pool", "max_pool", "adaptive_avg_pool", "adaptive_max_pool"):
        fn = f"{kind}{nd}d"
        arg = 2 if "adaptive" not in kind else 1
        CASES[f"{fn}"] = lambda m, x, img, fn=fn, arg=arg, _input=_input: getattr(
            m.nn.functional, fn
        )(_input(m), arg)
        CASES[f"{fn}_unbatched"] = lambda m, x, img, fn=fn, arg=arg, _input=_input: getattr(
            m.nn.functional, fn
        )(_input(m)[0], arg)
        if "adaptive" in kind:
            CASES[f"{fn}_3"] = lambda m, x, img, fn=fn, _input=_input: getattr(m.nn.functional, fn)(
                _input(m), 3
            )


def _names(m):
    rng = np.random.default_rng(0)
    m.manual_seed(0)
    x = m.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    img = m.tensor(rng.standard_normal((2, 3, 4, 4)).astype(np.float32), requires_grad=True)
    out = {}
    for name, fn in CASES.items():
        node = fn(m, x, img).grad_fn
        out[name] = (node.name(), type(node).__name__)
    return out


@pytest.fixture(scope="module")
def names():
    import torch

    return _names(numtorch), _names(torch)


@requires_torch
@pytest.mark.parametrize("case", list(CASES))
def test_grad_fn_name_matches_pytorch(case, names):
    ours, theirs = names
    assert ours[case] == theirs[case]


def test_relabelled_nodes_still_differentiate():
    x = numtorch.randn(4, 3, requires_grad=True, dtype=numtorch.float64)
    c = numtorch.randn(4, 4, requires_grad=True, dtype=numtorch.float64)
    assert numtorch.autograd.gradcheck(lambda c, x: numtorch.addmm(c, x, x.t(), beta=2), (c, x))
    img = numtorch.randn(2, 4, 3, 3, requires_grad=True, dtype=numtorch.float64)
    w = numtorch.randn(4, requires_grad=True, dtype=numtorch.float64)
    assert numtorch.autograd.gradcheck(
        lambda img, w: numtorch.nn.functional.group_norm(img, 2, w, w), (img, w)
    )
    assert numtorch.autograd.gradgradcheck(
        lambda img: numtorch.nn.functional.adaptive_max_pool2d(img[0], 2), (img,)
    )
