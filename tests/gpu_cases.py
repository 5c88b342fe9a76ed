"""The cases of tests/test_gpu_sweep.py: one for each primitive outside the derivative table,
each a function of tensors and its input arrays, run on "cuda" and on the CPU and compared."""

from __future__ import annotations

import numpy as np
from test_gpu_ops import _f as _draw

import numtorch as nt

F = nt.nn.functional
RNG = np.random.default_rng(0)  # the cases' inputs are drawn once, as the module loads


def _f(*shape):
    return _draw(RNG, *shape)


def _p(*shape):
    return np.abs(_f(*shape)) + 0.5


def _i(high, *shape):
    return RNG.integers(0, high, shape)


def _spd(n):
    a = _f(n, n)
    return a @ a.T + n * np.eye(n, dtype=np.float32)


def _idx(a, *values):
    """An index tensor on ``a``'s device."""
    return nt.tensor(values, device=a.device)


def _expanded_fill(a):
    """A fill written through an expanded view inside a graph (the base's CopySlices over
    elements that share memory), the value ``a.sum()`` reaching ``a``'s gradient."""
    view = nt.zeros(1, 4, device=a.device).expand(3, 4)
    return view.index_fill_(1, _idx(a, 1, 3), a.sum())


def _seeded(make, *args):
    """A module with the weights of seed 0, whichever device the case runs on."""
    nt.manual_seed(0)
    return make(*args)


