"""PyTorch's CPU random-number generator, bit for bit (``torch.manual_seed`` and friends).

This module and ``_rng_kernels.py`` (the arithmetic that turns words into numbers) are the ones
above ``_backend.py`` that import NumPy by name: they *are* the CPU generator's algorithm (MT19937
words, then float rounding rules), not ops that could run on another device. A ``Generator``
owns a ``numpy.random.MT19937`` whose state is the same 624-word array and position PyTorch's
engine holds, so ``random_raw`` yields PyTorch's word stream; every transformation is written
with NumPy arrays, in the order PyTorch's serial CPU kernels consume words. See
``docs/TORCH_FACTS.md`` section 4 for the rules reproduced here.

Array-level API (what ``nn.init``, dropout, samplers and ``ops/sampling.py`` call). Each method
returns a new C-contiguous array whose flat order is the order PyTorch fills a tensor in memory:

* ``gen.random_words(n) -> uint32[n]``: raw 32-bit words.
* ``gen.random64(n) -> uint64[n]``: two words each, the first one high.
* ``gen.uniform(shape, dtype=float32, low=0.0, high=1.0)``: ``Tensor.uniform_(low, high)``.
* ``gen.normal(shape, dtype=float32, mean=0.0, std=1.0, contiguous=True)``: ``normal_``;
  ``contiguous=False`` selects PyTorch's element-by-element path (the caller then writes the
  values into the tensor in memory order).
* ``gen.randint(shape, low, high, dtype=int64)``: ``random_(low, high)`` / ``randint``.
* ``gen.random_full(shape, dtype)``: ``random_()`` with no bounds.
* ``gen.randperm(n, dtype=int64)``: ``randperm``.
* ``gen.bernoulli_scalar(shape, p) -> bool``: ``bernoulli_(p)`` / dropout masks.
* ``gen.bernoulli_tensor(p) -> bool``: ``torch.bernoulli(p_tensor)`` for a float array ``p``.
* ``gen.uniform_double(n)``: float64 uniforms in [0, 1) from ``random64`` (what PyTorch's
  scalar distributions such as ``exponential_`` and ``cauchy_`` draw).
* ``gen.normal_double(n)``: ``n`` standard normals from the element-by-element (cached) path.

Which normal code PyTorch runs depends on the CPU: x86 builds with AVX2 (or AVX512) use a
vectorised float32 log/sincos and fused multiply-adds; other machines use libm and separate
multiply and add. ``_rng_kernels.CPU_CAPABILITY`` ("avx2" or "default") is detected from the CPU
flags and can be forced with the environment variable ``NUMTORCH_CPU_CAPABILITY`` (or PyTorch's
own ``ATEN_CPU_CAPABILITY``).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from typing import Iterator, Sequence

import numpy as np

from ._rng_kernels import (
    _TWO_PI,
    _affine,
    _box_muller16,
    _fisher_yates,
    _libm,
    _libm_f64,
    _mantissa_digits,
    _poisson_one,
)

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "fork_rng",
]

_MASK32 = 0xFFFFFFFF
_STATE_BYTES = 5056
_DEFAULT_SEED = 67280421310721  # what an unseeded torch.Generator() starts from
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


# ----------------------------------------------------------------------------------- engine


def _init_genrand(seed32: int) -> np.ndarray:
    """MT19937's standard seeding of the 624-word state from a 32-bit seed."""
    key = [seed32]
    for j in range(1, 624):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + j) & _MASK32)
    return np.array(key, dtype=np.uint32)


def _normalize_seed(seed) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF  # negative seeds are kept in two's complement


def _complex_pairs(shape) -> tuple:
    """The shape of a complex tensor's real view (PyTorch draws complex values through it)."""
    return _as_shape(shape) + (2,)


def _part(dtype: np.dtype) -> np.dtype:
    return np.empty(0, dtype).real.dtype


