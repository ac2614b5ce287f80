"""A memory cell designed step by step: the constant error carousel, a plain additive memory, a gated prototype.

What this is: the NumPy models of notebook 03 (designing a memory cell), one scalar memory per
sequence, small enough to read next to the equations:
- `cec_forward`: the constant error carousel, c_t = c_(t-1) + u_t, a linear unit whose
  self-connection is the identity (Hochreiter and Schmidhuber, 1997);
- `plain_memory`: the carousel with one fixed input weight and one fixed output weight,
  m_t = m_(t-1) + w_in x_t and y_t = w_out m_t;
- `gated_memory` and `gated_memory_backward`: the prototype m_t = f_t m_(t-1) + w_t write(x_t),
  y_t = r_t read(m_t), with gates given as numbers in [0, 1] (a schedule set by hand, or sigmoid
  filters of the input from `flag_gates`), writes and reads either raw or squashed by tanh, and
  backpropagation through time by hand;
- `flagged_value`: the task of the notebook, a stream of values in which one is flagged to be
  stored and reported at the last step.
What this is not: the LSTM. The prototype has no hidden state for its gates to read; notebook 04
adds it. NumPy only; it imports `cells` (for the sigmoid) and `tasks` (for the Task record).
Shapes: a batch of sequences of scalars is (B, T); gates broadcast to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, as_generator, check_array, check_choice, check_number, check_positive_int
from .cells import sigmoid
from .tasks import Task

#: How a value is written into or read out of the memory: as it is, or squashed into [-1, 1] by tanh.
SQUASH = ("raw", "tanh")


def _sequences(x, name: str = "x") -> np.ndarray:
    return check_array(x, name, ("B", "T"),
                       hint="A batch of sequences of scalars is (B, T): for one sequence pass x[None].")


def _initial(m0, B: int, name: str = "m0") -> np.ndarray:
    """m0 as (B,): a number (the same start for every sequence) or one start per sequence."""
    if np.ndim(m0) == 0:
        return np.full(B, check_number(m0, name))
    return check_array(m0, name, ("B",), {"B": B})


def _gate(value, name: str, shape: tuple) -> np.ndarray:
    """A gate as an array of `shape` (B, T): a number, a schedule (T,), or one value per step (B, T); in [0, 1]."""
    try:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError
        g = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise LessonError(f"gate {name} should be a number in [0, 1] or an array of them; got {value!r}.") from None
    try:
        g = np.broadcast_to(g, shape)
    except ValueError:
        raise LessonError(f"gate {name} should be a number, a schedule of shape (T,) = ({shape[1]},) or an array "
                          f"of shape (B, T) = {shape}; got shape {g.shape}.") from None
    if not np.all(np.isfinite(g)):
        raise LessonError(f"gate {name} contains NaN or infinity; every gate value must be a number in [0, 1].")
    if g.min() < 0.0 or g.max() > 1.0:
        raise LessonError(f"gate {name} should lie in [0, 1] (a gate is a filter: 0 blocks, 1 passes); got values "
                          f"from {g.min():.3g} to {g.max():.3g}. Did you pass a pre-activation? "
                          f"Squash it with cells.sigmoid first.")
    return g


def _squash(a, how: str):
    return np.tanh(a) if how == "tanh" else a


def _squash_grad(a, how: str):
    return 1.0 - np.tanh(a) ** 2 if how == "tanh" else np.ones_like(a)


# --------------------------------------------------------------------------- the constant error carousel

def cec_forward(u, c0=0.0) -> np.ndarray:
    """The constant error carousel over u (B, T): c_t = c_(t-1) + u_t; returns c_1 .. c_T as (B, T)."""
    u = _sequences(u, "u")
    B, T = u.shape
    c = _initial(c0, B, "c0")  # (B,)
    out = np.empty((B, T))
    for t in range(T):
        # c_t = 1 * c_(t-1) + u_t: the self-connection is the identity, the unit is linear
        c = c + u[:, t]  # (B,)
        out[:, t] = c
    return out


def plain_memory(x, w_in: float = 1.0, w_out: float = 1.0, m0=0.0):
    """The carousel with fixed weights: m_t = m_(t-1) + w_in x_t, y_t = w_out m_t; returns (m, y), each (B, T)."""
    x = _sequences(x)
    w_in = check_number(w_in, "w_in")
    w_out = check_number(w_out, "w_out")
    # m_t = m_0 + w_in (x_1 + ... + x_t): every step writes, with the same weight
    m = _initial(m0, x.shape[0])[:, None] + w_in * np.cumsum(x, axis=1)  # (B, T)
    # y_t = w_out m_t: every step reads, with the same weight
    return m, w_out * m


# --------------------------------------------------------------------------- the gated prototype

@dataclass
class MemoryTrace:
    """Everything the gated prototype computed over a batch of sequences (and what its backward pass needs)."""

    x: np.ndarray  # (B, T) the values offered for writing
    w: np.ndarray  # (B, T) write gate
    f: np.ndarray  # (B, T) forget gate (1 keeps the memory, 0 clears it)
    r: np.ndarray  # (B, T) read gate
    cand: np.ndarray  # (B, T) what would be written: x, or tanh(x)
    m: np.ndarray  # (B, T) the memory m_1 .. m_T
    y: np.ndarray  # (B, T) the read-out y_1 .. y_T
    m0: np.ndarray  # (B,)
    write: str
    read: str

    @property
    def m_prev(self) -> np.ndarray:
        """The memory before each step, m_0 .. m_(T-1), as (B, T)."""
        return np.concatenate([self.m0[:, None], self.m[:, :-1]], axis=1)


def gated_memory(x, w=1.0, f=1.0, r=1.0, *, m0=0.0, write: str = "raw", read: str = "raw") -> MemoryTrace:
    """The prototype gated memory over x (B, T), gates given as numbers in [0, 1] ((B, T), (T,) or one number).

    write="raw": m_t = f_t m_(t-1) + w_t x_t; write="tanh": ... + w_t tanh(x_t) (every write in [-1, 1]).
    read="raw": y_t = r_t m_t; read="tanh": y_t = r_t tanh(m_t) (every read in [-1, 1]).
    """
    x = _sequences(x)
    check_choice(write, "write", SQUASH)
    check_choice(read, "read", SQUASH)
    B, T = x.shape
    w, f, r = (_gate(g, n, (B, T)) for g, n in ((w, "w"), (f, "f"), (r, "r")))
    m = _initial(m0, B)  # (B,)
    m_start = m.copy()
    cand = _squash(x, write)  # (B, T): what each step would write
    ms, ys = np.empty((B, T)), np.empty((B, T))
    for t in range(T):
        # m_t = f_t * m_(t-1) + w_t * cand_t: forget, then write
        m = f[:, t] * m + w[:, t] * cand[:, t]  # (B,)
        ms[:, t] = m
        # y_t = r_t * read(m_t): read after the write
        ys[:, t] = r[:, t] * _squash(m, read)  # (B,)
    return MemoryTrace(x, np.array(w), np.array(f), np.array(r), cand, ms, ys, m_start, write, read)


@dataclass
class MemoryGrads:
    """Gradients of a loss with respect to the prototype's inputs, gates and start, and the error signal dL/dm_t."""

    x: np.ndarray  # (B, T)
    w: np.ndarray  # (B, T)
    f: np.ndarray  # (B, T)
    r: np.ndarray  # (B, T)
    m0: np.ndarray  # (B,)
    m: np.ndarray  # (B, T): dL/dm_t, all paths from m_t to the loss (the error signal at step t)


