"""The arithmetic of PyTorch's CPU distribution kernels, reproduced bit for bit (random.py's
``Generator`` draws the words; this module turns them into numbers as PyTorch's kernels do).

Like random.py, it imports NumPy by name: it is the CPU generator's algorithm, not an op. Which
normal code PyTorch runs depends on the CPU (``CPU_CAPABILITY``): AVX2 builds use a vectorised
float32 log/sincos (Cephes) with fused multiply-adds, other builds glibc's functions with
separate multiply and add. Here: the capability, exactly rounded multiply-adds, both kinds of
transcendentals, and the per-element algorithms (Box-Muller over 16 lanes, Poisson, the
Fisher-Yates shuffle of ``randperm``).
"""

from __future__ import annotations

import math
import os
import platform

import numpy as np

from ._fma import fma32

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_TWO_PI = 6.283185307179586


def _detect_capability() -> str:
    """ "avx2" when PyTorch would run its AVX2/AVX512 kernels here, else "default"."""
    forced = os.environ.get("NUMTORCH_CPU_CAPABILITY") or os.environ.get("ATEN_CPU_CAPABILITY")
    if forced:
        return "default" if forced.strip().lower() == "default" else "avx2"
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "x86"):
        return "default"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return "avx2" if {"avx2", "fma"} <= flags else "default"
    except OSError:
        pass
    return "default"


CPU_CAPABILITY = _detect_capability()


def _vendor_is_intel() -> bool:
    """PyTorch routes ``bernoulli_(p)`` through MKL on Intel CPUs (not reproducible here)."""
    try:
        with open("/proc/cpuinfo") as f:
            return any("GenuineIntel" in line for line in f if line.startswith("vendor_id"))
    except OSError:
        return False


