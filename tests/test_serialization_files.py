"""How ``save`` treats the path it is given and how ``load`` reads its environment, as PyTorch:
through symlinks, into devices and FIFOs, atomically for regular files; the two
``TORCH_FORCE_*WEIGHTS_ONLY_LOAD`` variables with their precedence, warning and texts."""

import io
import os
import pickle
import threading
import warnings
import zipfile

import pytest
from oracle import torch

import numtorch

# NOTE: numtorch reads the files PyTorch writes and PyTorch reads numtorch's: a replay has none
pytestmark = pytest.mark.live_torch("reads and writes files with PyTorch")


class Thing:
    """A user class: refused by a weights-only load."""

    def __init__(self):
        self.value = 3


def test_save_through_a_symlink_writes_its_target(tmp_path):
    for lib in (numtorch, torch):
        target = tmp_path / f"{lib.__name__}-target.pt"
        link = tmp_path / f"{lib.__name__}-link.pt"
        lib.save({"v": lib.zeros(2)}, target)
        link.symlink_to(target.name)
        lib.save({"v": lib.ones(3)}, link)
        assert link.is_symlink(), lib.__name__
        assert numtorch.load(target)["v"].tolist() == [1.0, 1.0, 1.0]


def test_save_to_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.pt"
    link.symlink_to("new.pt")
    numtorch.save([1, 2], link)
    assert link.is_symlink() and numtorch.load(tmp_path / "new.pt") == [1, 2]


def test_save_to_a_device_or_fifo_writes_into_it(tmp_path):
    before = os.stat(os.devnull)
    numtorch.save({"v": numtorch.ones(2)}, os.devnull)
    after = os.stat(os.devnull)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    )
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    numtorch.save({"v": numtorch.arange(4)}, fifo)
    reader.join(timeout=60)
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, not a file that replaced it
    assert numtorch.load(io.BytesIO(received[0]))["v"].tolist() == [0, 1, 2, 3]
    assert torch.load(io.BytesIO(received[0]))["v"].tolist() == [0, 1, 2, 3]
    assert sorted(os.listdir(tmp_path)) == ["pipe"]  # no temporary file left beside it


def test_save_to_a_regular_file_stays_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    numtorch.save([1], path)
    inode = os.stat(path).st_ino
    numtorch.save([2], path)
    assert os.stat(path).st_ino != inode  # a new file renamed over the old one
    assert numtorch.load(path) == [2]


def _loads(lib, data, **kwargs):
    """What ``lib.load`` gives or raises for ``data``, and the texts of its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = lib.load(io.BytesIO(data), **kwargs)
        except Exception as e:  # noqa: BLE001 - the type and text are compared
            out = (type(e), str(e))
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize("force", [None, "TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1", "both"])
@pytest.mark.parametrize("weights_only", [None, True, False])
def test_force_variables_as_pytorch(monkeypatch, force, weights_only):
    buf = io.BytesIO()
    torch.save({"n": 5}, buf)
    data = buf.getvalue()
    if force in ("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "both"):
        monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    if force in ("1", "both"):
        monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "yes")
    mine = _loads(numtorch, data, weights_only=weights_only)
    theirs = _loads(torch, data, weights_only=weights_only)
    assert mine == theirs


def test_force_no_weights_only_loads_a_user_class(monkeypatch):
    buf = io.BytesIO()
    torch.save({"thing": Thing()}, buf)
    data = buf.getvalue()
    mine, their_message = _loads(numtorch, data), _loads(torch, data)
    assert mine[0] == their_message[0]  # refused, with PyTorch's type and text
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    (obj, warned), (ref, their_warned) = _loads(numtorch, data), _loads(torch, data)
    assert obj["thing"].value == ref["thing"].value == 3
    assert warned == their_warned and len(warned) == 1
    assert _loads(numtorch, data, weights_only=True) == _loads(torch, data, weights_only=True)


def _archive(pickled):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickled)
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


@pytest.mark.parametrize(
    "pickled",
    [
        b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.",  # a blocked module
        b"\x80\x02c__main__\nThing\n)\x81.",  # a global outside the allowlist
        b"\x80\x02N}b.",  # BUILD on None: neither, the "file an issue" text
    ],
)
def test_weights_only_refusal_is_pytorchs_text(pickled):
    mine, theirs = _loads(numtorch, _archive(pickled)), _loads(torch, _archive(pickled))
    assert mine[0][0] is theirs[0][0] is pickle.UnpicklingError
    assert "numtorch" not in mine[0][1]
    head = theirs[0][1].split("WeightsUnpickler error")[0].split("\n\n")[0]
    assert mine[0][1].startswith(head)
    assert mine[0][1].endswith(theirs[0][1][-120:])
