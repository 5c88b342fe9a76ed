"""Pixel and channel shuffles: ``PixelShuffle``, ``PixelUnshuffle``, ``ChannelShuffle``."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.nn import vision as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """Rearranges ``(*, C * r * r, H, W)`` into ``(*, C, H * r, W * r)`` (sub-pixel
    convolution upsampling).

    Args:
        upscale_factor: ``r``.

    Examples:
        >>> nn.PixelShuffle(3)(numtorch.randn(1, 9, 4, 4)).shape
        torch.Size([1, 1, 12, 12])
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """The inverse of ``PixelShuffle``: ``(*, C, H * r, W * r)`` into ``(*, C * r * r, H, W)``.

    Args:
        downscale_factor: ``r``.

    Examples:
        >>> nn.PixelUnshuffle(3)(numtorch.randn(1, 1, 12, 12)).shape
        torch.Size([1, 9, 4, 4])
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleaves the channels of ``(N, C, *)`` taken from ``groups`` groups (ShuffleNet).

    Args:
        groups: the number of groups; must divide ``C``.

    Examples:
        >>> nn.ChannelShuffle(2)(numtorch.arange(4.0).reshape(1, 4, 1, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    __constants__ = ["groups"]

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
