"""Checkers for notebook 04's exercises: the LSTM built gate by gate.

1. check_cell_update: c = f * c_prev + i * g, the cell state's update.
2. check_lstm_step: one whole LSTM step, gates stacked i, f, g, o as PyTorch stacks them.
3. check_split_weights: one matrix on [h, x] and one bias, back to PyTorch's W_ih, W_hh, b_ih, b_hh.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells
from .engine import Case, CheckResult, check_function, run_learner, step_cases

__all__ = ["check_cell_update", "check_lstm_step", "check_split_weights"]

#: exercise name -> ("04", number), so that a stub's verdict can point to show_solution("04", number).
EXERCISES = {"cell_update": ("04", 1), "lstm_step": ("04", 2), "split_weights": ("04", 3)}


# --------------------------------------------------------------------------- 1. the cell update

def _cell_update_cases(seed: int = 4) -> list:
    """Gates in (0, 1), candidates in (-1, 1), old cell states of any size: batch 1, hidden size 1, a general one."""
    rng = np.random.default_rng(seed)
    out = []
    for desc, (B, H) in [("batch 1, hidden size 4", (1, 4)), ("batch 5, hidden size 1", (5, 1)),
                         ("batch 3, hidden size 3", (3, 3))]:
        out.append(Case(desc, dict(f=rng.uniform(0.05, 0.95, (B, H)), i=rng.uniform(0.05, 0.95, (B, H)),
                                   g=rng.uniform(-0.95, 0.95, (B, H)), c_prev=rng.normal(0.0, 1.5, (B, H)))))
    return out


def _cell_update_reference(f, i, g, c_prev):
    # c_t = f * c_{t-1} + i * g
    return f * c_prev + i * g


def check_cell_update(fn: Callable) -> CheckResult:
    """Notebook 04: fn(f, i, g, c_prev) -> c, all (B, H): the LSTM's cell state update."""
    mistakes = {
        "swap the two gates (c = i * c_prev + f * g): f filters the old memory, i the proposal":
            lambda f, i, g, c_prev: i * c_prev + f * g,
        "leave out the input gate (c = f * c_prev + g): the proposal g needs its filter i":
            lambda f, i, g, c_prev: f * c_prev + g,
        "leave out the forget gate (c = c_prev + i * g): the old memory passes through f":
            lambda f, i, g, c_prev: c_prev + i * g,
        "read f as the share to forget (c = (1 - f) * c_prev + i * g): f is the share kept":
            lambda f, i, g, c_prev: (1 - f) * c_prev + i * g,
        "squash the new cell state (c = tanh(f * c_prev + i * g)): that tanh belongs to h = o * tanh(c)":
            lambda f, i, g, c_prev: np.tanh(f * c_prev + i * g),
        "multiply the two terms instead of adding them (c = f * c_prev * i * g)":
            lambda f, i, g, c_prev: f * c_prev * i * g,
    }
    return check_function(fn, _cell_update_reference, _cell_update_cases(), name="your cell_update",
                          outputs=("c",), mistakes=mistakes, exercise=EXERCISES["cell_update"])


# --------------------------------------------------------------------------- 2. the whole step

def _permute_lstm(kw, order):
    """The weights as they would be read with the gate blocks in another order."""
    H = kw["W_hh"].shape[1]
    idx = np.concatenate([np.arange(H) + H * "ifgo".index(g) for g in order])
    return dict(kw, W_ih=kw["W_ih"][idx], W_hh=kw["W_hh"][idx], b_ih=kw["b_ih"][idx], b_hh=kw["b_hh"][idx])


