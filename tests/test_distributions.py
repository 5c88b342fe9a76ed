"""``torch.distributions``: transforms, constraints, Independent, TransformedDistribution,
LogNormal and MultivariateNormal against PyTorch (values, seeded draws bit for bit, gradients
through ``rsample``, reprs and the modules classes live in)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, torch

import numtorch


def _assert_same(ours, theirs):
    """Each result equals PyTorch's: tensors within tolerance, everything else exactly."""
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, torch.Tensor):
            assert_close(a, b)
        else:
            assert a == b


def _equal(a, b):
    """Bit-for-bit equal tensors (seeded draws)."""
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _transforms(lib):
    """name -> (transform, input); the inputs lie in each transform's domain."""
    T, D = lib.tensor, lib.distributions
    x = T([[-1.5, 0.2, 3.0], [0.7, -0.1, 1.2]], dtype=lib.float64)
    positive = x.abs() + 0.5

    def vec(t):
        return D.IndependentTransform(t, 1)

    return {
        "exp": (D.ExpTransform(), x),
        "sigmoid": (D.SigmoidTransform(), x),
        "tanh": (D.TanhTransform(), x),
        "softplus": (D.SoftplusTransform(), x),
        "abs": (D.AbsTransform(), x),
        "affine_number": (D.AffineTransform(1.5, -2.0), x),
        "affine_tensor": (D.AffineTransform(T([0.5, 1.0, -1.0]), T([2.0, -0.5, 3.0]), 1), x),
        "power": (D.PowerTransform(T(2.5, dtype=lib.float64)), positive),
        "compose": (D.ComposeTransform([D.AffineTransform(0.5, 0.5), D.TanhTransform()]), x),
        "independent": (D.IndependentTransform(D.SigmoidTransform(), 1), x),
        "reshape": (D.ReshapeTransform((3,), (3, 1)), x),
        "softmax": (D.SoftmaxTransform(), x),
        "inverse_sigmoid": (D.SigmoidTransform().inv, x.sigmoid()),
        "identity": (D.identity_transform, x),
        "stick_breaking": (D.StickBreakingTransform(), x),
        "lower_cholesky": (D.LowerCholeskyTransform(), x[:, :2]),
        "positive_definite": (D.PositiveDefiniteTransform(), x[:, :2]),
        "cdf": (D.CumulativeDistributionTransform(D.Normal(T(0.5), T(2.0))), x),
        "cat": (D.CatTransform([D.ExpTransform(), D.TanhTransform()], 1, [1, 2]), x),
        "stack": (D.StackTransform([D.ExpTransform(), D.SigmoidTransform()]), x),
        "corr_cholesky": (D.CorrCholeskyTransform(), x),
        "cat_event": (
            D.CatTransform([vec(D.ExpTransform()), vec(D.TanhTransform())], -1, [1, 2]),
            x,
        ),
    }


# bijective transforms without a sign (not univariate), in PyTorch as here
NO_SIGN = ("reshape", "stick_breaking", "cat", "stack", "cat_event", "corr_cholesky")


def _transform_run(lib, name):
    t, x = _transforms(lib)[name]
    x = x.clone().requires_grad_()
    y = t(x)
    out = [y, t.inv(y), str(t), str(t.domain), str(t.codomain), t.bijective]
    out.append(tuple(t.forward_shape(x.shape)))
    if t.bijective:
        ladj = t.log_abs_det_jacobian(x, y)
        (grad,) = lib.autograd.grad(ladj.sum() + y.sum(), x)
        out += [ladj, grad]
    if t.bijective and name not in NO_SIGN:
        out.append(t.sign if isinstance(t.sign, int) else t.sign.float())
    return out


@pytest.mark.parametrize("name", list(_transforms(numtorch)))
def test_transform_matches_pytorch(name):
    ours, theirs = _transform_run(numtorch, name), _transform_run(torch, name)
    _assert_same(ours, theirs)


