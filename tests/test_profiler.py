"""profiler and autograd.profiler against PyTorch: the recorded op and range names and call
counts, schedule actions, on_trace_ready cycles, and the refusals of what is not recorded."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from oracle import torch

import numtorch
from numtorch.autograd.function import Primitive

X = np.linspace(-1, 1, 32, dtype=np.float32).reshape(4, 8)


def _profiled_counts(lib):
    lib.manual_seed(0)
    model = lib.nn.Linear(8, 3)
    P = lib.profiler
    with P.profile(activities=[P.ProfilerActivity.CPU], record_shapes=True) as prof:
        with P.record_function("model_inference"):
            for _ in range(2):
                model(lib.tensor(X)).relu().sum()
    return {e.key: e.count for e in prof.key_averages()}, prof


def test_ops_and_ranges_recorded_as_pytorch():
    ours, prof = _profiled_counts(numtorch)
    theirs, _ = _profiled_counts(torch)
    for name in ("model_inference", "aten::addmm", "aten::relu", "aten::sum"):
        assert ours[name] == theirs[name], name
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    header = (
        "Name    Self CPU %      Self CPU   CPU total %     CPU total  CPU time avg    # of Calls"
    )
    assert header in table and "Self CPU time total:" in table
    assert table.splitlines()[3].split()[0] == "model_inference"  # the outermost range
    events = {e.name: e for e in prof.key_averages()}
    outer = events["model_inference"]
    assert outer.cpu_time_total >= sum(
        e.cpu_time_total for n, e in events.items() if n != "model_inference"
    )


def test_nothing_is_timed_outside_a_profile():
    plain = Primitive.__dict__["apply"]
    with numtorch.profiler.profile():
        assert Primitive.__dict__["apply"] is not plain
    assert Primitive.__dict__["apply"] is plain
    with numtorch.profiler.record_function("alone"):  # no profiler: records nowhere
        numtorch.ones(2).sum()


@pytest.mark.parametrize(
    "kw",
    [
        dict(wait=1, warmup=1, active=2, repeat=2, skip_first=1),
        dict(wait=2, warmup=1, active=1, skip_first_wait=1),
    ],
)
@pytest.mark.live_torch("PyTorch's profiler calls back into the test, which a replay cannot run")
def test_schedule_and_trace_cycles_match_pytorch(kw):
    runs = []
    for lib in (numtorch, torch):
        fn = lib.profiler.schedule(**kw)
        actions = [fn(i).name for i in range(14)]
        ready = []
        with lib.profiler.profile(
            schedule=fn, on_trace_ready=lambda p, ready=ready: ready.append(p.step_num)
        ) as p:
            for _ in range(12):
                with lib.profiler.record_function("step"):
                    lib.ones(3).sum()
                p.step()
        runs.append((actions, ready))
    assert runs[0] == runs[1]


def test_schedule_errors_match_pytorch():
    for lib in (numtorch, torch):
        with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
            lib.profiler.schedule(wait=0, warmup=1, active=0)
        with pytest.warns(UserWarning, match="Profiler won't be using warmup"):
            lib.profiler.schedule(wait=0, warmup=0, active=1)


def test_autograd_profiler_and_decorator(tmp_path):
    @numtorch.autograd.profiler.record_function("helper")
    def helper(x):
        return x * 2

    with numtorch.autograd.profiler.profile() as prof:
        helper(numtorch.ones(3)).sum()
    names = [e.name for e in prof.function_events]
    assert names == ["helper", "aten::mul", "aten::sum"]
    assert "helper" in prof.table()
    prof.export_chrome_trace(str(tmp_path / "trace.json"))
    trace = json.loads((tmp_path / "trace.json").read_text())["traceEvents"]
    assert [e["name"] for e in trace] == names
    with numtorch.autograd.profiler.profile(enabled=False) as off:
        numtorch.ones(2).sum()
    assert list(off.function_events) == []


def test_unrecorded_activities_are_refused():
    P = numtorch.profiler
    with pytest.raises(NotImplementedError, match="records CPU times only"):
        P.profile(activities=[P.ProfilerActivity.CPU, P.ProfilerActivity.CUDA])
    with pytest.raises(NotImplementedError, match="profile_memory is not supported"):
        P.profile(profile_memory=True)
    assert [(a.name, a.value) for a in P.ProfilerActivity] == [
        (k, int(v)) for k, v in torch.profiler.ProfilerActivity.__members__.items()
    ]


def test_import_numtorch_leaves_the_profiler_unloaded():
    code = "import numtorch, sys; print('numtorch.profiler' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
