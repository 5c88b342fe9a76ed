"""``torch.distributed.nn``: collectives that autograd can differentiate."""

from . import functional  # noqa: F401
