"""Checkers for notebook 04's exercises: the LSTM built gate by gate."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells
from .engine import CheckResult, check_function, step_cases

__all__ = ["check_lstm_step"]

#: exercise name -> ("04", number), so that a stub's verdict can point to show_solution("04", number).
EXERCISES = {"lstm_step": ("04", 2)}


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

    def variant(kw, order="ifgo", squash_c=True, g_act=np.tanh, write=True, keep=True):
        kw = _permute_lstm(kw, order)
        a = kw["x"] @ kw["W_ih"].T + kw["b_ih"] + kw["h_prev"] @ kw["W_hh"].T + kw["b_hh"]
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
        "return (c, h) instead of (h, c)": lambda **k: variant(k)[::-1],
    }
    return check_function(fn, ref, step_cases("lstm", with_c=True), name="your lstm_step", outputs=("h", "c"),
                          mistakes=mistakes, exercise=EXERCISES["lstm_step"])

