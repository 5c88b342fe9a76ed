"""numtorch.linalg against PyTorch: values, gradients (float64 finite differences), errors."""

import numpy as np
import pytest
from helpers import check_op, gradcheck
from oracle import torch

import numtorch as nt


def spd(n=3, batch=(), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def well(n=3, batch=(), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def run_both(fn_name, *arrays, **kw):
    a = getattr(nt.linalg, fn_name)(*[nt.tensor(x) for x in arrays], **kw)
    b = getattr(torch.linalg, fn_name)(*[torch.tensor(x) for x in arrays], **kw)
    return a, b


@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize(
    "name", ["det", "inv", "matrix_exp", "cholesky", "eigvalsh", "svdvals", "pinv", "matrix_rank"]
)
def test_values(name, batch):
    src = spd(3, batch) if name in ("cholesky", "eigvalsh") else well(3, batch)
    a, b = run_both(name, src)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8)
    assert str(a.dtype) == str(b.dtype)


def test_decompositions_reconstruct_and_match():
    a = well(4)
    q, r = nt.linalg.qr(nt.tensor(a))
    np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-10)
    tq, tr = torch.linalg.qr(torch.tensor(a))
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(tr.numpy()), atol=1e-10)
    w, v = nt.linalg.eigh(nt.tensor(spd(4)))
    tw, tv = torch.linalg.eigh(torch.tensor(spd(4)))
    np.testing.assert_allclose(w.numpy(), tw.numpy(), atol=1e-10)
    np.testing.assert_allclose(np.abs(v.numpy()), np.abs(tv.numpy()), atol=1e-8)
    sign, logabs = nt.linalg.slogdet(nt.tensor(a))
    ts, tl = torch.linalg.slogdet(torch.tensor(a))
    assert sign.item() == ts.item() and abs(logabs.item() - tl.item()) < 1e-10


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: nt.linalg.det(a),
        lambda a: nt.linalg.inv(a),
        lambda a: nt.linalg.slogdet(a)[1],
        lambda a: nt.linalg.matrix_exp(a * 0.3),
        lambda a: nt.linalg.cholesky(a @ a.mT),
        lambda a: nt.linalg.qr(a)[0] + nt.linalg.qr(a)[1],
        lambda a: nt.linalg.eigh(a + a.mT)[0],
        lambda a: nt.linalg.svd(a, full_matrices=False)[1],
        lambda a: nt.linalg.vector_norm(a, 3),
        lambda a: nt.linalg.matrix_norm(a),
        lambda a: nt.linalg.solve(a, a[0]),
    ],
    ids=[
        "det",
        "inv",
        "slogdet",
        "matrix_exp",
        "cholesky",
        "qr",
        "eigh",
        "svdvals",
        "vector_norm3",
        "fro",
        "solve",
    ],
)
def test_gradients_finite_differences(fn):
    gradcheck(fn, [well(3)], second_order=False)


def test_second_order_det_inv():
    gradcheck(lambda a: nt.linalg.det(a), [well(2)], second_order=True)
    gradcheck(lambda a: nt.linalg.inv(a), [well(2)], second_order=True)


@pytest.mark.parametrize("name", ["det", "inv", "slogdet"])
def test_gradients_match_torch(name):
    a = well(3, (2,))
    x, tx = nt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = getattr(nt.linalg, name)(x), getattr(torch.linalg, name)(tx)
    if name == "slogdet":
        out, ref = out[1], ref[1]
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8)


@pytest.mark.parametrize("ord", [None, 1, 2, 3, float("inf"), -float("inf"), 0])
def test_vector_norm(ord):
    a = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    kw = {} if ord is None else {"ord": ord}
    out, ref = run_both("vector_norm", a, **kw)
    np.testing.assert_allclose(out.numpy(), ref.numpy())
    out, ref = run_both("vector_norm", a, dim=1, keepdim=True, **kw)
    np.testing.assert_allclose(out.numpy(), ref.numpy())


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf")])
def test_matrix_norm(ord):
    out, ref = run_both("matrix_norm", well(3), ord=ord)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-10)


