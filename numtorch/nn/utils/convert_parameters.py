"""Flatten parameters into one vector and back."""

from __future__ import annotations

from ..._tensor import Tensor


def _check_device(param, old_device):
    if old_device is not None and param.device != old_device:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return param.device


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    import numtorch

    device = None
    vec = []
    for p in parameters:
        device = _check_device(p, device)
        vec.append(p.reshape(-1))
    return numtorch.cat(vec)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for p in parameters:
        device = _check_device(p, device)
        n = p.numel()
        p.data = vec[pointer : pointer + n].view_as(p).data
        pointer += n
