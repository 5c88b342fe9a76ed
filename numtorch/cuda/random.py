"""Random numbers on a GPU, drawn there by the device's array module (CuPy's generator).

Each device has its own generator, made on first use and seeded by ``numtorch.manual_seed``
(which seeds every device, as PyTorch's does) or ``numtorch.cuda.manual_seed``. The streams are
repeatable but not PyTorch's CUDA streams (those come from PyTorch's Philox kernels); CPU
streams stay bit-identical to PyTorch's.

A generator's state has the layout of PyTorch's CUDA state: a seed and an offset (two 64-bit
numbers, 16 bytes). The offset counts draws. ``get_state`` re-keys the stream from (seed,
offset), so ``set_state`` of that state replays exactly what followed it.

The draw methods mirror ``numtorch.random.Generator``'s array-level API, returning arrays on
the generator's device.
"""

from __future__ import annotations

import functools
import os

from .. import _backend

__all__ = ["DeviceGenerator", "default_generator_for", "manual_seed_all_devices"]

_MASK64 = (1 << 64) - 1
_GENERATORS = {}  # device -> its DeviceGenerator, made on first use (per process)


def _mix(seed: int, offset: int) -> int:
    """One 63-bit key from (seed, offset): splitmix64's finaliser, so nearby offsets give
    unrelated streams."""
    z = (seed + 0x9E3779B97F4A7C15 * (offset + 1)) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return (z ^ (z >> 31)) >> 1


def _on_device(method):
    """``method`` run with the generator's device current: the array library makes its state
    and its draws on the current device, which need not be the generator's."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._scope(self.device.index):
            return method(self, *args, **kwargs)

    return run


class DeviceGenerator:
    """The random-number generator of one non-CPU device."""

    def __init__(self, device, seed: int):
        self.device = _backend.as_device(device)
        backend = _backend.backend_for(self.device)
        self._xp, self._scope = backend.module, backend.scope
        self.manual_seed(seed)

    def __repr__(self) -> str:
        return "<torch._C.Generator object>"

    # ---------------------------------------------------------------------------- seeding
    def manual_seed(self, seed: int) -> DeviceGenerator:
        self._seed, self._offset = int(seed) & _MASK64, 0
        self._rekey()
        return self

    def seed(self) -> int:
        new = int.from_bytes(os.urandom(8), "little") >> 1
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._seed

    @_on_device
    def _rekey(self) -> None:
        self._rng = self._xp.random.default_rng(_mix(self._seed, self._offset))

    def get_state(self):
        """(seed, offset) as 16 uint8 values, PyTorch's CUDA layout (a CPU tensor)."""
        from .. import tensor, uint8

        self._rekey()
        raw = self._seed.to_bytes(8, "little") + self._offset.to_bytes(8, "little")
        return tensor(list(raw), dtype=uint8)

    def set_state(self, new_state) -> DeviceGenerator:
        raw = bytes(int(v) for v in new_state.tolist())
        if len(raw) != 16:
            raise RuntimeError(
                f"RNG state is wrong size: a CUDA generator's state has 16 bytes, got {len(raw)}"
            )
        self._seed = int.from_bytes(raw[:8], "little")
        self._offset = int.from_bytes(raw[8:], "little")
        self._rekey()
        return self

    # ---------------------------------------------------------------------------- draws
    def _draw(self):
        self._offset += 1
        return self._rng

    def _real(self, dtype):
        """The dtype a draw is made in: float32/float64 themselves, the part type of a complex
        dtype, float32 for the half types."""
        dt = self._xp.dtype(dtype)
        if dt.kind == "c":
            return self._xp.dtype("float32" if dt.itemsize == 8 else "float64")
        return dt if dt.name in ("float32", "float64") else self._xp.dtype("float32")

    def _complex(self, pairs, dtype):
        """Pairs of real draws (last axis 2) as a complex array of ``dtype``."""
        return (pairs[..., 0] + 1j * pairs[..., 1]).astype(dtype)

    @_on_device
    def uniform(self, shape, dtype="float32", low: float = 0.0, high: float = 1.0):
        dt, shape = self._xp.dtype(dtype), tuple(shape)
        draw = self._draw().random
        if dt.kind == "c":
            pairs = draw(shape + (2,), dtype=self._real(dt)) * (high - low) + low
            return self._complex(pairs, dt)
        return (draw(shape, dtype=self._real(dt)) * (high - low) + low).astype(dt)

    @_on_device
    def normal(self, shape, dtype="float32", mean=0.0, std=1.0, contiguous: bool = True):
        dt, shape = self._xp.dtype(dtype), tuple(shape)
        draw = self._draw().standard_normal
        if dt.kind == "c":  # each part has variance 1/2, as PyTorch's complex normal
            pairs = draw(shape + (2,), dtype=self._real(dt)) * (std * 0.5**0.5)
            return self._complex(pairs, dt) + mean
        return (draw(shape, dtype=self._real(dt)) * std + mean).astype(dt)

    @_on_device
    def randint(self, shape, low: int, high: int, dtype="int64"):
        values = self._draw().integers(int(low), int(high), tuple(shape), dtype="int64")
        return values.astype(dtype)

    @_on_device
    def random_full(self, shape, dtype="int64"):
        """``random_()``: integers from 0 up to the dtype's largest (2**mantissa for floats)."""
        from .. import _rng_kernels

        dt = self._xp.dtype(dtype)
        if dt.kind == "f":
            top = 1 << _rng_kernels._mantissa_digits(dt)
        elif dt.kind == "b":
            top = 1
        else:
            top = min(int(self._xp.iinfo(dt).max), (1 << 63) - 2)
        return self.randint(shape, 0, top + 1).astype(dt)

    @_on_device
    def randperm(self, n: int, dtype="int64"):
        keys = self._draw().random(int(n))
        return keys.argsort().astype(dtype)

    @_on_device
    def bernoulli_scalar(self, shape, p: float):
        return self._draw().random(tuple(shape)) < float(p)

    @_on_device
    def bernoulli_tensor(self, p):
        p = self._xp.asarray(p)
        return self._draw().random(p.shape, dtype=self._real(p.dtype)) < p

    @_on_device
    def poisson(self, rates):
        rates = self._xp.asarray(rates, dtype="float64")
        return self._draw().poisson(rates).astype("float64")

    @_on_device
    def uniform_double(self, n: int):
        return self._draw().random(int(n), dtype="float64")

    @_on_device
    def uniform_float(self, n: int):
        return self._draw().random(int(n), dtype="float32")

    @_on_device
    def normal_double(self, n: int):
        return self._draw().standard_normal(int(n), dtype="float64")


def default_generator_for(device) -> DeviceGenerator:
    """The default generator of ``device`` (a non-CPU device), made on first use with the seed
    ``numtorch.manual_seed`` last set (the CPU generator's initial seed)."""
    dev = _backend.as_device(device)
    if dev.index is None:
        dev = _backend.device(dev.type, 0)
    gen = _GENERATORS.get(dev)
    if gen is None or gen._xp is not _backend.backend_for(dev).module:  # none yet, or a new one
        from .. import random

        gen = _GENERATORS[dev] = DeviceGenerator(dev, random.initial_seed())
    return gen


def manual_seed_all_devices(seed: int) -> None:
    """Seed every device generator made so far (later ones start from the CPU's seed)."""
    for gen in _GENERATORS.values():
        gen.manual_seed(seed)
