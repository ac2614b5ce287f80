"""NumPy reference cells: the vanilla RNN, the LSTM and the GRU, forward and backward.

What this is: the ground truth the notebooks build toward, written to be read next to the
equations. Every forward pass returns a trace with each gate at each step, so a learner can
look inside; the RNN and LSTM have backpropagation through time written by hand.
What this is not: fast, or a training framework. NumPy only; nothing here imports torch.

Conventions, the same as PyTorch's so that weights load one to one:
- inputs are batch-first: one step is (B, I), a sequence is (B, T, I);
- gate blocks are stacked by rows: LSTM (4H, .) in the order i, f, g, o; GRU (3H, .) in the
  order r, z, n; the RNN has one block;
- two bias vectors, b_ih and b_hh, as nn.RNN, nn.LSTM and nn.GRU have.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ._validate import LessonError, as_generator, check_array, check_choice, check_positive_int

#: Gate names in the order their blocks are stacked (PyTorch's order).
GATE_ORDER = {"rnn": ("a",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
KINDS = tuple(GATE_ORDER)
NONLINEARITIES = ("tanh", "relu", "identity")


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), computed without overflow."""
    a = np.asarray(a, dtype=float)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


# --------------------------------------------------------------------------- weights

@dataclass
class Weights:
    """The four weight arrays of one recurrent cell, in PyTorch's layout (introduced in 01)."""

    kind: str
    W_ih: np.ndarray  # (G*H, I)
    W_hh: np.ndarray  # (G*H, H)
    b_ih: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)

    def __post_init__(self):
        check_choice(self.kind, "kind", KINDS)
        G = len(GATE_ORDER[self.kind])
        W_hh = check_array(self.W_hh, "W_hh", ("GH", "H"))
        H = W_hh.shape[1]
        if W_hh.shape[0] != G * H:
            raise LessonError(f"W_hh of a {self.kind.upper()} with hidden size {H} should have {G} * {H} = {G * H} "
                              f"rows (one block per gate: {', '.join(GATE_ORDER[self.kind])}); "
                              f"got shape {W_hh.shape}.")
        sizes = {"GH": G * H}
        self.W_hh = W_hh
        self.W_ih = check_array(self.W_ih, "W_ih", ("GH", "I"), sizes)
        self.b_ih = check_array(self.b_ih, "b_ih", ("GH",), sizes)
        self.b_hh = check_array(self.b_hh, "b_hh", ("GH",), sizes)

    @property
    def input_size(self) -> int:
        return self.W_ih.shape[1]

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[1]

    @property
    def num_params(self) -> int:
        return sum(a.size for a in self.arrays().values())

    def arrays(self) -> dict:
        """The weight arrays by name: W_ih, W_hh, b_ih, b_hh (views, not copies)."""
        return {"W_ih": self.W_ih, "W_hh": self.W_hh, "b_ih": self.b_ih, "b_hh": self.b_hh}

    def gate(self, name: str) -> dict:
        """The rows of one gate's block, e.g. w.gate("f") for the LSTM's forget gate (views)."""
        gates = GATE_ORDER[self.kind]
        check_choice(name, "gate", gates)
        H = self.hidden_size
        k = gates.index(name)
        rows = slice(k * H, (k + 1) * H)
        return {n: a[rows] for n, a in self.arrays().items()}

    def copy(self) -> "Weights":
        return Weights(self.kind, *(a.copy() for a in self.arrays().values()))


def init_weights(kind: str, input_size: int, hidden_size: int, *, seed=None, scale: float | None = None) -> Weights:
    """Random weights drawn as PyTorch draws them: uniform in [-k, k], k = 1/sqrt(H) unless `scale` is given."""
    check_choice(kind, "kind", KINDS)
    I = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    rng = as_generator(seed)
    k = 1.0 / np.sqrt(H) if scale is None else float(scale)
    GH = len(GATE_ORDER[kind]) * H

    def draw(*shape):
        return rng.uniform(-k, k, size=shape)

    return Weights(kind, draw(GH, I), draw(GH, H), draw(GH), draw(GH))


def num_params(kind: str, input_size: int, hidden_size: int) -> int:
    """Parameter count of one layer: G blocks of H rows, each row sees I inputs, H states and 2 biases."""
    check_choice(kind, "kind", KINDS)
    I = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    return len(GATE_ORDER[kind]) * H * (I + H + 2)


