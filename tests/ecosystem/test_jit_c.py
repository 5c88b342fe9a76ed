"""``torch.jit`` as PyTorch behaves when nothing is scripted, and the ``torch._C`` entries that
libraries call (each compared with PyTorch's)."""

from __future__ import annotations

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


def test_decorators_return_what_they_wrap_and_it_runs_eagerly():
    jit = numtorch.jit

    @jit.script
    def double(x):
        return x * 2 if not jit.is_scripting() else x

    class Net(numtorch.nn.Module):
        @jit.unused
        def helper(self):
            return 3

        @jit.ignore(drop=True)
        def dropped(self):
            return 4

        @jit.ignore
        def ignored(self):
            return 5

        @jit.export
        def exported(self):
            return 6

    net = Net()
    assert double(numtorch.tensor([1.0])).tolist() == [2.0]
    assert (net.helper(), net.dropped(), net.ignored(), net.exported()) == (3, 4, 5, 6)
    assert jit.script(net) is net and jit.trace(net, numtorch.zeros(1)) is net
    assert not jit.is_tracing() and jit.annotate(int, 7) == 7
    assert not isinstance(net, jit.ScriptModule)
    assert issubclass(jit.ScriptModule, numtorch.nn.Module)


@requires_torch
def test_types_and_values_as_pytorch():
    assert numtorch.jit.Attribute(3, int) == torch.jit.Attribute(3, int)
    assert repr(numtorch.jit.Attribute(3, int)) == repr(torch.jit.Attribute(3, int))
    assert numtorch.jit.Final is torch.jit.Final
    assert numtorch.jit.ScriptModule.__mro__[1].__name__ == "Module"
    assert numtorch._C._get_tracing_state() is torch._C._get_tracing_state() is None
    assert numtorch._C._log_api_usage_once("lib.x") is torch._C._log_api_usage_once("lib.x")


def test_torchscript_archives_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="torch.save\\(model.state_dict"):
        numtorch.jit.save(numtorch.nn.Linear(1, 1), "m.pt")
    with pytest.raises(NotImplementedError, match="need PyTorch"):
        numtorch.jit.load("m.pt")


@requires_torch
@pytest.mark.parametrize(
    "args, kwargs",
    [
        (("float64",), {}),
        (("cpu", "int32"), {"non_blocking": True}),
        (("tensor16",), {}),
        ((), {"device": "cpu"}),
        ((), {"dtype": "float16", "memory_format": "channels_last"}),
    ],
)
def test_parse_to_matches(args, kwargs):
    def convert(lib, value):
        if value == "tensor16":
            return lib.zeros(1, dtype=lib.float16)
        if value in ("float64", "int32", "float16", "channels_last"):
            return getattr(lib, value)
        return value

    def run(lib):
        a = [convert(lib, v) for v in args]
        kw = {k: convert(lib, v) for k, v in kwargs.items()}
        return [str(v) for v in lib._C._nn._parse_to(*a, **kw)]

    assert run(numtorch) == run(torch)


@requires_torch
@pytest.mark.parametrize("name", ["script", "trace"])
def test_deprecation_notice_as_pytorch(name):
    import warnings

    def f(x):
        return x

    texts = []
    for lib in (numtorch, torch):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            getattr(lib.jit, name)(f, *([lib.ones(1)] if name == "trace" else []))
        texts.append([(w.category, str(w.message)) for w in got][:1])
    assert texts[0] == texts[1] and texts[0]
