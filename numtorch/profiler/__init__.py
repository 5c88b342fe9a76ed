"""The profiler (``torch.profiler``): ``profile`` times ``record_function`` ranges and
numtorch's primitive ops (named ``aten::<op>`` after PyTorch's op) on the CPU;
``key_averages().table()`` prints PyTorch's summary columns. Device (CUDA) activity, memory
and FLOP counts are not recorded: asking for them raises."""

from __future__ import annotations

import functools
import gzip
import json
import os
import socket
import time
import warnings
from enum import Enum

from ._events import EventList, FunctionEvent, _Recorder, begin_range, end_range, start, stop

__all__ = [
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "tensorboard_trace_handler",
    "kineto_available",
    "EventList",
    "FunctionEvent",
]


class ProfilerActivity(Enum):
    CPU = 0
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


class ProfilerAction(Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """Step -> action: skip ``skip_first`` steps, then cycles of ``wait`` idle, ``warmup`` and
    ``active`` recorded steps (``repeat`` cycles; 0 repeats forever)."""

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod = step % num_steps
        if mod < wait:
            return ProfilerAction.NONE
        if mod < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0)."
        )
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )
    return schedule_fn


class record_function:
    """Times a named range (a ``with`` block, or every call of a decorated function) into the
    profilers now recording; costs nothing else."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._opened: list = []

    def __enter__(self):
        self._opened = begin_range(self.name)
        return self

    def __exit__(self, *exc):
        end_range(self._opened)
        self._opened = []
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return func(*args, **kwargs)

        return wrapper


def _refuse(what: str) -> None:
    raise NotImplementedError(
        f"numtorch's profiler records CPU times only; {what} is not supported. Profile without "
        "it (or under PyTorch)."
    )


class profile:
    """Records CPU time ranges while active (``with profile() as prof`` or ``start``/``stop``),
    following ``schedule`` step by step (``prof.step()``); ``on_trace_ready(prof)`` runs at
    the end of each active cycle."""

    def __init__(
        self,
        *,
        activities=None,
        schedule=None,
        on_trace_ready=None,
        record_shapes=False,
        profile_memory=False,
        with_stack=False,
        with_flops=False,
        with_modules=False,
        **_options,
    ) -> None:
        for activity in activities or [ProfilerActivity.CPU]:
            if activity is not ProfilerActivity.CPU:
                _refuse(f"activity {activity}")
        if profile_memory or with_flops:
            _refuse("profile_memory" if profile_memory else "with_flops")
        self.schedule = schedule or (lambda step: ProfilerAction.RECORD)
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.step_num = 0
        self._recorder = None
        self._events = EventList()
        self.current_action = self.schedule(0)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self) -> None:
        self._transit(self.current_action)

    def stop(self) -> None:
        if self._recorder is not None:
            self._finish(save=True)

    def step(self) -> None:
        """Mark a step's end; the schedule decides what the next step records."""
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        if previous is ProfilerAction.RECORD_AND_SAVE and self._recorder is not None:
            self._finish(save=True)
        self._transit(self.current_action)

    def _transit(self, action) -> None:
        recording = action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        if recording and self._recorder is None:
            self._recorder = _Recorder(self.record_shapes)
            start(self._recorder)
        elif not recording and self._recorder is not None:
            self._finish(save=False)

    def _finish(self, save: bool) -> None:
        stop(self._recorder)
        self._events = EventList(sorted(self._recorder.events, key=lambda e: e.time_range_start))
        self._recorder = None
        if save and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def events(self) -> EventList:
        """The ranges of the last recorded cycle, in start order."""
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, **_options) -> EventList:
        return self._events.key_averages(group_by_input_shape)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        trace = [
            {
                "name": e.name,
                "ph": "X",
                "ts": e.time_range_start,
                "dur": e.cpu_time_total,
                "pid": 0,
                "tid": 0,
                "cat": "cpu_op",
            }
            for e in self._events
        ]
        opener = gzip.open if path.endswith(".gz") else open  # PyTorch gzips a .gz path
        with opener(path, "wt") as f:
            json.dump({"traceEvents": trace}, f)


def kineto_available() -> bool:
    """False: numtorch records with its own recorder, not PyTorch's Kineto library."""
    return False


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None, use_gzip=False):
    """An ``on_trace_ready`` that writes each trace as ``dir_name/<worker>.<ns>.pt.trace.json``
    (``.gz`` with ``use_gzip``), the layout TensorBoard's profiler plugin reads; the worker is
    ``<hostname>_<pid>`` unless named."""
    worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"

    def handler_fn(prof) -> None:
        try:
            os.makedirs(dir_name, exist_ok=True)
        except OSError as e:
            raise RuntimeError("Can't create directory: " + dir_name) from e
        name = f"{worker}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler_fn
