"""The recurrent cells composed of ordinary ops, as PyTorch builds them.

A cell normally runs as one fused step (``rnn_ops.py``). Under autocast PyTorch's cells are
chains of ops that each cast by their own list: the two products (``linear``) in the autocast
dtype, the gates in whatever dtype those give, and an LSTM's cell state in float32 where it
meets the float32 ``c``. So under autocast the cells take this route, which gives PyTorch's
dtypes, values and graph (an LSTM cell's ``h'`` under ``MulBackward0``, its ``c'`` under
``AddBackward0``).
"""

from __future__ import annotations

from .layers import linear


def _gates(x, h, w_ih, w_hh, b_ih, b_hh):
    return linear(x, w_ih, b_ih), linear(h, w_hh, b_hh)


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, relu: bool):
    """``act(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    gx, gh = _gates(x, h, w_ih, w_hh, b_ih, b_hh)
    pre = gx + gh
    return pre.relu() if relu else pre.tanh()


def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """``(h', c')``: ``c' = f * c + i * g``, ``h' = o * tanh(c')``."""
    gx, gh = _gates(x, h, w_ih, w_hh, b_ih, b_hh)
    i, f, g, o = (gh + gx).chunk(4, 1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """``h' = n + z * (h - n)`` with ``n = tanh(x_n + r * h_n)``."""
    gx, gh = _gates(x, h, w_ih, w_hh, b_ih, b_hh)
    xr, xz, xn = gx.chunk(3, 1)
    hr, hz, hn = gh.chunk(3, 1)
    r = (xr + hr).sigmoid()
    z = (xz + hz).sigmoid()
    n = (xn + hn * r).tanh()
    return (h - n) * z + n
