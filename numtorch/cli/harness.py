"""The benchmark harness: every figure from a child process of its own library.

Each library (a *column*) runs in child processes of its own, never beside another library:
two libraries in one process share BLAS and OpenMP thread pools and the allocator, and the
second one's figures then depend on what the first left running. The children take turns:
each *round* starts one child per column and thread count, in order, and the table reports the
median over the rounds with the spread (min-max). A child imports nothing but its library
(numtorch, PyTorch, or NumPy for the hand-written floor) and the workload files, times each
workload, and prints its figures as JSON.

A *workload* is one entry of a list, a plain dict, in a file that imports no library at its
top (the child loads it by path, so that its library is the only one in the process)::

    {"name": "seed network step, batch {batch}",   # {param} from the grid
     "make": step,              # make(T, **params) -> callable to time; T is the torch-like
                                # module, None for the NumPy floor (return None: no floor)
     "grid": {"batch": [1, 64, 512]},              # optional: one row per combination
     "unit": "MiB",             # optional: for a figure in MiB (default: seconds)
     "compile": True,           # optional: compiled columns wrap the callable in T.compile
     "threads": "all",          # optional: "all" (default) one row per --threads value,
                                # "max" only the largest (work that does not use threads)
     "fresh": False}            # optional: True runs the row in a child of its own (a
                                # process-wide figure, such as peak memory)

``make`` may also return a number instead of a callable: a figure measured its own way (the
seconds of a save). Add a workload by adding an entry to a file's ``WORKLOADS``; add a file by
passing its path to ``run``. ``numtorch bench`` runs numtorch/cli/bench_cases.py; each
benchmarks/*.py runs its own list.

A *column* is one entry of ``COLUMNS``: its header, the module its children import (None: the
NumPy floor), and optionally ``compile``, keyword arguments for ``T.compile`` that the child
applies to the callables of workloads marked ``"compile": True`` (other rows stay empty). A
compiled column also reports each callable's first call, the warm-up. Adding a column is one
entry, e.g. ``{"name": "PyTorch inductor", "module": "torch", "compile": {}}``.

Import time is not a workload: each sample is a fresh interpreter that imports the library,
with bytecode present. Where the installed tree holds bytecode for every module the import
loads (as after ``pip install``), the timed imports read it; where it does not, a first import,
not timed, compiles the library into a temporary ``PYTHONPYCACHEPREFIX`` folder that the timed
imports then read. The installed tree is never written, and the user's
``PYTHONDONTWRITEBYTECODE`` stays set (only that first import overrides it, inside the
temporary folder).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

COLUMNS = [
    {"name": "numtorch", "module": "numtorch"},
    {"name": "PyTorch", "module": "torch"},
    {"name": "NumPy floor", "module": None},
]

# How a child times its loops: wall-clock seconds (the default), or the CPU seconds of its
# process, which other processes on a busy machine do not inflate (with one thread each,
# every library computes in the calling thread; with more, the pools' spinning counts too).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# What a child runs: this file, loaded by path, so that no package (numtorch's included) is
# imported before the child imports its library; bytecode is never written from a child.
_CHILD = (
    "import sys; sys.dont_write_bytecode = True; import importlib.util as u; "
    "s = u.spec_from_file_location('_bench_harness', sys.argv[1]); m = u.module_from_spec(s); "
    "s.loader.exec_module(m); m.child_main()"
)


def expand(files: list[str], only: str | None = None) -> list[dict]:
    """The rows of the workload files: one per grid combination, with its file and index
    (those whose label contains ``only``, when given)."""
    rows = []
    for path in files:
        for index, entry in enumerate(_load(path).WORKLOADS):
            grid = entry.get("grid") or {}
            combos = [{}]
            for key, values in grid.items():
                combos = [{**c, key: v} for c in combos for v in values]
            for params in combos:
                label = entry["name"].format(**params)
                if only and only not in label:
                    continue
                rows.append(
                    {
                        "file": os.path.abspath(path),
                        "index": index,
                        "params": params,
                        "label": label,
                        "unit": entry.get("unit", "s"),
                        "threads": entry.get("threads", "all"),
                        "fresh": entry.get("fresh", False),
                    }
                )
    return rows


def _load(path: str):
    import importlib.util

    name = "_bench_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child_env(threads: int) -> dict:
    """The environment of a child: the user's, with the thread count set for every library."""
    return dict(os.environ, **{v: str(threads) for v in _THREAD_VARS})


