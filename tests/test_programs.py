"""End-to-end: each program in tests/programs/ prints the same under ``numtorch run`` as under
PyTorch.

The programs are plain PyTorch scripts (``import torch``), the kind people learn from and ship.
Each runs under ``python -m numtorch.cli run prog.py`` and, as ``python prog.py`` would run it,
under PyTorch (one background interpreter runs them all, as PyTorch takes seconds to start).
The outputs are compared line by line: the text between numbers exactly, every number to within
one unit in its last printed place plus a relative tolerance (float32 sums run in a different
order). Where a number printed with a different width shifts a tensor's column alignment,
spacing may differ too, but only on that line.

Without PyTorch, PyTorch's output is the one recorded with the test (tests/oracle)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import subprocess
import sys

import oracle
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS_DIR = os.path.join(ROOT, "tests", "programs")
PROGRAMS = sorted(f for f in os.listdir(PROGRAMS_DIR) if f.endswith(".py"))
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
TIMEOUT = 120

# Relative tolerance per program where a long float32 training run drifts further than the
# default allows.
RTOL = {}
DEFAULT_RTOL = 1e-4

# Command-line arguments a program is run with, under both.
ARGS = {"train_script.py": ["--epochs", "4", "--lr", "0.02"]}

# Programs that fail today for a feature numtorch does not have yet (one line of cause each).
XFAIL: dict[str, str] = {}


def _env() -> dict:
    path = os.pathsep.join(filter(None, (ROOT, os.environ.get("PYTHONPATH"))))
    env = dict(os.environ, PYTHONPATH=path)
    env["OMP_NUM_THREADS"] = "1"  # two interpreters side by side: no oversubscribed BLAS
    env["PYTHONHASHSEED"] = "0"
    return env


def _start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=PROGRAMS_DIR,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, what: str, timeout: float = TIMEOUT) -> str:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{what} timed out after {timeout} s\n{out[-2000:]}")
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{out[-3000:]}\n{err}"
    return out


# PyTorch takes seconds to import and warm up, so one interpreter runs every selected program in
# turn, each as ``python prog.py`` would (a fresh ``__main__`` namespace, its own argv, defaults
# restored), and hands back what each printed.
_TORCH_RUNNER = """
import contextlib, io, json, runpy, sys, traceback
import torch
results = {}
args = json.loads(sys.argv[1])
for path in sys.argv[2:]:
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    torch.set_printoptions(profile="default", sci_mode=None)
    sys.argv = [path, *args[path]]
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name="__main__")
        results[path] = [buf.getvalue(), None]
    except BaseException:
        results[path] = [buf.getvalue(), traceback.format_exc()]
sys.stdout.write(json.dumps(results))
"""


class _TorchOutputs:
    """What each program prints under PyTorch, from one background interpreter."""

    def __init__(self, programs: list[str]):
        args = json.dumps({p: ARGS.get(p, []) for p in programs})
        self._proc = _start([sys.executable, "-c", _TORCH_RUNNER, args, *programs])
        self._results = None

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()

    def get(self, program: str) -> str:
        if self._results is None:
            out = _finish(self._proc, "the PyTorch runner", timeout=TIMEOUT * 5)
            self._results = json.loads(out)
        out, error = self._results[program]
        assert error is None, f"python {program} failed under PyTorch:\n{out[-2000:]}\n{error}"
        return out


def _numtorch_run(program: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "numtorch.cli", "run", program, *ARGS.get(program, [])]
    try:
        return subprocess.run(
            cmd, cwd=PROGRAMS_DIR, env=_env(), capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, -1, e.stdout or "", f"timed out after {TIMEOUT} s")


def _selected_programs(request) -> list[str]:
    return [
        item.callspec.params["program"]
        for item in request.session.items
        # NOTE: this module's tests only: other modules parametrize a "program" of their own
        if item.module is request.module
        and getattr(item, "callspec", None)
        and "program" in item.callspec.params
    ] or PROGRAMS


@pytest.fixture(scope="module")
def numtorch_outputs(request):
    """``numtorch run`` of each selected program, two at a time, in test order."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    yield {p: pool.submit(_numtorch_run, p) for p in _selected_programs(request)}
    pool.shutdown(cancel_futures=True)  # a run stopped early (-x) leaves the rest unstarted


