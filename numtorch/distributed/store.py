"""Key-value stores: ``HashStore`` (one process), ``FileStore`` (a file on a shared disk),
``TCPStore`` (a server in the master process) and ``PrefixStore``, with PyTorch's ``Store`` API.

numtorch's ranks find each other through MPI, so no process group needs a store; programs use
stores directly too, to hand each other small values (``set``/``get``/``add``/``wait``). Keys
are strings, values bytes (a ``str`` value is stored as its UTF-8). Every store applies one
operation at a time to a table (``_Table``); the three kinds differ only in where that table
lives. ``get``, ``wait`` and a blocking ``queue_pop`` poll until the keys exist or the store's
timeout passes (``DistStoreError``).

``TCPStore`` serves its table with the standard library's XML-RPC, which carries only plain
data (no pickle). As in PyTorch, anyone who can reach its port can read and write it: bind it to
a host name that only the job's machines reach.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import threading
import time

__all__ = [
    "DistError",
    "DistNetworkError",
    "DistStoreError",
    "FileStore",
    "HashStore",
    "PrefixStore",
    "QueueEmptyError",
    "Store",
    "TCPStore",
]

_DEFAULT_TIMEOUT = datetime.timedelta(seconds=300)


class DistError(RuntimeError):
    """An error of torch.distributed."""


class DistStoreError(DistError):
    """A store operation failed (a key did not appear within the timeout)."""


class DistNetworkError(DistError):
    """A store could not reach its server."""


class QueueEmptyError(DistStoreError):
    """``queue_pop(key, block=False)`` on an empty queue."""


def _bytes(value) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


class _Table:
    """The state of a store and the operations on it, each applied whole under one lock."""

    def __init__(self, data: dict | None = None, queues: dict | None = None):
        self.data, self.queues, self.lock = data or {}, queues or {}, threading.Lock()

    def apply(self, op: str, *args):
        with self.lock:
            return getattr(self, "_" + op)(*args)

    def _set(self, key, value):
        self.data[key] = value

    def _get(self, key):
        return self.data.get(key)

    def _add(self, key, amount):
        try:
            total = int(self.data.get(key, b"0")) + int(amount)
        except ValueError:
            raise ValueError(f"Store.add: the value of key {key!r} is not an integer") from None
        self.data[key] = str(total).encode()
        return str(total)  # as text: XML-RPC's integers stop at 32 bits

    def _compare_set(self, key, expected, desired):
        if key not in self.data:
            if expected:
                return expected
        elif self.data[key] != expected:
            return self.data[key]
        self.data[key] = desired
        return desired

    def _check(self, keys):
        return all(k in self.data for k in keys)

    def _delete_key(self, key):
        return self.data.pop(key, None) is not None

    def _num_keys(self):
        return len(self.data)

    def _list_keys(self):
        return list(self.data)

    def _append(self, key, value):
        self.data[key] = self.data.get(key, b"") + value

    def _multi_get(self, keys):
        return [self.data[k] for k in keys] if self._check(keys) else None

    def _multi_set(self, keys, values):
        self.data.update(zip(keys, values))

    def _queue_push(self, key, value):
        self.queues.setdefault(key, []).append(value)

    def _queue_pop(self, key):
        queue = self.queues.get(key)
        return queue.pop(0) if queue else None

    def _at_least(self, key, count):
        return True if int(self.data.get(key, b"0")) >= count else None

    def _queue_len(self, key):
        return len(self.queues.get(key, ()))


class Store:
    """What every store offers; subclasses say where the table lives (``_apply``)."""

    def __init__(self, timeout: datetime.timedelta = _DEFAULT_TIMEOUT):
        self._timeout = timeout

    def _apply(self, op: str, *args):
        raise NotImplementedError(f"{type(self).__name__} keeps no table of its own")

    @property
    def timeout(self) -> datetime.timedelta:
        return self._timeout

    def set_timeout(self, timeout: datetime.timedelta) -> None:
        self._timeout = timeout

    def set(self, key: str, value) -> None:
        self._apply("set", key, _bytes(value))

    def get(self, key: str) -> bytes:
        """The value of ``key``, waiting (up to the timeout) until some process sets it."""
        return self._poll("get", [key], key)

    def add(self, key: str, amount: int) -> int:
        """Add ``amount`` to the integer stored at ``key`` (0 when missing); the new value."""
        return int(self._apply("add", key, int(amount)))

    def compare_set(self, key: str, expected_value, desired_value) -> bytes:
        """Set ``key`` to ``desired_value`` if it holds ``expected_value`` (or is missing and
        ``expected_value`` is empty); the value it holds afterwards."""
        return bytes(self._apply("compare_set", key, _bytes(expected_value), _bytes(desired_value)))

    def wait(self, keys: list, timeout: datetime.timedelta | None = None) -> None:
        """Wait until every key of ``keys`` is set (``DistStoreError`` after the timeout)."""
        self._poll("check", list(keys), list(keys), timeout=timeout)

    def check(self, keys: list) -> bool:
        return bool(self._apply("check", list(keys)))

    def delete_key(self, key: str) -> bool:
        return bool(self._apply("delete_key", key))

    def num_keys(self) -> int:
        return int(self._apply("num_keys"))

    def list_keys(self) -> list:
        return list(self._apply("list_keys"))

    def append(self, key: str, value) -> None:
        self._apply("append", key, _bytes(value))

    def multi_get(self, keys: list) -> list:
        return [bytes(v) for v in self._poll("multi_get", list(keys), list(keys))]

    def multi_set(self, keys: list, values: list) -> None:
        self._apply("multi_set", list(keys), [_bytes(v) for v in values])

    def queue_push(self, key: str, value) -> None:
        self._apply("queue_push", key, _bytes(value))

    def queue_pop(self, key: str, block: bool = True) -> bytes:
        if block:
            return self._poll("queue_pop", [key], key)
        value = self._apply("queue_pop", key)
        if value is None:
            raise QueueEmptyError("queue is empty")
        return bytes(value)

    def queue_len(self, key: str) -> int:
        return int(self._apply("queue_len", key))

    def has_extended_api(self) -> bool:
        return True

    def _poll(self, op: str, keys: list, *args, timeout=None):
        """Apply ``op`` until it gives a value (True or not None), sleeping a little longer
        each time, or raise after ``timeout`` (the store's by default)."""
        seconds = (timeout or self._timeout).total_seconds()
        deadline, pause = time.monotonic() + seconds, 1e-4
        while True:
            found = self._apply(op, *args)
            if found is not None and found is not False:
                return found
            if time.monotonic() > deadline:
                raise self._timeout_error(op, keys, seconds * 1000)
            time.sleep(pause)
            pause = min(2 * pause, 0.05)

    def _timeout_error(self, op: str, keys: list, ms: float) -> Exception:
        return DistStoreError(f"wait timeout after {ms:.0f}ms, keys: {', '.join(keys)}")


class HashStore(Store):
    """A store in this process's memory, shared by its threads (and by its ``clone``s)."""

    def __init__(self):
        super().__init__()
        self._table = _Table()

    def _apply(self, op: str, *args):
        return self._table.apply(op, *args)

    def clone(self) -> HashStore:
        twin = HashStore()
        twin._table, twin._timeout = self._table, self._timeout
        return twin


class PrefixStore(Store):
    """``store`` seen through ``prefix``: key ``k`` here is ``prefix/k`` there."""

    def __init__(self, prefix: str, store: Store):
        super().__init__(store.timeout)
        self._prefix, self.underlying_store = prefix, store

    def _key(self, key):
        return f"{self._prefix}/{key}"

    def _apply(self, op: str, *args):
        if op in ("check", "multi_get", "multi_set"):
            args = ([self._key(k) for k in args[0]], *args[1:])
        elif args:
            args = (self._key(args[0]), *args[1:])
        return self.underlying_store._apply(op, *args)

    def clone(self) -> PrefixStore:
        return PrefixStore(self._prefix, self.underlying_store.clone())


class FileStore(Store):
    """A store in the file ``file_name`` (on a disk every process reaches), locked per
    operation. The file stays after the job: delete it before reusing the name."""

    _READ_ONLY = frozenset({"get", "check", "num_keys", "list_keys", "multi_get", "queue_len"})

    def __init__(self, file_name: str, world_size: int = -1):
        super().__init__()
        self.path, self.world_size = os.fspath(file_name), world_size
        with open(self.path, "ab"):
            pass

    def _apply(self, op: str, *args):
        import fcntl

        with open(self.path, "r+b") as f:
            fcntl.lockf(f, fcntl.LOCK_EX)
            text = f.read()
            table = _Table(*_decode(text)) if text else _Table()
            result = table.apply(op, *args)
            if op not in self._READ_ONLY:
                f.seek(0)
                f.truncate()
                f.write(_encode(table))
                f.flush()
        return result

    def delete_key(self, key: str) -> bool:
        super().delete_key(key)
        return True  # as PyTorch's FileStore, which answers True for a missing key too

    def has_extended_api(self) -> bool:
        return False  # PyTorch's FileStore answers so

    def _timeout_error(self, op: str, keys: list, ms: float) -> Exception:
        # PyTorch's FileStore raises RuntimeError itself, not DistStoreError
        if op == "check":
            return RuntimeError("Wait timeout")
        return RuntimeError(f"Timeout waiting for key: {keys[0]} after {ms:.0f} ms")

    def clone(self) -> FileStore:
        return FileStore(self.path, self.world_size)


def _encode(table: _Table) -> bytes:
    b64 = base64.b64encode
    data = {k: b64(v).decode() for k, v in table.data.items()}
    queues = {k: [b64(v).decode() for v in q] for k, q in table.queues.items()}
    return json.dumps({"data": data, "queues": queues}).encode()


def _decode(text: bytes) -> tuple:
    state, b64 = json.loads(text), base64.b64decode
    queues = {k: [b64(v) for v in q] for k, q in state["queues"].items()}
    return {k: b64(v) for k, v in state["data"].items()}, queues


_OPS = frozenset(
    "set get add compare_set check delete_key num_keys list_keys append multi_get multi_set "
    "queue_push queue_pop queue_len at_least".split()
)
_WORKERS = "init/"  # how many stores joined (PyTorch's TCPStore counts such a key too)


class TCPStore(Store):
    """A store served by the master process at ``host_name:port`` (port 0: any free port, read
    back from ``.port``); the others connect to it. With ``world_size`` and
    ``wait_for_workers``, the master's constructor waits until that many stores joined."""

    def __init__(
        self,
        host_name: str,
        port: int,
        world_size: int | None = None,
        is_master: bool = False,
        timeout: datetime.timedelta = _DEFAULT_TIMEOUT,
        wait_for_workers: bool = True,
        multi_tenant: bool = False,
        master_listen_fd: int | None = None,
        use_libuv: bool = True,
    ):
        super().__init__(timeout)
        self.host, self.libuvBackend, self._server = host_name, use_libuv, None
        if is_master:
            self._server = _serve(host_name, port)
            port = self._server.server_address[1]
        self.port, self.world_size, self._lock = port, world_size, threading.Lock()
        self._proxy = _connect(host_name, port, timeout)
        self._apply("add", _WORKERS, 1)
        if is_master and wait_for_workers and world_size is not None:
            try:
                self._poll("at_least", [_WORKERS], _WORKERS, world_size)
            except DistStoreError:
                joined = self._apply("get", _WORKERS).decode()
                raise DistStoreError(
                    f"TCPStore: {joined} of {world_size} workers joined within {timeout}"
                ) from None

    def _apply(self, op: str, *args):
        import xmlrpc.client

        try:
            with self._lock:
                return self._proxy.apply(op, *args)
        except xmlrpc.client.Fault as fault:  # the server refused: PyTorch's closes the socket
            raise DistNetworkError(fault.faultString.partition(":")[2]) from None
        except OSError as err:
            raise DistNetworkError(
                f"TCPStore at ({self.host}, {self.port}) is unreachable: {err}"
            ) from None

    def list_keys(self) -> list:
        return [k for k in super().list_keys() if k != _WORKERS]

    def clone(self) -> TCPStore:
        return TCPStore(self.host, self.port, timeout=self._timeout, wait_for_workers=False)


def _serve(host: str, port: int):
    """Start the XML-RPC server of a master TCPStore in a daemon thread."""
    import socketserver
    from xmlrpc.server import SimpleXMLRPCServer

    class Server(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
        daemon_threads = True

    table = _Table()
    server = Server((host, port), logRequests=False, allow_none=True, use_builtin_types=True)

    def apply(op, *args):
        if op not in _OPS:
            raise ValueError(f"unknown store operation {op!r}")
        return table.apply(op, *args)

    server.register_function(apply)
    threading.Thread(target=server.serve_forever, daemon=True, name="TCPStore").start()
    return server


def _connect(host: str, port: int, timeout: datetime.timedelta):
    """A proxy of the server at ``host:port``, retrying until it answers or ``timeout``."""
    import xmlrpc.client

    proxy = xmlrpc.client.ServerProxy(
        f"http://{host}:{port}/", allow_none=True, use_builtin_types=True
    )
    deadline, ms = time.monotonic() + timeout.total_seconds(), timeout.total_seconds() * 1000
    while True:
        try:
            proxy.apply("num_keys")
            return proxy
        except OSError:
            if time.monotonic() > deadline:
                raise DistNetworkError(
                    f"The client socket has timed out after {ms:.0f}ms while trying to connect "
                    f"to ({host}, {port})."
                ) from None
            time.sleep(0.05)