def _run_child(column: dict, threads: int, rows: list, min_time: float, clock: str) -> list:
    job = {"column": column, "threads": threads, "rows": rows, "min_time": min_time}
    job["clock"] = clock
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, os.path.abspath(__file__)],
        input=json.dumps(job),
        env=child_env(threads),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        print(f"  {column['name']} child failed: {lines[-1]}", file=sys.stderr)
        return [None] * len(rows)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(
    files, threads: list[int], rounds: int, min_time: float, only=None, columns=None, clock="wall"
):
    """{(row label, threads): {column name: [samples]}} over ``rounds`` alternations; the
    children time with ``clock`` (see ``CLOCKS``)."""
    columns = COLUMNS if columns is None else columns
    rows = expand(files, only)
    top = max(threads)
    results = {}
    for r in range(rounds):
        print(f"  round {r + 1}/{rounds}", file=sys.stderr, flush=True)
        for n in threads:
            mine = [row for row in rows if row["threads"] == "all" or n == top]
            batches = [[row for row in mine if not row["fresh"]]]
            batches += [[row] for row in mine if row["fresh"]]
            for column in columns:
                for batch in batches:
                    for row, out in zip(batch, _run_child(column, n, batch, min_time, clock)):
                        cell = results.setdefault((row["label"], n), {"unit": row["unit"]})
                        cell.setdefault(column["name"], []).append(out)
    return results


# --- in the child --------------------------------------------------------------------------


def _library(module: str | None, threads: int):
    if module is None:
        return None
    import importlib

    T = importlib.import_module(module)
    for sub in ("nn", "optim", "utils.data"):
        importlib.import_module(f"{module}.{sub}")
    if hasattr(T, "set_num_threads"):
        T.set_num_threads(threads)
    return T


def _per_call(fn, min_time: float, clock=time.perf_counter) -> float:
    """Seconds per call of ``fn``: warmed up for ``min_time``, then timed over a loop that
    takes about ``min_time``."""
    n, spent, start = 0, 0.0, clock()
    while spent < min_time or n < 3:
        fn()
        n += 1
        spent = clock() - start
    loops = max(1, int(n * min_time / spent))
    start = clock()
    for _ in range(loops):
        fn()
    return (clock() - start) / loops


def _figure(T, column: dict, row: dict, modules: dict, min_time: float, clock) -> dict | None:
    if row["file"] not in modules:
        modules[row["file"]] = _load(row["file"])
    entry = modules[row["file"]].WORKLOADS[row["index"]]
    if "compile" in column and not entry.get("compile"):
        return None
    made = entry["make"](T, **row["params"])
    if made is None or isinstance(made, (int, float)):
        return None if made is None else {"value": float(made)}
    first = None
    if "compile" in column:
        made = T.compile(made, **column["compile"])
        start = time.perf_counter()
        made()
        first = time.perf_counter() - start
    return {"value": _per_call(made, min_time, clock), "first": first}


def child_main() -> None:
    """A child's work: read the job from stdin, print one JSON list of figures."""
    job = json.loads(sys.stdin.read())
    T = _library(job["column"]["module"], job["threads"])
    modules, out = {}, []
    for row in job["rows"]:
        try:
            clock = CLOCKS[job.get("clock", "wall")]
            out.append(_figure(T, job["column"], row, modules, job["min_time"], clock))
        except Exception as e:  # noqa: BLE001 - reported, and the other rows go on
            print(f"{row['label']}: {type(e).__name__}: {e}", file=sys.stderr)
            out.append(None)
    sys.stdout.flush()
    print(json.dumps(out))


# --- import time ---------------------------------------------------------------------------

_IMPORT = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"

# Counts the library's modules that have no cached bytecode beside their source.
_MISSING = (
    "import sys; sys.dont_write_bytecode = True; import importlib.util as u, os; import {0}; "
    "root = os.path.dirname({0}.__file__) + os.sep; "
    "print(sum(1 for m in list(sys.modules.values()) if (getattr(m, '__file__', None) or '')"
    ".startswith(root) and m.__file__.endswith('.py') "
    "and not os.path.exists(u.cache_from_source(m.__file__))))"
)


def _import_env(module: str, cache: str) -> dict:
    """The environment that imports ``module`` from bytecode: the installed tree's where it
    has it all, else a temporary PYTHONPYCACHEPREFIX that a first, untimed import fills."""
    done = subprocess.run(
        [sys.executable, "-c", _MISSING.format(module)], capture_output=True, text=True
    )
    if done.returncode == 0 and done.stdout.strip() == "0":
        return dict(os.environ)
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
    warm = f"import sys; sys.dont_write_bytecode = False; import {module}"
    subprocess.run([sys.executable, "-c", warm], env=env, check=True)
    return env


