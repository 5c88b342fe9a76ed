"""``torch.utils._pytree``: the same leaves, specs, texts and errors as PyTorch's."""

from __future__ import annotations

import warnings
from collections import OrderedDict, defaultdict, deque, namedtuple

import pytest

import numtorch.utils._pytree as ours

try:
    import torch.utils._pytree as theirs
except ImportError:  # the oracle is optional
    theirs = None

requires_torch = pytest.mark.skipif(theirs is None, reason="PyTorch (the oracle) not installed")
P = namedtuple("P", "x y")


def _tree():
    return {
        "b": [1, (2, None)],
        "a": P(3, 4),
        "c": OrderedDict(z=5),
        "d": defaultdict(list, k=6),
        "e": deque([7], maxlen=3),
    }


TREES = [_tree(), [], {}, (), None, 5, [1, [2, [3]]], P([1], {"q": (2,)})]


def _both(fn):
    """``fn(module)`` on numtorch's and PyTorch's: results, or exception type and text."""
    out = []
    for mod in (ours, theirs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PyTorch's LeafSpec deprecation notice
                out.append(("ok", fn(mod)))
        except Exception as e:  # noqa: BLE001 - comparing failures is the point
            out.append((type(e).__name__, str(e)))
    return out


@requires_torch
@pytest.mark.parametrize("index", range(len(TREES)))
def test_flatten_spec_unflatten_match(index):
    def run(mod):
        tree = TREES[index]
        leaves, spec = mod.tree_flatten(tree)
        shape = (spec.num_leaves, spec.num_nodes, spec.num_children, spec.is_leaf())
        rebuilt = mod.tree_unflatten([10] * len(leaves), spec)
        paths = [(mod.keystr(k), v) for k, v in mod.tree_flatten_with_path(tree)[0]]
        return leaves, repr(spec), shape, repr(rebuilt), paths, mod.treespec_pprint(spec)

    a, b = _both(run)
    assert a == b


@requires_torch
@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.tree_map(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]),
        lambda m: m.tree_map(lambda a, b: a + b, [1, (2, 3)], [10, [20, 30]]),
        lambda m: m.tree_map(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30, 4)]),
        lambda m: m.tree_map(lambda a, b: a + b, {"a": 1}, {"b": 2}),
        lambda m: m.tree_map(lambda a, b: (a, b), {"a": 1, "b": 2}, {"b": 3, "a": 4}),
        lambda m: m.tree_map(lambda a, b: a, P(1, 2), (1, 2)),
        lambda m: m.tree_map(lambda a, b: (a, b), [1, 2], [[5], {"k": 6}]),
        lambda m: m.tree_map_only(int, lambda x: x * 2, [1, "a", 2.0, True]),
        lambda m: m.tree_map_only((int, float), lambda x: x * 2, [1, "a", 2.0]),
        lambda m: m.tree_map_only(lambda x: x == "a", lambda x: x * 2, [1, "a"]),
        lambda m: (m.tree_all(lambda x: x > 0, [1, 2]), m.tree_any(lambda x: x > 1, [1, 2])),
        lambda m: m.tree_any_only(str, lambda x: x == "a", [1, ["a"]]),
        lambda m: m.tree_leaves([1, [2]], is_leaf=lambda x: isinstance(x, list)),
        lambda m: m.tree_leaves([1, [2, [3]]], is_leaf=lambda x: x == [3]),
        lambda m: m.tree_structure([1]) == m.tree_structure([2]),
        lambda m: m.tree_structure([1]) == m.tree_structure((2,)),
        lambda m: m.tree_structure({"a": 1, "b": 2}) == m.tree_structure({"b": 1, "a": 2}),
        lambda m: m.tree_unflatten([1, 2], m.tree_structure([0, 0, 0])),
        lambda m: m.tree_unflatten([1], [0]),
        lambda m: m.tree_structure(_tree()).flatten_up_to(_tree()),
        lambda m: list(m.tree_iter([1, [2]])),
        lambda m: (m.tree_structure(1) == m.LeafSpec(), repr(m.LeafSpec())),
        lambda m: repr(m.tree_structure(_tree()).children_specs[1]),
        lambda m: (m.is_namedtuple(P), m.is_namedtuple_instance(P(1, 2)), m.is_namedtuple(())),
        lambda m: m._get_node_type(P(1, 2)) is m._get_node_type(namedtuple("Q", "a")(1)),
        lambda m: m.tree_map_with_path(lambda k, x: m.keystr(k), {"a": [1, P(2, 3)]}),
        lambda m: m.key_get(_tree(), m.tree_flatten_with_path(_tree())[0][3][0]),
        lambda m: [repr(k) for k in (m.SequenceKey(1), m.MappingKey("a"), m.GetAttrKey("x"))],
        lambda m: sorted(
            t.__name__ for t in m.SUPPORTED_NODES if t.__module__ in ("builtins", "collections")
        ),
        lambda m: m.SUPPORTED_NODES[list]._fields,
    ],
)
def test_functions_match(call):
    a, b = _both(call)
    assert a == b


@requires_torch
def test_custom_node_registration_and_errors():
    class C:
        def __init__(self, a, b):
            self.a, self.b = a, b

        def __repr__(self):
            return f"C({self.a}, {self.b})"

    def run(mod):
        kind = type("C", (C,), {})
        mod.register_pytree_node(kind, lambda c: ([c.a, c.b], None), lambda v, ctx: kind(*v))
        leaves, spec = mod.tree_flatten(kind(1, [2, 3]))
        mapped = repr(mod.tree_map(lambda x: x * 10, [kind(1, 2)]))
        errors = []
        for again in (
            lambda: mod.register_pytree_node(kind, None, None),
            lambda: mod.tree_flatten_with_path(kind(1, 2)),
        ):
            with pytest.raises(ValueError) as info:
                again()
            errors.append(str(info.value).replace(repr(kind), "C"))
        return leaves, repr(spec), mapped, errors

    a, b = _both(run)
    assert a == b and "already registered" in a[1][3][0]


def test_mutating_map_returns_the_tree_and_visits_every_leaf():
    seen, tree = [], [1, {"a": (2, 3)}]
    assert ours.tree_map_(seen.append, tree) is tree
    assert seen == [1, 2, 3]
