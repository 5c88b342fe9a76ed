"""``numtorch.cuda``: the GPU through CuPy (``pip install 'numtorch[cuda12]'``).

Without CuPy or a GPU, ``is_available()`` is False and the calls that need a GPU raise
PyTorch's errors for a CPU-only build. CuPy is imported on the first call that needs it.
"""

from __future__ import annotations

from .. import _backend

_NO_CUDA = "Torch not compiled with CUDA enabled"
_CUPY = []  # [cupy] once loaded with a GPU present, [None] once found missing


def _gpu():
    """CuPy with a GPU, or PyTorch's error for a build without CUDA."""
    if not _CUPY:
        from . import _cupy

        try:
            _CUPY.append(_cupy.load())
        except (AssertionError, RuntimeError):  # no CuPy, or CuPy without a GPU
            _CUPY.append(None)
    if _CUPY[0] is None:
        raise AssertionError(_NO_CUDA)
    return _CUPY[0]


def is_available() -> bool:
    return device_count() > 0


def device_count() -> int:
    try:
        return _gpu().cuda.runtime.getDeviceCount()
    except AssertionError:
        return 0


def is_initialized() -> bool:
    return bool(_CUPY) and _CUPY[0] is not None


def _index(device) -> int:
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    return _backend.as_device(device).index or 0


def current_device() -> int:
    return _gpu().cuda.runtime.getDevice()


def set_device(device) -> None:
    _gpu().cuda.runtime.setDevice(_index(device))


class device:
    """``with torch.cuda.device(1):`` makes GPU 1 current inside the block."""

    def __init__(self, device):
        self.idx, self.prev = _index(device), None

    def __enter__(self):
        self.prev = current_device()
        set_device(self.idx)

    def __exit__(self, *exc):
        set_device(self.prev)
        return False


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns, with PyTorch's attribute names."""

    def __init__(self, props):
        name = props["name"]
        self.name = name.decode() if isinstance(name, bytes) else name
        self.major, self.minor = props["major"], props["minor"]
        self.total_memory = props["totalGlobalMem"]
        self.multi_processor_count = props["multiProcessorCount"]

    def __repr__(self):
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
            f"total_memory={self.total_memory >> 20}MB, "
            f"multi_processor_count={self.multi_processor_count})"
        )


def get_device_properties(device=None) -> _CudaDeviceProperties:
    return _CudaDeviceProperties(_gpu().cuda.runtime.getDeviceProperties(_index(device)))


def get_device_name(device=None) -> str:
    return get_device_properties(device).name


def get_device_capability(device=None) -> tuple:
    props = get_device_properties(device)
    return props.major, props.minor


def synchronize(device=None) -> None:
    cupy = _gpu()
    with cupy.cuda.Device(_index(device)):
        cupy.cuda.Device().synchronize()


def _generator(device=None):
    from .random import default_generator_for

    return default_generator_for(_backend.device("cuda", _index(device)))


def manual_seed(seed: int) -> None:
    """Seed the current GPU's generator (CuPy's generator; its streams are not bit-identical
    to PyTorch's CUDA streams). With no GPU there is nothing to seed, as in PyTorch."""
    if is_available():
        _generator().manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    for i in range(device_count()):
        _generator(i).manual_seed(seed)


def seed() -> None:
    """Seed the current GPU's generator from the operating system's entropy."""
    if is_available():
        _generator().seed()


def seed_all() -> None:
    for i in range(device_count()):
        _generator(i).seed()


def initial_seed() -> int:
    return _generator().initial_seed()


def get_rng_state(device="cuda"):
    """The GPU generator's state: 16 uint8 values (seed, offset), PyTorch's CUDA layout."""
    return _generator(device).get_state()


def set_rng_state(new_state, device="cuda") -> None:
    _generator(device).set_state(new_state)


def get_rng_state_all() -> list:
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states) -> None:
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


class Event:
    """A CUDA event: ``record()``, ``synchronize()``, ``elapsed_time(end)`` in milliseconds."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self._event = _gpu().cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        self._event.record(None if stream is None else stream._stream)

    def synchronize(self):
        self._event.synchronize()

    def query(self) -> bool:
        return self._event.done

    def wait(self, stream=None):
        (current_stream() if stream is None else stream)._stream.wait_event(self._event)

    def elapsed_time(self, end: "Event") -> float:
        return _gpu().cuda.get_elapsed_time(self._event, end._event)


class Stream:
    """A CUDA stream (CuPy's); ``with torch.cuda.stream(s):`` runs the block's kernels on it."""

    def __init__(self, device=None, priority=0, _stream=None):
        if not is_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        if _stream is None:
            _stream = _gpu().cuda.Stream(non_blocking=True, priority=priority)
        self._stream = _stream

    @property
    def cuda_stream(self) -> int:
        """The raw ``cudaStream_t`` handle (0 for the default stream)."""
        return self._stream.ptr

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash(self.cuda_stream)

    def synchronize(self):
        self._stream.synchronize()

    def query(self) -> bool:
        return self._stream.done

    def wait_stream(self, other: "Stream"):
        self._stream.wait_event(other._stream.record())

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event


def current_stream(device=None) -> Stream:
    """The stream the device's kernels run on now (the current device's by default)."""
    return Stream(_stream=_gpu().cuda.get_current_stream(_index(device)))


def default_stream(device=None) -> Stream:
    """The device's default (null) stream, where kernels run outside ``torch.cuda.stream``."""
    return Stream(_stream=_gpu().cuda.Stream.null)


class StreamContext:
    """Runs the block on stream ``s``; ``None`` leaves the current stream, as PyTorch does."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            self.stream._stream.__enter__()

    def __exit__(self, *exc):
        if self.stream is not None:
            self.stream._stream.__exit__(*exc)


def stream(s) -> StreamContext:
    return StreamContext(s)


def _no_cuda_graphs(name: str):
    raise RuntimeError(
        f"torch.cuda.{name} is not supported by numtorch (no CUDA graphs): run the model "
        "eagerly, or record it with torch.compile"
    )


class CUDAGraph:
    """Capture-and-replay of CUDA kernels: not supported (libraries name the class in
    annotations; making one raises, as on PyTorch's CPU build)."""

    def __init__(self, *args, **kwargs):
        _no_cuda_graphs("CUDAGraph")


class graph:
    """The context that captures a ``CUDAGraph``: not supported, as ``CUDAGraph``."""

    def __init__(self, *args, **kwargs):
        _no_cuda_graphs("graph")


# the memory statistics live in PyTorch's home for them; they call back into this module
from .memory import (  # noqa: E402
    empty_cache,
    max_memory_allocated,
    max_memory_reserved,
    mem_get_info,
    memory_allocated,
    memory_reserved,
    memory_stats,
    memory_stats_as_nested_dict,
    memory_summary,
    reset_peak_memory_stats,
)


def __getattr__(name):
    if name == "amp":  # loaded on first use: torch.cuda.amp.GradScaler
        import importlib

        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
