"""Every primitive on "cuda" against the same on the CPU, values and gradients: the rows of the
derivative table and one case for each other node, with a check that no primitive is left out.

Marked ``gpu``, as tests/test_gpu_ops.py (whose fixture, lists and comparison it shares): on a
real GPU where CuPy has one (benchmarks/gpu_check.py), on the stand-in GPU elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest
from gpu_cases import CASES, SECOND_ORDER, THIRD_ORDER, _f, _p
from test_derivatives import DOMAINS, _call
from test_gpu_ops import (
    BINARY,
    MODULES,
    REDUCE,
    SAMPLERS,
    SHAPE,
    UNARY,
    _activation,
    _compare,
    cuda,
)

import numtorch as nt
from numtorch.autograd.function import Primitive
from numtorch.ops.derivatives import ROWS

pytestmark = pytest.mark.gpu
_ = cuda  # the module's device fixture, shared with test_gpu_ops


# Nodes no case reaches, by module and node name. The nodes a double backward builds are swept
# by the second-order cases (tests/gpu_cases.py's SECOND_ORDER), those its backward builds by
# the third-order ones (THIRD_ORDER). Those left here raise in backward by design: PyTorch has
# no derivative for them (NotImplemented, Unique2Backward0, scatter's legacy reduce form
# ScatterBackward0, CTC's double backward CtcLossBackwardBackward0), or numtorch refuses the
# third derivative of a fused RNN, LSTM or GRU layer (RNNGradGrad). The others are a variant
# of a swept op under the same PyTorch name (matmul's UnsafeViewBackward0), draw random
# numbers, whose streams differ by device (PoissonBackward0), move between devices
# (ToCopyBackward0: tests/test_cuda_device.py) or replay a compiled program's backward
# (CompiledFunctionBackward: tests/test_compile*.py). A new primitive fails the coverage test
# until it has a case or joins this list.
NOT_SWEPT = {
    "compiler._grads.CompiledFunctionBackward",
    "ops.blas.UnsafeViewBackward0",
    "ops.convert.ToCopyBackward0",
    "ops.nn.ctc.CtcLossBackwardBackward0",
    "ops.nn.rnn_grad.RNNGradGrad",
    "ops.numeric.NotImplemented",
    "ops.sampling.PoissonBackward0",
    "ops.scatter.ScatterBackward0",
    "ops.sets.Unique2Backward0",
}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.__name__)
def test_derivative_table_rows_on_cuda_match_cpu(row):
    fn, n = _call(row)
    low, high = DOMAINS.get(row.__name__, (-2, 2))
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(low, high, (2, 3)).astype(np.float32) for _ in range(n)]
    _compare(lambda *xs: fn(nt, *xs), *arrays, tol=1e-4)


@pytest.mark.parametrize(
    "case",
    CASES + SECOND_ORDER + THIRD_ORDER,
    ids=[c[0] for c in CASES + SECOND_ORDER + THIRD_ORDER],
)
def test_case_on_cuda_matches_cpu(case):
    _, fn, arrays = case
    nt.manual_seed(0)
    _compare(fn, *arrays, tol=1e-4)


# what a subclass may set and stay its base under another name or layout (``RNNGrad.of``'s
# classes, made as layers run, differ only in how many inputs they save)
_NAME_ONLY = {"__module__", "__qualname__", "__doc__", "__slots__", "_name", "_n_in", "_save_at"}


def _primitives() -> set:
    """The primitive classes with code of their own: a subclass that sets nothing but its node
    name (``Primitive.named``'s, made as ops run) is its base under another name. Every module
    that defines one is imported first: some load lazily (numtorch.compiler), and which ones a
    run has loaded depends on the tests before."""
    import numtorch.ops

    for m in pkgutil.walk_packages(numtorch.ops.__path__, "numtorch.ops."):
        importlib.import_module(m.name)
    root = Path(nt.__file__).parent
    for path in root.rglob("*.py"):
        if "(Primitive)" in path.read_text():
            importlib.import_module(
                ".".join(("numtorch", *path.relative_to(root).with_suffix("").parts))
            )
    found, todo = set(), [Primitive]
    while todo:
        for sub in todo.pop().__subclasses__():
            if not set(vars(sub)) <= _NAME_ONLY:
                found.add(sub)
            todo.append(sub)
    return found


def _nodes(out) -> set:
    """The classes of the nodes in ``out``'s graph."""
    seen, todo = {}, [out.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and id(node) not in seen:
            seen[id(node)] = type(node)
            todo.extend(f for f, _ in node.next_functions)
    return set(seen.values())


def _swept() -> set:
    """The node classes the GPU tests reach, run here on the CPU."""
    calls = [(_activation(n), [_p(4, 6)]) for n in UNARY]
    calls += [(getattr(nt, n), [_p(4, 6), _f(1, 6)]) for n in BINARY]
    calls += [(f, [_f(4, 6)]) for f in REDUCE + SHAPE]
    calls += [(lambda x, m=m: m()(x), [_f(5, 6)]) for m in MODULES]
    calls += [(f, [_f(40, 50)]) for f in SAMPLERS]
    calls += [(fn, arrays) for _, fn, arrays in CASES + SECOND_ORDER + THIRD_ORDER]
    calls += [(lambda *xs, r=r: _call(r)[0](nt, *xs), [_p(2, 3)] * _call(r)[1]) for r in ROWS]
    seen = set()
    for fn, arrays in calls:
        out = fn(*[nt.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays])
        seen |= _nodes(out[0] if isinstance(out, tuple) else out)
    return seen


def test_every_primitive_is_swept():
    """Each primitive (or a subclass of it) appears in some GPU case, or in ``NOT_SWEPT``."""
    swept = _swept()
    missing = {
        f"{cls.__module__.removeprefix('numtorch.')}.{cls.__name__}"
        for cls in _primitives()
        if not any(issubclass(s, cls) for s in swept)
    }
    new, done = sorted(missing - NOT_SWEPT), sorted(NOT_SWEPT - missing)
    assert not new, f"give these primitives a case in tests/gpu_cases.py (or list them): {new}"
    assert not done, f"these primitives are swept now: take them out of NOT_SWEPT: {done}"
