"""``torch.amp``: ``autocast`` and ``GradScaler``.

Inside an enabled ``autocast`` region, ops on PyTorch's lower-precision list (matmul, linear,
conv ...) cast their floating inputs to the region's dtype (bfloat16 by default on "cpu",
float16 on "cuda") and return it; ops on its float32 list (losses, and on "cuda" softmax, exp,
log, pow, norms ...) compute in float32; ``cat``/``stack`` promote to the widest input. The
casts are differentiable ops, so a float32 parameter gets a float32 ``.grad``. The lists and
the casts live in ``numtorch._autocast``. ``GradScaler`` behaves as PyTorch's: disabled, it
passes losses and steps straight through; enabled, it scales the loss, unscales the gradients,
skips steps whose gradients hold inf/NaN and adapts the scale.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from . import _dtype
from ._autocast import REGION
from ._lazy import nt as _nt

__all__ = [
    "autocast",
    "GradScaler",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "is_autocast_available",
]


def is_autocast_available(device_type: str) -> bool:
    return device_type in ("cpu", "cuda")


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an ``autocast`` region is active (for ``device_type``, default cuda as in
    PyTorch's legacy no-argument form)."""
    return REGION.state(device_type or "cuda")[0]


def get_autocast_dtype(device_type: str):
    return REGION.state(device_type)[1]


def _supported(device: str, dtype, enabled: bool) -> bool:
    """PyTorch's checks of an enabled region: "cuda" without a GPU, or a dtype the device's
    autocast does not compute in, turn it off with PyTorch's warning."""
    if not enabled:
        return False
    if device == "cuda":
        if not _nt().cuda.is_available():
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=3,
            )
            return False
        return True
    if dtype not in (_dtype.bfloat16, _dtype.float16):
        name = device.upper()
        warnings.warn(
            f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
            f"{name} Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
            stacklevel=3,
        )
        return False
    return True


class autocast:
    """Context manager / decorator of an autocast region (see the module's docstring)."""

    def __init__(
        self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None
    ):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'"
            )
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else REGION.state(device_type)[1]
        self._cache_enabled = REGION.cache_enabled if cache_enabled is None else cache_enabled
        self._enabled = _supported(device_type, self.fast_dtype, enabled)
        self._saved: list = []

    def __enter__(self):
        st = REGION.state(self.device)
        self._saved.append((list(st), REGION.cache_enabled))
        st[0], st[1] = self._enabled, self.fast_dtype
        REGION.nesting += 1
        REGION.cache_enabled = self._cache_enabled
        REGION.refresh()
        return self

    def __exit__(self, *exc) -> bool:
        REGION.nesting -= 1
        if REGION.nesting == 0:
            REGION.cache.clear()
        st, REGION.cache_enabled = self._saved.pop()
        REGION.devices[self.device][:] = st
        REGION.refresh()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)

        return wrapper


class GradScaler:
    """Dynamic loss scaling: ``scale(loss).backward(); scaler.step(opt); scaler.update()``."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ):
        self._device = device
        self._enabled = enabled
        if enabled:
            if growth_factor <= 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def scale(self, outputs: Any) -> Any:
        """``outputs`` times the current scale (each tensor of a nested structure)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if isinstance(outputs, dict):
            return {k: self.scale(v) for k, v in outputs.items()}
        return outputs * self._scale

    def _opt_state(self, optimizer) -> dict:
        return self._per_optimizer.setdefault(
            id(optimizer), {"unscaled": False, "found_inf": False}
        )

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place."""
        if not self._enabled:
            return
        st = self._opt_state(optimizer)
        if st["unscaled"]:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        nt = _nt()
        inv = 1.0 / self._scale
        found = False
        with nt.no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.grad.mul_(inv)
                    if not bool(nt.isfinite(p.grad).all()):
                        found = True
        st["unscaled"], st["found_inf"] = True, found

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and step, unless the gradients hold inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        st = self._opt_state(optimizer)
        if not st["unscaled"]:
            self.unscale_(optimizer)
        if not st["found_inf"]:
            return optimizer.step(*args, **kwargs)
        return None

    def update(self, new_scale: float | None = None) -> None:
        """Back off the scale after an inf/NaN step; grow it after ``growth_interval`` clean
        steps in a row."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if hasattr(new_scale, "item") else new_scale)
        else:
            found = any(s["found_inf"] for s in self._per_optimizer.values())
            if found:
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale *= self._growth_factor
                    self._growth_tracker = 0
        self._per_optimizer.clear()

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {
            "scale": self._scale,
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._scale = float(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]
