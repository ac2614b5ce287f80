"""Solutions to notebook 01's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def my_rnn_step(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """x (B, I), h_prev (B, H), W_ih (H, I), W_hh (H, H), b_ih and b_hh (H,) -> h (B, H)."""
    # h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def my_rnn_backward_step(dh, h, h_prev, x, W_ih, W_hh):
    """dh, h, h_prev (B, H), x (B, I) -> dx (B, I), dh_prev (B, H), dW_ih (H, I), dW_hh (H, H), db (H,)."""
    # delta a = delta h * (1 - h^2), the tanh's slope at this step
    da = dh * (1 - h**2)  # (B, H)
    dx = da @ W_ih  # (B, I)
    dh_prev = da @ W_hh  # (B, H): the message for the step before
    dW_ih = da.T @ x  # (H, I)
    dW_hh = da.T @ h_prev  # (H, H)
    db = da.sum(axis=0)  # (H,): the same for b_ih and b_hh
    return dx, dh_prev, dW_ih, dW_hh, db


def truncation_reach(t, k):
    """The input steps (from 0) that a loss at step t reaches, with windows of k steps starting at 0."""
    window_start = (t // k) * k  # the window that holds step t starts here
    return list(range(window_start, t + 1))


EXERCISES = {1: ("my_rnn_step", "check_rnn_step"), 2: ("my_rnn_backward_step", "check_rnn_backward_step"),
             3: ("truncation_reach", "check_truncation_reach")}
