"""Whether a recording is under way, and the switches that start and stop one."""

from __future__ import annotations

RECORDER = None  # the Recorder of the call being traced, or None


def begin(rec) -> None:
    global RECORDER
    from . import _record

    RECORDER = rec
    _record.install()


def uninstall() -> None:
    """Stop recording: eager numtorch runs unwrapped again."""
    global RECORDER
    from . import _record

    RECORDER = None
    _record.uninstall()
