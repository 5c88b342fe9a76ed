"""Fuzzing ``numtorch.load`` with mutated valid checkpoints: every input either loads or ends in an
exception PyTorch's loader raises (RuntimeError, pickle.UnpicklingError, and what its weights-only
unpickler and loader let through on damaged data: EOFError, KeyError, IndexError, struct.error,
UnicodeDecodeError, ValueError, TypeError, AssertionError), never another error type, a crash, a
hang or a huge allocation. test_load_errors.py compares the exceptions with PyTorch's.

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
CLEAR = (RuntimeError, pickle.UnpicklingError, EOFError, KeyError, IndexError, struct.error)
CLEAR += (UnicodeDecodeError, ValueError, TypeError, AssertionError)


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


class Draws:
    """``random.Random``'s calls that ``mutate`` makes, drawn from hypothesis' ``data.draw``."""

    def __init__(self, draw):
        self.draw = draw

    def randint(self, a: int, b: int) -> int:
        return self.draw(st.integers(a, b))

    def choice(self, seq):
        return self.draw(st.sampled_from(seq))

    def randbytes(self, n: int) -> bytes:
        return self.draw(st.binary(min_size=n, max_size=n))


def mutate(data: bytes, rng) -> bytes:
    """``data`` with one to six random edits; ``rng`` is a ``random.Random`` or ``Draws``."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["flip", "byte", "cut", "insert", "delete", "copy", "int"])
        if not data:
            break
        at = rng.randint(0, len(data) - 1)
        if kind == "flip":
            data[at] ^= 1 << rng.randint(0, 7)
        elif kind == "byte":
            data[at] = rng.randint(0, 255)
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = rng.randbytes(rng.randint(1, 8))
        elif kind == "delete":
            del data[at : at + rng.randint(1, 8)]
        elif kind == "copy":
            size = rng.randint(1, 32)
            data[at:at] = data[rng.randint(0, len(data) - 1) :][:size]
        else:  # an interesting integer where a size or offset might be
            value = rng.choice([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF])
            data[at : at + 4] = value.to_bytes(4, "little")
    return bytes(data)


def mutate_pickle(rng) -> bytes:
    """The valid archive with its pickle mutated."""
    return _rezip([(n, mutate(d, rng) if n.endswith("data.pkl") else d) for n, d in _records(ZIP)])


def _check(data: bytes, **kwargs):
    try:
        numtorch.load(io.BytesIO(data), **kwargs)
    except CLEAR as e:
        # PyTorch's EOFError and its loader's assertion on an unknown storage key have none
        assert str(e) or isinstance(e, (EOFError, AssertionError)), "an exception without a message"


@FUZZ
@given(st.data())
def test_fuzz_whole_zip_file(data):
    _check(mutate(ZIP, Draws(data.draw)))


@FUZZ
@given(st.data())
def test_fuzz_pickle_inside_a_valid_zip(data):
    _check(mutate_pickle(Draws(data.draw)))


@FUZZ
@given(st.data())
def test_fuzz_legacy_file(data):
    _check(mutate(LEGACY, Draws(data.draw)))


@FUZZ
@given(st.data())
def test_fuzz_mmap_and_inspect(data):
    mutated = mutate(ZIP, Draws(data.draw))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f.pt")
        with open(path, "wb") as f:
            f.write(mutated)
        _check(mutated)
        try:
            numtorch.load(path, mmap=True)
        except CLEAR as e:
            assert str(e) or isinstance(e, (EOFError, AssertionError))
        from numtorch.cli.inspect import main

        assert main([path]) in (0, 1)


@pytest.mark.parametrize("weights_only", [True])
def test_every_single_byte_truncation_of_the_pickle(weights_only):
    for cut in range(len(PICKLE)):
        records = [(n, d[:cut] if n.endswith("data.pkl") else d) for n, d in _records(ZIP)]
        with pytest.raises(CLEAR):
            numtorch.load(io.BytesIO(_rezip(records)), weights_only=weights_only)
