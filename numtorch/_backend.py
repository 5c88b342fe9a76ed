"""The array module behind each device.

Everything above this file writes ``xp.exp(...)``; this is the one place that knows which
module (NumPy on "cpu", CuPy on "cuda") serves which device.
"""

from __future__ import annotations

import numpy

ndarray = numpy.ndarray

_MODULES = {"cpu": numpy}


class device:
    """Where a tensor's storage lives: ``device("cpu")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(
                f"device() expected a string or a device, but got {type.__class__.__name__}"
            )
        if ":" in type:
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta, mps device type at start of device string: "
                + type
            )
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def module_for(dev: device):
    """The array module for a device; a clear error where its backend is not installed."""
    try:
        return _MODULES[dev.type]
    except KeyError:
        raise RuntimeError(
            f"numtorch has no backend for device '{dev}' here: only 'cpu' is available "
            "(the CUDA backend needs CuPy and an NVIDIA GPU)"
        ) from None


def array_module(arr):
    """The module (numpy or cupy) that owns an array."""
    if type(arr) is ndarray:
        return numpy
    return numpy  # the only module until the CuPy backend registers itself


def ensure_array(obj):
    """An array for an op's result: NumPy scalars (what ops on 0-d arrays return) become 0-d
    arrays; arrays of other registered modules pass through."""
    if isinstance(obj, (numpy.generic, int, float, complex, bool)):
        return numpy.asarray(obj)
    return obj


def device_of(arr) -> device:
    return CPU


def is_array(obj) -> bool:
    return isinstance(obj, ndarray)


def asarray(obj, dtype=None, dev: device = CPU):
    return module_for(dev).asarray(obj, dtype=dtype)


def to_host(arr):
    """The array as a NumPy array on the host (no copy on the CPU)."""
    return arr


# NumPy warns on overflow, division by zero and invalid values; PyTorch computes the IEEE result
# silently, and so does numtorch.
numpy.seterr(all="ignore")


class _Defaults:
    """Per-process default device (``torch.set_default_device``)."""

    __slots__ = ("device",)

    def __init__(self):
        self.device = CPU


DEFAULTS = _Defaults()


def as_device(dev) -> device:
    """A device from None (the default), a string, an int (a CUDA index) or a device."""
    if dev is None:
        return DEFAULTS.device
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int):
        return device("cuda", dev)
    return device(dev)


def get_default_device() -> device:
    return DEFAULTS.device


def set_default_device(dev) -> None:
    DEFAULTS.device = CPU if dev is None else as_device(dev)
