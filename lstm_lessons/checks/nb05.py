"""Checkers for notebook 05's exercises: a hand-set quote flag, the Jacobian block dc_t/dh_(t-1), a forget bias."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells
from .engine import Case, CheckResult, check_function, check_value

__all__ = ["check_quote_flag", "check_dc_dh_prev", "check_min_forget_bias"]

EXERCISES = {"quote_flag": ("05", 1), "dc_dh_prev": ("05", 2), "min_forget_bias": ("05", 3)}

# --------------------------------------------------------------------------- exercise 1: a quote flag by hand

#: The quote flag's alphabet: index 0 is any character that is not a double quote.
FLAG_ALPHABET = ("other", '"')

FLAG_STRINGS = ['say "hi" now', '""', '"', 'no quotes at all', '"a" "b" "c"', '"' + "x" * 300 + '" and after',
                '""""""' + "y" * 40, 'x"' * 25]


def _encode_quotes(text: str) -> np.ndarray:
    return np.eye(2)[[1 if ch == '"' else 0 for ch in text]][None]  # (1, T, 2)


def _inside(text: str) -> np.ndarray:
    return (np.cumsum([ch == '"' for ch in text]) % 2).astype(float)  # (T,): 1 inside quotes


def _flags(w, strings) -> np.ndarray:
    """Run weights w over each string; 1.0 where c > 1/2 (inside quotes), all strings joined."""
    if not isinstance(w, cells.Weights) or w.kind != "lstm":
        raise TypeError(f"it should return LSTM weights, cells.Weights('lstm', W_ih, W_hh, b_ih, b_hh); "
                        f"got {type(w).__name__}")
    if w.input_size != 2 or w.hidden_size != 1:
        raise ValueError(f"the weights should have input size 2 (other, quote) and hidden size 1; "
                         f"got input size {w.input_size} and hidden size {w.hidden_size}")
    return np.concatenate([(cells.lstm_forward(_encode_quotes(s), w).c[0, :, 0] > 0.5).astype(float)
                           for s in strings])


def _reference_flag(sharpness):
    """The quote flag of lstm_lessons.counters, alone (input 2, hidden 1)."""
    s = float(sharpness)
    h_in = float(np.tanh(1.0) * cells.sigmoid(s))
    W_ih, W_hh, b = np.zeros((4, 2)), np.zeros((4, 1)), np.zeros(4)
    W_ih[0, 1], b[0] = 2 * s, -s  # i: open on a quote only
    W_ih[1, 1], b[1] = -2 * s, s  # f: shut on a quote only
    W_hh[2, 0], b[2] = -2 * s / h_in, s  # g: +1 while the flag is off (h <= 0), -1 while it is on
    b[3] = s  # o: open, so h = tanh(c) shows the flag to the next step
    return cells.Weights("lstm", W_ih, W_hh, b, np.zeros(4))


def _slip(edit):
    def make(sharpness):
        w = _reference_flag(sharpness)
        edit(w, float(sharpness))
        return w
    return make


def check_quote_flag(fn: Callable) -> CheckResult:
    """Notebook 05: fn(sharpness) -> LSTM Weights (input 2: other, '"'; hidden 1) whose c > 1/2 exactly inside quotes."""
    cases = [Case(f"sharpness {s}, {len(FLAG_STRINGS)} strings, e.g. {FLAG_STRINGS[0]!r} and 300 characters inside quotes",
                  {"sharpness": s}) for s in (20.0, 12.0)]

    def wrap(make):
        return lambda sharpness: _flags(make(sharpness=sharpness), FLAG_STRINGS)

    def g_ignores_h(w, s):
        w.W_hh[2, 0] = 0.0

    def always_write(w, s):
        w.W_ih[0, 1], w.b_ih[0] = 0.0, s

    def leaky(w, s):
        w.W_ih[1, 1], w.b_ih[1] = -s, 0.0

    mistakes = {
        "let the candidate g ignore h (always +1): the flag turns on but never off": wrap(_slip(g_ignores_h)),
        "open the input gate at every character, not only on a quote": wrap(_slip(always_write)),
        "leave the forget gate at f = 1/2 on ordinary characters, so the flag fades inside quotes": wrap(_slip(leaky)),
    }
    return check_function(wrap(fn), wrap(_reference_flag), cases, name="your quote_flag",
                          outputs=("inside quotes (c > 1/2) after each character, all strings joined",),
                          mistakes=mistakes, rtol=0, atol=0, exercise=EXERCISES["quote_flag"])


# --------------------------------------------------------------------------- exercise 2: the block dc_t/dh_(t-1)

def _reference_dc_dh(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, drop=(), w_for=None, slope=True):
    H = h_prev.shape[0]
    a = W_ih @ x + b_ih + W_hh @ h_prev + b_hh  # (4H,)
    i, f, g = cells.sigmoid(a[:H]), cells.sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H])
    W = W_hh if w_for is None else w_for
    W_i, W_f, W_g = W[:H], W[H:2 * H], W[2 * H:3 * H]  # (H, H) each
    di = i * (1 - i) if slope else i
    df = f * (1 - f) if slope else f
    dg = 1 - g**2 if slope else g
    # dc/dh = diag(c_prev f') W_hf + diag(g i') W_hi + diag(i g') W_hg
    terms = {"f": (c_prev * df)[:, None] * W_f, "i": (g * di)[:, None] * W_i, "g": (i * dg)[:, None] * W_g}
    return sum(t for k, t in terms.items() if k not in drop)


def check_dc_dh_prev(fn: Callable) -> CheckResult:
    """Notebook 05: fn(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> dc_t/dh_(t-1) (H, H), one example."""
    rng = np.random.default_rng(5)
    cases = []
    for desc, (I, H) in [("input 3, hidden 4", (3, 4)), ("input 2, hidden 1", (2, 1)), ("input 4, hidden 5", (4, 5))]:
        w = cells.init_weights("lstm", I, H, seed=rng, scale=1.0)
        cases.append(Case(desc, dict(x=rng.normal(size=I), h_prev=0.5 * rng.normal(size=H),
                                     c_prev=rng.normal(size=H), **w.arrays())))

    def variant(**change):
        return lambda **kw: _reference_dc_dh(**kw, **change)

    mistakes = {
        "drop the forget gate's term, diag(c_prev * f (1 - f)) W_hf (f reads h_(t-1) too)": variant(drop=("f",)),
        "drop the input gate's term, diag(g * i (1 - i)) W_hi": variant(drop=("i",)),
        "drop the candidate's term, diag(i * (1 - g^2)) W_hg": variant(drop=("g",)),
        "use the gates' values f, i, g where their slopes f(1-f), i(1-i), 1-g^2 belong": variant(slope=False),
        "return the transpose (row j should be the gradient of c_t[j])": lambda **kw: _reference_dc_dh(**kw).T,
    }
    return check_function(fn, _reference_dc_dh, cases, name="your dc_dh_prev", outputs=("dc_t/dh_(t-1)",),
                          mistakes=mistakes, rtol=1e-6, atol=1e-9, exercise=EXERCISES["dc_dh_prev"])


# --------------------------------------------------------------------------- exercise 3: a forget bias for 1000 steps

def check_min_forget_bias(answer) -> CheckResult:
    """Notebook 05: the forget bias b with sigmoid(b)^1000 = 1/2 (half the direct-path gradient left after 1000 steps)."""
    f = 0.5 ** (1 / 1000)
    return check_value(answer, np.log(f / (1 - f)), name="min_forget_bias", rtol=1e-3,
                       hint="Solve f^1000 = 1/2 for f, then invert the sigmoid: b = log(f / (1 - f)).",
                       exercise=EXERCISES["min_forget_bias"])
