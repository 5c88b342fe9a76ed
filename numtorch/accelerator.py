"""``torch.accelerator``: the device-agnostic view of the current accelerator. numtorch's only
accelerator is CUDA (through CuPy); without it, the calls that need a device raise PyTorch's
error."""

from __future__ import annotations

from . import cuda
from ._backend import device as _device

__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "device_count",
    "device_index",
    "is_available",
    "set_device_idx",
    "set_device_index",
    "synchronize",
]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> _device | None:
    """``device(type='cuda')`` where a GPU is usable, else None (PyTorch's CPU build gives None
    too: the CPU is not an accelerator)."""
    return _device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count() if cuda.is_available() else 0


def _require() -> None:
    if not cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index() -> int:
    _require()
    return cuda.current_device()


def set_device_index(device, /) -> None:
    _require()
    cuda.set_device(device)


def synchronize(device=None, /) -> None:
    _require()
    cuda.synchronize(device)


class device_index:
    """Makes ``idx`` the current accelerator device inside the block; ``None`` changes
    nothing."""

    def __init__(self, device, /):
        self.idx = device
        self.prev = None

    def __enter__(self):
        if self.idx is not None:
            self.prev = current_device_index()
            set_device_index(self.idx)

    def __exit__(self, *exc):
        if self.idx is not None:
            set_device_index(self.prev)


current_device_idx = current_device_index
set_device_idx = set_device_index
