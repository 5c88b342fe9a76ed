"""Every dropout variant on every rank, dtype and edge case, against PyTorch: values (the same
random draws), shapes, exceptions and warnings."""

import warnings

import pytest
from helpers import torch

import numtorch as nt

MODULES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


def _run(m, make):
    m.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = make(m)
            out = (str(r.dtype), tuple(r.shape), r.detach().flatten().tolist())
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            out = (type(e).__name__, str(e))
    return out, [str(w.message) for w in caught]


def _same(make):
    assert _run(nt, make) == _run(torch, make)


@pytest.mark.parametrize("rank", range(7))
@pytest.mark.parametrize("name", MODULES)
def test_dropout_module_ranks(name, rank):
    shape = (2, 3, 4, 5, 3, 2)[:rank]
    _same(lambda m: getattr(m.nn, name)(0.5)(m.ones(shape)))


FUNCTIONS = {
    "dropout": lambda F, x: F.dropout(x, 0.3),
    "dropout_inplace": lambda F, x: F.dropout(x.clone(), 0.3, inplace=True),
    "dropout_eval": lambda F, x: F.dropout(x, 0.3, training=False),
    "dropout_p1": lambda F, x: F.dropout(x, 1.0),
    "dropout1d": lambda F, x: F.dropout1d(x, 0.4),
    "dropout2d": lambda F, x: F.dropout2d(x, 0.4),
    "dropout2d_p0": lambda F, x: F.dropout2d(x, 0.0),
    "dropout2d_inplace": lambda F, x: F.dropout2d(x.clone(), 0.4, inplace=True),
    "dropout3d": lambda F, x: F.dropout3d(x, 0.4),
    "alpha_dropout": lambda F, x: F.alpha_dropout(x, 0.2, training=True),
    "feature_alpha_dropout": lambda F, x: F.feature_alpha_dropout(x, 0.2, training=True),
    "p_out_of_range": lambda F, x: F.dropout2d(x, 1.5),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "complex64"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_dropout_functions_dtypes(name, dtype):
    _same(lambda m: FUNCTIONS[name](m.nn.functional, m.ones(2, 3, 4).to(getattr(m, dtype))))


def test_dropout2d_gradient_and_channels():
    # a 3-D input is (N, C, L): each of the 2 x 3 channels is kept or dropped whole
    def grads(m):
        m.manual_seed(1)
        x = m.ones(2, 3, 8, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = m.nn.functional.dropout2d(x, 0.5)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    (ya, ga), (yb, gb) = grads(nt), grads(torch)
    assert (ya == yb).all() and (ga == gb).all()
    assert ((ya == ya[..., :1]).all(-1)).all()  # whole channels
