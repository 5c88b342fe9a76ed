"""In-place ops on a tensor whose elements share memory (an ``expand``), inside a graph and
outside one, against PyTorch: the ops it refuses there (its internal-overlap error), and those
it runs, with their values, ``grad_fn`` and what backward then gives (its CopySlices cannot
write a gradient through such a view, unless the write was through a view of the base, as
``fill_diagonal_``'s is)."""

import warnings

import pytest
import test_edge_parity
from helpers import torch
from test_edge_parity import EXPANDED, outcome

import numtorch

RANDOM = {"normal_", "uniform_", "bernoulli_", "random_", "exponential_"}


def _graph_expanded(m):
    """(3, 2) over a (3, 1) tensor in a graph, its rows each one element's memory."""
    global _LEAF
    _LEAF = m.full((3, 1), 0.5, requires_grad=True)
    return (_LEAF * 1).expand(3, 2)


def _in_graph(m, name):
    """The op's result (values unless random, and grad_fn), then backward's gradient."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation of indexed writes: compared elsewhere
        y = EXPANDED[name](m)
    values = None if name in RANDOM else y.tolist()
    node = None if y.grad_fn is None else y.grad_fn.name()
    return values, node, outcome(m, lambda m: (y.sum().backward(), _LEAF.grad)[1])


def _wrapped_diagonal(m):
    """fill_diagonal_ with wrap on a tall (5, 2) expand of one row in a graph."""
    leaf = m.zeros(1, 2, requires_grad=True)
    y = (leaf * 1).expand(5, 2).fill_diagonal_(1.0, True)
    y.sum().backward()
    return y.tolist(), y.grad_fn.name(), leaf.grad.tolist()


def test_wrapped_diagonal_in_graph_matches_pytorch():
    assert outcome(numtorch, _wrapped_diagonal) == outcome(torch, _wrapped_diagonal)


@pytest.mark.parametrize(
    "name", [n for n in EXPANDED if n not in ("fill_diagonal_wrap_", "fill_diagonal_cube_")]
)
def test_expanded_in_graph_matches_pytorch(name, monkeypatch):
    monkeypatch.setattr(test_edge_parity, "_expanded", _graph_expanded)
    assert outcome(numtorch, lambda m: _in_graph(m, name)) == outcome(
        torch, lambda m: _in_graph(m, name)
    )


def _candidates(m):
    """Argument lists tried in turn: the first a plain tensor takes is the sweep's."""
    t = lambda: m.full((3, 2), 0.25)  # noqa: E731
    mask = lambda: m.tensor([[True, False]] * 3)  # noqa: E731
    return [
        (),
        (1,),
        (0.5,),
        (t(),),
        (t(), t()),
        (t(), 0.5),
        (0, m.tensor([0]), t()[:1]),
        (0, m.tensor([0]), 1.0),
        (mask(), 1.0),
        (mask(), t()),
        ((m.tensor([0]),), t()[:1]),
        (0, 0.1),
    ]


def _takes(name, k):
    try:
        getattr(numtorch.full((3, 2), 0.5), name)(*_candidates(numtorch)[k])
    except Exception:  # noqa: BLE001 - a refused argument list is skipped
        return False
    return True


# differ from PyTorch for reasons other than the shared memory: copy_ takes no number,
# igamma_, igammac_ and nextafter_ take a number, resize_ no size
_ELSEWHERE = {"copy_", "igamma_", "igammac_", "nextafter_", "resize_"}
SWEEP = []
for _name in sorted(n for n in dir(numtorch.Tensor) if n.endswith("_") and n[0] != "_"):
    _k = next((k for k in range(len(_candidates(numtorch))) if _takes(_name, k)), None)
    if _k is not None and _name not in _ELSEWHERE:
        SWEEP += [(_name, _k, False), (_name, _k, True)]


def _sweep_case(m, name, k, grad):
    leaf = m.full((3, 1), 0.5, requires_grad=grad)
    x = (leaf * 1 if grad else leaf).expand(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(x, name)(*_candidates(m)[k])
    return None if name in RANDOM or not isinstance(y, m.Tensor) else y.tolist()


@pytest.mark.parametrize(("name", "k", "grad"), SWEEP)
def test_every_inplace_method_on_expanded_matches_pytorch(name, k, grad):
    case = lambda m: _sweep_case(m, name, k, grad)  # noqa: E731
    assert outcome(numtorch, case) == outcome(torch, case)


def _written_value_gradient(m):
    """Only the written value requires grad: its gradient is read through the shared memory
    (each written element's gradient is the sum over the elements sharing it)."""
    a = m.arange(1.0, 13.0, dtype=m.float64).reshape(3, 4).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = m.zeros(3, 1, dtype=m.float64).expand(3, 4).index_put_((m.tensor([1]),), a[:1])
    x.backward(m.arange(12.0, dtype=m.float64).reshape(3, 4) ** 2)
    return x.grad_fn.name(), a.grad.tolist()


def test_written_value_gradient_matches_pytorch():
    assert outcome(numtorch, _written_value_gradient) == outcome(torch, _written_value_gradient)
