"""Random sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial`` (the in-place ``uniform_`` / ``normal_`` / ... methods: ``sampling_inplace.py``).

Values come from ``numtorch.random`` (PyTorch's CPU generator, bit for bit). PyTorch fills a
tensor in memory order, so a non-contiguous destination receives the generator's values along
its strides, sorted from the outermost to the innermost, not in its logical order.
"""

from __future__ import annotations

import math

from .. import _backend, _dtype, _rng_kernels
from .. import random as _random
from .._tensor import Tensor
from ..autograd.function import Primitive
from .inplace import check_leaf, check_not_overlapping
from .tensor_data import _finish, parse_size, size_keyword

__all__ = [
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "randint",
    "randint_like",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "poisson",
]


def _gen(generator, dev):
    """``generator``, or the default generator of device ``dev``."""
    return _random.generator_for(_backend.as_device(dev)) if generator is None else generator


def _target(device):
    return _backend.as_device(device) if device is not None else _backend.get_default_device()


def _f64(gen, name: str, x):
    """``name`` (log, log1p, tan, exp) of float64 ``x`` as the generator's device computes it:
    PyTorch's CPU kernels call libm, whose results NumPy's do not always match."""
    if isinstance(gen, _random.Generator):
        return _rng_kernels._libm_f64(name, x)
    return getattr(_backend.array_module(x), name)(x)


def _scale(gen, x, scale: float, shift: float):
    """``x * scale + shift``, rounded as PyTorch's CPU kernel rounds it on the CPU."""
    if isinstance(gen, _random.Generator):
        return _rng_kernels._affine(x, scale, shift)
    return x * scale + shift


def _float_np(dtype, op):
    d = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    if not (d.is_floating_point or d.is_complex):
        raise _dtype.not_implemented(op, d)
    return d.np


def _need_float(dt, kernel):
    """PyTorch's refusal of a continuous distribution's kernel for a non-float dtype."""
    if dt.is_floating_point:
        return
    if kernel in ("Exponential", "Cauchy"):
        name = dt.c_type_name if kernel == "Cauchy" else dt.scalar_type_name
        raise RuntimeError(
            f"{kernel} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {name}"
        )
    raise _dtype.not_implemented(kernel, dt)


def _check_random_bounds(dt, high):
    if dt.is_complex:
        raise RuntimeError(
            "check_random_bounds handles only integral, floating-point and boolean types"
        )
    if dt is _dtype.bool and high > 2:
        raise RuntimeError("to - 1 is out of bounds for bool")


def _factory(arr, device, requires_grad, out):
    dev = _target(device)
    if dev.type != "cpu":
        arr = _backend.asarray(arr, dev=dev)
    return _finish(arr, requires_grad, out)


def _memory_order(arr):
    """The axes of ``arr`` from largest stride to smallest: its C order is its memory order."""
    return sorted(range(arr.ndim), key=lambda d: -arr.strides[d])


def _write(t: Tensor, draw) -> Tensor:
    """Fill ``t`` in memory order with ``draw(shape, contiguous)`` (a host array of that shape,
    copied to ``t``'s device)."""
    check_leaf(t)
    check_not_overlapping(t)
    arr, dev = t._data, t.device
    if arr.flags.c_contiguous:
        arr[...] = _backend.transfer(draw(arr.shape, True), dev)
    else:
        view = arr.transpose(_memory_order(arr))
        view[...] = _backend.transfer(draw(view.shape, False), dev)
    t._bump_version()
    return t


# ---------------------------------------------------------------------------- factories


@size_keyword
def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Uniform samples in [0, 1) of the given size.

    Examples:
        >>> numtorch.manual_seed(0); numtorch.rand(2)
        tensor([0.4963, 0.7682])
    """
    shape = parse_size(size, "rand")
    arr = _gen(generator, _target(device)).uniform(shape, _float_np(dtype, "check_uniform_bounds"))
    return _factory(arr, device, requires_grad, out)


@size_keyword
def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Standard normal samples of the given size.

    Examples:
        >>> numtorch.manual_seed(0); numtorch.randn(2)
        tensor([ 1.5410, -0.2934])
    """
    shape = parse_size(size, "randn")
    arr = _gen(generator, _target(device)).normal(shape, _float_np(dtype, "normal_kernel_cpu"))
    return _factory(arr, device, requires_grad, out)


def _like(factory, input, dtype, device, requires_grad, generator, *bounds):
    """``factory(*bounds, input.shape)`` in ``input``'s dtype and on its device unless given."""
    return factory(
        *bounds,
        input.shape,
        generator=generator,
        dtype=_dtype.as_dtype(dtype) or input.dtype,
        device=device or input.device,
        requires_grad=requires_grad,
    )


def rand_like(
    input,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
) -> Tensor:
    return _like(rand, input, dtype, device, requires_grad, generator)


def randn_like(
    input,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
) -> Tensor:
    return _like(randn, input, dtype, device, requires_grad, generator)


