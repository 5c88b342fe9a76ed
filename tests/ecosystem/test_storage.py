"""Storages: ``untyped_storage()``, ``storage()``, ``UntypedStorage``/``TypedStorage``, as
PyTorch reports them (what safetensors and torchinfo read)."""

from __future__ import annotations

import warnings

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")

VIEWS = [
    lambda x: x,
    lambda x: x[1:, 2:],
    lambda x: x[2],
    lambda x: x.t(),
    lambda x: x.view(-1)[3:7],
    lambda x: x.view(2, 6),
    lambda x: x[:, 1],
]


def _facts(lib, view):
    base = lib.arange(12.0).view(3, 4)
    x = view(base)
    s = x.untyped_storage()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed = x.storage()
    return (
        s.nbytes(),
        s.size(),
        len(s),
        s.element_size(),
        s.__sizeof__(),
        str(s.device),
        s.data_ptr() == base.untyped_storage().data_ptr(),
        x.storage_offset(),
        typed.size(),
        typed.nbytes(),
        typed.element_size(),
        str(typed.dtype),
        typed.tolist()[:5],
        typed.data_ptr() == s.data_ptr(),
        lib.is_storage(s),
        lib.is_storage(typed),
        lib.is_storage(x),
    )


@requires_torch
@pytest.mark.parametrize("index", range(len(VIEWS)))
def test_storage_facts_match(index):
    assert _facts(numtorch, VIEWS[index]) == _facts(torch, VIEWS[index])


@requires_torch
def test_untyped_storage_indexing_construction_and_text():
    for lib in (numtorch, torch):
        x = lib.tensor([1, 2], dtype=lib.int16)
        s = x.untyped_storage()
        assert s[0:2].nbytes() == 2 and s[0] == 1 and s.tolist() == [1, 0, 2, 0]
        assert not hasattr(s, "dtype") and lib.UntypedStorage(5).nbytes() == 5
        assert not s.is_shared() and not s.is_pinned()
    assert repr(numtorch.zeros(2).untyped_storage()) == repr(torch.zeros(2).untyped_storage())


@requires_torch
def test_storage_warns_as_pytorch_once():
    import numtorch.storage as storage

    storage._WARNED[0] = False
    with pytest.warns(UserWarning, match="TypedStorage is deprecated") as got:
        numtorch.zeros(1).storage()
        numtorch.zeros(1).storage()
    assert len(got) == 1
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.zeros(1).storage()
    if theirs:  # PyTorch warns on its first call in the process
        assert str(got[0].message) == str(theirs[0].message)


def test_from_file_reads_and_maps(tmp_path):
    path = tmp_path / "bytes.bin"
    path.write_bytes(bytes(range(10)))
    s = numtorch.UntypedStorage.from_file(str(path), False, 6)
    assert s.tolist() == [0, 1, 2, 3, 4, 5]
    shared = numtorch.UntypedStorage.from_file(str(path), True, 10)
    assert shared[9] == 9 and shared[2:4].tolist() == [2, 3]
    with pytest.raises(RuntimeError, match="unable to read 20 bytes"):
        numtorch.UntypedStorage.from_file(str(path), False, 20)


def test_view_dtype_keyword():
    x = numtorch.tensor([1.0], dtype=numtorch.float32)
    assert x.view(dtype=numtorch.int32).tolist() == [1065353216]
