"""How a gradient travels back along the LSTM's cell state: products of forget gates, and the full Jacobians.

What this is: the NumPy tools of notebook 05 (why the LSTM works). Inside one step the cell
update c_t = f_t * c_(t-1) + i_t * g_t gives dc_t/dc_(t-1) = diag(f_t) exactly, with h_(t-1) held
fixed (the gates of the standard LSTM read x_t and h_(t-1), never c_(t-1)). So along the cell path
alone, the gradient k steps back is the product of k forget gates, unit by unit:
`forget_products`. Over several steps there are more paths: c_(t-1) also reaches h_t =
o_t * tanh(c_t), which feeds every gate of the next step through W_hh. `cell_jacobians` measures
dc_T/dc_(T-k) with every path included, with the hand-written backward pass `cells.lstm_backward`;
`cell_gradient_norms` gives its size per lag, as `gradients.gradient_norms` does for notebook 02's
vanilla RNN. `with_forget_bias` sets the forget-gate bias that decides how long f stays near 1.
What this is not: a training tool. NumPy only; it imports `cells` and nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, as_generator, check_array, check_number, check_positive_int
from .cells import LSTMTrace, Weights, _check_weights, init_weights, lstm_backward, lstm_forward

#: The most rows (sequences x units) one backward pass of cell_jacobians multiplies at once.
ROWS = 64


def _check_trace(trace, w: Weights | None = None) -> LSTMTrace:
    if not isinstance(trace, LSTMTrace):
        raise LessonError(f"trace should be the LSTMTrace that cells.lstm_forward returned; got {type(trace).__name__}.")
    if w is not None and trace.h.shape[2] != w.hidden_size:
        raise LessonError(f"the trace has hidden size {trace.h.shape[2]} but the weights have hidden size "
                          f"{w.hidden_size}; pass the weights the trace was computed with.")
    return trace


def _check_lags(lags, T: int) -> np.ndarray:
    if lags is None:
        return np.arange(T + 1)
    out = np.asarray(lags)
    if out.ndim != 1 or out.size == 0 or not np.issubdtype(out.dtype, np.integer):
        raise LessonError(f"lags should be a list of whole numbers of steps back, e.g. [0, 10, 50]; got {lags!r}.")
    if out.min() < 0 or out.max() > T:
        raise LessonError(f"every lag should lie between 0 and the sequence length T = {T}; got {out.tolist()}.")
    return out.astype(int)


# --------------------------------------------------------------------------- weights with a chosen forget bias

def with_forget_bias(w: Weights, bias: float) -> Weights:
    """A copy of LSTM weights whose forget gate has total bias `bias` (b_ih = bias, b_hh = 0 on the f rows).

    PyTorch adds two bias vectors, so the forget gate's pre-activation carries b_ih + b_hh; this sets
    that sum, which is what "initialise the forget bias to 1" (Jozefowicz et al., 2015) means.
    """
    w = _check_weights(w, "lstm")
    bias = check_number(bias, "bias")
    out = w.copy()
    f = out.gate("f")  # views into the copy
    f["b_ih"][:] = bias
    f["b_hh"][:] = 0.0
    return out


# --------------------------------------------------------------------------- the direct path: products of f

def forget_products(trace: LSTMTrace) -> np.ndarray:
    """prod of f_t over the last k steps, for every lag k = 0 .. T and every unit: shape (B, T+1, H).

    Along the cell path alone, dc_T/dc_(T-k) = diag(f_T * f_(T-1) * ... * f_(T-k+1)); lag 0 is 1.
    """
    trace = _check_trace(trace)
    B, T, H = trace.f.shape
    out = np.ones((B, T + 1, H))
    for k in range(1, T + 1):
        # dc_T/dc_(T-k) along the cell path = (dc_T/dc_(T-k+1)) * f_(T-k+1); trace.f[:, T-k] is f_(T-k+1)
        out[:, k] = out[:, k - 1] * trace.f[:, T - k]  # (B, H)
    return out


def direct_path_norms(trace: LSTMTrace) -> np.ndarray:
    """||diag(prod of f)||_2 = the largest product over the units, per lag: shape (B, T+1)."""
    return forget_products(trace).max(axis=2)


# --------------------------------------------------------------------------- the full Jacobian, every path

def _tail(trace: LSTMTrace, k: int) -> LSTMTrace:
    """The trace of the last k steps alone, started from the state (h_(T-k), c_(T-k)) the full run had there."""
    T = trace.h.shape[1]
    s = T - k  # the state after s steps starts the tail
    h0 = trace.h0 if s == 0 else trace.h[:, s - 1]
    c0 = trace.c0 if s == 0 else trace.c[:, s - 1]
    cut = {name: getattr(trace, name)[:, s:] for name in ("h", "c", "i", "f", "g", "o")}
    return LSTMTrace(trace.xs[:, s:], h0, c0, **cut)


def _select(trace: LSTMTrace, rows: slice) -> LSTMTrace:
    """Some sequences of the batch."""
    return LSTMTrace(*(getattr(trace, name)[rows] for name in ("xs", "h0", "c0", "h", "c", "i", "f", "g", "o")))


def _repeat(trace: LSTMTrace, n: int) -> LSTMTrace:
    """Each sequence of the batch repeated n times in a row (for one backward pass per output unit)."""
    return LSTMTrace(*(np.repeat(getattr(trace, name), n, axis=0)
                       for name in ("xs", "h0", "c0", "h", "c", "i", "f", "g", "o")))


def cell_jacobians(trace: LSTMTrace, w: Weights, lags=None) -> np.ndarray:
    """The full Jacobian dc_T/dc_(T-k), every path included, for each lag: shape (B, len(lags), H, H).

    Computed with the hand-written backward pass: for lag k, cells.lstm_backward runs over the last k
    steps with dLoss/dc_T = e_j (one backward pass per unit j, batched) and returns row j of
    dc_T/dc_(T-k) as its gradient at the starting cell state. h_(T-k) is held fixed: this is the
    (c, c) block of the Jacobian of the state (h_T, c_T) with respect to (h_(T-k), c_(T-k)).
    """
    w = _check_weights(w, "lstm")
    trace = _check_trace(trace, w)
    B, T, H = trace.h.shape
    lags = _check_lags(lags, T)
    # A few sequences at a time, so that each backward pass multiplies matrices of at most ROWS rows:
    # OpenBLAS runs products that small on one thread, which on a busy 2-core machine is many times
    # faster than its threaded products (measured: 1.7 s against 24 s for notebook 05's profiles).
    chunk = max(1, ROWS // H)
    out = np.empty((B, len(lags), H, H))
    for n, k in enumerate(lags):
        if k == 0:
            out[:, n] = np.eye(H)
            continue
        tail = _tail(trace, k)
        for start in range(0, B, chunk):
            part = _select(tail, slice(start, start + chunk))
            b = part.h.shape[0]
            eye = np.tile(np.eye(H), (b, 1))  # (b*H, H): for sequence b, row j asks for row j of the Jacobian
            grads = lstm_backward(_repeat(part, H), w, dc_n=eye)
            out[start:start + b, n] = grads.c0.reshape(b, H, H)  # [b, j, :] = dc_T[j]/dc_(T-k)
    return out


def cell_gradient_norms(trace: LSTMTrace, w: Weights, lags=None) -> np.ndarray:
    """||dc_T/dc_(T-k)||_2 for each lag (all paths, from cell_jacobians): shape (B, len(lags))."""
    J = cell_jacobians(trace, w, lags)
    return np.linalg.norm(J, ord=2, axis=(-2, -1))


# --------------------------------------------------------------------------- one call for the figures

@dataclass
class CellLagProfile:
    """Gradient norm per lag of one random LSTM, both ways: every path, and the cell path alone."""

    forget_bias: float
    lags: np.ndarray  # (L,)
    full: np.ndarray  # (B, L): ||dc_T/dc_(T-k)||_2, every path
    direct: np.ndarray  # (B, L): max over units of the product of f, the cell path alone
    f_mean: float  # the mean forget gate over the run

    @property
    def typical_full(self) -> np.ndarray:
        return np.exp(np.log(np.maximum(self.full, 1e-300)).mean(axis=0))

    @property
    def typical_direct(self) -> np.ndarray:
        return np.exp(np.log(np.maximum(self.direct, 1e-300)).mean(axis=0))


def lstm_lag_profile(xs, forget_bias: float, *, hidden_size: int = 32, lags=None, seed=0) -> CellLagProfile:
    """Run an LSTM with PyTorch's default initialisation and forget bias `forget_bias` over xs (B, T, I),
    and return ||dc_T/dc_(T-k)||_2 per lag, every path (cell_jacobians) and the cell path alone."""
    xs = check_array(xs, "xs", ("B", "T", "I"))
    H = check_positive_int(hidden_size, "hidden_size")
    w = with_forget_bias(init_weights("lstm", xs.shape[2], H, seed=as_generator(seed)), forget_bias)
    trace = lstm_forward(xs, w)
    lags = _check_lags(lags, xs.shape[1])
    full = cell_gradient_norms(trace, w, lags)
    direct = direct_path_norms(trace)[:, lags]
    return CellLagProfile(float(forget_bias), lags, full, direct, float(trace.f.mean()))