def _complex_view(pairs: np.ndarray) -> np.ndarray:
    """``(..., 2)`` real and imaginary parts as one complex array of shape ``(...)``."""
    complex_dtype = np.result_type(pairs.dtype, np.complex64)
    return pairs.view(complex_dtype)[..., 0]


def _numel(shape) -> int:
    if isinstance(shape, (int, np.integer)):
        return int(shape)
    return math.prod(shape)


def _as_shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


class Generator:
    """A CPU random-number generator with PyTorch's state and streams.

    Args:
        device: "cpu"; another device gives that device's generator (see
            ``numtorch.cuda.random``: its streams are not PyTorch's).

    Examples:
        >>> g = Generator().manual_seed(0)
        >>> g.uniform((2,)).tolist()
        [0.49625658988952637, 0.7682217955589294]
    """

    __slots__ = ("device", "_bits", "_ints", "_initial_seed", "_normal_cache", "_fresh")

    def __new__(cls, device="cpu"):
        from numtorch._backend import as_device

        dev = as_device(device)
        if dev.type == "cpu":
            return super().__new__(cls)
        from numtorch.cuda.random import DeviceGenerator  # a GPU's: drawn on the device

        return DeviceGenerator(dev, _DEFAULT_SEED)

    def __init__(self, device="cpu"):
        from numtorch._backend import as_device

        self.device = as_device(device)
        self._bits = np.random.MT19937()
        self._ints = np.random.Generator(self._bits)
        self.manual_seed(_DEFAULT_SEED)

    def __repr__(self) -> str:
        return "<torch._C.Generator object>"

    # ---------------------------------------------------------------------------- seeding
    def manual_seed(self, seed: int) -> "Generator":
        """Reseed from ``seed`` (only its low 32 bits affect the stream) and return self."""
        self._initial_seed = _normalize_seed(seed)
        key = _init_genrand(self._initial_seed & _MASK32)
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624}}
        self._normal_cache = None
        self._fresh = True
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        new = int.from_bytes(os.urandom(8), "little") >> 1  # PyTorch's seeds fit in 63 bits
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self):
        """The 5056-byte state as a uint8 tensor, in PyTorch's layout."""
        from numtorch._tensor import wrap

        return wrap(self.state_bytes())

    def set_state(self, new_state) -> "Generator":
        """Restore a state from ``get_state()`` (a uint8 tensor, array or bytes)."""
        data = getattr(new_state, "_data", new_state)
        self.load_state_bytes(np.frombuffer(bytes(np.asarray(data, np.uint8).tobytes()), np.uint8))
        return self

    def state_bytes(self) -> np.ndarray:
        """The state as a uint8 array (what ``get_state`` wraps)."""
        st = self._bits.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_BYTES, np.uint8)
        head = np.frombuffer(buf, np.uint8)
        head[0:8] = np.frombuffer(np.uint64(self._initial_seed).tobytes(), np.uint8)
        head[8:12] = np.frombuffer(np.int32(625 - pos).tobytes(), np.uint8)
        head[12:16] = np.frombuffer(np.int32(1).tobytes(), np.uint8)
        head[16:24] = np.frombuffer(np.uint64(0 if self._fresh else pos).tobytes(), np.uint8)
        buf[24:5016] = st["key"].astype("<u8").view(np.uint8)
        if self._normal_cache is not None:
            buf[5024:5032] = np.frombuffer(np.float64(self._normal_cache).tobytes(), np.uint8)
            buf[5040:5044] = np.frombuffer(np.int32(1).tobytes(), np.uint8)
        return buf

    def load_state_bytes(self, buf: np.ndarray) -> None:
        if buf.size != _STATE_BYTES:
            raise RuntimeError(
                "Expected either a THGeneratorState of size 5048 or a CPUGeneratorImplState of "
                f"size 5056 but found the input RNG state size to be {buf.size}"
            )
        seed = int(buf[0:8].view("<u8")[0])
        left = int(buf[8:12].view("<i4")[0])
        seeded = int(buf[12:16].view("<i4")[0])
        nxt = int(buf[16:24].view("<u8")[0])
        if not (seeded and 0 < left <= 624 and nxt <= 624):
            raise RuntimeError("The input RNG state must be a valid MT19937 state")
        key = buf[24:5016].view("<u8").astype(np.uint32)
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 625 - left}}
        self._initial_seed = seed
        valid = int(buf[5040:5044].view("<i4")[0])
        self._normal_cache = float(buf[5024:5032].view("<f8")[0]) if valid else None
        self._fresh = nxt == 0

    # ---------------------------------------------------------------------------- raw words
    def random_words(self, n: int) -> np.ndarray:
        """``n`` raw 32-bit words (uint32), PyTorch's ``random()``."""
        self._fresh = False
        return self._ints.integers(0, 1 << 32, int(n), dtype=np.uint32)

    def random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit values (uint64) of two words each, the first word high."""
        w = self.random_words(2 * n).astype(np.uint64).reshape(-1, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]

    def uniform_float(self, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): the low 24 bits of one word each."""
        w = self.random_words(n)
        w &= np.uint32(0xFFFFFF)
        x = w.astype(_F32)
        x *= np.float32(2.0**-24)
        return x

    def uniform_double(self, n: int) -> np.ndarray:
        """``n`` float64 uniforms in [0, 1): the low 53 bits of ``random64`` each."""
        w = self.random_words(2 * n).reshape(-1, 2)
        hi = (w[:, 0] & np.uint32(0x1FFFFF)).astype(_F64)
        hi *= 2.0**-21
        hi += w[:, 1] * 2.0**-53
        return hi

    # ---------------------------------------------------------------------------- uniform
    def uniform(self, shape, dtype=np.float32, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        """``Tensor.uniform_(low, high)`` values of ``dtype`` (float64 draws two words each).

        ``x*(high-low)+low`` is rounded once (a fused multiply-add) on AVX2 machines and twice
        elsewhere, as PyTorch's compiled kernels do; a value that rounds to ``high`` becomes
        ``low`` so that results stay in [low, high).
        """
        dtype, n = np.dtype(dtype), _numel(shape)
        if dtype.kind == "c":
            return _complex_view(self.uniform(_complex_pairs(shape), _part(dtype), low, high))
        if dtype == _F64:
            lo, hi = float(low), float(high)
            x = _affine(self.uniform_double(n), hi - lo, lo)
        else:
            lo = np.float32(dtype.type(low)) if dtype != _F32 else np.float32(low)
            hi = np.float32(dtype.type(high)) if dtype != _F32 else np.float32(high)
            x = _affine(self.uniform_float(n), hi - lo, lo).astype(dtype, copy=False)
        x[x == dtype.type(hi)] = dtype.type(lo)
        return x.reshape(_as_shape(shape))

    # ---------------------------------------------------------------------------- normal
    def normal(
        self, shape, dtype=np.float32, mean: float = 0.0, std: float = 1.0, contiguous: bool = True
    ) -> np.ndarray:
        """``Tensor.normal_(mean, std)`` values of ``dtype``.

        PyTorch fills contiguous tensors of 16 or more elements with a 16-wide Box-Muller and
        everything else element by element (sharing the generator's cached sample); pass
        ``contiguous=False`` for a non-contiguous destination.
        """
        dtype, n = np.dtype(dtype), _numel(shape)
        if dtype.kind == "c":  # the real and imaginary parts each carry half the variance
            half = std / math.sqrt(2)
            pairs = self.normal(_complex_pairs(shape), _part(dtype), mean, half, contiguous)
            return _complex_view(pairs)
        if n >= 16 and contiguous:
            if dtype == _F64:
                out = self._normal_fill(n, _F64, float(mean), float(std))
            else:  # float32 and the reduced floats compute in float32
                out = self._normal_fill(n, _F32, np.float32(mean), np.float32(std))
                out = out.astype(dtype, copy=False)
        else:
            out = _affine(self.normal_double(n), float(std), float(mean)).astype(dtype, copy=False)
        return out.reshape(_as_shape(shape))

    def normal_double(self, n: int) -> np.ndarray:
        """``n`` float64 standard normals from PyTorch's element-by-element Box-Muller.

        Each pair of 53-bit uniforms gives a cosine sample (returned) and a sine sample (kept in
        the generator for the next call, even across other operations).
        """
        out = np.empty(n, _F64)
        start = 0
        if n and self._normal_cache is not None:
            out[0], self._normal_cache, start = self._normal_cache, None, 1
        m = n - start
        pairs = (m + 1) // 2
        if pairs:
            u = self.uniform_double(2 * pairs).reshape(pairs, 2)
            r = np.sqrt(-2.0 * _libm_f64("log1p", -u[:, 1]))
            theta = _TWO_PI * u[:, 0]
            both = np.empty((pairs, 2), _F64)
            np.multiply(r, _libm_f64("cos", theta), out=both[:, 0])
            np.multiply(r, _libm_f64("sin", theta), out=both[:, 1])
            out[start:] = both.ravel()[:m]
            if m % 2:
                self._normal_cache = float(both[-1, 1])
        return out

    def _normal_fill(self, n: int, dtype: np.dtype, mean, std) -> np.ndarray:
        draw = self.uniform_double if dtype == _F64 else self.uniform_float
        out = draw(n)
        full = n - n % 16
        if full:
            _box_muller16(out[:full].reshape(-1, 16), mean, std)
        if n % 16:
            # the ragged end is recomputed from 16 fresh uniforms over the last 16 slots
            tail = draw(16).reshape(1, 16)
            _box_muller16(tail, mean, std)
            out[n - 16 :] = tail.ravel()
        return out

    # ---------------------------------------------------------------------------- integers
    def randint(self, shape, low: int, high: int, dtype=np.int64) -> np.ndarray:
        """``random_(low, high)``: ``(word % (high-low)) + low`` with one word per element, or
        one ``random64`` per element when the range is 2^28 or more (any dtype)."""
        low, high, dtype, n = int(low), int(high), np.dtype(dtype), _numel(shape)
        span = high - low
        if span <= 0:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        wide = span >= (1 << 28)
        val = self.random64(n) if wide else self.random_words(n).astype(np.uint64)
        val %= np.uint64(span)
        val += np.uint64(low & 0xFFFFFFFFFFFFFFFF)  # wraps like PyTorch's int64 arithmetic
        return val.view(np.int64).astype(dtype, copy=False).reshape(_as_shape(shape))

    def random_full(self, shape, dtype=np.int64) -> np.ndarray:
        """``random_()`` with no bounds: [0, 2^mantissa] for floats, [0, max] for integers."""
        dtype, n = np.dtype(dtype), _numel(shape)
        wide = dtype in (np.dtype(np.int64), _F64)
        val = self.random64(n) if wide else self.random_words(n).astype(np.uint64)
        if dtype == np.bool_:
            val &= np.uint64(1)
        elif dtype.kind == "f":
            val %= np.uint64((1 << _mantissa_digits(dtype)) + 1)
        else:
            val %= np.uint64(int(np.iinfo(dtype).max) + 1)
        return val.astype(dtype).reshape(_as_shape(shape))

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """``randperm(n)``: forward Fisher-Yates, swapping slot i with slot
        ``i + word % (n - i)`` for i = 0 .. n-2, one 32-bit word per step."""
        n = int(n)
        if n <= 1:
            return np.arange(n, dtype=dtype)
        i = np.arange(n - 1, dtype=np.uint64)
        j = (self.random_words(n - 1) % (np.uint64(n) - i)) + i
        return _fisher_yates(j.astype(np.int64), n).astype(dtype, copy=False)

    # ---------------------------------------------------------------------------- bernoulli
    def bernoulli_scalar(self, shape, p: float) -> np.ndarray:
        """``bernoulli_(p)`` as a bool array: a 53-bit uniform below ``p``, one random64 each.

        PyTorch takes this path on non-Intel CPUs; on Intel it calls MKL instead.
        """
        return (self.uniform_double(_numel(shape)) < float(p)).reshape(_as_shape(shape))

    def bernoulli_tensor(self, p: np.ndarray) -> np.ndarray:
        """``torch.bernoulli(p)`` / ``bernoulli_(p_tensor)`` as a bool array: a uniform below
        ``p``, 53-bit when ``p`` is float64 and 24-bit float otherwise (whatever the output)."""
        p = np.asarray(p)
        if p.dtype == _F64:
            return self.uniform_double(p.size).reshape(p.shape) < p
        return self.uniform_float(p.size).reshape(p.shape) < p.astype(_F32)

    # ---------------------------------------------------------------------------- poisson
    def poisson(self, rates: np.ndarray) -> np.ndarray:
        """``torch.poisson(rates)`` as float64 counts: element after element, each taking as
        many 53-bit uniforms from the stream as its sampler needs.

        Uniforms are drawn in blocks ahead of need; at the end the stream is rewound and
        advanced by exactly the number used, so that later draws continue as PyTorch's do.
        """
        flat = np.asarray(rates, dtype=_F64).ravel()
        start = self._bits.state
        block, pos, used = [], 0, 0

        def draw() -> float:
            nonlocal block, pos, used
            if pos == len(block):
                block, pos = self.uniform_double(max(256, 2 * flat.size)).tolist(), 0
            pos += 1
            used += 1
            return block[pos - 1]

        lgamma = _libm().lgamma
        out = np.fromiter(
            (_poisson_one(lam, draw, lgamma) for lam in flat.tolist()), _F64, count=flat.size
        )
        self._bits.state = start
        if used:
            self.random_words(2 * used)  # two words per 53-bit uniform
        return out.reshape(np.shape(rates))


# ------------------------------------------------------------------ the per-process generator

default_generator = Generator()
default_generator.seed()  # like PyTorch: a fresh nondeterministic seed in every process


def manual_seed(seed: int) -> Generator:
    """Seed the default generator and every device's (what ``torch.manual_seed`` does).

    Examples:
        >>> manual_seed(0).initial_seed()
        0
    """
    devices = sys.modules.get("numtorch.cuda.random")
    if devices is not None:
        devices.manual_seed_all_devices(seed)
    return default_generator.manual_seed(seed)


def generator_for(dev):
    """The default generator of device ``dev``: the CPU's, or a GPU's own (see
    ``numtorch.cuda.random``)."""
    if dev.type == "cpu":
        return default_generator
    from .cuda.random import default_generator_for

    return default_generator_for(dev)


def seed() -> int:
    """Seed the default generator nondeterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: a uint8 tensor of 5056 bytes in PyTorch's layout."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator from ``get_rng_state()`` (PyTorch's bytes work too)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Sequence = (),
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cpu",
) -> Iterator[None]:
    """Restore the default generator's state when the block exits, and the states of
    ``devices`` (indices of ``device_type``; by default every device generator made so far).

    Examples:
        >>> with fork_rng():
        ...     _ = default_generator.uniform(3)
    """
    if not enabled:
        yield
        return
    state = default_generator.state_bytes()
    saved = [(gen, gen.get_state()) for gen in _device_generators(devices, device_type)]
    try:
        yield
    finally:
        default_generator.load_state_bytes(state)
        for gen, gen_state in saved:
            gen.set_state(gen_state)


def _device_generators(devices, device_type: str) -> list:
    from numtorch._backend import as_device, device

    if devices and device_type != "cpu":
        chosen = [
            as_device(d) if not isinstance(d, int) else device(device_type, d) for d in devices
        ]
        return [generator_for(d) for d in chosen if d.type != "cpu"]
    made = sys.modules.get("numtorch.cuda.random")
    return list(made._GENERATORS.values()) if made is not None else []
