"""``numtorch.save`` / ``numtorch.load``: PyTorch's checkpoint format, both ways, safe by default.

A file written here loads in PyTorch (``torch.load``, with ``weights_only=True`` and
``mmap=True``), and a file PyTorch wrote loads here, neither side needing the other installed.
``load`` builds only data (tensors, numbers, strings, containers and the globals the allowlist
names) unless the caller passes ``weights_only=False``: a checkpoint from a stranger cannot run
code. Every size and offset in a file is checked before it is used.

    numtorch.save(model.state_dict(), "model.pt")
    model.load_state_dict(numtorch.load("model.pt"))
"""

from __future__ import annotations

import io
import mmap as _mmap
import os
import pickle
import re
import warnings

from .._backend import device
from .._tensor import Tensor, wrap
from ._globals import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals
from ._legacy import is_legacy, load_legacy
from ._load import FullUnpickler, StorageLoader, restorer, unpickle
from ._unpickler import StreamUnpickler
from ._save import archive_name, write_archive, write_legacy, write_path
from ._scan import get_unsafe_globals_in_checkpoint
from ._zip import CheckpointError, ZipReader, is_zip

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "DEFAULT_PROTOCOL",
    "CheckpointError",
]

DEFAULT_PROTOCOL = 2

_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)
_TRUE = ("1", "y", "yes", "true")


def _weights_only_message(reason: str) -> str:
    """PyTorch's text for a refused weights-only load, by the kind of refusal in ``reason``."""
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", reason):
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint"
            f"\033[0m. \n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with "
            "`weights_only=True` please check the recommended steps in the following error "
            f"message.\n\tWeightsUnpickler error: {reason}{_DOCS_MESSAGE}"
        )
    if re.search(r"(\S+) must be (\S+) to load", reason):
        return f"Weights only load failed. {reason}\n {_UNSAFE_MESSAGE}\n{_DOCS_MESSAGE}"
    text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", reason):
        text += (
            "Please file an issue with the following so that we can make `weights_only=True` "
            "compatible with your use case: WeightsUnpickler error: "
        )
    return f"{text}\n\n{reason}{_DOCS_MESSAGE}"


def _not_a_checkpoint(data: bytes, weights_only: bool, encoding: str) -> Exception:
    """PyTorch's error for a file that is neither a zip archive nor a legacy pickle: what its
    unpickler raises reading the legacy format's first pickle (the magic number), or, where
    that pickle reads, its "Invalid magic number"."""

    def refuse(pid):  # the texts of PyTorch's unpickler and of Python's
        raise pickle.UnpicklingError(
            "unsupported persistent id encountered"
            if weights_only
            else "A load persistent id instruction was encountered,\nbut no persistent_load "
            "function was specified."
        )

    if weights_only:
        StreamUnpickler(data, refuse, 0, encoding).load()
    else:  # the caller trusts the file: Python's unpickler runs it, as PyTorch's does
        FullUnpickler(io.BytesIO(data), refuse, encoding=encoding).load()
    return RuntimeError("Invalid magic number; corrupt file?")


