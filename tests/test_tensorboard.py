"""``torch.utils.tensorboard.SummaryWriter``: runs written by numtorch, read back as a user sees
them (the real ``tensorboard`` server's HTTP data API, tensorboard's own event-file reader) and
compared record by record with what PyTorch's writer writes for the same calls."""

from __future__ import annotations

import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("PIL")

from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402

import numtorch  # noqa: E402
from numtorch.utils.tensorboard import SummaryWriter  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _events(run_dir) -> dict:
    """Sub-run folder -> its events, as tensorboard's reader gives them."""
    runs = {}
    for path in sorted(
        glob.glob(os.path.join(run_dir, "**", "events.out.tfevents.*"), recursive=True)
    ):
        rel = os.path.relpath(os.path.dirname(path), run_dir)
        runs.setdefault(rel, []).extend(EventFileLoader(path).Load())
    return runs


def _summaries(run_dir) -> dict:
    """Sub-run folder -> (step, wall_time, summary text) of each summary event."""
    return {
        rel: [(e.step, e.wall_time, str(e.summary)) for e in events if e.HasField("summary")]
        for rel, events in _events(run_dir).items()
    }


def _log_everything(lib, log_dir) -> None:
    """The same calls on numtorch or PyTorch; walltimes fixed so that the records compare."""
    w = lib.utils.tensorboard.SummaryWriter(log_dir)
    for step in range(3):
        w.add_scalar("loss", 1.0 / (step + 1), step, walltime=100.0 + step)
    w.add_scalar("lr", lib.tensor(0.25), 3, walltime=103.0, new_style=True)
    w.add_scalars("acc", {"train": 0.5, "test": 0.25}, 1, walltime=5.0)
    w.add_histogram("w", lib.arange(100, dtype=lib.float32) / 7 - 3, 2, walltime=7.0)
    w.add_histogram("w5", np.arange(10.0), 2, bins=5, walltime=7.0)
    w.add_histogram("w_max", lib.linspace(-1, 1, 50), 2, bins=20, walltime=7.0, max_bins=6)
    w.add_histogram_raw("raw", 0, 4, 5, 10, 30, [1.0, 2.0, 4.0], [1, 2, 2], 2, walltime=7.0)
    w.add_image("img", lib.arange(48, dtype=lib.float32).reshape(3, 4, 4) / 48, 0, walltime=8.0)
    w.add_image("gray", lib.linspace(0, 1, 12).reshape(3, 4), 0, walltime=8.0, dataformats="HW")
    batch = (lib.arange(2 * 3 * 4 * 5) % 255).to(lib.uint8).reshape(2, 3, 4, 5)
    w.add_images("imgs", batch, 0, walltime=8.0)
    w.add_images("nhwc", batch.permute(0, 2, 3, 1), 0, walltime=8.0, dataformats="NHWC")
    w.add_text("note", "hello **world**", 3, walltime=9.0)
    labels = lib.tensor([0, 1, 1, 0, 1, 0, 1, 1])
    scores = lib.tensor([0.1, 0.9, 0.6, 0.4, 0.35, 0.2, 0.8, 0.55])
    w.add_pr_curve("pr", labels, scores, 1, num_thresholds=11, walltime=10.0)
    w.add_pr_curve_raw("pr_raw", *[lib.tensor([3.0, 1.0])] * 6, 1, num_thresholds=2, walltime=10.0)
    w.add_custom_scalars_multilinechart(["loss", "acc/.*"], category="train", title="both")
    w.add_custom_scalars_marginchart(["a", "a_low", "a_high"])
    w.add_audio("beep", lib.sin(lib.arange(800) / 5.0) * 0.5, 2, sample_rate=8000, walltime=11.0)
    w.close()


@pytest.mark.live_torch("PyTorch's SummaryWriter writes the files compared")
def test_event_files_hold_what_pytorch_writes(tmp_path):
    import torch.utils.tensorboard  # noqa: F401

    import numtorch.utils.tensorboard  # noqa: F401

    _log_everything(numtorch, tmp_path / "nt")
    _log_everything(torch, tmp_path / "pt")
    ours, theirs = _summaries(tmp_path / "nt"), _summaries(tmp_path / "pt")
    assert sorted(ours) == [".", "acc_test", "acc_train"]

    def untimed(runs):  # custom scalar layouts take no walltime: they carry the current time
        return {
            run: [(step, None if "custom_scalars" in text else t, text) for step, t, text in rs]
            for run, rs in runs.items()
        }

    assert untimed(ours) == untimed(theirs)


