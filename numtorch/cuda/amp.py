"""``torch.cuda.amp``: the deprecated spellings of ``torch.amp``'s GradScaler and autocast.

PyTorch 2.13 still serves them with a FutureWarning, and programs written for the GPU create
``GradScaler(enabled=False)`` or enter ``autocast()`` on the CPU too. Without a GPU, both are
disabled with PyTorch's warning, as there.
"""

from __future__ import annotations

import warnings

from .. import _dtype, cuda
from .. import amp as _amp

__all__ = ["GradScaler", "autocast"]


def _deprecated(name: str, enabled: bool, no_gpu: str) -> bool:
    """PyTorch's FutureWarning for the old spelling; then, without a GPU, its warning and
    ``enabled`` turned off."""
    warnings.warn(
        f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use "
        f"`torch.amp.{name}('cuda', args...)` instead.",
        FutureWarning,
        stacklevel=3,
    )
    if enabled and not cuda.is_available():
        warnings.warn(no_gpu, stacklevel=3)
        return False
    return enabled


class GradScaler(_amp.GradScaler):
    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        text = "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."
        enabled = _deprecated("GradScaler", enabled, text)
        super().__init__(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )


class autocast(_amp.autocast):
    def __init__(
        self, enabled: bool = True, dtype=_dtype.float16, cache_enabled: bool = True
    ) -> None:
        text = "CUDA is not available or torch_xla is imported. Disabling autocast."
        enabled = _deprecated("autocast", enabled, text)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    def __call__(self, func):
        return _amp.autocast("cuda", self.fast_dtype, self._enabled)(func)
