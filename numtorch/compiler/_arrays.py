"""Work outside the primitives that the recorder follows all the same: dropout's masks, drawn
from numtorch's random stream, and BatchNorm's batch statistics, running statistics and batch
counter. Each is one function of arrays (and of the buffers it moves in place), recorded as a
call of that function and replayed as the same call on the slots' arrays: every replay draws
the same random numbers in the same order as eager mode, and moves the same buffers.
"""

from __future__ import annotations

import importlib

from .._backend import is_array
from .._tensor import Tensor, wrap
from . import _state
from ._record import GraphBreak, noted_call

# (module, function): the functions recorded as steps of their own.
FUNCTIONS = (
    ("numtorch.ops.nn.dropout", "dropout_mask"),
    ("numtorch.ops.nn.dropout", "alpha_dropout_masks"),
    ("numtorch.ops.nn.norm_ops", "batch_stats"),
    ("numtorch.ops.nn.norm", "update_running_stats"),
    ("numtorch.ops.nn.norm", "count_batch"),
    ("numtorch.ops.nn.norm", "running_stats"),
)


def originals() -> list:
    return [getattr(importlib.import_module(m), name) for m, name in FUNCTIONS]


def recording(fn):
    """``fn`` as it runs while a call is recorded: eagerly, noted as an "array" step."""

    def call(*args):
        rec = _state.RECORDER
        if rec is None or rec.depth:
            return fn(*args)
        spec, out = noted_call(rec, fn, args)
        if spec is None:
            return out
        tensors = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):  # a buffer the function may have moved: new version
                rec.vcs[spec[i][1]] = (a._vc, a._vc[0])
                tensors.append((i, rec.sources.get(id(a))))
        outs = () if out is None else out if type(out) is tuple else (out,)
        if not all(is_array(o) for o in outs):
            _break(rec, f"{fn.__name__} returned something other than arrays")
            return out
        slots = tuple(rec.new_slot(o, [0]) for o in outs)
        rec.program.append(("array", fn, spec, tuple(tensors), slots))
        return out

    return call


def _break(rec, reason):
    try:
        rec.fail(reason)
    except GraphBreak:
        pass


def replay(fn, spec, tensors, outs):
    """The step that calls ``fn`` on the slots' arrays (its buffers as the tensors the
    recording met, so that their values and versions move as in eager mode)."""
    single = outs[0] if len(outs) == 1 else None

    def step(S, A):
        args = [S[v] if is_slot else v for is_slot, v in spec]
        for i, source in tensors:
            args[i] = _tensor(source, args[i], A)
        out = fn(*args)
        if single is not None:
            S[single] = out
        else:
            for s, o in zip(outs, out or ()):
                S[s] = o

    return step


def _tensor(source, array, A):
    if source is None or source[0] == "const":
        return wrap(array)
    return A[source[1]] if source[0] == "arg" else source[1]
