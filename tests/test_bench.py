"""The benchmark harness: each library alone in its own child processes, taking turns; the
user's environment kept; nothing written into the tree; the table's medians and spreads."""

import os
import subprocess
import sys
import textwrap

import pytest

from numtorch.cli import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each figure reports something about the child that ran it, as a number.
WORKLOADS = textwrap.dedent(
    """
    import os, sys
    import numpy as np

    def probe(T, what):
        if what == "pid":
            return float(os.getpid())
        if what == "torch":  # a foreign library in this process
            other = "torch" if T is None or T.__name__ == "numtorch" else "numtorch"
            return float(other in sys.modules)
        if what == "dont_write":
            return float(os.environ.get("PYTHONDONTWRITEBYTECODE") == "1")
        if what == "threads":
            return float(os.environ["OPENBLAS_NUM_THREADS"])
        return lambda: np.add(1.0, 2.0)

    WORKLOADS = [
        {"name": "probe {what}", "make": probe,
         "grid": {"what": ["pid", "torch", "dont_write", "threads", "time"]}},
        {"name": "fresh pid", "make": lambda T: float(os.getpid()), "fresh": True,
         "threads": "max"},
        {"name": "compiled only", "make": lambda T: (lambda: None), "compile": True},
    ]
    """
)
COLUMNS = [
    {"name": "numtorch", "module": "numtorch"},
    {"name": "NumPy floor", "module": None},
    {"name": "numtorch compiled", "module": "numtorch", "compile": {}},
]


@pytest.fixture
def cases(tmp_path, monkeypatch):
    path = tmp_path / "cases.py"
    path.write_text(WORKLOADS)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, (ROOT, os.environ.get("PYTHONPATH"))))
    )
    return str(path)


def _values(results, label, threads, column):
    return [s["value"] for s in results[(label, threads)][column]]


def test_each_figure_from_a_child_of_its_own_library(cases, tmp_path):
    results = harness.measure([cases], [1, 2], 2, 0.001, columns=COLUMNS)
    pids = [p for c in ("numtorch", "NumPy floor") for p in _values(results, "probe pid", 1, c)]
    pids += [p for c in ("numtorch", "NumPy floor") for p in _values(results, "probe pid", 2, c)]
    assert len(set(pids)) == 8 and os.getpid() not in pids  # a child per library, round, threads
    fresh = _values(results, "fresh pid", 2, "numtorch")
    assert not set(fresh) & set(pids)  # "fresh" rows get children of their own
    assert ("fresh pid", 1) not in results  # "threads": "max" measures at the largest only
    for column in ("numtorch", "NumPy floor"):
        assert _values(results, "probe torch", 1, column) == [0.0, 0.0]
        assert _values(results, "probe dont_write", 1, column) == [1.0, 1.0]  # the user's, kept
        assert _values(results, "probe threads", 2, column) == [2.0, 2.0]
        assert all(0 < t < 0.01 for t in _values(results, "probe time", 1, column))
    # a compiled column times the rows marked "compile" only, and reports the first call
    assert results[("probe time", 1)]["numtorch compiled"] == [None, None]
    compiled = results[("compiled only", 1)]["numtorch compiled"]
    assert all(s["value"] > 0 and s["first"] > 0 for s in compiled)
    assert all(s["value"] > 0 for s in results[("compiled only", 1)]["numtorch"])
    assert not (tmp_path / "__pycache__").exists()  # the workload file's bytecode not written


def test_table_gives_median_and_spread():
    results = {
        ("step", 1): {
            "unit": "s",
            "numtorch": [{"value": v} for v in (3e-6, 1e-6, 2e-6)],
            "PyTorch": [{"value": v} for v in (4e-6, 4e-6, 5e-6)],
        },
        ("memory", 2): {"unit": "MiB", "numtorch": [{"value": 50.0}], "PyTorch": [None]},
    }
    table = harness.render(results, [{"name": "numtorch"}, {"name": "PyTorch"}]).splitlines()
    assert table[2] == "| step | 1 | 2.0 us (1.0-3.0) | 4.0 us (4.0-5.0) | 0.50 |"
    assert table[3] == "| memory | 2 | 50 MiB | - | - |"


def test_import_time_reads_bytecode_without_writing_the_tree(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    package = tmp_path / "pkg_never_compiled"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    times = harness.import_times([{"name": "pkg", "module": "pkg_never_compiled"}], 2)
    assert len(times["pkg"]) == 2 and all(0 < t < 5 for t in times["pkg"])
    assert not (package / "__pycache__").exists()


def test_bench_help_is_plain_text():
    env = dict(os.environ, PYTHONPATH=ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "numtorch.cli", "bench", "--help"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0
    assert "``" not in done.stdout and "child process" in done.stdout
    assert "--threads" in done.stdout and "--rounds" in done.stdout


def test_script_clock_cpu_times_the_children_in_cpu_seconds(tmp_path, monkeypatch, capsys):
    path = tmp_path / "sleepy.py"
    path.write_text(
        '"""Sleeps."""\nimport time\n\n'
        'WORKLOADS = [{"name": "sleep", "make": lambda T: (lambda: time.sleep(0.001))}]\n'
    )
    monkeypatch.setattr(harness, "COLUMNS", [{"name": "NumPy floor", "module": None}])
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, (ROOT, os.environ.get("PYTHONPATH"))))
    )
    argv = ["--threads", "1", "--rounds", "1", "--min-time", "0.001", "--clock", "cpu"]
    harness.script_main(str(path), argv)
    out = capsys.readouterr().out
    assert "CPU time of each child process" in out
    row = next(line for line in out.splitlines() if line.startswith("| sleep"))
    assert " us" in row  # a millisecond asleep per call, microseconds of CPU
