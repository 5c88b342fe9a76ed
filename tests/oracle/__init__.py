"""PyTorch as the test oracle: live where it is installed, replayed from recorded values where
it is not.

Tests take ``torch`` from here (``from oracle import torch``). Its mode, from the environment
variable ``NUMTORCH_ORACLE`` or else from whether PyTorch is installed:

- ``live``: the real ``torch`` module; tests compare with PyTorch as it runs.
- ``record``: a stand-in over the real module that records what PyTorch returns, raises and
  warns for each test into ``tests/oracle/data/`` (``python tests/oracle/record.py``).
- ``replay``: a stand-in that returns the recorded values, step by step, without PyTorch.
  A test whose PyTorch calls differ from the recording fails and says to re-record.

A test that needs PyTorch itself (it reads what PyTorch wrote to a file, or what PyTorch's
callbacks did) carries ``@pytest.mark.live_torch("why")`` and skips in a replay; so does, with
the error it raised, a test that failed under recording (``record.py`` lists those).
"""

from __future__ import annotations

import importlib.util
import os

MODE = os.environ.get("NUMTORCH_ORACLE") or (
    "live" if importlib.util.find_spec("torch") else "replay"
)
if MODE not in ("live", "record", "replay"):
    raise ValueError(f"NUMTORCH_ORACLE={MODE!r}: use live, record or replay")

# submodules that ``import torch`` leaves out, which tests reach as attributes
SUBMODULES = ("torch.nn.utils.prune", "torch.utils.flop_counter")

if MODE == "live":
    import torch

    for _name in SUBMODULES:
        importlib.import_module(_name)
else:
    from .proxy import REPLAY, Proxy

    if MODE == "record":
        import torch as _real

        for _name in SUBMODULES:
            importlib.import_module(_name)
        torch = Proxy(_real)
    else:
        torch = Proxy()


def call(fn, *args):
    """``fn(*args)`` for a result that needs PyTorch but comes from outside the test's process
    (a program run under PyTorch): computed where PyTorch is installed, and recorded with the
    test; replayed where it is not, without calling ``fn``."""
    if MODE == "live":
        return fn(*args)
    return Proxy(fn if MODE == "record" else REPLAY)(*args)