IMG, VOL = _f(2, 3, 6, 6), _f(1, 2, 4, 4, 4)
# (name, function of tensors, its input arrays): each reaches the nodes named in its name
CASES = [
    (
        "addcdiv addcmul",
        lambda a, b: nt.addcdiv(a, a, b) + nt.addcmul(a, a, b),
        [_f(3, 4), _p(3, 4)],
    ),
    (
        "alias amin aminmax",
        lambda a: a.amin(0) + nt.aminmax(a).max + a.view_as(a).sum(),
        [_f(3, 4)],
    ),
    ("angle sgn sign", lambda a: a.angle() + a.sgn() * a + a.sign() * a, [_f(3, 4)]),
    ("as_strided", lambda a: a.as_strided((2, 2), (1, 2)), [_f(3, 4)]),
    (
        "avg_pool max_pool",
        lambda x: (
            F.avg_pool2d(x, 2).sum() + F.max_pool2d(x, 2).sum() + F.avg_pool3d(x[None], 2).sum()
        ),
        [IMG],
    ),
    (
        "adaptive pools lp_pool",
        lambda x: (
            F.adaptive_avg_pool2d(x, 4).sum()
            + F.adaptive_max_pool2d(x, 3).sum()
            + F.lp_pool2d(x.abs() + 0.1, 2, 2).sum()
        ),
        [IMG],
    ),
    ("max_unpool2d", lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2), [IMG]),
    (
        "bce bce_with_logits",
        lambda x, y: (
            F.binary_cross_entropy(x.sigmoid(), y) + F.binary_cross_entropy_with_logits(x, y)
        ),
        [_f(4, 3), (_f(4, 3) > 0).astype(np.float32)],
    ),
    (
        "block_diag bmm cdist",
        lambda a, b: (
            nt.block_diag(a, b).sum() + nt.bmm(a[None], b.t()[None]).sum() + nt.cdist(a, b).sum()
        ),
        [_f(3, 4), _f(3, 4)],
    ),
    (
        "rounding frac",
        lambda a: a.ceil() + a.floor() + a.trunc() + a.round() + a.round(decimals=1) + a.frac() + a,
        [_f(3, 4)],
    ),
    (
        "celu glu hard* shrink",
        lambda a: (
            F.celu(a)
            + F.glu(nt.cat([a, a], 1), 1)
            + F.hardsigmoid(a)
            + F.hardswish(a)
            + F.hardtanh(a)
            + F.hardshrink(a)
            + F.softshrink(a)
            + F.logsigmoid(a)
            + F.mish(a)
            + F.threshold(a, 0.1, 2.0)
        ),
        [_f(3, 4)],
    ),
    (
        "clamp forms",
        lambda a, b: (
            a.clamp(min=b)
            + a.clamp(max=b)
            + a.clamp_min(0.1)
            + a.clamp_max(0.1)
            + a.clamp(b - 1, b + 1)
        ),
        [_f(3, 4), _f(3, 4)],
    ),
    ("fold unfold", lambda x: F.fold(F.unfold(x, 2), (6, 6), 2), [IMG]),
    (
        "complex view_as_real polar",
        lambda a, b: (
            nt.view_as_real(nt.complex(a, b).conj() * nt.polar(b.abs(), a)).sum()
            + nt.view_as_complex(nt.stack([a, b], -1)).conj_physical().abs().sum()
        ),
        [_f(3, 4), _f(3, 4)],
    ),
    (
        "pad modes",
        lambda x: (
            F.pad(x, (1, 2, 1, 0)).sum()
            + F.pad(x, (1, 1, 1, 1), mode="reflect").sum()
            + F.pad(x, (1, 1, 1, 1), mode="replicate").sum()
            + F.pad(x, (1, 1, 1, 1), mode="circular").sum()
        ),
        [IMG],
    ),
    (
        "conv_transpose conv1d conv3d",
        lambda x, k: (
            F.conv_transpose2d(x, k).sum()
            + F.conv1d(x[0], k.reshape(2, 6, 2)).sum()
            + F.conv3d(x[None], k[:2].reshape(2, 2, 2, 2, 1)).sum()
        ),
        [IMG, _f(3, 2, 2, 2)],
    ),
    (
        "copy_ copy slices",
        lambda a: (
            nt.zeros(3, 4, device=a.device).index_put_((nt.tensor([0], device=a.device),), a[0])
            + a.clone().copy_(a * 2)
        ),
        [_f(3, 4)],
    ),
    (
        "index_put_ on an expand (a written value's gradient read through shared memory)",
        lambda a: (
            nt.zeros(3, 1, device=a.device)
            .expand(3, 4)
            .index_put_((nt.tensor([1], device=a.device),), a[:1])
        ),
        [_f(3, 4)],
    ),
    (
        "ctc_loss",
        lambda x, t: F.ctc_loss(x.log_softmax(2), t, [6, 6], [3, 2]),
        [_f(6, 2, 5), np.array([[1, 2, 3], [3, 4, 0]])],
    ),
    (
        "cummax cummin cumprod logcumsumexp",
        lambda a: a.cummax(1).values + a.cummin(0).values + a.cumprod(1) + a.logcumsumexp(1),
        [_f(3, 4)],
    ),
    (
        "diag_embed diagonal scatter",
        lambda a: (
            nt.diag_embed(a).sum()
            + a.diagonal().sum()
            + nt.diagonal_scatter(a, a.diagonal() * 2).sum()
            + nt.trace(a)
        ),
        [_f(4, 4)],
    ),
    (
        "special functions",
        lambda a: (
            a.digamma()
            + a.lgamma()
            + a.erfc()
            + a.i0()
            + nt.polygamma(1, a)
            + nt.special.entr(a)
            + nt.special.erfcx(a)
            + nt.special.i0e(a)
            + nt.special.i1(a)
            + nt.special.i1e(a)
            + nt.special.log_ndtr(a)
            + nt.igamma(a.detach(), a)
            + nt.xlogy(a, a)
        ),
        [_p(3, 4)],
    ),
    (
        "erfinv ndtri",
        lambda a: (a.sigmoid() * 1.8 - 0.9).erfinv() + nt.special.ndtri(a.sigmoid()),
        [_f(3, 4)],
    ),
    (
        "add sub alpha div rounding",
        lambda a, b: (
            nt.add(a, b, alpha=2)
            + nt.sub(a, b, alpha=0.5)
            + nt.div(a, b, rounding_mode="floor")
            + a.clamp_min(b)
            + a.clamp_max(b)
        ),
        [_f(3, 4), _p(3, 4)],
    ),
    ("div_ scalar rsub", lambda a: a / 2.5 + (3.0 - a), [_f(3, 4)]),
    (
        "addmv addmm addbmm baddbmm addr linear",
        lambda a, v: (
            nt.addmv(v[:3], a, v).sum()
            + nt.addmm(a[:, :3], a, a.t()[:, :3]).sum()
            + nt.addbmm(a[:, :3], a[None], a.t()[None, :, :3]).sum()
            + nt.baddbmm(a[:, :3], a[None], a.t()[None, :, :3]).sum()
            + F.linear(a[None].expand(2, 3, 4), a, v[:3]).sum()
            + nt.addr(a, v[:3], v).sum()
        ),
        [_f(3, 4), _f(4)],
    ),
    (
        "dot mv mm einsum",
        lambda a, v: (
            nt.dot(v, v)
            + nt.mv(a, v).sum()
            + nt.mm(a, a.t()).sum()
            + nt.einsum("ij,kj->ik", a, a).sum()
        ),
        [_f(3, 4), _f(4)],
    ),
    ("embedding", lambda w, i: F.embedding(i, w), [_f(5, 3), _i(5, 4)]),
    ("fft", lambda a: nt.fft.fft(a).abs() + nt.fft.irfft(nt.fft.rfft(a), 4), [_f(3, 4)]),
    ("fill zero", lambda a: a.clone().fill_(2.0) * a + a.clone().zero_() + a, [_f(3, 4)]),
    (
        "frexp nan_to_num nextafter",
        lambda a: nt.frexp(a).mantissa + a.nan_to_num() + nt.nextafter(a, a + 1),
        [_f(3, 4)],
    ),
    (
        "grid_sample",
        lambda x, g: F.grid_sample(x, g.tanh(), align_corners=False),
        [IMG, _f(2, 3, 3, 2)],
    ),
    (
        "grid_sample modes",
        lambda x, g: (
            F.grid_sample(x, g.tanh(), mode="nearest", align_corners=True)
            + F.grid_sample(x, g.tanh(), padding_mode="border", align_corners=False)
        ),
        [IMG, _f(2, 3, 3, 2)],
    ),
    (
        "huber smooth_l1 soft_margin multi_margin mse",
        lambda x, y, t: (
            F.huber_loss(x, y)
            + F.smooth_l1_loss(x, y)
            + F.soft_margin_loss(x, y.sign().detach())
            + F.multi_margin_loss(x, t)
            + F.mse_loss(x, y)
        ),
        [_f(4, 3), _f(4, 3), _i(3, 4)],
    ),
    (
        "index ops",
        lambda a, i: (
            a[i].sum()
            + a.index_add(0, i, a[:2]).sum()
            + a.index_copy(0, i, a[:2]).sum()
            + a.index_fill(0, i, 1.0).sum()
            + a.take(i).sum()
            + a.put(i, a[0, :2]).sum()
        ),
        [_f(3, 4), np.array([2, 0])],
    ),
    (
        "kthvalue median mode nanmedian",
        lambda a: (
            a.kthvalue(2, 1).values
            + a.median(1).values
            + a.mode(1).values
            + a.nanmedian(1).values
            + a.median()
            + a.nanmedian()
        ),
        [_f(3, 4)],
    ),
    ("lerp", lambda a, b: nt.lerp(a, b, 0.3) + nt.lerp(a, b, b.sigmoid()), [_f(3, 4), _f(3, 4)]),
    (
        "linalg factorizations",
        lambda a: (
            nt.linalg.cholesky(a).sum()
            + nt.linalg.det(a)
            + nt.linalg.slogdet(a).logabsdet
            + nt.linalg.inv(a).sum()
            + nt.linalg.qr(a).R.sum()
            + nt.linalg.svd(a).S.sum()
            + nt.linalg.eigh(a).eigenvalues.sum()
            + nt.linalg.matrix_exp(a / 10).sum()
            + nt.linalg.lu_factor(a).LU.sum()
        ),
        [_spd(3)],
    ),
    (
        "linalg solves cross eig",
        lambda a, b: (
            nt.linalg.solve(a, b).sum()
            + nt.linalg.solve_triangular(a.triu(), b, upper=True).sum()
            + nt.linalg.cross(b, b.flip(0)).sum()
            + nt.linalg.eig(a).eigenvalues.real.sum()
        ),
        [_spd(3), _f(3, 3)],
    ),
    (
        "masked scatter select",
        lambda a, m: a.masked_scatter(m, a * 2) + a.masked_select(m).sum(),
        [_f(3, 4), _f(3, 4) > 0],
    ),
    (
        "min max mean forms",
        lambda a: (
            a.max()
            + a.min()
            + a.min(1).values.sum()
            + a.mean()
            + a.nansum()
            + a.sum((0, 1))
            + nt.std_mean(a)[1]
            + nt.var_mean(a, 1)[0].sum()
        ),
        [_f(3, 4)],
    ),
    (
        "nll_loss 2d prelu",
        lambda x, t: F.nll_loss(x.log_softmax(1), t) + F.prelu(x, x[0, :, 0, 0]).sum(),
        [_f(2, 3, 2, 2), _i(3, 2, 2, 2)],
    ),
    ("poisson_nll", lambda x: F.poisson_nll_loss(x, x.abs()), [_f(3, 4)]),
    ("cross_entropy", lambda x, t: F.cross_entropy(x, t), [_f(4, 3), _i(3, 4)]),
    ("attention", lambda q: F.scaled_dot_product_attention(q, q * 2, q.flip(1)), [_f(2, 3, 4)]),
    ("prod others", lambda a: a.prod() + a.prod(1).sum(), [_f(3, 4)]),
    (
        "repeat rot90 roll unfold",
        lambda a: a.repeat(2, 1).sum() + a.rot90().sum() + a.unfold(1, 2, 1).sum(),
        [_f(3, 4)],
    ),
    (
        "interpolate",
        lambda x: (
            F.interpolate(x, scale_factor=2, mode="bilinear").sum()
            + F.interpolate(x, size=(4, 5), mode="bicubic").sum()
            + F.interpolate(x, scale_factor=2).sum()
            + F.pixel_shuffle(x[:, :1].expand(2, 4, 6, 6), 2).sum()
        ),
        [IMG],
    ),
    ("rrelu eval", lambda a: F.rrelu(a, training=False), [_f(3, 4)]),
    (
        "scatter forms",
        lambda a, i: (
            a.scatter(1, i, a)
            + a.scatter(1, i, 2.0)
            + a.scatter_add(1, i, a)
            + a.scatter_reduce(1, i, a, "amax")
        ),
        [_f(3, 4), _i(4, 3, 4)],
    ),
    (
        "select slice scatter",
        lambda a: (
            a[1].sum()
            + nt.select_scatter(a, a[0] * 2, 0, 1).sum()
            + nt.slice_scatter(a, a[:1] * 2, 0, 0, 1).sum()
        ),
        [_f(3, 4)],
    ),
    (
        "split unbind squeeze",
        lambda a: (
            sum(t.sum() for t in a.split(2, 1))
            + sum(t.sum() for t in a.split([1, 3], 1))
            + sum(t.sum() for t in a.unbind(0))
            + a[None].squeeze().sum()
            + a[None].squeeze(0).sum()
            + a[None, None].squeeze((0, 1)).sum()
        ),
        [_f(3, 4)],
    ),
    (
        "transpose t triu unsqueeze",
        lambda a: a.transpose(0, 1).t().triu() + a.unsqueeze(-1).squeeze(-1),
        [_f(3, 4)],
    ),
    ("to dtype", lambda a: a.double().float(), [_f(3, 4)]),
    ("unique", lambda a: nt.unique(a.round(), return_inverse=True)[0].detach(), [_f(3, 4)]),
    (
        "batch_norm eval instance group",
        lambda x: (
            F.batch_norm(x, x.mean((0, 2, 3)).detach(), x.var((0, 2, 3)).detach()).sum()
            + F.instance_norm(x).sum()
            + F.group_norm(x, 3).sum()
        ),
        [IMG],
    ),
    ("rnn tanh", lambda x: _seeded(nt.nn.RNN, 3, 4).to(x.device)(x)[0], [_f(2, 1, 3)]),
    (
        "take_along_dim fft resize reshape copy",
        lambda a: (
            nt.take_along_dim(a, _idx(a, [0, 1], [1, 2], [3, 0]), 1).sum()
            + nt.fft.fft(a, n=6).abs().sum()
            + a.t().reshape(-1).sum()
        ),
        [_f(3, 4)],
    ),
    (
        "matmul broadcast batch",
        lambda a, b: nt.matmul(a.expand(2, 1, 3, 4), b[None]),
        [_f(3, 4), _f(2, 4, 5)],
    ),
    (
        "weight_norm",
        lambda x: nt.nn.utils.parametrizations.weight_norm(
            _seeded(nt.nn.Linear, 4, 3).to(x.device)
        )(x),
        [_f(2, 4)],
    ),
    ("pooling 3d", lambda v: F.max_pool3d(v, 2).sum() + F.adaptive_avg_pool3d(v, 2).sum(), [VOL]),
    ("index_fill_ through expand", lambda a: _expanded_fill(a) * a, [_f(3, 4)]),
]


