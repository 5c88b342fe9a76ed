"""Fuzzing ``numtorch.load`` with mutated valid checkpoints: every input either loads or ends in a
clear exception (RuntimeError, pickle.UnpicklingError, or EOFError for an empty file, as in
PyTorch), never another error type, a crash, a hang or a huge allocation.

Each test runs ``NUMTORCH_FUZZ_EXAMPLES`` cases (default 300, a few seconds). The full run:

    NUMTORCH_FUZZ_EXAMPLES=10000 python -m pytest tests/test_serialization_fuzz.py -q
"""

import io
import os
import pickle
import struct
import tempfile
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numtorch
import numtorch.nn as nn

EXAMPLES = int(os.environ.get("NUMTORCH_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=False, suppress_health_check=list(HealthCheck)
)
CLEAR = (RuntimeError, pickle.UnpicklingError, EOFError)
# a file that is neither a zip archive nor a legacy pickle ends in what PyTorch's unpickler
# raises reading its first pickle (test_load_errors.py compares them)
NOT_A_CHECKPOINT = CLEAR + (KeyError, IndexError, struct.error, UnicodeDecodeError)


def _valid_object():
    base = numtorch.arange(24.0)
    return {
        "w": nn.Parameter(numtorch.ones(3, 4)),
        "view": base[2:10],
        "t": base.reshape(4, 6).t(),
        "i": numtorch.arange(5),
        "b": numtorch.tensor([True, False]),
        "zero_d": numtorch.tensor(2.5),
        "empty": numtorch.zeros(0, 3),
        "h": numtorch.ones(2, dtype=numtorch.float16),
        "c": numtorch.ones(2, dtype=numtorch.complex64),
        "u": numtorch.ones(3, dtype=numtorch.uint16),
        "meta": [1, 2.5, "name", None, True, (1, 2), {"k": b"bytes"}, 2**80, {1, 2}, 1 + 1j],
    }


def _zip_file() -> bytes:
    buf = io.BytesIO()
    numtorch.save(_valid_object(), buf)
    return buf.getvalue()


def _records(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _rezip(records) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in records:
            z.writestr(name, data)
    return buf.getvalue()


def _legacy_file() -> bytes:
    buf = io.BytesIO()
    obj = _valid_object()
    del obj["u"]  # the legacy format has no uint16 storages
    numtorch.save(obj, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


ZIP = _zip_file()
PICKLE = dict(_records(ZIP))["archive/data.pkl"]
LEGACY = _legacy_file()


def test_the_corpus_is_valid():
    for data in (ZIP, LEGACY):
        out = numtorch.load(io.BytesIO(data))
        assert out["t"].tolist() == _valid_object()["t"].tolist()
        assert out["meta"] == _valid_object()["meta"]


def _mutate(data: bytes, draw) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "byte", "cut", "insert", "delete", "copy", "int"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "copy":
            size = draw(st.integers(1, 32))
            data[at:at] = data[draw(st.integers(0, len(data) - 1)) :][:size]
        else:  # an interesting integer where a size or offset might be
            value = draw(st.sampled_from([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
            data[at : at + 4] = value.to_bytes(4, "little")
    return bytes(data)


def _check(data: bytes, **kwargs):
    try:
        numtorch.load(io.BytesIO(data), **kwargs)
    except NOT_A_CHECKPOINT as e:
        if not data.startswith((b"PK\x03\x04", b"\x80\x02\x8a\x0a")):
            return
        assert isinstance(e, CLEAR) and str(e), "an exception without a message"


@FUZZ
@given(st.data())
def test_fuzz_whole_zip_file(data):
    _check(_mutate(ZIP, data.draw))


@FUZZ
@given(st.data())
def test_fuzz_pickle_inside_a_valid_zip(data):
    records = [
        (n, _mutate(d, data.draw) if n.endswith("data.pkl") else d) for n, d in _records(ZIP)
    ]
    _check(_rezip(records))


@FUZZ
@given(st.data())
def test_fuzz_legacy_file(data):
    _check(_mutate(LEGACY, data.draw))


@FUZZ
@given(st.data())
def test_fuzz_mmap_and_inspect(data):
    mutated = _mutate(ZIP, data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f.pt")
        with open(path, "wb") as f:
            f.write(mutated)
        _check(mutated)
        try:
            numtorch.load(path, mmap=True)
        except CLEAR as e:
            assert str(e) or (isinstance(e, EOFError) and not mutated)
        from numtorch.cli.inspect import main

        assert main([path]) in (0, 1)


@pytest.mark.parametrize("weights_only", [True])
def test_every_single_byte_truncation_of_the_pickle(weights_only):
    for cut in range(len(PICKLE)):
        records = [(n, d[:cut] if n.endswith("data.pkl") else d) for n, d in _records(ZIP)]
        with pytest.raises(CLEAR):
            numtorch.load(io.BytesIO(_rezip(records)), weights_only=weights_only)
