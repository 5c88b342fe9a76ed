"""Every public class of ``torch.nn.modules.*`` and ``torch.optim.*`` is importable from the
module where PyTorch defines it and names that module as its own (pickles, ``safe_globals``
lists and ``numtorch run``'s qualified names depend on it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

try:
    import torch
    import torch.nn.modules
    import torch.optim
except ImportError:  # the oracle is optional
    torch = None

# What numtorch does not provide, and why.
NOT_PROVIDED = {
    "torch.nn.modules.normalization.CrossMapLRN2d": "Lua Torch's legacy LRN",
    "torch.nn.modules.lazy.LazyModuleMixin": "lazy layers use their own mixins",
    "torch.optim.sparse_adam.SparseAdam": "no sparse tensors",
}


def _pytorch_classes():
    if torch is None:
        return []
    found = []
    for pkg in (torch.nn.modules, torch.optim):
        for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
            if info.name.rsplit(".", 1)[1].startswith("_"):
                continue  # private modules (_functions, _multi_tensor)
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if inspect.isclass(obj) and obj.__module__ == info.name and name[0] != "_":
                    found.append(f"{info.name}.{name}")
    return sorted(found)


@pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")
@pytest.mark.parametrize("path", _pytorch_classes())
def test_class_lives_where_pytorch_defines_it(path):
    if path in NOT_PROVIDED:
        pytest.skip(NOT_PROVIDED[path])
    module_name, name = ("num" + path).rsplit(".", 1)
    module = importlib.import_module(module_name)
    cls = getattr(module, name)
    assert cls.__module__ == module_name and cls.__name__ == name


@pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")
def test_pytorch_pickles_of_relocated_classes_load(tmp_path):
    import numtorch
    from numtorch.nn.modules.activation import MultiheadAttention
    from numtorch.nn.modules.channelshuffle import ChannelShuffle
    from numtorch.nn.modules.linear import Linear, NonDynamicallyQuantizableLinear

    torch.manual_seed(0)
    path = tmp_path / "m.pt"
    torch.save(
        torch.nn.Sequential(torch.nn.MultiheadAttention(4, 2), torch.nn.ChannelShuffle(2)), path
    )
    allowed = [MultiheadAttention, NonDynamicallyQuantizableLinear, Linear, ChannelShuffle]
    allowed.append(numtorch.nn.Sequential)
    with numtorch.serialization.safe_globals(allowed):
        model = numtorch.load(path)
    assert type(model[0]) is MultiheadAttention and type(model[1]) is ChannelShuffle
    assert type(model[0].out_proj) is NonDynamicallyQuantizableLinear
    assert (
        model[0].in_proj_weight.tolist()
        == torch.load(path, weights_only=False)[0].in_proj_weight.tolist()
    )
