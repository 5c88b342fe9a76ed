"""load is safe by default: a hostile pickle runs nothing, globals need an explicit allowlist,
and a malformed file (bad sizes, offsets, strides, records, truncation) ends in a clear error
without a large allocation. Also: atomic saves. No PyTorch needed."""

import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import numtorch
from numtorch import serialization
from numtorch.serialization._pickler import Pickler


class Evil:
    """Pickles as a call to os.system: what a hostile checkpoint does."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class Config:
    """A plain user class saved in a checkpoint."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def __eq__(self, other):
        return isinstance(other, Config) and other.lr == self.lr


def archive(pickled: bytes, records=None, prefix="archive") -> bytes:
    """A checkpoint zip holding ``pickled`` as data.pkl and the given ``data/<key>`` records."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{prefix}/data.pkl", pickled)
        z.writestr(f"{prefix}/byteorder", b"little")
        z.writestr(f"{prefix}/version", b"3\n")
        for key, data in (records or {}).items():
            z.writestr(f"{prefix}/data/{key}", data)
    return buf.getvalue()


def crafted(
    numel=4,
    offset=0,
    size=(4,),
    stride=(1,),
    storage=("torch", "FloatStorage"),
    record_bytes=16,
    dtype_name=None,
    key="0",
):
    """A checkpoint whose one tensor has the given (possibly inconsistent) description."""
    pickled = Pickler(
        lambda t: (storage, key, "cpu", numel, offset, size, stride, dtype_name)
    ).dumps({"x": numtorch.zeros(1)})
    return archive(pickled, {"0": bytes(record_bytes)})


def load_bytes(data, **kwargs):
    return numtorch.load(io.BytesIO(data), **kwargs)


# --- hostile pickles -------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["zip", "legacy", "protocol4"])
def test_malicious_pickle_runs_nothing(tmp_path, how, monkeypatch):
    marker = tmp_path / "pwned"
    payload = {"weights": [1.0], "evil": Evil(f"touch {marker}")}
    if how == "zip":
        data = archive(pickle.dumps(payload, protocol=2))
    elif how == "protocol4":
        data = archive(pickle.dumps(payload, protocol=4))
    else:  # legacy layout: magic, version, sys info, object, keys
        parts = [0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, payload, []]
        data = b"".join(pickle.dumps(p, protocol=2) for p in parts)
    with pytest.raises(pickle.UnpicklingError) as info:
        load_bytes(data)
    message = str(info.value)
    assert "Weights only load failed" in message
    assert "GLOBAL posix.system" in message or "GLOBAL os.system" in message
    assert "blocked" in message or "add_safe_globals" in message
    assert not marker.exists()
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(pickle.UnpicklingError):
        load_bytes(data, weights_only=False)
    assert not marker.exists()
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD")
    # the same file with weights_only=False does run it: the check above is meaningful
    load_bytes(data, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize(
    "target",
    [
        ("builtins", "eval"),
        ("builtins", "exec"),
        ("builtins", "getattr"),
        ("builtins", "open"),
        ("builtins", "__import__"),
        ("subprocess", "Popen"),
        ("os", "system"),
        ("posix", "system"),
        ("numpy", "load"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("torch", "load"),
        ("__main__", "Anything"),
        ("collections", "namedtuple"),
        ("copyreg", "_reconstructor"),
    ],
)
def test_disallowed_globals_are_refused_by_name(target, tmp_path):
    module, name = target
    pickled = b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"X\x04\x00\x00\x00echo\x85R."
    with pytest.raises(pickle.UnpicklingError, match=f"{name}"):
        load_bytes(archive(pickled))


def test_blocked_modules_stay_blocked_when_allowlisted():
    data = archive(pickle.dumps(Evil("true"), protocol=2))
    with serialization.safe_globals([os.system, (os.system, "posix.system")]):
        with pytest.raises(pickle.UnpicklingError, match="blocked"):
            load_bytes(data)


def test_restricted_opcodes_refuse_misuse():
    # BUILD on a non-allowlisted object, SETITEM on a list, APPEND on a dict, persistent ids that
    # are not storages, a callable that is a Tensor class
    cases = {
        b"\x80\x02]q\x00}b.": "Can only build",
        b"\x80\x02]K\x01K\x02s.": "SETITEM",
        b"\x80\x02}K\x01a.": "append",
        b"\x80\x02X\x04\x00\x00\x00evilQ.": "persistent_load",
        b"\x80\x02(X\x06\x00\x00\x00moduleK\x01tQ.": "storage",
        b"\x80\x02ctorch\nTensor\nK\x05\x85R.": "not allowed",
        b"\x80\x02c__builtin__\nbytearray\nJ\x00\x00\x00\x40\x85R.": "bytearray",
        b"\x80\x02\xff.": "Unsupported operand",
    }
    for pickled, message in cases.items():
        with pytest.raises(pickle.UnpicklingError, match=message):
            load_bytes(archive(pickled))


@pytest.mark.parametrize(
    "pickled, error",
    [
        (b"\x80\x02K\x01", EOFError),  # truncated: PyTorch's unpickler reads past the end
        (b"\x80\x02X\xff\xff\xff\x7f", EOFError),
        (b"\x80\x02h\x07.", KeyError),  # a memo index never stored
        (b"\x80\x02X\x01\x00\x00\x00\xff.", UnicodeDecodeError),
        (b"\x80\x02(K\x01t\x85\x85s.", IndexError),  # SETITEM on a too short stack
    ],
)
def test_damaged_pickles_raise_the_unpicklers_errors(pickled, error):
    """What PyTorch's weights-only unpickler lets through on damaged data, as it is."""
    with pytest.raises(error):
        load_bytes(archive(pickled))


