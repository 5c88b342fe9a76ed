"""``numtorch.cuda``: reports no GPU until the CuPy backend is installed and a GPU is present."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeds the GPU generators; with no GPU there is nothing to seed."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    """Waits for GPU work to finish; with no GPU there is none."""


def __getattr__(name):
    if name == "amp":  # loaded on first use: torch.cuda.amp.GradScaler
        import importlib

        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
