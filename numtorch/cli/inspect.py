"""``numtorch inspect FILE``: a checkpoint's keys, shapes and dtypes, its parameters, buffers
and other tensors counted apart, and its size. Nothing from the file runs and no tensor data is
read: classes a checkpoint names (``torch.save(model)`` saves the program's) stay inert records.

Reads PyTorch checkpoints (.pt, .pth, .bin: zip or legacy format) and .safetensors files, whose
JSON header is read directly (the safetensors package is not needed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import sys

_SAFETENSORS_DTYPES = {
    "F64": "float64",
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "I64": "int64",
    "I32": "int32",
    "I16": "int16",
    "I8": "int8",
    "U8": "uint8",
    "U16": "uint16",
    "U32": "uint32",
    "U64": "uint64",
    "BOOL": "bool",
    "C64": "complex64",
    "F8_E4M3": "float8_e4m3fn",
    "F8_E5M2": "float8_e5m2",
}
_MAX_HEADER = 100 * 2**20  # the safetensors format's own limit
_ITEMSIZE = {
    "float64": 8,
    "int64": 8,
    "uint64": 8,
    "complex64": 8,
    "float32": 4,
    "int32": 4,
    "uint32": 4,
    "float16": 2,
    "bfloat16": 2,
    "int16": 2,
    "uint16": 2,
}


# Buffers a state dict stores beside the parameters, as plain tensors like them.
_BUFFER_NAMES = ("running_mean", "running_var", "num_batches_tracked")
ROLES = ("parameters", "buffers", "other tensors")


class Listing:
    """What ``inspect`` prints: tensor rows (key, shape, dtype, role, numel, nbytes), other
    values (key, value) and what kind of file it is."""

    def __init__(self, kind: str):
        self.kind, self.rows, self.others, self.refused = kind, [], [], ""

    def tensor(self, key, shape, dtype: str, role: str, numel: int, nbytes: int) -> None:
        self.rows.append((key, list(shape), dtype, role, numel, nbytes))


def _role(key: str, info, scope: str | None) -> str:
    """parameters, buffers or other tensors: from how the file stores the tensor."""
    if info.is_parameter or scope == "parameters":
        return "parameters"
    if scope in ("buffers", "other tensors"):
        return scope
    if key.rsplit(".", 1)[-1] in _BUFFER_NAMES:
        return "buffers"
    # a state dict stores parameters as plain tensors: the floating ones count as parameters
    return "parameters" if info.dtype.is_floating_point or info.dtype.is_complex else "buffers"


def _children(node, prefix: str, scope):
    """(key, child, scope) for a container, a module record or another object record."""
    from ..serialization._describe import Opaque

    def join(k):
        return f"{prefix}.{k}" if prefix else str(k)

    if isinstance(node, Opaque):
        attrs = node.attributes()
        if "_modules" in attrs and "_parameters" in attrs:  # an nn.Module
            return [
                (join(k), v, role)
                for field, role in (("_parameters", "parameters"), ("_buffers", "buffers"))
                for k, v in (attrs.get(field) or {}).items()
            ] + [(join(k), v, scope) for k, v in (attrs.get("_modules") or {}).items()]
        node = {**attrs, **node.items, **dict(enumerate(node.elements))}
        scope = "other tensors"
    if isinstance(node, dict) and {"state", "param_groups"} <= node.keys():
        scope = "other tensors"  # an optimizer's state dict
    items = node.items() if isinstance(node, dict) else enumerate(node)
    return [(join(k), v, scope) for k, v in items]


def _walk(obj, listing: Listing, limit: int = 100000) -> None:
    """Fill ``listing`` from nested containers and object records, without recursion."""
    from ..serialization._describe import Opaque
    from ..serialization._rebuild import TensorInfo

    todo, seen = [("", obj, None)], set()
    while todo and limit:
        prefix, node, scope = todo.pop()
        if isinstance(node, TensorInfo):
            limit -= 1
            role = _role(prefix, node, scope)
            dtype = node.dtype.name + (" (Parameter)" if node.is_parameter else "")
            listing.tensor(prefix, node.shape, dtype, role, node.numel(), node.nbytes)
        elif isinstance(node, (dict, list, tuple, Opaque)) and id(node) not in seen:
            seen.add(id(node))
            children = _children(node, prefix, scope)
            todo.extend(reversed(children))
            if not children and prefix and not isinstance(node, Opaque):
                listing.others.append((prefix, node))
        else:
            limit -= 1
            listing.others.append((prefix or "(root)", node))


def _read_checkpoint(path) -> Listing:
    from ..serialization import load_description
    from ..serialization._describe import Opaque

    obj = load_description(path)
    kind = "PyTorch checkpoint"
    if isinstance(obj, Opaque):
        kind += f" of a whole {obj.cls} object (torch.load needs weights_only=False for it)"
    listing = Listing(kind)
    _walk(obj, listing)
    return listing


def _safetensors_header(path) -> dict:
    """The JSON header of a .safetensors file (8-byte little-endian length, then the JSON)."""
    with open(path, "rb") as f:
        head = f.read(8)
        size = os.fstat(f.fileno()).st_size
        n = int.from_bytes(head, "little") if len(head) == 8 else -1
        if n < 2 or n > min(size - 8, _MAX_HEADER):
            raise ValueError("not a safetensors file: its header length is out of range")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"not a safetensors file: its header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError("not a safetensors file: its header is not a JSON object")
    return header


def _read_safetensors(path) -> Listing:
    header = _safetensors_header(path)
    listing = Listing("safetensors file")
    meta = header.pop("__metadata__", None) or {}
    for key, entry in header.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("shape"), list):
            raise ValueError(f"not a safetensors file: entry {key!r:.60} has no shape")
        shape, code = entry["shape"], str(entry.get("dtype"))
        name = _SAFETENSORS_DTYPES.get(code, code)
        numel = math.prod(shape)
        role = "parameters" if name.startswith(("float", "bfloat", "complex")) else "buffers"
        if key.rsplit(".", 1)[-1] in _BUFFER_NAMES:
            role = "buffers"
        listing.tensor(key, shape, name, role, numel, numel * _ITEMSIZE.get(name, 1))
    listing.others = sorted(meta.items()) if isinstance(meta, dict) else []
    return listing


def _print(path, listing: Listing, out) -> None:
    rows = listing.rows
    print(f"{path}: {listing.kind}, {os.path.getsize(path):,} bytes on disk", file=out)
    width = max([len(r[0]) for r in rows] + [3])
    if rows:
        print(f"{'key':<{width}}  {'shape':<16} dtype", file=out)
    for key, shape, dtype, *_ in rows:
        print(f"{key:<{width}}  {str(shape):<16} {dtype}", file=out)
    for key, value in listing.others:
        print(f"{key:<{width}}  = {repr(value)[:60]}", file=out)
    nbytes = sum(r[5] for r in rows)
    print(f"{len(rows)} tensor{'s' * (len(rows) != 1)}, {nbytes:,} bytes", file=out)
    for role in ROLES:
        mine = [r for r in rows if r[3] == role]
        count = f"{len(mine)} tensor{'s' * (len(mine) != 1)}"
        print(f"  {role + ':':<15}{sum(r[4] for r in mine):>14,} values in {count}", file=out)
    if listing.refused:
        print(listing.refused, file=out)


def _refused_globals(path) -> str:
    """The line naming what a default ``torch.load`` of the file would refuse, if anything."""
    from ..serialization import get_unsafe_globals_in_checkpoint

    try:
        names = get_unsafe_globals_in_checkpoint(path)
    except RuntimeError:
        return ""
    if not names:
        return ""
    return f"names that a weights-only load refuses (never imported here): {', '.join(names)}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch inspect",
        description="Print a checkpoint's keys, shapes and dtypes and count its parameters, "
        "buffers and other tensors (.pt/.pth/.bin, whole-module checkpoints included, or "
        ".safetensors), without running or importing anything the file names. In a state "
        "dict, where PyTorch stores parameters and buffers alike as plain tensors, floating "
        "tensors count as parameters except norm layers' running statistics; optimizer state "
        "counts as other tensors.",
    )
    parser.add_argument("file", help="the checkpoint to inspect")
    return parser


def main(argv=None) -> int:
    """Entry point: ``argv`` holds the arguments after ``inspect``. Returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.file.endswith(".safetensors"):
            listing = _read_safetensors(args.file)
        else:
            listing = _read_checkpoint(args.file)
            listing.refused = _refused_globals(args.file)
    except (OSError, RuntimeError, ValueError, TypeError, pickle.UnpicklingError) as e:
        print(f"numtorch inspect: {args.file}: {e}", file=sys.stderr)
        return 1
    try:
        _print(args.file, listing, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader (``| head``) has gone: stop quietly, and keep the interpreter's final
        # flush of stdout from raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
