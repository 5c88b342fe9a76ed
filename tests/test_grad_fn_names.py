"""``print(tensor)`` shows ``grad_fn=<...>``: the node names are PyTorch's, including for ops
numtorch builds from several nodes (whose last node takes the fused op's name)."""

import numpy as np
import oracle
import pytest

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
    "group_norm_weight_only": lambda m, x, img: m.nn.functional.group_norm(img, 3, img[0, :, 0, 0]),
    "lu_L": lambda m, x, img: m.linalg.lu(x[:3])[1],
    "lu_U": lambda m, x, img: m.linalg.lu(x[:3])[2],
    "lu_solve": lambda m, x, img: m.linalg.lu_solve(*m.linalg.lu_factor(x[:3]), x[:3, :2]),
    "lu_solve_right": lambda m, x, img: m.linalg.lu_solve(
        *m.linalg.lu_factor(x[:3]), x[:2], left=False
    ),
    "pdist": lambda m, x, img: m.nn.functional.pdist(x),
    "narrow_copy": lambda m, x, img: m.narrow_copy(x, 0, 1, 2),
    "stft": lambda m, x, img: m.stft(x.reshape(-1), 4, window=m.ones(4), return_complex=True),
    "stft_batched": lambda m, x, img: m.stft(x.t(), 4, 1, window=m.ones(4), return_complex=True),
}
for reduction in ("mean", "sum", "none"):
    CASES[f"multilabel_margin_loss_{reduction}"] = lambda m, x, img, r=reduction: (
        m.nn.functional.multilabel_margin_loss(x, m.tensor([[0, -1, 1]] * 4), reduction=r)
    )
    CASES[f"multilabel_margin_loss_1d_{reduction}"] = lambda m, x, img, r=reduction: (
        m.nn.functional.multilabel_margin_loss(x[0], m.tensor([2, -1, 1]), reduction=r)
    )
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
    # NOTE: as one recorded call: a replay cannot tell the class of PyTorch's nodes
    return _names(numtorch), oracle.call(_names, oracle.torch)


@pytest.mark.parametrize("case", list(CASES))
def test_grad_fn_name_matches_pytorch(case, names):
    ours, theirs = names
    assert ours[case] == theirs[case]


def test_nodes_under_fused_names_still_differentiate():
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


_F = numtorch.nn.functional
_FUSED_TAILS = {
    "group_norm_weight": lambda img, w: _F.group_norm(img, 2, w),
    "group_norm_plain": lambda img, w: _F.group_norm(img, 2) * w.reshape(1, 4, 1, 1),
    "instance_norm": lambda img, w: _F.instance_norm(img, weight=w, bias=w),
    "multilabel_margin_none": lambda img, w: _F.multilabel_margin_loss(
        img[0, :, 0], numtorch.tensor([[1, -1, 0]] * 4), reduction="none"
    ),
    "multilabel_margin_1d_none": lambda img, w: _F.multilabel_margin_loss(
        w, numtorch.tensor([2, 0, -1, 1]), reduction="none"
    ),
    "multilabel_margin_mean": lambda img, w: _F.multilabel_margin_loss(
        img[0, :, 0], numtorch.tensor([[1, -1, 0]] * 4)
    ),
    "pdist": lambda img, w: _F.pdist(img[0, :, 0]),
    "embedding_bag_max": lambda img, w: _F.embedding_bag(
        numtorch.tensor([[0, 1], [2, 0]]), img[0, 0], mode="max"
    ),
    "lu": lambda img, w: numtorch.linalg.lu(img[0, 0])[1:],
    "lu_solve_adjoint": lambda img, w: numtorch.linalg.lu_solve(
        *numtorch.linalg.lu_factor(img[0, 0] + 3 * numtorch.eye(3, dtype=img.dtype)),
        img[1, 0],
        adjoint=True,
    ),
    "lu_solve_right": lambda img, w: numtorch.linalg.lu_solve(
        *numtorch.linalg.lu_factor(img[0, 0] + 3 * numtorch.eye(3, dtype=img.dtype)),
        img[1, 0],
        left=False,
    ),
    "avg_pool1d": lambda img, w: _F.avg_pool1d(img[0], 2),
    "narrow_copy": lambda img, w: numtorch.narrow_copy(img, 1, 1, 2),
    "diag": lambda img, w: numtorch.diag(img[0, 0], 1),
}


@pytest.mark.parametrize("case", list(_FUSED_TAILS))
def test_fused_tails_first_and_second_order(case):
    """The last node of a composite that shows a fused op's name is a real node: its gradients,
    first and second order, agree with finite differences."""
    gen = numtorch.Generator().manual_seed(0)
    img = numtorch.randn(2, 4, 3, 3, generator=gen, dtype=numtorch.float64, requires_grad=True)
    w = numtorch.randn(4, generator=gen, dtype=numtorch.float64, requires_grad=True)
    fn = _FUSED_TAILS[case]
    assert numtorch.autograd.gradcheck(fn, (img, w))
    assert numtorch.autograd.gradgradcheck(fn, (img, w))
