"""torch.distributed's key-value stores against PyTorch's, one process: the same operations on
numtorch's and PyTorch's HashStore, FileStore, TCPStore and PrefixStore give the same results
and raise the same exception types. Several processes meeting at one store run under MPI in
``test_distributed.py``."""

from __future__ import annotations

import datetime

import pytest
from helpers import torch

import numtorch.distributed as dist

SHORT = datetime.timedelta(seconds=0.2)

# (method, args): applied in order to a fresh store of each kind
SCRIPT = [
    ("set", ("a", "1")),
    ("get", ("a",)),
    ("set", ("b", b"\x00\xff")),
    ("get", ("b",)),
    ("add", ("n", 3)),
    ("add", ("n", -5)),
    ("get", ("n",)),
    ("compare_set", ("a", "1", "2")),
    ("compare_set", ("a", "x", "3")),
    ("compare_set", ("new", "", "made")),
    ("compare_set", ("absent", "q", "made")),
    ("check", (["a", "b"],)),
    ("check", (["a", "zz"],)),
    ("append", ("l", "ab")),
    ("append", ("l", b"cd")),
    ("get", ("l",)),
    ("multi_set", (["x", "y"], ["1", b"2"])),
    ("multi_get", (["x", "y"],)),
    ("delete_key", ("a",)),
    ("delete_key", ("a",)),
    ("check", (["a"],)),
    ("get", ("missing",)),
    ("wait", (["missing"],)),
    ("wait", (["missing"], datetime.timedelta(seconds=0.1))),
    ("has_extended_api", ()),
    ("add", ("l", 1)),  # last: PyTorch's TCPStore loses its connection here
]
QUEUES = [
    ("queue_push", ("q", "1")),
    ("queue_push", ("q", b"2")),
    ("queue_len", ("q",)),
    ("queue_pop", ("q",)),
    ("queue_pop", ("q", False)),
    ("queue_pop", ("q", False)),
    ("queue_len", ("q",)),
]


def _run(store, script):
    store.set_timeout(SHORT)
    results = []
    for name, args in script:
        try:
            results.append(getattr(store, name)(*args))
        except Exception as err:  # the type is what must match
            results.append(type(err).__name__)
    return results


def _stores(lib, kind, tmp_path):
    if kind == "hash":
        return lib.HashStore()
    if kind == "file":
        return lib.FileStore(str(tmp_path / lib.__name__), 1)
    if kind == "tcp":
        return lib.TCPStore("127.0.0.1", 0, 1, True)
    return lib.PrefixStore("pre", lib.HashStore())


@pytest.mark.parametrize("kind", ["hash", "file", "tcp", "prefix"])
def test_operations_match_pytorch(kind, tmp_path):
    theirs = _run(_stores(torch.distributed, kind, tmp_path), SCRIPT)
    ours = _run(_stores(dist, kind, tmp_path), SCRIPT)
    assert ours == theirs
    if kind != "file":  # PyTorch's FileStore has no queues (numtorch's has)
        assert _run(_stores(dist, kind, tmp_path), QUEUES) == _run(
            _stores(torch.distributed, kind, tmp_path), QUEUES
        )


def test_errors_are_pytorch_s_classes():
    assert issubclass(dist.QueueEmptyError, dist.DistStoreError)
    assert issubclass(dist.DistStoreError, dist.DistError)
    assert issubclass(dist.DistNetworkError, dist.DistError)
    assert issubclass(dist.DistError, RuntimeError)
    with pytest.raises(dist.DistStoreError, match="wait timeout after 200ms, keys: k"):
        store = dist.HashStore()
        store.set_timeout(SHORT)
        store.get("k")


def test_clones_and_prefixes_share_the_table(tmp_path):
    for kind in ["hash", "file", "tcp"]:
        store = _stores(dist, kind, tmp_path)
        store.clone().set("k", "v")
        assert store.get("k") == b"v"
        prefixed = dist.PrefixStore("p", store)
        prefixed.set("k", "w")
        assert store.get("p/k") == b"w" and prefixed.underlying_store is store


def test_tcp_store_port_zero_and_unreachable_server():
    store = dist.TCPStore("127.0.0.1", 0, 1, True)
    assert store.port > 0 and store.host == "127.0.0.1"
    client = dist.TCPStore("127.0.0.1", store.port, timeout=SHORT)
    client.set("from", "client")
    assert store.get("from") == b"client"
    with pytest.raises(dist.DistNetworkError, match="timed out after 200ms"):
        dist.TCPStore("127.0.0.1", 1, timeout=SHORT)
    with pytest.raises(dist.DistStoreError, match="1 of 2 workers joined"):
        dist.TCPStore("127.0.0.1", 0, 2, True, timeout=SHORT)


def test_init_with_a_store_needs_rank_and_world_size():
    with pytest.raises(ValueError, match="world_size must be positive if using store"):
        dist.init_process_group("gloo", store=dist.HashStore())
    with pytest.raises(ValueError, match="rank must be non-negative if using store"):
        dist.init_process_group("gloo", store=dist.HashStore(), world_size=1)
