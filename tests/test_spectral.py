"""torch.stft / torch.istft against PyTorch: shapes, values, gradients, round trips, errors."""

import warnings

import numpy as np
import pytest
from helpers import torch

import numtorch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 100)).astype("f4")
C = (RNG.standard_normal(64) + 1j * RNG.standard_normal(64)).astype("c8")


def _run(m):
    out = []
    x = m.tensor(X, requires_grad=True)
    s = m.stft(x, 16, hop_length=4, window=m.hann_window(16), return_complex=True)
    s.abs().sum().backward()
    out += [s.detach().numpy(), x.grad.numpy(), s.grad_fn.name()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out.append(m.stft(m.tensor(X[0]), 16, return_complex=True).numpy())
    s3 = m.stft(
        m.tensor(X[0]),
        16,
        hop_length=5,
        win_length=10,
        window=m.hann_window(10),
        center=False,
        normalized=True,
        onesided=False,
        return_complex=True,
    )
    out.append(s3.numpy())
    out.append(
        m.stft(
            m.tensor(X),
            20,
            hop_length=7,
            pad_mode="constant",
            window=m.hamming_window(20),
            return_complex=True,
        ).numpy()
    )
    out.append(m.istft(s.detach(), 16, hop_length=4, window=m.hann_window(16)).numpy())
    spec = m.stft(
        m.tensor(X[0]),
        16,
        hop_length=5,
        window=m.hann_window(16),
        normalized=True,
        onesided=False,
        return_complex=True,
    )
    out.append(
        m.istft(
            spec,
            16,
            hop_length=5,
            window=m.hann_window(16),
            normalized=True,
            onesided=False,
            length=90,
        ).numpy()
    )
    out.append(m.stft(m.tensor(C), 8, window=m.hann_window(8)).numpy())
    return out


def test_stft_and_istft_match_pytorch():
    for a, b in zip(_run(numtorch), _run(torch)):
        if isinstance(a, str):
            assert a == b
        else:
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_istft_inverts_stft_and_errors():
    x = numtorch.tensor(X)
    window = numtorch.hann_window(32)
    spec = numtorch.stft(x, 32, hop_length=8, window=window, return_complex=True)
    back = numtorch.istft(spec, 32, hop_length=8, window=window, length=100)
    np.testing.assert_allclose(back.numpy(), X, atol=1e-5)
    with pytest.raises(RuntimeError, match="requires the return_complex parameter"):
        numtorch.stft(x, 16)
    with pytest.raises(RuntimeError, match="complex-valued input"):
        numtorch.istft(x, 16)
