"""``numtorch inspect FILE``: keys, shapes, dtypes, totals; safe on hostile and broken files."""

import os
import zipfile

import pytest

import numtorch
import numtorch.nn as nn
from numtorch.cli.inspect import main


def test_checkpoint_listing(tmp_path, capsys):
    path = tmp_path / "model.pt"
    numtorch.save(
        {
            "model": {"w": nn.Parameter(numtorch.ones(3, 4)), "b": numtorch.zeros(4)},
            "epoch": 7,
            "steps": numtorch.arange(5),
        },
        path,
    )
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "model.w  [3, 4]" in out and "float32 (Parameter)" in out
    assert "model.b  [4]" in out and "steps    [5]" in out and "int64" in out
    assert "epoch    = 7" in out
    assert "3 tensors, 104 bytes" in out
    assert _counts(out) == {"parameters": (16, 2), "buffers": (5, 1), "other tensors": (0, 0)}
    assert f"{os.path.getsize(path):,} bytes on disk" in out


def test_legacy_and_state_dict(tmp_path, capsys):
    path = tmp_path / "legacy.pth"
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    numtorch.save(model.state_dict(), path, _use_new_zipfile_serialization=False)
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "0.weight  [3, 2]" in out and "2.bias    [1]" in out
    assert "4 tensors, 52 bytes" in out and _counts(out)["parameters"] == (13, 4)


def _counts(out):
    """{role: (values, tensors)} from the summary lines."""
    counts = {}
    for line in out.splitlines():
        for role in ("parameters", "buffers", "other tensors"):
            if line.startswith(f"  {role}:"):
                values, rest = line.split(":")[1].split(" values in ")
                counts[role] = (int(values.replace(",", "")), int(rest.split()[0]))
    return counts


try:
    import torch
except ImportError:  # the tests that need PyTorch skip
    torch = None

if torch is not None:

    class TorchNet(torch.nn.Module):
        """Saved whole by ``torch.save(model)``: the pickle names this class."""

        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)
            self.bn = torch.nn.BatchNorm1d(3)
            self.seq = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
            self.register_buffer("mask", torch.ones(2))


needs_torch = pytest.mark.skipif(torch is None, reason="needs PyTorch")


@needs_torch
def test_whole_module_checkpoint_is_listed_without_running_it(tmp_path, capsys):
    model = TorchNet()
    path = tmp_path / "whole.pt"
    torch.save(model, path)  # pickles the test's own class and PyTorch's module classes
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "whole " in out and "Net object" in out
    for name, tensor in model.state_dict().items():
        assert f"{name}  " in out and str(list(tensor.shape)) in out
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    assert _counts(out) == {
        "parameters": (params, len(list(model.parameters()))),
        "buffers": (buffers, len(list(model.buffers()))),
        "other tensors": (0, 0),
    }
    assert "torch.nn.modules.linear.Linear" in out  # named as what a default load refuses


@needs_torch
def test_state_dict_and_optimizer_state_are_told_apart(tmp_path, capsys):
    model = TorchNet()
    opt = torch.optim.Adam(model.parameters())
    model.fc(torch.ones(4)).sum().backward()
    opt.step()
    path = tmp_path / "ckpt.pt"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, path)
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    # a state dict stores parameters and buffers alike: the float buffer "mask" counts as a
    # parameter, the norm layer's running statistics as buffers
    params = sum(p.numel() for p in model.parameters()) + 2
    state = [t for s in opt.state_dict()["state"].values() for t in s.values()]
    assert _counts(out) == {
        "parameters": (params, len(list(model.parameters())) + 1),
        "buffers": (3 + 3 + 1, 3),
        "other tensors": (sum(t.numel() for t in state), len(state)),
    }
    assert "opt.param_groups.0.lr" in out and "epoch" in out


@needs_torch
def test_safetensors_listing_without_the_package(tmp_path, capsys, monkeypatch):
    safetensors = pytest.importorskip("safetensors.torch")
    model = TorchNet()
    path = tmp_path / "m.safetensors"
    safetensors.save_file(model.state_dict(), path, metadata={"format": "pt"})
    import sys

    for name in [m for m in sys.modules if m.split(".")[0] == "safetensors"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Refuse("safetensors"), *sys.meta_path])
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "fc.weight               [3, 4]           float32" in out
    assert "bn.num_batches_tracked  []               int64" in out
    assert "format                  = 'pt'" in out and "10 tensors, 156 bytes" in out
    params = sum(p.numel() for p in model.parameters()) + 2  # with "mask", as above
    assert _counts(out) == {"parameters": (params, 7), "buffers": (7, 3), "other tensors": (0, 0)}


class _Refuse:
    def __init__(self, name):
        self.name = name

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == self.name:
            raise ImportError(f"blocked: {name}")


def test_listing_into_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "many.pt"
    numtorch.save({f"layer{i}.weight": numtorch.zeros(2) for i in range(3000)}, path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    cmd = f"{sys.executable!r} -m numtorch.cli inspect {str(path)!r} | head -n 2"
    done = subprocess.run(cmd, shell=True, env=env, capture_output=True, text=True)
    assert done.stdout.splitlines()[1].startswith("key")
    assert done.stderr == ""


@pytest.mark.parametrize(
    "data, text",
    [
        (b"\x01", "header length"),
        ((40).to_bytes(8, "little") + b"{}", "header length"),
        ((4).to_bytes(8, "little") + b"\xff\xfe{}", "not JSON"),
        ((2).to_bytes(8, "little") + b"[]", "not a JSON object"),
        ((9).to_bytes(8, "little") + b'{"a": {}}', "has no shape"),
    ],
)
def test_broken_safetensors_headers(tmp_path, capsys, data, text):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    assert main([str(path)]) == 1
    assert text in capsys.readouterr().err


def test_hostile_and_broken_files(tmp_path, capsys):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr(
            "archive/data.pkl",
            b"\x80\x02cos\nsystem\nX"
            + len(f"touch {marker}").to_bytes(4, "little")
            + f"touch {marker}".encode()
            + b"\x85R.",
        )
    assert main([str(evil)]) == 0
    assert "os.system" in capsys.readouterr().out and not marker.exists()

    custom = tmp_path / "custom.pt"
    with zipfile.ZipFile(custom, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02cmypkg\nThing\n)\x81.")
    assert main([str(custom)]) == 0
    out = capsys.readouterr().out
    assert "mypkg.Thing object" in out and "refuses (never imported here): mypkg.Thing" in out
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint at all")
    assert main([str(broken)]) == 1
    assert "not a checkpoint" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.pt")]) == 1
