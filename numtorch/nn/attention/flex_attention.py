"""``torch.nn.attention.flex_attention``: not supported by numtorch. The names exist so that
libraries which import them at load time (transformers) load; using them raises an error that
says what to do instead."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["AuxRequest", "BlockMask", "create_block_mask", "flex_attention"]

_DEFAULT_SPARSE_BLOCK_SIZE = 128  # PyTorch's; transformers reads it at import

_UNSUPPORTED = (
    "torch.nn.attention.flex_attention.{} is not supported by numtorch: use "
    "torch.nn.functional.scaled_dot_product_attention with an attention mask (in transformers, "
    "attn_implementation='sdpa' or 'eager')"
)


class AuxRequest(NamedTuple):
    """Which auxiliary outputs a ``flex_attention`` call asks for."""

    lse: bool = False
    max_scores: bool = False


class BlockMask:
    """A block-sparse attention mask of flex attention (not supported)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_UNSUPPORTED.format("BlockMask"))


def create_block_mask(*args, **kwargs):
    raise NotImplementedError(_UNSUPPORTED.format("create_block_mask"))


def flex_attention(*args, **kwargs):
    raise NotImplementedError(_UNSUPPORTED.format("flex_attention"))
