"""APIs end-to-end programs reach for: distributions.kl_divergence, triangular solves,
torch.testing, utils.checkpoint, torch.func, amp, nn.utils.parametrize."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from helpers import assert_close, check_op, compare_with_torch, gradcheck, rand_arrays

import numtorch


def _mod(t):
    """numtorch or torch, whichever ``t`` belongs to."""
    return numtorch if isinstance(t, numtorch.Tensor) else oracle.torch


# ---------------------------------------------------------------- distributions.kl_divergence


def _kl_cases(mod, a, b, c, d):
    D = mod.distributions
    return [
        D.kl_divergence(D.Normal(a, b.abs() + 0.1), D.Normal(c, d.abs() + 0.1)),
        D.kl_divergence(D.Bernoulli(logits=a), D.Bernoulli(logits=c)),
        D.kl_divergence(D.Categorical(logits=a), D.Categorical(logits=c)),
        D.kl_divergence(D.Uniform(a - b.abs() - 0.1, a), D.Uniform(a - b.abs() - 1, a + 1)),
    ]


@pytest.mark.parametrize("shape", [(4,), (2, 3), (3, 1, 5)])
def test_kl_divergence_matches_torch(shape):
    from oracle import torch

    for dt in ("float32", "float64"):
        arrays = rand_arrays([shape] * 4, dt, seed=len(shape))
        compare_with_torch(
            lambda *x: _kl_cases(numtorch, *x), arrays, lambda *x: _kl_cases(torch, *x)
        )


def test_kl_divergence_gradcheck():
    gradcheck(
        lambda *x: _kl_cases(numtorch, *x)[:3], rand_arrays([(2, 3)] * 4, seed=3), second_order=True
    )


def test_kl_divergence_infinite_and_zero_mass():
    from oracle import torch

    pp, pq = [0.0, 0.3, 1.0, 0.5], [0.5, 0.0, 1.0, 1.0]
    for mod in (numtorch, torch):
        D = mod.distributions
        cat = D.kl_divergence(
            D.Categorical(mod.tensor([[0.0, 0.3, 0.7], [0.2, 0.3, 0.5]])),
            D.Categorical(mod.tensor([[0.5, 0.2, 0.3], [0.0, 0.5, 0.5]])),
        )
        ber = D.kl_divergence(D.Bernoulli(mod.tensor(pp)), D.Bernoulli(mod.tensor(pq)))
        uni = D.kl_divergence(
            D.Uniform(mod.tensor([0.0, 0.0]), mod.tensor([1.0, 2.0])),
            D.Uniform(mod.tensor([-1.0, 0.5]), mod.tensor([2.0, 3.0])),
        )
        if mod is numtorch:
            got = (cat, ber, uni)
    for a, b in zip(got, (cat, ber, uni)):
        assert_close(a, b)


def test_register_kl_dispatch_and_missing():
    D = numtorch.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(numtorch.zeros(2), numtorch.ones(2)), D.Normal(numtorch.ones(2), 2.0)
    base = D.kl_divergence(p, q)  # the subclass falls back to Normal/Normal

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p, q):
        return numtorch.full(p.batch_shape, 7.0)

    assert D.kl_divergence(p, q).tolist() == [7.0, 7.0]
    assert D.kl_divergence(q, p).tolist() != [7.0, 7.0]
    assert base.tolist() != [7.0, 7.0]
    with pytest.raises(NotImplementedError, match="KL"):
        D.kl_divergence(p, D.Bernoulli(numtorch.tensor([0.5])))
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)


# ---------------------------------------------------------------- triangular solves


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("unit", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("shapes", [[(3, 3), (3, 2)], [(2, 4, 4), (4, 1)], [(4, 4), (2, 4, 3)]])
def test_solve_triangular(upper, unit, left, shapes):
    a_shape, b_shape = shapes
    if not left:
        b_shape = b_shape[:-2] + (b_shape[-1], b_shape[-2])

    def fn(a, b):
        mod = _mod(a)
        # a well-conditioned triangle: a dominant diagonal
        a = a + 4 * mod.eye(a.shape[-1], dtype=a.dtype)
        return mod.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit)

    check_op(fn, [a_shape, b_shape], second_order=a_shape == (3, 3), low=-1, high=1)


def test_triangular_solve_and_cholesky_solve():
    def fn(a, b):
        mod = _mod(a)
        a = a + 4 * mod.eye(a.shape[-1], dtype=a.dtype)
        outs = []
        for upper in (False, True):
            factor = a.triu() if upper else a.tril()
            outs.append(mod.cholesky_solve(b, factor, upper=upper))
            outs.append(mod.cholesky_inverse(factor, upper=upper))
            outs.append(b.cholesky_solve(factor, upper))
            for transpose in (False, True):
                res = mod.triangular_solve(b, a, upper=upper, transpose=transpose)
                outs += [res.solution, res[1]]
        return outs

    check_op(fn, [(3, 3), (3, 2)], low=-1, high=1)
    check_op(fn, [(2, 4, 4), (2, 4, 1)], low=-1, high=1, second_order=False)


def test_solve_triangular_errors_and_out():
    a, b = numtorch.eye(3), numtorch.ones(3, 2)
    with pytest.raises(RuntimeError, match="at least 2"):
        numtorch.linalg.solve_triangular(a, numtorch.ones(3), upper=True)
    with pytest.raises(RuntimeError, match="square"):
        numtorch.linalg.solve_triangular(numtorch.ones(2, 3), b, upper=True)
    with pytest.raises(RuntimeError, match="Incompatible"):
        numtorch.linalg.solve_triangular(a, numtorch.ones(2, 2), upper=True)
    out = numtorch.empty(0)
    assert numtorch.linalg.solve_triangular(2 * a, b, upper=True, out=out) is out
    assert out.tolist() == [[0.5, 0.5]] * 3


# ---------------------------------------------------------------- torch.testing


def _close_cases(mod):
    t = mod.tensor
    nan = float("nan")
    return [
        (t([1.0, 2.0]), t([1.0, 2.1]), {}),
        (
            t([[1.0, 2.0], [3.0, 4.0]], dtype=mod.float64),
            t([[1.0, 2.5], [3.0, 4.5]], dtype=mod.float64),
            {},
        ),
        (t([1, 2]), t([1, 3]), {}),
        (t([True]), t([False]), {}),
        (1.0, 1.5, {}),
        (1, 2, {}),
        (1, 1.0, {}),
        (t(1.0), t(1.5), {}),
        (t([1.0]), t([1.0, 2.0]), {}),
        (t([1.0]), t([1.0], dtype=mod.float64), {}),
        (t([1.0]), t([1.5], dtype=mod.float64), {"check_dtype": False}),
        ([t([1.0]), t([2.0])], [t([1.0]), t([3.0])], {}),
        ({"a": t([1.0])}, {"a": t([2.0])}, {}),
        ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
        (t([nan]), t([nan]), {}),
        (t([nan, 1.0]), t([nan, 1.0]), {"equal_nan": True}),
        (t([0.0, 1.0]), t([1e-30, 1.001]), {"rtol": 0, "atol": 0}),
        (t([1.0, 2.0]), t([1.05, 2.0]), {"rtol": 0.1, "atol": 0.0}),
        (t([1.0]), t([1.0]), {"rtol": 1.0}),
        (t([1.0]), t([1.5]), {"msg": "custom"}),
        (t([1.0]), t([1.5]), {"msg": lambda m: m + "!!"}),
        (t([1.0], dtype=mod.float16), t([1.5], dtype=mod.float16), {}),
        (t([1.0]), t([1.0 + 1e-7]), {}),
    ]


def test_assert_close_matches_torch():
    from oracle import torch

    for (a, b, kw), (ta, tb, tkw) in zip(_close_cases(numtorch), _close_cases(torch)):
        outcomes = []
        for mod, x, y, k in ((numtorch, a, b, kw), (torch, ta, tb, tkw)):
            try:
                mod.testing.assert_close(x, y, **k)
                outcomes.append(None)
            except (AssertionError, ValueError, TypeError) as e:
                outcomes.append((type(e), str(e)))
        assert outcomes[0] == outcomes[1], (a, b, kw)


def test_assert_close_arrays_and_allclose():
    numtorch.testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 2"):
        numtorch.testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    with pytest.raises(TypeError, match="No comparison pair"):
        numtorch.testing.assert_close(numtorch.tensor([1.0]), np.array([1.0]))
    with pytest.warns(FutureWarning):
        numtorch.testing.assert_allclose(numtorch.tensor([1.0, 2.0]), [1.0, 2.0])
    with pytest.warns(FutureWarning), pytest.raises(AssertionError, match="not close"):
        numtorch.testing.assert_allclose(numtorch.tensor([1.0, 2.0]), [1.0, 2.5])


def test_make_tensor():
    mt = numtorch.testing.make_tensor
    x = mt(3, 4, dtype=numtorch.float64, low=-1, high=2)
    assert x.shape == (3, 4) and x.dtype == numtorch.float64
    assert (x >= -1).all() and (x < 2).all()
    y = mt((50,), dtype=numtorch.int64, device="cpu", low=0, high=3, exclude_zero=True)
    assert y.dtype == numtorch.int64 and set(y.tolist()) <= {1, 2, 3}
    z = mt(2, 3, dtype=numtorch.float32, noncontiguous=True, requires_grad=True)
    assert not z.is_contiguous() and z.requires_grad and z.is_leaf
    assert mt(4, dtype=numtorch.bool).dtype == numtorch.bool
    assert mt(dtype=numtorch.float32).shape == ()
    with pytest.raises(ValueError, match="low"):
        mt(2, dtype=numtorch.float32, low=2, high=1)


# ---------------------------------------------------------------- torch.func


def _func_results(mod, x, y):
    F = mod.func

    def f(a, b):
        return (a.sin() * b).sum() + (a * a).sum()

    out = [F.grad(f)(x, y), *F.grad(f, argnums=(0, 1))(x, y)]
    g, (v, aux) = F.grad_and_value(lambda a, b: (f(a, b), a.sum()), has_aux=True)(x, y)
    out += [g, v, aux]
    value, fn = F.vjp(lambda a, b: a.exp() * b, x, y)
    out += [value, *fn(mod.ones_like(value))]
    out.append(F.jacrev(lambda a: a.tanh() * y)(x))
    out.append(F.jacfwd(lambda a, b: a.tanh() * b, argnums=1)(x, y))
    out.append(F.hessian(lambda a: (a.sin() * y).sum())(x))
    out.append(F.vmap(lambda a, b: a @ b, in_dims=(0, None))(x.reshape(-1, 1), y[:1]))
    out.append(F.vmap(lambda a: a * 2, out_dims=1)(x.reshape(2, -1)))
    out.append(F.vmap(F.grad(f), in_dims=(0, 0))(x.reshape(2, -1), y.reshape(2, -1)))
    return out


def test_func_transforms_match_torch():
    from oracle import torch

    for dt in ("float32", "float64"):
        a, b = rand_arrays([(6,), (6,)], dt, seed=4)
        got = _func_results(numtorch, numtorch.tensor(a), numtorch.tensor(b))
        want = _func_results(torch, torch.tensor(a), torch.tensor(b))
        for g, w in zip(got, want):
            assert_close(g, w)
            assert not g.requires_grad


def test_functional_call_and_per_sample_grads():
    from oracle import torch

    nn_shapes = [(3, 4), (3,)]
    w, b = rand_arrays(nn_shapes, seed=5)
    xs, ys = rand_arrays([(5, 4), (5, 3)], seed=6)
    outs = []
    for mod in (numtorch, torch):
        lin = mod.nn.Linear(4, 3)
        params = {"weight": mod.tensor(w), "bias": mod.tensor(b)}

        def loss(p, x, y, lin=lin, mod=mod):
            return ((mod.func.functional_call(lin, p, (x,)) - y) ** 2).sum()

        per = mod.func.vmap(mod.func.grad(loss), in_dims=(None, 0, 0))(
            params, mod.tensor(xs), mod.tensor(ys)
        )
        outs.append(
            [per["weight"], per["bias"], mod.func.functional_call(lin, (params,), mod.tensor(xs))]
        )
        assert lin.weight.tolist() != params["weight"].tolist()  # restored afterwards
    for g, w_ in zip(*outs):
        assert_close(g, w_)


def test_func_errors():
    F = numtorch.func
    with pytest.raises(RuntimeError, match="scalar"):
        F.grad(lambda a: a * 2)(numtorch.ones(3))
    with pytest.raises(ValueError, match="same size"):
        F.vmap(lambda a, b: a + b)(numtorch.ones(2), numtorch.ones(3))


@pytest.mark.parametrize("names", [["weight"], ["weight", "bias", "x", "a"], ["b", "x"]])
def test_functional_call_strict_names(names):
    from oracle import torch

    def message(mod):
        lin = mod.nn.Linear(2, 2)
        try:
            mod.func.functional_call(lin, {n: mod.ones(2) for n in names}, mod.ones(2), strict=True)
        except RuntimeError as e:
            return str(e)

    assert message(numtorch) == message(torch)


# ---------------------------------------------------------------- utils.checkpoint, amp


def test_checkpoint_grads_and_rng():
    from numtorch.utils.checkpoint import checkpoint, checkpoint_sequential

    numtorch.manual_seed(0)
    m = numtorch.nn.Sequential(
        numtorch.nn.Linear(4, 5),
        numtorch.nn.Dropout(0.5),
        numtorch.nn.Tanh(),
        numtorch.nn.Linear(5, 2),
    )
    x = numtorch.randn(3, 4, requires_grad=True)
    grads = []
    for ckpt in (True, False):
        m.zero_grad()
        x.grad = None
        numtorch.manual_seed(1)
        out = checkpoint(m, x, use_reentrant=False) if ckpt else m(x)
        out.pow(2).sum().backward()
        grads.append([x.grad.clone()] + [p.grad.clone() for p in m.parameters()])
    for a, b in zip(*grads):
        assert numtorch.allclose(a, b)
    m.eval()
    m.zero_grad()
    m(x.detach()).sum().backward()
    plain = m[0].weight.grad.clone()
    m.zero_grad()
    checkpoint_sequential(m, 2, x.detach()).sum().backward()  # no input requires grad
    assert numtorch.equal(m[0].weight.grad, plain)
    with numtorch.no_grad():
        assert not checkpoint(m, x, use_reentrant=True).requires_grad


def test_amp_autocast_and_grad_scaler():
    amp = numtorch.amp
    assert not numtorch.is_autocast_enabled("cpu")
    with numtorch.autocast("cpu", dtype=numtorch.bfloat16):
        assert numtorch.is_autocast_enabled("cpu")
        assert amp.get_autocast_dtype("cpu") == numtorch.bfloat16
        with amp.autocast("cpu", enabled=False):
            assert not numtorch.is_autocast_enabled("cpu")
        y = numtorch.ones(2, 3) @ numtorch.ones(3, 2)
    assert not numtorch.is_autocast_enabled("cpu") and y.dtype == numtorch.bfloat16
    assert amp.autocast("cpu")(lambda: numtorch.is_autocast_enabled("cpu"))()

    p = numtorch.nn.Parameter(numtorch.ones(2))
    opt = numtorch.optim.SGD([p], lr=0.1)
    off = amp.GradScaler("cpu", enabled=False)
    loss = (p * 3).sum()
    assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}
    on = amp.GradScaler("cpu", init_scale=4.0, growth_interval=1)
    on.scale((p * 3).sum()).backward()
    assert p.grad.tolist() == [12.0, 12.0]
    on.step(opt)
    on.update()
    assert p.grad.tolist() == [3.0, 3.0]
    assert numtorch.allclose(p, numtorch.full((2,), 0.7))
    assert on.get_scale() == 8.0
    p.grad = numtorch.tensor([float("inf"), 1.0])
    on.step(opt)  # skipped
    on.update()
    assert numtorch.allclose(p, numtorch.full((2,), 0.7)) and on.get_scale() == 4.0
    assert sorted(on.state_dict()) == [
        "_growth_tracker",
        "backoff_factor",
        "growth_factor",
        "growth_interval",
        "scale",
    ]
