"""The source tree's own checks: ruff's format and lint (as pyproject configures them), the
generated type stubs (numtorch/_tensor.pyi, numtorch/__init__.pyi) against the live API, and the
direction of the imports between the layers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]])
def test_ruff(command):
    pytest.importorskip("ruff")
    done = _run("-m", "ruff", *command, ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_stubs_are_current():
    done = _run(str(ROOT / "tools" / "gen_stubs.py"), "--check")
    assert done.returncode == 0, done.stderr


def test_stub_lists_attached_methods():
    # softmax reaches Tensor from a METHODS table at import: only the stub shows it to editors
    text = (ROOT / "numtorch" / "_tensor.pyi").read_text()
    assert "    def softmax(input: Tensor, dim: int, dtype=None) -> Tensor: ..." in text


# The layers, bottom to top (docs/ARCHITECTURE.md): a module imports, when it is imported, only
# modules of its own layer or below. A module of none of these layers is above them all.
LAYERS = (
    ("_backend", "_dtype", "_fma", "_lazy", "_autocast", "_aliases", "return_types"),
    ("_rng_kernels", "random"),
    ("_tensor", "backends", "utils.hooks"),
    ("autograd",),
    ("ops",),
    ("nn",),
    ("optim",),
)
# Modules that give PyTorch's names to what a higher layer holds, loaded on first use only
UPWARD_ON_FIRST_USE = {
    "numtorch.autograd.profiler": "torch.autograd.profiler over numtorch.profiler",
    "numtorch.nn.parallel.distributed": "DistributedDataParallel from numtorch.distributed",
    "numtorch.ops.graph_xp": "the torch-level array module of create_graph backwards",
}


def _layer(module: str) -> int:
    for rank, names in enumerate(LAYERS):
        for name in names:
            prefix = "numtorch." + name
            if module == prefix or module.startswith(prefix + "."):
                return rank
    return len(LAYERS)


def _imports_at_import_time(body):
    """The import statements that run when a module is imported: those outside functions."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _imports_at_import_time(getattr(node, field, None) or [])


def _imported_modules(node, package: str):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
    target = ".".join(base + ([node.module] if node.module else []))
    # ``from . import x`` imports the submodule x where there is one
    names = [f"{target}.{a.name}" for a in node.names]
    return [n for n in names if _is_module(n)] or [target]


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _upward_imports():
    found = []
    for path in sorted((ROOT / "numtorch").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module in UPWARD_ON_FIRST_USE:
            continue
        package = module if parts[-1] == "__init__" else module.rpartition(".")[0]
        rank = _layer(module)
        for node in _imports_at_import_time(ast.parse(path.read_text()).body):
            for target in _imported_modules(node, package):
                if target.startswith("numtorch") and _layer(target) > rank:
                    found.append(f"{module}:{node.lineno} imports {target}")
    return found


def test_no_import_runs_upward():
    # ops -> nn or tensor -> ops at import time would tie a layer to the ones built on it
    assert _upward_imports() == []


def test_upward_modules_load_on_first_use_only():
    done = _run("-c", "import sys, numtorch; print(*sys.modules)")
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()).isdisjoint(UPWARD_ON_FIRST_USE)


def test_upward_import_check_sees_one(tmp_path, monkeypatch):
    # the check above would pass if it read nothing: it must see an ops module importing nn
    fake = tmp_path / "numtorch" / "ops"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "bad.py").write_text("def f():\n    from ..nn import Module\n\nfrom .. import nn\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "numtorch" / "nn").mkdir()
    (tmp_path / "numtorch" / "nn" / "__init__.py").write_text("")
    assert _upward_imports() == ["numtorch.ops.bad:4 imports numtorch.nn"]
