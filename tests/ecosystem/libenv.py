"""A virtual environment holding the libraries of the ecosystem check, pinned in
requirements.txt and installed with ``--no-deps`` so that pip never pulls PyTorch.

``build(root)`` makes one where torch is numtorch (this tree, through ``numtorch
provide-torch --shim``); ``build(root, real_torch=True)`` one that sees the PyTorch installed
in this interpreter, to record PyTorch's output (``python tests/ecosystem/record.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = os.path.join(HERE, "programs")
EXPECTED = os.path.join(HERE, "expected")


class NoIndex(RuntimeError):
    """pip could not reach a package index."""


def run(*cmd, timeout=600, env_extra=None, **kw) -> subprocess.CompletedProcess:
    """``cmd`` with this environment less PYTHONPATH (the venv decides what is importable)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(env_extra or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def _pip(python: str, *args) -> None:
    got = run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args)
    if got.returncode != 0:
        raise NoIndex(got.stderr[-2000:])


def build(root: str, real_torch: bool = False) -> str:
    """Create the environment under ``root``; the path of its python."""
    args = ["--system-site-packages"] if real_torch else []
    made = run(sys.executable, "-m", "venv", *args, root)
    if made.returncode != 0:
        raise RuntimeError(made.stderr)
    python = os.path.join(root, "bin", "python")
    if not real_torch:
        site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        with open(os.path.join(site.stdout.strip(), "numtorch-source.pth"), "w") as f:
            f.write(REPO + "\n")
        _pip(python, "numpy", "ml_dtypes")
        shim = run(python, "-m", "numtorch.cli", "provide-torch", "--shim")
        if shim.returncode != 0:
            raise RuntimeError(shim.stderr)
    _pip(python, "--no-deps", "-r", os.path.join(HERE, "requirements.txt"))
    _pip(python, "pytest")  # for einops' own tests; pytest needs no torch
    return python


def programs() -> list[str]:
    return sorted(n[:-3] for n in os.listdir(PROGRAMS) if n.endswith(".py"))


def run_program(python: str, name: str) -> subprocess.CompletedProcess:
    """Run one program with plain ``python`` in a scratch folder."""
    return run(python, os.path.join(PROGRAMS, name + ".py"), timeout=300)