def test_transform_cache_and_equality():
    D = numtorch.distributions
    t = D.ExpTransform(cache_size=1)
    x = numtorch.randn(3)
    y = t(x)
    assert t.inv(y) is x and t.inv.inv is t
    assert D.ExpTransform() == D.ExpTransform() and D.ExpTransform() != D.TanhTransform()
    assert D.AffineTransform(1.0, 2.0) == D.AffineTransform(1.0, 2.0)
    assert D.AffineTransform(1.0, 2.0) != D.AffineTransform(1.0, 3.0)
    assert D.ExpTransform().with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        D.ExpTransform(cache_size=2)


def _constraint_cases(lib):
    C = lib.distributions.constraints
    T = lib.tensor
    v = T([-1.0, 0.0, 0.5, 1.0, 2.0, float("nan")])
    m = T([[[2.0, 0.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]])
    return [
        (C.real, v),
        (C.positive, v),
        (C.nonnegative, v),
        (C.unit_interval, v),
        (C.boolean, v),
        (C.nonnegative_integer, v),
        (C.positive_integer, v),
        (C.greater_than(0.5), v),
        (C.greater_than_eq(0.5), v),
        (C.less_than(1.0), v),
        (C.interval(-1.0, 1.0), v),
        (C.half_open_interval(-1.0, 1.0), v),
        (C.integer_interval(0, 1), v),
        (C.real_vector, v.reshape(2, 3)),
        (C.independent(C.positive, 1), v.reshape(3, 2)),
        (C.simplex, T([[0.25, 0.75], [0.5, 0.6], [-0.5, 1.5]])),
        (C.one_hot, T([[0.0, 1.0], [1.0, 1.0]])),
        (C.lower_triangular, m),
        (C.lower_cholesky, m),
        (C.corr_cholesky, m),
        (C.square, m),
        (C.symmetric, m),
        (C.positive_definite, m),
        (C.positive_semidefinite, m),
        (C.cat([C.positive, C.real], lengths=[2, 4]), v),
        (C.stack([C.positive, C.real, C.unit_interval]), v.reshape(3, 2)),
    ]


def test_constraints_match_pytorch():
    for (ours, x), (theirs, y) in zip(_constraint_cases(numtorch), _constraint_cases(torch)):
        assert repr(ours) == repr(theirs)
        assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
        assert_close(ours.check(x), theirs.check(y))
    C = numtorch.distributions.constraints
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    with pytest.raises(ValueError, match="dependent constraint"):
        C.dependent.check(numtorch.ones(1))
    assert C.dependent(is_discrete=True, event_dim=1).event_dim == 1


def _distributions(lib):
    """name -> a distribution with parameters that require grad, and its parameters."""
    D, T = lib.distributions, lib.tensor
    loc = T([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]], requires_grad=True)
    scale = T([[1.0, 0.5, 2.0], [0.7, 1.5, 0.2]], requires_grad=True)
    a = T([[2.0, 0.0, 0.0], [0.5, 1.0, 0.0], [-0.3, 0.2, 0.7]])
    tril = (a + 0).requires_grad_()
    cov = (a @ a.mT + 0.1 * lib.eye(3)).requires_grad_()
    precision = lib.linalg.inv(a @ a.mT + 0.1 * lib.eye(3)).requires_grad_()
    mvn_loc = T([1.0, -1.0, 0.5], requires_grad=True)
    tanh_normal = [D.AffineTransform(1.0, 0.5), D.TanhTransform()]
    return {
        "independent": (D.Independent(D.Normal(loc, scale), 1), [loc, scale]),
        "log_normal": (D.LogNormal(loc, scale), [loc, scale]),
        "tanh_normal": (D.TransformedDistribution(D.Normal(loc, scale), tanh_normal), [loc]),
        "mvn_cov": (D.MultivariateNormal(mvn_loc, covariance_matrix=cov), [mvn_loc, cov]),
        "mvn_tril_batch": (D.MultivariateNormal(loc, scale_tril=tril), [loc, tril]),
        "mvn_precision": (D.MultivariateNormal(mvn_loc, precision_matrix=precision), [precision]),
        "half_normal": (D.HalfNormal(scale), [scale]),
        "gumbel": (D.Gumbel(loc, scale), [loc, scale]),
        "gumbel_numbers": (D.Gumbel(0.5, 2.0), []),
        "logistic_normal": (D.LogisticNormal(loc, scale), [loc, scale]),
    }


