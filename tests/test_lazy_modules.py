"""Lazy layers take their input size from the first call and then hold PyTorch's weights."""

import numpy as np
import pytest
from oracle import torch

import numtorch as nt

CASES = [
    ("LazyLinear", (4,), (2, 5)),
    ("LazyConv1d", (4, 3), (2, 6, 8)),
    ("LazyConv2d", (4, 3), (2, 3, 8, 8)),
    ("LazyConv3d", (2, 2), (1, 2, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3, 2), (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3, 2, 1, 1), (2, 3, 5, 5)),
]


@pytest.mark.parametrize("name,args,shape", CASES, ids=[c[0] for c in CASES])
def test_lazy_layer_matches_torch(name, args, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("f4")
    results = []
    for module in (nt, torch):
        module.manual_seed(0)
        layer = getattr(module.nn, name)(*args)
        out = layer(module.tensor(x))
        results.append(
            (repr(layer), type(layer).__name__, out.detach().numpy(), layer.weight.detach().numpy())
        )
    (r1, c1, y1, w1), (r2, c2, y2, w2) = results
    assert (r1, c1) == (r2, c2)
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-6)


NORMS = [
    ("LazyBatchNorm1d", {}, (4, 3)),
    ("LazyBatchNorm1d", {}, (4, 3, 5)),
    ("LazyBatchNorm2d", {}, (2, 3, 4, 4)),
    ("LazyBatchNorm3d", {}, (2, 3, 2, 2, 2)),
    ("LazyBatchNorm1d", {"affine": False, "track_running_stats": False}, (4, 3)),
    ("LazyInstanceNorm1d", {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", {}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", {"affine": False}, (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", NORMS, ids=[f"{n[0]}-{n[2]}" for n in NORMS])
def test_lazy_norm_matches_torch(name, kwargs, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("f4")
    results = []
    for module in (nt, torch):
        layer = getattr(module.nn, name)(**kwargs)
        before = sorted(layer.state_dict())
        out = layer(module.tensor(x))
        state = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
        results.append((before, repr(layer), type(layer).__name__, out.detach().numpy(), state))
    (b1, r1, c1, y1, s1), (b2, r2, c2, y2, s2) = results
    assert (b1, r1, c1) == (b2, r2, c2)
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-5)
    assert sorted(s1) == sorted(s2)
    for k in s1:
        np.testing.assert_allclose(s1[k], s2[k], rtol=1e-5, atol=1e-6)
