"""Lazy layers take their input size from the first call and then hold PyTorch's weights."""

import numpy as np
import pytest

import numtorch as nt

torch = pytest.importorskip("torch")

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
        results.append((repr(layer), type(layer).__name__, out.detach().numpy(),
                        layer.weight.detach().numpy()))
    (r1, c1, y1, w1), (r2, c2, y2, w2) = results
    assert (r1, c1) == (r2, c2)
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-6)
