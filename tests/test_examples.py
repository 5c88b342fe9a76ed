"""Each program in examples/ prints the same under ``numtorch run`` as under PyTorch.

Text must match exactly; numbers may differ in the last printed digit (float32 sums run in a
different order) plus a relative 1e-4. Without PyTorch the numtorch side still has to run, and
the seed's gradient program is checked against the values the article prints.
"""

import json
import os
import re
import subprocess
import sys

import oracle
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
PROGRAMS = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py"))
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _env():
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, (ROOT, os.environ.get("PYTHONPATH"))))
    )
    env["OMP_NUM_THREADS"] = "1"  # two processes side by side: no oversubscribed BLAS
    return env


def run(cmd):
    done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def run_numtorch(program):
    return run([sys.executable, "-m", "numtorch.cli", "run", os.path.join("examples", program)])


def _ulp(token: str) -> float:
    """One unit in the last printed place of ``token``."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def assert_same_output(ours: str, theirs: str):
    assert NUMBER.sub("#", ours) == NUMBER.sub("#", theirs), "the text differs"
    for a, b in zip(NUMBER.findall(ours), NUMBER.findall(theirs)):
        if NUMBER.fullmatch(a) and "." not in a + b and "e" not in (a + b).lower():
            assert a == b, f"{a} vs {b}"  # counts, steps, labels: exactly
            continue
        x, y = float(a), float(b)
        tol = max(_ulp(a), _ulp(b)) + 1e-4 * max(abs(x), abs(y))
        assert abs(x - y) <= tol, f"{a} vs {b}"


def test_compare_helper_is_strict():
    assert_same_output("loss 1.1327e-05 at step 3", "loss 1.1328e-05 at step 3")
    with pytest.raises(AssertionError):
        assert_same_output("loss 1.1327e-05", "loss 1.1427e-05")
    with pytest.raises(AssertionError):
        assert_same_output("step 3", "step 4")
    with pytest.raises(AssertionError):
        assert_same_output("loss 0.5", "error 0.5")


def test_there_are_the_tutorial_programs():
    wanted = {
        "gradients.py",
        "linear_layer.py",
        "polynomial_tensors.py",
        "polynomial_autograd.py",
        "polynomial_function.py",
        "polynomial_nn.py",
        "classifier.py",
        "save_and_reload.py",
    }
    assert wanted <= set(PROGRAMS)


def test_gradients_prints_the_articles_values():
    assert run_numtorch("gradients.py").split() == [
        "tensor([75.])",
        "tensor([150.])",
        "tensor([75.])",
        "tensor([-0.2500])",
        "tensor([-0.5000])",
        "tensor([-0.2500])",
    ]


# One interpreter runs every example on PyTorch (its import is the slow part), each program
# with its own stdout, argv and __main__ namespace.
_RUN_ALL_ON_TORCH = """
import contextlib, io, json, os, runpy, sys
outputs = {}
for path in sys.argv[1:]:
    buffer = io.StringIO()
    sys.argv = [path]
    sys.path[0] = os.path.dirname(os.path.abspath(path))  # as `python path` sets it
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(path, run_name="__main__")
    outputs[path] = buffer.getvalue()
print(json.dumps(outputs))
"""


@pytest.fixture(scope="module")
def torch_outputs():
    if oracle.MODE == "replay":
        return None
    paths = [os.path.join("examples", p) for p in PROGRAMS]
    outputs = json.loads(run([sys.executable, "-c", _RUN_ALL_ON_TORCH, *paths]))
    return {os.path.basename(k): v for k, v in outputs.items()}


@pytest.mark.parametrize("program", PROGRAMS)
def test_example_matches_pytorch(program, torch_outputs):
    ours = run_numtorch(program)
    assert ours.strip(), "the example printed nothing"
    theirs = oracle.call(torch_outputs and torch_outputs.__getitem__, program)
    assert_same_output(ours, theirs)