def _check_weights(w, kind: str) -> Weights:
    if not isinstance(w, Weights):
        raise LessonError(f"w should be a lstm_lessons Weights object (from init_weights({kind!r}, ...)); "
                          f"got {type(w).__name__}.")
    if w.kind != kind:
        raise LessonError(f"w holds {w.kind.upper()} weights, but this function needs {kind.upper()} weights; "
                          f"create them with init_weights({kind!r}, input_size, hidden_size).")
    return w


def _sizes(w: Weights) -> dict:
    return {"I": w.input_size, "H": w.hidden_size}


def _initial(state, name, B, w, sizes):
    if state is None:
        return np.zeros((B, w.hidden_size))
    return check_array(state, name, ("B", "H"), sizes)


# --------------------------------------------------------------------------- vanilla RNN

def _activation(a, nonlinearity):
    if nonlinearity == "tanh":
        return np.tanh(a)
    if nonlinearity == "relu":
        return np.maximum(a, 0.0)
    return a


def _activation_grad(a, h, nonlinearity):
    """d act(a) / d a, written with the output h where that is cheaper."""
    if nonlinearity == "tanh":
        return 1.0 - h**2
    if nonlinearity == "relu":
        return (a > 0).astype(a.dtype)
    return np.ones_like(a)


def rnn_step(x, h_prev, w: Weights, nonlinearity: str = "tanh") -> np.ndarray:
    """One step of the vanilla RNN; returns h of shape (B, H)."""
    w = _check_weights(w, "rnn")
    check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    sizes = _sizes(w)
    x = check_array(x, "x", ("B", "I"), sizes)
    h_prev = check_array(h_prev, "h_prev", ("B", "H"), sizes)
    # h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    a = x @ w.W_ih.T + w.b_ih + h_prev @ w.W_hh.T + w.b_hh  # (B, H)
    return _activation(a, nonlinearity)


@dataclass
class RNNTrace:
    """Everything a vanilla RNN computed over a sequence (and what its backward pass needs)."""

    xs: np.ndarray  # (B, T, I)
    h0: np.ndarray  # (B, H)
    a: np.ndarray  # (B, T, H) pre-activations
    h: np.ndarray  # (B, T, H) hidden states h_1 .. h_T
    nonlinearity: str

    @property
    def h_n(self) -> np.ndarray:
        return self.h[:, -1]  # (B, H)


def rnn_forward(xs, w: Weights, h0=None, nonlinearity: str = "tanh") -> RNNTrace:
    """Run the vanilla RNN over xs of shape (B, T, I); returns an RNNTrace."""
    w = _check_weights(w, "rnn")
    check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    sizes = _sizes(w)
    xs = check_array(xs, "xs", ("B", "T", "I"), sizes)
    B, T, _ = xs.shape
    h = _initial(h0, "h0", B, w, sizes)
    h_init = h
    # The input projections of all steps at once: W_ih x_t + b_ih for every t.
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, H)
    a_all = np.empty((B, T, w.hidden_size))
    h_all = np.empty((B, T, w.hidden_size))
    for t in range(T):
        a_all[:, t] = xw[:, t] + h @ w.W_hh.T + w.b_hh  # (B, H)
        h = _activation(a_all[:, t], nonlinearity)
        h_all[:, t] = h
    return RNNTrace(xs, h_init, a_all, h_all, nonlinearity)


