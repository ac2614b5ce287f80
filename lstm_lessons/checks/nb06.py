"""Checkers for notebook 06's exercises: the GRU."""

from __future__ import annotations

from typing import Callable

from .. import cells
from .._validate import check_choice
from .engine import CheckResult, check_function, step_cases, weights_of

__all__ = ["check_gru_step"]

#: exercise name -> ("06", number), so that a stub's verdict can point to show_solution("06", number).
EXERCISES = {"gru_step": ("06", 1)}


def check_gru_step(fn: Callable, reset: str = "after") -> CheckResult:
    """Notebook 06: fn(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h, gates stacked r, z, n."""
    check_choice(reset, "reset", cells.GRU_RESET)

    def run(kw, reset=reset, update="keep"):
        return cells.gru_step(kw["x"], kw["h_prev"], weights_of("gru", kw), reset=reset, update=update).h

    other = "before" if reset == "after" else "after"
    mistakes = {
        f"apply the reset gate {other} the recurrent multiply instead of {reset} it": lambda **k: run(k, reset=other),
        "swap z and 1 - z in the blend (h = z * n + (1 - z) * h_prev)": lambda **k: run(k, update="write"),
    }
    return check_function(fn, lambda **k: run(k), step_cases("gru"), name="your gru_step", outputs=("h",),
                          mistakes=mistakes, exercise=EXERCISES["gru_step"])