# ----------------------------------------------------------------------------- exact arithmetic


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s, e with s = fl(a+b) and s + e == a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp split of float64 into two 26-bit halves."""
    t = a * 134217729.0
    hi = t - (t - a)
    return hi, a - hi


def _fma64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 ``a*b + c`` (Boldo-Melquiond emulation via rounding to odd).

    Python 3.11 has no ``math.fma``; this is exact barring overflow or subnormal products.
    """
    a, b, c = (np.asarray(v, _F64) for v in (a, b, c))
    a, b, c = np.broadcast_arrays(a, b, c)
    uh = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    # round v to odd: an inexact sum with an even last bit moves to its odd neighbour
    fix = (e != 0) & ((v.view(np.uint64) & 1) == 0)
    if fix.any():
        v = np.where(fix, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    return th + v


def _fma32(a, b, c, exact_in_double: bool = False) -> np.ndarray:
    """Correctly rounded float32 ``a*b + c`` for float32 operands (_fma.py).
    ``exact_in_double=True`` skips the check for float32 midpoints where the float64 sum is known
    to be exact.
    """
    if not exact_in_double:
        return fma32(a, b, c)
    s = np.multiply(a, b, dtype=_F64)
    return np.add(s, c, out=np.empty(s.shape, _F32), casting="same_kind")


# ------------------------------------------------------------ float32 Cephes log / sincos (AVX2)
# PyTorch's AVX2 normal kernel uses the Cephes-derived avx_mathfun routines in float32, and GCC
# contracts some of their multiply-adds into FMAs; the contraction pattern below is the one that
# reproduces PyTorch bit for bit (TORCH_FACTS 4.3). Their inputs are 1-u and float32(2*pi)*u for
# the 2^24 possible 24-bit uniforms u; over all of them, rounding each fused step's float64 sum
# straight to float32 (without _fma32's midpoint fix-up) was checked to give identical results,
# so these steps take the cheaper path.


def _horner32(y: np.ndarray, x64: np.ndarray, coefs) -> np.ndarray:
    """Fused Horner steps ``y = fma(y, x, c)`` in float32 (y is overwritten): the exact product
    in float64, the sum rounded to float64 and, on the way into ``y``, to float32."""
    t = np.empty(x64.shape, _F64)
    for c in coefs:
        np.multiply(y, x64, out=t)
        np.add(t, c, out=y, casting="same_kind")
    return y


_LOG_P = [
    np.float32(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1, _LOG_Q2 = np.float32(-2.12194440e-4), np.float32(0.693359375)
_SQRTHF = np.float32(0.707106781186547524)
_DP = [np.float32(v) for v in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)]
_FOPI = np.float32(1.27323954473516)
_SINCOF = [np.float32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COSCOF = [
    np.float32(v) for v in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
]


def _log_avx2(x: np.ndarray) -> np.ndarray:
    """Cephes float32 log of positive normal floats (inputs here are in [2^-24, 1])."""
    bits = np.ascontiguousarray(x).view(np.uint32)
    mant = bits & np.uint32(0x7FFFFF)
    # x = 2^e * (1 + m) with 1 + m in [sqrt(1/2), sqrt(2)): the mantissa in [1, 2), halved (one
    # off the exponent field) when it is sqrt(2) or more; integer ops, no float select
    big = (mant >= np.uint32(0x3504F3)).view(np.uint8).astype(np.uint32)
    m = ((mant | np.uint32(0x3F800000)) - (big << np.uint32(23))).view(_F32)
    m -= np.float32(1)  # exact
    e = ((bits >> np.uint32(23)) + big).astype(_F32)
    e -= np.float32(127)
    z = m * m
    y = _horner32(np.full_like(m, _LOG_P[0]), m.astype(_F64), _LOG_P[1:])
    y *= m
    y = _fma32(y, z, e * _LOG_Q1, True)
    # fma(-z, 0.5, y) and fma(e, q2, m + y): both products are exact in float32 (a halving; an
    # exponent of at most 5 bits times a 9-bit constant), so float32 arithmetic rounds alike
    y -= z * np.float32(0.5)
    y += m
    y += e * _LOG_Q2
    return y


def _sincos_avx2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cephes float32 sin and cos of non-negative x."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    # the first two reduction steps are fused multiply-adds whose products are exact in float32
    # (y is 0, 2, 4, 6 or 8 and the constants have 8 and 11 bits), so float32 arithmetic
    # rounds them identically
    x = x + y * _DP[0]
    x += y * _DP[1]
    x = _fma32(y, _DP[2], x, True)
    z = x * x
    z64 = z.astype(_F64)
    yc = _horner32(np.full_like(z, _COSCOF[0]), z64, _COSCOF[1:])
    yc *= z
    yc = _fma32(yc, z, -(z * np.float32(0.5)), True)
    yc += np.float32(1)
    ys = _horner32(np.full_like(z, _SINCOF[0]), z64, _SINCOF[1:])
    ys *= z
    ys = _fma32(ys, x, x, True)
    # NOTE: bit operations instead of selects and multiplies: the octants where the cosine
    # polynomial gives the sine swap the two (an XOR with their difference under a mask), and
    # the quadrant's sign flips are XORs on the sign bit (a negation, -0.0 included)
    ys_bits, yc_bits = ys.view(np.uint32), yc.view(np.uint32)
    swap = ys_bits ^ yc_bits
    swap &= (-((j & 2) >> 1)).view(np.uint32)
    sin = ys_bits ^ swap
    sin ^= ((j & 4) << 29).view(np.uint32)
    cos = yc_bits ^ swap
    cos ^= ((((j - 2) & 4) ^ 4) << 29).view(np.uint32)
    return sin.view(_F32), cos.view(_F32)


# ------------------------------------------------------------- libm (glibc) transcendentals
# PyTorch's double-precision kernels call glibc's log/log1p/sin/cos. NumPy calls libm too on some
# builds but uses its own SIMD code on others (AVX512), which differs in the last bit; each
# function is checked once against Python's math module (which is libm) and the exact per-element
# path is used where NumPy disagrees.

_NP_MATCHES_LIBM: dict[str, bool] = {}


def _libm_f64(name: str, x: np.ndarray) -> np.ndarray:
    np_fn, math_fn = getattr(np, name), getattr(math, name)
    ok = _NP_MATCHES_LIBM.get(name)
    if ok is None:
        probe = np.random.RandomState(1).random_sample(4096) * (-1.0 if name == "log1p" else 7.0)
        probe[0:2048] = np.abs(probe[0:2048]) / 7.0 if name == "log" else probe[0:2048]
        ref = np.array([math_fn(v) for v in probe.tolist()])
        ok = _NP_MATCHES_LIBM[name] = bool(np.array_equal(np_fn(probe), ref))
    if ok:
        return np_fn(x)
    return np.fromiter(map(math_fn, x.ravel().tolist()), _F64, count=x.size).reshape(x.shape)


_LIBM = None


def _libm():
    """glibc's libm through ctypes, loaded on first use (its float functions for CPUs without
    AVX2; lgamma for the Poisson sampler: Python's math.lgamma is not libm's)."""
    global _LIBM
    if _LIBM is None:
        import ctypes
        import ctypes.util

        _LIBM = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for fn in ("logf", "sinf", "cosf"):
            getattr(_LIBM, fn).restype = ctypes.c_float
            getattr(_LIBM, fn).argtypes = [ctypes.c_float]
        _LIBM.lgamma.restype = ctypes.c_double
        _LIBM.lgamma.argtypes = [ctypes.c_double]
    return _LIBM


def _libm_f32(name: str, x: np.ndarray) -> np.ndarray:
    """glibc's float functions (logf, sinf, cosf) element by element: used only on CPUs without
    AVX2, where PyTorch calls them and nothing vectorised reproduces their rounding."""
    fn = getattr(_libm(), name)
    return np.fromiter(map(fn, x.ravel().tolist()), _F32, count=x.size).reshape(x.shape)


def _poisson_one(lam: float, draw, lgamma) -> float:
    """One Poisson sample as PyTorch's CPU kernel draws it: Knuth's product of uniforms below
    rate 10, Hoermann's transformed rejection (PTRS) from 10 on. ``draw()`` is the next 53-bit
    uniform of the stream."""
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = draw() - 0.5
            v = draw()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return float(k)
            if k < 0 or (us < 0.013 and v > us):
                continue
            if math.log(v) + math.log(invalpha) - math.log(
                a / (us * us) + b
            ) <= -lam + k * loglam - lgamma(k + 1.0):
                return float(k)
    if lam == 0:
        return 0.0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= draw()
        if prod > enlam:
            x += 1
        else:
            return float(x)


def _mantissa_digits(dtype: np.dtype) -> int:
    return {2: 11, 4: 24, 8: 53}[dtype.itemsize] if dtype.name != "bfloat16" else 8


def _affine(x: np.ndarray, scale, shift) -> np.ndarray:
    """``x*scale + shift`` in x's dtype, fused into one rounding on AVX2 builds."""
    if scale == 1 and shift == 0:
        return x
    if shift == 0:
        return x * x.dtype.type(scale)
    if CPU_CAPABILITY == "default":
        return x * x.dtype.type(scale) + x.dtype.type(shift)
    if x.dtype == _F32:
        return _fma32(x, np.float32(scale), np.float32(shift))
    return _fma64(x, scale, shift)


def _fma_always(x: np.ndarray, scale, shift) -> np.ndarray:
    """``fma(x, scale, shift)``: explicitly fused in every build of the 16-wide kernel."""
    if scale == 1 and shift == 0:
        return x
    if x.dtype == _F32:
        return _fma32(x, np.float32(scale), np.float32(shift))
    return _fma64(x, scale, shift)


_CHUNK_ROWS = 4096


def _box_muller16(blocks: np.ndarray, mean, std) -> None:
    """Turn rows of 16 uniforms into 16 normals in place: the first 8 give radii, the last 8
    angles; cosines go to the first half, sines to the second."""
    u1, u2 = 1 - blocks[:, :8], blocks[:, 8:]
    if blocks.dtype == _F64:
        radius = np.sqrt(-2.0 * _libm_f64("log", u1))
        theta = _TWO_PI * u2
        sin, cos = _libm_f64("sin", theta), _libm_f64("cos", theta)
    elif CPU_CAPABILITY == "avx2":
        if len(blocks) > _CHUNK_ROWS:  # cache-sized pieces: NumPy's many passes stay in L2
            for lo in range(0, len(blocks), _CHUNK_ROWS):
                _box_muller16(blocks[lo : lo + _CHUNK_ROWS], mean, std)
            return
        radius = np.sqrt(np.float32(-2) * _log_avx2(u1))
        sin, cos = _sincos_avx2(np.float32(_TWO_PI) * u2)
    else:
        radius = np.sqrt(np.float32(-2) * _libm_f32("logf", u1))
        theta = (_TWO_PI * u2.astype(_F64)).astype(_F32)
        sin, cos = _libm_f32("sinf", theta), _libm_f32("cosf", theta)
    blocks[:, :8] = _fma_always(radius * cos, std, mean)
    blocks[:, 8:] = _fma_always(radius * sin, std, mean)


def _fisher_yates(j: np.ndarray, n: int) -> np.ndarray:
    """``a = arange(n)`` after ``a[i], a[j[i]] = a[j[i]], a[i]`` for i = 0, 1, ... (j[i] >= i).

    Solved without a per-step loop: slot i ends up holding what slot j[i] held at step i. That
    is j[i] itself unless an earlier step k swapped into slot j[i]; then it is what slot k held at
    step k, found by following "the last earlier step that swapped into this slot" links to their
    root (pointer doubling).
    """
    steps = j.size
    key = j * n + np.arange(steps)  # order by (target slot, step)
    key.sort()
    tgt, stp = np.divmod(key, n)
    same = tgt[1:] == tgt[:-1]
    last_same = np.full(steps, -1, np.int64)  # last earlier step with the same target
    last_same[stp[1:][same]] = stp[:-1][same]
    # prev[k]: last step before k that targeted slot k (targets never precede their step)
    ends = np.flatnonzero(np.append(~same, True))
    grp_tgt, grp_step = tgt[ends], stp[ends]
    own = grp_step == grp_tgt  # slot k's latest hit is step k itself: take the one before
    prev = np.full(n, -1, np.int64)
    prev[grp_tgt[~own]] = grp_step[~own]
    own_ends = ends[own]
    before = own_ends[own_ends > 0] - 1
    before = before[same[before]]
    prev[tgt[before]] = stp[before]
    root = np.where(prev >= 0, prev, np.arange(n))
    while True:
        hop = root[root]
        if np.array_equal(hop, root):
            break
        root = hop
    out = np.empty(n, np.int64)
    out[:steps] = np.where(last_same >= 0, root[last_same], j)
    out[steps] = root[n - 1]
    return out
