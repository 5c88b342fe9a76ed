"""``torch.__version__`` as PyTorch's version object, and ``numtorch provide-torch``: pip
installs torch-based libraries beside numtorch without downloading PyTorch."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys

import pytest

import numtorch
from numtorch.cli import provide_torch
from numtorch.torch_version import TorchVersion

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OTHERS = ["2.0", "2.13", "2.13.0", "2.13.0+cpu", "2.13.1", "2.13.0rc1", "2.13.1.dev0", "2.14"]
OTHERS += ["parrot", "2.13.0.post1", "1!0.1", "v2.13.0"]
TUPLES = [(2,), (2, 13), (2, 13, 0), (2, 12, 9), (3, 0), [2, 14]]


def test_version_is_the_release_followed_and_numtorch_has_its_own():
    assert numtorch.__version__ == "2.13.0" and isinstance(numtorch.__version__, str)
    assert type(numtorch.__version__).__name__ == "TorchVersion"
    assert numtorch.version.numtorch == "0.1.0"
    assert numtorch.version.__version__ == "2.13.0"


@pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")
@pytest.mark.parametrize("mine", ["2.13.0", "2.13.0+cpu", "2.1.0a0", "parrot"])
def test_comparisons_match_torch_version(mine):
    ours, theirs = TorchVersion(mine), torch.torch_version.TorchVersion(mine)
    for other in OTHERS + TUPLES:
        for op in ("__lt__", "__le__", "__eq__", "__ge__", "__gt__", "__ne__"):
            assert getattr(ours, op)(other) == getattr(theirs, op)(other), (mine, op, other)
    with pytest.raises(TypeError, match="'>' not supported between instances of 'TorchVersion'"):
        ours > 5  # noqa: B015 - the comparison is what raises
    assert (ours == 5) is False and hash(ours) == hash(mine)


def test_packaging_parses_it():
    packaging = pytest.importorskip("packaging.version")
    assert packaging.parse(numtorch.__version__) >= packaging.Version("2.6")


def _digest(path):
    with open(path, "rb") as f:
        return base64.urlsafe_b64encode(hashlib.sha256(f.read()).digest()).rstrip(b"=").decode()


def test_install_writes_metadata_record_and_undo_removes_only_that(tmp_path):
    site = str(tmp_path)
    (tmp_path / "other.py").write_text("x = 1\n")
    written = provide_torch.install(site, shim=True, paths=[])
    info = tmp_path / "torch-2.13.0.dist-info"
    meta = (info / "METADATA").read_text()
    assert "Name: torch\n" in meta and "Version: 2.13.0\n" in meta
    assert (info / "INSTALLER").read_text() == "numtorch\n"
    record = (info / "RECORD").read_text().splitlines()
    for line in record[:-1]:  # every file but RECORD carries its hash and size
        rel, digest, size = line.split(",")
        assert digest == "sha256=" + _digest(os.path.join(site, rel))
        assert int(size) == os.path.getsize(os.path.join(site, rel))
    assert len(written) == len(record) == 5
    assert provide_torch.install(site, paths=[])  # again: rewritten, now without the shim
    assert not (tmp_path / "numtorch-torch-shim.pth").exists()
    removed = provide_torch.uninstall(site)
    assert len(removed) == 3 and sorted(os.listdir(site)) == ["other.py"]
    assert provide_torch.uninstall(site) == []


@pytest.mark.parametrize("real", ["torch/__init__.py", "torch-2.5.1.dist-info/METADATA"])
def test_refuses_where_real_torch_is_installed(tmp_path, real):
    path = tmp_path / "lib" / real
    path.parent.mkdir(parents=True)
    path.write_text("")
    with pytest.raises(provide_torch.RealTorchInstalled, match="a real PyTorch is installed"):
        provide_torch.install(str(tmp_path / "site"), paths=[str(tmp_path / "lib")])
    assert not (tmp_path / "site").exists()


def _run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def test_fresh_venv_pip_installs_torchmetrics_without_torch(tmp_path):
    """What a user does: a venv, numtorch, ``provide-torch --shim``, ``pip install``."""
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    python = str(venv / "bin" / "python")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    site = site.stdout.strip()
    with open(os.path.join(site, "numtorch-source.pth"), "w") as f:
        f.write(REPO + "\n")  # numtorch from this tree, as an editable install would give it
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    got = _run(*pip, "numpy")
    if got.returncode != 0:
        pytest.skip(f"no package index reachable: {got.stderr[-300:]}")
    got = _run(python, "-m", "numtorch.cli", "provide-torch", "--shim")
    assert got.returncode == 0, got.stderr
    got = _run(*pip, "torchmetrics==1.9.0")
    assert got.returncode == 0, got.stderr
    assert not os.path.exists(os.path.join(site, "torch")), "pip downloaded PyTorch"
    code = (
        "import importlib.metadata as m, torch, numtorch\n"
        "print(m.version('torch'), m.version('torchmetrics'), torch is numtorch)\n"
    )
    assert _run(python, "-c", code).stdout.split() == ["2.13.0", "1.9.0", "True"]
    assert _run(python, "-m", "pip", "uninstall", "-y", "torch").returncode == 0
    assert not os.path.exists(os.path.join(site, "numtorch-torch-shim.pth"))
    assert _run(python, "-c", "import torch").returncode != 0


@pytest.mark.skipif(torch is None, reason="needs a real PyTorch in this environment")
def test_command_refuses_here_with_a_clear_message(capsys):
    assert provide_torch.main([]) == 1
    assert "a real PyTorch is installed" in capsys.readouterr().err
