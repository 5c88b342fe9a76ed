"""What PyTorch Lightning touches while it loads and fits on the CPU: PyTorch's homes of
``_IncompatibleKeys``, ``DistributedDataParallel``, ``ScriptModule`` and ``_TensorMeta``,
``PyTorchFileReader``, the DataLoader iterators' class names, the profiler's
``tensorboard_trace_handler``/``kineto_available``/``emit_nvtx``, ``torch.cuda``'s generator
states; each as PyTorch's CPU build behaves."""

from __future__ import annotations

import gzip
import importlib
import json
import os

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


@requires_torch
@pytest.mark.parametrize(
    "module, name",
    [
        ("nn.modules.module", "_IncompatibleKeys"),
        ("nn.parallel.distributed", "DistributedDataParallel"),
        ("utils.data.dataloader", "_BaseDataLoaderIter"),
        ("utils.data.dataloader", "_MultiProcessingDataLoaderIter"),
    ],
)
def test_names_in_pytorch_homes(module, name):
    ours = getattr(importlib.import_module(f"numtorch.{module}"), name)
    theirs = getattr(importlib.import_module(f"torch.{module}"), name)
    assert ours.__name__ == theirs.__name__


@requires_torch
def test_top_level_and_c_names_as_pytorch():
    assert numtorch.ScriptModule is numtorch.jit.ScriptModule
    assert isinstance(numtorch.Tensor, numtorch._C._TensorMeta)
    assert isinstance(torch.Tensor, torch._C._TensorMeta)
    for lib in (numtorch, torch):
        loader = lib.utils.data.DataLoader([1, 2])
        assert type(iter(loader)).__name__ == "_SingleProcessDataLoaderIter"
        assert isinstance(iter(loader), lib.utils.data.dataloader._BaseDataLoaderIter)
    assert importlib.import_module("numtorch.utils._pytree").PyTree is torch.utils._pytree.PyTree


@requires_torch
def test_file_reader_reads_records_as_pytorch(tmp_path):
    path = str(tmp_path / "ck.pt")
    torch.save({"w": torch.arange(3.0)}, path)
    ours, theirs = numtorch.PyTorchFileReader(path), torch.PyTorchFileReader(path)
    assert ours.get_all_records() == theirs.get_all_records()
    for record in ("data.pkl", "data/0", "byteorder"):
        assert ours.get_record(record) == theirs.get_record(record)
        assert ours.get_record_size(record) == theirs.get_record_size(record)
    assert ours.has_record("data.pkl") and not ours.has_record("nope")
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed locating file nope"):
        ours.get_record("nope")


@requires_torch
def test_profiler_helpers_as_pytorch_cpu_build(tmp_path):
    assert numtorch.profiler.kineto_available() is False
    with numtorch.autograd.profiler.emit_nvtx(enabled=False):
        pass
    for lib in (numtorch, torch):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            with lib.autograd.profiler.emit_nvtx():
                pass
    handler = numtorch.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), "w", True)
    with numtorch.profiler.profile(on_trace_ready=handler):
        numtorch.ones(2).sum()
    (name,) = os.listdir(tmp_path / "tb")
    assert name.startswith("w.") and name.endswith(".pt.trace.json.gz")
    with gzip.open(tmp_path / "tb" / name, "rt") as f:
        assert "aten::sum" in {e["name"] for e in json.load(f)["traceEvents"]}


@requires_torch
def test_cuda_generator_states_without_a_gpu_as_pytorch():
    assert numtorch.cuda.get_rng_state_all() == torch.cuda.get_rng_state_all() == []
    assert numtorch.cuda.set_rng_state_all([]) is torch.cuda.set_rng_state_all([]) is None