def test_stop_returns_the_top_of_the_stack():
    assert load_bytes(archive(b"\x80\x02K\x01K\x02.")) == 2  # as PyTorch's unpickler


def test_deeply_nested_key_is_refused_not_a_crash():
    depth = 200_000  # hashing this tuple would overflow the C stack
    pickled = b"\x80\x02}N" + b"\x85" * depth + b"K\x01s."
    with pytest.raises(pickle.UnpicklingError, match="nested"):
        load_bytes(archive(pickled))
    deep_list = b"\x80\x02" + b"]" * 100_000 + b"a" * 99_999 + b"."
    assert isinstance(load_bytes(archive(deep_list)), list)


def test_safe_globals_api(tmp_path):
    path = tmp_path / "cfg.pt"
    numtorch.save({"cfg": Config(0.5), "w": numtorch.ones(2)}, path)
    name = f"{Config.__module__}.{Config.__qualname__}"
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {name} was not an allowed"):
        numtorch.load(path)
    assert serialization.get_unsafe_globals_in_checkpoint(path) == [name]
    with serialization.safe_globals([Config]):
        assert serialization.get_unsafe_globals_in_checkpoint(path) == []
        assert numtorch.load(path)["cfg"] == Config(0.5)
    with pytest.raises(pickle.UnpicklingError):
        numtorch.load(path)
    serialization.add_safe_globals([Config])
    try:
        assert Config in serialization.get_safe_globals()
        assert numtorch.load(path)["cfg"] == Config(0.5)
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    assert numtorch.load(path, weights_only=False)["cfg"] == Config(0.5)


def test_whole_modules_need_weights_only_false():
    model = numtorch.nn.Sequential(numtorch.nn.Linear(2, 3), numtorch.nn.ReLU())
    buf = io.BytesIO()
    numtorch.save(model, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="numtorch.nn.modules.container.Sequential"):
        numtorch.load(buf)
    buf.seek(0)
    again = numtorch.load(buf, weights_only=False)
    assert again[0].weight.tolist() == model[0].weight.tolist()


def test_numpy_arrays_need_weights_only_false():
    data = archive(pickle.dumps({"a": np.arange(3)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="_reconstruct"):
        load_bytes(data)
    np.testing.assert_array_equal(load_bytes(data, weights_only=False)["a"], np.arange(3))


def test_pickle_module_defaults_to_a_full_load_as_in_pytorch():
    buf = io.BytesIO()
    numtorch.save([1], buf)
    buf.seek(0)
    assert numtorch.load(buf, pickle_module=pickle) == [1]
    buf.seek(0)
    with pytest.raises(RuntimeError) as info:
        numtorch.load(buf, pickle_module=pickle, weights_only=True)
    assert str(info.value) == (
        "Can not safely load weights when explicit pickle_module is specified"
    )


def test_protocol_4_and_5_pickles_load():
    obj = {"a": [1, 2.5, "x", b"raw", (1, 2)], "b": {3, 4}, "c": frozenset({5})}
    for protocol in (4, 5):  # sets and frozensets have opcodes of their own from protocol 4
        assert load_bytes(archive(pickle.dumps(obj, protocol=protocol))) == obj
    with pytest.raises(pickle.UnpicklingError, match="frozenset"):  # a GLOBAL in protocol 2
        load_bytes(archive(pickle.dumps(obj, protocol=2)))


# --- malformed storages ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"offset": 1}, "Trying to resize storage that is not resizable"),  # PyTorch's text
        ({"size": (5,)}, "Trying to resize storage that is not resizable"),
        ({"stride": (2,)}, "Trying to resize storage that is not resizable"),
        ({"numel": 5}, "holds 16 bytes but 20 are needed"),
        ({"numel": 2**62}, "holds 16 bytes"),
        ({"numel": -1}, "invalid storage reference"),
        ({"offset": -1}, "invalid tensor storage offset"),
        ({"size": (-4,), "stride": (-1,)}, "invalid tensor size"),
        ({"size": (2**70,), "stride": (0,)}, "too many elements"),
        ({"size": (1,) * 100, "stride": (1,) * 100}, "invalid tensor size"),
        ({"size": (2, 2), "stride": (1,)}, "differ in length"),
        ({"size": (2.5,)}, "invalid tensor size"),
        ({"size": "abcd"}, "invalid tensor size"),
        ({"key": "7"}, "failed locating file data/7: file not found"),
        ({"storage": ("torch", "QInt8Storage")}, "qint8"),
        ({"storage": ("torch", "Float8Storage")}, "Float8Storage"),
        (
            {
                "storage": ("torch.storage", "UntypedStorage"),
                "numel": 16,
                "dtype_name": "float4_e2m1fn_x2",
            },
            "float4_e2m1fn_x2",
        ),
        (
            {
                "storage": ("torch.storage", "UntypedStorage"),
                "numel": 15,
                "record_bytes": 15,
                "dtype_name": "float32",
            },
            "cannot hold",
        ),
    ],
)
def test_inconsistent_storage_descriptions(kwargs, message):
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match=message):
        load_bytes(crafted(**kwargs))


