"""The checker engine: run a learner's function on several cases and answer in plain words.

A checker never shows a traceback. It reports the first case that fails, what was expected
and what came back, and, where the answer matches a known slip (a gate order swapped, a
missing tanh), names that slip. A stub the learner has not filled in yet (a function that
raises NotImplementedError, or a value left as `...`) gets one friendly line saying so, and
where to find a solution. The notebooks' own checkers live beside this file, one module per
notebook (nb01.py, nb02.py, ...).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import cells

#: The three kinds of verdict.
PASSED, NOT_YET, NOT_ATTEMPTED = "passed", "not yet", "not attempted"


@dataclass
class CheckResult:
    """The verdict of a checker: `passed`, and a message for the learner. Truthy when passed.

    `attempted` is False when the learner's answer is still the exercise's stub.
    """

    passed: bool
    message: str
    hint: str = ""
    attempted: bool = True

    @property
    def verdict(self) -> str:
        return PASSED if self.passed else (NOT_YET if self.attempted else NOT_ATTEMPTED)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        word = {PASSED: "PASSED", NOT_YET: "NOT YET", NOT_ATTEMPTED: "NOT ATTEMPTED YET"}[self.verdict]
        return f"{word}: {self.message}" + (f"\nHint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        color, word = {PASSED: ("#009E73", "Passed."), NOT_YET: ("#D55E00", "Not yet."),
                       NOT_ATTEMPTED: ("#0072B2", "Not attempted yet.")}[self.verdict]
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (f'<div style="border-left:4px solid {color};padding:4px 8px">'
                f"<b>{word}</b> {html.escape(self.message)}{hint}</div>")


@dataclass
class Case:
    """One test case: a description the learner can read, and the keyword arguments to pass."""

    description: str
    kwargs: dict = field(default_factory=dict)


def _solution_hint(exercise) -> str:
    if exercise is None:
        return ""
    notebook, number = exercise
    return f'Stuck? show_solution("{notebook}", {number}) shows one answer.'


def not_attempted(name: str, exercise=None, what: str = "") -> CheckResult:
    """The verdict for an exercise whose answer is still the stub it was given as."""
    what = what or f"{name} is still the exercise's stub"
    return CheckResult(False, f"{what}. Fill it in, run its cell, then run this check again.",
                       _solution_hint(exercise), attempted=False)


def is_stub_value(value) -> bool:
    """True for an answer left as the placeholder `...` (or a dict or list still holding one)."""
    if value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(v is Ellipsis for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(v is Ellipsis for v in value)
    return False


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


def run_learner(learner: Callable, kwargs: dict, *, name: str, where: str, exercise=None):
    """Call the learner's function; returns (result, None) or (None, CheckResult) for a stub or an error."""
    try:
        got = learner(**_copy(kwargs))
    except NotImplementedError:
        return None, not_attempted(name, exercise, f"{name} still raises NotImplementedError: it is the stub")
    except Exception as e:  # the learner's error is reported, not raised
        return None, CheckResult(False, f"{where}: {name} raised {type(e).__name__}: {e}",
                                 "Check the argument names and the shapes in the docstring of the exercise.")
    if got is Ellipsis:
        return None, not_attempted(name, exercise, f"{name} still returns ..., the stub's placeholder")
    if got is None:
        return None, CheckResult(False, f"{where}: {name} returned None. Did you forget the return statement?")
    return got, None


def check_function(learner: Callable, reference: Callable, cases: list, *, name: str = "your function",
                   outputs: tuple = ("result",), mistakes: dict | None = None,
                   rtol: float = 1e-6, atol: float = 1e-8, exercise=None) -> CheckResult:
    """Compare `learner` with `reference` on every case; explain the first difference in words.

    `outputs` names what the function returns (one name, or several for a tuple); `mistakes`
    maps a description of a common slip to a function that makes exactly that slip; `exercise`
    is ("NN", number), so that a stub's verdict can say where the solution is.
    """
    if not callable(learner):
        return CheckResult(False, f"pass the function itself, not its result: check(my_function), not "
                                  f"check(my_function(...)). Got a {type(learner).__name__}.")
    n = len(outputs)
    what = outputs[0] if n == 1 else "(" + ", ".join(outputs) + ")"
    for k, case in enumerate(cases, 1):
        expected = _as_outputs(reference(**_copy(case.kwargs)), n)
        where = f"Case {k} of {len(cases)} ({case.description})"
        got_raw, verdict = run_learner(learner, case.kwargs, name=name, where=where, exercise=exercise)
        if verdict is not None:
            return verdict
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
            return CheckResult(False, f"{where}: {label} differs from the reference by up to "
                                      f"{np.max(np.abs(g - e)):.3g}. Expected {_summary(e)}; got {_summary(g)}.",
                               _name_the_slip(mistakes, case.kwargs, got, n, rtol, atol))
    return CheckResult(True, f"{name} matches the reference on all {len(cases)} cases.")


def _name_the_slip(mistakes, kwargs, got, n, rtol, atol) -> str:
    for slip, fn in (mistakes or {}).items():
        wrong = _as_outputs(fn(**_copy(kwargs)), n)
        if wrong is not None and all(w.shape == x.shape and np.allclose(w, x, rtol=rtol, atol=atol)
                                     for w, x in zip(wrong, got)):
            return f"Your answer matches what you get if you {slip}."
    return ""


def check_value(got, expected, *, name: str = "your answer", rtol: float = 1e-6, hint: str = "",
                exercise=None) -> CheckResult:
    """Check a single number or array the learner computed; `...` means not attempted yet."""
    if is_stub_value(got):
        return not_attempted(name, exercise, f"{name} is still ..., the stub's placeholder")
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


# --------------------------------------------------------------------------- cases shared by the step exercises

def step_cases(kind: str, with_c: bool = False, seed: int = 0) -> list:
    """Cases for a recurrent step function, over the sizes that catch most slips: batch 1, hidden size 1, a general one."""
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


def weights_of(kind, kw) -> cells.Weights:
    """The Weights held in a case's keyword arguments."""
    return cells.Weights(kind, kw["W_ih"], kw["W_hh"], kw["b_ih"], kw["b_hh"])
