"""Short-time Fourier transforms: ``stft`` and its inverse ``istft``.

Both are compositions (padding, framing with ``unfold``, windowing, the FFTs of
``numtorch.fft``, overlap-add with ``fold``), so their gradients come from those ops.
"""

from __future__ import annotations

import math
import warnings

from ..._lazy import nt as _nt
from ..._tensor import Tensor
from ..shape import Transpose, _view
from ..squeeze_expand import Squeeze

__all__ = ["stft", "istft"]

METHODS = {}


def _full_window(window, win_length: int, n_fft: int, like: Tensor, op: str) -> Tensor:
    """The window as ``n_fft`` samples: ones when none is given, zero-padded on both sides
    (centred) when it is shorter."""
    nt = _nt()
    if window is None:
        window = nt.ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype)
    if window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(
            f"{op}: expected a 1D window tensor of size equal to win_length="
            f"{win_length}, but got window with size {list(window.shape)}"
        )
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = nt.nn.functional.pad(window, (left, n_fft - win_length - left))
    return window


def stft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Tensor:
    """The Fourier transform of ``n_fft``-sample frames ``hop_length`` apart (default
    ``n_fft // 4``), each multiplied by ``window``: ``(freq, frames)`` per signal of a
    ``(L,)`` or ``(B, L)`` input, with ``n_fft // 2 + 1`` frequencies for a real one-sided
    transform. ``center`` pads ``n_fft // 2`` samples on both ends (``pad_mode``)."""
    nt = _nt()
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not complex_in:
        raise RuntimeError(
            "stft requires the return_complex parameter be given for real "
            "inputs, and will further require that return_complex=True in a "
            "future PyTorch release."
        )
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D tensor")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if hop <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is None:
        warnings.warn(
            "A window was not provided. A rectangular window will be applied,which is known to "
            "cause spectral leakage. Other windows such as torch.hann_window or "
            "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
            "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
            "device=<device>)`.",
            UserWarning,
            stacklevel=2,
        )
    batched = input.ndim == 2
    x = input if batched else input.unsqueeze(0)
    if center:
        half = n_fft // 2
        x = nt.nn.functional.pad(x.unsqueeze(1), (half, half), mode=pad_mode).squeeze(1)
    if x.shape[-1] < n_fft:
        raise RuntimeError(f"stft: expected 0 < n_fft <= {x.shape[-1]}, but got n_fft={n_fft}")
    frames = x.unfold(-1, n_fft, hop) * _full_window(window, win, n_fft, x, "stft")
    one = (not complex_in) if onesided is None else onesided
    spec = nt.fft.rfft(frames) if one else nt.fft.fft(frames)
    if normalized:
        spec = spec * (1.0 / math.sqrt(n_fft))
    # the nodes show PyTorch's names for its variants of transpose and squeeze
    spec = _view(Transpose.named("TransposeBackward1"), spec, spec.ndim - 1, spec.ndim - 2)
    if not batched:
        spec = _view(Squeeze.named("SqueezeBackward4"), spec, (0,))
    return spec if return_complex or return_complex is None else nt.view_as_real(spec)


def istft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The inverse of ``stft``: inverse FFTs of the frames, windowed again, added where they
    overlap and divided by the summed squared window."""
    nt = _nt()
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor.")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"istft: expected a tensor with 2 or 3 dimensions of complex "
            f"dtype, but got {input.ndim}D"
        )
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    batched = input.ndim == 3
    spec = (input if batched else input.unsqueeze(0)).transpose(-1, -2)  # (B, frames, freq)
    one = (spec.shape[-1] != n_fft) if onesided is None else onesided
    if normalized:
        spec = spec * math.sqrt(n_fft)
    if return_complex:
        frames = nt.fft.ifft(spec, n=n_fft)
    else:
        frames = nt.fft.irfft(spec, n=n_fft) if one else nt.fft.ifft(spec, n=n_fft).real
    w = _full_window(window, win, n_fft, frames, "istft")
    frames = frames * w
    n_frames = frames.shape[-2]
    total = n_fft + hop * (n_frames - 1)
    fold = nt.nn.functional.fold
    y = fold(frames.transpose(-1, -2), (1, total), (1, n_fft), stride=(1, hop))[:, 0, 0]
    squared = (w * w).reshape(1, n_fft, 1).expand(1, n_fft, n_frames)
    envelope = fold(squared, (1, total), (1, n_fft), stride=(1, hop))[0, 0, 0]
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    end = min(end, total)
    if (envelope[start:end].abs() < 1e-11).any():
        raise RuntimeError("istft(...): window overlap add min: 0")
    y = y[:, start:end] / envelope[start:end]
    if length is not None and y.shape[-1] < length:
        y = nt.nn.functional.pad(y, (0, length - y.shape[-1]))
    return y if batched else y.squeeze(0)


METHODS.update(stft=stft, istft=istft)
