"""``torch.utils._pytree``: nested containers flattened to leaves and rebuilt from them.

Libraries (PyTorch Lightning, ema-pytorch, x-transformers) walk nested lists, tuples, dicts
and named tuples of tensors through this module. A *node* is a registered container type (in
``SUPPORTED_NODES``); everything else, ``None`` included, is a leaf. A ``TreeSpec`` records a
tree's structure: its node type, the node's context (dict keys, a named tuple's class) and one
spec per child; ``LeafSpec`` (printed ``*``) marks a leaf.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, defaultdict, deque, namedtuple
from typing import Any, Callable, Iterable, NamedTuple

__all__ = [
    "TreeSpec",
    "LeafSpec",
    "NodeDef",
    "SUPPORTED_NODES",
    "SequenceKey",
    "MappingKey",
    "GetAttrKey",
    "keystr",
    "key_get",
    "register_pytree_node",
    "tree_is_leaf",
    "tree_flatten",
    "tree_flatten_with_path",
    "tree_unflatten",
    "tree_iter",
    "tree_leaves",
    "tree_leaves_with_path",
    "tree_structure",
    "tree_map",
    "tree_map_with_path",
    "tree_map_",
    "tree_map_only",
    "tree_map_only_",
    "tree_all",
    "tree_any",
    "tree_all_only",
    "tree_any_only",
    "treespec_pprint",
    "is_namedtuple",
    "is_namedtuple_class",
    "is_namedtuple_instance",
]


class NodeDef(NamedTuple):
    type: type
    flatten_fn: Callable
    unflatten_fn: Callable
    flatten_with_keys_fn: Callable | None


SUPPORTED_NODES: dict[Any, NodeDef] = {}
PyTree = Any  # PyTorch's type alias for a tree (PyTorch Lightning annotates with it)
Context = Any


# --- keys: where a leaf sits inside its tree --------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SequenceKey:
    idx: int

    def __str__(self):
        return f"[{self.idx!r}]"

    def get(self, sequence):
        return sequence[self.idx]


@dataclasses.dataclass(frozen=True)
class MappingKey:
    key: Any

    def __str__(self):
        return f"[{self.key!r}]"

    def get(self, mapping):
        return mapping[self.key]


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    name: str

    def __str__(self):
        return f".{self.name}"

    def get(self, obj):
        return getattr(obj, self.name)


def keystr(kp: tuple) -> str:
    """``"['a'][0].x"`` for the key path of a leaf."""
    return "".join(str(k) for k in kp)


def key_get(obj, kp: tuple):
    for k in kp:
        obj = k.get(obj)
    return obj


# --- registration -----------------------------------------------------------------------------
def register_pytree_node(
    cls,
    flatten_fn: Callable,
    unflatten_fn: Callable,
    *,
    serialized_type_name: str | None = None,
    to_dumpable_context: Callable | None = None,
    from_dumpable_context: Callable | None = None,
    flatten_with_keys_fn: Callable | None = None,
) -> None:
    """Make ``cls`` a node: ``flatten_fn(obj) -> (children, context)`` and
    ``unflatten_fn(children, context) -> obj``."""
    if cls in SUPPORTED_NODES:
        raise ValueError(f"{cls} is already registered as pytree node.")
    SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn, flatten_with_keys_fn)


def _register_pytree_node(cls, flatten_fn, unflatten_fn, **kwargs) -> None:
    """The pre-2.2 spelling some libraries still call."""
    register_pytree_node(cls, flatten_fn, unflatten_fn, **kwargs)


def _seq(kind):
    def flatten_with_keys(d):
        return [(SequenceKey(i), v) for i, v in enumerate(d)], None

    return (lambda d: (list(d), None)), (lambda values, _: kind(values)), flatten_with_keys


def _dict_flatten(d) -> tuple[list, list]:
    return list(d.values()), list(d.keys())


def _dict_flatten_with_keys(d) -> tuple[list, list]:
    """Also PyTorch's private name: transformers registers its model outputs with it."""
    return [(MappingKey(k), v) for k, v in d.items()], list(d.keys())


def _keyed(make):
    return _dict_flatten, (lambda values, keys: make(zip(keys, values))), _dict_flatten_with_keys


def _namedtuple_defs():
    def flatten_with_keys(d):
        return [(GetAttrKey(f), v) for f, v in zip(d._fields, d)], type(d)

    return (lambda d: (list(d), type(d))), (lambda values, cls: cls(*values)), flatten_with_keys


def _defaultdict_defs():
    def flatten(d):
        return list(d.values()), [d.default_factory, list(d.keys())]

    def unflatten(values, context):
        return defaultdict(context[0], zip(context[1], values))

    def flatten_with_keys(d):
        return [(MappingKey(k), v) for k, v in d.items()], [d.default_factory, list(d.keys())]

    return flatten, unflatten, flatten_with_keys


