"""numtorch.special against torch.special: values over each function's domain, dtypes,
gradients and second-order finite differences."""

import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import TRIGAMMA_RTOL, check_op, gradcheck
from oracle import torch

import numtorch


def test_scipy_is_imported_on_first_use_only():
    # SciPy is a dependency, but import numtorch must not pay its ~1 s import
    code = (
        "import sys, numtorch; before = 'scipy' in sys.modules; "
        "numtorch.lgamma(numtorch.ones(2)); print(before, 'scipy.special' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["False", "True"], done.stderr


def both(name, *args, **kw):
    return (
        lambda *x: getattr(numtorch.special, name)(*x, *args, **kw),
        lambda *x: getattr(torch.special, name)(*x, *args, **kw),
    )


# name -> (low, high, second-order gradcheck)
DIFFERENTIABLE = {
    "gammaln": (0.1, 6.0),
    "digamma": (0.1, 6.0),
    "i0": (-4.0, 4.0),
    "i0e": (-4.0, 4.0),
    "i1": (-4.0, 4.0),
    "i1e": (-4.0, 4.0),
    "ndtri": (0.02, 0.98),
    "log_ndtr": (-6.0, 4.0),
    "ndtr": (-4.0, 4.0),
    "erfcx": (-2.0, 6.0),
    "entr": (0.05, 3.0),
    "expit": (-5.0, 5.0),
    "logit": (0.05, 0.95),
    "erf": (-3.0, 3.0),
    "erfc": (-3.0, 3.0),
    "erfinv": (-0.9, 0.9),
    "sinc": (-3.0, 3.0),
    "expm1": (-2.0, 2.0),
    "log1p": (-0.5, 2.0),
    "exp2": (-2.0, 2.0),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_unary(name):
    low, high = DIFFERENTIABLE[name]
    f, tf = both(name)
    rtol = TRIGAMMA_RTOL if name == "digamma" else None
    for shape in [(), (7,), (3, 4)]:
        check_op(f, [shape], tf, low=low, high=high, rtol=rtol, second_order=False)
    gradcheck(f, [np.random.default_rng(2).uniform(low, high, (5,))])


def test_values_far_out_and_at_poles():
    a = np.array([0.0, -1.0, -0.5, 1e-8, 2.5, 30.0, -2.5, np.inf, 1e5, -40.0])
    for name in [
        "gammaln",
        "digamma",
        "i0",
        "i0e",
        "i1",
        "i1e",
        "log_ndtr",
        "ndtr",
        "erfcx",
        "entr",
        "expit",
    ]:
        x, t = numtorch.tensor(a), torch.tensor(a)
        np.testing.assert_allclose(
            getattr(numtorch.special, name)(x).numpy(),
            getattr(torch.special, name)(t).numpy(),
            rtol=1e-12,
            equal_nan=True,
            err_msg=name,
        )
    p = np.array([0.0, 1e-300, 0.3, 1.0, 1.5])
    np.testing.assert_allclose(
        numtorch.special.ndtri(numtorch.tensor(p)).numpy(),
        torch.special.ndtri(torch.tensor(p)).numpy(),
        rtol=1e-12,
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma(n):
    f, tf = both("polygamma")
    check_op(
        lambda x: numtorch.special.polygamma(n, x),
        [(6,)],
        lambda x: torch.special.polygamma(n, x),
        low=0.2,
        high=5.0,
        rtol=TRIGAMMA_RTOL if n < 2 else None,
        second_order=False,
    )
    gradcheck(lambda x: numtorch.polygamma(n, x), [np.linspace(0.3, 4.0, 5)])
    x = numtorch.tensor([0.5, 2.0])
    np.testing.assert_allclose(
        x.polygamma(n).numpy(), torch.tensor([0.5, 2.0]).polygamma(n).numpy(), rtol=1e-6
    )


@pytest.mark.parametrize("p", [1, 2, 4])
def test_multigammaln(p):
    check_op(
        lambda x: numtorch.special.multigammaln(x, p),
        [(5,)],
        lambda x: torch.special.multigammaln(x, p),
        low=2.0,
        high=6.0,
        second_order=False,
    )
    gradcheck(lambda x: numtorch.mvlgamma(x, p), [np.linspace(2.1, 5.0, 4)])


def test_logit_eps_and_xlog1py():
    check_op(
        lambda x: numtorch.special.logit(x, eps=0.2),
        [(8,)],
        lambda x: torch.special.logit(x, eps=0.2),
        low=0.0,
        high=1.0,
        second_order=False,
    )
    check_op(numtorch.special.xlog1py, [(4,), (3, 4)], torch.special.xlog1py, low=0.0, high=2.0)
    a, b = np.array([0.0, 0.0, 2.0, 1.0]), np.array([-1.0, np.nan, 0.5, -1.0])
    for p, q in [(a, b), (0.0, b), (a, 2.0)]:
        tx = numtorch.tensor(p) if isinstance(p, np.ndarray) else p
        ty = numtorch.tensor(q) if isinstance(q, np.ndarray) else q
        ux = torch.tensor(p) if isinstance(p, np.ndarray) else p
        uy = torch.tensor(q) if isinstance(q, np.ndarray) else q
        # NOTE: 2 ulp, not bit equality: libm's log1p differs by one ulp between machines.
        np.testing.assert_array_max_ulp(
            numtorch.special.xlog1py(tx, ty).numpy(), torch.special.xlog1py(ux, uy).numpy(), 2
        )


def test_incomplete_gamma():
    for name in ["gammainc", "gammaincc"]:
        f, tf = both(name)
        rng = np.random.default_rng(0)
        a, x = rng.uniform(0.5, 4, 6), rng.uniform(0.1, 5, 6)
        A = numtorch.tensor(a)
        X, T = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = f(A, X), tf(torch.tensor(a), T)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(X.grad.numpy(), T.grad.numpy(), rtol=1e-8)
        gradcheck(lambda x, f=f, A=A: f(A, x), [x], second_order=False)


@pytest.mark.parametrize(
    "name",
    [
        "bessel_j0",
        "bessel_j1",
        "bessel_y0",
        "bessel_y1",
        "modified_bessel_i0",
        "modified_bessel_i1",
        "modified_bessel_k0",
        "modified_bessel_k1",
        "scaled_modified_bessel_k0",
        "scaled_modified_bessel_k1",
        "spherical_bessel_j0",
        "airy_ai",
    ],
)
def test_values_only_functions(name):
    a = np.concatenate([np.linspace(0.05, 12, 25), [0.0, -1.5]])
    for dt in ["float32", "float64"]:
        x = a.astype(dt)
        r = getattr(numtorch.special, name)(numtorch.tensor(x))
        e = getattr(torch.special, name)(torch.tensor(x))
        assert str(r.dtype) == str(e.dtype)
        np.testing.assert_allclose(
            r.numpy(), e.numpy(), rtol=1e-5 if dt == "float32" else 1e-9, atol=1e-6, equal_nan=True
        )


def test_zeta_softmax_and_reexports():
    x, q = np.array([2.0, 3.5, 1.5]), np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(
        numtorch.special.zeta(numtorch.tensor(x), numtorch.tensor(q)).numpy(),
        torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy(),
        rtol=1e-10,
    )
    for name in ["softmax", "log_softmax"]:
        f, tf = both(name, 1)
        check_op(f, [(3, 4)], tf, second_order=False)
    assert numtorch.special.psi is numtorch.special.digamma
    for name in ["logsumexp", "round", "xlogy", "erfinv"]:
        assert callable(getattr(numtorch.special, name))
    assert set(numtorch.special.__all__) <= set(dir(torch.special))


def test_integer_inputs_give_default_float():
    for name in ["gammaln", "digamma", "i0", "i1e", "ndtr", "entr", "logit", "log_ndtr"]:
        r = getattr(numtorch.special, name)(numtorch.tensor([1, 2]))
        e = getattr(torch.special, name)(torch.tensor([1, 2]))
        assert str(r.dtype) == str(e.dtype), name


def test_multigammaln_outside_its_domain_is_inf_as_in_torch():
    r = numtorch.special.multigammaln(numtorch.ones(2), 3)
    e = torch.special.multigammaln(torch.ones(2), 3)
    np.testing.assert_array_equal(r.numpy(), e.numpy())


def test_errors_match_torch():
    cases = [
        (lambda m: m.special.polygamma(-1, m.ones(2)), RuntimeError),
        (lambda m: m.special.multigammaln(m.ones(2) * 5, 0), RuntimeError),
    ]
    for fn, err in cases:
        with pytest.raises(err):
            fn(torch)
        with pytest.raises(err):
            fn(numtorch)
