"""Numerics: linear algebra, FFT and order statistics, as used in signal processing scripts."""

import math

import torch

torch.manual_seed(13)
A = torch.randn(4, 4, dtype=torch.float64)
spd = A @ A.T + 4 * torch.eye(4, dtype=torch.float64)
b = torch.randn(4, 2, dtype=torch.float64)

x = torch.linalg.solve(spd, b)
print("solve residual small:", torch.allclose(spd @ x, b))
print("x:", x)
print("det:", torch.linalg.det(spd).item(), "slogdet:", torch.linalg.slogdet(spd))
L = torch.linalg.cholesky(spd)
print("cholesky:", L)
evals, evecs = torch.linalg.eigh(spd)
print("eigvalsh:", evals)
U, S, Vh = torch.linalg.svd(A)
print("singular values:", S)
print("reconstruct:", torch.allclose(U @ torch.diag(S) @ Vh, A))
Q, R = torch.linalg.qr(A)
print("R diag abs:", R.diagonal().abs())
print(
    "inv @ A = I:", torch.allclose(torch.linalg.inv(spd) @ spd, torch.eye(4, dtype=torch.float64))
)
print(
    "norms:",
    torch.linalg.norm(A),
    torch.linalg.matrix_norm(A, ord=1),
    torch.linalg.vector_norm(A, ord=3),
)
print("pinv shape:", torch.linalg.pinv(A[:, :3]).shape, "rank:", torch.linalg.matrix_rank(A))

t = torch.arange(64) / 64
signal = torch.sin(2 * math.pi * 5 * t) + 0.5 * torch.cos(2 * math.pi * 12 * t)
spectrum = torch.fft.rfft(signal)
mag = spectrum.abs()
print("rfft shape:", spectrum.shape, spectrum.dtype)
print("peaks:", torch.topk(mag, 2).indices.sort().values)
print("magnitudes at peaks:", mag[[5, 12]])
print("roundtrip:", torch.allclose(torch.fft.irfft(spectrum, n=64), signal, atol=1e-6))
freqs = torch.fft.rfftfreq(64, d=1 / 64)
print("freqs:", freqs[:6])
print("fft2:", torch.fft.fft2(torch.eye(2)))
print("fftshift:", torch.fft.fftshift(torch.arange(6)))

data = torch.randn(3, 9)
print("data:", data)
print("median:", data.median(dim=1))
print("quantiles:", torch.quantile(data, torch.tensor([0.25, 0.5, 0.75]), dim=1))
print("kthvalue:", torch.kthvalue(data, 3, dim=1))
s = torch.sort(data, dim=1, stable=True)
print("sort:", s.values[0], s.indices[0])
print("searchsorted:", torch.searchsorted(s.values[0], torch.tensor([-1.0, 0.0, 1.0])))
print("cummax:", torch.cummax(data[0], dim=0).values)
print("histc:", torch.histc(data, bins=4, min=-2, max=2))
print("mode:", torch.mode(torch.tensor([1, 2, 2, 3, 3, 3, 1])))
