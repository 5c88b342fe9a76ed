"""Instance normalisation layers: InstanceNorm1d/2d/3d."""

from __future__ import annotations

import warnings

from ..._tensor import Tensor
from ...ops.nn import norm as F
from .batchnorm import _LazyNormMixin, _NormBase

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


class _InstanceNorm(_NormBase):
    _nd = 1

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def _check_input_dim(self, input: Tensor) -> None:
        nd = self._nd
        if input.dim() not in (nd + 1, nd + 2):
            raise ValueError(f"expected {nd + 1}D or {nd + 2}D input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        channel_dim = input.dim() - self._nd - 1
        if input.shape[channel_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={channel_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[channel_dim]}."
                )
            warnings.warn(
                f"input's size at dim={channel_dim} does not match num_features. You can silence "
                "this warning by not passing in num_features, which is not used because "
                "affine=False",
                stacklevel=2,
            )
        batched = input.dim() == self._nd + 2
        x = input if batched else input.unsqueeze(0)
        out = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )
        return out if batched else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Normalises each channel of each sample of ``(N, C, L)`` over ``L``.

    Args as for ``BatchNorm1d``, but ``affine`` and ``track_running_stats`` default to False.
    """

    _nd = 1


class InstanceNorm2d(_InstanceNorm):
    """Normalises each channel of each sample of ``(N, C, H, W)`` over ``H, W``.

    Examples:
        >>> nn.InstanceNorm2d(3)(numtorch.randn(2, 3, 8, 8)).shape
        torch.Size([2, 3, 8, 8])
    """

    _nd = 2


class InstanceNorm3d(_InstanceNorm):
    """Normalises each channel of each sample of ``(N, C, D, H, W)``."""

    _nd = 3


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormMixin, InstanceNorm2d):
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormMixin, InstanceNorm3d):
    cls_to_become = InstanceNorm3d