@dataclass
class Grads:
    """Gradients of a loss with respect to the weights, the inputs and the initial states."""

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray
    xs: np.ndarray  # (B, T, I)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray | None = None  # (B, H), LSTM only

    def arrays(self) -> dict:
        """All gradients by name, skipping those that do not apply."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def _check_upstream(trace, dh, dh_n, sizes):
    B, T, H = trace.h.shape
    shape_sizes = dict(sizes, B=B, T=T)
    dh = np.zeros((B, T, H)) if dh is None else check_array(dh, "dh", ("B", "T", "H"), shape_sizes)
    dh_n = np.zeros((B, H)) if dh_n is None else check_array(dh_n, "dh_n", ("B", "H"), shape_sizes)
    return dh, dh_n


def rnn_backward(trace: RNNTrace, w: Weights, dh=None, dh_n=None) -> Grads:
    """Backpropagation through time for the vanilla RNN.

    dh (B, T, H) is dLoss/dh_t for every step as the loss sees it directly; dh_n (B, H) is an
    extra gradient on the last state. Returns Grads for the weights, the inputs and h0.
    """
    w = _check_weights(w, "rnn")
    if not isinstance(trace, RNNTrace):
        raise LessonError(f"trace should be the RNNTrace that rnn_forward returned; got {type(trace).__name__}.")
    dh, dh_n = _check_upstream(trace, dh, dh_n, _sizes(w))
    xs, T = trace.xs, trace.h.shape[1]
    g = {name: np.zeros_like(a) for name, a in w.arrays().items()}
    dxs = np.zeros_like(xs)
    dh_next = dh_n.copy()  # gradient reaching h_t from later steps
    for t in reversed(range(T)):
        h_prev = trace.h[:, t - 1] if t > 0 else trace.h0  # (B, H)
        dh_t = dh[:, t] + dh_next  # (B, H)
        # a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,  h_t = act(a_t)
        da = dh_t * _activation_grad(trace.a[:, t], trace.h[:, t], trace.nonlinearity)  # (B, H)
        g["W_ih"] += da.T @ xs[:, t]
        g["W_hh"] += da.T @ h_prev
        g["b_ih"] += da.sum(0)
        g["b_hh"] += da.sum(0)
        dxs[:, t] = da @ w.W_ih
        dh_next = da @ w.W_hh
    return Grads(**g, xs=dxs, h0=dh_next)


# --------------------------------------------------------------------------- LSTM

@dataclass
class LSTMStep:
    """One LSTM step: the new states and every gate, each (B, H)."""

    h: np.ndarray
    c: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray


def _lstm_gates(a, H):
    """Split stacked pre-activations (.., 4H) into the gates i, f, g, o."""
    i = sigmoid(a[..., 0 * H:1 * H])
    f = sigmoid(a[..., 1 * H:2 * H])
    g = np.tanh(a[..., 2 * H:3 * H])
    o = sigmoid(a[..., 3 * H:4 * H])
    return i, f, g, o


def lstm_step(x, h_prev, c_prev, w: Weights) -> LSTMStep:
    """One step of the LSTM; returns an LSTMStep with h, c and the gates i, f, g, o."""
    w = _check_weights(w, "lstm")
    sizes = _sizes(w)
    x = check_array(x, "x", ("B", "I"), sizes)
    h_prev = check_array(h_prev, "h_prev", ("B", "H"), sizes)
    c_prev = check_array(c_prev, "c_prev", ("B", "H"), sizes)
    # [i, f, g, o] pre-activations, one fused multiply for all four gates
    a = x @ w.W_ih.T + w.b_ih + h_prev @ w.W_hh.T + w.b_hh  # (B, 4H)
    i, f, g, o = _lstm_gates(a, w.hidden_size)
    # c_t = f * c_{t-1} + i * g
    c = f * c_prev + i * g
    # h_t = o * tanh(c_t)
    h = o * np.tanh(c)
    return LSTMStep(h, c, i, f, g, o)


@dataclass
class LSTMTrace:
    """Everything an LSTM computed over a sequence: states and gates at every step, each (B, T, H)."""

    xs: np.ndarray  # (B, T, I)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    h: np.ndarray
    c: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray

    @property
    def h_n(self) -> np.ndarray:
        return self.h[:, -1]

    @property
    def c_n(self) -> np.ndarray:
        return self.c[:, -1]


def lstm_forward(xs, w: Weights, h0=None, c0=None) -> LSTMTrace:
    """Run the LSTM over xs of shape (B, T, I); returns an LSTMTrace."""
    w = _check_weights(w, "lstm")
    sizes = _sizes(w)
    xs = check_array(xs, "xs", ("B", "T", "I"), sizes)
    B, T, _ = xs.shape
    H = w.hidden_size
    h = _initial(h0, "h0", B, w, sizes)
    c = _initial(c0, "c0", B, w, sizes)
    h_init, c_init = h, c
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, 4H): input projections for all steps
    out = {k: np.empty((B, T, H)) for k in ("h", "c", "i", "f", "g", "o")}
    for t in range(T):
        a = xw[:, t] + h @ w.W_hh.T + w.b_hh  # (B, 4H)
        i, f, g, o = _lstm_gates(a, H)
        c = f * c + i * g
        h = o * np.tanh(c)
        for k, v in zip(("h", "c", "i", "f", "g", "o"), (h, c, i, f, g, o)):
            out[k][:, t] = v
    return LSTMTrace(xs, h_init, c_init, **out)


def _through_weights(da, x_t, h_prev, w, g_w):
    """Back through a = x W_ih^T + b_ih + h W_hh^T + b_hh: add to the weight gradients g_w, return (dx_t, dh_prev)."""
    g_w["W_ih"] += da.T @ x_t
    g_w["W_hh"] += da.T @ h_prev
    g_w["b_ih"] += da.sum(0)
    g_w["b_hh"] += da.sum(0)
    return da @ w.W_ih, da @ w.W_hh


def lstm_backward(trace: LSTMTrace, w: Weights, dh=None, dh_n=None, dc_n=None) -> Grads:
    """Backpropagation through time for the LSTM.

    dh (B, T, H) is dLoss/dh_t as the loss sees each step directly; dh_n and dc_n (B, H) are
    extra gradients on the final states. Returns Grads for the weights, the inputs, h0 and c0.
    """
    w = _check_weights(w, "lstm")
    if not isinstance(trace, LSTMTrace):
        raise LessonError(f"trace should be the LSTMTrace that lstm_forward returned; got {type(trace).__name__}.")
    sizes = _sizes(w)
    dh, dh_n = _check_upstream(trace, dh, dh_n, sizes)
    B, T, H = trace.h.shape
    dc_n = np.zeros((B, H)) if dc_n is None else check_array(dc_n, "dc_n", ("B", "H"), dict(sizes, B=B))
    g_w = {name: np.zeros_like(a) for name, a in w.arrays().items()}
    dxs = np.zeros_like(trace.xs)
    dh_next, dc_next = dh_n.copy(), dc_n.copy()
    for t in reversed(range(T)):
        h_prev = trace.h[:, t - 1] if t > 0 else trace.h0
        c_prev = trace.c[:, t - 1] if t > 0 else trace.c0
        i, f, g, o = trace.i[:, t], trace.f[:, t], trace.g[:, t], trace.o[:, t]
        tanh_c = np.tanh(trace.c[:, t])
        dh_t = dh[:, t] + dh_next
        # h_t = o * tanh(c_t)
        do = dh_t * tanh_c
        dc = dc_next + dh_t * o * (1.0 - tanh_c**2)
        # c_t = f * c_{t-1} + i * g
        df, di, dg = dc * c_prev, dc * g, dc * i
        dc_next = dc * f
        # back through the squashing functions to the stacked pre-activations [i, f, g, o]
        da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1)  # (B, 4H)
        dxs[:, t], dh_next = _through_weights(da, trace.xs[:, t], h_prev, w, g_w)
    return Grads(**g_w, xs=dxs, h0=dh_next, c0=dc_next)


# --------------------------------------------------------------------------- LSTM with peephole connections

#: The gates that look at the cell through a peephole, in the order of the rows of `peepholes` (3, H).
PEEPHOLE_GATES = ("i", "f", "o")


def _check_peepholes(peepholes, w: Weights) -> np.ndarray:
    return check_array(peepholes, "peepholes", (3, "H"), _sizes(w),
                       hint="Give one row of diagonal peephole weights per gate, in the order i, f, o.")


def peephole_lstm_step(x, h_prev, c_prev, w: Weights, peepholes) -> LSTMStep:
    """One step of the LSTM with peephole connections (Gers and Schmidhuber, 2000): the gates also see the cell.

    peepholes (3, H) holds the diagonal peephole weights p_i, p_f, p_o: the input and forget gates
    see c_(t-1), the output gate sees the new c_t. With zero peepholes this is lstm_step (introduced in 05).
    """
    w = _check_weights(w, "lstm")
    sizes = _sizes(w)
    x = check_array(x, "x", ("B", "I"), sizes)
    h_prev = check_array(h_prev, "h_prev", ("B", "H"), sizes)
    c_prev = check_array(c_prev, "c_prev", ("B", "H"), sizes)
    p = _check_peepholes(peepholes, w)
    a = x @ w.W_ih.T + w.b_ih + h_prev @ w.W_hh.T + w.b_hh  # (B, 4H)
    return _peephole_step(a, c_prev, p, w.hidden_size)


def _peephole_step(a, c_prev, p, H) -> LSTMStep:
    # i = sigmoid(a_i + p_i * c_{t-1}),  f = sigmoid(a_f + p_f * c_{t-1})
    i = sigmoid(a[:, 0 * H:1 * H] + p[0] * c_prev)
    f = sigmoid(a[:, 1 * H:2 * H] + p[1] * c_prev)
    g = np.tanh(a[:, 2 * H:3 * H])
    # c_t = f * c_{t-1} + i * g
    c = f * c_prev + i * g
    # o = sigmoid(a_o + p_o * c_t): the output gate sees the cell it is about to read
    o = sigmoid(a[:, 3 * H:4 * H] + p[2] * c)
    # h_t = o * tanh(c_t)
    h = o * np.tanh(c)
    return LSTMStep(h, c, i, f, g, o)


def peephole_lstm_forward(xs, w: Weights, peepholes, h0=None, c0=None) -> LSTMTrace:
    """Run the peephole LSTM over xs of shape (B, T, I); returns an LSTMTrace (see peephole_lstm_step)."""
    w = _check_weights(w, "lstm")
    sizes = _sizes(w)
    xs = check_array(xs, "xs", ("B", "T", "I"), sizes)
    p = _check_peepholes(peepholes, w)
    B, T, _ = xs.shape
    H = w.hidden_size
    h = _initial(h0, "h0", B, w, sizes)
    c = _initial(c0, "c0", B, w, sizes)
    h_init, c_init = h, c
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, 4H)
    out = {k: np.empty((B, T, H)) for k in ("h", "c", "i", "f", "g", "o")}
    for t in range(T):
        step = _peephole_step(xw[:, t] + h @ w.W_hh.T + w.b_hh, c, p, H)  # (B, H) each
        h, c = step.h, step.c
        for k in out:
            out[k][:, t] = getattr(step, k)
    return LSTMTrace(xs, h_init, c_init, **out)


def peephole_lstm_backward(trace: LSTMTrace, w: Weights, peepholes, dh=None, dh_n=None, dc_n=None):
    """Backpropagation through time for the peephole LSTM; returns (Grads, dpeepholes of shape (3, H)).

    Arguments as lstm_backward; `trace` is what peephole_lstm_forward returned for the same peepholes.
    """
    w = _check_weights(w, "lstm")
    if not isinstance(trace, LSTMTrace):
        raise LessonError(f"trace should be the LSTMTrace that peephole_lstm_forward returned; got {type(trace).__name__}.")
    sizes = _sizes(w)
    p = _check_peepholes(peepholes, w)
    dh, dh_n = _check_upstream(trace, dh, dh_n, sizes)
    B, T, H = trace.h.shape
    dc_n = np.zeros((B, H)) if dc_n is None else check_array(dc_n, "dc_n", ("B", "H"), dict(sizes, B=B))
    g_w = {name: np.zeros_like(a) for name, a in w.arrays().items()}
    dp = np.zeros((3, H))
    dxs = np.zeros_like(trace.xs)
    dh_next, dc_next = dh_n.copy(), dc_n.copy()
    for t in reversed(range(T)):
        h_prev = trace.h[:, t - 1] if t > 0 else trace.h0
        c_prev = trace.c[:, t - 1] if t > 0 else trace.c0
        c = trace.c[:, t]
        i, f, g, o = trace.i[:, t], trace.f[:, t], trace.g[:, t], trace.o[:, t]
        tanh_c = np.tanh(c)
        dh_t = dh[:, t] + dh_next
        # h_t = o * tanh(c_t),  o = sigmoid(a_o + p_o * c_t)
        da_o = dh_t * tanh_c * o * (1 - o)
        dc = dc_next + dh_t * o * (1.0 - tanh_c**2) + da_o * p[2]
        # c_t = f * c_{t-1} + i * g,  i = sigmoid(a_i + p_i * c_{t-1}),  f = sigmoid(a_f + p_f * c_{t-1})
        da_i = dc * g * i * (1 - i)
        da_f = dc * c_prev * f * (1 - f)
        da_g = dc * i * (1 - g**2)
        dc_next = dc * f + da_i * p[0] + da_f * p[1]
        dp += np.stack([(da_i * c_prev).sum(0), (da_f * c_prev).sum(0), (da_o * c).sum(0)])
        da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (B, 4H)
        dxs[:, t], dh_next = _through_weights(da, trace.xs[:, t], h_prev, w, g_w)
    return Grads(**g_w, xs=dxs, h0=dh_next, c0=dc_next), dp


# --------------------------------------------------------------------------- GRU

GRU_RESET = ("after", "before")
GRU_UPDATE = ("keep", "write")


@dataclass
class GRUStep:
    """One GRU step: the new state and every gate, each (B, H)."""

    h: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray


def gru_step(x, h_prev, w: Weights, reset: str = "after", update: str = "keep") -> GRUStep:
    """One step of the GRU; returns a GRUStep with h and the gates r, z, n.

    reset="after" applies r after the recurrent multiply, r * (W_hn h + b_hn), as PyTorch and
    cuDNN do; reset="before" applies it before, W_hn (r * h) + b_hn, as Cho et al. (2014) wrote.
    update="keep" blends h = (1 - z) * n + z * h_prev (z keeps the old state; PyTorch, Cho et al.);
    update="write" blends h = z * n + (1 - z) * h_prev (z writes the candidate; Chung et al., 2014).
    """
    w = _check_weights(w, "gru")
    check_choice(reset, "reset", GRU_RESET)
    check_choice(update, "update", GRU_UPDATE)
    sizes = _sizes(w)
    x = check_array(x, "x", ("B", "I"), sizes)
    h_prev = check_array(h_prev, "h_prev", ("B", "H"), sizes)
    return _gru_step(x @ w.W_ih.T + w.b_ih, h_prev, w, reset, update)


def _gru_step(xw, h_prev, w, reset, update) -> GRUStep:
    H = w.hidden_size
    W_hr_z = w.W_hh[:2 * H]
    W_hn, b_hn = w.W_hh[2 * H:], w.b_hh[2 * H:]
    # r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    rz = sigmoid(xw[:, :2 * H] + h_prev @ W_hr_z.T + w.b_hh[:2 * H])  # (B, 2H)
    r, z = rz[:, :H], rz[:, H:]
    if reset == "after":
        # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        n = np.tanh(xw[:, 2 * H:] + r * (h_prev @ W_hn.T + b_hn))
    else:
        # n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
        n = np.tanh(xw[:, 2 * H:] + (r * h_prev) @ W_hn.T + b_hn)
    if update == "keep":
        # h_t = (1 - z) * n + z * h_{t-1}
        h = (1.0 - z) * n + z * h_prev
    else:
        # h_t = z * n + (1 - z) * h_{t-1}
        h = z * n + (1.0 - z) * h_prev
    return GRUStep(h, r, z, n)


@dataclass
class GRUTrace:
    """Everything a GRU computed over a sequence: the state and gates at every step, each (B, T, H)."""

    xs: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray

    @property
    def h_n(self) -> np.ndarray:
        return self.h[:, -1]


def gru_forward(xs, w: Weights, h0=None, reset: str = "after", update: str = "keep") -> GRUTrace:
    """Run the GRU over xs of shape (B, T, I); returns a GRUTrace (see gru_step for the options)."""
    w = _check_weights(w, "gru")
    check_choice(reset, "reset", GRU_RESET)
    check_choice(update, "update", GRU_UPDATE)
    sizes = _sizes(w)
    xs = check_array(xs, "xs", ("B", "T", "I"), sizes)
    B, T, _ = xs.shape
    h = _initial(h0, "h0", B, w, sizes)
    h_init = h
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, 3H)
    out = {k: np.empty((B, T, w.hidden_size)) for k in ("h", "r", "z", "n")}
    for t in range(T):
        step = _gru_step(xw[:, t], h, w, reset, update)
        h = step.h
        for k in out:
            out[k][:, t] = getattr(step, k)
    return GRUTrace(xs, h_init, **out)


# --------------------------------------------------------------------------- gradient checking

def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference estimate of d f() / d x, nudging each entry of x in place (then restoring it)."""
    if not callable(f):
        raise LessonError(f"f should be a function of no arguments that returns the loss; got {type(f).__name__}.")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise LessonError("x should be a float NumPy array that f reads (it is nudged in place); "
                          f"got {type(x).__name__}{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}.")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + eps
        up = float(f())
        x[idx] = old - eps
        down = float(f())
        x[idx] = old
        # df/dx ~ (f(x + eps) - f(x - eps)) / (2 eps)
        grad[idx] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """||a - b|| / (||a|| + ||b||): about 1e-7 or below means two gradients agree to float64 precision."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise LessonError(f"the two gradients should have the same shape; got {a.shape} and {b.shape}.")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_check(loss, arrays: dict, grads: dict, eps: float = 1e-6) -> dict:
    """Compare hand-written gradients with finite differences; returns the relative error per name.

    `loss` is a function of no arguments that reads the arrays in `arrays` (by reference);
    `grads` holds the hand-written gradient for each of those names.
    """
    if not isinstance(arrays, dict) or not isinstance(grads, dict):
        raise LessonError("arrays and grads should be dicts that map a name to a NumPy array.")
    missing = sorted(set(arrays) - set(grads))
    if missing:
        raise LessonError(f"grads has no entry for {', '.join(missing)}; give a gradient for every array checked.")
    return {name: relative_error(grads[name], numerical_gradient(loss, x, eps)) for name, x in arrays.items()}
