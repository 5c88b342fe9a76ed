"""The CUDA backend: CuPy arrays under device type "cuda".

Imported only when a program first asks for a GPU (a ``device="cuda"`` or a ``torch.cuda`` call
that needs one), so ``import numtorch`` never loads CuPy.
"""

from __future__ import annotations

from .. import _backend

_NO_CUDA = "Torch not compiled with CUDA enabled"


def load():
    """CuPy, with at least one GPU; PyTorch's errors where either is missing."""
    try:
        import cupy
    except ImportError:
        raise AssertionError(_NO_CUDA) from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except cupy.cuda.runtime.CUDARuntimeError:
        count = 0
    if count == 0:
        raise RuntimeError("No CUDA GPUs are available")
    return cupy


def register() -> None:
    cupy = load()

    def device_of(arr):
        return _backend.device("cuda", arr.device.id)

    def scope(index):
        return cupy.cuda.Device(index or 0)

    def from_host(host, index):
        with scope(index):
            return cupy.asarray(host)

    def special():
        import cupyx.scipy.special

        return cupyx.scipy.special

    backend = _backend.Backend(
        cupy,
        cupy.ndarray,
        device_of,
        cupy.asnumpy,
        from_host,
        scope,
        special,
        cupy.cuda.runtime.getDevice,
    )
    _backend.register_backend("cuda", backend)