def randint(
    *args,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high).

    Examples:
        >>> numtorch.manual_seed(0); numtorch.randint(0, 10, (4,))
        tensor([4, 9, 3, 0])
    """
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, *bounds) if len(bounds) == 1 else bounds
    d = _dtype.as_dtype(dtype) or _dtype.int64
    _check_random_bounds(d, high)
    gen = _gen(generator, _target(device))
    arr = gen.randint(parse_size((size,), "randint"), low, high, d.np)
    return _factory(arr, device, requires_grad, out)


def randint_like(
    input,
    low=0,
    high=None,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
) -> Tensor:
    if high is None:
        low, high = 0, low
    return _like(randint, input, dtype, device, requires_grad, generator, low, high)


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    Examples:
        >>> numtorch.manual_seed(0); numtorch.randperm(4)
        tensor([2, 0, 1, 3])
    """
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    d = _dtype.as_dtype(dtype) or _dtype.int64
    if d.is_complex or d is _dtype.bool:
        raise _dtype.not_implemented("randperm", d)
    arr = _gen(generator, _target(device)).randperm(n, d.np)
    return _factory(arr, device, requires_grad, out)


def _exponential(gen, shape, lambd):
    u = gen.uniform_double(math.prod(shape))
    return ((-1.0 / lambd) * _f64(gen, "log1p", -u)).reshape(shape)


def _check_std(std):
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def normal(
    mean,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or elementwise with tensors.

    A tensor ``mean`` or ``std`` draws standard normals of the result's shape first and then
    scales and shifts them with separate roundings, as PyTorch does.
    """
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    where = mean.device if mean_t else std.device if std_t else _target(device)
    gen = _gen(generator, where)
    if not (mean_t or std_t):
        if size is None:
            raise TypeError("normal() missing required argument 'size'")
        _check_std(std)
        arr = gen.normal(
            parse_size((size,), "normal"), _float_np(dtype, "normal_kernel_cpu"), mean, std
        )
        return _factory(arr, device, requires_grad, out)
    if std_t and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if mean_t and std_t:
        result = _dtype.promote_types(mean.dtype, std.dtype)
        shape = _backend.module_for(mean.device).broadcast_shapes(mean.shape, std.shape)
        arr = _backend.transfer(gen.normal(shape, result.np), mean.device)
        arr *= std._data
        arr += mean._data
    elif mean_t:
        _check_std(std)
        arr = _backend.transfer(gen.normal(mean.shape, mean.dtype.np, 0.0, std), mean.device)
        arr += mean._data
    else:
        arr = _backend.transfer(gen.normal(std.shape, std.dtype.np), std.device)
        arr *= std._data
        arr += arr.dtype.type(mean)
    return _finish(arr, False, out)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the number ``p``), in ``input``'s dtype."""
    if p is None:
        if not input.dtype.is_floating_point:
            kernel = "self_" if input.dtype.is_complex else "p_"
            raise _dtype.not_implemented("bernoulli_tensor_cpu_" + kernel, input.dtype)
        return _finish(_bernoulli_probs(_gen(generator, input.device), input), False, out)
    return input.new_empty(input.shape).bernoulli_(p, generator=generator)


def _bernoulli_probs(gen, probs):
    if ((probs._data < 0) | (probs._data > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draws = gen.bernoulli_tensor(_backend.to_host(probs._data))
    return _backend.transfer(draws, probs.device).astype(probs._data.dtype)


class Poisson(Primitive):
    """Counts sampled from the rates (drawn before ``apply``): the gradient is zero."""

    _name = "PoissonBackward0"

    def forward(ctx, rates, counts):
        return counts

    def backward(ctx, g):
        return ctx.xp.zeros_like(g), None


def poisson(input: Tensor, generator=None) -> Tensor:
    """A Poisson count for each rate of ``input`` (same dtype), drawn in its logical order
    (PyTorch writes a new contiguous tensor)."""
    _need_float(input.dtype, "poisson_cpu")
    rates = input._data
    if not (rates >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    counts = _gen(generator, input.device).poisson(_backend.to_host(rates))
    return Poisson.apply(input, _backend.array_module(rates).asarray(counts, dtype=rates.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """Category indices drawn from the rows of ``input`` (non-negative weights).

    Without replacement (or for one sample) this is PyTorch's exponential trick: the largest
    ``input / Exp(1)``; with replacement, a binary search of each row's normalised cumulative sum
    for one 53-bit uniform per sample, row after row.
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            + input.dtype.scalar_type_name
        )
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not (probs >= 0).all() or not _backend.module_for(input.device).isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (probs.sum(-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    n_cat = probs.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    gen = _gen(generator, input.device)
    if not replacement or num_samples == 1:
        q = _backend.transfer(_exponential(gen, probs.shape, 1.0), input.device)
        q = q.astype(probs.dtype)
        keys = probs / q
        idx = (-keys).argsort(-1, kind="stable")[..., :num_samples]
    else:
        rows = probs.reshape(-1, n_cat)
        idx = _backend.array_module(rows).empty((rows.shape[0], num_samples), "int64")
        for r, row in enumerate(rows):
            cum = row.cumsum()  # sequential, in the input's dtype, like PyTorch's loop
            cum /= cum[-1]
            u = _backend.transfer(gen.uniform_double(num_samples), input.device)
            idx[r] = cum.searchsorted(u, side="left")
        idx = idx.reshape(probs.shape[:-1] + (num_samples,))
    return _finish(idx.astype("int64"), False, out)


METHODS = {
    "bernoulli": bernoulli,
    "multinomial": multinomial,
}