def test_truncated_files_fail_cleanly():
    buf = io.BytesIO()
    numtorch.save({"w": numtorch.arange(100.0), "b": [1, 2]}, buf)
    data = buf.getvalue()
    for cut in range(0, len(data), max(1, len(data) // 200)):
        # nothing at all is PyTorch's EOFError
        with pytest.raises((RuntimeError, pickle.UnpicklingError) if cut else EOFError):
            load_bytes(data[:cut])


def test_declared_sizes_beyond_the_file_are_refused():
    data = bytearray(crafted(numel=2**20, size=(2**20,), record_bytes=16))
    # claim the stored record is 4 MiB in the central directory: the file is only ~1 KB
    idx = data.find(b"archive/data/0", data.find(b"PK\x01\x02"))
    cd = data.rfind(b"PK\x01\x02", 0, idx)
    struct.pack_into("<LL", data, cd + 20, 4 << 20, 4 << 20)
    with pytest.raises(RuntimeError, match="invalid header or archive is corrupted"):
        load_bytes(bytes(data))  # PyTorch's zip reader's text


def test_not_a_checkpoint():
    with pytest.raises(EOFError):  # PyTorch's error for an empty file
        load_bytes(b"")
    with pytest.raises(KeyError):  # PyTorch's: "h" reads the memo (test_load_errors.py)
        load_bytes(b"hello world")
    for data in (b"PK\x03\x04garbage", b"\x80\x02\x8a\x0a" + bytes(20)):
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            load_bytes(data)


# --- atomic save -----------------------------------------------------------------------------
def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    numtorch.save({"v": numtorch.ones(3)}, path)
    good = path.read_bytes()
    from numtorch.serialization import _save

    real = _save.ZipWriter.write

    def failing(self, name, *args):
        if name.startswith("data/"):
            raise OSError(28, "No space left on device")
        return real(self, name, *args)

    monkeypatch.setattr(_save.ZipWriter, "write", failing)
    with pytest.raises(OSError, match="No space"):
        numtorch.save({"v": numtorch.zeros(1000)}, path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["model.pt"]


def test_save_keeps_file_mode_and_accepts_file_objects(tmp_path):
    path = tmp_path / "m.pt"
    numtorch.save([1], str(path))
    os.chmod(path, 0o640)
    numtorch.save([2], path)
    assert os.stat(path).st_mode & 0o777 == 0o640 and numtorch.load(path) == [2]
    with open(tmp_path / "f.pt", "wb") as f:
        numtorch.save({"x": numtorch.arange(3)}, f)
    assert numtorch.load(tmp_path / "f.pt")["x"].tolist() == [0, 1, 2]
    with zipfile.ZipFile(tmp_path / "f.pt") as z:
        assert z.namelist()[0] == "archive/data.pkl"


def test_payloads_are_aligned_for_mmap(tmp_path):
    path = tmp_path / "a.pt"
    numtorch.save({"a": numtorch.ones(3), "b": numtorch.arange(5)}, path)
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            start = info.header_offset
            name_len, extra_len = struct.unpack("<HH", raw[start + 26 : start + 30])
            data_at = start + 30 + name_len + extra_len
            assert data_at % 64 == 0
            assert raw[data_at : data_at + info.file_size] == z.read(info)


def test_zip64_records(tmp_path, monkeypatch):
    from numtorch.serialization import _zip

    monkeypatch.setattr(_zip, "ZIP64_LIMIT", 8)
    path = tmp_path / "z.pt"
    obj = {"w": numtorch.arange(50.0), "n": list(range(20))}
    numtorch.save(obj, path)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    out = numtorch.load(path, mmap=True)
    assert out["w"].tolist() == obj["w"].tolist() and out["n"] == obj["n"]
