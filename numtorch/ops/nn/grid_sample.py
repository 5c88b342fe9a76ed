"""``grid_sample`` and ``affine_grid``: sampling an image at arbitrary normalised positions.

``grid_sample`` is a composition: the grid is unnormalised to pixel coordinates with Tensor
arithmetic, the padding mode maps them into the image (``PadCoord``, whose gradient is
PyTorch's: zero on and beyond the border, negated on reflected stretches), and the output is
a weighted sum of corner values gathered from the input (``GatherPoints``; its gradient
scatters back). The interpolation weights are Tensor expressions of the coordinates, so the
gradients with respect to the input and the grid, and their higher orders, follow from the
chain rule, term by term the formulas of PyTorch's kernels.
"""

from __future__ import annotations

import itertools
import math
import warnings

from ..._autocast import op_inputs
from ..._backend import array_module
from ..._tensor import Tensor, wrap
from ...autograd.function import Primitive
from ..shape import linear
from .interpolate import cubic_weights

__all__ = []
METHODS = {}


class PadCoord(Primitive):
    """Pixel coordinates mapped into ``[0, size - 1]`` by clipping ('border') or reflecting
    then clipping ('reflection')."""

    _name = "GridSamplerCoordBackward0"
    __slots__ = ("slope",)

    def forward(ctx, c, size, reflect, align_corners):
        out, ctx.slope = pad_coords(array_module(c), c, size, reflect, align_corners)
        return out

    def backward(ctx, g):
        return g * ctx.xp.asarray(ctx.slope), None, None, None


def pad_coords(xp, c, size, reflect, align_corners):
    """``(coordinates in [0, size - 1], their derivative)`` for 'border' or 'reflection'."""
    slope = xp.ones(c.shape, c.dtype)
    if reflect:
        c, slope = _reflect(xp, c, size, align_corners)
    hi = size - 1
    # NOTE: PyTorch counts the border itself as outside: no gradient there
    slope *= (c > 0) & (c < hi)
    return xp.clip(c, 0, hi), slope


def _reflect(xp, c, size, align_corners):
    """Reflect coordinates over the image's extent; ``(reflected, d reflected / d c)``."""
    low = 0.0 if align_corners else -0.5
    twice = 2 * (size - 1) if align_corners else 2 * size
    if twice == 0:
        return xp.zeros_like(c), xp.zeros_like(c)
    shifted = c - c.dtype.type(low)
    a = xp.abs(shifted)
    extra = a - xp.trunc(a / twice) * twice
    flip = extra > twice / 2
    out = xp.where(flip, twice - extra, extra) + c.dtype.type(low)
    slope = xp.where((shifted < 0) ^ flip, -1, 1).astype(c.dtype)
    return out, slope


class GatherPoints(Primitive):
    """Rows of a channels-last image ``(N, L, C)`` at the flat positions ``idx`` (``(N, P)``):
    ``(N, P, C)``. Reading whole rows of channels is what makes the gather fast."""

    _name = "GridSamplerGatherBackward0"
    __slots__ = ("rows", "shape")

    def forward(ctx, x, idx):
        xp = array_module(x)
        n, size, c = ctx.shape = x.shape
        ctx.rows = idx + xp.arange(n).reshape(n, 1) * size
        return xp.take(x.reshape(n * size, c), ctx.rows, axis=0)

    def backward(ctx, g):
        return linear(ctx, ScatterPoints, g, ctx.rows, ctx.shape), None


def _firsts(xp, dest):
    """Where each run of equal (sorted) destinations starts."""
    change = xp.empty(dest.shape, bool)
    change[:1] = True
    xp.not_equal(dest[1:], dest[:-1], out=change[1:])
    return change


