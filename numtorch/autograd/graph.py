"""``torch.autograd.graph``: hooks on the tensors that autograd saves for backward.

Not supported by numtorch: its ops save arrays inside their nodes, not tensors, so there is no
point at which a pack/unpack hook could run. The names exist because libraries import them at
load time (transformers imports ``save_on_cpu``); entering one raises."""

from __future__ import annotations

__all__ = ["saved_tensors_hooks", "save_on_cpu"]


class saved_tensors_hooks:
    """Pack/unpack hooks for saved tensors (not supported: entering raises)."""

    def __init__(self, pack_hook=None, unpack_hook=None):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        raise NotImplementedError(
            f"torch.autograd.graph.{type(self).__name__} is not supported by numtorch (its ops "
            "save arrays, not tensors): run without it"
        )

    def __exit__(self, *exc):
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors moved to the CPU until backward (not supported: entering raises)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__()
