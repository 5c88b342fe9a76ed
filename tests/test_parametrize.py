"""nn.utils.parametrize and nn.utils.parametrizations against torch."""

import copy

import numpy as np
import pytest
from oracle import torch

import numtorch as nt
import numtorch.nn as nnn
from numtorch.nn.utils import parametrizations as NP
from numtorch.nn.utils import parametrize as NZ

P = torch.nn.utils.parametrizations
TZ = torch.nn.utils.parametrize


def _pair(make_nt, make_t, dtype="float32", seed=0):
    """The same layer in both libraries, numtorch's weights copied from torch's."""
    torch.manual_seed(seed)
    tm = make_t().to(getattr(torch, dtype))
    nm = make_nt().to(getattr(nt, dtype))
    with nt.no_grad():
        for name, p in nm.named_parameters():
            p.copy_(nt.tensor(dict(tm.named_parameters())[name].detach().numpy()))
    return nm, tm


def _close(a, b, atol=1e-5, rtol=1e-4):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=atol, rtol=rtol)


def _check_grads(nm, tm, atol=1e-5, rtol=1e-4):
    """Gradient of a weighted sum of the parametrized weight w.r.t. every parameter."""
    # one read each: a spectral-norm read runs a power-iteration step
    w_nt, w_t = nm.weight, tm.weight
    rng = np.random.default_rng(3)
    r = rng.standard_normal(tuple(w_t.shape)).astype(w_t.detach().numpy().dtype)
    (w_nt * nt.tensor(r)).sum().backward()
    (w_t * torch.tensor(r)).sum().backward()
    tparams = dict(tm.named_parameters())
    names = [n for n, _ in nm.named_parameters()]
    assert names == list(tparams)
    for name, p in nm.named_parameters():
        if tparams[name].grad is None:
            assert p.grad is None, name
            continue
        _close(p.grad, tparams[name].grad, atol, rtol)


# --- weight_norm ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_weight_norm_linear(dtype, dim):
    nm, tm = _pair(lambda: nnn.Linear(3, 4), lambda: torch.nn.Linear(3, 4), dtype)
    NP.weight_norm(nm, dim=dim)
    P.weight_norm(tm, dim=dim)
    g_nt, g_t = nm.parametrizations.weight.original0, tm.parametrizations.weight.original0
    assert tuple(g_nt.shape) == tuple(g_t.shape)
    _close(g_nt, g_t)
    _close(nm.weight, tm.weight)
    assert list(nm.state_dict()) == list(tm.state_dict())
    _check_grads(nm, tm)


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_weight_norm_conv(dim):
    nm, tm = _pair(lambda: nnn.Conv2d(2, 3, 3), lambda: torch.nn.Conv2d(2, 3, 3), "float64")
    NP.weight_norm(nm, dim=dim)
    P.weight_norm(tm, dim=dim)
    _close(nm.weight, tm.weight)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    _close(nm(nt.tensor(x)), tm(torch.tensor(x)))
    _check_grads(nm, tm)


def test_weight_norm_repr_and_keys():
    nm, tm = _pair(lambda: nnn.Linear(3, 2), lambda: torch.nn.Linear(3, 2))
    NP.weight_norm(nm)
    P.weight_norm(tm)
    assert repr(nm).replace("NT()", "T()") == repr(tm)
    assert type(nm).__name__ == "ParametrizedLinear"
    assert sorted(n for n, _ in nm.named_parameters()) == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    assert NZ.type_before_parametrizations(nm) is nnn.Linear
    assert NZ.is_parametrized(nm) and NZ.is_parametrized(nm, "weight")
    assert not NZ.is_parametrized(nm, "bias")


