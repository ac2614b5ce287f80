"""Checkers for notebook 06: the GRU step (the lesson's build cells) and the exercises (z conventions, peepholes, sizes)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells, variants
from .._validate import check_choice
from .engine import Case, CheckResult, check_function, check_value, is_stub_value, not_attempted, step_cases, weights_of

__all__ = ["check_gru_step", "check_keep_to_write", "check_peephole_step", "check_equal_params_hidden"]

#: exercise name -> ("06", number), so that a stub's verdict can point to show_solution("06", number).
EXERCISES = {"keep_to_write": ("06", 1), "peephole_step": ("06", 2), "gru_hidden_for_equal_params": ("06", 3)}


def check_gru_step(fn: Callable, reset: str = "after") -> CheckResult:
    """Notebook 06: fn(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h, gates stacked r, z, n; reset "after" (PyTorch) or "before" (Cho)."""
    check_choice(reset, "reset", cells.GRU_RESET)

    def run(kw, reset=reset, update="keep"):
        return cells.gru_step(kw["x"], kw["h_prev"], weights_of("gru", kw), reset=reset, update=update).h

    other = "before" if reset == "after" else "after"
    mistakes = {
        f"apply the reset gate {other} the recurrent multiply instead of {reset} it": lambda **k: run(k, reset=other),
        "swap z and 1 - z in the blend (h = z * n + (1 - z) * h_prev)": lambda **k: run(k, update="write"),
    }
    return check_function(fn, lambda **k: run(k), step_cases("gru"), name="your gru_step", outputs=("h",),
                          mistakes=mistakes)


# --------------------------------------------------------------------------- exercise 1: from "z keeps" to "z writes"

def _negate(kw, rows):
    """The weights with the given gate blocks (of r, z, n) multiplied by -1, biases too unless told."""
    H = kw["W_hh"].shape[1]
    out = {n: np.array(kw[n], dtype=float) for n in ("W_ih", "W_hh", "b_ih", "b_hh")}
    for gate, names in rows.items():
        k = "rzn".index(gate)
        for n in names:
            out[n][k * H:(k + 1) * H] *= -1
    return out


def _write_h(kw, weights):
    """h after one step of the GRU in the "z writes" convention, with `weights`."""
    w = cells.Weights("gru", weights["W_ih"], weights["W_hh"], weights["b_ih"], weights["b_hh"])
    return cells.gru_step(kw["x"], kw["h_prev"], w, update="write").h


def check_keep_to_write(fn: Callable) -> CheckResult:
    """Notebook 06: fn(W_ih, W_hh, b_ih, b_hh) -> the four arrays for a "z writes" GRU that computes what nn.GRU computes."""
    if not callable(fn):
        return CheckResult(False, "pass the function itself, not its result: check_keep_to_write(keep_to_write).")
    all_four = ("W_ih", "W_hh", "b_ih", "b_hh")

    def learner(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        before = [np.array(a, dtype=float, copy=True) for a in (W_ih, W_hh, b_ih, b_hh)]
        got = fn(W_ih, W_hh, b_ih, b_hh)
        if not all(np.array_equal(a, b) for a, b in zip((W_ih, W_hh, b_ih, b_hh), before)):
            raise ValueError("keep_to_write changed the arrays it was given; work on copies (np.array(a) or "
                             "a.copy()) and return those, so the PyTorch weights stay as they were")
        if got is None or got is Ellipsis:
            return got
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            raise ValueError(f"keep_to_write should return four arrays (W_ih, W_hh, b_ih, b_hh); got {type(got).__name__}"
                             + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
        shapes = [np.shape(g) for g in got]
        given = [np.shape(a) for a in (W_ih, W_hh, b_ih, b_hh)]
        if shapes != given:
            raise ValueError(f"the four arrays should keep their shapes {given}; got {shapes}")
        return _write_h(dict(x=x, h_prev=h_prev), dict(zip(all_four, got)))

    def reference(**kw):
        return cells.gru_step(kw["x"], kw["h_prev"], weights_of("gru", kw), update="keep").h

    def slip(rows):
        return lambda **kw: _write_h(kw, _negate(kw, rows))

    mistakes = {
        "return the weights unchanged (the two conventions differ for the same weights)": slip({}),
        "negate the weights of z but not its biases (1 - sigmoid(a) = sigmoid(-a) needs all of a negated)":
            slip({"z": ("W_ih", "W_hh")}),
        "negate the reset gate's block (rows 0 to H) instead of the update gate's (rows H to 2H)":
            slip({"r": all_four}),
        "negate every gate's block, not only z's": slip({g: all_four for g in "rzn"}),
    }
    return check_function(learner, reference, step_cases("gru", seed=6), name="your keep_to_write",
                          outputs=("h",), mistakes=mistakes, exercise=EXERCISES["keep_to_write"])


# --------------------------------------------------------------------------- exercise 2: peepholes

def _peephole_cases() -> list:
    rng = np.random.default_rng(2)
    out = []
    for case in step_cases("lstm", with_c=True, seed=2):
        H = case.kwargs["h_prev"].shape[1]
        p = rng.normal(size=(3, H))
        out.append(Case(case.description, dict(case.kwargs, p_i=p[0], p_f=p[1], p_o=p[2])))
    return out


def _peephole(kw, o_sees_new=True, p_order=("p_i", "p_f", "p_o"), use=True):
    """The peephole step with optional slips: which cell the output gate sees, which peephole goes where."""
    H = kw["h_prev"].shape[1]
    p_i, p_f, p_o = (kw[n] if use else np.zeros(H) for n in p_order)
    a = kw["x"] @ kw["W_ih"].T + kw["b_ih"] + kw["h_prev"] @ kw["W_hh"].T + kw["b_hh"]
    i = cells.sigmoid(a[:, :H] + p_i * kw["c_prev"])
    f = cells.sigmoid(a[:, H:2 * H] + p_f * kw["c_prev"])
    c = f * kw["c_prev"] + i * np.tanh(a[:, 2 * H:3 * H])
    o = cells.sigmoid(a[:, 3 * H:] + p_o * (c if o_sees_new else kw["c_prev"]))
    return o * np.tanh(c), c


def check_peephole_step(fn: Callable) -> CheckResult:
    """Notebook 06: fn(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o) -> (h, c), gates stacked i, f, g, o."""

    def reference(**kw):
        s = variants.peephole_lstm_step(**kw)
        return s.h, s.c

    mistakes = {
        "let the output gate peek at the old cell c_prev instead of the new c": lambda **k: _peephole(k, o_sees_new=False),
        "leave the peepholes out (that is the vanilla LSTM)": lambda **k: _peephole(k, use=False),
        "swap p_i and p_f": lambda **k: _peephole(k, p_order=("p_f", "p_i", "p_o")),
        "return (c, h) instead of (h, c)": lambda **k: _peephole(k)[::-1],
    }
    return check_function(fn, reference, _peephole_cases(), name="your peephole_step", outputs=("h", "c"),
                          mistakes=mistakes, exercise=EXERCISES["peephole_step"])


# --------------------------------------------------------------------------- exercise 3: a GRU as big as an LSTM

#: The sizes of exercise 3: an LSTM with this input and hidden size, and a GRU with the same input size.
EQUAL_PARAMS_INPUT, EQUAL_PARAMS_LSTM_HIDDEN = 2, 32


def equal_params_hidden(input_size: int = EQUAL_PARAMS_INPUT, lstm_hidden: int = EQUAL_PARAMS_LSTM_HIDDEN) -> int:
    """The GRU hidden size whose parameter count is closest to that of an LSTM with `lstm_hidden` units."""
    target = cells.num_params("lstm", input_size, lstm_hidden)
    sizes = np.arange(1, 4 * lstm_hidden)
    counts = np.array([cells.num_params("gru", input_size, int(h)) for h in sizes])
    return int(sizes[np.argmin(np.abs(counts - target))])


def check_equal_params_hidden(answer) -> CheckResult:
    """Notebook 06: the GRU hidden size whose parameter count is closest to an LSTM's with I = 2, H = 32."""
    name = "gru_hidden_for_equal_params"
    if is_stub_value(answer):
        return not_attempted(name, EXERCISES[name], f"{name} is still ..., the stub's placeholder")
    expected = equal_params_hidden()
    I, H = EQUAL_PARAMS_INPUT, EQUAL_PARAMS_LSTM_HIDDEN
    hints = {
        round(H * 4 / 3): "Scaling H by 4/3 would match the counts if they grew like H; they grow like H^2 "
                          "(the H x H recurrent blocks), so the GRU needs fewer extra units.",
        H: "At the same hidden size the GRU has 3/4 of the LSTM's parameters; it needs a few more units.",
    }
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return CheckResult(False, f"{name} should be a whole number of units; got {type(answer).__name__} {answer!r}.")
    hint = hints.get(round(value), f"Count 3 H (I + H + 2) for the GRU and 4 * {H} * ({I} + {H} + 2) for the LSTM, "
                                   "then try the hidden sizes around the answer of the quadratic.")
    result = check_value(value, expected, name=name, rtol=0, hint=hint, exercise=EXERCISES[name])
    if result.passed:
        result.message += (f" A GRU with {expected} units has {cells.num_params('gru', I, expected)} parameters, "
                           f"the LSTM with {H} has {cells.num_params('lstm', I, H)}.")
    return result
