"""The values of ``arange``, ``linspace`` and ``logspace``, rounded as PyTorch's CPU kernels round
them, so that a float range equals PyTorch's bit for bit (on x86-64, where its range kernels run
on 256-bit vectors).

PyTorch's ``arange`` computes ``start + step * i`` in double with one rounding (a fused
multiply-add), except inside its vector loop: there each vector's first element is computed so
and rounded to the tensor's dtype, and the others add ``j * step`` to it. Work is split between
threads above 32768 elements, and each thread's piece starts a fresh vector loop.
"""

from __future__ import annotations

from .arithmetic import fma

_GRAIN = 32768  # PyTorch's internal::GRAIN_SIZE: below it a range is one piece
_VECTOR_BYTES = 32


def _pieces(n: int):
    """PyTorch's ``parallel_for`` split of ``range(n)`` into per-thread pieces."""
    if n <= _GRAIN:
        return [(0, n)]
    from .._runtime import get_num_threads

    threads = min(get_num_threads(), -(-n // _GRAIN))
    size = -(-n // threads)
    return [(b, min(n, b + size)) for b in range(0, n, size)]


def arange_values(xp, start, step, n: int, dtype):
    """``n`` values from ``start`` in steps of ``step``, as PyTorch's float ``arange``."""
    f64 = xp.float64
    idx = xp.arange(n, dtype=f64)
    out = fma(f64(step), idx, f64(start))  # the scalar loop, used past the vector loop
    lanes = _VECTOR_BYTES // xp.dtype(dtype).itemsize
    for b, e in _pieces(n):
        vec_end = b + (e - b) // (2 * lanes) * 2 * lanes  # two vectors per iteration
        if vec_end == b:
            continue
        i = idx[b:vec_end]
        j = (i - b) % lanes
        first = fma(f64(step), i - j, f64(start)).astype(dtype).astype(f64)
        out[b:vec_end] = fma(j, f64(step), first)
    return out.astype(dtype)


def linspace_values(xp, start, end, steps: int, dtype):
    """PyTorch's ``linspace``: the first half counts up from ``start``, the second half down
    from ``end``, each value ``start + step * i`` (or ``end - step * (steps - 1 - i)``) rounded
    once in the tensor's dtype (double for integer dtypes, as ``step`` is there)."""
    work = xp.dtype(dtype) if xp.dtype(dtype).kind in "fc" else xp.dtype(xp.float64)
    if work.kind == "c":  # the real and imaginary parts are two real ramps
        part = xp.finfo(work).dtype
        re = linspace_values(xp, complex(start).real, complex(end).real, steps, part)
        im = linspace_values(xp, complex(start).imag, complex(end).imag, steps, part)
        return (re + 1j * im).astype(dtype)
    s, e = work.type(start), work.type(end)
    step = (e - s) / work.type(steps - 1)
    idx = xp.arange(steps).astype(work)
    up = fma(step, idx, s)
    down = fma(-step, work.type(steps - 1) - idx, e)
    return xp.where(idx < steps // 2, up, down).astype(dtype)


def logspace_values(xp, start, end, steps: int, base: float, dtype):
    """PyTorch's float ``logspace``: exponents from the ends in double (``step`` from the ends
    rounded to the dtype), then ``pow`` in double, rounded to the dtype."""
    t = xp.dtype(dtype).type
    s, e = float(t(start)), float(t(end))
    step = float(t(e - s)) / (steps - 1)
    idx = xp.arange(steps, dtype=xp.float64)
    up = s + step * idx
    down = e - step * (steps - 1 - idx)
    return (float(base) ** xp.where(idx < steps // 2, up, down)).astype(dtype)
