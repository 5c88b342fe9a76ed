"""``embedding_bag``: sums, means or maxima of bags of embedding rows.

A bag reduction is a matrix product: with ``M[b, i]`` the weight of index ``i`` in bag ``b``
(1, ``per_sample_weights[i]``, or ``1 / count`` for a mean), the result is ``M @ rows``, which
gives the gradient of the weight and of the per-sample weights without a special kernel.
"""

from __future__ import annotations

from ..._backend import array_module
from ..._tensor import Tensor, wrap
from ..blas import Mm
from ..reduction import Sum
from . import dtype_checks as checks
from .layers import embedding

__all__ = ["embedding_bag"]


def _bags(input, offsets, include_last_offset):
    """Flat indices and the bag number of each, from 2-D input or 1-D input + offsets."""
    idx = input._data
    xp = array_module(idx)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated "
                "is a mini-batch of fixed length sequences. However, found offsets "
                f"of type {type(offsets).__name__}"
            )
        n, length = idx.shape
        return idx.reshape(-1), xp.repeat(xp.arange(n), length), n
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = offsets._data
    if off.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if off.size and off[0] != 0:
        raise ValueError(
            f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
            f"has to start from position 0. However, got {int(off[0])}"
        )
    starts = off[:-1] if include_last_offset else off
    n_bags = len(starts)
    bag_of = xp.searchsorted(starts, xp.arange(idx.size), side="right") - 1
    if include_last_offset and off.size:
        bag_of = xp.where(xp.arange(idx.size) >= off[-1], -1, bag_of)
    return idx, bag_of, n_bags


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Reduce (``mode`` = "sum", "mean" or "max") the rows of ``weight`` in each bag."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    checks.indices(input, "embedding_bag")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub."
            )
        if per_sample_weights.shape != input.shape:
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                f"then it must have the same shape as the input ({input.shape})"
            )
    flat, bag_of, n_bags = _bags(input, offsets, include_last_offset)
    xp = array_module(flat)
    n = weight._data.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    use = bag_of >= 0
    if padding_idx is not None:
        use = use & (flat != padding_idx)
    rows = embedding(wrap(flat), weight, max_norm=max_norm, norm_type=norm_type)
    member = (xp.arange(n_bags)[:, None] == bag_of[None, :]) & use[None, :]
    if mode == "max":
        return _bag_max(rows, member)
    m = member.astype(weight._data.dtype)
    if mode == "mean":
        counts = m.sum(axis=1, keepdims=True)
        m = m / xp.maximum(counts, 1)
    mat = wrap(m)
    if per_sample_weights is not None:
        mat = mat * per_sample_weights.reshape(1, -1)
    return Mm.named(_NODE).apply(mat, rows)


_NODE = "EmbeddingBagBackward0"  # PyTorch's one fused node: the last node shows its name


def _bag_max(rows: Tensor, member) -> Tensor:
    """Elementwise maximum over each bag (zeros for an empty bag)."""
    xp = array_module(member)
    r = rows._data
    masked = xp.where(member[:, :, None], r[None, :, :], -xp.inf)
    best = masked.argmax(axis=1)  # (bags, dim): which member supplies each maximum
    empty = ~member.any(axis=1)
    pick = xp.zeros(member.shape + (r.shape[1],), dtype=r.dtype)
    cols = xp.arange(r.shape[1])
    pick[xp.arange(member.shape[0])[:, None], best, cols[None, :]] = 1
    pick[empty] = 0
    return Sum.named(_NODE).apply(wrap(pick) * rows.unsqueeze(0), (1,), False, None)
