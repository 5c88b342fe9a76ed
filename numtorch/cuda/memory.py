"""``torch.cuda.memory``: what CuPy's memory pool holds on each GPU, in PyTorch's statistics.

CuPy's pool knows the bytes its blocks lend to arrays (PyTorch's "allocated" and "active"
bytes) and the bytes it holds from the driver (PyTorch's "reserved" bytes). It keeps no peaks,
no allocation counts and no history: the peaks here are the largest values seen at the memory
queries since the last reset, and the statistics PyTorch counts beyond these (allocations,
segments, the large/small pool split, totals allocated and freed) are left out of
``memory_stats`` rather than reported as zeros.

Without a GPU the statistics are empty and the byte counts 0, as on PyTorch's CPU build.
"""

from __future__ import annotations

import collections

from . import _gpu, _index, is_available

__all__ = [
    "empty_cache",
    "max_memory_allocated",
    "max_memory_reserved",
    "mem_get_info",
    "memory_allocated",
    "memory_reserved",
    "memory_stats",
    "memory_stats_as_nested_dict",
    "memory_summary",
    "reset_peak_memory_stats",
]

_PEAKS: dict[int, list] = {}  # device index -> [peak bytes allocated, peak bytes reserved]


def _sample(index: int) -> tuple:
    """The pool's bytes lent out and held on GPU ``index`` (CuPy's pool answers for the current
    device), and their peaks updated with them."""
    cupy = _gpu()
    with cupy.cuda.Device(index):
        pool = cupy.get_default_memory_pool()
        used, held = pool.used_bytes(), pool.total_bytes()
    peak = _PEAKS.setdefault(index, [0, 0])
    peak[0], peak[1] = max(peak[0], used), max(peak[1], held)
    return used, held, peak


def memory_stats_as_nested_dict(device=None) -> dict:
    """``memory_stats`` as nested dictionaries (``stats["allocated_bytes"]["all"]["peak"]``)."""
    if not is_available():
        return {}
    used, held, peak = _sample(_index(device))
    lent = {"all": {"current": used, "peak": peak[0]}}
    return {
        "active_bytes": lent,
        "allocated_bytes": lent,
        "reserved_bytes": {"all": {"current": held, "peak": peak[1]}},
    }


def memory_stats(device=None) -> collections.OrderedDict:
    """The GPU's memory statistics under PyTorch's flat keys, sorted:
    ``allocated_bytes.all.current``, ``allocated_bytes.all.peak``, ``active_bytes.all.*`` (the
    same bytes in CuPy's pool) and ``reserved_bytes.all.*``; empty without a GPU."""
    flat = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            flat.append((prefix, value))

    walk("", memory_stats_as_nested_dict(device))
    return collections.OrderedDict(sorted(flat))


def memory_allocated(device=None) -> int:
    """Bytes of the GPU's memory that tensors hold (CuPy's pool in use); 0 without a GPU."""
    return memory_stats(device).get("allocated_bytes.all.current", 0)


def max_memory_allocated(device=None) -> int:
    """The largest ``memory_allocated`` seen since the last ``reset_peak_memory_stats``."""
    return memory_stats(device).get("allocated_bytes.all.peak", 0)


def memory_reserved(device=None) -> int:
    """Bytes CuPy's pool holds from the driver, in use or cached; 0 without a GPU."""
    return memory_stats(device).get("reserved_bytes.all.current", 0)


def max_memory_reserved(device=None) -> int:
    """The largest ``memory_reserved`` seen since the last ``reset_peak_memory_stats``."""
    return memory_stats(device).get("reserved_bytes.all.peak", 0)


def reset_peak_memory_stats(device=None) -> None:
    """Start the peaks again from the current values."""
    if not is_available():  # PyTorch's CPU build lacks the function it calls
        raise AttributeError("module 'torch._C' has no attribute '_cuda_resetPeakMemoryStats'")
    index = _index(device)
    _PEAKS.pop(index, None)
    _sample(index)


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes of the GPU's memory, as the driver reports them."""
    cupy = _gpu()
    with cupy.cuda.Device(_index(device)):
        return cupy.cuda.runtime.memGetInfo()


def empty_cache() -> None:
    """Frees the cached, unused blocks of CuPy's memory pools."""
    if is_available():
        _gpu().get_default_memory_pool().free_all_blocks()
        _gpu().get_default_pinned_memory_pool().free_all_blocks()


def _size(n: int) -> str:
    """Bytes in PyTorch's summary form: the largest unit that keeps the number at least 768."""
    for unit in ("B  ", "KiB", "MiB", "GiB", "TiB"):
        if n < 768 * 1024:
            return f"{n:6d} {unit}"
        n //= 1024
    return f"{n:6d} PiB"


def memory_summary(device=None, abbreviated: bool = False) -> str:
    """PyTorch's memory table for the statistics CuPy's pool keeps (current and peak bytes);
    the columns of totals allocated and freed, which it does not keep, read ``n/a``.
    Without a GPU it raises PyTorch's KeyError (its CPU build has no statistics to show)."""
    stats = memory_stats(device)
    rows = []
    for key, name in _SUMMARY_ROWS:
        current, peak = stats[f"{key}.all.current"], stats[f"{key}.all.peak"]
        rows += ["-" * 75, f" {name:<21} | {_size(current)} | {_size(peak)} | {_NA} | {_NA} "]
    lines = ["=" * 75, f" {'':16} PyTorch CUDA memory summary, device ID {_index(device):<17d} "]
    lines += [
        "=" * 75,
        "        Metric         | Cur Usage  | Peak Usage | Tot Alloc  | Tot Freed  ",
    ]
    return "|" + "|\n|".join(lines + rows + ["=" * 75]) + "|\n"


_SUMMARY_ROWS = (
    ("allocated_bytes", "Allocated memory"),
    ("active_bytes", "Active memory"),
    ("reserved_bytes", "GPU reserved memory"),
)
_NA = f"{'n/a':>10}"