def import_times(columns, rounds: int) -> dict:
    """{column name: [seconds]}: each a fresh interpreter importing the column's library
    from bytecode (see ``_import_env``)."""
    names = {c["name"]: c["module"] or "numpy" for c in columns if "compile" not in c}
    out = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as cache:
        envs = {module: _import_env(module, cache) for module in set(names.values())}
        for _ in range(rounds):
            for name, module in names.items():
                done = subprocess.run(
                    [sys.executable, "-c", _IMPORT.format(module)],
                    env=envs[module],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                out[name].append(float(done.stdout))
    return out


# --- the table -----------------------------------------------------------------------------


def _scale(value: float, unit: str) -> tuple[float, str, int]:
    """(factor, unit name, decimals) that suit ``value`` (seconds, or MiB)."""
    if unit == "MiB":
        return 1, "MiB", 0
    if value < 1e-3:
        return 1e6, "us", 1
    return (1e3, "ms", 2) if value < 1 else (1, "s", 3)


def _cell(samples: list, unit: str, key: str = "value") -> tuple[str, float | None]:
    """The median with (min-max) in one unit, and the median itself."""
    values = [s[key] for s in samples if s and s.get(key) is not None]
    if not values:
        return "-", None
    mid = statistics.median(values)
    factor, name, digits = _scale(mid, unit)
    text = f"{mid * factor:.{digits}f} {name}"
    if len(values) > 1:
        text += f" ({min(values) * factor:.{digits}f}-{max(values) * factor:.{digits}f})"
    return text, mid


def render(results: dict, columns=None, imports: dict | None = None) -> str:
    """A Markdown table: per column the median and (min-max), and numtorch / PyTorch."""
    columns = COLUMNS if columns is None else columns
    names = [c["name"] for c in columns]
    head = "| workload | threads | " + " | ".join(names) + " | numtorch/PyTorch |"
    lines = [head, "|---|---:|" + "---:|" * (len(names) + 1)]
    if imports:
        cells = {n: _cell([{"value": v} for v in imports.get(n, [])], "s") for n in names}
        lines.append(_line("import", "", cells, names))
    for (label, threads), by_column in results.items():
        unit = by_column["unit"]
        cells = {n: _cell(by_column.get(n, []), unit) for n in names}
        lines.append(_line(label, threads, cells, names))
        for c in columns:
            if "compile" in c and any(s and s.get("first") for s in by_column.get(c["name"], [])):
                first = _cell(by_column[c["name"]], "s", "first")[0]
                lines.append(f"| {label}: {c['name']} first call | {threads} | {first} |")
    return "\n".join(lines)


def _line(label, threads, cells: dict, names: list) -> str:
    mine, theirs = cells.get("numtorch", ("-", None))[1], cells.get("PyTorch", ("-", None))[1]
    ratio = f"{mine / theirs:.2f}" if mine and theirs else "-"
    return f"| {label} | {threads} | " + " | ".join(cells[n][0] for n in names) + f" | {ratio} |"


def header(threads: list[int], rounds: int) -> str:
    """What the figures are: versions, machine, how they were taken."""
    import platform

    return (
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; "
        f"threads {', '.join(map(str, threads))}; median (min-max) of {rounds} rounds, each "
        "library in child processes of its own, the libraries taking turns"
    )


def run(
    files, threads: list[int], rounds: int, min_time: float, imports=False, only=None, clock="wall"
):
    """Measure the workloads of ``files`` and return the whole report as text."""
    results = measure(files, threads, rounds, min_time, only, clock=clock)
    times = import_times(COLUMNS, rounds) if imports else None
    note = "" if clock == "wall" else "; CPU time of each child process"
    return header(threads, rounds) + note + "\n\n" + render(results, COLUMNS, times)


def add_arguments(parser, rounds: int = 5, min_time: float = 0.1) -> None:
    """The harness's options, for ``numtorch bench`` and the benchmarks/*.py scripts."""
    cores = os.cpu_count() or 1
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=sorted({1, min(cores, 2)}),
        help="thread counts to measure at, for every library alike (default: 1 and 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=rounds,
        help="alternations of the libraries' child processes; medians and spreads over them",
    )
    parser.add_argument(
        "--min-time",
        type=float,
        default=min_time,
        help="seconds each timing loop (and its warm-up) takes in a child",
    )
    parser.add_argument("--only", help="measure only the rows whose name contains this text")
    parser.add_argument(
        "--clock",
        choices=list(CLOCKS),
        default="wall",
        help="time the loops in wall-clock seconds, or in the CPU seconds of each child "
        "(steadier on a busy machine)",
    )


def script_main(path: str, argv=None) -> int:
    """``main`` of a benchmarks/*.py file: its module docstring's first paragraph is the
    description, its ``WORKLOADS`` the rows."""
    import argparse

    doc = (_load(path).__doc__ or "").split("\n\n")[0]
    parser = argparse.ArgumentParser(description=doc)
    add_arguments(parser)
    args = parser.parse_args(argv)
    print(run([path], args.threads, args.rounds, args.min_time, only=args.only, clock=args.clock))
    return 0
