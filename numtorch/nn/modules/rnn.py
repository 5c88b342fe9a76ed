"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, packed) and their cells.

Each layer and direction runs as one fused primitive (``ops/nn/rnn_ops.py``); this file holds the
parameters, PyTorch's argument checks, and the plumbing between layers and directions.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _autocast
from ..._tensor import Tensor
from ...ops.creation import empty, zeros
from ...ops.join import cat, stack
from ...ops.nn import rnn_cells as _cells
from ...ops.nn import rnn_ops as _rnn
from ...ops.nn.dropout import dropout as _dropout
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, packed_to_padded, padded_to_packed_data
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Parameters and checks shared by RNN, LSTM and GRU."""

    __constants__ = [
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    ]

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _check_options(mode, hidden_size, num_layers, dropout, proj_size)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        names = []
        for name, shape in self._weight_shapes():
            setattr(self, name, Parameter(empty(shape, dtype=dtype, device=device)))
            names.append(name)
        self._flat_weights_names = names
        self.reset_parameters()

    def _weight_shapes(self):
        """``(name, shape)`` of each weight in PyTorch's order: by layer, then direction."""
        gate = _GATES[self.mode] * self.hidden_size
        real_hidden = self.proj_size or self.hidden_size
        dirs = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            for d in range(dirs):
                n_in = self.input_size if layer == 0 else real_hidden * dirs
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                yield "weight_ih" + sfx, (gate, n_in)
                yield "weight_hh" + sfx, (gate, real_hidden)
                if self.bias:
                    yield "bias_ih" + sfx, (gate,)
                    yield "bias_hh" + sfx, (gate,)
                if self.proj_size:
                    yield "weight_hr" + sfx, (self.proj_size, self.hidden_size)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        w = self._flat_weights
        return [w[i : i + per] for i in range(0, len(w), per)]

    def flatten_parameters(self) -> None:
        """Nothing to do: the weights are never copied into one buffer here."""

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in ``(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- forward plumbing ---------------------------------------------------------------
    def _layer_params(self, layer: int, d: int):
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        get = self.__dict__["_parameters"].get
        return (
            get("weight_ih" + sfx),
            get("weight_hh" + sfx),
            get("bias_ih" + sfx),
            get("bias_hh" + sfx),
            get("weight_hr" + sfx),
        )

    def _prepare(self, input, hx):
        """Time-major padded input, batch sizes, per-state initial tensors, and how to undo."""
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        packed = isinstance(input, PackedSequence)
        sorted_idx = unsorted_idx = batch_sizes = None
        batched = True
        if packed:
            x, _ = packed_to_padded(input)
            batch_sizes = [int(v) for v in input.batch_sizes._data]
            sorted_idx, unsorted_idx = input.sorted_indices, input.unsorted_indices
        else:
            if input.dim() not in (2, 3):
                raise ValueError(
                    f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead"
                )
            batched = input.dim() == 3
            x = input if batched else input.unsqueeze(1)
            if self.batch_first and batched:
                x = x.transpose(0, 1)
        w = self.weight_ih_l0
        if x._data.dtype != w._data.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype "
                f"({w.dtype}). Convert input: input.to({w.dtype}), or convert model: "
                f"model.to({x.dtype})"
            )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )
        states = self._initial_states(x, hx, batched, sorted_idx)
        return x, batch_sizes, states, (packed, batched, sorted_idx, unsorted_idx)

    def _state_shapes(self, bsz):
        dirs = 2 if self.bidirectional else 1
        real = self.proj_size or self.hidden_size
        shapes = [(self.num_layers * dirs, bsz, real)]
        if self.mode == "LSTM":
            shapes.append((self.num_layers * dirs, bsz, self.hidden_size))
        return shapes

    def _initial_states(self, x, hx, batched, sorted_idx):
        shapes = self._state_shapes(x.shape[1])
        if hx is None:
            return [zeros(s, dtype=x.dtype, device=x.device) for s in shapes]
        states = list(hx) if self.mode == "LSTM" else [hx]
        if not batched:
            if any(h.dim() != 2 for h in states):
                dims = ", ".join(f"{h.dim()}-D" for h in states)
                what = (
                    "hx and cx should also be 2-D but got (" + dims + ") tensors"
                    if self.mode == "LSTM"
                    else f"hx should also be 2-D but got {dims} tensor"
                )
                raise RuntimeError(f"For unbatched 2-D input, {what}")
            states = [h.unsqueeze(1) for h in states]
        elif any(h.dim() != 3 for h in states):
            dims = ", ".join(f"{h.dim()}-D" for h in states)
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {dims} tensor"
            )
        if sorted_idx is not None:
            states = [h.index_select(1, sorted_idx) for h in states]
        for i, (h, want) in enumerate(zip(states, shapes)):
            if tuple(h.shape) != want:
                label = f"hidden[{i}]" if self.mode == "LSTM" else "hidden"
                raise RuntimeError(f"Expected {label} size {want}, got {list(h.shape)}")
        return states

    def _run(self, x, batch_sizes, states):
        dirs = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_params(layer, d)
                init_states = [s[k] for s in states]
                if self.mode == "LSTM":
                    layer_cls = _rnn.LSTMLayer if w_hr is None else _rnn.PROJECTED_LSTM
                    res = layer_cls.apply(
                        x, *init_states, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, bool(d)
                    )
                elif self.mode == "GRU":
                    res = _rnn.GRULayer.apply(
                        x, *init_states, w_ih, w_hh, b_ih, b_hh, batch_sizes, bool(d)
                    )
                else:
                    res = _rnn.RNNLayer.apply(
                        x,
                        *init_states,
                        w_ih,
                        w_hh,
                        b_ih,
                        b_hh,
                        batch_sizes,
                        bool(d),
                        self.mode == "RNN_RELU",
                    )
                outs.append(res[0])
                for f, r in zip(finals, res[1:]):
                    f.append(r)
            x = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, [stack(f) for f in finals]

    def forward(self, input, hx=None):
        x, batch_sizes, states, (packed, batched, _, unsorted) = self._prepare(input, hx)
        out, finals = self._run(x, batch_sizes, states)
        if unsorted is not None:
            finals = [f.index_select(1, unsorted) for f in finals]
        if packed:
            data = padded_to_packed_data(out, batch_sizes)
            out = PackedSequence(
                data, input.batch_sizes, input.sorted_indices, input.unsorted_indices
            )
        elif not batched:
            out = out.squeeze(1)
            finals = [f.squeeze(1) for f in finals]
        elif self.batch_first:
            out = out.transpose(0, 1)
        hidden = tuple(finals) if self.mode == "LSTM" else finals[0]
        return out, hidden


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Args:
        input_size, hidden_size; num_layers (default 1); nonlinearity 'tanh' or 'relu';
        bias; batch_first (input (B, T, I)); dropout between layers; bidirectional.

    Shape:
        Input (T, B, I), (B, T, I) or (T, I), or a PackedSequence; h_0 (layers * dirs, B, H).
        Output (output (T, B, dirs * H), h_n).

    Examples:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> out, hn = rnn(numtorch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        args = list(args)
        nonlinearity = args.pop(3) if len(args) > 3 else kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory, gates (i, f, g, o) from one matrix product per step.

    Args as for ``RNN`` plus ``proj_size`` (project h to this size). Returns
    ``(output, (h_n, c_n))``.

    Examples:
        >>> lstm = nn.LSTM(28, 128, 2)
        >>> out, (hn, cn) = lstm(numtorch.randn(50, 32, 28))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit, gates (r, z, n). Args as for ``RNN``.

    Examples:
        >>> gru = nn.GRU(10, 20, 2)
        >>> out, hn = gru(numtorch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """Parameters shared by the cells: ``weight_ih`` (chunks * H, I), ``weight_hh``, biases."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(
            empty((num_chunks * hidden_size, input_size), dtype=dtype, device=device)
        )
        self.weight_hh = Parameter(
            empty((num_chunks * hidden_size, hidden_size), dtype=dtype, device=device)
        )
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batched(self, input: Tensor, hx):
        if input.dim() not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead"
            )
        if hx is not None:
            for h in hx if isinstance(hx, tuple) else (hx,):
                if h.dim() not in (1, 2):
                    raise ValueError(
                        f"{type(self).__name__}: Expected hidden to be 1D or 2D, "
                        f"got {h.dim()}D instead"
                    )
        batched = input.dim() == 2
        x = (input if batched else input.unsqueeze(0)).unsqueeze(0)
        if hx is None:
            return x, None, batched
        states = tuple(
            h if batched else h.unsqueeze(0) for h in (hx if isinstance(hx, tuple) else (hx,))
        )
        return x, states, batched

    def _zeros(self, x):
        return zeros(x.shape[1], self.hidden_size, dtype=x.dtype, device=x.device)


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Examples:
        >>> cell = nn.RNNCell(10, 20)
        >>> h = cell(numtorch.randn(3, 10))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, states, batched = self._batched(input, hx)
        h = states[0] if states else self._zeros(x)
        relu = self.nonlinearity == "relu"
        if _autocast.enabled_on(x.device.type):
            args = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, relu)
            hn = _cells.rnn_cell(x[0], h, *args)
            return hn if batched else hn.squeeze(0)
        step = _rnn.RNNReluCellStep if self.nonlinearity == "relu" else _rnn.RNNTanhCellStep
        _, hn = step.apply(
            x,
            h,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            None,
            False,
            relu,
        )
        return hn if batched else hn.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c))`` returns ``(h', c')``.

    Examples:
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(numtorch.randn(3, 10))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):
        x, states, batched = self._batched(input, hx)
        if states is None:
            states = (self._zeros(x), self._zeros(x))
        if _autocast.enabled_on(x.device.type):
            weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
            hn, cn = _cells.lstm_cell(x[0], *states, *weights)
            return (hn, cn) if batched else (hn.squeeze(0), cn.squeeze(0))
        _, hn, cn = _rnn.LSTMCellStep.apply(
            x,
            *states,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            None,
            None,
            False,
        )
        return (hn, cn) if batched else (hn.squeeze(0), cn.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h)`` returns ``h'``.

    Examples:
        >>> cell = nn.GRUCell(10, 20)
        >>> h = cell(numtorch.randn(3, 10))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, states, batched = self._batched(input, hx)
        h = states[0] if states else self._zeros(x)
        if _autocast.enabled_on(x.device.type):
            weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
            hn = _cells.gru_cell(x[0], h, *weights)
            return hn if batched else hn.squeeze(0)
        _, hn = _rnn.GRUCellStep.apply(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None, False
        )
        return hn if batched else hn.squeeze(0)


def _check_options(mode, hidden_size, num_layers, dropout, proj_size) -> None:
    """PyTorch's checks of an RNN's options (and its warning for dropout on one layer)."""
    if (
        not isinstance(dropout, numbers.Number)
        or isinstance(dropout, bool)
        or not 0 <= dropout <= 1
    ):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the "
            "probability of an element being zeroed"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so "
            "non-zero dropout expects num_layers greater than 1, but got "
            f"dropout={dropout} and num_layers={num_layers}",
            stacklevel=3,
        )
    if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _GATES:
        raise ValueError(f"Unrecognized RNN mode: {mode}")
    if proj_size and mode != "LSTM":
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
