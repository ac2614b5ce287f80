"""The RNN, LSTM and GRU written from scratch in PyTorch, loadable to and from torch.nn.

What this is: cells and layers built from plain tensor operations, with the same parameter
names, shapes and gate order as nn.RNNCell / nn.LSTMCell / nn.GRUCell and nn.RNN / nn.LSTM /
nn.GRU (weight_ih, weight_hh, bias_ih, bias_hh; weight_ih_l0, ... for layers), so
`ours.load_state_dict(theirs.state_dict())` works both ways. Autograd gives the gradients.
What this is not: a replacement for cuDNN. The layers are unidirectional, with bias, and
take the same (T, B, I) or batch_first (B, T, I) inputs as torch.nn.

The layers use the fast layout: one multiply projects the inputs of all steps, then one
fused recurrent multiply per step.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor, nn

from ._validate import LessonError, check_choice, check_positive_int
from .cells import GATE_ORDER, GRU_RESET, Weights

_SIZE_NAMES = {"B": "batch size", "T": "sequence length", "I": "input size", "H": "hidden size", "L": "num_layers"}


def check_tensor(x, name: str, spec: tuple, sizes: dict, dtype: torch.dtype | None = None, hint: str = "") -> Tensor:
    """Check a tensor's type, dtype and shape against `spec`, binding letters in `sizes`."""
    if isinstance(x, np.ndarray):
        raise LessonError(f"{name} is a NumPy array, but this module needs a torch tensor; "
                          f"pass torch.from_numpy({name}) (and .float() if the model is float32).")
    if not isinstance(x, Tensor):
        raise LessonError(f"{name} should be a torch tensor; got {type(x).__name__}.")
    if not x.is_floating_point():
        raise LessonError(f"{name} should be a floating-point tensor; got dtype {x.dtype}. "
                          f"If these are token ids, pass them through an nn.Embedding first; otherwise use {name}.float().")
    if dtype is not None and x.dtype != dtype:
        raise LessonError(f"{name} has dtype {x.dtype} but the module's weights are {dtype}; "
                          f"convert one of them (for example {name}.to({dtype}) or module.to({x.dtype})).")
    expected = "(" + ", ".join(spec) + ")"
    hint_default = hint
    if x.dim() != len(spec):
        raise LessonError(f"{name} should have {len(spec)} dimensions {expected}; got shape {tuple(x.shape)}.")
    bound = dict(sizes)
    for axis, (letter, got) in enumerate(zip(spec, x.shape)):
        if letter not in bound:
            bound[letter] = got
        elif bound[letter] != got:
            hint = ""
            if letter in ("B", "T") and "B" in spec and "T" in spec:
                hint = " Check batch_first: did you swap the batch and time axes?"
            hint = hint or (" " + hint_default if hint_default else "")
            raise LessonError(f"{name} should have shape {expected} with {_SIZE_NAMES.get(letter, letter)} "
                              f"{letter} = {bound[letter]} on axis {axis}; got shape {tuple(x.shape)}.{hint}")
    sizes.update(bound)
    return x


class _Recurrent(nn.Module):
    """Shared parameter set-up for the cells and layers (G gate blocks of H rows)."""

    kind = ""

    def _make(self, suffix: str, input_size: int, hidden_size: int):
        G = len(GATE_ORDER[self.kind])
        setattr(self, "weight_ih" + suffix, nn.Parameter(torch.empty(G * hidden_size, input_size)))
        setattr(self, "weight_hh" + suffix, nn.Parameter(torch.empty(G * hidden_size, hidden_size)))
        setattr(self, "bias_ih" + suffix, nn.Parameter(torch.empty(G * hidden_size)))
        setattr(self, "bias_hh" + suffix, nn.Parameter(torch.empty(G * hidden_size)))

    def reset_parameters(self):
        """Uniform in [-k, k] with k = 1/sqrt(H), as torch.nn initialises them."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def _dtype(self):
        return next(self.parameters()).dtype


def _lstm_math(a: Tensor, c_prev: Tensor):
    # a holds the stacked pre-activations [i, f, g, o], each (B, H)
    i, f, g, o = a.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    # c_t = f * c_{t-1} + i * g
    c = f * c_prev + i * g
    # h_t = o * tanh(c_t)
    h = o * torch.tanh(c)
    return h, c


def _gru_math(xw: Tensor, h_prev: Tensor, w_hh: Tensor, b_hh: Tensor, reset: str):
    H = h_prev.shape[-1]
    # r, z = sigmoid(W_i[rz] x + b_i[rz] + W_h[rz] h + b_h[rz])
    rz = torch.sigmoid(xw[:, :2 * H] + h_prev @ w_hh[:2 * H].T + b_hh[:2 * H])  # (B, 2H)
    r, z = rz[:, :H], rz[:, H:]
    if reset == "after":
        # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        n = torch.tanh(xw[:, 2 * H:] + r * (h_prev @ w_hh[2 * H:].T + b_hh[2 * H:]))
    else:
        # n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
        n = torch.tanh(xw[:, 2 * H:] + (r * h_prev) @ w_hh[2 * H:].T + b_hh[2 * H:])
    # h_t = (1 - z) * n + z * h_{t-1}
    return (1 - z) * n + z * h_prev


def _act(name: str):
    return {"tanh": torch.tanh, "relu": torch.relu}[name]


# --------------------------------------------------------------------------- cells

class _Cell(_Recurrent):
    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self._make("", self.input_size, self.hidden_size)
        self.reset_parameters()

    def _inputs(self, x, state_names, states):
        sizes = {"I": self.input_size, "H": self.hidden_size}
        x = check_tensor(x, "x", ("B", "I"), sizes, self._dtype())
        out = []
        for name, s in zip(state_names, states):
            if s is None:
                s = x.new_zeros(x.shape[0], self.hidden_size)
            out.append(check_tensor(s, name, ("B", "H"), sizes, self._dtype()))
        return x, out

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_Cell):
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); loads from nn.RNNCell."""

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh"):
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        super().__init__(input_size, hidden_size)

    def forward(self, x: Tensor, h_prev: Tensor | None = None) -> Tensor:
        x, (h_prev,) = self._inputs(x, ("h_prev",), (h_prev,))
        # h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
        return _act(self.nonlinearity)(x @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh)


