"""Complex numbers: real/imag views, conj, angle, polar, complex(), view_as_real/complex.

Gradients follow PyTorch's convention for complex autograd: the gradient of a real loss ``L``
with respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (twice the conjugate Wirtinger
derivative), so a holomorphic ``f`` passes ``g * conj(f'(z))`` back to its input, and a real
input receiving a complex gradient keeps only its real part.
"""

from __future__ import annotations

from .. import _dtype
from .._autocast import op_inputs
from .._backend import array_module
from .._tensor import Tensor, wrap
from ..autograd.function import Primitive
from .arithmetic import with_out
from .inplace import inplace, make_view
from .shape import linear

__all__ = [
    "real",
    "imag",
    "conj",
    "conj_physical",
    "resolve_conj",
    "resolve_neg",
    "is_conj",
    "is_neg",
    "angle",
    "view_as_real",
    "view_as_complex",
    "polar",
    "complex",
    "isreal",
]

_new = object.__new__


# --- views -------------------------------------------------------------------------------------
class Real(Primitive):
    _name = "SelectBackward0"  # PyTorch selects component 0 of view_as_real

    def forward(ctx, z):
        return z.real

    def backward(ctx, g):
        return linear(ctx, ToComplex, g, False)


class Imag(Primitive):
    _name = "SelectBackward0"

    def forward(ctx, z):
        return z.imag

    def backward(ctx, g):
        # NOTE: L depends on y = Im(z) only, so dL/dx + i dL/dy = i g
        return linear(ctx, ToComplex, g, True)


class ToComplex(Primitive):
    """``g`` (real) as the real part, or with ``imaginary`` as the imaginary part, of a
    complex array: the adjoint of ``Real`` / ``Imag``."""

    _name = "ComplexBackward0"
    __slots__ = ("imaginary",)

    def forward(ctx, g, imaginary):
        ctx.imaginary = imaginary
        xp = array_module(g)
        out = xp.zeros(g.shape, _complex_of(g.dtype))
        if imaginary:
            out.imag = g
        else:
            out.real = g
        return out

    def backward(ctx, gg):
        return linear(ctx, Imag if ctx.imaginary else Real, gg), None


def _complex_of(np_dtype):
    return _dtype.from_np(np_dtype).to_complex().np


class ViewAsReal(Primitive):
    _name = "ViewAsRealBackward0"

    def forward(ctx, z):
        # NOTE: a strided view (not ndarray.view), so 0-d and transposed inputs work too
        re = z.real
        return array_module(z).lib.stride_tricks.as_strided(
            re, z.shape + (2,), re.strides + (re.itemsize,)
        )

    def backward(ctx, g):
        return linear(ctx, ViewAsComplex, ctx.xp.ascontiguousarray(g))


class ViewAsComplex(Primitive):
    _name = "ViewAsComplexBackward0"

    def forward(ctx, x):
        return x.view(_complex_of(x.dtype))[..., 0]

    def backward(ctx, g):
        return linear(ctx, ViewAsReal, g)


def real(input: Tensor) -> Tensor:
    """The real part of a complex tensor as a view (a real tensor is returned as it is)."""
    if input._data.dtype.kind != "c":
        return input
    return make_view(input, Real.apply(input), Real, ())


def imag(input: Tensor) -> Tensor:
    """The imaginary part of a complex tensor, as a view that shares its memory."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return make_view(input, Imag.apply(input), Imag, ())


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor of shape ``(...)`` seen as a real one of shape ``(..., 2)``."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return make_view(input, ViewAsReal.apply(input), ViewAsReal, ())


def view_as_complex(input: Tensor) -> Tensor:
    """A real tensor of shape ``(..., 2)`` seen as a complex one of shape ``(...)``."""
    (input,) = op_inputs("view_as_complex", input)
    a = input._data
    if a.dtype.kind != "f" or a.dtype.itemsize not in (4, 8):
        raise RuntimeError(
            "view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {input.dtype.scalar_type_name}"
        )
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * a.itemsize) for s in a.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if a.__array_interface__["data"][0] % (2 * a.itemsize):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return make_view(input, ViewAsComplex.apply(input), ViewAsComplex, ())


def _get_real(self):
    return real(self)


def _set_real(self, value):
    real(self).copy_(
        value if isinstance(value, Tensor) else wrap(array_module(self._data).asarray(value))
    )


def _get_imag(self):
    return imag(self)


def _set_imag(self, value):
    imag(self).copy_(
        value if isinstance(value, Tensor) else wrap(array_module(self._data).asarray(value))
    )


# --- conjugation -------------------------------------------------------------------------------
class Conj(Primitive):
    _name = "ConjBackward0"

    def forward(ctx, z):
        return array_module(z).conjugate(z)

    def backward(ctx, g):
        return ctx.xp.conj(g)


class ConjPhysical(Conj):
    _name = "ConjPhysicalBackward0"


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (a real tensor is returned as it is).

    PyTorch returns a lazily conjugated view; NumPy has no such view, so numtorch computes the
    conjugate at once (``is_conj()`` is False and later writes to ``input`` are not seen).
    """
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


