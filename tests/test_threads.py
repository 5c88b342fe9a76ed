"""Big elementwise ops and sums split over the intra-op threads: the same values as on one
thread, PyTorch's results, and the thread count that ``set_num_threads`` sets."""

import os

import numpy as np
import pytest

import numtorch
from numtorch import _backend

from helpers import assert_close, requires_torch

BIG = 1 << 20  # over the size where ops split


@pytest.fixture
def one_thread():
    """Run a block with the pool off, then restore the thread count."""
    before = numtorch.get_num_threads()

    def run(fn):
        numtorch.set_num_threads(1)
        try:
            return fn()
        finally:
            numtorch.set_num_threads(before)
    return run


def _pair(seed, dtype="float32"):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(BIG).astype(dtype), rng.standard_normal(BIG).astype(dtype) + 3)


@pytest.fixture(autouse=True)
def two_threads():
    before = numtorch.get_num_threads()
    numtorch.set_num_threads(2)
    yield
    numtorch.set_num_threads(before)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64"])
def test_binary_matches_one_thread_bit_for_bit(op, dtype, one_thread):
    a, b = _pair(0, dtype)

    def run():
        x = numtorch.tensor(a, requires_grad=True)
        y = numtorch.tensor(b, requires_grad=True)
        out = getattr(numtorch, op)(x, y)
        out.backward(numtorch.ones_like(out), retain_graph=True)
        out.backward(numtorch.ones_like(out))  # the second pass accumulates into .grad
        return out.detach().numpy(), x.grad.numpy(), y.grad.numpy()

    for got, want in zip(run(), one_thread(run)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("number", [2, 2.5, -1])
def test_tensor_and_number(number, one_thread):
    a = numtorch.tensor(_pair(1)[0])
    for fn in (lambda: a + number, lambda: number - a, lambda: a * number, lambda: a / number):
        got, want = fn(), one_thread(fn)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_results_keep_pytorch_dtypes(dtype, one_thread):
    a = numtorch.arange(BIG).to(getattr(numtorch, dtype))
    for fn in (lambda: a + a, lambda: a * 3, lambda: a / 7, lambda: a - 1, lambda: a + 300):
        got, want = fn(), one_thread(fn)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["exp", "sin", "tanh", "sqrt", "log1p"])
def test_unary_matches_one_thread(name, one_thread):
    a = numtorch.tensor(np.abs(_pair(2)[0]), requires_grad=True)

    def run():
        out = getattr(numtorch, name)(a)
        (g,) = numtorch.autograd.grad(out, a, numtorch.ones_like(out))
        return out.detach().numpy(), g.numpy()

    for got, want in zip(run(), one_thread(run)):
        np.testing.assert_array_equal(got, want)


def test_sum_of_everything(one_thread):
    a = numtorch.tensor(_pair(3, "float64")[0], requires_grad=True)
    s = a.sum()
    assert s.shape == () and s.dtype == numtorch.float64
    assert_close(s, one_thread(lambda: a.sum()), rtol=1e-12, atol=1e-9)
    s.backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones(BIG))
    assert a.sum(dtype=numtorch.float32).dtype == numtorch.float32
    m = a.reshape(1024, 1024)
    assert m.sum(dim=None, keepdim=True).shape == (1, 1)
    assert_close(m.sum(dim=None, keepdim=True).reshape(()), s, rtol=0, atol=0)


def test_non_contiguous_and_broadcast_operands_take_the_plain_path(one_thread):
    a, b = _pair(4)
    x = numtorch.tensor(a.reshape(1024, 1024))
    y = numtorch.tensor(b.reshape(1024, 1024))
    for fn in (lambda: x.t() + y, lambda: x + y[:1], lambda: x[:, ::2] * 2):
        np.testing.assert_array_equal(fn().numpy(), one_thread(fn).numpy())


def test_errors_reach_the_caller():
    a = numtorch.ones(BIG, dtype=numtorch.uint8)._data
    with pytest.raises(OverflowError):
        _backend.elementwise(np.add, a, 1 << 70)
    # the pool is usable again afterwards
    np.testing.assert_array_equal(_backend.elementwise(np.add, a, 1), np.full(BIG, 2, np.uint8))


def test_set_num_threads():
    numtorch.set_num_threads(3)
    assert numtorch.get_num_threads() == 3
    a, b = _pair(5)
    np.testing.assert_array_equal((numtorch.tensor(a) + numtorch.tensor(b)).numpy(), a + b)
    with pytest.raises(RuntimeError, match="positive"):
        numtorch.set_num_threads(0)


def test_threads_called_from_threads():
    """Ops called from several threads at once each get their own result."""
    from concurrent.futures import ThreadPoolExecutor

    a, b = _pair(6)
    x, y = numtorch.tensor(a), numtorch.tensor(b)
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda k: (x * k + y).numpy(), range(8)))
    for k, r in enumerate(results):
        np.testing.assert_array_equal(r, a * np.float32(k) + b)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_workers():
    a, b = _pair(7)
    x, y = numtorch.tensor(a), numtorch.tensor(b)
    (x + y).sum()  # the parent's workers exist now
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        ok = np.array_equal((x + y).numpy(), a + b)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@requires_torch
@pytest.mark.parametrize("op", ["add", "mul", "exp", "sum"])
def test_against_pytorch(op):
    import torch

    a, b = _pair(8)
    results = []
    for m in (numtorch, torch):
        x = m.tensor(a, requires_grad=True)
        y = m.tensor(b, requires_grad=True)
        out = {"add": lambda: x + y, "mul": lambda: x * y, "exp": lambda: m.exp(x),
               "sum": lambda: x.sum()}[op]()
        out.backward(m.ones_like(out))
        results.append((out.detach().numpy(), x.grad.numpy()))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3 if op == "sum" else 1e-6)
