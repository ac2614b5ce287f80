"""Exercise checkers: run a learner's function on several cases and answer in plain words.

A checker never shows a traceback. It reports the first case that fails, what was expected
and what came back, and, where the answer matches a known slip (a gate order swapped, a
missing tanh), names that slip. `check_function` is the engine; the check_* functions below
are the exercises of the series, each noting the notebook that introduces it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import cells
from ._validate import check_choice


@dataclass
class CheckResult:
    """The verdict of a checker: `passed`, and a message for the learner. Truthy when passed."""

    passed: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return ("PASSED: " if self.passed else "NOT YET: ") + self.message + (f"\nHint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        color, word = ("#009E73", "Passed") if self.passed else ("#D55E00", "Not yet")
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (f'<div style="border-left:4px solid {color};padding:4px 8px">'
                f"<b>{word}.</b> {html.escape(self.message)}{hint}</div>")


@dataclass
class Case:
    """One test case: a description the learner can read, and the keyword arguments to pass."""

    description: str
    kwargs: dict = field(default_factory=dict)


def _summary(a) -> str:
    a = np.asarray(a, dtype=float)
    flat = np.round(a.ravel()[:4], 4).tolist()
    return f"shape {a.shape}, first values {flat}" + (" ..." if a.size > 4 else "")


def _copy(kwargs):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}


def _as_outputs(value, n: int):
    """Normalise a function's result to a tuple of n arrays, or None if it is not one."""
    items = value if isinstance(value, tuple) else (value,)
    if len(items) != n:
        return None
    try:
        return tuple(np.asarray(v, dtype=float) for v in items)
    except (TypeError, ValueError):
        return None


def check_function(learner: Callable, reference: Callable, cases: list, *, name: str = "your function",
                   outputs: tuple = ("result",), mistakes: dict | None = None,
                   rtol: float = 1e-6, atol: float = 1e-8) -> CheckResult:
    """Compare `learner` with `reference` on every case; explain the first difference in words.

    `outputs` names what the function returns (one name, or several for a tuple); `mistakes`
    maps a description of a common slip to a function that makes exactly that slip.
    """
    if not callable(learner):
        return CheckResult(False, f"pass the function itself, not its result: check(my_function), not "
                                  f"check(my_function(...)). Got a {type(learner).__name__}.")
    n = len(outputs)
    what = outputs[0] if n == 1 else "(" + ", ".join(outputs) + ")"
    for k, case in enumerate(cases, 1):
        expected = _as_outputs(reference(**_copy(case.kwargs)), n)
        where = f"Case {k} of {len(cases)} ({case.description})"
        try:
            got_raw = learner(**_copy(case.kwargs))
        except Exception as e:  # the learner's error is reported, not raised
            return CheckResult(False, f"{where}: {name} raised {type(e).__name__}: {e}",
                               "Check the argument names and the shapes in the docstring of the exercise.")
        if got_raw is None:
            return CheckResult(False, f"{where}: {name} returned None. Did you forget the return statement?")
        got = _as_outputs(got_raw, n)
        if got is None:
            return CheckResult(False, f"{where}: {name} should return {what}; got {type(got_raw).__name__}"
                                      + (f" of length {len(got_raw)}" if isinstance(got_raw, tuple) else "") + ".")
        for label, g, e in zip(outputs, got, expected):
            if g.shape != e.shape:
                hint = "Transposed? Compare your shapes with the comments in the exercise." if g.shape == e.shape[::-1] else ""
                return CheckResult(False, f"{where}: {label} should have shape {e.shape}; got {g.shape}.", hint)
        bad = [label for label, g, e in zip(outputs, got, expected) if not np.allclose(g, e, rtol=rtol, atol=atol)]
        if bad:
            label = bad[0]
            g, e = got[outputs.index(label)], expected[outputs.index(label)]
            hint = ""
            for slip, fn in (mistakes or {}).items():
                wrong = _as_outputs(fn(**_copy(case.kwargs)), n)
                if wrong is not None and all(w.shape == x.shape and np.allclose(w, x, rtol=rtol, atol=atol)
                                             for w, x in zip(wrong, got)):
                    hint = f"Your answer matches what you get if you {slip}."
                    break
            return CheckResult(False, f"{where}: {label} differs from the reference by up to "
                                      f"{np.max(np.abs(g - e)):.3g}. Expected {_summary(e)}; got {_summary(g)}.", hint)
    return CheckResult(True, f"{name} matches the reference on all {len(cases)} cases.")


def check_value(got, expected, *, name: str = "your answer", rtol: float = 1e-6, hint: str = "") -> CheckResult:
    """Check a single number or array the learner computed."""
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"{name} should be a number; got {type(got).__name__} {got!r}.")
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return CheckResult(False, f"{name} should have shape {e.shape}; got {g.shape}.")
    if not np.allclose(g, e, rtol=rtol, atol=0):
        return CheckResult(False, f"{name} is {np.round(g, 6).tolist()}, which is not right.", hint)
    return CheckResult(True, f"{name} is right: {np.round(g, 6).tolist()}.")


