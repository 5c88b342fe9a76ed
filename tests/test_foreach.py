"""``torch._foreach_*`` (ops/foreach.py) against PyTorch: values, in-place updates, errors."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import torch

import numtorch

SHAPES = [(2, 3), (4,), ()]


def _lists(seed=0, positive=False):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(0.5 if positive else -2, 2, s).astype(np.float32) for s in SHAPES]
    return [numtorch.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)


CASES = [
    ("add", lambda L, M: (L, 1.5), {}),
    ("add", lambda L, M: (L, M), {"alpha": 2}),
    ("sub", lambda L, M: (L, [1.0, 2.0, 3.0]), {}),
    ("mul", lambda L, M: (L, M), {}),
    ("div", lambda L, M: (L, 4.0), {}),
    ("pow", lambda L, M: (L, 2.0), {}),
    ("maximum", lambda L, M: (L, M), {}),
    ("clamp_min", lambda L, M: (L, 0.25), {}),
    ("addcmul", lambda L, M: (L, M, M), {"value": 0.5}),
    ("addcdiv", lambda L, M: (L, L, M), {"value": 0.5}),
    ("lerp", lambda L, M: (L, M, 0.3), {}),
    ("sqrt", lambda L, M: (L,), {}),
    ("exp", lambda L, M: (L,), {}),
    ("neg", lambda L, M: (L,), {}),
]


@pytest.mark.parametrize(
    "name,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
@pytest.mark.parametrize("inplace", [False, True])
def test_foreach_matches_torch(name, args, kwargs, inplace):
    ours, theirs = _lists(positive=True)
    m_ours, m_theirs = _lists(seed=1, positive=True)
    fn = f"_foreach_{name}{'_' if inplace else ''}"
    a = getattr(numtorch, fn)(*args(ours, m_ours), **kwargs)
    b = getattr(torch, fn)(*args(theirs, m_theirs), **kwargs)
    if inplace:
        assert a is ours
        _same(ours, theirs)
    else:
        assert isinstance(a, tuple)
        _same(a, b)
        _same(ours, _lists(positive=True)[0])  # the inputs are left alone


def test_foreach_norm_max_zero_copy():
    ours, theirs = _lists()
    _same(numtorch._foreach_norm(ours), torch._foreach_norm(theirs))
    _same(numtorch._foreach_norm(ours, 1), torch._foreach_norm(theirs, 1))
    _same(numtorch._foreach_max(ours), torch._foreach_max(theirs))
    _same(numtorch._foreach_pow(2.0, ours), torch._foreach_pow(2.0, theirs))
    src = _lists(seed=3)[0]
    numtorch._foreach_copy_(ours, src)
    _same(ours, src)
    numtorch._foreach_zero_(ours)
    assert all(not t.numpy().any() for t in ours)


def test_foreach_errors_match_torch():
    ours, theirs = _lists()
    for lib, lists in ((numtorch, ours), (torch, theirs)):
        with pytest.raises(RuntimeError, match="at least one tensor"):
            lib._foreach_add([], 1)
        with pytest.raises(RuntimeError, match="same number of elements as scalar list"):
            lib._foreach_add(lists, [1.0])
        with pytest.raises(RuntimeError, match="same number of tensors, got 3 and 1"):
            lib._foreach_add(lists, lists[:1])