@pytest.mark.live_torch("PyTorch's SummaryWriter writes the files compared")
def test_figures_and_embeddings_match_pytorch(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch.utils.tensorboard

    for lib, name in ((numtorch, "nt"), (torch, "pt")):
        figures = []
        for k in range(2):
            figure = plt.figure(figsize=(2, 1.5), dpi=50)
            plt.plot([0, 1, 2], [k, 2, 1])
            figures.append(figure)
        with lib.utils.tensorboard.SummaryWriter(tmp_path / name) as w:
            w.add_figure("fig", figures[0], 0, walltime=1.0)
            w.add_figure("figs", figures[1:], 1, walltime=1.0)
            mat = lib.arange(12, dtype=lib.float32).reshape(4, 3) / 7
            thumbs = lib.linspace(0, 1, 4 * 3 * 2 * 2).reshape(4, 3, 2, 2)
            w.add_embedding(mat, metadata=["a", "b", "c", "d"], label_img=thumbs, tag="e/1")
            w.add_embedding(mat, [[1, "x"]] * 4, global_step=3, metadata_header=["n", "s"])
    assert _summaries(tmp_path / "nt") == _summaries(tmp_path / "pt")
    ours = sorted(p.relative_to(tmp_path / "nt") for p in (tmp_path / "nt").rglob("*.*"))
    theirs = sorted(p.relative_to(tmp_path / "pt") for p in (tmp_path / "pt").rglob("*.*"))
    ours = [p for p in ours if not p.name.startswith("events.")]
    assert ours == [p for p in theirs if not p.name.startswith("events.")]
    for path in ours:
        assert (tmp_path / "nt" / path).read_bytes() == (tmp_path / "pt" / path).read_bytes()


def test_unsupported_methods_say_what_to_do_instead(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(NotImplementedError, match="add_video is not supported.*add_images"):
            w.add_video("v", numtorch.zeros(1, 2, 3, 4, 4))


def _hparams_plugin_data(run_dir):
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    found = {}
    for event in _events(run_dir)["hp"]:
        for value in event.summary.value:
            if value.metadata.plugin_data.plugin_name == "hparams":
                data = HParamsPluginData.FromString(value.metadata.plugin_data.content)
                found[value.tag] = data
            else:
                found[value.tag] = value.simple_value
    return found


@pytest.mark.live_torch("PyTorch's SummaryWriter writes the files compared")
def test_hparams_match_pytorch(tmp_path):
    import torch.utils.tensorboard

    hparams = {"lr": 0.1, "opt": "sgd", "flag": True, "bs": 32, "none": None}
    metrics = {"hparam/acc": 0.9}
    discrete = {"opt": ["sgd", "adam"]}
    for lib, name in ((numtorch, "nt"), (torch, "pt")):
        with lib.utils.tensorboard.SummaryWriter(tmp_path / name) as w:
            w.add_hparams(hparams, metrics, discrete, run_name="hp", global_step=4)
    assert _hparams_plugin_data(tmp_path / "nt") == _hparams_plugin_data(tmp_path / "pt")


@pytest.mark.live_torch("PyTorch's SummaryWriter runs here")
@pytest.mark.parametrize(
    "call",
    [
        lambda w, T: w.add_scalar("x", T.ones(2)),
        lambda w, T: w.add_hparams([1], {}),
        lambda w, T: w.add_hparams({"a": 1}, {}, {"a": ["x"]}),
        lambda w, T: w.add_hparams({"a": [1]}, {}),
        lambda w, T: w.add_histogram_raw("h", 0, 1, 1, 1, 1, [1.0], [1, 2]),
        lambda w, T: w.add_histogram("h", T.ones(0)),
        lambda w, T: w.add_image("i", T.ones(2, 3), dataformats="CHW"),
        lambda w, T: w.add_image("i", T.ones(2, 3), dataformats="HH"),
        lambda w, T: w.add_scalar("x", "text"),
    ],
)
def test_bad_arguments_raise_as_pytorch(tmp_path, call):
    import torch.utils.tensorboard

    errors = []
    for lib, name in ((numtorch, "nt"), (torch, "pt")):
        with lib.utils.tensorboard.SummaryWriter(tmp_path / name) as w:
            with pytest.raises(Exception) as info:
                call(w, lib)
            errors.append(type(info.value))
    assert errors[0] is errors[1]


def test_default_layout_is_runs_date_host_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", filename_suffix=".v1")
    w.add_scalar("a", 1.0, 0)
    w.close()
    (run,) = os.listdir(tmp_path / "runs")
    assert run.endswith("_" + socket.gethostname() + "_lr0.1")
    assert w.get_logdir() == os.path.join("runs", run)
    (name,) = os.listdir(tmp_path / "runs" / run)
    assert name.startswith("events.out.tfevents.") and name.endswith(".v1")


def test_purge_step_and_reopen_after_close(tmp_path):
    w = SummaryWriter(tmp_path, purge_step=5)
    w.add_scalar("a", 1.0, 5)
    w.close()
    w.add_scalar("a", 2.0, 6)  # a closed writer opens a new file, as PyTorch's does
    w.flush()
    w.close()
    events = _events(tmp_path)["."]
    assert [e.session_log.status for e in events if e.HasField("session_log")] == [1]
    # the reader hands scalars over as tensors, as the scalars plugin stores them
    values = [
        (e.step, e.summary.value[0].tensor.float_val[0]) for e in events if e.HasField("summary")
    ]
    assert values == [(5, 1.0), (6, 2.0)]
    assert len(glob.glob(str(tmp_path / "events.out.tfevents.*"))) == 2


def _graph_def(run_dir):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    (event,) = [
        e
        for e in _events(run_dir)["."]
        if e.HasField("summary") and e.summary.value[0].tag == "__run_graph__"
    ]
    return GraphDef.FromString(event.summary.value[0].tensor.string_val[0])


class _Net:
    """Two linear layers around a ReLU in a nested Sequential, built on either library."""

    @staticmethod
    def build(lib):
        lib.manual_seed(0)
        nn = lib.nn
        return nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)))


