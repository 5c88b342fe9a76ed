"""benchmarks/compile.py's table: the harness's medians and spreads per column, the ratios of
compiled numtorch to PyTorch eager and to the NumPy floor, and both compilers' warm-up."""

import importlib.util
import os

from numtorch.cli import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _script():
    spec = importlib.util.spec_from_file_location("_compile_bench", f"{ROOT}/benchmarks/compile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_ratios_and_warm_up():
    script = _script()
    us = {"numtorch": 90, "numtorch compiled": 40, "PyTorch": 200, "PyTorch inductor": 250}
    us["NumPy floor"] = 20
    by_column = {"unit": "s"}
    for name, value in us.items():
        first = {"numtorch compiled": 0.02, "PyTorch inductor": 14.0}.get(name)
        by_column[name] = [{"value": (value + d) * 1e-6, "first": first} for d in (0, 1, 2)]
    lines = script.table({("step, batch 1", 1): by_column}, harness).splitlines()
    assert lines[0].count("|") == lines[1].count("|") == lines[2].count("|") == 12
    cells = [c.strip() for c in lines[2].split("|")[1:-1]]
    assert cells[:4] == ["step, batch 1", "1", "91.0 us (90.0-92.0)", "41.0 us (40.0-42.0)"]
    assert cells[7:9] == ["0.20", "1.95"] and cells[9] == "1.25"
    assert cells[10] == "20.00 ms (20.00-20.00) / 14.000 s (14.000-14.000)"


def test_cpu_clock_leaves_out_time_spent_waiting(tmp_path):
    path = tmp_path / "sleeping.py"
    path.write_text(
        "import time\n"
        "WORKLOADS = [{'name': 'sleep', 'make': lambda T: (lambda: time.sleep(0.002))}]\n"
    )
    column = [{"name": "floor", "module": None}]
    figures = {}
    for clock in harness.CLOCKS:
        results = harness.measure([str(path)], [1], 1, 0.02, columns=column, clock=clock)
        figures[clock] = results[("sleep", 1)]["floor"][0]["value"]
    assert figures["wall"] >= 0.002 > 4 * figures["cpu"]
