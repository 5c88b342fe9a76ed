"""Spectral ops: the discrete Fourier transforms' primitives (transforms.py, public as
``numtorch.fft``), the short-time transforms ``stft``/``istft`` (stft.py) and the window
functions (windows.py)."""
