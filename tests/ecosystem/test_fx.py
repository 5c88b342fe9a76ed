"""``torch.fx.symbolic_trace``: the GraphModule's code, graph and printed form as PyTorch's for
simple modules, the traced module computing what the module computes, and PyTorch's errors."""

from __future__ import annotations

import numpy
import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


def _modules(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.w = nn.Parameter(lib.ones(4))
            self.register_buffer("b", lib.full((4,), 2.0))
            self.seq = nn.Sequential(nn.ReLU(), nn.Tanh())

        def forward(self, x, y=2):
            h = lib.relu(self.linear(x)) + self.w
            first, second = h[:2] * y / self.b
            z = lib.cat([first, -second], dim=0).view(2, -1)[:, 1:3]
            return z.sum(dim=-1), self.seq(1 - h) @ self.b, h.shape[0], self.w

    class Unpacked(nn.Module):
        def forward(self, input):
            return input.mean(), input.transpose(0, 1) ** 2

    return [Block(), Unpacked(), nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))]


@requires_torch
@pytest.mark.parametrize("index", range(3))
def test_code_graph_and_repr_as_pytorch(index):
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    ours = numtorch.fx.symbolic_trace(_modules(numtorch)[index])
    theirs = torch.fx.symbolic_trace(_modules(torch)[index])
    assert ours.code == theirs.code
    assert str(ours.graph) == str(theirs.graph)
    assert str(ours) == str(theirs)
    assert type(ours).__name__ == type(theirs).__name__
    assert [(n.op, n.name) for n in ours.graph.nodes] == [
        (n.op, n.name) for n in theirs.graph.nodes
    ]
    x = numtorch.arange(16.0).reshape(4, 4) / 10
    for got, want in zip(ours(x), theirs(torch.tensor(x.numpy()))):
        got, want = (got.tolist(), want.tolist()) if hasattr(got, "tolist") else (got, want)
        numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_traced_module_computes_and_trains_as_the_module():
    numtorch.manual_seed(0)
    module = _modules(numtorch)[0]
    traced = numtorch.fx.symbolic_trace(module)
    x = numtorch.randn(4, 4)
    for got, want in zip(traced(x, 3), module(x, 3)):
        assert numtorch.equal(numtorch.as_tensor(got), numtorch.as_tensor(want))
    assert traced.linear is module.linear and traced.w is module.w  # shared, as in PyTorch
    traced(x)[1].sum().backward()
    assert module.linear.weight.grad is not None


@requires_torch
def test_errors_as_pytorch():
    def run(lib):
        class Branch(lib.nn.Module):
            def forward(self, x):
                return x if x.sum() > 0 else -x

        class Loop(lib.nn.Module):
            def forward(self, x):
                return [v for v in x]

        outcomes = []
        for module in (Branch(), Loop()):
            try:
                lib.fx.symbolic_trace(module)
            except Exception as e:  # compared by type and text
                outcomes.append((type(e).__name__, str(e)))
        return outcomes

    assert run(numtorch) == run(torch)


def test_unsupported_uses_refuse_clearly():
    class Constant(numtorch.nn.Module):
        def forward(self, x):
            return x + numtorch.ones(1)

    with pytest.raises(NotImplementedError, match="constant.*register it as a buffer"):
        numtorch.fx.symbolic_trace(Constant())
    with pytest.raises(NotImplementedError, match="concrete_args"):
        numtorch.fx.symbolic_trace(numtorch.nn.ReLU(), concrete_args={"x": 1})
    with pytest.raises(NotImplementedError, match="torch.fx.wrap is not supported"):
        numtorch.fx.wrap("len")
