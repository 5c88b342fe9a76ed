"""PyTorch's NumPy-style keyword aliases (``axis=`` for ``dim=``, ``keepdims=`` for
``keepdim=``, ``a=``/``x=``/``x1=`` for ``input=``, ``x2=`` for ``other=``), swept over every
function and Tensor method that numtorch and PyTorch share and that has a ``dim``."""

import warnings

import pytest
from helpers import torch

import numtorch as nt


def _params(fn):
    fn = getattr(fn, "__wrapped__", fn)
    code = getattr(fn, "__code__", None)
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] if code else ()


def _outcome(m, name, method, kwargs):
    x = m.arange(12.0).reshape(3, 4) / 7 + 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = getattr(x, name)(**kwargs) if method else getattr(m, name)(x, **kwargs)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e).__name__
    r = r[0] if isinstance(r, tuple) else r
    return "ok", tuple(r.shape) if hasattr(r, "shape") else r


def _sweep(method):
    owner_nt, owner_torch = (nt.Tensor, torch.Tensor) if method else (nt, torch)
    for name in sorted(set(dir(owner_nt)) & set(dir(owner_torch))):
        params = _params(getattr(owner_nt, name))
        if name.startswith("_") or "dim" not in params:
            continue
        yield name, {"axis": 1}
        if "keepdim" in params:
            yield name, {"axis": 1, "keepdims": True}


@pytest.mark.parametrize("method", [False, True], ids=["function", "method"])
def test_axis_and_keepdims_sweep(method):
    checked, differ = 0, []
    for name, kwargs in _sweep(method):
        want = _outcome(torch, name, method, kwargs)
        if want[0] != "ok":  # needs more arguments than the sweep gives
            continue
        checked += 1
        if _outcome(nt, name, method, kwargs) != want:
            differ.append((name, kwargs))
    assert checked > 40 and not differ


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.cumprod(x, axis=0),
        lambda m, x: x.mean(axis=0, keepdims=True),
        lambda m, x: m.sum(a=x, axis=1),
        lambda m, x: m.max(x1=x, axis=1).values,
        lambda m, x: m.cat([x, x], axis=1),
        lambda m, x: m.sum(x, dim=0, axis=0),
        lambda m, x: m.nn.functional.softmax(x, axis=1),
        lambda m, x: x.size(axis=1),
    ],
)
def test_aliases_as_pytorch(fn):
    def outcome(m):
        try:
            r = fn(m, m.arange(6.0).reshape(2, 3))
        except TypeError as e:
            return "TypeError", str(e)
        return r.tolist() if hasattr(r, "tolist") else r

    assert outcome(nt) == outcome(torch)


@pytest.mark.parametrize("namespace", ["linalg", "special", "fft"])
def test_axis_in_submodules(namespace):
    ours, theirs = getattr(nt, namespace), getattr(torch, namespace)
    checked = 0
    for name in sorted(set(dir(ours)) & set(dir(theirs))):
        if name.startswith("_") or "dim" not in _params(getattr(ours, name)):
            continue
        x = torch.rand(3, 4) + 0.5
        try:
            want = tuple(getattr(theirs, name)(x, axis=1).shape)
        except Exception:  # noqa: BLE001 - needs more arguments than the sweep gives
            continue
        checked += 1
        assert tuple(getattr(ours, name)(nt.tensor(x.numpy()), axis=1).shape) == want, name
    assert checked >= 2


def test_operators_keep_their_direct_path():
    # the elementwise operators have no dim: the alias wrapper must not slow them down
    assert nt.Tensor.add is nt.ops.arithmetic.METHODS["add"]
    assert nt.multiply is nt.ops.arithmetic.multiply
    # torch.add refuses a non-Tensor operand in PyTorch's words, checked after a failure
    assert nt.add.__wrapped__ is nt.ops.arithmetic.add
