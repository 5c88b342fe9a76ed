"""``torch.nn.modules.channelshuffle``: where PyTorch defines ChannelShuffle (numtorch keeps it
in pixelshuffle.py). Pickles name this path."""

from .pixelshuffle import ChannelShuffle

__all__ = ["ChannelShuffle"]