def _deque_defs():
    def flatten_with_keys(d):
        return [(SequenceKey(i), v) for i, v in enumerate(d)], d.maxlen

    return (lambda d: (list(d), d.maxlen)), (lambda v, maxlen: deque(v, maxlen)), flatten_with_keys


def _register_builtin_nodes() -> None:
    from .._tensor import Size

    defs = {tuple: _seq(tuple), list: _seq(list), dict: _keyed(dict)}
    defs.update({namedtuple: _namedtuple_defs(), OrderedDict: _keyed(OrderedDict)})
    defs.update({defaultdict: _defaultdict_defs(), deque: _deque_defs(), Size: _seq(Size)})
    for cls, (flatten, unflatten, with_keys) in defs.items():
        register_pytree_node(cls, flatten, unflatten, flatten_with_keys_fn=with_keys)


def is_namedtuple_class(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")


def is_namedtuple_instance(obj) -> bool:
    return is_namedtuple_class(type(obj))


def is_namedtuple(obj) -> bool:
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def _get_node_type(tree) -> Any:
    """The registry key of ``tree``'s node: every named tuple class is ``namedtuple``."""
    node_type = type(tree)
    return namedtuple if is_namedtuple_class(node_type) else node_type


def tree_is_leaf(tree, is_leaf: Callable | None = None) -> bool:
    if is_leaf is not None and is_leaf(tree):
        return True
    return _get_node_type(tree) not in SUPPORTED_NODES


# --- the structure of a tree ------------------------------------------------------------------
class TreeSpec:
    """A node type, its context and one spec per child (``type`` is None for a leaf)."""

    __slots__ = ("type", "_context", "_children", "num_nodes", "num_leaves", "num_children")

    def __init__(self, type, context, children_specs: list):  # noqa: A002 - PyTorch's name
        self.type, self._context, self._children = type, context, list(children_specs)
        self.num_children = len(self._children)
        self.num_nodes = 1 + sum(c.num_nodes for c in self._children)
        self.num_leaves = sum(c.num_leaves for c in self._children)
        if type is None:
            self.num_leaves = 1

    context = property(lambda self: self._context)
    children_specs = property(lambda self: self._children)

    def is_leaf(self) -> bool:
        return self.num_nodes == 1 and self.num_leaves == 1

    def children(self) -> list:
        return list(self._children)

    def child(self, index: int):
        return self._children[index]

    def __repr__(self, indent: int = 0) -> str:
        inner = ""
        if self._children:
            indent += 2
            parts = [self._children[0].__repr__(indent)]
            parts += ["\n" + " " * indent + c.__repr__(indent) for c in self._children[1:]]
            inner = ",".join(parts)
        return f"TreeSpec({self.type.__name__}, {self._context}, [{inner}])"

    def __eq__(self, other):
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        same_type = str(self.type) == str(other.type)
        return same_type and self._context == other._context and self._children == other._children

    def __hash__(self):
        return hash((str(self.type), repr(self._context), tuple(self._children)))

    def flatten_up_to(self, tree) -> list:
        """The subtrees of ``tree`` that sit where this spec has leaves."""
        if self.is_leaf():
            return [tree]
        children = _children_matching(self, tree)
        return [sub for spec, c in zip(self._children, children) for sub in spec.flatten_up_to(c)]

    def unflatten(self, leaves: Iterable):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(
                f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec "
                f"refers to a pytree that holds {self.num_leaves} items ({self})."
            )
        return self._build(iter(leaves))

    def _build(self, leaves):
        if self.is_leaf():
            return next(leaves)
        children = [c._build(leaves) for c in self._children]
        return SUPPORTED_NODES[self.type].unflatten_fn(children, self._context)


class LeafSpec(TreeSpec):
    __slots__ = ()

    def __init__(self):
        super().__init__(None, None, [])

    def __repr__(self, indent: int = 0) -> str:
        return "*"


def _children_matching(spec: TreeSpec, tree) -> list:
    """``tree``'s children, after checking that its node matches ``spec``'s (PyTorch's texts)."""
    node_type = _get_node_type(tree)
    if node_type != spec.type:
        raise ValueError(f"Node type mismatch; expected {spec.type!r}, but got {node_type!r}.")
    children, context = SUPPORTED_NODES[node_type].flatten_fn(tree)
    if len(children) != spec.num_children:
        raise ValueError(
            f"Node arity mismatch; expected {spec.num_children}, but got {len(children)}."
        )
    if node_type in (dict, OrderedDict, defaultdict):  # children match by key, not by order
        keys, want = (
            (context[1], spec.context[1]) if node_type is defaultdict else (context, spec.context)
        )
        missing, extra = set(want) - set(keys), set(keys) - set(want)
        if missing or extra:
            message = f"; missing key(s): {missing}" if missing else ""
            message += f"; extra key(s): {extra}" if extra else ""
            raise ValueError(f"Node keys mismatch{message}.")
        return [tree[k] for k in want]
    if context != spec.context:
        raise ValueError(
            f"Node context mismatch for node type {spec.type!r}; expected "
            f"{spec.context!r}, but got {context!r}."
        )
    return children


# --- flatten, rebuild, map --------------------------------------------------------------------
def tree_flatten(tree, is_leaf: Callable | None = None) -> tuple[list, TreeSpec]:
    """All leaves of ``tree`` in order, and its structure."""
    leaves: list = []

    def helper(node) -> TreeSpec:
        if tree_is_leaf(node, is_leaf):
            leaves.append(node)
            return LeafSpec()
        node_type = _get_node_type(node)
        children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
        return TreeSpec(node_type, context, [helper(c) for c in children])

    spec = helper(tree)
    return leaves, spec


def tree_unflatten(leaves: Iterable, treespec: TreeSpec):
    if not isinstance(treespec, TreeSpec):
        raise TypeError(
            "Expected `treespec` to be an instance of PyTreeSpec but got item of type "
            f"{type(treespec)}."
        )
    return treespec.unflatten(leaves)


def tree_leaves(tree, is_leaf: Callable | None = None) -> list:
    return tree_flatten(tree, is_leaf)[0]


def tree_iter(tree, is_leaf: Callable | None = None):
    yield from tree_leaves(tree, is_leaf)


def tree_structure(tree, is_leaf: Callable | None = None) -> TreeSpec:
    return tree_flatten(tree, is_leaf)[1]


def tree_map(func: Callable, tree, *rests, is_leaf: Callable | None = None):
    """``func`` applied leaf by leaf; ``rests`` are trees with (at least) ``tree``'s structure."""
    leaves, spec = tree_flatten(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(*xs) for xs in zip(leaves, *others))


def tree_map_(func: Callable, tree, *rests, is_leaf: Callable | None = None):
    """``func`` called on each leaf for its effect; ``tree`` itself is returned."""
    leaves, spec = tree_flatten(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    for xs in zip(leaves, *others):
        func(*xs)
    return tree


def map_only(type_or_types_or_pred) -> Callable:
    """A decorator: the function runs on the leaves that match; other leaves pass through."""
    if isinstance(type_or_types_or_pred, (type, tuple)):
        types = type_or_types_or_pred

        def pred(x):
            return isinstance(x, types)
    elif callable(type_or_types_or_pred):
        pred = type_or_types_or_pred
    else:
        raise TypeError("Argument must be a type, a tuple of types, or a callable.")

    def wrapper(func):
        return lambda x: func(x) if pred(x) else x

    return wrapper


def tree_map_only(type_or_types_or_pred, func: Callable, tree, is_leaf=None):
    return tree_map(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_map_only_(type_or_types_or_pred, func: Callable, tree, is_leaf=None):
    return tree_map_(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_all(pred: Callable, tree, is_leaf=None) -> bool:
    return all(map(pred, tree_leaves(tree, is_leaf)))


def tree_any(pred: Callable, tree, is_leaf=None) -> bool:
    return any(map(pred, tree_leaves(tree, is_leaf)))


def tree_all_only(type_or_types, pred: Callable, tree, is_leaf=None) -> bool:
    return all(pred(x) for x in tree_leaves(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types, pred: Callable, tree, is_leaf=None) -> bool:
    return any(pred(x) for x in tree_leaves(tree, is_leaf) if isinstance(x, type_or_types))


# --- key paths --------------------------------------------------------------------------------
def tree_flatten_with_path(tree, is_leaf: Callable | None = None) -> tuple[list, TreeSpec]:
    """``((key path, leaf) ...)`` and the structure; a key path is a tuple of keys."""
    out: list = []

    def helper(node, path):
        if tree_is_leaf(node, is_leaf):
            out.append((path, node))
            return
        node_def = SUPPORTED_NODES[_get_node_type(node)]
        if node_def.flatten_with_keys_fn is None:
            raise ValueError(
                f"Did not find a flatten_with_keys_fn for type: {node_def.type}. Please pass a "
                "flatten_with_keys_fn argument to register_pytree_node."
            )
        for key, child in node_def.flatten_with_keys_fn(node)[0]:
            helper(child, (*path, key))

    helper(tree, ())
    return out, tree_structure(tree, is_leaf)


def tree_leaves_with_path(tree, is_leaf: Callable | None = None) -> list:
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(func: Callable, tree, *rests, is_leaf: Callable | None = None):
    pairs, spec = tree_flatten_with_path(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(kp, x, *xs) for (kp, x), *xs in zip(pairs, *others))


def treespec_pprint(treespec: TreeSpec) -> str:
    """The tree with ``*`` at each leaf: ``{'a': [*, (*, *)]}``."""

    class _Star:
        def __repr__(self):
            return "*"

    return repr(treespec.unflatten([_Star()] * treespec.num_leaves))


_register_builtin_nodes()
