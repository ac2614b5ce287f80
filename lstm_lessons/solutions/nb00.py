"""Solutions to notebook 00's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def lstm_param_count(I, H):
    """The number of parameters of one LSTM layer with input size I and hidden size H."""
    # four gate blocks (i, f, g, o), each with H rows: W_ih (4H, I), W_hh (4H, H), b_ih (4H,), b_hh (4H,)
    return 4 * H * I + 4 * H * H + 4 * H + 4 * H


def memory_after(f, c0, steps):
    """The memory after `steps` steps of c_t = f * c_(t-1), for arrays f and c0 of the same shape."""
    c = np.array(c0, dtype=float)
    for _ in range(steps):
        # c_t = f * c_(t-1)
        c = f * c
    return c  # the same as c0 * f**steps


answers = {"keep gate": "f", "write gate": "i", "C-tilde": "g", "focus gate": "o"}

#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("lstm_param_count", "check_lstm_param_count"), 2: ("memory_after", "check_memory_after"),
             3: ("answers", "check_notation")}
