"""In-place random sampling: the Tensor methods ``uniform_``, ``normal_``, ``random_``,
``bernoulli_``, ``exponential_``, ``geometric_``, ``log_normal_`` and ``cauchy_``, each
filling the tensor in memory order as PyTorch does (see ``ops/sampling.py``)."""

from __future__ import annotations

import math

from .. import _backend, _dtype, _rng_kernels
from .._tensor import Tensor
from .sampling import (
    _check_random_bounds,
    _check_std,
    _exponential,
    _f64,
    _gen,
    _memory_order,
    _need_float,
    _scale,
    _write,
)

__all__ = []


def uniform_(self, from_=0.0, to=1.0, *, generator=None) -> Tensor:
    """Fill with uniform samples in [from, to)."""
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    if not self.dtype.is_complex:
        _need_float(self.dtype, "check_uniform_bounds")
    gen = _gen(generator, self.device)
    return _write(self, lambda shape, _: gen.uniform(shape, self._data.dtype, from_, to))


def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal samples."""
    _check_std(std)
    if not self.dtype.is_complex:
        _need_float(self.dtype, "normal_kernel_cpu")
    gen = _gen(generator, self.device)
    return _write(
        self,
        lambda shape, contig: gen.normal(shape, self._data.dtype, mean, std, contiguous=contig),
    )


_UNSET = object()


def random_(self, from_=0, to=_UNSET, *, generator=None) -> Tensor:
    """``random_()``: integers over the dtype's range; ``random_(to)``; ``random_(from, to)``
    (``to=None``: up to the dtype's largest value)."""
    gen, np_dtype = _gen(generator, self.device), self._data.dtype
    if to is _UNSET and from_ == 0 and self.dtype.is_complex:
        raise _dtype.not_implemented("random_kernel_cpu", self.dtype)
    if to is _UNSET:
        if from_ == 0:
            return _write(self, lambda shape, _: gen.random_full(shape, np_dtype))
        from_, to = 0, from_
    if to is None:
        xp = _backend.array_module(self._data)
        to = 1 + (
            (1 << _rng_kernels._mantissa_digits(np_dtype))
            if np_dtype.kind == "f"
            else int(xp.iinfo(np_dtype).max)
        )
    _check_random_bounds(self.dtype, to)
    return _write(self, lambda shape, _: gen.randint(shape, from_, to, np_dtype))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples: probability ``p`` (a number or a broadcastable tensor)."""
    gen = _gen(generator, self.device)
    if self.dtype.is_complex:
        kernel = "tensor_cpu_self_" if isinstance(p, Tensor) else "scalar_cpu_"
        raise _dtype.not_implemented("bernoulli_" + kernel, self.dtype)
    if isinstance(p, Tensor):
        probs = _backend.array_module(p._data).broadcast_to(p._data, self._data.shape)
        if not self._data.flags.c_contiguous:
            probs = probs.transpose(_memory_order(self._data))
        return _write(self, lambda shape, _: gen.bernoulli_tensor(_backend.to_host(probs)))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _write(self, lambda shape, _: gen.bernoulli_scalar(shape, p))


def exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate ``lambd`` (computed in float64, then cast)."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    _need_float(self.dtype, "Exponential")
    gen = _gen(generator, self.device)
    return _write(self, lambda shape, _: _exponential(gen, shape, lambd))


def geometric_(self, p, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    if self.dtype.is_complex or self.dtype is _dtype.bool:
        raise _dtype.not_implemented("geometric_cpu", self.dtype)
    gen, denom = _gen(generator, self.device), math.log1p(-p)

    def draw(shape, _):
        u = gen.uniform_double(math.prod(shape)).reshape(shape)
        return _backend.array_module(u).ceil(_f64(gen, "log", u) / denom)

    return _write(self, draw)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill with ``exp`` of normal samples (always PyTorch's element-by-element normal path)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    _need_float(self.dtype, "log_normal_cpu")
    gen = _gen(generator, self.device)

    def draw(shape, _):
        z = _scale(gen, gen.normal_double(math.prod(shape)), float(std), float(mean))
        return _f64(gen, "exp", z).reshape(shape)

    return _write(self, draw)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples ``median + sigma * tan(pi * (u - 1/2))``."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    _need_float(self.dtype, "Cauchy")
    gen = _gen(generator, self.device)

    def draw(shape, _):
        u = gen.uniform_double(math.prod(shape)).reshape(shape)
        t = _f64(gen, "tan", math.pi * (u - 0.5))
        return _scale(gen, t, float(sigma), float(median))

    return _write(self, draw)


METHODS = {
    "uniform_": uniform_,
    "normal_": normal_,
    "random_": random_,
    "bernoulli_": bernoulli_,
    "exponential_": exponential_,
    "geometric_": geometric_,
    "log_normal_": log_normal_,
    "cauchy_": cauchy_,
}