@pytest.fixture(scope="module")
def torch_outputs(request):
    if oracle.MODE == "replay":
        yield None
        return
    outputs = _TorchOutputs(_selected_programs(request))
    yield outputs
    outputs.close()


def _ulp(token: str) -> float:
    """One unit in the last printed place of ``token``."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def _is_integer(token: str) -> bool:
    return "." not in token and "e" not in token.lower()


def _squeeze(text: str) -> str:
    return "".join(text.split())


def compare_line(ours: str, theirs: str, rtol: float = DEFAULT_RTOL) -> str | None:
    """None when the two lines agree; otherwise why they do not."""
    a_nums, b_nums = NUMBER.findall(ours), NUMBER.findall(theirs)
    a_text, b_text = NUMBER.sub("#", ours), NUMBER.sub("#", theirs)
    if len(a_nums) != len(b_nums):
        return "different count of numbers"
    width_changed = False
    for a, b in zip(a_nums, b_nums):
        if _is_integer(a) and _is_integer(b):
            if a != b:
                return f"{a} vs {b}"
            continue
        if _is_integer(a) != _is_integer(b):
            return f"{a} vs {b} (integer and float)"
        x, y = float(a), float(b)
        tol = max(_ulp(a), _ulp(b)) + rtol * max(abs(x), abs(y))
        if not abs(x - y) <= tol:
            return f"{a} vs {b}"
        width_changed |= len(a) != len(b)
    if a_text != b_text:
        # A number that rounds to one more character (-0.0000 for 0.0000) re-pads its column.
        if not (width_changed and _squeeze(a_text) == _squeeze(b_text)):
            return "the text differs"
    return None


def assert_same_output(ours: str, theirs: str, rtol: float = DEFAULT_RTOL) -> None:
    a_lines, b_lines = ours.splitlines(), theirs.splitlines()
    for i, (a, b) in enumerate(zip(a_lines, b_lines), 1):
        why = compare_line(a, b, rtol)
        if why is not None:
            pytest.fail(f"line {i}: {why}\n  numtorch: {a!r}\n  pytorch:  {b!r}")
    if len(a_lines) != len(b_lines):
        n = min(len(a_lines), len(b_lines))
        extra = (a_lines if len(a_lines) > n else b_lines)[n : n + 3]
        pytest.fail(f"{len(a_lines)} lines from numtorch, {len(b_lines)} from PyTorch: {extra}")


def test_compare_line_is_strict():
    assert compare_line("loss 1.1327e-05 at step 3", "loss 1.1328e-05 at step 3") is None
    assert compare_line("tensor([ 0.0000, 1.5000])", "tensor([-0.0000, 1.5000])") is None
    assert compare_line("loss 1.1327e-05", "loss 1.1427e-05") is not None
    assert compare_line("step 3", "step 4") is not None
    assert compare_line("loss 0.5", "error 0.5") is not None
    assert compare_line("tensor([1, 2])", "tensor([1., 2.])") is not None
    assert compare_line("tensor([1.,  2.])", "tensor([1., 2.])") is not None
    assert compare_line("Linear(in_features=3, out_features=1)", "Linear(3)") is not None
    assert compare_line("conv1.weight", "conv2.weight") is not None


def test_there_are_programs():
    assert len(PROGRAMS) >= 10
    # pytest would import a program named like a test module, and run it under real PyTorch.
    assert not [p for p in PROGRAMS if p.startswith("test_") or p.endswith("_test.py")]


def _params():
    for name in PROGRAMS:
        marks = []
        if name in XFAIL:
            marks.append(pytest.mark.xfail(strict=False, reason=XFAIL[name]))
        yield pytest.param(name, marks=marks, id=name[:-3])


@pytest.mark.parametrize("program", list(_params()))
def test_program_matches_pytorch(program, numtorch_outputs, torch_outputs):
    done = numtorch_outputs[program].result()
    assert done.returncode == 0, (
        f"numtorch run {program} failed (exit {done.returncode}):\n{done.stderr[-3000:]}\n"
        f"last lines printed:\n{done.stdout[-1000:]}"
    )
    ours = done.stdout
    assert ours.strip(), "the program printed nothing"
    theirs = oracle.call(torch_outputs and torch_outputs.get, program)
    assert_same_output(ours, theirs, RTOL.get(program, DEFAULT_RTOL))