def gated_memory_backward(trace: MemoryTrace, dy=None, dm_n=None) -> MemoryGrads:
    """Backpropagation through time for the prototype: dy (B, T) is dL/dy_t, dm_n (B,) an extra dL/dm_T."""
    if not isinstance(trace, MemoryTrace):
        raise LessonError(f"trace should be the MemoryTrace that gated_memory returned; got {type(trace).__name__}.")
    B, T = trace.m.shape
    dy = np.zeros((B, T)) if dy is None else check_array(dy, "dy", ("B", "T"), {"B": B, "T": T})
    dm_n = np.zeros(B) if dm_n is None else check_array(dm_n, "dm_n", ("B",), {"B": B})
    m_prev = trace.m_prev  # (B, T)
    g = {k: np.zeros((B, T)) for k in ("x", "w", "f", "r", "m")}
    dm_next = dm_n.copy()  # dL/dm_t arriving from later steps (and from a loss on m_T)
    for t in reversed(range(T)):
        # y_t = r_t read(m_t)
        g["r"][:, t] = dy[:, t] * _squash(trace.m[:, t], trace.read)
        dm = dm_next + dy[:, t] * trace.r[:, t] * _squash_grad(trace.m[:, t], trace.read)  # (B,)
        g["m"][:, t] = dm
        # m_t = f_t m_(t-1) + w_t cand_t
        g["f"][:, t] = dm * m_prev[:, t]
        g["w"][:, t] = dm * trace.cand[:, t]
        g["x"][:, t] = dm * trace.w[:, t] * _squash_grad(trace.x[:, t], trace.write)
        # dL/dm_(t-1) = dL/dm_t * f_t: the error signal is carried back through the forget gate alone
        dm_next = dm * trace.f[:, t]
    return MemoryGrads(g["x"], g["w"], g["f"], g["r"], dm_next, g["m"])


