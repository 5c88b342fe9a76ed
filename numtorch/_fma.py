"""Correctly rounded float32 ``a * b + c``: PyTorch's vectorized CPU kernels compute ``add``
and ``sub`` with ``alpha``, ``addcmul``, ``lerp`` and the normal distribution's affine step
with fused multiply-add instructions, one rounding.

The product of two float32 values is exact in float64. The sum rounded to float64 and then to
float32 is right except where it lands exactly on a midpoint between two float32 values while
being inexact (two roundings where PyTorch has one); those few elements are recomputed exactly.
Below float32's smallest normal number its grid is coarser (2**-149 apart) and the midpoints lie
elsewhere in the bits, so every nonzero sum there is recomputed too (rare in practice).
A big array goes through in blocks that stay in cache, reusing one set of float64 buffers: whole
float64 temporaries made ``x.add_(y, alpha=a)`` on a million elements about 20x slower than
``x.add_(y)``.
"""

from __future__ import annotations

import numpy

from ._backend import array_module

_F32, _F64, _U64 = numpy.float32, numpy.float64, numpy.uint64
_BLOCK = 1 << 17  # elements: fewer blocks cost more calls; more leave the cache (1 MiB float64)
# a float64 exactly halfway between two float32 values: its 29 bits below float32's mantissa
_LOW_BITS, _MIDPOINT = _U64(0x1FFFFFFF), _U64(0x10000000)
# |s| as bits, and the bits of float32's smallest normal (2**-126) as a float64
_ABS, _TINY = _U64(0x7FFFFFFFFFFFFFFF), _U64(0x3810000000000000)


def _subnormal(xp, s, bits, out=None):
    """Where the float64 sum ``s`` is nonzero and below float32's normal range, through the
    uint64 buffer ``bits`` (zero, less 1, wraps to the top and is not counted)."""
    xp.bitwise_and(s.view(_U64), _ABS, out=bits)
    xp.subtract(bits, _U64(1), out=bits)
    return xp.less(bits, _TINY - _U64(1), out=out)


def fma32(a, b, c, out=None):
    """``a * b + c`` rounded once to float32, for float32 arrays or scalars that broadcast;
    into ``out`` where given (which may be one of the operands, but no other overlap of them)."""
    first = a if getattr(a, "ndim", 0) else b if getattr(b, "ndim", 0) else c
    if getattr(first, "size", 0) >= _BLOCK and _blockable(first.shape, (a, b, c, out)):
        return _blocks(a, b, c, numpy.empty(first.shape, _F32) if out is None else out)
    xp = array_module(first)
    s = xp.multiply(a, b, dtype=_F64)
    if getattr(c, "ndim", 0) and c.shape != s.shape:
        s = s + c  # c widens the result
    else:
        s += c
    midpoint = (s.view(_U64) & _LOW_BITS) == _MIDPOINT
    midpoint |= _subnormal(xp, s, xp.empty(s.shape, _U64))
    if xp.count_nonzero(midpoint):  # faster than any() on small arrays
        out = xp.empty(s.shape, _F32) if out is None else out
        _finish(xp, a, b, c, s, out, xp.flatnonzero(midpoint))
    elif out is None:
        out = s.astype(_F32)
    else:
        out[...] = s
    return out


def _blockable(shape, operands) -> bool:
    """Whether the operands are scalars or CPU arrays of one shape that a flat loop can walk."""
    return all(
        not getattr(v, "ndim", 0)
        or (type(v) is numpy.ndarray and v.shape == shape and v.flags.c_contiguous)
        for v in operands
    )


def _blocks(a, b, c, out):
    """``fma32`` block by block into ``out``, through float64 buffers made once."""
    flat = out.reshape(-1)
    n = flat.size
    s, w = numpy.empty((2, min(n, _BLOCK)), _F64)
    bits, (hits, tiny) = numpy.empty(s.size, _U64), numpy.empty((2, s.size), bool)
    a, b, c = (v.reshape(-1) if getattr(v, "ndim", 0) else v for v in (a, b, c))
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        a_, b_, c_ = (v[i:j] if getattr(v, "ndim", 0) else v for v in (a, b, c))
        s_, w_ = s[: j - i], w[: j - i]
        s_[...] = a_  # widening copies, then float64 arithmetic: mixed-type ufuncs are slower
        s_ *= _wide(b_, w_)
        s_ += _wide(c_, w_)
        numpy.bitwise_and(s_.view(_U64), _LOW_BITS, out=bits[: j - i])
        hit = numpy.equal(bits[: j - i], _MIDPOINT, out=hits[: j - i])
        hit |= _subnormal(numpy, s_, bits[: j - i], tiny[: j - i])
        _finish(
            numpy, a_, b_, c_, s_, flat[i:j], hit.nonzero()[0] if numpy.count_nonzero(hit) else None
        )
    return out


def _wide(v, buffer):
    """A scalar as it is, an array copied into the float64 ``buffer``."""
    if not getattr(v, "ndim", 0):
        return v
    buffer[...] = v
    return buffer


def _finish(xp, a, b, c, s, out, hit):
    """``out`` from the float64 sum ``s``: rounded to float32, the midpoints at the flat
    indices ``hit`` recomputed exactly (their operands read before ``out`` is written, as
    ``out`` may be one of them)."""
    exact = _exact_at(xp, a, b, c, s.shape, hit) if hit is not None else None
    out[...] = s
    if exact is not None:
        out.reshape(-1)[hit] = exact


def _exact_at(xp, a, b, c, shape, hit):
    """The float32 rounding of ``a * b + c`` at the flat indices ``hit``, from Knuth's two-sum."""
    pick = [xp.broadcast_to(xp.asarray(v), shape).reshape(-1)[hit].astype(_F64) for v in (a, b, c)]
    p, cc = pick[0] * pick[1], pick[2]  # the product is exact in float64
    s = p + cc
    v = s - p
    err = (p - (s - v)) + (cc - v)
    return xp.where(err != 0, xp.nextafter(s, xp.where(err > 0, xp.inf, -xp.inf)), s).astype(_F32)