def _distribution_run(lib, name):
    d, params = _distributions(lib)[name]
    lib.manual_seed(7)
    sample = d.sample((4,))
    rsample = d.rsample((2,))
    loss = (rsample**2).sum() + d.log_prob(rsample).sum()
    grads = lib.autograd.grad(loss, params) if params else []
    out = [sample, rsample, *grads, d.log_prob(sample), str(d), str(d.support)]
    out += [tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample]
    if not name.startswith(("tanh", "logistic")):  # PyTorch has no entropy or mean for these
        out += [d.entropy(), d.mean, d.variance]
    return out


@pytest.mark.parametrize("name", list(_distributions(numtorch)))
def test_distribution_matches_pytorch(name):
    ours, theirs = _distribution_run(numtorch, name), _distribution_run(torch, name)
    if name == "independent":  # the same draws from the same seed
        _equal(ours[0], theirs[0])
        _equal(ours[1], theirs[1])
    _assert_same(ours, theirs)


def test_transformed_draws_are_pytorchs_draws_transformed():
    """The base draws are PyTorch's bit for bit; exp and matrix products may round the last bit
    differently than PyTorch's kernels."""
    draws = []
    for lib in (numtorch, torch):
        D = lib.distributions
        lib.manual_seed(3)
        ln = D.LogNormal(lib.zeros(5, dtype=lib.float64), lib.ones(5, dtype=lib.float64))
        mvn = D.MultivariateNormal(lib.zeros(2), scale_tril=lib.eye(2))
        draws.append((ln.sample((3,)).log(), mvn.sample((4,))))
    assert_close(draws[0][0], draws[1][0], atol=1e-15, rtol=1e-15)
    _equal(draws[0][1], draws[1][1])


def _cdf_run(lib):
    D, T = lib.distributions, lib.tensor
    d = D.TransformedDistribution(D.Normal(0.5, 2.0), [D.AffineTransform(1.0, -3.0)])
    ln = D.LogNormal(T([0.2, -0.4]), T([1.0, 0.5]))
    q = T([0.1, 0.8])
    return [d.cdf(T([0.0, 2.0])), d.icdf(q), ln.cdf(T([0.5, 1.5])), ln.icdf(q), ln.mode]


def test_cdf_icdf_through_decreasing_transforms():
    for a, b in zip(_cdf_run(numtorch), _cdf_run(torch)):
        assert_close(a, b)


def test_expand_broadcasts_the_parameters():
    for lib in (numtorch, torch):
        D = lib.distributions
        n = D.Normal(lib.tensor([0.0, 1.0]), 1.0).expand((3, 2))
        ln = D.LogNormal(0.0, 1.0).expand((4,))
        mvn = D.MultivariateNormal(lib.zeros(2), lib.eye(2)).expand((5,))
        assert (n.batch_shape, ln.batch_shape, mvn.batch_shape) == ((3, 2), (4,), (5,))
        assert tuple(mvn.sample().shape) == (5, 2)
        assert tuple(ln.log_prob(lib.ones(4)).shape) == (4,)


@pytest.mark.parametrize(
    "build",
    [
        lambda D, T: D.MultivariateNormal(T([0.0]), T([[1.0]]), scale_tril=T([[1.0]])),
        lambda D, T: D.MultivariateNormal(T(0.0), T([[1.0]])),
        lambda D, T: D.MultivariateNormal(T([0.0]), T([1.0])),
        lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), "exp"),
        lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform, 1]),
        lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), D.SoftmaxTransform()),
        lambda D, T: D.Independent(D.Normal(T([0.0]), 1.0), 2),
        lambda D, T: D.ReshapeTransform((2,), (3,)),
    ],
)
def test_bad_arguments_raise_pytorchs_errors(build):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises(Exception) as info:
            build(lib.distributions, lib.tensor)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# where PyTorch 2.13 defines each class: torch.distributions.<module>
