"""Vision functions: ``F.interpolate`` (and the deprecated ``upsample*``), ``F.grid_sample``,
``F.affine_grid``, pixel and channel shuffles."""

from __future__ import annotations

import warnings

from ..._backend import array_module
from ..._tensor import Tensor
from . import interpolate as _interp
from . import pooling as _pooling
from .grid_sample import affine_grid, grid_sample
from .interpolate import (
    channel_shuffle,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
)

__all__ = [
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "grid_sample",
    "affine_grid",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
    "native_channel_shuffle",
]

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}
_NAMES = {
    "nearest": "Nearest",
    "nearest-exact": "NearestExact",
    "linear": "Linear",
    "bilinear": "Bilinear",
    "trilinear": "Trilinear",
    "bicubic": "Bicubic",
    "lanczos": "Lanczos",
}


def _is_integer(v) -> bool:
    return isinstance(v, int) or (
        isinstance(v, Tensor) and not v.is_floating_point() and v.dim() == 0
    )


def _sizes_and_scales(input, dim, size, scale_factor, recompute_scale_factor, mode):
    """``(output_size, scale_factors)`` as PyTorch resolves them (one of them None)."""
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales = None
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            if not all(_is_integer(s) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}"
                )
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dim
    elif scale_factor is not None:
        out = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out, scales = [int(n * s) for n, s in zip(spatial, scales)], None
    if out is None:
        # NOTE: the output size is the product truncated toward zero, as PyTorch's cast
        out = [int(n * s) for n, s in zip(spatial, scales)]
    return out, scales


def _check_sizes(input, out):
    spatial = input.shape[2:]
    if all(n > 0 for n in spatial) and all(o > 0 for o in out):
        return
    names = "DHW"[3 - len(out) :]
    fmt = ", ".join
    sep = " and" if len(out) == 1 else ""
    raise RuntimeError(
        "Input and output sizes should be greater than 0, but got input "
        f"({fmt(f'{a}: {n}' for a, n in zip(names, spatial))}){sep} output "
        f"({fmt(f'{a}: {o}' for a, o in zip(names, out))})"
    )


def _check_dtype(input, mode, dim):
    dt = input.dtype
    if dt.is_floating_point or (
        str(dt) == "torch.uint8"
        and (mode.startswith("nearest") or (dim == 2 and mode in ("bilinear", "bicubic")))
    ):
        return
    kind = {"nearest-exact": "nearest", "bicubic": "cubic"}.get(mode, "linear")
    kind = "nearest" if mode == "nearest" else kind
    raise NotImplementedError(
        f"\"compute_indices_weights_{kind}\" not implemented for '{dt.scalar_type_name}'"
    )


def _axis_map(xp, mode, n, o, align_corners, scale, dtype, dim, antialias=False):
    if antialias:
        taps = _interp.antialias_taps(xp, n, o, align_corners, scale, dtype, mode)
    elif mode in ("nearest", "nearest-exact"):
        taps = _interp.nearest_taps(xp, n, o, scale, mode == "nearest-exact", dim == 2)
    elif mode == "bicubic":
        taps = _interp.cubic_taps(xp, n, o, align_corners, scale, dtype)
    else:
        taps = _interp.linear_taps(xp, n, o, align_corners, scale, dtype)
    return None if taps is None else _interp.AxisMap(xp, taps, n, dtype)


def _resample(input, mode, out, scales, align_corners, antialias=False):
    """Resize ``input`` (``(N, C, *spatial)``) to ``out`` with PyTorch's taps."""
    dim = input.dim() - 2
    _check_dtype(input, "bilinear" if antialias else mode, dim)
    _check_sizes(input, out)
    if any(s == 0 for s in input.shape[1:2]):
        raise RuntimeError(
            f"Non-empty {dim + 2}D data tensor expected but got a tensor with "
            f"sizes {list(input.shape)}"
        )
    x = input
    integer = not input.dtype.is_floating_point
    if integer and not mode.startswith("nearest"):
        x = input.float()  # uint8 images: computed in float, rounded back to uint8
    xp = array_module(x._data)
    scales = scales or [None] * dim
    spatial = input.shape[2:]
    dt = x._data.dtype
    maps = tuple(
        _axis_map(xp, mode, n, o, align_corners, s, dt, dim, antialias)
        for n, o, s in zip(spatial, out, scales)
    )
    back = None
    if antialias and any(n == o for n, o in zip(spatial, out)):
        # NOTE: PyTorch's antialiased forward skips a dim of unchanged size, its backward not
        back = maps
        maps = tuple(None if n == o else m for n, o, m in zip(spatial, out, maps))
    elif mode == "nearest" and dim != 2:
        back = tuple(
            _axis_map(xp, mode, n, o, None, s, dt, 2) for n, o, s in zip(spatial, out, scales)
        )
    elif mode == "bicubic" and not antialias and tuple(out) == tuple(spatial):
        back = (None,) * dim  # NOTE: PyTorch's gradient copies whatever the scale factor
    kind = f"Upsample{_NAMES[mode]}{dim}D{'Aa' if antialias else ''}Backward0"
    result = _interp.Resample.named(kind).apply(x, maps, kind, back)
    if integer and x is not input:
        result = result.round().clamp(0, 255).to(input.dtype)
    return result


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resizes ``(N, C, *spatial)`` (1 to 3 spatial dims) to ``size`` or by ``scale_factor``.

    Modes: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` and
    ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) and ``'area'`` (adaptive average pooling).
    ``align_corners=True`` maps the corner pixel centres onto each other.
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating "
                "modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    out, scales = _sizes_and_scales(input, dim, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos "
            "modes and requires a 4-D tensor as input"
        )
    if mode == "lanczos" and dim == 2:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if antialias:
        return _resample(input, mode, out, scales, align_corners, antialias=True)
    if 1 <= dim <= 3:
        if (
            mode in ("nearest", "nearest-exact")
            or (mode == _LINEAR[dim])
            or (mode == "bicubic" and dim == 2)
        ):
            return _resample(input, mode, out, scales, align_corners)
        if mode == "area":
            return getattr(_pooling, f"adaptive_avg_pool{dim}d")(input, out)
        if mode in _LINEAR.values():
            need = {"linear": 3, "bilinear": 4, "trilinear": 5}[mode]
            raise NotImplementedError(
                f"Got {input.dim()}D input, but {mode} mode needs {need}D input"
            )
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
        f"{input.dim()}D) for the modes: {_MODES} (got {mode})"
    )


def upsample(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
