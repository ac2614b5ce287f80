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

from . import cells, gradients
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


# --------------------------------------------------------------------------- notebook 01: backward step, truncation

def _backward_step_cases(seed: int = 1) -> list:
    """The cases of _cases("rnn"), each with the step's output h and a gradient dh arriving at it."""
    rng = np.random.default_rng(seed)
    out = []
    for case in _cases("rnn", seed=seed):
        kw = case.kwargs
        h = cells.rnn_step(kw["x"], kw["h_prev"], _weights("rnn", kw))  # (B, H)
        args = dict(dh=rng.normal(size=h.shape), h=h, h_prev=kw["h_prev"], x=kw["x"], W_ih=kw["W_ih"], W_hh=kw["W_hh"])
        out.append(Case(case.description, args))
    return out


def _rnn_backward_step(dh, h, h_prev, x, W_ih, W_hh, dtanh=None, dh_prev_matrix=None, dW_hh_state=None):
    """One step of BPTT for h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh), with optional slips."""
    # da = dh * (1 - h^2)
    da = dh * ((1.0 - h**2) if dtanh is None else dtanh)  # (B, H)
    dx = da @ W_ih  # (B, I)
    dh_prev = da @ (W_hh if dh_prev_matrix is None else dh_prev_matrix)  # (B, H)
    dW_ih = da.T @ x  # (H, I)
    dW_hh = da.T @ (h_prev if dW_hh_state is None else dW_hh_state)  # (H, H)
    db = da.sum(axis=0)  # (H,)
    return dx, dh_prev, dW_ih, dW_hh, db


def check_rnn_backward_step(fn: Callable) -> CheckResult:
    """Notebook 01: fn(dh, h, h_prev, x, W_ih, W_hh) -> (dx, dh_prev, dW_ih, dW_hh, db), one step of BPTT."""

    def slip(**changes):
        return lambda **k: _rnn_backward_step(**k, **{n: f(k) for n, f in changes.items()})

    def swap_dW_hh(**k):
        dx, dh_prev, dW_ih, dW_hh, db = _rnn_backward_step(**k)
        return dx, dh_prev, dW_ih, dW_hh.T, db

    mistakes = {
        "leave out the tanh derivative (1 - h**2)": slip(dtanh=lambda k: 1.0),
        "write the tanh derivative as 1 - h instead of 1 - h**2": slip(dtanh=lambda k: 1.0 - k["h"]),
        "take the tanh derivative at h_prev, 1 - h_prev**2, instead of at this step's h": slip(
            dtanh=lambda k: 1.0 - k["h_prev"] ** 2),
        "send the gradient back with W_hh.T instead of W_hh (dh_prev = da @ W_hh)": slip(
            dh_prev_matrix=lambda k: k["W_hh"].T),
        "use this step's h instead of h_prev in dW_hh (dW_hh = da.T @ h_prev)": slip(dW_hh_state=lambda k: k["h"]),
        "transpose dW_hh (h_prev.T @ da instead of da.T @ h_prev)": swap_dW_hh,
    }
    return check_function(fn, _rnn_backward_step, _backward_step_cases(), name="your rnn_backward_step",
                          outputs=("dx", "dh_prev", "dW_ih", "dW_hh", "db"), mistakes=mistakes)


def _truncation_reach(t, k):
    """The input steps that get a gradient from the loss at step t, measured with windows of k steps."""
    from . import rnn_train

    rng = np.random.default_rng(0)
    T, B = t + k + 1, 1
    w = cells.init_weights("rnn", 1, 3, seed=rng)
    trace = cells.rnn_forward(rng.normal(size=(B, T, 1)), w)
    dh = np.zeros((B, T, 3))
    dh[:, t] = rng.normal(size=3)  # the loss sits at step t only
    dxs = rnn_train.rnn_backward_truncated(trace, w, dh=dh, truncate=k).xs  # (B, T, 1)
    return np.flatnonzero(np.abs(dxs[0, :, 0]) > 0)


def _as_steps(value):
    """A learner's list of steps as a sorted tuple of ints, or None if it is not one."""
    try:
        arr = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
        return None
    return tuple(sorted(int(v) for v in arr))


def check_truncation_reach(fn: Callable) -> CheckResult:
    """Notebook 01: fn(t, k) -> the input steps (counted from 0) that the loss at step t reaches with windows of k."""
    if not callable(fn):
        return CheckResult(False, "pass the function itself, not its result: check_truncation_reach(truncation_reach).")
    mistakes = {
        "slide the window back from t (steps t - k + 1 to t) instead of using the fixed windows that start at 0, k, 2k and so on":
            lambda t, k: range(max(0, t - k + 1), t + 1),
        "count the whole window, including the steps after t": lambda t, k: range(t // k * k, t // k * k + k),
        "leave out step t itself": lambda t, k: range(t // k * k, t),
        "forget the cut (full BPTT reaches every step from 0 to t)": lambda t, k: range(0, t + 1),
    }
    cases = [(13, 5), (9, 5), (10, 5), (3, 10), (7, 1), (20, 4)]
    for n, (t, k) in enumerate(cases, 1):
        where = f"Case {n} of {len(cases)} (loss at step t = {t}, windows of k = {k})"
        expected = tuple(int(s) for s in _truncation_reach(t, k))
        try:
            raw = fn(t=t, k=k)
        except Exception as e:  # the learner's error is reported, not raised
            return CheckResult(False, f"{where}: your truncation_reach raised {type(e).__name__}: {e}")
        if raw is None:
            return CheckResult(False, f"{where}: your truncation_reach returned None. Did you forget the return statement?")
        got = _as_steps(raw)
        if got is None:
            return CheckResult(False, f"{where}: return the steps as a list of whole numbers, such as [3, 4]; "
                                      f"got {raw!r}.")
        if got != expected:
            hint = next((f"Your answer matches what you get if you {slip}." for slip, f in mistakes.items()
                         if tuple(f(t, k)) == got), "")
            return CheckResult(False, f"{where}: the gradient reaches steps {list(expected)}; you gave {list(got)}.",
                               hint)
    return CheckResult(True, f"your truncation_reach matches the measured gradients on all {len(cases)} cases.")


# --------------------------------------------------------------------------- notebook 02

def _reference_clip(grads, max_norm):
    """Clip by global norm, as gradients.clip_by_global_norm does (the clipped list only)."""
    return gradients.clip_by_global_norm(grads, max_norm)[0]


def _flat(arrays):
    """A list of arrays as one flat vector (what the clipping checker compares)."""
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
        raise TypeError(f"it should return a list of arrays, one per gradient; got {type(arrays).__name__}")
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])


