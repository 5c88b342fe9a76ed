"""``OptimizedModule``: what ``torch.compile(module)`` returns."""

from __future__ import annotations

from ..nn import Module


class OptimizedModule(Module):
    """Wraps ``module`` (as ``_orig_mod``, so state_dict keys gain that prefix as in PyTorch)
    and calls it through its compiled ``__call__``; other attributes come from ``module``."""

    def __init__(self, mod: Module, compiled) -> None:
        super().__init__()
        self._orig_mod = mod
        self._compiled_call = compiled
        self.training = mod.training

    def forward(self, *args, **kwargs):
        return self._compiled_call(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)

    def __len__(self) -> int:
        if hasattr(self._orig_mod, "__len__"):
            return len(self._orig_mod)
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")
