"""Solutions to notebook 04's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def cell_update(f, i, g, c_prev):
    """f, i, g, c_prev (B, H) -> c (B, H): keep a share f of the old memory, write the filtered proposal i * g."""
    # c_t = f * c_(t-1) + i * g
    return f * c_prev + i * g


def lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """x (B, I), h_prev and c_prev (B, H), W_ih (4H, I), W_hh (4H, H), b_ih and b_hh (4H,) -> h, c (B, H)."""
    # all four gates' pre-activations in one multiply per input, stacked i, f, g, o
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # (B, H) each, in PyTorch's order
    i = 1 / (1 + np.exp(-a_i))
    f = 1 / (1 + np.exp(-a_f))
    g = np.tanh(a_g)
    o = 1 / (1 + np.exp(-a_o))
    # c_t = f * c_(t-1) + i * g
    c = f * c_prev + i * g
    # h_t = o * tanh(c_t)
    h = o * np.tanh(c)
    return h, c  # (B, H) each


def split_weights(W, b, H):
    """W (4H, H + I) acting on [h, x], b (4H,), hidden size H -> W_ih (4H, I), W_hh (4H, H), b_ih, b_hh (4H,)."""
    # W [h, x] = W_hh h + W_ih x: the first H columns act on h, the rest on x
    W_hh, W_ih = W[:, :H], W[:, H:]
    # only b_ih + b_hh reaches the gates: any split with that sum is right; this one puts it all in b_ih
    b_ih, b_hh = b.copy(), np.zeros_like(b)
    return W_ih, W_hh, b_ih, b_hh


#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("cell_update", "check_cell_update"), 2: ("lstm_step", "check_lstm_step"),
             3: ("split_weights", "check_split_weights")}