@pytest.mark.live_torch("PyTorch's SummaryWriter runs here")
def test_add_graph_groups_ops_by_module_as_pytorch(tmp_path):
    import torch.utils.tensorboard

    for lib, name in ((numtorch, "nt"), (torch, "pt")):
        with lib.utils.tensorboard.SummaryWriter(tmp_path / name) as w:
            w.add_graph(_Net.build(lib), lib.randn(2, 3))
    ours, theirs = _graph_def(tmp_path / "nt"), _graph_def(tmp_path / "pt")

    def op_scopes(graph):
        skip = ("IO Node", "Parameter", "prim::GetAttr")
        return {n.name.rsplit("/", 1)[0] for n in graph.node if n.op not in skip}

    assert op_scopes(ours) == op_scopes(theirs)
    nodes = {n.name: n for n in ours.node}

    def ancestors(name):
        found, pending = set(), [name]
        while pending:
            for source in nodes[pending.pop()].input:
                found.add(source)
                pending.append(source)
        return found

    (first,) = [n for n in ours.node if n.name.startswith("Sequential/Linear[0]/Addmm")]
    assert {"input/input.1", "Sequential/Linear[0]/bias"} <= set(first.input)
    assert "Sequential/Linear[0]/weight" in ancestors(first.name)
    output = nodes["output/output.1"]
    assert nodes[output.input[0]].op == "Addmm"
    assert output.input[0].startswith("Sequential/Sequential[1]/Linear[1]/")
    assert ancestors("output/output.1") == set(nodes) - {"output/output.1"}
    assert output.attr["_output_shapes"].list.shape[0].dim[1].size == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _wait_for_tag(base: str, run: str, tag: str, server, deadline: float) -> None:
    """Polls until the server has loaded ``tag`` of ``run`` (it reads the logdir at start)."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"tensorboard exited: {server.stdout.read()}")
        try:
            if tag in _get_json(base + "/data/plugin/scalars/tags").get(run, {}):
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("tensorboard did not serve the run in time")


def test_real_tensorboard_server_serves_the_scalars(tmp_path):
    with SummaryWriter(tmp_path / "exp1") as w:
        for step in range(5):
            w.add_scalar("loss", 2.0**-step, step)
        w.add_scalars("acc", {"train": 0.75, "test": 0.5}, 4)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(tmp_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_tag(base, "exp1", "loss", server, time.monotonic() + 120)
        runs = _get_json(base + "/data/runs")
        points = _get_json(base + "/data/plugin/scalars/scalars?run=exp1&tag=loss")
        test_acc = _get_json(base + "/data/plugin/scalars/scalars?run=exp1/acc_test&tag=acc")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert set(runs) == {"exp1", "exp1/acc_train", "exp1/acc_test"}
    assert [(step, value) for _, step, value in points] == [(s, 2.0**-s) for s in range(5)]
    assert [(step, value) for _, step, value in test_acc] == [(4, 0.5)]


def _python(code: str) -> subprocess.CompletedProcess:
    """``code`` run by a fresh interpreter that imports this numtorch."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_import_numtorch_leaves_tensorboard_unloaded():
    out = _python(
        "import sys, numtorch, numtorch.utils; "
        "print('tensorboard' in sys.modules); "
        "numtorch.utils.tensorboard.SummaryWriter; print('tensorboard' in sys.modules)"
    )
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_demo_logs_its_training_for_tensorboard(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    cmd = [
        sys.executable,
        "-m",
        "numtorch.cli",
        "demo",
        "--epochs",
        "2",
        "--hidden",
        "8",
        "--out",
        "out",
        "--tensorboard",
        "tb",
    ]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "tensorboard --logdir" in done.stdout
    runs = _summaries(tmp_path / "tb")
    assert sorted(runs) == [".", "accuracy_test", "accuracy_train"]
    loss_steps = [step for step, _, text in runs["."] if 'tag: "loss/train"' in text]
    assert loss_steps == [1, 2]
    tags = {text.split('"')[1] for _, _, text in runs["."]}
    assert {"loss/train", "w1.weight", "w2.weight", "__run_graph__"} <= tags


def test_missing_tensorboard_package_says_how_to_install():
    out = _python(
        "import sys; sys.modules['tensorboard'] = None\n"
        "try:\n    import numtorch.utils.tensorboard\n"
        "except ImportError as e:\n    print(e)\n"
    )
    assert "pip install 'numtorch[tensorboard]'" in out.stdout, out.stderr
