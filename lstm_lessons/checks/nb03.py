"""Checkers for notebook 03's exercises: one step of the bounded prototype, a store-and-recall schedule, a bound."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import memory
from .engine import Case, CheckResult, check_function, check_value

__all__ = ["check_bounded_memory_step", "check_store_and_recall", "check_leaky_bound"]

#: exercise name -> ("03", number), so that a stub's verdict can point to show_solution("03", number).
EXERCISES = {"bounded_memory_step": ("03", 1), "store_and_recall": ("03", 2), "leaky_bound": ("03", 3)}


def _step_cases() -> list:
    """Batch 1, a batch with the gates at 0 and 1, and a general batch with large inputs (where tanh matters)."""
    rng = np.random.default_rng(3)
    out = []
    for desc, B, scale in [("batch 1", 1, 1.0), ("batch 4, gates at 0 and 1", 4, 1.0),
                           ("batch 6, large inputs and memories", 6, 3.0)]:
        kw = {"m_prev": scale * rng.normal(size=B), "x": scale * rng.normal(size=B)}
        if "0 and 1" in desc:
            kw.update(w=np.array([1.0, 0.0, 1.0, 0.0]), f=np.array([1.0, 1.0, 0.0, 0.0]),
                      r=np.array([0.0, 1.0, 1.0, 1.0]))
        else:
            kw.update({g: rng.uniform(0, 1, size=B) for g in ("w", "f", "r")})
        out.append(Case(desc, kw))
    return out


def check_bounded_memory_step(fn: Callable) -> CheckResult:
    """Notebook 03: fn(m_prev, x, w, f, r) -> (m, y) with m = f m_prev + w tanh(x), y = r tanh(m); all (B,)."""

    def ref(m_prev, x, w, f, r):
        trace = memory.gated_memory(x[:, None], w[:, None], f[:, None], r[:, None], m0=m_prev,
                                    write="tanh", read="tanh")
        return trace.m[:, 0], trace.y[:, 0]

    def variant(m_prev, x, w, f, r, write=np.tanh, read=np.tanh, keep=True, read_old=False):
        m = (f * m_prev if keep else m_prev) + w * write(x)
        return m, r * read(m_prev if read_old else m)

    def same(a):
        return a

    mistakes = {
        "write x itself instead of tanh(x)": lambda **k: variant(**k, write=same),
        "read m itself instead of tanh(m)": lambda **k: variant(**k, read=same),
        "leave out both squashes (that is the unbounded prototype)": lambda **k: variant(**k, write=same, read=same),
        "keep the old memory without the forget gate (m = m_prev + w tanh(x))": lambda **k: variant(**k, keep=False),
        "read the old memory, tanh(m_prev), instead of the new one": lambda **k: variant(**k, read_old=True),
        "swap the write and forget gates (m = w m_prev + f tanh(x))":
            lambda m_prev, x, w, f, r: variant(m_prev, x, f, w, r),
        "return (y, m) instead of (m, y)": lambda **k: variant(**k)[::-1],
    }
    return check_function(fn, ref, _step_cases(), name="your bounded_memory_step", outputs=("m", "y"),
                          mistakes=mistakes, exercise=EXERCISES["bounded_memory_step"])


def _run_schedule(schedule, flag, T, values, m0):
    """Run the raw prototype with the switches schedule(flag, T) returns; the read-outs y (B, T)."""
    got = schedule(flag, T)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise TypeError(f"it should return three arrays (w, f, r); got {type(got).__name__}"
                        + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    w, f, r = (np.asarray(g, dtype=float) for g in got)
    for name, g in zip("wfr", (w, f, r)):
        if g.shape != (T,):
            raise ValueError(f"{name} should have shape (T,) = ({T},); got {g.shape}")
    return memory.gated_memory(values, w, f, r, m0=m0).y


def _reference_schedule(flag, T):
    w = np.zeros(T)
    w[flag] = 1.0  # write the flagged value
    f = np.ones(T)
    f[flag] = 0.0  # clear what was there at the same step, keep everywhere else
    r = np.zeros(T)
    r[-1] = 1.0  # read at the last step only
    return w, f, r


def check_store_and_recall(fn: Callable) -> CheckResult:
    """Notebook 03: fn(flag, T) -> switches (w, f, r), each (T,) of 0s and 1s, reporting x[flag] at step T - 1 only."""
    rng = np.random.default_rng(4)
    raw = [("flag 0, T = 5, memory starting at 0", 0, 5, 0.0), ("flag 3, T = 10, memory starting at 0.7", 3, 10, 0.7),
           ("flag 8, T = 10 (the step before the last), memory starting at -2", 8, 10, -2.0),
           ("flag 2, T = 3, memory starting at 1.5", 2, 3, 1.5)]
    cases = [Case(desc, {"flag": flag, "T": T, "values": rng.uniform(-1, 1, size=(4, T)), "m0": m0})
             for desc, flag, T, m0 in raw]

    def wrap(schedule):
        return lambda flag, T, values, m0: _run_schedule(schedule, flag, T, values, m0)

    def edit(w=None, f=None, r=None):
        """A slip: the reference schedule with one of its switches replaced."""
        def slipped(flag, T):
            ref = _reference_schedule(flag, T)
            return tuple(ref[k] if new is None else new(flag, T) for k, new in enumerate((w, f, r)))
        return wrap(slipped)

    def late(flag, T):
        w = np.zeros(T)
        w[flag + 1] = 1.0
        return w

    def clear_late(flag, T):
        f = np.ones(T)
        f[flag + 1] = 0.0
        return f

    mistakes = {
        "never clear the memory (f = 1 at every step), so what it started with is added to the value":
            edit(f=lambda flag, T: np.ones(T)),
        "read at every step instead of at the last step only": edit(r=lambda flag, T: np.ones(T)),
        "write one step late, at step flag + 1": edit(w=late),
        "clear the memory one step after the write, which erases the value": edit(f=clear_late),
        "clear at every step (f = 0 everywhere), so nothing is kept": edit(f=lambda flag, T: np.zeros(T)),
        "write at every step, so the distractors are added": edit(w=lambda flag, T: np.ones(T)),
    }
    return check_function(wrap(fn), wrap(_reference_schedule), cases, name="your store_and_recall",
                          outputs=("the read-outs y of the prototype run with your switches",), mistakes=mistakes,
                          rtol=0, atol=1e-12, exercise=EXERCISES["store_and_recall"])


def check_leaky_bound(answer) -> CheckResult:
    """Notebook 03: the smallest bound on |m_t| at every step when every f = 0.8, writes lie in [-1, 1] and m_0 = 0."""
    return check_value(answer, 1.0 / (1.0 - 0.8), name="bound_for_f08", rtol=1e-9,
                       hint="With every write +1, m_t = 1 + f + f^2 + ... + f^(t-1): a geometric series. "
                            "What does it approach as t grows?", exercise=EXERCISES["leaky_bound"])
