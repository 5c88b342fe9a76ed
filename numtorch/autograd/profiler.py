"""``torch.autograd.profiler``: the older spelling of the profiler (``profile(enabled=...)``,
``record_function``), sharing ``numtorch.profiler``'s recording."""

from __future__ import annotations

from ..profiler import EventList, FunctionEvent, record_function
from ..profiler import profile as _profile

__all__ = ["profile", "record_function", "emit_nvtx", "EventList", "FunctionEvent"]


class profile(_profile):
    """``with profile() as prof``: CPU time ranges; ``enabled=False`` records nothing."""

    def __init__(
        self,
        enabled=True,
        *,
        use_cuda=False,
        use_device=None,
        record_shapes=False,
        with_flops=False,
        profile_memory=False,
        with_stack=False,
        with_modules=False,
        **_options,
    ) -> None:
        activities = None
        if use_cuda or use_device not in (None, "cpu"):
            activities = ["cuda"]  # refused by the profiler with its message
        super().__init__(
            activities=activities,
            record_shapes=record_shapes,
            with_flops=with_flops,
            profile_memory=profile_memory,
        )
        self.enabled = enabled

    def start(self) -> None:
        if self.enabled:
            super().start()

    def table(self, **kwargs) -> str:
        return self.key_averages().table(**kwargs)

    @property
    def function_events(self) -> EventList:
        return self.events()


class emit_nvtx:
    """NVTX ranges for NVIDIA's profilers: numtorch emits none (as PyTorch's CPU build, entering
    it enabled raises; ``enabled=False`` runs the block as it is)."""

    def __init__(self, enabled: bool = True, record_shapes: bool = False):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            raise AssertionError("Torch not compiled with CUDA enabled")
        return self

    def __exit__(self, *exc):
        return False