def test_norm_at_zero_has_zero_gradient():
    x = nt.zeros(3, requires_grad=True)
    nt.linalg.vector_norm(x).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_solve_vector_and_matrix_rhs():
    a, b = well(3), np.arange(3.0)
    out, ref = run_both("solve", a, b)
    np.testing.assert_allclose(out.numpy(), ref.numpy())
    out, ref = run_both("solve", a, np.ones((3, 2)))
    np.testing.assert_allclose(out.numpy(), ref.numpy())


def test_cross_and_multi_dot_and_power():
    a, b = np.random.default_rng(0).standard_normal((2, 4, 3))
    check_op(
        lambda x, y: nt.linalg.cross(x, y),
        [(4, 3), (4, 3)],
        torch_fn=lambda x, y: torch.linalg.cross(x, y),
        second_order=False,
    )
    m = well(3)
    out = nt.linalg.matrix_power(nt.tensor(m), 3)
    np.testing.assert_allclose(out.numpy(), torch.linalg.matrix_power(torch.tensor(m), 3))
    out = nt.linalg.matrix_power(nt.tensor(m), -2)
    np.testing.assert_allclose(out.numpy(), torch.linalg.matrix_power(torch.tensor(m), -2))
    mats = [np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 2))]
    np.testing.assert_allclose(
        nt.linalg.multi_dot([nt.tensor(x) for x in mats]).numpy(),
        torch.linalg.multi_dot([torch.tensor(x) for x in mats]),
    )


def test_legacy_spellings():
    m = well(3)
    np.testing.assert_allclose(nt.det(nt.tensor(m)).numpy(), torch.det(torch.tensor(m)))
    np.testing.assert_allclose(nt.tensor(m).inverse().numpy(), torch.tensor(m).inverse())
    u, s, v = nt.svd(nt.tensor(m))
    np.testing.assert_allclose((u @ nt.diag_embed(s) @ v.mT).numpy(), m, atol=1e-10)
    np.testing.assert_allclose(nt.norm(nt.tensor(m)).numpy(), torch.norm(torch.tensor(m)))


def test_errors():
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        nt.linalg.inv(nt.ones(2, 3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        nt.linalg.det(nt.ones(2, 2, dtype=nt.int64))
    with pytest.raises(nt.linalg.LinAlgError):
        nt.linalg.inv(nt.zeros(2, 2))
    with pytest.raises(RuntimeError, match="positive-definite"):
        nt.linalg.cholesky(nt.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.inv(torch.zeros(2, 2))
    assert issubclass(nt.linalg.LinAlgError, RuntimeError)


def _polar_factor(module):
    """``U @ Vh`` of the reduced SVD: independent of the singular vectors' signs, so its
    gradient exercises the vectors' backward terms, including those of non-square inputs."""

    def fn(a):
        u, _, vh = module.linalg.svd(a, full_matrices=False)
        return u @ vh

    return fn


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)], ids=str)
def test_svd_vectors_gradient(shape):
    check_op(_polar_factor(nt), [shape], _polar_factor(torch), dtypes=("float64",))


def test_cholesky_ex_reports_the_first_failing_minor():
    data = [[[1.0, 2.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 3.0]], [[-1.0, 0.0], [0.0, 1.0]]]
    ours, theirs = (
        nt.linalg.cholesky_ex(nt.tensor(data)),
        torch.linalg.cholesky_ex(torch.tensor(data)),
    )
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    assert str(ours.info.dtype) == str(theirs.info.dtype)
    np.testing.assert_allclose(ours.L[1].numpy(), theirs.L[1].numpy(), rtol=1e-6)
    with pytest.raises(nt.linalg.LinAlgError):
        nt.linalg.cholesky_ex(nt.tensor(data), check_errors=True)
