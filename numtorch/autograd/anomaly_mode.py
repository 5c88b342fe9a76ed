"""Anomaly detection: while it is on, the engine checks every gradient a node returns and
raises, naming the node, at the first NaN (``detect_anomaly``, ``set_detect_anomaly``)."""

from __future__ import annotations

import contextlib
import warnings


class _Mode:
    """The switch is process-wide, as in PyTorch (not per thread like grad mode)."""

    enabled = False
    check_nan = True


MODE = _Mode()


def is_anomaly_enabled() -> bool:
    return MODE.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return MODE.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    MODE.enabled = bool(enabled)
    MODE.check_nan = bool(check_nan)


class _AnomalyMode(contextlib.ContextDecorator):
    def __init__(self, mode: bool, check_nan: bool):
        self.mode, self.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        self.prev = (MODE.enabled, MODE.check_nan)
        set_anomaly_enabled(self.mode, self.check_nan)
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)
        return False


class detect_anomaly(_AnomalyMode):
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan: bool = True):
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )
        super().__init__(True, check_nan)


class set_detect_anomaly(_AnomalyMode):
    """Set anomaly detection on or off: as a call, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True):
        super().__init__(mode, check_nan)
        self.prev = (MODE.enabled, MODE.check_nan)
        set_anomaly_enabled(self.mode, self.check_nan)

    def __enter__(self):
        return self


def check_nan(node, grads) -> None:
    """PyTorch's error for a node whose backward returned NaN."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = g._data if hasattr(g, "_data") else g
        if data.dtype.kind in "fc" and bool((data != data).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
