"""``default_collate`` and ``default_convert``: samples into batches, PyTorch's type rules.

Tensors are stacked; NumPy arrays and scalars become tensors of their own dtype; Python floats
become float64, ints int64 and bools bool tensors; strings stay lists; mappings, named tuples
and sequences are collated field by field (a tuple of fields becomes a list, as in PyTorch).
"""

from __future__ import annotations

import collections.abc
import copy
import re
from typing import Callable

from ... import _backend
from ..._tensor import Tensor, wrap

__all__ = ["default_collate", "default_convert", "collate"]

_np = _backend.module_for(_backend.CPU)  # host arrays arrive from datasets as NumPy arrays
_STR_OR_OBJECT = re.compile(r"[SaUO]")

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _stack_tensors(batch, *, collate_fn_map=None):
    if any(t._rg for t in batch):  # keep the graph: collate inside autograd is legal
        from ...ops.join import stack

        return stack(batch, 0)
    first = batch[0]._data.shape
    for i, t in enumerate(batch):
        if t._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"{list(first)} at entry 0 and {list(t.shape)} at entry {i}"
            )
    xp = _backend.array_module(batch[0]._data)
    return wrap(xp.stack([t._data for t in batch]))


def _collate_array(batch, *, collate_fn_map=None):
    if _STR_OR_OBJECT.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERR.format(batch[0].dtype))
    return collate([wrap(_np.asarray(b)) for b in batch], collate_fn_map=collate_fn_map)


def _collate_np_scalar(batch, *, collate_fn_map=None):
    return wrap(_np.asarray(batch))


def _collate_float(batch, *, collate_fn_map=None):
    return wrap(_np.asarray(batch, dtype=_np.float64))


def _collate_int(batch, *, collate_fn_map=None):
    if all(type(b) is bool for b in batch):
        return wrap(_np.asarray(batch, dtype=_np.bool_))
    return wrap(_np.asarray(batch, dtype=_np.int64))


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict = {
    Tensor: _stack_tensors,
    (_np.ndarray, _np.memmap): _collate_array,
    (_np.bool_, _np.number, _np.object_): _collate_np_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples) by the first sample's type, looking the type up
    in ``collate_fn_map`` (exactly, then by ``isinstance``) before the container rules."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is None:
            fn = next((f for t, f in collate_fn_map.items() if isinstance(elem, t)), None)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {
            key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem
        }
        return _rebuild_mapping(elem, fields)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple keeps its type
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return fields
        return _rebuild_sequence(elem, fields)
    raise TypeError(_ERR.format(elem_type))


def _rebuild_mapping(elem, fields: dict):
    """A mapping of ``elem``'s type holding ``fields`` (a plain dict where that fails)."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        return type(elem)(fields)
    except TypeError:
        return dict(fields)


def _rebuild_sequence(elem, items: list):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(elem)(items)
    except TypeError:
        return list(items)


def default_collate(batch):
    """Stack a list of samples into a batch (see the module docstring for the rules).

    Examples:
        >>> default_collate([(1, 2.0), (3, 4.0)])
        [tensor([1, 3]), tensor([2., 4.], dtype=torch.float64)]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """What the DataLoader does to samples when batching is off: NumPy arrays and scalars
    become tensors (sharing memory), containers are converted element by element."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (_np.ndarray, _np.generic)):
        if isinstance(data, _np.ndarray) and _STR_OR_OBJECT.search(data.dtype.str):
            return data
        return wrap(_np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def is_default(fn: Callable | None) -> bool:
    return fn is default_collate
