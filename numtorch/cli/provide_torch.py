"""``numtorch provide-torch``: let pip install torch-based libraries without pulling PyTorch.

Every library built on PyTorch (torchmetrics, einops' torch layers, transformers ...) requires
the ``torch`` distribution, so ``pip install torchmetrics`` beside numtorch downloads PyTorch.
This command writes package metadata for ``torch`` (the release numtorch follows) into the
current environment's site-packages, naming numtorch as its installer: pip's resolver and
``importlib.metadata.version("torch")`` are then satisfied. ``--shim`` also makes ``import
torch`` give numtorch under plain ``python`` (a ``.pth`` start-up hook that loads numtorch only
when a program imports torch). ``--undo`` removes exactly the files written (so does ``pip
uninstall torch``). It refuses to run where a real PyTorch is installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import sys
import sysconfig

from numtorch.version import __version__ as TORCH_RELEASE
from numtorch.version import numtorch as NUMTORCH_RELEASE

INSTALLER = "numtorch"
DIST_INFO = f"torch-{TORCH_RELEASE}.dist-info"
SHIM_MODULE = "_numtorch_torch_shim.py"
SHIM_PTH = "numtorch-torch-shim.pth"

_METADATA = f"""\
Metadata-Version: 2.1
Name: torch
Version: {TORCH_RELEASE}
Summary: numtorch {NUMTORCH_RELEASE} standing in for PyTorch (written by numtorch provide-torch)
"""

# The hook stays a few lines so that every Python start-up pays nothing: numtorch is imported
# when (and only when) a program imports torch.
_SHIM = '''\
"""Written by `numtorch provide-torch --shim`: `import torch` gives numtorch."""
import sys


class _NumtorchTorchFinder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        sys.meta_path.remove(_NumtorchTorchFinder)
        from numtorch.cli.run import TorchAliasFinder, install_torch_alias

        install_torch_alias()
        return TorchAliasFinder().find_spec(fullname, path, target)


sys.meta_path.insert(0, _NumtorchTorchFinder)
'''


class RealTorchInstalled(RuntimeError):
    """A PyTorch that numtorch did not write is importable or installed here."""


def site_packages() -> str:
    """Where pip installs pure-Python packages for this interpreter (the venv's, in a venv)."""
    return sysconfig.get_paths()["purelib"]


def _ours(dist_info: str) -> bool:
    try:
        with open(os.path.join(dist_info, "INSTALLER"), encoding="utf-8") as f:
            return f.read().strip() == INSTALLER
    except OSError:
        return False


def real_torch(paths: list[str]) -> str | None:
    """The first PyTorch on ``paths`` that numtorch did not write (a package or metadata)."""
    for entry in paths:
        if not os.path.isdir(entry):
            continue
        if os.path.isfile(os.path.join(entry, "torch", "__init__.py")):
            return os.path.join(entry, "torch")
        for name in sorted(os.listdir(entry)):
            lowered = name.lower()
            if lowered.startswith("torch-") and lowered.endswith((".dist-info", ".egg-info")):
                if not _ours(os.path.join(entry, name)):
                    return os.path.join(entry, name)
    return None


def _record_line(site: str, relpath: str) -> str:
    with open(os.path.join(site, relpath), "rb") as f:
        data = f.read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{relpath},sha256={digest},{len(data)}"


def _write(site: str, relpath: str, text: str) -> None:
    with open(os.path.join(site, relpath), "w", encoding="utf-8") as f:
        f.write(text)


def install(site: str, shim: bool = False, paths: list[str] | None = None) -> list[str]:
    """Write the ``torch`` metadata (and the shim) into ``site``; the paths written."""
    found = real_torch([site] + list(sys.path if paths is None else paths))
    if found is not None:
        raise RealTorchInstalled(
            f"a real PyTorch is installed ({found}): numtorch will not stand in for it. Use a "
            "virtual environment without torch, or `pip uninstall torch` first."
        )
    uninstall(site)
    os.makedirs(os.path.join(site, DIST_INFO))
    files = [f"{DIST_INFO}/METADATA", f"{DIST_INFO}/INSTALLER"]
    _write(site, files[0], _METADATA)
    _write(site, files[1], INSTALLER + "\n")
    if shim:
        _write(site, SHIM_MODULE, _SHIM)
        _write(site, SHIM_PTH, "import _numtorch_torch_shim\n")
        files += [SHIM_MODULE, SHIM_PTH]
    record = [_record_line(site, path) for path in files] + [f"{DIST_INFO}/RECORD,,"]
    _write(site, f"{DIST_INFO}/RECORD", "\n".join(record) + "\n")
    return [os.path.join(site, path) for path in files + [f"{DIST_INFO}/RECORD"]]


def uninstall(site: str) -> list[str]:
    """Remove what ``install`` wrote into ``site`` (nothing else); the paths removed."""
    info = os.path.join(site, DIST_INFO)
    if not os.path.isdir(info) or not _ours(info):
        return []
    with open(os.path.join(info, "RECORD"), encoding="utf-8") as f:
        listed = [line.split(",")[0] for line in f if line.strip()]
    removed = []
    for relpath in listed:
        path = os.path.join(site, relpath)
        if os.path.isfile(path):
            os.remove(path)
            removed.append(path)
    os.rmdir(info)
    return removed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch provide-torch",
        description=(
            f"Register numtorch as the provider of torch {TORCH_RELEASE} in this environment, "
            "so that pip installs torch-based libraries without downloading PyTorch."
        ),
    )
    parser.add_argument(
        "--shim", action="store_true", help="also make `import torch` give numtorch in python"
    )
    parser.add_argument("--undo", action="store_true", help="remove what this command wrote")
    parser.add_argument(
        "--site", default=None, help="the site-packages folder (default: this interpreter's)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    site = args.site or site_packages()
    if args.undo:
        removed = uninstall(site)
        print(f"removed {len(removed)} files from {site}" if removed else "nothing to remove")
        return 0
    try:
        written = install(site, shim=args.shim)
    except RealTorchInstalled as exc:
        print(f"numtorch provide-torch: {exc}", file=sys.stderr)
        return 1
    print(f"numtorch now provides torch {TORCH_RELEASE} in {site}:")
    for path in written:
        print(f"  {path}")
    print("undo with `numtorch provide-torch --undo` (or `pip uninstall torch`)")
    return 0