def error_per_lag(f) -> np.ndarray:
    """dm_T/dm_(T-k) for k = 0 .. T along the memory: f_T f_(T-1) ... f_(T-k+1), from forget gates f (T,) or (B, T)."""
    f = np.asarray(f, dtype=float) if not isinstance(f, (str, bytes)) else f
    if np.ndim(f) not in (1, 2):
        raise LessonError(f"f should be a schedule of forget gates, shape (T,) or (B, T); got {f!r}.")
    one = np.ndim(f) == 1
    f = _gate(f[None] if one else f, "f", np.shape(f[None] if one else f))  # (B, T)
    B, T = f.shape
    out = np.ones((B, T + 1))  # lag 0: dm_T/dm_T = 1
    for k in range(1, T + 1):
        # dm_T/dm_(T-k) = dm_T/dm_(T-k+1) * f_(T-k+1)
        out[:, k] = out[:, k - 1] * f[:, T - k]
    return out[0] if one else out


def flag_gates(write_flag, read_flag, steepness: float = 10.0):
    """Gates as sigmoid filters of two flag inputs (B, T) in {0, 1}: returns (w, f, r), each (B, T).

    w_t = sigmoid(s (2 write_flag_t - 1)) opens the write at a flagged step; f_t = sigmoid(-s (2 write_flag_t - 1))
    keeps the memory except there, so the new value replaces the old; r_t = sigmoid(s (2 read_flag_t - 1)).
    """
    write_flag = _sequences(write_flag, "write_flag")
    read_flag = check_array(read_flag, "read_flag", ("B", "T"), {"B": write_flag.shape[0], "T": write_flag.shape[1]})
    s = check_number(steepness, "steepness", low=0.0)
    # each gate: a weight 2s times a flag, plus a bias -s, through a sigmoid
    a_write = s * (2 * write_flag - 1)  # (B, T) pre-activation
    a_read = s * (2 * read_flag - 1)  # (B, T)
    return sigmoid(a_write), sigmoid(-a_write), sigmoid(a_read)


# --------------------------------------------------------------------------- the task

def flagged_value(n: int, T: int, seed=None, *, low: float = -1.0, high: float = 1.0) -> Task:
    """Store the flagged value of a stream and report it at the last step (introduced in 03).

    x (B, T, 3) holds per step: a value drawn uniformly from [low, high), a write flag that is 1 at
    exactly one step before the last, and a read flag that is 1 at the last step. The target y (B, 1)
    is the flagged value. Predicting the mean, (low + high) / 2, scores its variance: the baseline.
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T", minimum=2)
    low, high = check_number(low, "low"), check_number(high, "high")
    if not high > low:
        raise LessonError(f"high should be larger than low; got low = {low}, high = {high}.")
    rng = as_generator(seed)
    values = rng.uniform(low, high, size=(n, T))  # (B, T)
    write_flag = np.zeros((n, T))
    write_flag[np.arange(n), rng.integers(0, T - 1, size=n)] = 1.0
    read_flag = np.zeros((n, T))
    read_flag[:, -1] = 1.0
    x = np.stack([values, write_flag, read_flag], axis=-1)  # (B, T, 3)
    y = (values * write_flag).sum(axis=1, keepdims=True)  # (B, 1)
    return Task(x, y, baseline_mse=(high - low) ** 2 / 12.0)