def _second(fn):
    """``fn`` differentiated once under ``create_graph``: the sum of squares of the gradients
    of ``(fn(...)**2)``'s weighted sum. Its graph holds the nodes that a double backward
    builds, which the comparison's backward then runs (second derivatives, GPU against CPU)."""

    def run(*xs):
        out = fn(*xs)
        ins = [x for x in xs if x.requires_grad]
        w = nt.linspace(0.5, 1.5, out.numel(), dtype=out.dtype, device=out.device)
        loss = (out * out * w.reshape(out.shape)).sum()
        grads = nt.autograd.grad(loss, ins, create_graph=True, allow_unused=True)
        return sum((g * g).sum() for g in grads if g is not None)

    return run


SEQ, IDX = _f(3, 2, 3), _i(5, 2, 3)
SECOND_ORDER = [
    ("conv2d", lambda x, w: F.conv2d(x, w, padding=1), [IMG, _f(4, 3, 3, 3)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 2), [IMG]),
    ("interpolate", lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), [IMG]),
    ("embedding", lambda i, w: F.embedding(i, w), [IDX, _f(5, 4)]),
    (
        "pad reflect replicate",
        lambda x: F.pad(x, (1, 1, 1, 1), "reflect") + F.pad(x, (1, 1, 1, 1), "replicate"),
        [IMG],
    ),
    ("prod", lambda a: a.prod(1).sum() + a.prod(), [_p(3, 4)]),
    ("cumsum", lambda a: a.cumsum(1), [_f(3, 4)]),
    ("unfold", lambda a: a.unfold(1, 2, 1), [_f(3, 4)]),
    ("max dim", lambda a: a.max(1).values + a.amax(1), [_f(3, 4)]),
    (
        "index gather take",
        lambda a: (
            a[_idx(a, 0, 2)].sum()
            + a.gather(1, _idx(a, [0, 1], [1, 2], [3, 0])).sum()
            + a.take(_idx(a, 0, 5)).sum()
            + a.index_select(0, _idx(a, 2, 0)).sum()
        ),
        [_f(3, 4)],
    ),
    (
        "diagonal slice as_strided",
        lambda a: a.diagonal().sum() + a[:, 1:3].sum() + a.as_strided((2, 2), (1, 2)).sum(),
        [_f(3, 4)],
    ),
    ("grid_sample", lambda x, g: F.grid_sample(x, g, align_corners=False), [IMG, _f(2, 3, 3, 2)]),
    ("lstm", lambda x: _seeded(nt.nn.LSTM, 3, 4).to(x.device)(x)[0], [SEQ]),
    ("fft c2c", lambda a: nt.fft.fft(nt.complex(a, a.flip(1))).abs(), [_f(3, 4)]),
    (
        "real imag",
        lambda a, b: (nt.complex(a, b) * nt.complex(b, a)).real + nt.complex(a, b).imag * a,
        [_f(3, 4), _f(3, 4)],
    ),
]
SECOND_ORDER = [
    (f"{name} (second order)", _second(fn), arrays) for name, fn, arrays in SECOND_ORDER
]
# third derivatives of the cases whose double backward's own backward builds nodes of its own
# (the min/max gather, as_strided's gather form)
THIRD_ORDER = [
    (name.replace("second", "third"), _second(fn), arrays)
    for name, fn, arrays in SECOND_ORDER
    if name.startswith(("max dim", "diagonal slice as_strided"))
]
