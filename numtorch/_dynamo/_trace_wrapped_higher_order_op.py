"""``torch._dynamo._trace_wrapped_higher_order_op``: the one name libraries import from it.

transformers builds attention masks under ``TransformGetItemToIndex`` inside ``vmap``. PyTorch
needs the mode because its vmap cannot turn a 0-d index tensor into a Python int; numtorch's
vmap runs the function on real tensors, so ``A[q_idx]`` already indexes with the tensor's value
and the mode passes every call through unchanged."""

from __future__ import annotations

from ..overrides import BaseTorchFunctionMode

__all__ = ["TransformGetItemToIndex"]


class TransformGetItemToIndex(BaseTorchFunctionMode):
    """Indexing with 0-d tensors inside ``vmap``: numtorch's tensors need no transform."""
