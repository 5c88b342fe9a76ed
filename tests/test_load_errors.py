"""``load`` of a file that is no checkpoint, or a damaged one, raises what PyTorch's raises: its
unpickler's error reading the legacy format's first pickle (a KeyError for ``b"hello"``, whose
``h`` reads the memo), "Invalid magic number" where that pickle reads, and its zip reader's
texts for a damaged archive."""

import io
import zipfile

import pytest
from helpers import torch

import numtorch


def _zip(names):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, b"3\n" if name.endswith("version") else b"\x80\x02K\x05.")
    return out.getvalue()


FILES = {
    "text": b"hello world\n",
    "text_dict": b"{'a': 1}",
    "text_list": b"abc",
    "text_unicode": b"Xyz",
    "text_setitems": b"sun",
    "text_comment": b"# comment\n",
    "text_tuple": b"t",
    "empty_list": b"]",
    "a_number": b"K\x05.",
    "protocol_2_list": b"\x80\x02]q\x00.",
    "png": b"\x89PNG\r\n\x1a\n",
    "memoize": b"\x94",
    "persistent_id": b"N\x80\x02Q.",
    "empty": b"",
    "zip_header_only": b"PK\x03\x04" + bytes(40),
    "zip_without_version": _zip(["archive/data.pkl", "archive/byteorder"]),
    "zip_without_pickle": _zip(["archive/version"]),
}


def _outcome(m, data, weights_only):
    try:
        m.load(io.BytesIO(data), weights_only=weights_only)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e)
    return ("ok",)


@pytest.mark.parametrize("weights_only", [True, False], ids=["weights_only", "full"])
@pytest.mark.parametrize("name", list(FILES))
def test_load_error_matches_pytorch(name, weights_only):
    want = _outcome(torch, FILES[name], weights_only)
    assert want[0] != "ok"
    assert _outcome(numtorch, FILES[name], weights_only) == want
