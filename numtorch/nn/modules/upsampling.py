"""Upsampling layers: ``Upsample`` and its fixed-mode forms."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.nn import vision as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Resizes 1-d, 2-d or 3-d data (``(N, C, W)``, ``(N, C, H, W)``, ``(N, C, D, H, W)``).

    Args:
        size: the output's spatial size. scale_factor: multiplier of the spatial size (give
            one of the two).
        mode: ``'nearest'`` (default), ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'bicubic'``, ``'trilinear'`` or ``'area'``.
        align_corners: map the corner pixel centres of input and output onto each other
            (interpolating modes only).
        recompute_scale_factor: derive the interpolation scale from the computed output size
            instead of using ``scale_factor`` itself.

    Shape:
        Input ``(N, C, *in)``; output ``(N, C, *out)`` with ``out = floor(in * scale_factor)``
        or ``size``.

    Examples:
        >>> nn.Upsample(scale_factor=2, mode="bilinear")(numtorch.randn(1, 3, 4, 4)).shape
        torch.Size([1, 3, 8, 8])
    """

    __constants__ = [
        "size",
        "scale_factor",
        "mode",
        "align_corners",
        "name",
        "recompute_scale_factor",
    ]

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def __setstate__(self, state):
        state.setdefault("recompute_scale_factor", True)  # pickles from before the option
        super().__setstate__(state)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour 2-d upsampling: ``Upsample(size, scale_factor, mode='nearest')``."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear 2-d upsampling with aligned corners:
    ``Upsample(size, scale_factor, mode='bilinear', align_corners=True)``."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