HOMES = {
    "Normal": "normal",
    "Uniform": "uniform",
    "Bernoulli": "bernoulli",
    "Categorical": "categorical",
    "Poisson": "poisson",
    "LogNormal": "log_normal",
    "MultivariateNormal": "multivariate_normal",
    "Independent": "independent",
    "HalfNormal": "half_normal",
    "LogisticNormal": "logistic_normal",
    "Gumbel": "gumbel",
    "TransformedDistribution": "transformed_distribution",
    "ExpTransform": "transforms",
    "AffineTransform": "transforms",
    "ComposeTransform": "transforms",
}


@pytest.mark.parametrize("name", list(HOMES))
def test_classes_live_where_pytorch_defines_them(name):
    module = getattr(numtorch.distributions, name).__module__
    assert module == "numtorch.distributions." + HOMES[name]


@pytest.mark.live_torch("runs the program under PyTorch itself")
def test_type_prints_pytorchs_path_under_numtorch_run(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "prog.py").write_text(
        "import torch\n"
        "d = torch.distributions.Normal(0.0, 1.0)\n"
        "print(type(d), d, type(torch.distributions.constraints.positive))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    cmd = [sys.executable, "-m", "numtorch.cli", "run", "prog.py"]
    ours = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    theirs = subprocess.run(
        [sys.executable, "prog.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert ours.stdout == theirs.stdout, ours.stderr


def _kl_run(lib):
    D, T = lib.distributions, lib.tensor
    a = T([[2.0, 0.0], [0.5, 1.0]], requires_grad=True)
    b = T([[1.0, 0.0], [-0.3, 0.7]])
    loc = T([0.0, 1.0], requires_grad=True)
    p = D.MultivariateNormal(loc, scale_tril=a)
    q = D.MultivariateNormal(T([[1.0, 0.0], [0.5, 0.5]]), covariance_matrix=b @ b.mT + 0.1)
    i1 = D.Independent(D.Normal(loc, T([1.0, 2.0])), 1)
    i2 = D.Independent(D.Normal(T([0.5, 1.0]), T([1.5, 2.0])), 1)
    ln = D.kl_divergence(D.LogNormal(loc, 1.0), D.LogNormal(1.0, T([2.0, 0.5])))
    kls = [D.kl_divergence(p, q), D.kl_divergence(i1, i2), ln]
    return kls + list(lib.autograd.grad(sum(k.sum() for k in kls), [a, loc]))


def test_kl_divergence_of_the_new_distributions_matches_pytorch():
    for a, b in zip(_kl_run(numtorch), _kl_run(torch)):
        assert_close(a, b)
    D = numtorch.distributions
    different = D.TransformedDistribution(D.Normal(0.0, 1.0), D.TanhTransform())
    with pytest.raises(NotImplementedError):
        D.kl_divergence(different, D.LogNormal(0.0, 1.0))


@pytest.mark.parametrize(
    "call",
    [
        lambda D, T: D.Normal(0.0, -1.0),
        lambda D, T: D.Normal(T([0.0, 1.0]), T([1.0, 0.0])),
        lambda D, T: D.Normal(0.0, 1.0).log_prob(0.5),
        lambda D, T: D.Normal(T([0.0, 1.0]), 1.0).log_prob(T([1.0, 2.0, 3.0])),
        lambda D, T: D.Normal(0.0, 1.0).cdf(T(float("nan"))),
        lambda D, T: D.Bernoulli(probs=T([0.5, 1.5])),
        lambda D, T: D.Bernoulli(probs=T([0.5])).log_prob(T([0.5])),
        lambda D, T: D.Categorical(probs=T([-1.0, 2.0])),
        lambda D, T: D.Categorical(logits=T([0.0, 1.0])).log_prob(T(2)),
        lambda D, T: D.Poisson(T([-1.0])),
        lambda D, T: D.Uniform(0.0, 1.0).log_prob(T(2.0)),
        lambda D, T: D.LogNormal(0.0, 1.0).log_prob(T(-1.0)),
        lambda D, T: D.HalfNormal(T(-1.0)),
        lambda D, T: D.HalfNormal(T(1.0)).log_prob(T(-1.0)),
        lambda D, T: D.Gumbel(0.0, T([1.0, -1.0])),
        lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 2.0], [2.0, 1.0]])),
        lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), scale_tril=T([[1.0, 1.0], [0.0, 1.0]])),
        lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 0.0], [0.0, 1.0]])).log_prob(
            T([1.0, 2.0, 3.0])
        ),
    ],
)
def test_validation_raises_pytorchs_errors(call):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises(ValueError) as info:
            call(lib.distributions, lib.tensor)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_validation_can_be_switched_off():
    D = numtorch.distributions
    assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    assert D.Normal(0.0, 1.0, validate_args=False).log_prob(numtorch.tensor(0.0)).item() < 0
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Poisson(numtorch.tensor([-1.0])).rate.item() == -1.0
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Poisson(numtorch.tensor([-1.0]))
    expanded = D.Normal(0.0, 1.0, validate_args=False).expand((2,))
    assert not expanded._validate_args


