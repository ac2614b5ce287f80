"""Solutions to notebook 03's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def bounded_memory_step(m_prev, x, w, f, r):
    """One step of the bounded prototype: every argument (B,) -> (m, y), each (B,)."""
    # m_t = f_t * m_(t-1) + w_t * tanh(x_t): every write lies in [-1, 1]
    m = f * m_prev + w * np.tanh(x)
    # y_t = r_t * tanh(m_t): every read lies in [-1, 1]
    y = r * np.tanh(m)
    return m, y


def store_and_recall(flag, T):
    """Switches (w, f, r), each (T,) of 0s and 1s: store the value at step `flag`, report it at step T - 1 only."""
    w = np.zeros(T)
    w[flag] = 1.0  # write the flagged value, and nothing else
    f = np.ones(T)
    f[flag] = 0.0  # at the same step, clear what the memory held; keep it at every other step
    r = np.zeros(T)
    r[T - 1] = 1.0  # read at the last step only
    return w, f, r


# with every write +1: m_t = 1 + 0.8 + ... + 0.8^(t-1) = (1 - 0.8^t) / (1 - 0.8), which approaches 5 and never passes it
bound_for_f08 = 1 / (1 - 0.8)

#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("bounded_memory_step", "check_bounded_memory_step"), 2: ("store_and_recall", "check_store_and_recall"),
             3: ("bound_for_f08", "check_leaky_bound")}
