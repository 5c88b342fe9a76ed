"""The source tree's own checks: ruff's format and lint (as pyproject configures them) and the
generated type stubs (numtorch/_tensor.pyi, numtorch/__init__.pyi) against the live API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ruff")
ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]])
def test_ruff(command):
    done = _run("-m", "ruff", *command, ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_stubs_are_current():
    done = _run(str(ROOT / "tools" / "gen_stubs.py"), "--check")
    assert done.returncode == 0, done.stderr


def test_stub_lists_attached_methods():
    # softmax reaches Tensor from a METHODS table at import: only the stub shows it to editors
    text = (ROOT / "numtorch" / "_tensor.pyi").read_text()
    assert "    def softmax(input: Tensor, dim: int, dtype=None) -> Tensor: ..." in text