def _registry_run(lib):
    C, D = lib.distributions.constraints, lib.distributions
    x = lib.tensor([[-1.5, 0.2, 3.0], [0.7, -0.1, 1.2]], dtype=lib.float64)
    out = []
    for c in (
        C.real,
        C.positive,
        C.greater_than(2.0),
        C.less_than(-1.0),
        C.unit_interval,
        C.interval(-2.0, 3.0),
        C.simplex,
        C.real_vector,
        C.independent(C.positive, 1),
        C.cat([C.positive, C.real], 1, [1, 2]),
        C.stack([C.positive, C.unit_interval], 0),
        C.corr_cholesky,
    ):
        for registry in (D.biject_to, D.transform_to):
            t = registry(c)
            out += [repr(t), t(x), t.inv(t(x))]
    square = x[:, :2]
    out += [D.transform_to(C.lower_cholesky)(square), D.transform_to(C.positive_definite)(square)]
    return out


def test_biject_to_and_transform_to_match_pytorch():
    _assert_same(_registry_run(numtorch), _registry_run(torch))
    C, D = numtorch.distributions.constraints, numtorch.distributions
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(C.boolean)


def _utils_run(lib):
    U = lib.distributions.utils
    p = lib.tensor([[0.0, 0.25, 0.75], [1.0, 0.5, 0.5]])
    logits = lib.tensor([[0.5, -1.0, 2.0]])
    return [
        U.clamp_probs(p),
        U.probs_to_logits(p),
        U.probs_to_logits(p, is_binary=True),
        U.logits_to_probs(logits),
        U.logits_to_probs(logits, is_binary=True),
        U.euler_constant,
    ]


def test_utils_match_pytorch():
    _assert_same(_utils_run(numtorch), _utils_run(torch))


def test_lazy_property_computes_once_with_grad_and_skips_validation():
    D = numtorch.distributions
    calls = []

    class Scaled(D.Distribution):
        arg_constraints = {"scale": D.constraints.positive, "rate": D.constraints.positive}

        def __init__(self, scale):
            self.scale = scale
            super().__init__()

        @D.utils.lazy_property
        def rate(self):
            calls.append(numtorch.is_grad_enabled())
            return 1 / self.scale

    d = Scaled(numtorch.tensor(2.0))  # rate is not computed to validate it
    assert calls == []
    with numtorch.no_grad():
        assert d.rate.item() == 0.5 and d.rate.item() == 0.5
    assert calls == [True]
    assert isinstance(Scaled.rate, D.utils.lazy_property)
