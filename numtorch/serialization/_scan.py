"""``get_unsafe_globals_in_checkpoint``: which globals a checkpoint names that a
``weights_only`` load would refuse, found by reading its opcodes without running them."""

from __future__ import annotations

import io
import os
import pickletools

from . import _globals
from ._legacy import is_legacy
from ._zip import CheckpointError, ZipReader, is_zip


def _globals_in(data, pos: int = 0):
    """The globals named by the pickle at ``data[pos:]``, and the position after it."""
    found, strings = [], []
    try:
        stream = io.BytesIO(data)
        stream.seek(pos)
        for op, arg, at in pickletools.genops(stream):
            if op.name == "GLOBAL":
                found.append(tuple(arg.split(" ", 1)))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append((strings[-2], strings[-1]))
            elif isinstance(arg, str):
                strings.append(arg)
            if op.name == "STOP":
                return found, at + 1
    except (ValueError, EOFError, UnicodeDecodeError) as e:
        raise CheckpointError(f"malformed pickle: {e}") from None
    raise CheckpointError("pickle data was truncated (no STOP opcode)")


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The ``module.name`` of each global in the checkpoint that ``weights_only=True`` would
    refuse (neither PyTorch's allowlist nor ``add_safe_globals`` has it). Runs nothing.

    Examples:
        >>> numtorch.serialization.get_unsafe_globals_in_checkpoint("ckpt.pt")
        ['__main__.Config']
    """
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fileobj:
            return get_unsafe_globals_in_checkpoint(fileobj)
    names = []
    if is_zip(f):
        names, _ = _globals_in(ZipReader(f).read("data.pkl"))
    else:
        data = f.read()
        if not is_legacy(data[:4]):
            raise CheckpointError("not a PyTorch checkpoint")
        pos = 0
        for _ in range(5):  # magic, protocol, system info, the object, the storage keys
            found, pos = _globals_in(data, pos)
            names += found
    allowed = {**_globals.default_globals(), **_globals.user_globals()}
    out = []
    for module, name in names:
        module, name = _globals.canonical(module, name)
        full = f"{module}.{name}"
        if (full not in allowed or _globals.is_blocked(module)) and full not in out:
            out.append(full)
    return out