def conj_physical(input: Tensor, *, out=None) -> Tensor:
    if input._data.dtype.kind != "c":
        return with_out(input, out) if out is not None else input
    return with_out(ConjPhysical.apply(input), out)


def _conj_physical_(self) -> Tensor:
    if self._data.dtype.kind != "c":
        return self
    return inplace(self, conj_physical)


def resolve_conj(input: Tensor) -> Tensor:
    """numtorch never holds a lazy conjugate, so there is nothing to materialise."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    return input


def is_conj(input: Tensor) -> bool:
    return False


def is_neg(input: Tensor) -> bool:
    return False


# --- angle, polar, complex ---------------------------------------------------------------------
class Angle(Primitive):
    _name = "AngleBackward0"
    __slots__ = ("is_complex",)

    def forward(ctx, z):
        ctx.is_complex = z.dtype.kind == "c"
        ctx.save_for_backward(z)
        return array_module(z).angle(z).astype(z.real.dtype, copy=False)

    def backward(ctx, g):
        if not ctx.is_complex:
            return g * 0  # NOTE: the angle of a real number is piecewise constant
        (z,) = ctx.saved_tensors
        xp = ctx.xp
        # NOTE: d atan2(y, x) = (x dy - y dx) / |z|^2, i.e. i z / |z|^2 in PyTorch's convention;
        # zero at z = 0, as PyTorch defines it. Built from real parts so that its own
        # derivative needs no complex product.
        x, y = xp.real(z), xp.imag(z)
        a2 = x * x + y * y
        scale = xp.where(a2 == 0, 0.0, g / xp.where(a2 == 0, 1.0, a2))
        return _make_complex(ctx, -y * scale, x * scale)


def _make_complex(ctx, re, im):
    """``re + i im`` inside a backward (recorded under create_graph)."""
    return linear(ctx, Complex, re, im)


def angle(input: Tensor, *, out=None) -> Tensor:
    """The argument of each element (0 or pi for real numbers), in radians."""
    if input._data.dtype.kind in "iub":
        input = input.to(_dtype.get_default_dtype())
    return with_out(Angle.apply(input), out)


class Polar(Primitive):
    _name = "PolarBackward0"

    def forward(ctx, r, theta):
        xp = array_module(r)
        out = xp.empty(r.shape, _complex_of(r.dtype))
        out.real = r * xp.cos(theta)
        out.imag = r * xp.sin(theta)
        ctx.save_for_backward(r, theta, out)
        return out

    def backward(ctx, g):
        r, theta, out = ctx.saved_tensors
        xp = ctx.xp
        gr = gt = None
        if ctx.needs_input_grad[0]:
            # d out / dr is the unit phasor u = cos + i sin: Re(g conj(u)).
            # NOTE: PyTorch uses sgn(out) for u, which flips the sign where r < 0 (and is 0 at
            # r = 0); numtorch follows it
            gr = (xp.real(g) * xp.cos(theta) + xp.imag(g) * xp.sin(theta)) * xp.sign(r)
        if ctx.needs_input_grad[1]:
            # d out / dtheta = i out: Re(g conj(i out)) = Im(g) Re(out) - Re(g) Im(out)
            gt = xp.imag(g) * xp.real(out) - xp.real(g) * xp.imag(out)
        return gr, gt


class Complex(Primitive):
    _name = "ComplexBackward0"

    def forward(ctx, re, im):
        out = array_module(re).empty(
            re.shape if re.ndim >= im.ndim else im.shape, _complex_of(re.dtype)
        )
        out.real = re
        out.imag = im
        return out

    def backward(ctx, g):
        n = ctx.needs_input_grad
        xp = ctx.xp
        return xp.real(g) if n[0] else None, xp.imag(g) if n[1] else None


def _check_pair(name, a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'real' and 'imag' must be Tensor")
    da, db = a._data.dtype, b._data.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{a.dtype.scalar_type_name} and {b.dtype.scalar_type_name}"
        )
    if da != db:
        raise RuntimeError(
            f"Expected object of scalar type {a.dtype.scalar_type_name} but got scalar type "
            f"{b.dtype.scalar_type_name} for second argument"
        )


def _broadcast(a, b):
    if a._data.shape == b._data.shape:
        return a, b
    from .join import broadcast_tensors

    return broadcast_tensors(a, b)


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:  # noqa: A001 - PyTorch's name
    """``real + i imag`` (broadcast), of the complex dtype matching the float inputs."""
    _check_pair("complex", real, imag)
    return with_out(Complex.apply(*_broadcast(real, imag)), out)


def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """``abs * (cos(angle) + i sin(angle))``."""
    abs, angle = op_inputs("polar", abs, angle)  # noqa: A001
    _check_pair("polar", abs, angle)
    return with_out(Polar.apply(*_broadcast(abs, angle)), out)


def isreal(input: Tensor) -> Tensor:
    """True where the element has no imaginary part (everywhere, for a real tensor)."""
    if input.is_complex():
        return input.imag == 0
    return input.new_ones(input.shape).bool()


METHODS = {
    "isreal": isreal,
    "real": property(_get_real, _set_real),
    "imag": property(_get_imag, _set_imag),
    "conj": conj,
    "conj_physical": conj_physical,
    "conj_physical_": _conj_physical_,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "angle": angle,
}
