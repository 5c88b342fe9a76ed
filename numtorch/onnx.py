"""``torch.onnx``: importable, so programs that import it at the top run; exporting needs
PyTorch's ONNX exporter, which numtorch does not have, and raises saying so."""

from __future__ import annotations

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError"]


class OnnxExporterError(RuntimeError):
    """Raised when a model cannot be exported to ONNX."""


def is_in_onnx_export() -> bool:
    """False: numtorch never runs a model under the ONNX exporter (transformers checks it)."""
    return False


def export(model, args=(), f=None, **kwargs):
    raise OnnxExporterError(
        "torch.onnx.export is not supported by numtorch: it has no graph exporter. Save the "
        "weights with torch.save(model.state_dict(), path) and export them with PyTorch."
    )