def _resolve_weights_only(weights_only, pickle_module) -> bool:
    """``weights_only`` after PyTorch's default and its two environment overrides."""
    force = os.environ.get("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    if force:
        return True
    if weights_only is not None:
        return weights_only
    if force_no:
        # PyTorch's text, missing space included
        warnings.warn(
            "Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the"
            "`weights_only` argument was not explicitly passed to `torch.load`, forcing "
            "weights_only=False.",
            UserWarning,
            stacklevel=3,
        )
        return False
    return pickle_module is None


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (tensors, Parameters, state_dicts, containers ...) to ``f`` in PyTorch's
    zip checkpoint format.

    Args:
        obj: what to save. Tensors that share memory are stored once and share it again
            after ``load``.
        f: a path or a binary file object (written in place). A regular file is written
            atomically (a temporary file beside it, then a rename); a symlink writes the file
            it names, and a device or FIFO is written directly, as PyTorch does.
        pickle_protocol: accepted for compatibility; the pickle is always protocol 2, the one
            PyTorch's ``weights_only`` loader reads.
        _use_new_zipfile_serialization: False writes PyTorch's pre-1.6 format instead.

    Examples:
        >>> numtorch.save({"w": numtorch.ones(2)}, "ckpt.pt")
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError(
            "numtorch.save writes its own protocol-2 pickle; pickle_module must "
            "be None or the pickle module"
        )
    if _use_new_zipfile_serialization:

        def write(fileobj, prefix):
            write_archive(obj, fileobj, prefix)
    else:

        def write(fileobj, prefix):
            write_legacy(obj, fileobj)

    if isinstance(f, (str, bytes, os.PathLike)):
        write_path(f, lambda fileobj: write(fileobj, archive_name(f)))
    else:
        write(f, "archive")


def load(
    f,
    map_location=None,
    pickle_module=None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args,
):
    """Load an object saved with ``numtorch.save`` or ``torch.save``.

    Args:
        f: a path or a binary file object. A path ending in ``.safetensors`` is read with
            ``numtorch.utils.safetensors.load_file``.
        map_location: where storages go: a device or string (``"cpu"``), a dict from saved
            location to new location, or ``fn(storage, location)`` returning a tensor or None.
        weights_only: True (the default without ``pickle_module``) builds only tensors,
            numbers, strings, containers and allowlisted globals (see ``add_safe_globals``);
            False runs the file's pickle as is, which can execute arbitrary code: use it only
            for files you trust. As in PyTorch, the environment variable
            ``TORCH_FORCE_WEIGHTS_ONLY_LOAD=1`` forces True, and
            ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` makes False the default (with a warning).
        mmap: map the file's storages into memory instead of reading them (``f`` must be a
            path to a zip checkpoint); pages are copy-on-write, the file never changes.

    Examples:
        >>> state = numtorch.load("model.pt", map_location="cpu")
    """
    weights_only = _resolve_weights_only(weights_only, pickle_module)
    if pickle_module is not None and weights_only:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    is_path = isinstance(f, (str, bytes, os.PathLike))
    if is_path and os.fsdecode(f).endswith(".safetensors"):
        from ..utils.safetensors import load_file

        target = map_location if isinstance(map_location, (str, device)) else "cpu"
        return load_file(f, device=str(target))
    if mmap and not is_path:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if is_path:
        with open(f, "rb") as fileobj:
            return _load(
                fileobj,
                os.fsdecode(f),
                map_location,
                weights_only,
                bool(mmap),
                encoding,
                False,
                pickle_load_args,
            )
    if not (hasattr(f, "read") and hasattr(f, "seek")):
        raise TypeError(
            f"numtorch.load expects a path or a binary file object, not {type(f).__name__}"
        )
    if hasattr(f, "seekable") and not f.seekable():
        f = io.BytesIO(f.read())
    return _load(
        f,
        getattr(f, "name", "<file object>"),
        map_location,
        weights_only,
        False,
        encoding,
        False,
        pickle_load_args,
    )


def _load(fileobj, name, map_location, weights_only, use_mmap, encoding, meta, load_args):
    restore = restorer(map_location)
    try:
        if is_zip(fileobj):
            reader = ZipReader(fileobj, str(name))
            if not meta:  # numtorch inspect lists what a damaged archive still holds
                reader.require_version()
            mm = None
            if use_mmap:
                mm = _mmap.mmap(fileobj.fileno(), 0, access=_mmap.ACCESS_COPY)
            storages = StorageLoader(reader, restore, mm, meta)
            obj, _ = unpickle(
                reader.read("data.pkl"),
                storages,
                weights_only,
                encoding,
                describe=meta,
                **load_args,
            )
            return obj
        head = fileobj.read(4)
        fileobj.seek(-len(head), 1)
        if not is_legacy(head) and meta:  # numtorch inspect's own words
            raise CheckpointError(
                f"{name} is not a checkpoint numtorch can read (neither PyTorch's zip format "
                "nor its legacy pickle format)"
            )
        if use_mmap:
            raise RuntimeError(
                "mmap can only be used with files saved with the zip format "
                "(torch.save(_use_new_zipfile_serialization=True))"
            )
        if not is_legacy(head):
            raise _not_a_checkpoint(fileobj.read(), weights_only, encoding)
        start = fileobj.tell()
        data = bytearray(fileobj.seek(0, 2) - start)
        fileobj.seek(start)
        if fileobj.readinto(data) != len(data):
            raise CheckpointError(f"{name}: short read")

        def run(buf, pos, persistent_load):
            return unpickle(
                buf, persistent_load, weights_only, encoding, pos, describe=meta, **load_args
            )

        return load_legacy(data, restore, run, meta)
    except pickle.UnpicklingError as e:
        if not weights_only:
            raise
        raise pickle.UnpicklingError(_weights_only_message(str(e))) from None


def load_description(path):
    """The checkpoint's object with each tensor replaced by a ``TensorInfo`` (shape, dtype) and
    each class outside the allowlist kept as an inert ``Opaque`` record (a whole-module
    checkpoint's modules): what ``numtorch inspect`` prints. Reads no tensor data, imports and
    runs nothing from the file."""
    with open(path, "rb") as fileobj:
        return _load(fileobj, os.fsdecode(path), None, True, False, "utf-8", True, {})


def reduce_tensor(t: Tensor):
    """``Tensor.__reduce_ex__`` for Python's pickle and ``copy``: the array and the flag."""
    return _rebuild_from_array, (type(t), t._data, t._rg)


def _rebuild_from_array(cls, array, requires_grad):
    t = wrap(array, requires_grad)
    if cls is not Tensor:
        from ..nn.parameter import _adopt

        t = _adopt(cls, t, requires_grad)
    return t
