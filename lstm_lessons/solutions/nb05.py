"""Solutions to notebook 05's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np

from lstm_lessons import cells


def quote_flag(sharpness=20.0):
    """-> LSTM Weights (input 2: one-hot "other", '"'; hidden 1) whose c is above 1/2 exactly inside quotes."""
    s = sharpness
    h_in = np.tanh(1.0) / (1 + np.exp(-s))  # h inside quotes: c = 1 read through an open output gate
    W_ih, W_hh, b = np.zeros((4, 2)), np.zeros((4, 1)), np.zeros(4)  # rows i, f, g, o
    W_ih[0, 1], b[0] = 2 * s, -s  # i: open (+s) on a quote, shut (-s) otherwise
    W_ih[1, 1], b[1] = -2 * s, s  # f: shut on a quote (the old flag is dropped), open otherwise (kept)
    W_hh[2, 0], b[2] = -2 * s / h_in, s  # g = tanh(s (1 - 2 h / h_in)): +1 while off (h <= 0), -1 while on
    b[3] = s  # o: open, so the next step's g can read the flag through h
    return cells.Weights("lstm", W_ih, W_hh, b, np.zeros(4))


def dc_dh_prev(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """x (I,), h_prev and c_prev (H,), weights stacked i, f, g, o -> dc_t/dh_(t-1), shape (H, H)."""
    H = h_prev.shape[0]
    a = W_ih @ x + b_ih + W_hh @ h_prev + b_hh  # (4H,)
    i = 1 / (1 + np.exp(-a[:H]))
    f = 1 / (1 + np.exp(-a[H:2 * H]))
    g = np.tanh(a[2 * H:3 * H])
    # c_t = f * c_prev + i * g, and f, i, g all read h_(t-1) through their rows of W_hh:
    # dc/dh = diag(c_prev f (1 - f)) W_hf + diag(g i (1 - i)) W_hi + diag(i (1 - g^2)) W_hg
    return ((c_prev * f * (1 - f))[:, None] * W_hh[H:2 * H] + (g * i * (1 - i))[:, None] * W_hh[:H]
            + (i * (1 - g**2))[:, None] * W_hh[2 * H:3 * H])


# sigmoid(b)^1000 = 1/2  =>  f = 0.5 ** (1 / 1000) = 0.999307, and b = log(f / (1 - f))
min_forget_bias = float(np.log(0.5 ** (1 / 1000) / (1 - 0.5 ** (1 / 1000))))

#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("quote_flag", "check_quote_flag"), 2: ("dc_dh_prev", "check_dc_dh_prev"),
             3: ("min_forget_bias", "check_min_forget_bias")}