@pytest.mark.live_torch("loads a state dict PyTorch's own module wrote")
def test_weight_norm_legacy_state_dict():
    nm, _ = _pair(lambda: nnn.Linear(3, 2), lambda: torch.nn.Linear(3, 2))
    NP.weight_norm(nm)
    g = nt.full((2, 1), 2.0)
    v = nt.randn(2, 3)
    nm.load_state_dict({"weight_g": g, "weight_v": v, "bias": nt.zeros(2)})
    _close(
        nm.weight, torch.tensor(2.0 * v.numpy() / np.linalg.norm(v.numpy(), axis=1, keepdims=True))
    )


# --- spectral_norm -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_linear(dtype, n_iter):
    nm, tm = _pair(lambda: nnn.Linear(5, 4), lambda: torch.nn.Linear(5, 4), dtype)
    nt.manual_seed(7)
    torch.manual_seed(7)
    NP.spectral_norm(nm, n_power_iterations=n_iter)
    P.spectral_norm(tm, n_power_iterations=n_iter)
    _close(nm.parametrizations.weight[0]._u, tm.parametrizations.weight[0]._u, 1e-4)
    _close(nm.parametrizations.weight[0]._v, tm.parametrizations.weight[0]._v, 1e-4)
    assert list(nm.state_dict()) == list(tm.state_dict())
    for _ in range(2):  # each training-mode read runs the power iteration
        _close(nm.weight, tm.weight, 1e-4)
    _check_grads(nm, tm, 1e-4, 1e-3)
    nm.eval()
    tm.eval()
    _close(nm.weight, tm.weight, 1e-4)
    sigma = np.linalg.norm(nm.weight.detach().numpy(), 2)
    assert sigma <= 1.0 + 1e-3


@pytest.mark.parametrize("make", ["conv", "convT"])
def test_spectral_norm_conv(make):
    if make == "conv":
        pair = (lambda: nnn.Conv2d(2, 3, 3), lambda: torch.nn.Conv2d(2, 3, 3))
    else:
        pair = (lambda: nnn.ConvTranspose2d(2, 3, 3), lambda: torch.nn.ConvTranspose2d(2, 3, 3))
    nm, tm = _pair(*pair, dtype="float64")
    nt.manual_seed(1)
    torch.manual_seed(1)
    NP.spectral_norm(nm)
    P.spectral_norm(tm)
    assert nm.parametrizations.weight[0].dim == tm.parametrizations.weight[0].dim
    _close(nm.weight, tm.weight)
    _check_grads(nm, tm)


def test_spectral_norm_errors():
    with pytest.raises(IndexError):
        NP.spectral_norm(nnn.Linear(2, 2), dim=3)
    with pytest.raises(ValueError):
        NP.spectral_norm(nnn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError):
        NP.spectral_norm(nnn.Linear(2, 2), name="nope")


# --- orthogonal ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
@pytest.mark.parametrize("omap", [None, "matrix_exp", "cayley", "householder"])
def test_orthogonal(shape, omap):
    out_f, in_f = shape
    nm, tm = _pair(lambda: nnn.Linear(in_f, out_f), lambda: torch.nn.Linear(in_f, out_f), "float64")
    nt.manual_seed(2)
    torch.manual_seed(2)
    NP.orthogonal(nm, orthogonal_map=omap)
    P.orthogonal(tm, orthogonal_map=omap)
    assert (
        nm.parametrizations.weight[0].orthogonal_map.name
        == tm.parametrizations.weight[0].orthogonal_map.name
    )
    w = nm.weight.detach().numpy()
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)
    _close(nm.weight, tm.weight, 1e-8)
    _close(nm.parametrizations.weight.original, tm.parametrizations.weight.original)
    _check_grads(nm, tm, 1e-8, 1e-6)
    assert list(nm.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
def test_orthogonal_householder_no_trivialization(shape):
    out_f, in_f = shape
    nm, tm = _pair(lambda: nnn.Linear(in_f, out_f), lambda: torch.nn.Linear(in_f, out_f), "float64")
    NP.orthogonal(nm, orthogonal_map="householder", use_trivialization=False)
    P.orthogonal(tm, orthogonal_map="householder", use_trivialization=False)
    assert "base" not in dict(nm.named_buffers(recurse=True))
    _close(nm.parametrizations.weight.original, tm.parametrizations.weight.original, 1e-8)
    _close(nm.weight, tm.weight, 1e-8)
    _check_grads(nm, tm, 1e-8, 1e-6)


def test_orthogonal_no_trivialization_assign_raises():
    nm, tm = _pair(lambda: nnn.Linear(3, 3), lambda: torch.nn.Linear(3, 3), "float64")
    NP.orthogonal(nm, use_trivialization=False)  # registration skips the failing inverse
    P.orthogonal(tm, use_trivialization=False)
    _close(nm.parametrizations.weight.original, tm.parametrizations.weight.original)
    _close(nm.weight, tm.weight, 1e-8)
    with pytest.raises(NotImplementedError):
        nm.weight = nt.eye(3, dtype=nt.float64)
    with pytest.raises(NotImplementedError):
        tm.weight = torch.eye(3, dtype=torch.float64)


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="matrix"):
        NP.orthogonal(nnn.Linear(3, 3), name="bias")
    with pytest.raises(ValueError, match="orthogonal_map"):
        NP.orthogonal(nnn.Linear(3, 3), orthogonal_map="qr")