class LSTMCell(_Cell):
    """One LSTM step with gates stacked i, f, g, o; loads from nn.LSTMCell."""

    kind = "lstm"

    def forward(self, x: Tensor, state: tuple | None = None) -> tuple:
        h_prev, c_prev = (None, None) if state is None else state
        x, (h_prev, c_prev) = self._inputs(x, ("h_prev", "c_prev"), (h_prev, c_prev))
        a = x @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh  # (B, 4H)
        return _lstm_math(a, c_prev)


class GRUCell(_Cell):
    """One GRU step with gates stacked r, z, n; reset="after" is nn.GRUCell, "before" is Cho et al. (2014)."""

    kind = "gru"

    def __init__(self, input_size: int, hidden_size: int, reset: str = "after"):
        self.reset = check_choice(reset, "reset", GRU_RESET)
        super().__init__(input_size, hidden_size)

    def forward(self, x: Tensor, h_prev: Tensor | None = None) -> Tensor:
        x, (h_prev,) = self._inputs(x, ("h_prev",), (h_prev,))
        xw = x @ self.weight_ih.T + self.bias_ih  # (B, 3H)
        return _gru_math(xw, h_prev, self.weight_hh, self.bias_hh, self.reset)


# --------------------------------------------------------------------------- layers

class _Layer(_Recurrent):
    n_states = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False):
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        if not isinstance(batch_first, bool):
            raise LessonError(f"batch_first should be True or False; got {batch_first!r}.")
        self.batch_first = batch_first
        for layer in range(self.num_layers):
            self._make(f"_l{layer}", self.input_size if layer == 0 else self.hidden_size, self.hidden_size)
        self.reset_parameters()

    def extra_repr(self):
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"batch_first={self.batch_first}")

    def _weights(self, layer: int):
        return [getattr(self, f"{n}_l{layer}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def forward(self, x: Tensor, state=None):
        layout = ("B", "T", "I") if self.batch_first else ("T", "B", "I")
        sizes = {"I": self.input_size, "H": self.hidden_size, "L": self.num_layers}
        x = check_tensor(x, "input", layout, sizes, self._dtype())
        if self.n_states == 2:
            state = (None, None) if state is None else state
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise LessonError("the LSTM's state should be a pair (h_0, c_0); "
                                  f"got {type(state).__name__}. Pass (h_0, c_0) or nothing.")
        else:
            state = (state,)
        hint = "States are (num_layers, B, H), even when batch_first=True."
        if not self.batch_first:
            hint += (f" The input was read as (T, B, I) with B = {sizes['B']}; if it is (B, T, I), "
                     "build the module with batch_first=True.")
        states = []
        for name, s in zip(("h_0", "c_0"), state):
            if s is None:
                s = x.new_zeros(self.num_layers, sizes["B"], self.hidden_size)
            states.append(check_tensor(s, name, ("L", "B", "H"), sizes, self._dtype(), hint=hint))
        seq = x.transpose(0, 1) if self.batch_first else x  # (T, B, I)
        finals = []
        for layer in range(self.num_layers):
            seq, last = self._run_layer(seq, [s[layer] for s in states], self._weights(layer))
            finals.append(last)
        out = seq.transpose(0, 1) if self.batch_first else seq
        stacked = [torch.stack([f[k] for f in finals]) for k in range(self.n_states)]  # each (L, B, H)
        return out, (tuple(stacked) if self.n_states == 2 else stacked[0])


class RNN(_Layer):
    """A multi-layer vanilla RNN; loads from nn.RNN."""

    kind = "rnn"

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", batch_first=False):
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        super().__init__(input_size, hidden_size, num_layers, batch_first)

    def _run_layer(self, seq, states, weights):
        w_ih, w_hh, b_ih, b_hh = weights
        act = _act(self.nonlinearity)
        xw = seq @ w_ih.T + b_ih  # (T, B, H): all input projections in one multiply
        h, outs = states[0], []
        # unbind: one view per step, whose gradients autograd gathers in one go (indexing xw[t] at every
        # step would make the backward build a full (T, B, H) zero tensor per step)
        for xw_t in xw.unbind(0):
            h = act(xw_t + h @ w_hh.T + b_hh)  # (B, H)
            outs.append(h)
        return torch.stack(outs), (h,)


class LSTM(_Layer):
    """A multi-layer LSTM with gates stacked i, f, g, o; loads from nn.LSTM."""

    kind = "lstm"
    n_states = 2

    def _run_layer(self, seq, states, weights):
        w_ih, w_hh, b_ih, b_hh = weights
        xw = seq @ w_ih.T + (b_ih + b_hh)  # (T, B, 4H): all input projections in one multiply
        (h, c), outs = states, []
        for xw_t in xw.unbind(0):  # one view per step (see RNN._run_layer)
            h, c = _lstm_math(xw_t + h @ w_hh.T, c)  # one fused recurrent multiply per step
            outs.append(h)
        return torch.stack(outs), (h, c)


class GRU(_Layer):
    """A multi-layer GRU with gates stacked r, z, n; reset="after" is nn.GRU, "before" is Cho et al. (2014)."""

    kind = "gru"

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False, reset="after"):
        self.reset = check_choice(reset, "reset", GRU_RESET)
        super().__init__(input_size, hidden_size, num_layers, batch_first)

    def _run_layer(self, seq, states, weights):
        w_ih, w_hh, b_ih, b_hh = weights
        xw = seq @ w_ih.T + b_ih  # (T, B, 3H)
        h, outs = states[0], []
        for xw_t in xw.unbind(0):  # one view per step (see RNN._run_layer)
            h = _gru_math(xw_t, h, w_hh, b_hh, self.reset)
            outs.append(h)
        return torch.stack(outs), (h,)


# --------------------------------------------------------------------------- NumPy <-> torch

_KIND_OF = {nn.RNNCell: "rnn", nn.LSTMCell: "lstm", nn.GRUCell: "gru", nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}


def _kind_and_suffix(module: nn.Module, layer: int):
    kind = getattr(module, "kind", None) or next((k for t, k in _KIND_OF.items() if isinstance(module, t)), None)
    if kind is None:
        raise LessonError(f"module should be an RNN, LSTM or GRU (cell or layer) from torch.nn or lstm_lessons; "
                          f"got {type(module).__name__}.")
    if hasattr(module, "weight_ih"):
        if layer != 0:
            raise LessonError(f"a cell has a single layer, so layer should be 0; got {layer}.")
        return kind, ""
    num_layers = getattr(module, "num_layers", 1)
    if not 0 <= layer < num_layers:
        raise LessonError(f"layer should be between 0 and {num_layers - 1} for this {num_layers}-layer module; got {layer}.")
    if getattr(module, "bidirectional", False) or getattr(module, "proj_size", 0):
        raise LessonError("bidirectional and projected (proj_size) modules are not supported here; "
                          "copy their weights by name from module.state_dict().")
    if not getattr(module, "bias", True):
        raise LessonError("this module was built with bias=False; the NumPy cells always have both bias vectors.")
    return kind, f"_l{layer}"


def weights_from_torch(module: nn.Module, layer: int = 0) -> Weights:
    """Copy one layer's weights out of a torch module into NumPy Weights (float64)."""
    kind, sfx = _kind_and_suffix(module, layer)
    get = [getattr(module, n + sfx).detach().cpu().double().numpy().copy()
           for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    return Weights(kind, *get)


def load_weights(module: nn.Module, w: Weights, layer: int = 0) -> nn.Module:
    """Copy NumPy Weights into one layer of a torch module, in place; returns the module."""
    kind, sfx = _kind_and_suffix(module, layer)
    if not isinstance(w, Weights):
        raise LessonError(f"w should be lstm_lessons Weights; got {type(w).__name__}.")
    if w.kind != kind:
        raise LessonError(f"w holds {w.kind.upper()} weights but the module is an {kind.upper()}.")
    with torch.no_grad():
        for name, arr in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), w.arrays().values()):
            p = getattr(module, name + sfx)
            if tuple(p.shape) != arr.shape:
                raise LessonError(f"{name}{sfx} of the module has shape {tuple(p.shape)} but the weights give "
                                  f"{arr.shape}; build the module with input_size={w.input_size}, "
                                  f"hidden_size={w.hidden_size}.")
            p.copy_(torch.from_numpy(arr))
    return module