def check_lstm_step(fn: Callable) -> CheckResult:
    """Notebook 04: fn(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h, c), gates stacked i, f, g, o."""

    def ref(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        s = cells.lstm_step(x, h_prev, c_prev, cells.Weights("lstm", W_ih, W_hh, b_ih, b_hh))
        return s.h, s.c

    def variant(kw, order="ifgo", squash_c=True, g_act=np.tanh, write=True, keep=True, b_hh=True):
        kw = _permute_lstm(kw, order)
        a = kw["x"] @ kw["W_ih"].T + kw["b_ih"] + kw["h_prev"] @ kw["W_hh"].T + (kw["b_hh"] if b_hh else 0.0)
        H = kw["W_hh"].shape[1]
        i, f, o = (cells.sigmoid(a[:, k * H:(k + 1) * H]) for k in (0, 1, 3))
        g = g_act(a[:, 2 * H:3 * H])
        c = (f * kw["c_prev"] if keep else kw["c_prev"]) + (i * g if write else g)
        h = o * (np.tanh(c) if squash_c else c)
        return h, c

    mistakes = {
        "stack the gates in the order f, i, g, o instead of PyTorch's i, f, g, o": lambda **k: variant(k, "figo"),
        "stack the gates in the order i, f, o, g instead of i, f, g, o": lambda **k: variant(k, "ifog"),
        "leave out the tanh in h = o * tanh(c)": lambda **k: variant(k, squash_c=False),
        "squash the candidate g with a sigmoid instead of tanh": lambda **k: variant(k, g_act=cells.sigmoid),
        "add the candidate without the input gate (c = f * c_prev + g)": lambda **k: variant(k, write=False),
        "keep the old memory without the forget gate (c = c_prev + i * g)": lambda **k: variant(k, keep=False),
        "leave out the second bias b_hh (PyTorch adds both b_ih and b_hh)": lambda **k: variant(k, b_hh=False),
        "return (c, h) instead of (h, c)": lambda **k: variant(k)[::-1],
    }
    return check_function(fn, ref, step_cases("lstm", with_c=True), name="your lstm_step", outputs=("h", "c"),
                          mistakes=mistakes, exercise=EXERCISES["lstm_step"])


# --------------------------------------------------------------------------- 3. from one matrix on [h, x] to PyTorch's

def _split_cases(seed: int = 5) -> list:
    """One matrix on [h, x] and one bias, for input and hidden sizes that differ (so no slip has the right shapes by luck)."""
    rng = np.random.default_rng(seed)
    out = []
    for desc, (I, H) in [("input 2, hidden 1", (2, 1)), ("input 1, hidden 2", (1, 2)), ("input 3, hidden 2", (3, 2))]:
        out.append(Case(desc, dict(W=rng.uniform(-1, 1, (4 * H, H + I)), b=rng.uniform(-1, 1, 4 * H), H=H)))
    return out


def _split_reference(W, b, H):
    # W [h, x] = W_hh h + W_ih x: the first H columns act on h; the gates see only b_ih + b_hh
    return W[:, H:], W[:, :H], b


def check_split_weights(fn: Callable) -> CheckResult:
    """Notebook 04: fn(W, b, H) -> (W_ih, W_hh, b_ih, b_hh) for one matrix W (4H, H + I) on [h, x] and one bias b (4H,).

    Any split of b is right as long as b_ih + b_hh = b, so the checker compares W_ih, W_hh and that sum.
    """
    name, exercise = "your split_weights", EXERCISES["split_weights"]
    if not callable(fn):
        return check_function(fn, _split_reference, [], name=name)
    first = _split_cases()[0]
    got, verdict = run_learner(fn, first.kwargs, name=name, where=f"Case 1 ({first.description})", exercise=exercise)
    if verdict is not None:
        return verdict
    if not (isinstance(got, tuple) and len(got) == 4):
        what = f"a tuple of {len(got)}" if isinstance(got, tuple) else f"a {type(got).__name__}"
        return CheckResult(False, f"{name} should return four arrays, (W_ih, W_hh, b_ih, b_hh); it returned {what}.")

    def as_pytorch(W, b, H):  # what reaches the gates: the two matrices and the sum of the biases
        W_ih, W_hh, b_ih, b_hh = fn(W=W, b=b, H=H)
        return W_ih, W_hh, np.asarray(b_ih, dtype=float) + np.asarray(b_hh, dtype=float)

    mistakes = {
        "take W_ih from the first columns (in W [h, x] the first H columns act on h, the last I on x)":
            lambda W, b, H: (W[:, :W.shape[1] - H], W[:, W.shape[1] - H:], b),
        "give both b_ih and b_hh the whole bias b (the gates add the two, so b would count twice)":
            lambda W, b, H: (W[:, H:], W[:, :H], 2 * b),
        "return zeros for both biases (the gates need b = b_ih + b_hh)":
            lambda W, b, H: (W[:, H:], W[:, :H], 0 * b),
    }
    return check_function(as_pytorch, _split_reference, _split_cases(), name=name,
                          outputs=("W_ih", "W_hh", "b_ih + b_hh"), mistakes=mistakes, exercise=exercise)
