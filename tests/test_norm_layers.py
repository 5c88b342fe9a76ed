"""Batch / instance / group / local-response normalisation against torch."""

import numpy as np
import pytest
from helpers import assert_close, check_op, gradcheck, torch

import numtorch as nt
import numtorch.nn as nn


def F(t):
    return nt.nn.functional if isinstance(t, nt.Tensor) else torch.nn.functional


def test_batch_norm_functional_training():
    check_op(
        lambda x, w, b: F(x).batch_norm(x, None, None, w, b, training=True), [(4, 3, 5), (3,), (3,)]
    )
    check_op(lambda x: F(x).batch_norm(x, None, None, training=True), [(5, 2)])


def test_batch_norm_eval_double_backward():
    rm, rv = np.array([0.1, -0.2]), np.array([0.5, 2.0])
    gradcheck(
        lambda x, w: nt.nn.functional.batch_norm(x, nt.tensor(rm), nt.tensor(rv), w),
        [np.random.default_rng(0).standard_normal((3, 2, 4)), np.array([1.5, -0.5])],
    )


def test_group_instance_lrn_functional():
    check_op(lambda x, w, b: F(x).group_norm(x, 2, w, b), [(2, 4, 3, 3), (4,), (4,)])
    check_op(lambda x: F(x).instance_norm(x), [(2, 3, 6)])
    check_op(lambda x: F(x).local_response_norm(x, 3), [(2, 5, 4, 3)], second_order=False)
    check_op(lambda x: F(x).local_response_norm(x, 2), [(2, 5, 4)], second_order=False)


LAYERS = [
    lambda m: m.BatchNorm1d(3),
    lambda m: m.BatchNorm2d(3, momentum=None),
    lambda m: m.BatchNorm3d(3, affine=False),
    lambda m: m.BatchNorm2d(3, bias=False),
    lambda m: m.BatchNorm1d(3, track_running_stats=False),
    lambda m: m.InstanceNorm1d(3),
    lambda m: m.InstanceNorm2d(3, affine=True),
    lambda m: m.InstanceNorm2d(3, track_running_stats=True),
    lambda m: m.InstanceNorm3d(3),
    lambda m: m.GroupNorm(3, 6),
    lambda m: m.GroupNorm(2, 6, affine=False),
    lambda m: m.LocalResponseNorm(3, alpha=0.01, k=2.0),
]


def _input(layer):
    name = type(layer).__name__
    c = getattr(layer, "num_features", getattr(layer, "num_channels", 3))
    if "1d" in name:
        return (4, c, 5)
    if "3d" in name:
        return (2, c, 3, 2, 4)
    return (4, c, 3, 4)


@pytest.mark.parametrize("make", LAYERS, ids=range(len(LAYERS)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(make, dtype):
    a, b = make(nn), make(torch.nn)
    assert repr(a) == repr(b)
    if dtype == "float64":
        a, b = a.double(), b.double()
    rng = np.random.default_rng(0)
    for train in (True, True, False):  # two training steps move the running stats, then eval
        a.train(train)
        b.train(train)
        x = rng.standard_normal(_input(a)).astype(dtype)
        xa, xb = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = a(xa), b(xb)
        assert_close(ya, yb)
        g = rng.standard_normal(tuple(yb.shape)).astype(dtype)
        ya.backward(nt.tensor(g))
        yb.backward(torch.tensor(g))
        assert_close(xa.grad, xb.grad)
        for pa, pb in zip(a.parameters(), b.parameters()):
            assert_close(pa.grad, pb.grad)
        for (na, ba), (nb, bb) in zip(a.named_buffers(), b.named_buffers()):
            assert na == nb
            assert_close(ba, bb)


def test_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(nt.randn(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(nt.randn(1, 3))
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        nt.nn.functional.batch_norm(nt.randn(2, 3), nt.zeros(4), nt.ones(4))
    with pytest.raises(ValueError, match="must be divisible by num_groups"):
        nn.GroupNorm(4, 6)


def test_sync_batch_norm_and_data_parallel_in_one_process():
    import numpy as np
    from oracle import torch

    import numtorch

    x = np.random.default_rng(0).standard_normal((4, 2)).astype("f4")
    outs = []
    for m in (numtorch, torch):
        m.manual_seed(0)
        net = m.nn.Sequential(
            m.nn.Linear(2, 3), m.nn.BatchNorm1d(3), m.nn.Sequential(m.nn.BatchNorm1d(3))
        )
        wrapped = m.nn.DataParallel(m.nn.SyncBatchNorm.convert_sync_batchnorm(net))
        y = wrapped(m.tensor(x))
        outs.append(
            (
                repr(wrapped),
                list(wrapped.state_dict()),
                y.detach().numpy(),
                wrapped.module[1].running_mean.numpy(),
            )
        )
    (r1, k1, y1, s1), (r2, k2, y2, s2) = outs
    assert r1 == r2 and k1 == k2
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s1, s2, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        numtorch.nn.SyncBatchNorm(3)(numtorch.ones(3))


def test_batch_norm_loads_a_state_dict_without_num_batches_tracked():
    """Checkpoints from before the counter existed load strictly, as in PyTorch (version 2)."""
    import numtorch

    bn = numtorch.nn.BatchNorm1d(2)
    assert bn.state_dict()._metadata[""] == {"version": 2}
    old = {
        "weight": numtorch.ones(2),
        "bias": numtorch.zeros(2),
        "running_mean": numtorch.full((2,), 0.5),
        "running_var": numtorch.ones(2),
    }
    result = bn.load_state_dict(old)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert bn.running_mean.tolist() == [0.5, 0.5] and int(bn.num_batches_tracked) == 0