def scatter_rows(xp, g, rows, shape):
    """The adjoint of the gather: rows of ``g`` (``(N, P, C)``) summed into ``shape``.

    Sorted by destination, the rows go in rounds: the first row of every destination, then
    the second, ... (whole-row writes to distinct places, fast); rows left after a few rounds
    (destinations read many times, like a clipped border) are summed by segments.
    """
    c = shape[2]
    out = xp.zeros((shape[0] * shape[1], c), g.dtype)
    flat = rows.ravel()
    order = xp.argsort(flat, kind="stable")
    dest, src = flat[order], g.reshape(-1, c)[order]
    first = _firsts(xp, dest)
    out[dest[first]] = src[first]
    rest = xp.flatnonzero(~first)
    for _ in range(3):
        if not rest.shape[0]:
            break
        d = dest[rest]
        first = _firsts(xp, d)
        out[d[first]] += src[rest[first]]
        rest = rest[~first]
    if rest.shape[0]:
        d = dest[rest]
        starts = xp.flatnonzero(_firsts(xp, d))
        out[d[starts]] += xp.add.reduceat(src[rest], starts, axis=0)
    return out.reshape(shape)


class ScatterPoints(Primitive):
    _name = "GridSamplerScatterBackward0"
    __slots__ = ("rows", "shape")

    def forward(ctx, g, rows, shape):
        ctx.rows, ctx.shape = rows, shape
        return scatter_rows(array_module(g), g, rows, shape)

    def backward(ctx, h):
        n, size, _ = ctx.shape
        local = ctx.rows - array_module(ctx.rows).arange(n).reshape(n, 1) * size
        return linear(ctx, GatherPoints, h, local), None, None


class ZeroGradLink(Primitive):
    """Passes ``out`` through and gives ``other`` a zero gradient (nearest sampling's grid)."""

    _name = "GridSampler2DBackward0"
    __slots__ = ("shape",)

    def forward(ctx, out, other):
        ctx.shape = other.shape
        return out.copy()

    def backward(ctx, g):
        zeros = ctx.xp.zeros(ctx.shape, g.dtype) if ctx.needs_input_grad[1] else None
        return g, zeros


def _unnormalize(c: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (c + 1) * ((size - 1) / 2)
    return ((c + 1) * size - 1) / 2


def _corner(xp, coords, offsets, spatial):
    """Flat index ``(N, P)`` and in-bounds mask ``(N, P, 1)`` of integer corner coordinates
    (each ``(N, P, 1)``)."""
    flat, ok = 0, True
    for c, o, n in zip(coords, offsets, spatial):
        c = c + o
        ok = ok & (c >= 0) & (c <= n - 1)
        flat = flat * n + xp.clip(c[..., 0], 0, n - 1).astype(xp.int64)
    return flat, ok


def _sample(x: Tensor, coords, mode, spatial, padding_mode, align_corners):
    """The weighted corner sum (``(N, P, C)``) for pixel coordinates ``coords`` (each
    ``(N, P, 1)``)."""
    xp = array_module(x._data)
    nd = len(coords)
    flat_x = x.reshape(x.shape[0], x.shape[1], -1).transpose(1, 2).contiguous()
    if mode == "nearest":
        # NOTE: PyTorch rounds half to even (nearbyint), as NumPy's rint
        ints = [xp.rint(c._data) for c in coords]
        idx, ok = _corner(xp, ints, (0,) * nd, spatial)
        return GatherPoints.apply(flat_x, idx) * wrap(ok.astype(x._data.dtype))
    if mode == "bilinear":
        floors = [xp.floor(c._data) for c in coords]
        fracs = [c - wrap(f) for c, f in zip(coords, floors)]
        out = None
        for corner in itertools.product((0, 1), repeat=nd):
            idx, ok = _corner(xp, floors, corner, spatial)
            w = wrap(ok.astype(x._data.dtype))
            for bit, t in zip(corner, fracs):
                w = w * (t if bit else 1 - t)
            term = GatherPoints.apply(flat_x, idx) * w
            out = term if out is None else out + term
        return out
    floors = [xp.floor(c._data) for c in coords]
    weights = [cubic_weights(c - wrap(f)) for c, f in zip(coords, floors)]
    out = None
    for offs in itertools.product(range(4), repeat=nd):
        taps = [f + (o - 1) for f, o in zip(floors, offs)]
        if padding_mode != "zeros":
            taps = [
                pad_coords(xp, t, n, padding_mode == "reflection", align_corners)[0]
                for t, n in zip(taps, spatial)
            ]
        idx, ok = _corner(xp, taps, (0,) * nd, spatial)
        w = wrap(ok.astype(x._data.dtype))
        for o, ws in zip(offs, weights):
            w = w * ws[o]
        term = GatherPoints.apply(flat_x, idx) * w
        out = term if out is None else out + term
    return out


def _check(input, grid, mode):
    nd = input.dim() - 2
    if input.dtype != grid.dtype:
        raise RuntimeError(
            f"expected scalar type {input.dtype.scalar_type_name} but found "
            f"{grid.dtype.scalar_type_name}"
        )
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}"
        )
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number "
            f"of dimensions, but got {sizes}"
        )
    if grid.shape[-1] != nd:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    for i in range(2, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial "
                f"dimensions, but input has sizes {list(input.shape)} with "
                f"dimension {i} being empty"
            )
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f'"grid_sampler_{nd}d_cpu_kernel_impl" not implemented '
            f"for '{input.dtype.scalar_type_name}'"
        )


