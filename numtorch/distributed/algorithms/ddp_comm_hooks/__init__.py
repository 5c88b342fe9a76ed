"""DDP communication hooks: ``default_hooks.allreduce_hook`` and ``fp16_compress_hook``."""

from . import default_hooks  # noqa: F401
