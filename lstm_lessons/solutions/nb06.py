"""Solutions to notebook 06's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def keep_to_write(W_ih, W_hh, b_ih, b_hh):
    """PyTorch's GRU weights (r, z, n stacked; z keeps) -> weights for the "z writes" convention, same h."""
    H = W_hh.shape[1]
    z_rows = slice(H, 2 * H)  # the update gate's block
    out = [np.array(a, dtype=float) for a in (W_ih, W_hh, b_ih, b_hh)]
    for a in out:
        # 1 - sigmoid(a) = sigmoid(-a): negate every term of z's pre-activation, weights and biases
        a[z_rows] *= -1
    return tuple(out)


def peephole_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o):
    """x (B, I), h_prev and c_prev (B, H), weights stacked i, f, g, o, peepholes (H,) -> h, c (B, H)."""
    H = h_prev.shape[1]
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H)
    i = sigmoid(a[:, :H] + p_i * c_prev)  # the input gate peeks at c_{t-1}
    f = sigmoid(a[:, H:2 * H] + p_f * c_prev)  # so does the forget gate
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H:] + p_o * c)  # the output gate peeks at the new c_t
    h = o * np.tanh(c)
    return h, c


# LSTM: 4 * 32 * (2 + 32 + 2) = 4608 parameters. GRU: 3 H (H + 4); H = 37 gives 4551, H = 38 gives 4788.
gru_hidden_for_equal_params = 37

#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("keep_to_write", "check_keep_to_write"), 2: ("peephole_step", "check_peephole_step"),
             3: ("gru_hidden_for_equal_params", "check_equal_params_hidden")}
