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
    assert "3 tensors, 21 parameters, 104 bytes" in out
    assert f"{os.path.getsize(path):,} bytes on disk" in out


def test_legacy_and_state_dict(tmp_path, capsys):
    path = tmp_path / "legacy.pth"
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    numtorch.save(model.state_dict(), path, _use_new_zipfile_serialization=False)
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "0.weight  [3, 2]" in out and "2.bias    [1]" in out
    assert "4 tensors, 13 parameters, 52 bytes" in out


def test_safetensors_listing(tmp_path, capsys):
    pytest.importorskip("safetensors")
    from numtorch.utils.safetensors import save_file

    path = tmp_path / "m.safetensors"
    save_file(
        {"a": numtorch.ones(2, 3), "n": numtorch.arange(4, dtype=numtorch.int16)},
        path,
        metadata={"format": "pt"},
    )
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "a    [2, 3]" in out and "n    [4]" in out and "int16" in out
    assert "format" in out and "2 tensors, 10 parameters, 32 bytes" in out


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
    assert main([str(evil)]) == 1
    assert "os.system" in capsys.readouterr().err and not marker.exists()

    custom = tmp_path / "custom.pt"
    with zipfile.ZipFile(custom, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02cmypkg\nThing\n)\x81.")
    assert main([str(custom)]) == 1
    assert "['mypkg.Thing']" in capsys.readouterr().err
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint at all")
    assert main([str(broken)]) == 1
    assert "not a checkpoint" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.pt")]) == 1