#: Names other texts use for the series' symbols (notebook 00's notation table).
OTHER_NAMES = {
    "forget gate": "f", "remember gate": "f", "keep gate": "f",
    "input gate": "i", "save gate": "i", "write gate": "i",
    "output gate": "o", "focus gate": "o", "read gate": "o",
    "candidate": "g", "cell gate": "g", "c-tilde": "g", "c'": "g",
    "hidden state": "h", "short-term memory": "h", "control state": "h",
    "cell state": "c", "long-term memory": "c",
    "reset gate": "r", "update gate (gru)": "z", "candidate state (gru)": "n",
}


def check_notation(answers: dict) -> CheckResult:
    """Notebook 00: answers maps another text's name (e.g. "keep gate") to a symbol of the series ("f")."""
    if not isinstance(answers, dict) or not answers:
        return CheckResult(False, f"answers should be a dict such as {{'keep gate': 'f'}}; got {type(answers).__name__}.")
    for name, symbol in answers.items():
        key = str(name).strip().lower()
        if key not in OTHER_NAMES:
            return CheckResult(False, f"'{name}' is not in the notation table; the names it lists are: "
                                      f"{', '.join(sorted(OTHER_NAMES))}.")
        given = str(symbol).strip().lower().removesuffix("_t")
        if given != OTHER_NAMES[key]:
            return CheckResult(False, f"'{name}' is not {symbol!r}.",
                               "Find the name in the last column of the notation table and read off its symbol.")
    return CheckResult(True, f"all {len(answers)} names match their symbols.")


# --------------------------------------------------------------------------- cases

def _cases(kind: str, with_c: bool = False, seed: int = 0) -> list:
    """Cases over the sizes that catch most slips: batch 1, hidden size 1, and a general one."""
    rng = np.random.default_rng(seed)
    out = []
    for desc, (B, I, H) in [("batch 1, input 3, hidden 4", (1, 3, 4)), ("batch 5, input 2, hidden 1", (5, 2, 1)),
                            ("batch 3, input 4, hidden 3", (3, 4, 3))]:
        w = cells.init_weights(kind, I, H, seed=rng, scale=1.0)
        kw = dict(x=rng.normal(size=(B, I)), h_prev=rng.normal(size=(B, H)) * 0.5)
        if with_c:
            kw["c_prev"] = rng.normal(size=(B, H))
        kw.update(w.arrays())
        out.append(Case(desc, kw))
    return out


def _weights(kind, kw):
    return cells.Weights(kind, kw["W_ih"], kw["W_hh"], kw["b_ih"], kw["b_hh"])


def _permute_lstm(kw, order):
    """The weights as they would be read with the gate blocks in another order."""
    H = kw["W_hh"].shape[1]
    idx = np.concatenate([np.arange(H) + H * "ifgo".index(g) for g in order])
    return dict(kw, W_ih=kw["W_ih"][idx], W_hh=kw["W_hh"][idx], b_ih=kw["b_ih"][idx], b_hh=kw["b_hh"][idx])


# --------------------------------------------------------------------------- exercises

def check_rnn_step(fn: Callable) -> CheckResult:
    """Notebook 01: fn(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h, one step of the vanilla RNN."""

    def ref(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return cells.rnn_step(x, h_prev, cells.Weights("rnn", W_ih, W_hh, b_ih, b_hh))

    def pre(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh

    mistakes = {
        "leave out the tanh": pre,
        "use a sigmoid instead of tanh": lambda **k: cells.sigmoid(pre(**k)),
        "leave out the bias b_hh": lambda **k: np.tanh(pre(**k) - k["b_hh"]),
        "leave out both biases": lambda **k: np.tanh(pre(**k) - k["b_hh"] - k["b_ih"]),
        "multiply h_prev by W_hh instead of its transpose": lambda **k: np.tanh(
            pre(**k) - k["h_prev"] @ k["W_hh"].T + k["h_prev"] @ k["W_hh"]),
        "forget the previous state h_prev": lambda **k: np.tanh(pre(**k) - k["h_prev"] @ k["W_hh"].T),
    }
    return check_function(fn, ref, _cases("rnn"), name="your rnn_step", outputs=("h",), mistakes=mistakes)


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
    return check_function(fn, ref, _cases("lstm", with_c=True), name="your lstm_step", outputs=("h", "c"),
                          mistakes=mistakes)


def check_gru_step(fn: Callable, reset: str = "after") -> CheckResult:
    """Notebook 06: fn(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h, gates stacked r, z, n."""
    check_choice(reset, "reset", cells.GRU_RESET)

    def run(kw, reset=reset, update="keep"):
        return cells.gru_step(kw["x"], kw["h_prev"], _weights("gru", kw), reset=reset, update=update).h

    other = "before" if reset == "after" else "after"
    mistakes = {
        f"apply the reset gate {other} the recurrent multiply instead of {reset} it": lambda **k: run(k, reset=other),
        "swap z and 1 - z in the blend (h = z * n + (1 - z) * h_prev)": lambda **k: run(k, update="write"),
    }
    return check_function(fn, lambda **k: run(k), _cases("gru"), name="your gru_step", outputs=("h",),
                          mistakes=mistakes)