_DEFAULT_CHANGED = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Samples ``input`` (``(N, C, H, W)`` or ``(N, C, D, H, W)``) at the normalised positions
    ``grid`` (``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``, ``x`` first; -1 and
    1 are the image's edges, or its corner pixel centres with ``align_corners=True``)."""
    input, grid = op_inputs("grid_sampler", input, grid)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', "
            f"'nearest' or 'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
            f"'border', or 'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, stacklevel=2)
        align_corners = False
    _check(input, grid, mode)
    nd = input.dim() - 2
    spatial = tuple(input.shape[2:])
    n, outs = grid.shape[0], tuple(grid.shape[1:-1])
    flat = grid.reshape(n, -1, 1, nd)
    coords = []
    for i in range(nd):  # grid's last axis lists x (width) first
        size = spatial[nd - 1 - i]
        c = _unnormalize(flat[..., i], size, align_corners)
        if padding_mode != "zeros" and mode != "bicubic":
            c = PadCoord.apply(c, size, padding_mode == "reflection", align_corners)
        coords.append(c)
    out = _sample(input, coords[::-1], mode, spatial, padding_mode, align_corners)
    if mode == "nearest" and grid.requires_grad:
        out = ZeroGradLink.apply(out, grid)
    return out.transpose(1, 2).reshape((n, input.shape[1]) + outs)


def _base_coords(xp, n, align_corners, dtype):
    """``n`` points from -1 to 1 (scaled to pixel centres unless ``align_corners``)."""
    if n <= 1:
        return xp.zeros(n, dtype)
    # NOTE: PyTorch's linspace steps up from the start for the first half and down from the
    # end for the second, in the tensor's precision; the last bits matter where the grid
    # lands exactly on pixels (bilinear gradients are one-sided there)
    step = xp.asarray(2, dtype) / xp.asarray(n - 1, dtype)
    i = xp.arange(n).astype(dtype)
    half = n // 2
    r = xp.where(xp.arange(n) < half, -1 + step * i, 1 - step * (n - 1 - i)).astype(dtype)
    return r if align_corners else r * (n - 1) / n


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta`` (``(N, 2, 3)`` or ``(N, 3, 4)``) over an
    output of ``size`` (``(N, C, H, W)`` or ``(N, C, D, H, W)``), for ``grid_sample``."""
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) in (4, 5):
        nd = len(size) - 2
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (nd, nd + 1):
            raise ValueError(
                f"Expected a batch of {nd}D affine matrices of shape "
                f"Nx{nd}x{nd + 1} for size {size}. Got {theta.shape}."
            )
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D "
            f"affine transforms, respectively. Got size {size}."
        )
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size "
            "grids when align_corners=True. This is not an intended use case of "
            "affine_grid. See the documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{size[0]}, {nd + 1}] but got: [{theta.shape[0]}, {nd + 1}]."
        )
    xp = array_module(theta._data)
    dtype = theta._data.dtype
    axes = [_base_coords(xp, s, align_corners, dtype) for s in spatial]
    mesh = xp.meshgrid(*axes, indexing="ij")  # (D,) H, W
    base = xp.stack(list(mesh[::-1]) + [xp.ones(spatial, dtype)], axis=-1)  # x, y, (z,) 1
    base = wrap(base.reshape(1, math.prod(spatial), nd + 1))
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + tuple(spatial) + (nd,))
