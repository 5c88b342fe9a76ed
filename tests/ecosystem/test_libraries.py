"""The ecosystem check: libraries built on PyTorch, installed beside numtorch without PyTorch,
run a short program each with plain ``python`` (``import torch`` gives numtorch through
``numtorch provide-torch --shim``) and print what they print under PyTorch (recorded in
expected/ by record.py). einops' own test suite runs on its torch backend too."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libenv  # noqa: E402


@pytest.fixture(scope="module")
def python(tmp_path_factory):
    try:
        return libenv.build(str(tmp_path_factory.mktemp("ecosystem") / "venv"))
    except libenv.NoIndex as e:
        pytest.skip(f"no package index reachable: {e}")


def test_no_pytorch_was_installed(python):
    got = libenv.run(
        python,
        "-c",
        "import torch, importlib.metadata as m; print(torch.__name__, m.version('torch'))",
    )
    assert got.stdout.split() == ["numtorch", "2.13.0"], got.stderr


@pytest.mark.parametrize("name", libenv.programs())
def test_program_prints_what_pytorch_prints(python, name):
    got = libenv.run_program(python, name)
    with open(os.path.join(libenv.EXPECTED, name + ".txt")) as f:
        expected = f.read()
    assert got.returncode == 0, got.stderr[-3000:]
    assert got.stdout == expected


def test_einops_own_suite_on_the_torch_backend(python):
    site = libenv.run(python, "-c", "import einops, os; print(os.path.dirname(einops.__file__))")
    tests = os.path.join(site.stdout.strip(), "tests")
    got = libenv.run(
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        tests,
        # torch.compile of einops layers: numtorch's compiler refuses a tensor it cannot trace
        "-k",
        "not test_torch_compile_for_layers",
        cwd=os.path.dirname(tests),
        env_extra={"EINOPS_TEST_BACKENDS": "torch"},
    )
    assert got.returncode == 0, got.stdout[-3000:]
