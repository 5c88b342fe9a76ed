"""``numtorch.nn.utils``: gradient clipping and parameter/vector conversion."""

from __future__ import annotations

from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]
from . import parametrizations, parametrize  # noqa: E402


def __getattr__(name):
    # prune is imported by few programs: load it on first use
    if name == "prune":
        import importlib

        return importlib.import_module(f"{__name__}.prune")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
