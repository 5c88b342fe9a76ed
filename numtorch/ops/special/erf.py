"""The error function family on arrays (NumPy has no erf): the kernels of the derivative
table's erf, erfc and erfinv rows (the public functions are in functions.py).

``erf``/``erfc`` use W. J. Cody's rational Chebyshev approximations (1969; the CALERF
routine), which are accurate to float64 rounding on three ranges of ``|x|``. ``erfinv`` starts
from M. Giles' single-precision approximation (2010) and refines it with Newton steps on
``erf`` (or on ``erfc`` in the tails, where ``1 - |y|`` keeps the residual accurate).
"""

from __future__ import annotations

import math

from ..._backend import array_module

__all__ = []

_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_FRAC_1_SQRT_PI = 0.56418958354775628695
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


def _ratio(y, num, den, n):
    """Cody's ``(((num[n]*y + num[0])*y + ...) / ((y + den[0])*y + ...)`` Horner scheme,
    each step written in place (the same operations in the same order as the plain form)."""
    xnum = num[-1] * y
    xden = y + den[0]
    xden *= y
    for i in range(n):
        xnum += num[i]
        xnum *= y
        if i:
            xden += den[i]
            xden *= y
    return xnum, xden


def _erfc_tail(xp, y):
    """``erfc(y)`` for a flat float64 array of ``y = |x| > 0.46875`` (two ranges, each
    computed on its own elements only)."""
    y = xp.minimum(y, 30.0)  # erfc(30) is 0 in float64; keeps inf out of the split below
    r = xp.empty_like(y)
    # index arrays, not boolean masks: NumPy gathers and scatters through them about 4x faster
    inside = y <= 4.0
    mid = xp.flatnonzero(inside)
    xnum, xden = _ratio(y[mid], _C, _D, 7)
    xnum += _C[7]
    xden += _D[7]
    r[mid] = xnum / xden
    big = xp.flatnonzero(~inside)
    if big.size:
        yt = y[big]
        ysq = 1.0 / (yt * yt)
        xnum, xden = _ratio(ysq, _P, _Q, 4)
        r[big] = (_FRAC_1_SQRT_PI - ysq * (xnum + _P[4]) / (xden + _Q[4])) / yt
    # exp(-y*y) split as exp(-ysq^2) * exp(-del) keeps the rounding of y*y out of the result
    ysq = y * 16.0
    xp.trunc(ysq, out=ysq)
    ysq /= 16.0
    head = -ysq * ysq
    xp.exp(head, out=head)
    rest = y - ysq
    ysq += y
    rest *= ysq
    xp.negative(rest, out=rest)
    xp.exp(rest, out=rest)
    head *= rest
    head *= r
    return head


def _erf_small(x):
    """``erf(x)`` for ``|x| <= 0.46875``."""
    ysq = x * x
    xnum, xden = _ratio(ysq, _A, _B, 3)
    xnum += _A[3]
    xden += _B[3]
    xnum *= x
    xnum /= xden
    return xnum


def _erf_parts(x, small_part, tail_part):
    """A function of ``x`` computed in float64, ``small_part(x)`` where ``|x| <= 0.46875`` and
    ``tail_part(x, erfc(|x|))`` elsewhere, each range on its own elements only (gathered in
    ``x``'s dtype, widened there, and narrowed back as they are scattered into the result)."""
    xp = array_module(x)
    flat = x.ravel()
    near = xp.abs(flat) <= 0.46875
    small, tail = xp.flatnonzero(near), xp.flatnonzero(~near)  # see _erfc_tail
    res = xp.empty(flat.shape, x.dtype)
    res[small] = small_part(flat[small].astype(xp.float64, copy=False))
    xt = flat[tail].astype(xp.float64, copy=False)
    res[tail] = tail_part(xt, _erfc_tail(xp, xp.abs(xt)))
    return res.reshape(x.shape)


def _erf_tail(x, erfc):
    """``sign(x) * (1 - erfc)``, ``1 - erfc`` written over ``erfc`` (a temporary)."""
    xp = array_module(x)
    xp.subtract(1.0, erfc, out=erfc)
    return xp.where(x < 0, -erfc, erfc)


def _erfc_small(x):
    small = _erf_small(x)
    return array_module(x).subtract(1.0, small, out=small)


def _erfc_tail2(x, erfc):
    return array_module(x).where(x < 0, 2.0 - erfc, erfc)


def erf_array(x):
    """erf of a float array, computed in float64 and returned in ``x``'s dtype."""
    return _erf_parts(x, _erf_small, _erf_tail)


def erfc_array(x):
    return _erf_parts(x, _erfc_small, _erfc_tail2)


def _erfinv_guess(xp, y):
    """Giles' approximation: relative error about 1e-7 for float32 inputs, coarser in the
    float64-only tail (``1 - |y| < 1e-7``), which the Newton steps fix."""
    w = -xp.log((1.0 - y) * (1.0 + y))
    lo = w < 5.0
    a = xp.where(lo, w, 5.0) - 2.5
    p = 2.81022636e-08
    for c in (
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ):
        p = c + p * a
    b = xp.sqrt(xp.where(lo, 5.0, w)) - 3.0
    q = -0.000200214257
    for c in (
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    ):
        q = c + q * b
    return xp.where(lo, p, q) * y


def erfinv_array(y):
    xp = array_module(y)
    y64 = y.astype(xp.float64)
    a = xp.abs(y64)
    inside = a < 1.0
    ac = xp.where(inside, a, 0.0)
    x = _erfinv_guess(xp, ac)
    tail = ac > 0.5
    target = xp.where(tail, 1.0 - ac, ac)  # 1 - a is exact for a in [0.5, 1]
    for _ in range(4):
        # NOTE: in the tail, Newton on log(erfc(x)) = log(1 - a): erf(x) - a would lose every
        # digit of the residual below erf's rounding near 1, and the log makes the function
        # nearly linear in x: four steps reach float64 rounding even from the coarse guess
        d = _TWO_OVER_SQRT_PI * xp.exp(-x * x)
        c = erfc_array(x)
        step_tail = (xp.log(c) - xp.log(target)) * c / d
        step_mid = (erf_array(x) - target) / d
        x = x + xp.where(tail, step_tail, -step_mid)
    res = xp.where(inside, x, xp.where(a == 1.0, xp.inf, xp.nan))
    res = xp.copysign(res, y64)
    res = xp.where(xp.isnan(y64), y64, res)
    return res.astype(y.dtype, copy=False)
