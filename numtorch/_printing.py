"""PyTorch-identical ``repr``/``str`` of tensors, and the print options that shape it.

The text is what PyTorch 2.13 prints, character for character (docs/TORCH_FACTS.md section 2
lists the rules; tests/test_printing.py compares against torch itself). The options live in
one per-process object, as PyTorch's do.

This module imports numpy by name, unlike the layers above ``_backend.py``: it formats host
arrays. A tensor on another device is reduced to the elements that will be shown (only basic
slicing runs on the device array) and then copied to the host.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy

from numtorch import _dtype


class _PrintOptions:
    # NOTE: slot order is the key order of get_printoptions(), as in PyTorch.
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")  # noqa: RUF023

    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None


_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print (``torch.set_printoptions``).

    Args:
        precision: digits after the decimal point of floating-point elements (default 4).
        threshold: element count above which a tensor is summarised (default 1000).
        edgeitems: elements kept at each end of a summarised dimension (default 3).
        linewidth: characters per line before elements wrap (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``, applied before the other arguments.
        sci_mode: force scientific notation on (True) or off (False); None lets the values
            decide. Every call sets it, so a call without it switches it back to None.
    """
    # An unknown profile name is ignored, as PyTorch ignores it.
    if profile in _PROFILES:
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    # NOTE: unconditional on purpose: PyTorch resets sci_mode on every call.
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`."""
    return {name: getattr(_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Print with ``set_printoptions(**kwargs)`` inside the block, then restore the options."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Formats every element of one tensor (or of the real or imaginary parts) to one width.

    The mode and width are chosen once from all the values that will be shown, so columns line up.
    """

    __slots__ = ("int_mode", "kind", "precision", "sci_mode", "width")

    def __init__(self, values: numpy.ndarray, kind: str) -> None:
        # kind: "float" (values are float64), "int" or "bool"
        self.kind = kind
        self.precision = _OPTS.precision
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if kind != "float":
            self._fit_exact(values)
        else:
            self._fit_float(values)

    def _fit_exact(self, values: numpy.ndarray) -> None:
        if values.size == 0:
            return
        # str() length grows with magnitude on each side of zero: the extremes are the widest.
        extremes = (values.min().item(), values.max().item())
        self.width = max(1, *(len(str(v)) for v in extremes))

    def _fit_float(self, values: numpy.ndarray) -> None:
        shown = values[numpy.isfinite(values) & (values != 0)]
        if shown.size == 0:
            # Only zeros, nan and inf: integer style, width 1.
            return
        self.int_mode = bool(numpy.all(shown == numpy.ceil(shown)))
        mags = numpy.abs(shown)
        lo, hi = float(mags.min()), float(mags.max())
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(_OPTS.sci_mode)
        # Text length grows with |value| on each side of zero for the fixed-point forms; in
        # scientific form it depends on the exponent's digit count, largest at an extreme of |v|.
        # So the smallest and largest magnitude of each sign are the only candidates.
        candidates = set()
        for part in (shown[shown > 0], shown[shown < 0]):
            if part.size:
                candidates.update((float(part.min()), float(part.max())))
        p = self.precision
        if self.sci_mode:
            lengths = (len(format(v, f".{p}e")) for v in candidates)
        elif self.int_mode:
            # One extra column for the trailing "." that marks a float.
            lengths = (len(format(v, ".0f")) + 1 for v in candidates)
        else:
            lengths = (len(format(v, f".{p}f")) for v in candidates)
        self.width = max(1, *lengths)

    def format_all(self, items: list) -> list[str]:
        """The text of each element of ``items`` (Python numbers), padded to the common width."""
        w = self.width
        if self.kind != "float":
            return [str(v).rjust(w) for v in items]
        if self.sci_mode:
            spec = f"{w}.{self.precision}e"
            return [format(v, spec) for v in items]
        if self.int_mode:
            isfinite = math.isfinite
            return [
                (format(v, ".0f") + "." if isfinite(v) else format(v, ".0f")).rjust(w)
                for v in items
            ]
        spec = f".{self.precision}f"
        return [format(v, spec).rjust(w) for v in items]


def _to_host(a: Any) -> numpy.ndarray:
    # A 0-d result may be held as a NumPy scalar; anything else that is not NumPy's is a device
    # array (CuPy), copied over with .get().
    return numpy.asarray(a if isinstance(a, (numpy.ndarray, numpy.generic)) else a.get())


def _summarized(a: Any, edge: int) -> tuple[numpy.ndarray, tuple[bool, ...]]:
    """The elements a summarised print shows, on the host, and which dimensions were cut.

    A dimension longer than ``2 * edge`` keeps its first and last ``edge`` entries. Only basic
    slices of ``a`` are taken, so a 10^7-element tensor costs a few small copies.
    """
    cut = tuple(n > 2 * edge for n in a.shape)

    def gather(index: tuple, axis: int) -> numpy.ndarray:
        if axis == a.ndim:
            return _to_host(a[index])
        if not cut[axis]:
            return gather((*index, slice(None)), axis + 1)
        n = a.shape[axis]
        head = gather((*index, slice(0, edge)), axis + 1)
        tail = gather((*index, slice(n - edge, n)), axis + 1)
        return numpy.concatenate((head, tail), axis=axis)

    return gather((), 0), cut


def _element_strings(data: numpy.ndarray, dtype: Any) -> tuple[list[str], int]:
    """The text of every element of ``data`` in order, and the width one element takes."""
    if dtype.is_complex:
        real = data.real.astype(numpy.float64)
        imag = data.imag.astype(numpy.float64)
        fre, fim = _Formatter(real, "float"), _Formatter(imag, "float")
        texts = []
        for r, i in zip(
            fre.format_all(real.ravel().tolist()),
            fim.format_all(imag.ravel().tolist()),
            strict=True,
        ):
            i = (i + "j").lstrip()
            texts.append(r + i if i[0] in "+-" else r + "+" + i)
        # The width of both parts, plus the "j".
        return texts, fre.width + fim.width + 1
    if dtype.is_floating_point:
        values = data.astype(numpy.float64)
        fmt = _Formatter(values, "float")
    else:
        values = data
        fmt = _Formatter(values, "bool" if data.dtype == numpy.bool_ else "int")
    return fmt.format_all(values.ravel().tolist()), fmt.width


def _nest(
    texts: list[str], shape: tuple[int, ...], cut: tuple[bool, ...], indent: int, elem_len: int
) -> str:
    """Bracket the element texts of a tensor of ``shape`` whose first line starts at ``indent``."""
    edge = _OPTS.edgeitems
    if len(shape) == 1:
        items = [*texts[:edge], " ...", *texts[edge:]] if cut[0] else texts
        per_line = max(1, math.floor((_OPTS.linewidth - indent) / elem_len))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    step = len(texts) // shape[0]
    rows = [
        _nest(texts[i : i + step], shape[1:], cut[1:], indent + 1, elem_len)
        for i in range(0, len(texts), step)
    ]
    if cut[0]:
        rows.insert(edge, "...")
    # One blank line fewer at each level down: matrices of a 3-D tensor are one blank line apart.
    return "[" + ("," + "\n" * (len(shape) - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(data: Any, dtype: Any, indent: int) -> str:
    """The bracketed elements of a non-empty tensor."""
    summarize = data.size > _OPTS.threshold
    if data.ndim == 0:
        host, cut = _to_host(data), ()
    elif summarize and not _OPTS.edgeitems:
        return "[...]"
    elif summarize:
        host, cut = _summarized(data, _OPTS.edgeitems)
    else:
        host, cut = _to_host(data), (False,) * data.ndim
    texts, width = _element_strings(host, dtype)
    if host.ndim == 0:
        return texts[0]
    # Each element takes its width plus the ", " that separates it from the next.
    return _nest(texts, host.shape, cut, indent, width + 2)


def _default_dtypes() -> tuple:
    default = _dtype.get_default_dtype()
    return default, _dtype.default_complex(), _dtype.int64, _dtype.bool


def _device_text(device: Any) -> str:
    text = str(device)
    # A CUDA tensor always lives on a numbered GPU, and PyTorch names it ('cuda:0').
    if device.type == "cuda" and ":" not in text:
        text += ":0"
    return text


def _suffixes(t: Any, data: Any) -> list[str]:
    out = []
    if t.device.type != "cpu":
        out.append(f"device='{_device_text(t.device)}'")
    size = f"size={tuple(data.shape)}"
    if data.size == 0:
        # Without elements nothing hints at the shape or dtype, so both are spelled out.
        if data.ndim != 1:
            out.append(size)
        if t.dtype is not _dtype.get_default_dtype():
            out.append(f"dtype={t.dtype!r}")
    else:
        if not _OPTS.edgeitems:
            out.append(size)
        if t.dtype not in _default_dtypes():
            out.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        out.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        out.append("requires_grad=True")
    return out


def _join_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``suffixes`` and the closing parenthesis, wrapping any that would pass linewidth."""
    parts = [text]
    # Length of the last line plus the ", " before the first suffix.
    used = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if used + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            used = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            used += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _is_parameter(cls: type) -> bool:
    return any(c.__name__ == "Parameter" for c in cls.__mro__)


def tensor_repr(t: Any) -> str:
    """PyTorch's text for tensor ``t``: what both ``repr(t)`` and ``str(t)`` return."""
    cls = type(t)
    name = cls.__name__
    prefix = "tensor(" if name in ("Tensor", "Parameter") else name + "("
    data = t._data
    body = "[]" if data.size == 0 else _body(data, t.dtype, len(prefix))
    text = _join_suffixes(prefix + body, _suffixes(t, data), len(prefix))
    if not _is_parameter(cls):
        return text
    if name != "Parameter":
        # A subclass of Parameter is marked as one around its own class name.
        text = f"Parameter({text})"
    return "Parameter containing:\n" + text
