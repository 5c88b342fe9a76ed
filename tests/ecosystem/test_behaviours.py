"""Behaviours libraries rely on: Python types as dtypes, ``add_(alpha=<0-d tensor>)``,
Optimizer subclasses that skip ``Optimizer.__init__``, ``expand``'s strides and writes into
expanded tensors, float8 dtypes. Each compared with PyTorch."""

from __future__ import annotations

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


def _outcome(lib, code):
    try:
        r = eval(code, {"torch": lib})  # noqa: S307 - the test's own expressions
    except Exception as e:  # noqa: BLE001 - comparing failures is the point
        return type(e).__name__, str(e)
    return "ok", str(r.dtype) if hasattr(r, "dtype") else repr(r)


PYTHON_TYPES = [
    "torch.zeros(2, dtype=int)",
    "torch.ones(2, dtype=float)",
    "torch.empty(2, dtype=bool)",
    "torch.zeros(2, dtype=complex)",
    "torch.tensor([1], dtype=float)",
    "torch.arange(3, dtype=float)",
    "torch.full((2,), 1, dtype=bool)",
    "torch.ones(2).to(int)",
    "torch.ones(2).to(float)",
    "torch.ones(2).to('cpu', int)",
    "torch.ones(2).to(dtype=bool)",
    "torch.ones(2).type(float)",
    "torch.ones(2).new_zeros(2, dtype=int)",
    "torch.zeros_like(torch.ones(2), dtype=int)",
    "torch.randint(3, (2,), dtype=float)",
    "torch.randn(2, dtype=float)",
    "torch.ones(2).sum(dtype=int)",
    "torch.ones(2).cumsum(0, dtype=int)",
    "torch.ones(2).mean(dtype=float)",
]

SIZE_KEYWORD = [
    "torch.zeros(size=(2, 3))",
    "torch.ones(size=[2])",
    "torch.empty(size=(1, 2)).shape",
    "torch.rand(size=(2,)).shape",
    "torch.randn(size=(3, 1)).shape",
]


@requires_torch
@pytest.mark.parametrize("code", SIZE_KEYWORD)
def test_size_keyword(code):
    assert _outcome(numtorch, code) == _outcome(torch, code)


def test_size_given_twice_is_a_type_error():
    with pytest.raises(TypeError, match="randn"):
        numtorch.randn(2, size=(3,))


@requires_torch
@pytest.mark.parametrize("code", PYTHON_TYPES)
def test_python_types_as_dtypes(code):
    assert _outcome(numtorch, code) == _outcome(torch, code)


ALPHA = [
    "torch.ones(2).add_(torch.ones(2), alpha=torch.tensor(2.0))",
    "torch.ones(2).sub_(torch.ones(2), alpha=torch.tensor(3))",
    "torch.ones(2).add_(torch.ones(2), alpha=torch.tensor([2.0]))",
    "torch.add(torch.ones(2), torch.ones(2), alpha=torch.tensor(3))",
]


@requires_torch
@pytest.mark.parametrize("code", ALPHA)
def test_add_alpha_tensor(code):
    values = [_outcome(lib, code + ".tolist()") for lib in (numtorch, torch)]
    assert values[0] == values[1]


def _lookahead_step(lib):
    """torch-optimizer's Lookahead: an Optimizer subclass that never calls __init__."""

    class Wrapper(lib.optim.Optimizer):
        def __init__(self, inner):
            self.inner, self.param_groups, self.state = inner, inner.param_groups, inner.state
            self.defaults = inner.defaults

        def step(self, closure=None):
            return self.inner.step(closure)

    p = lib.nn.Parameter(lib.ones(2))
    opt = Wrapper(lib.optim.SGD([p], lr=0.5))
    p.grad = lib.ones(2)
    opt.step()
    return p.detach().tolist()


@requires_torch
def test_optimizer_subclass_without_base_init_steps():
    assert _lookahead_step(numtorch) == _lookahead_step(torch) == [0.5, 0.5]


EXPANDS = [
    ("torch.arange(64)", (1, -1)),
    ("torch.zeros(3, 1)", (3, 4)),
    ("torch.zeros(2, 3)", (4, 2, 3)),
    ("torch.zeros(2, 3)", (1, 1, 2, 3)),
    ("torch.zeros(3, 1)", (1, 3, 1)),
    ("torch.zeros(1, 3)", (2, 1, 3)),
    ("torch.zeros(())", (2, 3)),
    ("torch.zeros(1, 3).t()", (5, 3, 4)),
    ("torch.zeros(3, 1)", (1, 3, 4)),
]


@requires_torch
@pytest.mark.parametrize("base, size", EXPANDS)
def test_expand_strides_contiguity_and_writes(base, size):
    def facts(lib):
        x = eval(base, {"torch": lib}).expand(*size)  # noqa: S307
        target = lib.ones(x.shape, dtype=x.dtype)
        return x.stride(), x.is_contiguous(), _copy(x, target)

    assert facts(numtorch) == facts(torch)


def _copy(x, src):
    try:
        x.copy_(src)
    except RuntimeError as e:
        return str(e)
    return x.tolist()


@requires_torch
def test_copy_into_expanded_buffer_reaches_the_base():
    for lib in (numtorch, torch):
        base = lib.arange(4)
        view = base.expand(1, -1)
        view.copy_(lib.tensor([[5, 6, 7, 8]]))
        assert base.tolist() == [5, 6, 7, 8]
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            lib.zeros(3, 1).expand(3, 4).add_(1)


FLOAT8 = ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu"]


@requires_torch
@pytest.mark.parametrize("name", FLOAT8)
def test_float8_dtypes(name):
    pytest.importorskip("ml_dtypes")
    ours, theirs = getattr(numtorch, name), getattr(torch, name)
    assert repr(ours) == repr(theirs) and ours.itemsize == theirs.itemsize
    assert ours.is_floating_point == theirs.is_floating_point and ours.is_signed == theirs.is_signed
    assert repr(numtorch.finfo(ours)) == repr(torch.finfo(theirs))
    values = [0.1, 2.5, -3.0, 300.0] if ours.is_signed else [0.1, 2.5, 3.0, 300.0]
    a = numtorch.tensor(values).to(ours)
    b = torch.tensor(values).to(theirs)
    assert str(a) == str(b) and a.type() == b.type()
    assert str(a.float().tolist()) == str(b.float().tolist())
    for lib, d in ((numtorch, ours), (torch, theirs)):
        with pytest.raises(RuntimeError, match="Promotion for Float8 Types is not supported"):
            lib.promote_types(d, lib.float32)
