"""What a profiler records: timed ranges (``record_function`` and numtorch's primitive ops),
their averages by name, and PyTorch's summary table."""

from __future__ import annotations

import re
import time
from collections import OrderedDict

from ..autograd.function import Primitive

_ACTIVE: list = []  # the recorders now collecting (innermost last)


class FunctionEvent:
    """One timed range: ``name``, ``cpu_time_total`` and ``self_cpu_time_total`` in us."""

    def __init__(self, name: str, start_us: float, input_shapes=None) -> None:
        self.name, self.key = name, name
        self.time_range_start = start_us
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes = input_shapes or []
        self.count = 1

    @property
    def cpu_time(self) -> float:
        """Average time per call (us)."""
        return self.cpu_time_total / max(self.count, 1)

    def __repr__(self) -> str:
        return f"<FunctionEvent name={self.name} cpu_time_total={self.cpu_time_total:.3f}us>"


class _Recorder:
    """Collects events; nested ranges subtract from their parent's self time."""

    def __init__(self, record_shapes: bool) -> None:
        self.record_shapes = record_shapes
        self.events: list = []
        self._stack: list = []

    def begin(self, name: str, args=()) -> FunctionEvent:
        shapes = [list(a.shape) if hasattr(a, "shape") else [] for a in args]
        event = FunctionEvent(
            name, time.perf_counter_ns() / 1e3, shapes if self.record_shapes else []
        )
        self._stack.append(event)
        return event

    def end(self, event: FunctionEvent) -> None:
        elapsed = time.perf_counter_ns() / 1e3 - event.time_range_start
        event.cpu_time_total = elapsed
        event.self_cpu_time_total += elapsed
        self._stack.remove(event)
        if self._stack:
            self._stack[-1].self_cpu_time_total -= elapsed
        self.events.append(event)


def begin_range(name: str, args=()) -> list:
    return [(r, r.begin(name, args)) for r in _ACTIVE]


def end_range(opened: list) -> None:
    for recorder, event in opened:
        recorder.end(event)


def _op_name(cls) -> str:
    """``aten::<op>`` from the PyTorch node name (``AddmmBackward0`` -> ``aten::addmm``)."""
    base = re.sub(r"Backward\d*$", "", cls.__name__)
    return "aten::" + re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


_PLAIN_APPLY = Primitive.__dict__["apply"]


def _timed_apply(cls, *args):
    opened = begin_range(_op_name(cls), args)
    try:
        return _PLAIN_APPLY.__func__(cls, *args)
    finally:
        end_range(opened)


def start(recorder: _Recorder) -> None:
    # Ops are timed only while a profiler records: the patch costs nothing otherwise.
    _ACTIVE.append(recorder)
    Primitive.apply = classmethod(_timed_apply)


def stop(recorder: _Recorder) -> None:
    _ACTIVE.remove(recorder)
    if not _ACTIVE:
        Primitive.apply = _PLAIN_APPLY


class EventList(list):
    """A list of events (or of their averages) that prints PyTorch's summary table."""

    def key_averages(self, group_by_input_shape: bool = False) -> "EventList":
        groups: OrderedDict = OrderedDict()
        for e in self:
            key = (e.name, str(e.input_shapes)) if group_by_input_shape else e.name
            if key not in groups:
                groups[key] = FunctionEvent(e.name, e.time_range_start, e.input_shapes)
                groups[key].count = 0
            avg = groups[key]
            avg.count += e.count
            avg.cpu_time_total += e.cpu_time_total
            avg.self_cpu_time_total += e.self_cpu_time_total
        return EventList(groups.values())

    def total_average(self) -> FunctionEvent:
        total = FunctionEvent("Total", 0.0)
        total.count = sum(e.count for e in self)
        total.cpu_time_total = sum(e.cpu_time_total for e in self)
        total.self_cpu_time_total = sum(e.self_cpu_time_total for e in self)
        return total

    def table(self, sort_by=None, row_limit: int = 100, **_ignored) -> str:
        """Name, self and total CPU time with percentages, average and calls."""
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        return _format_table(rows[:row_limit] if row_limit > 0 else rows, rows)

    def __str__(self) -> str:
        return self.table()


def _us(t: float) -> str:
    if t >= 1e6:
        return f"{t / 1e6:.3f}s"
    return f"{t / 1e3:.3f}ms" if t >= 1e3 else f"{t:.3f}us"


def _format_table(rows, everything) -> str:
    total_self = sum(e.self_cpu_time_total for e in everything) or 1.0
    name_w = max([len("Name")] + [len(e.name) for e in rows]) + 2
    heads = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
    line = "-" * name_w + "  " + "  ".join("-" * 12 for _ in heads)
    out = [line, f"{'Name':>{name_w}}  " + "  ".join(f"{h:>12}" for h in heads), line]
    for e in rows:
        cells = [
            f"{100 * e.self_cpu_time_total / total_self:.2f}%",
            _us(e.self_cpu_time_total),
            f"{100 * e.cpu_time_total / total_self:.2f}%",
            _us(e.cpu_time_total),
            _us(e.cpu_time),
            str(e.count),
        ]
        out.append(f"{e.name:>{name_w}}  " + "  ".join(f"{c:>12}" for c in cells))
    out += [line, f"Self CPU time total: {_us(total_self)}", ""]
    return "\n".join(out)