def check_clip_by_global_norm(fn: Callable) -> CheckResult:
    """Notebook 02: fn(grads, max_norm) -> list of arrays, all scaled by one factor min(1, max_norm / global norm)."""
    rng = np.random.default_rng(2)
    raw = [("one large weight matrix and its bias (clipped)", [rng.normal(size=(4, 3)) * 5, rng.normal(size=(4,)) * 5], 1.0),
           ("gradients already shorter than max_norm (left alone)", [rng.normal(size=(2, 2)) * 0.1, rng.normal(size=(2,)) * 0.1], 5.0),
           ("three arrays of different sizes (clipped)", [rng.normal(size=(3, 3)), rng.normal(size=(3,)) * 10,
                                                         rng.normal(size=(1, 3)) * 0.01], 2.0)]
    cases = [Case(desc, {"grads": grads, "max_norm": c}) for desc, grads, c in raw]

    def copied(grads):
        return [np.array(g, dtype=float, copy=True) for g in grads]

    def wrap(f):
        return lambda grads, max_norm: _flat(f(copied(grads), max_norm))

    def per_array(grads, max_norm):
        return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]

    def always(grads, max_norm):
        return [g * max_norm / np.sqrt(sum((x**2).sum() for x in grads)) for g in grads]

    def sum_of_norms(grads, max_norm):
        total = sum(np.linalg.norm(g) for g in grads)
        return [g * min(1.0, max_norm / total) for g in grads]

    def no_sqrt(grads, max_norm):
        total = sum((g**2).sum() for g in grads)
        return [g * min(1.0, max_norm / total) for g in grads]

    mistakes = {
        "clip each array by its own norm instead of by the one global norm of all of them": wrap(per_array),
        "clip every entry to [-max_norm, max_norm] (clipping by value, np.clip) instead of rescaling": wrap(
            lambda grads, max_norm: [np.clip(g, -max_norm, max_norm) for g in grads]),
        "always rescale to length max_norm, even when the gradients are already shorter (use min(1, ...))": wrap(always),
        "add up the norms of the arrays instead of taking the root of the sum of all squares": wrap(sum_of_norms),
        "forget the square root (divide by the sum of squares, not its root)": wrap(no_sqrt),
    }
    # check_function passes each case's own copy; wrap() copies again so an in-place answer cannot leak between runs.
    return check_function(wrap(fn), wrap(_reference_clip), cases, name="your clip_by_global_norm",
                          outputs=("the clipped gradients (all arrays, flattened and joined)",), mistakes=mistakes)


def check_gradient_norm_after(fn: Callable) -> CheckResult:
    """Notebook 02: fn(W, k) -> ||W^k||_2, the gradient norm after k steps back through a linear RNN."""
    rng = np.random.default_rng(3)
    gaussian = rng.normal(size=(5, 5))
    gaussian *= 0.9 / np.max(np.abs(np.linalg.eigvals(gaussian)))
    skewed = np.array([[0.5, 2.0, 0.0], [0.0, 0.6, 1.5], [0.0, 0.0, 0.7]])
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    cases = [Case("a random 5x5 W with spectral radius 0.9, k = 6", {"W": gaussian, "k": 6}),
             Case("an upper-triangular 3x3 W, k = 3", {"W": skewed, "k": 3}),
             Case("1.2 times an orthogonal 4x4 W, k = 10", {"W": 1.2 * q, "k": 10}),
             Case("k = 0 steps (no step back: the identity)", {"W": skewed, "k": 0})]

    def ref(W, k):
        # ||dh_T/dh_(T-k)||_2 = ||W^k||_2, the largest singular value of the k-th matrix power
        return np.linalg.norm(np.linalg.matrix_power(W, k), 2)

    mistakes = {
        "use the spectral radius to the power k, rho^k (that is only the long-run rate)": lambda W, k: np.max(
            np.abs(np.linalg.eigvals(W))) ** k,
        "use the largest singular value to the power k, sigma_max^k (that is an upper bound)": lambda W, k: np.linalg.norm(
            W, 2) ** k,
        "take the Frobenius norm (np.linalg.norm's default for a matrix) instead of the largest singular value":
            lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, k)),
        "raise every entry to the power k (W ** k) instead of multiplying the matrix k times":
            lambda W, k: np.linalg.norm(W ** k, 2),
        "multiply W only k - 1 times": lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, max(k - 1, 0)), 2),
        "multiply W k + 1 times": lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, k + 1), 2),
    }
    return check_function(fn, ref, cases, name="your gradient_norm_after", outputs=("the norm",), mistakes=mistakes)
