"""Variable-length sequences for the recurrent layers: PackedSequence and its helpers.

A PackedSequence holds the time steps of a batch sorted by decreasing length, concatenated:
step ``t`` contributes its ``batch_sizes[t]`` still-running sequences. Packing and padding
are gathers (differentiable through ordinary indexing).
"""

from __future__ import annotations

from collections import namedtuple

from ... import _dtype
from ..._backend import array_module
from ..._tensor import Tensor, wrap
from ...ops.creation import full, tensor
from ...ops.indexing import Index, parse_key
from ...ops.join import cat, stack
from ...ops.nn.conv import pad as _pad

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "pack_sequence",
    "unpad_sequence",
    "unpack_sequence",
    "invert_permutation",
]

_PackedBase = namedtuple(
    "PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"]
)


class PackedSequence(_PackedBase):
    """The packed steps of a batch of sequences (``data``) and how many run at each step."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return (
            self
            if data is self.data
            else type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)
        )

    def double(self):
        return self.to(_dtype.float64)

    def float(self):
        return self.to(_dtype.float32)

    def cpu(self):
        return self

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    if permutation is None:
        return None
    xp = array_module(permutation._data)
    inv = xp.empty_like(permutation._data)
    inv[permutation._data] = xp.arange(permutation.numel())
    return wrap(inv)


def _lengths_list(lengths) -> list:
    if isinstance(lengths, Tensor):
        return [int(v) for v in lengths._data.reshape(-1)]
    return [int(v) for v in lengths]


def _packed_rows(xp, lengths_sorted, bsz):
    """Row ``t * bsz + b`` of the padded (time-major) batch for each packed position."""
    t_len = lengths_sorted[0]
    batch_sizes = [sum(1 for n in lengths_sorted if n > t) for t in range(t_len)]
    rows = [t * bsz + b for t, n in enumerate(batch_sizes) for b in range(n)]
    return xp.asarray(rows, dtype=xp.int64), batch_sizes


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Packs a padded batch ``(T, B, *)`` (``(B, T, *)`` if batch_first) of given lengths."""
    lens = _lengths_list(lengths)
    xp = array_module(input._data)
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_indices = None
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])
        sorted_indices = wrap(xp.asarray(order, dtype=xp.int64))
        lens = [lens[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens and lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an "
            "element in 'lengths' that is <= 0"
        )
    if batch_first:
        input = input.transpose(0, 1)
    t_len, bsz = input.shape[:2]
    if lens[0] > t_len:
        raise RuntimeError(f"Expected sequence length to be at most {t_len}, but got {lens[0]}")
    rows, batch_sizes = _packed_rows(xp, lens, bsz)
    data = input.reshape((t_len * bsz,) + tuple(input.shape[2:]))[wrap(rows)]
    return PackedSequence(data, tensor(batch_sizes, dtype=_dtype.int64), sorted_indices, None)


def packed_to_padded(
    sequence: PackedSequence, padding_value: float = 0.0, total_length: int | None = None
):
    """``(padded (T, B, *) in sorted order, lengths)`` of a PackedSequence."""
    data = sequence.data
    xp = array_module(data._data)
    bs = [int(v) for v in sequence.batch_sizes._data]
    bsz, t_len = bs[0], len(bs)
    lengths = [sum(1 for n in bs if n > b) for b in range(bsz)]
    t_out = t_len if total_length is None else total_length
    src = xp.full(t_out * bsz, data.shape[0], dtype=xp.int64)
    pos = 0
    for t, n in enumerate(bs):
        src[t * bsz : t * bsz + n] = xp.arange(pos, pos + n)
        pos += n
    filler = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, filler])[wrap(src)]
    return padded.reshape((t_out, bsz) + tuple(data.shape[1:])), lengths


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
):
    """``(padded, lengths)``: the inverse of ``pack_padded_sequence``."""
    t_len = len(sequence.batch_sizes)
    if total_length is not None and total_length < t_len:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in input, "
            f"but got total_length={total_length} and max sequence length being {t_len}"
        )
    padded, lengths = packed_to_padded(sequence, padding_value, total_length)
    lens = tensor(lengths, dtype=_dtype.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lens = lens[sequence.unsorted_indices]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lens


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stacks tensors ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` if batch_first)."""
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        amounts = [0, 0] * (s.dim() - 1) + ([extra, 0] if padding_side == "left" else [0, extra])
        padded.append(_pad(s, amounts, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The list of unpadded sequences of a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences, _lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of tensors ``(L_i, *)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences of a PackedSequence (the inverse of ``pack_sequence``)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def padded_to_packed_data(padded: Tensor, batch_sizes) -> Tensor:
    """The ``data`` of a PackedSequence from its padded, sorted, time-major form: one index
    node, shown as PyTorch's ``CatBackward0`` (it joins the steps' outputs with ``cat``)."""
    xp = array_module(padded._data)
    t_len, bsz = padded.shape[:2]
    rows = [t * bsz + b for t, n in enumerate(batch_sizes) for b in range(int(n))]
    flat = padded.reshape((t_len * bsz,) + tuple(padded.shape[2:]))
    key, _ = parse_key(flat, wrap(xp.asarray(rows, dtype=xp.int64)))
    return Index.named("CatBackward0").apply(flat, key)
