"""Recordings on disk: one ``data/<test module>.npz`` per test module.

The archive holds two members: ``index`` (the JSON of every context's steps, as UTF-8 bytes,
with each array's dtype, shape and place) and ``blob`` (the bytes of all the arrays, one after
another: one compressed stream packs thousands of small arrays far tighter than a member
each). It is written with fixed timestamps and sorted contexts, so that recording twice gives
the same bytes, and read with NumPy alone (no pickle).
"""

from __future__ import annotations

import fcntl
import io
import json
import zipfile
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
LIMIT = 64 * 1024  # bytes of arrays one test may keep: the recordings stay a few MB in all


def data_file(key: str) -> Path:
    """The archive of a context key ``tests/test_x.py::...``."""
    return DATA / (Path(key.split("::")[0]).stem + ".npz")


class Store:
    def __init__(self):
        self._read = {}  # archive -> (index, NpzFile)
        self._written = {}  # archive -> {key: (recording, arrays)}

    def get(self, key: str):
        """The recording of ``key``, with ``array(i)`` loading its arrays; None if absent."""
        path = data_file(key)
        if path not in self._read:
            self._read[path] = _load(path)
        index, blob = self._read[path]
        entry = index.get(key)
        if entry is None:
            return None
        return {**entry, "array": lambda i: _array(blob, entry["a"][i])}

    def has_file(self, key: str) -> bool:
        """Whether the test module of ``key`` was recorded at all (a test missing from a
        recorded module is stale; a module never recorded is not yet covered)."""
        return data_file(key).exists()

    def put(self, key: str, recording, arrays):
        size = sum(a.nbytes for a in arrays or ())
        if size > LIMIT:  # the replay skips the test and says why
            why = f"its PyTorch results ({size / 2**20:.1f} MiB) are too large to keep"
            recording, arrays = {"n": -1, "e": {}, "why": why}, []
        self._written.setdefault(data_file(key), {})[key] = (recording, arrays)

    def pending(self) -> int:
        return sum(len(contexts) for contexts in self._written.values())

    def save(self):
        """Write the recorded contexts into their archives, keeping the other contexts there
        (under a lock: pytest-xdist's workers save side by side)."""
        DATA.mkdir(parents=True, exist_ok=True)
        with open(DATA / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for path, contexts in self._written.items():
                index, blob = _load(path)
                merged = {k: (e, [_array(blob, a) for a in e["a"]]) for k, e in index.items()}
                for key, (recording, arrays) in contexts.items():
                    if recording is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = (recording, arrays)
                if merged:
                    _write(path, merged)
                else:  # a module that no longer calls PyTorch
                    path.unlink(missing_ok=True)
        self._written.clear()


def _array(blob, place):
    dtype, shape, start = place
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(blob, dtype, count, start).reshape(shape).copy()


def _load(path: Path):
    if not path.exists():
        return {}, b""
    with np.load(path, allow_pickle=False) as npz:
        return json.loads(npz["index"].tobytes().decode()), npz["blob"].tobytes()


def _write(path: Path, contexts: dict):
    index, chunks, offset = {}, [], 0
    for key in sorted(contexts):
        recording, arrays = contexts[key]
        places = []
        for a in arrays:
            data = np.ascontiguousarray(a).tobytes()
            places.append([a.dtype.str, list(a.shape), offset])
            chunks.append(data)
            offset += len(data)
        events = {str(k): v for k, v in recording["e"].items()}
        index[key] = {"n": recording["n"], "e": events, "a": places}
        if recording.get("why"):
            index[key]["why"] = recording["why"]
    text = json.dumps(index, separators=(",", ":")).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in (("index", text), ("blob", b"".join(chunks))):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.frombuffer(data, np.uint8), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_LZMA
            zf.writestr(info, buf.getvalue())


STORE = Store()
