"""The Module system: registration, iteration, state_dict/load_state_dict, hooks, modes,
dtype conversion, containers and repr, compared with PyTorch where it has an opinion."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from oracle import torch

import numtorch
import numtorch.nn as nn

tnn = torch.nn


def _build(lib):
    """The same nested model in numtorch or torch."""
    m = lib.nn.Sequential(
        OrderedDict(
            [
                ("fc1", lib.nn.Linear(4, 3)),
                ("act", lib.nn.ReLU()),
                ("block", lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Tanh())),
            ]
        )
    )
    m.register_buffer("steps", lib.zeros(1))
    m.register_buffer("scratch", lib.ones(2), persistent=False)
    return m


def test_seed_network_runs_unchanged_and_matches_torch():
    class network(nn.Module):  # the seed's class, verbatim
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.w1 = nn.Linear(input_size, hidden_size, bias=False)
            self.w2 = nn.Linear(hidden_size, output_size, bias=False)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            i2h = self.sigmoid(self.w1(x))
            return self.sigmoid(self.w2(i2h))

    class tnetwork(tnn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = tnn.Linear(784, 128, bias=False)
            self.w2 = tnn.Linear(128, 10, bias=False)
            self.sigmoid = tnn.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.w2(self.sigmoid(self.w1(x))))

    numtorch.manual_seed(0)
    net = network(784, 128, 10)
    torch.manual_seed(0)
    tnet = tnetwork()
    for (n1, p1), (n2, p2) in zip(net.named_parameters(), tnet.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    x = np.random.default_rng(0).standard_normal((64, 784)).astype(np.float32)
    y = np.random.default_rng(1).random((64, 10)).astype(np.float32)
    loss = nn.MSELoss()(net(numtorch.tensor(x)), numtorch.tensor(y))
    tloss = tnn.MSELoss()(tnet(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    tloss.backward()
    assert abs(loss.item() - tloss.item()) < 1e-6
    for p1, p2 in zip(net.parameters(), tnet.parameters()):
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), atol=1e-6)


def test_linear_seed_weights_and_repr():
    numtorch.manual_seed(0)
    lin = nn.Linear(2, 3)
    torch.manual_seed(0)
    tlin = tnn.Linear(2, 3)
    assert repr(lin) == repr(tlin)
    assert repr(lin.weight) == repr(tlin.weight)
    assert repr(lin.bias) == repr(tlin.bias)
    demo = nn.Linear(2, 3, bias=False)
    out = demo(numtorch.tensor([1.0, 1.0]))
    np.testing.assert_allclose(
        out.detach().numpy(), demo.weight.detach().numpy() @ np.ones(2, np.float32), rtol=1e-6
    )


def test_registration_and_iteration_match_torch():
    m, tm = _build(numtorch), _build(torch)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in tm.named_children()]
    assert list(m.state_dict()) == list(tm.state_dict())
    assert m.state_dict()._metadata == tm.state_dict()._metadata
    assert m.get_submodule("block.0") is m.block[0]
    assert m.get_parameter("block.0.bias") is m.block[0].bias
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        m.get_submodule("block.nope")
    assert repr(m) == repr(tm)


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 3


def test_setattr_errors_like_torch():
    lin = nn.Linear(2, 2)
    with pytest.raises(
        TypeError,
        match=r"cannot assign 'torch.FloatTensor' as parameter "
        r"'weight' \(torch.nn.Parameter or None expected\)",
    ):
        lin.weight = numtorch.zeros(2, 2)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(numtorch.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    with pytest.raises(
        NotImplementedError,
        match=r"Module \[Module\] is missing the required "
        r'"forward" function',
    ):
        nn.Module()(1)
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        nn.Module().register_buffer("training", None)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nothing'"):
        lin.nothing  # noqa: B018


def test_state_dict_values_detached_and_round_trip():
    m = _build(numtorch)
    sd = m.state_dict()
    assert sd["fc1.weight"].requires_grad is False
    assert "scratch" not in sd
    assert sd["fc1.weight"]._data is m.fc1.weight._data  # shares memory, as in PyTorch
    keep = m.state_dict(keep_vars=True)
    assert keep["fc1.weight"] is m.fc1.weight
    other = _build(numtorch)
    result = other.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    np.testing.assert_array_equal(other.fc1.weight.detach().numpy(), m.fc1.weight.detach().numpy())
    assert other.fc1.weight is not m.fc1.weight


def test_load_state_dict_errors_like_torch_and_atomic():
    lin, tlin = nn.Linear(3, 2), tnn.Linear(3, 2)
    before = lin.weight.detach().numpy().copy()
    bad = {"weight": numtorch.zeros(2, 2), "foo": numtorch.zeros(1)}
    tbad = {"weight": torch.zeros(2, 2), "foo": torch.zeros(1)}
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict(bad)
    with pytest.raises(RuntimeError) as terr:
        tlin.load_state_dict(tbad)
    assert str(err.value) == str(terr.value)
    np.testing.assert_array_equal(lin.weight.detach().numpy(), before)
    # a shape error anywhere leaves every other tensor untouched too
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        lin.load_state_dict({"weight": numtorch.zeros(2, 2), "bias": numtorch.ones(2)})
    assert not (lin.bias.detach().numpy() == 1).all()
    res = lin.load_state_dict({"weight": numtorch.zeros(2, 3)}, strict=False)
    tres = tlin.load_state_dict({"weight": torch.zeros(2, 3)}, strict=False)
    assert repr(res) == repr(tres)
    assert res.missing_keys == ["bias"]
    assert (lin.weight.detach().numpy() == 0).all()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        lin.load_state_dict([1, 2])


def test_load_state_dict_assign_and_dtype_cast():
    lin = nn.Linear(2, 2)
    lin.load_state_dict(
        {"weight": numtorch.ones(2, 2, dtype=numtorch.float64), "bias": numtorch.zeros(2)}
    )
    assert lin.weight.dtype == numtorch.float32
    w = numtorch.full((2, 2), 3.0)
    lin.load_state_dict({"weight": w, "bias": numtorch.zeros(2)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert lin.weight._data is w._data


def test_train_eval_zero_grad_requires_grad_apply():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    assert m.training and m[1].training
    m.eval()
    assert not m.training and not m[1].training
    m.train()
    m(numtorch.randn(3, 2)).sum().backward()
    assert m[0].weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert (m[0].weight.grad.numpy() == 0).all()
    m.zero_grad()
    assert m[0].weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Dropout", "Sequential"]


def test_to_double_keeps_parameter_identity():
    lin = nn.Linear(2, 2)
    w = lin.weight
    lin.double()
    assert lin.weight is w and w.dtype == numtorch.float64
    lin.to(numtorch.float32)
    assert w.dtype == numtorch.float32
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        lin.to(numtorch.int64)


def test_forward_hooks_and_pre_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(numtorch.randn(3, 2))
    np.testing.assert_allclose(
        out.detach().numpy(), np.broadcast_to(lin.bias.detach().numpy() + 1, (3, 2)), rtol=1e-6
    )
    assert calls == [(3, 2)]
    h1.remove()
    h2.remove()
    assert not lin._forward_hooks and not lin._forward_pre_hooks
    lin.register_forward_pre_hook(lambda m, a, k: ((a[0] * 2,), k), with_kwargs=True)
    x = numtorch.ones(1, 2)
    np.testing.assert_allclose(lin(x).detach().numpy(), lin.forward(x * 2).detach().numpy())


@pytest.mark.live_torch("PyTorch calls the test's hooks, which a replay cannot run")
def test_full_backward_hooks_match_torch():
    def run(lib):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        seen = {}

        def pre(m, gout):
            seen["pre"] = gout[0].detach().numpy().copy()
            return (gout[0] * 2,)

        def hook(m, gin, gout):
            seen["gin"] = gin[0].detach().numpy().copy()
            seen["gout"] = gout[0].detach().numpy().copy()

        lin.register_full_backward_pre_hook(pre)
        lin.register_full_backward_hook(hook)
        x = lib.ones(4, 3, requires_grad=True)
        lin(x).sum().backward()
        return seen, x.grad.numpy(), lin.weight.grad.numpy()

    (s1, gx1, gw1), (s2, gx2, gw2) = run(numtorch), run(torch)
    for k in ("pre", "gin", "gout"):
        np.testing.assert_allclose(s1[k], s2[k], rtol=1e-6)
    np.testing.assert_allclose(gx1, gx2, rtol=1e-6)
    np.testing.assert_allclose(gw1, gw2, rtol=1e-6)


def test_containers_behave_like_torch():
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    tseq = tnn.Sequential(tnn.Linear(1, 2), tnn.ReLU(), tnn.Linear(2, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert repr(seq[1:]) == repr(tseq[1:])
    seq.append(nn.Tanh())
    seq.insert(0, nn.Identity())
    tseq.append(tnn.Tanh())
    tseq.insert(0, tnn.Identity())
    assert repr(seq) == repr(tseq)
    del seq[0]
    del tseq[0]
    assert repr(seq) == repr(tseq)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        seq[9]
    ml = nn.ModuleList([nn.Linear(1, 2) for _ in range(3)] + [nn.ReLU()])
    tml = tnn.ModuleList([tnn.Linear(1, 2) for _ in range(3)] + [tnn.ReLU()])
    assert repr(ml) == repr(tml)
    assert repr(nn.ModuleList()) == repr(tnn.ModuleList())
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)})
    tmd = tnn.ModuleDict({"a": tnn.ReLU(), "b": tnn.Linear(1, 1)})
    assert repr(md) == repr(tmd) and list(md.keys()) == ["a", "b"]
    pl = nn.ParameterList(
        [numtorch.zeros(2), nn.Parameter(numtorch.zeros(2, 3, dtype=numtorch.float64))]
    )
    tpl = tnn.ParameterList([torch.zeros(2), tnn.Parameter(torch.zeros(2, 3, dtype=torch.float64))])
    assert repr(pl) == repr(tpl) and isinstance(pl[0], nn.Parameter)
    assert len(list(pl.parameters())) == 2
    pd = nn.ParameterDict({"a": numtorch.zeros(2)})
    tpd = tnn.ParameterDict({"a": torch.zeros(2)})
    assert repr(pd) == repr(tpd)
    assert [n for n, _ in pd.named_parameters()] == ["a"]


def test_lazy_linear_materialises():
    lazy = nn.LazyLinear(3)
    assert repr(lazy) == repr(tnn.LazyLinear(3))
    out = lazy(numtorch.randn(2, 5))
    assert out.shape == (2, 3)
    assert type(lazy) is nn.Linear and lazy.in_features == 5
    assert lazy.weight.shape == (3, 5) and type(lazy.weight) is nn.Parameter


def test_parameter_basics():
    p = nn.Parameter(numtorch.zeros(2))
    assert p.requires_grad and p.is_leaf
    assert repr(p) == repr(tnn.Parameter(torch.zeros(2)))
    q = nn.Parameter(numtorch.zeros(2), requires_grad=False)
    assert repr(q) == repr(tnn.Parameter(torch.zeros(2), requires_grad=False))
    import copy

    c = copy.deepcopy(nn.Linear(2, 2))
    assert isinstance(c.weight, nn.Parameter)
