"""Checkers for notebook 00's exercises: the LSTM's parameter count, a fading memory, other names."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .engine import Case, CheckResult, check_function, is_stub_value, not_attempted

__all__ = ["OTHER_NAMES", "AMBIGUOUS_NAMES", "check_lstm_param_count", "check_memory_after", "check_notation"]

#: Names other texts use for the series' symbols (notebook 00's notation table), each with one meaning.
OTHER_NAMES = {
    "forget gate": "f", "remember gate": "f", "keep gate": "f",
    "input gate": "i", "save gate": "i", "write gate": "i", "external input gate": "i",
    "output gate": "o", "focus gate": "o", "read gate": "o",
    "candidate": "g", "cell gate": "g", "c-tilde": "g", "cell input": "g",
    "hidden state": "h", "short-term memory": "h",
    "cell state": "c", "long-term memory": "c", "memory cell": "c", "internal state": "c",
    "reset gate": "r", "update gate (gru)": "z", "candidate state (gru)": "n",
}

#: Names whose meaning depends on the text: the checker says why instead of accepting one letter.
AMBIGUOUS_NAMES = {
    "update gate": "in a GRU text it is z, but some LSTM texts use it for the input gate i",
    "w": "Goodfellow et al. write W for the recurrent weights (our W_hh), Cho et al. for the input weights (our W_ih)",
    "u": "Goodfellow et al. write U for the input weights (our W_ih), Cho et al. for the recurrent weights (our W_hh)",
}

EXERCISES = {"param_count": ("00", 1), "memory_after": ("00", 2), "notation": ("00", 3)}


def check_lstm_param_count(fn: Callable) -> CheckResult:
    """Notebook 00: fn(I, H) -> the number of parameters of one nn.LSTM layer with input size I, hidden size H."""
    import torch

    def ref(I, H):
        return sum(p.numel() for p in torch.nn.LSTM(I, H).parameters())

    cases = [Case(f"input size {I}, hidden size {H}", {"I": I, "H": H}) for I, H in [(10, 20), (1, 1), (3, 7)]]
    mistakes = {
        "count only one bias vector (PyTorch keeps two, b_ih and b_hh)": lambda I, H: 4 * H * (I + H + 1),
        "count one gate block instead of four (i, f, g and o each have their own rows)": lambda I, H: H * (I + H + 2),
        "leave out both biases": lambda I, H: 4 * H * (I + H),
        "count the weights as I * H + H * H without the four gate blocks, but keep both biases": lambda I, H: I * H + H * H + 2 * H,
    }
    return check_function(fn, ref, cases, name="your lstm_param_count", outputs=("the count",), mistakes=mistakes,
                          rtol=0, atol=0, exercise=EXERCISES["param_count"])


def _memory_after_reference(f, c0, steps):
    c = c0.copy()
    for _ in range(steps):
        # c_t = f * c_{t-1}
        c = f * c
    return c


def check_memory_after(fn: Callable) -> CheckResult:
    """Notebook 00: fn(f, c0, steps) -> the memory after `steps` steps of c_t = f * c_{t-1}, for arrays f and c0."""
    rng = np.random.default_rng(1)
    cases = [Case(f"{n} values, {s} steps", dict(f=rng.uniform(0, 1, n), c0=rng.normal(size=n), steps=s))
             for n, s in [(1, 0), (3, 1), (5, 20)]]
    mistakes = {"apply the gate one step too many": lambda f, c0, steps: c0 * f ** (steps + 1),
                "apply the gate one step too few": lambda f, c0, steps: c0 * f ** max(steps - 1, 0),
                "multiply by f * steps instead of raising f to the power steps": lambda f, c0, steps: c0 * f * steps}
    return check_function(fn, _memory_after_reference, cases, name="your memory_after", outputs=("c",),
                          mistakes=mistakes, exercise=EXERCISES["memory_after"])


def check_notation(answers: dict) -> CheckResult:
    """Notebook 00: answers maps another text's name (e.g. "keep gate") to a symbol of the series ("f")."""
    if is_stub_value(answers):
        return not_attempted("answers", EXERCISES["notation"], "some answers are still ..., the stub's placeholder")
    if not isinstance(answers, dict) or not answers:
        return CheckResult(False, f"answers should be a dict such as {{'keep gate': 'f'}}; got {type(answers).__name__}.")
    for name, symbol in answers.items():
        key = str(name).strip().lower()
        if key in AMBIGUOUS_NAMES:
            return CheckResult(False, f"'{name}' has no single answer: {AMBIGUOUS_NAMES[key]}.",
                               "Leave ambiguous names out, or say which text you read.")
        if key not in OTHER_NAMES:
            return CheckResult(False, f"'{name}' is not in the notation table; the names it lists are: "
                                      f"{', '.join(sorted(OTHER_NAMES))}.")
        given = str(symbol).strip().lower().removesuffix("_t")
        if given != OTHER_NAMES[key]:
            return CheckResult(False, f"'{name}' is not {symbol!r}.",
                               "Find the name in the last column of the notation table and read off its symbol.")
    return CheckResult(True, f"all {len(answers)} names match their symbols.")

