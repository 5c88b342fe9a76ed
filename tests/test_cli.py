"""The ``numtorch`` command: run's alias and its one-line error for a missing API, the demo.

Every case runs in a fresh interpreter: ``numtorch run`` rebinds ``torch`` for its process.
"""

import csv
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def numtorch_cmd(*args, cwd, extra_code=None):
    """Run ``numtorch *args`` in ``cwd``; ``extra_code`` (which must import sys) runs first."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, (ROOT, os.environ.get("PYTHONPATH"))))
    )
    env["OMP_NUM_THREADS"] = "1"
    if extra_code is None:
        cmd = [sys.executable, "-m", "numtorch.cli", *args]
    else:  # run ``extra_code`` first, then the command, in the same interpreter
        code = extra_code + "\nfrom numtorch.cli import main\nsys.exit(main(sys.argv[1:]))"
        cmd = [sys.executable, "-c", code, *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def run_program(tmp_path, source, *args):
    (tmp_path / "prog.py").write_text(textwrap.dedent(source))
    return numtorch_cmd("run", "prog.py", *args, cwd=tmp_path)


# --- numtorch run --------------------------------------------------------------------------


def test_run_gives_numtorch_for_torch_and_python_argv(tmp_path):
    done = run_program(
        tmp_path,
        """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader
        from torch import optim
        print(__name__, sys.argv)
        print(torch.__name__, nn.__name__, F.__name__, optim.__name__, DataLoader.__module__)
        print(sys.path[0] == __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
        print(torch.tensor([5.0]) * 3)
        if __name__ == "__main__":
            sys.exit(3)
    """,
        "a",
        "--flag",
        "-x",
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "__main__ ['prog.py', 'a', '--flag', '-x']"
    names = lines[1].split()
    assert names[:4] == ["numtorch", "numtorch.nn", "numtorch.nn.functional", "numtorch.optim"]
    assert names[4] == "torch.utils.data.dataloader"  # PyTorch's qualified name, as under torch
    assert lines[2:] == ["True", "tensor([15.])"]


@pytest.mark.parametrize(
    "source, line, name",
    [
        (
            "import torch\nx = torch.ones(2)\ny = torch.no_such_function(x)\n",
            3,
            "torch.no_such_function",
        ),
        ("import torch\nfrom torch.nn import NoSuchLayer\n", 2, "torch.nn.NoSuchLayer"),
        ("import torch\n\nimport torch.no_such_module\n", 3, "module torch.no_such_module"),
        (
            "import torch\nx = torch.ones(2)\n\ndef f(t):\n    return t.no_such_method()\n\nf(x)\n",
            5,
            "torch.Tensor.no_such_method",
        ),
        (
            "import torch.nn as nn\nlayer = nn.Linear(2, 2)\nlayer.no_such_method()\n",
            3,
            "torch.nn.Linear.no_such_method",
        ),
    ],
)
def test_run_names_a_missing_api_in_one_line(tmp_path, source, line, name):
    (tmp_path / "prog.py").write_text(source)
    done = numtorch_cmd("run", "prog.py", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0] == f"numtorch run: prog.py:{line}: {name} is not provided by numtorch yet"


def test_run_missing_api_in_a_subclass_mentions_both_possibilities(tmp_path):
    done = run_program(
        tmp_path,
        """
        import torch
        class Net(torch.nn.Module):
            pass
        Net().no_such_hook()
    """,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("numtorch run: prog.py:5: 'Net' object has no attribute 'no_such_hook'")
    assert "torch.nn.Module" in line and "numtorch may not provide it yet" in line


def test_run_names_a_missing_sister_package(tmp_path):
    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision is installed")
    done = run_program(
        tmp_path,
        """
        import torch
        from torchvision import datasets
    """,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "numtorch run: prog.py:3: module torchvision is not installed "
        "(numtorch stands in for torch only)"
    )


def test_run_keeps_the_programs_own_errors(tmp_path):
    done = run_program(
        tmp_path,
        """
        import torch
        value = None
        value.strip()
    """,
    )
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "AttributeError: 'NoneType' object has no attribute 'strip'" in done.stderr


def test_run_prints_before_the_error_stay(tmp_path):
    done = run_program(
        tmp_path,
        """
        import torch
        print("before")
        torch.no_such_function()
    """,
    )
    assert done.stdout == "before\n"
    assert "prog.py:4: torch.no_such_function" in done.stderr


def test_run_missing_file(tmp_path):
    done = numtorch_cmd("run", "nothere.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "nothere.py" in done.stderr


def _python(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "prog.py", *args], cwd=tmp_path, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nprint(__file__)\ndef f():\n    raise ValueError('boom')\nf()\n",
        "x = (\n",  # a syntax error: no traceback header at all
        "try:\n    {}['k']\nexcept KeyError as e:\n    raise RuntimeError('again') from e\n",
    ],
)
def test_run_reports_as_python_does(tmp_path, source):
    (tmp_path / "prog.py").write_text(source)
    theirs = _python(tmp_path)
    mine = numtorch_cmd("run", "prog.py", cwd=tmp_path)
    assert (mine.returncode, mine.stdout, mine.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


def test_run_usage_marks_the_programs_arguments_optional(tmp_path):
    done = numtorch_cmd("run", "--help", cwd=tmp_path)
    assert done.stdout.splitlines()[0] == "usage: numtorch run [-h] program [args ...]"
    done = numtorch_cmd("run", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith("the following arguments are required: program")


_WORKERS = """
import sys
import torch
from torch.utils.data import DataLoader, Dataset

class Squares(Dataset):
    def __len__(self):
        return 4
    def __getitem__(self, i):  # runs in the worker: its torch is numtorch too
        return torch.tensor([float(i * i), float(torch.__name__ == "numtorch")])

if __name__ == "__main__":
    loader = DataLoader(Squares(), batch_size=2, num_workers=2, multiprocessing_context=sys.argv[1])
    print([b.tolist() for b in loader])
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_run_dataloader_workers_with_fresh_interpreters(tmp_path, method):
    done = run_program(tmp_path, _WORKERS, method)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[[[0.0, 1.0], [1.0, 1.0]], [[4.0, 1.0], [9.0, 1.0]]]\n"


def test_top_level_usage(tmp_path):
    done = numtorch_cmd("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in ("demo", "run", "inspect", "bench"):
        assert f"  {command}" in done.stdout
    done = numtorch_cmd("frobnicate", cwd=tmp_path)
    assert done.returncode == 2 and "unknown command" in done.stderr


# --- numtorch demo -------------------------------------------------------------------------


def test_demo_help_explains_the_options(tmp_path):
    done = numtorch_cmd("demo", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in (
        "--epochs",
        "--hidden",
        "--lr",
        "--batch-size",
        "--seed",
        "--optimizer",
        "--out",
        "--backend",
    ):
        assert option in done.stdout


_BLOCK_OPTIONAL = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("matplotlib", "tqdm", "graphviz"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, _Block())
import os
os.environ["PATH"] = ""
"""


def _epoch_lines(stdout):
    return [line for line in stdout.splitlines() if line.startswith("epoch")]


def test_demo_one_epoch_writes_its_files(tmp_path):
    done = numtorch_cmd("demo", "--epochs", "1", "--out", "out", "--seed", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (line,) = _epoch_lines(done.stdout)
    assert line.startswith("epoch   1/1  loss ") and "train" in line and "test" in line
    out = tmp_path / "out"
    for name in ("history.csv", "graph.dot", "model.pt"):
        assert (out / name).stat().st_size > 0, name
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and 0 <= float(rows[0]["test_accuracy_percent"]) <= 100
    dot = (out / "graph.dot").read_text()
    for node in ("w1.weight", "w2.weight", "input x", "SigmoidBackward0", "MseLossBackward0"):
        assert node in dot
    import numtorch

    state = numtorch.load(str(out / "model.pt"))
    assert sorted(state) == ["w1.weight", "w2.weight"]
    assert tuple(state["w1.weight"].shape) == (32, 64)
    assert tuple(state["w2.weight"].shape) == (10, 32)

    if importlib.util.find_spec("torch") is not None:  # the checkpoint is PyTorch's format
        import torch

        theirs = torch.load(out / "model.pt")
        assert theirs["w1.weight"].dtype == torch.float32
        assert (theirs["w1.weight"].numpy() == state["w1.weight"].numpy()).all()

    again = numtorch_cmd(
        "demo",
        "--epochs",
        "1",
        "--out",
        "again",
        "--seed",
        "3",
        cwd=tmp_path,
        extra_code=_BLOCK_OPTIONAL,  # the same numbers, with or without the pictures
    )
    assert _epoch_lines(again.stdout) == _epoch_lines(done.stdout)  # deterministic


def test_demo_progress_is_one_bar_readable_in_a_file(tmp_path):
    pytest.importorskip("tqdm")
    done = numtorch_cmd("demo", "--epochs", "3", "--hidden", "8", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr  # stderr is a pipe here: no redraws piled on one line
    bars = [line for line in done.stderr.splitlines() if "batch" in line]
    assert len(bars) == 4, done.stderr  # the start, then one line per epoch
    epochs = _epoch_lines(done.stdout)
    for n, (bar, line) in enumerate(zip(bars[1:], epochs), 1):
        loss = line.split("loss ")[1].split()[0]
        test = line.split("test")[1].split("%")[0].strip()
        assert f" {90 * n}/270 " in bar  # 90 batches of 16 in each epoch of 1,437 digits
        assert f"epoch={n}, loss={loss}," in bar and f"test={test}%" in bar
    assert bars[-1].lstrip().startswith("100%") and bars[0].lstrip().startswith("0%")


def test_demo_without_optional_packages_says_what_it_skipped(tmp_path):
    done = numtorch_cmd(
        "demo",
        "--epochs",
        "1",
        "--hidden",
        "8",
        "--out",
        "out",
        cwd=tmp_path,
        extra_code=_BLOCK_OPTIONAL,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped: curves.png and digits.png (matplotlib not installed)" in done.stdout
    assert "skipped: progress bar (tqdm not installed)" in done.stdout
    (graph,) = [line for line in done.stdout.splitlines() if line.startswith("skipped: graph.png")]
    # pip cannot bring the dot program: the hint names the system packages
    assert "pip cannot install it" in graph
    for how in ("apt install graphviz", "brew install graphviz", "conda install"):
        assert how in graph
    assert sorted(os.listdir(tmp_path / "out")) == ["graph.dot", "history.csv", "model.pt"]


def test_demo_defaults_reach_ninety_percent(tmp_path):
    done = numtorch_cmd("demo", "--out", "out", cwd=tmp_path, extra_code=_BLOCK_OPTIONAL)
    assert done.returncode == 0, done.stderr
    last = _epoch_lines(done.stdout)[-1]
    assert last.startswith("epoch  20/20")
    test_accuracy = float(last.split("test")[1].split("%")[0])
    assert test_accuracy >= 90.0, last


def test_inspect_is_dispatched(tmp_path):
    import numtorch

    numtorch.save({"w": numtorch.zeros(2, 3)}, str(tmp_path / "m.pt"))
    done = numtorch_cmd("inspect", "m.pt", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "w" in done.stdout and "[2, 3]" in done.stdout
