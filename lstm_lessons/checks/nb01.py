"""Checkers for notebook 01's exercises: one RNN step, one step of BPTT, how far truncation reaches."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells
from .engine import Case, CheckResult, check_function, run_learner, step_cases, weights_of

__all__ = ["check_rnn_step", "check_rnn_backward_step", "check_truncation_reach"]

EXERCISES = {"rnn_step": ("01", 1), "rnn_backward_step": ("01", 2), "truncation_reach": ("01", 3)}


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
    return check_function(fn, ref, step_cases("rnn"), name="your rnn_step", outputs=("h",), mistakes=mistakes,
                          exercise=EXERCISES["rnn_step"])



def _backward_step_cases(seed: int = 1) -> list:
    """The cases of step_cases("rnn"), each with the step's output h and a gradient dh arriving at it."""
    rng = np.random.default_rng(seed)
    out = []
    for case in step_cases("rnn", seed=seed):
        kw = case.kwargs
        h = cells.rnn_step(kw["x"], kw["h_prev"], weights_of("rnn", kw))  # (B, H)
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
                          outputs=("dx", "dh_prev", "dW_ih", "dW_hh", "db"), mistakes=mistakes,
                          exercise=EXERCISES["rnn_backward_step"])


def _truncation_reach(t, k):
    """The input steps that get a gradient from the loss at step t, measured with windows of k steps."""
    from .. import rnn_train

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
        raw, verdict = run_learner(fn, {"t": t, "k": k}, name="your truncation_reach", where=where,
                                   exercise=EXERCISES["truncation_reach"])
        if verdict is not None:
            return verdict
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
