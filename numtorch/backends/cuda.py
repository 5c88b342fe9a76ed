"""``torch.backends.cuda``: matmul and attention switches, recorded (numtorch's GPU path is
CuPy, whose products always run at full precision)."""

from __future__ import annotations

__all__ = [
    "is_built",
    "matmul",
    "flash_sdp_enabled",
    "enable_flash_sdp",
    "mem_efficient_sdp_enabled",
    "enable_mem_efficient_sdp",
    "math_sdp_enabled",
    "enable_math_sdp",
    "preferred_linalg_library",
]


class _MatmulFlags:
    """``torch.backends.cuda.matmul.allow_tf32 = True`` and friends."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    def __repr__(self):
        return (
            f"matmul(allow_tf32={self.allow_tf32}, allow_fp16_reduced_precision_reduction="
            f"{self.allow_fp16_reduced_precision_reduction})"
        )


matmul = _MatmulFlags()
_SDP = {"flash": True, "mem_efficient": True, "math": True}


def is_built() -> bool:
    """False: numtorch is not a CUDA build (its GPU arrays come from CuPy when installed)."""
    return False


def flash_sdp_enabled() -> bool:
    return _SDP["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    _SDP["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    return _SDP["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _SDP["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    return _SDP["math"]


def enable_math_sdp(enabled: bool) -> None:
    _SDP["math"] = bool(enabled)


def preferred_linalg_library(backend=None):
    return "default"
