"""Padding layers and Fold/Unfold modules against PyTorch: repr, values and gradients."""

import numpy as np
import pytest
from helpers import compare_with_torch
from oracle import torch

import numtorch as nt

CASES = [
    ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ZeroPad2d", ((1, 0, 2, 1),), (1, 2, 4, 5)),
    ("ZeroPad3d", (1,), (1, 1, 2, 3, 3)),
    ("ConstantPad1d", ((1, 2), 3.5), (2, 3, 5)),
    ("ConstantPad2d", (1, -1.0), (1, 2, 4, 5)),
    ("ConstantPad3d", (1, 2.0), (1, 1, 2, 3, 3)),
    ("ReflectionPad1d", (2,), (2, 3, 5)),
    ("ReflectionPad2d", ((1, 1, 2, 0),), (1, 2, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 1, 2, 3, 3)),
    ("ReplicationPad1d", (2,), (2, 3, 5)),
    ("ReplicationPad2d", (1,), (1, 2, 4, 5)),
    ("ReplicationPad3d", (1,), (1, 1, 2, 3, 3)),
    ("CircularPad1d", (2,), (2, 3, 5)),
    ("CircularPad2d", (1,), (1, 2, 4, 5)),
    ("CircularPad3d", (1,), (1, 1, 2, 3, 3)),
]


@pytest.mark.parametrize("name,args,shape", CASES, ids=[c[0] for c in CASES])
def test_padding_layer(name, args, shape):
    ours, theirs = getattr(nt.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype("f4")
    compare_with_torch(lambda t: (ours if isinstance(t, nt.Tensor) else theirs)(t), [x])


def test_fold_unfold_modules():
    kw = {"kernel_size": (2, 3), "padding": 1, "stride": 2}
    u, tu = nt.nn.Unfold(**kw), torch.nn.Unfold(**kw)
    assert repr(u) == repr(tu)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 6)).astype("f4")
    compare_with_torch(lambda t: (u if isinstance(t, nt.Tensor) else tu)(t), [x])
    f, tf = nt.nn.Fold(output_size=(5, 6), **kw), torch.nn.Fold(output_size=(5, 6), **kw)
    assert repr(f) == repr(tf)
    cols = tu(torch.tensor(x)).numpy()
    compare_with_torch(lambda t: (f if isinstance(t, nt.Tensor) else tf)(t), [cols])
