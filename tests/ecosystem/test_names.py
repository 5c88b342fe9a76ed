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


QUALIFIED_NAMES = """
import torch
print(type(torch.ones(1)), type(torch.nn.Linear(1, 1)), type(torch.nn.Parameter(torch.ones(1))))
print(type(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1)), type(torch.float32))
print(type(torch.Size([1])), type(torch.device("cpu")), type(torch.Generator()))
print(type(torch.utils.data.DataLoader([1])), torch.optim.lr_scheduler.StepLR, type(torch.finfo()))
print(torch.autograd.Function, torch.no_grad, torch.nn.Module, torch.typename(torch.nn.ReLU()))
print(torch.nn.MultiheadAttention, torch.optim.AdamW, torch.optim.lr_scheduler.OneCycleLR)
print(torch.__version__ >= "2.0", torch.__version__ >= (2, 13), torch.version.__version__)
"""


@requires_torch
def test_qualified_names_under_numtorch_run(tmp_path):
    import os
    import subprocess
    import sys

    prog = tmp_path / "names.py"
    prog.write_text(QUALIFIED_NAMES)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(numtorch.__file__)))
    run = [sys.executable, "-m", "numtorch.cli", "run", str(prog)]
    ours = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    theirs = subprocess.run(
        [sys.executable, str(prog)], capture_output=True, text=True, timeout=120
    )
    assert ours.returncode == 0, ours.stderr
    # PyTorch's version string carries its build ("+cpu"); numtorch's is the release alone
    assert ours.stdout == theirs.stdout.replace("2.13.0+cpu", "2.13.0")
