"""Modules and deprecated paths programs import: ``torch.functional``, ``torch.onnx`` and
``torch.cuda.amp`` (with PyTorch's FutureWarning)."""

from __future__ import annotations

import importlib
import warnings

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


@requires_torch
def test_functional_holds_pytorch_functions():
    import numtorch.functional as ours

    missing = {"pca_lowrank", "svd_lowrank"}  # not provided
    assert set(ours.__all__) == set(torch.functional.__all__) - missing
    for name in ours.__all__:
        assert getattr(ours, name) is getattr(numtorch, name)
    x = [[1.0, 2.0], [3.0, 4.0]]
    assert ours.einsum("ij->j", numtorch.tensor(x)).tolist() == [4.0, 6.0]


def test_onnx_imports_and_export_refuses_clearly():
    import numtorch.onnx as onnx

    assert onnx.is_in_onnx_export() is False
    with pytest.raises(onnx.OnnxExporterError, match="not supported by numtorch"):
        onnx.export(numtorch.nn.Linear(1, 1), (numtorch.zeros(1),), "m.onnx")
    assert issubclass(onnx.OnnxExporterError, RuntimeError)


@requires_torch
@pytest.mark.parametrize("enabled", [False, True])
def test_cuda_amp_deprecated_paths_warn_and_work_on_the_cpu(enabled):
    def run(lib):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            scaler = lib.cuda.amp.GradScaler(enabled=enabled)
            with lib.cuda.amp.autocast(enabled=enabled):
                inside = lib.is_autocast_enabled("cuda")
        texts = [(w.category.__name__, str(w.message)) for w in got]
        return scaler.is_enabled(), inside, texts

    assert run(numtorch) == run(torch)
    assert importlib.import_module("numtorch.cuda.amp").GradScaler is numtorch.cuda.amp.GradScaler
