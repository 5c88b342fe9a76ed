"""``numtorch inspect FILE``: a checkpoint's keys, shapes and dtypes, its parameter count and
size, read as safely as ``numtorch.load`` (no code from the file runs, no tensor data is read).

Reads PyTorch checkpoints (.pt, .pth, .bin: zip or legacy format) and .safetensors files.
"""

from __future__ import annotations

import argparse
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


def _walk(obj, limit: int = 100000):
    """(dotted key, leaf) pairs of nested dicts/lists/tuples, without recursion."""
    todo = [("", obj)]
    seen = set()
    while todo and limit:
        prefix, node = todo.pop()
        if isinstance(node, (dict, list, tuple)) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            children = [(f"{prefix}.{k}" if prefix else str(k), v) for k, v in items]
            todo.extend(reversed(children))
            if not children and prefix:
                yield prefix, node
        else:
            limit -= 1
            yield prefix or "(root)", node


def _rows_checkpoint(path):
    from ..serialization import load_description
    from ..serialization._rebuild import TensorInfo

    obj = load_description(path)
    rows, others = [], []
    for key, leaf in _walk(obj):
        if isinstance(leaf, TensorInfo):
            kind = " (Parameter)" if leaf.is_parameter else ""
            rows.append((key, list(leaf.shape), leaf.dtype.name + kind, leaf.numel(), leaf.nbytes))
        else:
            others.append((key, leaf))
    return rows, others, "PyTorch checkpoint"


def _rows_safetensors(path):
    from ..utils.safetensors import safe_open

    rows = []
    with safe_open(path) as f:
        for key in f.keys():
            view = f.get_slice(key)
            shape, code = list(view.get_shape()), view.get_dtype()
            name = _SAFETENSORS_DTYPES.get(code, code)
            numel = 1
            for n in shape:
                numel *= n
            rows.append((key, shape, name, numel, numel * _ITEMSIZE.get(name, 1)))
        meta = f.metadata() or {}
    return rows, sorted(meta.items()), "safetensors file"


def _print(path, rows, others, kind, out) -> None:
    size = os.path.getsize(path)
    print(f"{path}: {kind}, {size:,} bytes on disk", file=out)
    width = max([len(r[0]) for r in rows] + [3])
    if rows:
        print(f"{'key':<{width}}  {'shape':<16} dtype", file=out)
    for key, shape, dtype, _, _ in rows:
        print(f"{key:<{width}}  {str(shape):<16} {dtype}", file=out)
    for key, value in others:
        print(f"{key:<{width}}  = {repr(value)[:60]}", file=out)
    numel = sum(r[3] for r in rows)
    nbytes = sum(r[4] for r in rows)
    print(f"{len(rows)} tensors, {numel:,} parameters, {nbytes:,} bytes", file=out)


def _unsafe_globals(path) -> str:
    from ..serialization import get_unsafe_globals_in_checkpoint

    try:
        names = get_unsafe_globals_in_checkpoint(path)
    except RuntimeError:
        return ""
    return f"\nglobals in the file that are not allowed by default: {names}" if names else ""


def main(argv=None) -> int:
    """Entry point: ``argv`` holds the arguments after ``inspect``. Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="numtorch inspect",
        description="Print a checkpoint's keys, shapes, dtypes, parameter count and size "
        "(.pt/.pth/.bin or .safetensors), without running code from it.",
    )
    parser.add_argument("file", help="the checkpoint to inspect")
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        if args.file.endswith(".safetensors"):
            rows, others, kind = _rows_safetensors(args.file)
        else:
            rows, others, kind = _rows_checkpoint(args.file)
    except pickle.UnpicklingError as e:
        print(f"numtorch inspect: {args.file}: {e}{_unsafe_globals(args.file)}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, ImportError, TypeError) as e:
        print(f"numtorch inspect: {args.file}: {e}", file=sys.stderr)
        return 1
    _print(args.file, rows, others, kind, out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