# --- parametrize core ----------------------------------------------------------------------
class _SymmetricNT(nnn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class _SymmetricT(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class _ScaleNT(nnn.Module):
    def forward(self, x):
        return 2.0 * x


class _ScaleT(torch.nn.Module):
    def forward(self, x):
        return 2.0 * x


class _RankOneNT(nnn.Module):
    def forward(self, x, y):
        return x.unsqueeze(-1) @ y.unsqueeze(-2)

    def right_inverse(self, z):
        return z[:, 0].clone(), z[0, :].clone()


def test_register_custom_chain_and_assign():
    nm, tm = _pair(lambda: nnn.Linear(4, 4), lambda: torch.nn.Linear(4, 4), "float64")
    NZ.register_parametrization(nm, "weight", _SymmetricNT())
    TZ.register_parametrization(tm, "weight", _SymmetricT())
    NZ.register_parametrization(nm, "weight", _ScaleNT())
    TZ.register_parametrization(tm, "weight", _ScaleT())
    assert repr(nm).replace("NT()", "T()") == repr(tm)
    _close(nm.weight, tm.weight)
    _check_grads(nm, tm)
    # the chain has no right_inverse for _Scale: assignment fails as in PyTorch
    with pytest.raises(RuntimeError, match="right_inverse"):
        nm.weight = nt.eye(4, dtype=nt.float64)


def test_assign_through_right_inverse():
    m = nnn.Linear(4, 4)
    orig = m.weight
    NZ.register_parametrization(m, "weight", _SymmetricNT())
    assert m.parametrizations.weight.original is orig  # the same Parameter object
    a = nt.rand(4, 4)
    a = a + a.mT
    m.weight = a
    _close(m.weight, a)
    _close(m.parametrizations.weight.original, a.triu())


def test_several_originals_and_remove():
    m = nnn.Linear(3, 3)
    NZ.register_parametrization(m, "weight", _RankOneNT())
    names = sorted(n for n, _ in m.named_parameters())
    assert names == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    assert np.linalg.matrix_rank(m.weight.detach().numpy()) == 1
    with pytest.raises(ValueError, match="sequence of tensors"):
        NZ.remove_parametrizations(copy.deepcopy(m), "weight", leave_parametrized=False)
    w = m.weight.detach().clone()
    NZ.remove_parametrizations(m, "weight")
    assert type(m) is nnn.Linear
    assert isinstance(m.weight, nnn.Parameter)
    _close(m.weight, w)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_matches_torch(leave):
    nm, tm = _pair(lambda: nnn.Linear(3, 3), lambda: torch.nn.Linear(3, 3), "float64")
    NZ.register_parametrization(nm, "weight", _SymmetricNT())
    TZ.register_parametrization(tm, "weight", _SymmetricT())
    NZ.register_parametrization(nm, "bias", _ScaleNT())
    TZ.register_parametrization(tm, "bias", _ScaleT())
    NZ.remove_parametrizations(nm, "weight", leave_parametrized=leave)
    TZ.remove_parametrizations(tm, "weight", leave_parametrized=leave)
    assert type(nm).__name__ == type(tm).__name__ == "ParametrizedLinear"
    assert repr(nm).replace("NT()", "T()") == repr(tm)
    _close(nm.weight, tm.weight)
    NZ.remove_parametrizations(nm, "bias", leave_parametrized=leave)
    TZ.remove_parametrizations(tm, "bias", leave_parametrized=leave)
    assert type(nm) is nnn.Linear and not hasattr(nm, "parametrizations")
    assert repr(nm).replace("NT()", "T()") == repr(tm)
    _close(nm.bias, tm.bias)
    assert list(nm.state_dict()) == list(tm.state_dict())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        NZ.remove_parametrizations(nm, "weight")


def test_buffer_parametrization_and_class_isolation():
    m = nnn.BatchNorm1d(3)
    other = nnn.BatchNorm1d(3)
    NZ.register_parametrization(m, "running_var", _ScaleNT())
    assert "parametrizations.running_var.original" in m.state_dict()
    _close(m.running_var, nt.full((3,), 2.0))
    assert type(other) is nnn.BatchNorm1d and isinstance(other.running_var, nt.Tensor)
    with pytest.raises(ValueError, match="does not have a parameter"):
        NZ.register_parametrization(m, "nope", _ScaleNT())


def test_unsafe_checks():
    class Shrink(nnn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(ValueError, match="shape"):
        NZ.register_parametrization(nnn.Linear(2, 3), "weight", Shrink())
    m = NZ.register_parametrization(nnn.Linear(2, 3), "weight", Shrink(), unsafe=True)
    assert tuple(m.weight.shape) == (1, 2)


def test_cached():
    calls = []

    class Count(nnn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1.0

    m = NZ.register_parametrization(nnn.Linear(2, 2), "weight", Count())
    calls.clear()
    with NZ.cached():
        a = m.weight
        b = m.weight
        assert a is b
    assert len(calls) == 1
    _ = m.weight  # outside the block: computed again
    assert len(calls) == 2


def test_deepcopy_and_training_mode():
    m = nnn.Linear(3, 3).eval()
    NP.weight_norm(m)
    assert not m.parametrizations.weight[0].training
    m2 = copy.deepcopy(m)
    assert type(m2).__name__ == "ParametrizedLinear"
    _close(m2.weight, m.weight)
    m2.parametrizations.weight.original1.data.fill_(1.0)
    assert not np.allclose(m2.weight.detach().numpy(), m.weight.detach().numpy())


def test_optimizer_step_through_parametrization():
    nm, tm = _pair(lambda: nnn.Linear(3, 2), lambda: torch.nn.Linear(3, 2), "float64")
    NP.weight_norm(nm)
    P.weight_norm(tm)
    nopt = nt.optim.SGD(nm.parameters(), lr=0.1)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    x = np.random.default_rng(1).standard_normal((5, 3))
    for _ in range(3):
        nopt.zero_grad()
        topt.zero_grad()
        nm(nt.tensor(x)).pow(2).sum().backward()
        tm(torch.tensor(x)).pow(2).sum().backward()
        nopt.step()
        topt.step()
    _close(nm.weight, tm.weight, 1e-10)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_weight_norm_gradcheck(dim):
    wn = NP._WeightNorm(dim)
    rng = np.random.default_rng(5)
    v = nt.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    g = wn.right_inverse(v.detach())[0].clone().requires_grad_()
    g = (g * 1.5).detach().requires_grad_()
    assert nt.autograd.gradcheck(wn, (g, v))
    assert nt.autograd.gradgradcheck(wn, (g, v))
    assert wn(g, v).grad_fn.name() == "WeightNormInterfaceBackward0"
