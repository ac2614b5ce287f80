"""Solutions to notebook 07's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np
import torch


def concat_to_torch(W, b):
    """W (4H, H + I) on [h, x], blocks f, i, g, o; b (4H,) -> weight_ih (4H, I), weight_hh (4H, H), bias_ih, bias_hh."""
    H = W.shape[0] // 4
    f, i, g, o = np.split(W, 4, axis=0)  # each (H, H + I)
    bf, bi, bg, bo = np.split(b, 4)  # each (H,)
    W = np.concatenate([i, f, g, o])  # PyTorch's order: i, f, g, o
    b = np.concatenate([bi, bf, bg, bo])
    # W [h, x] = W[:, :H] h + W[:, H:] x
    weight_hh, weight_ih = W[:, :H], W[:, H:]
    # nn.LSTM adds bias_ih and bias_hh: put the whole bias in one of them
    return weight_ih, weight_hh, b, np.zeros_like(b)


def last_step(output, lengths):
    """output (B, T, H) padded after each sequence's end, lengths (B,) -> (B, H), the output at each true last step."""
    rows = torch.arange(output.shape[0])  # (B,)
    return output[rows, lengths - 1]  # steps count from 0


def final_features(h_n, num_layers):
    """h_n (num_layers * 2, B, H) of a bidirectional LSTM -> (B, 2H): the last layer's forward and backward states."""
    layers = h_n.view(num_layers, 2, *h_n.shape[1:])  # (num_layers, 2, B, H)
    forward, backward = layers[-1, 0], layers[-1, 1]  # (B, H) each
    return torch.cat([forward, backward], dim=-1)


def fused_gru_layer(x, h0, W_ih, W_hh, b_ih, b_hh):
    """x (T, B, I), h0 (B, H), weights as in nn.GRU (rows r, z, n) -> output (T, B, H), h_n (B, H)."""
    H = h0.shape[1]
    xw = x @ W_ih.T + b_ih  # (T, B, 3H): the input projections of every step, one multiply
    h, outputs = h0, []
    for xw_t in xw:  # one view per step (one unbind), not xw[t]: indexing makes the backward grow with T^2
        gh = h @ W_hh.T + b_hh  # (B, 3H): one fused recurrent multiply; b_hn must stay with W_hn h
        # r, z = sigmoid(W_i[rz] x + b_i[rz] + W_h[rz] h + b_h[rz])
        r = torch.sigmoid(xw_t[:, :H] + gh[:, :H])
        z = torch.sigmoid(xw_t[:, H:2 * H] + gh[:, H:2 * H])
        # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        n = torch.tanh(xw_t[:, 2 * H:] + r * gh[:, 2 * H:])
        # h_t = (1 - z) * n + z * h_{t-1}
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs), h


#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES = {1: ("concat_to_torch", "check_concat_to_torch"), 2: ("last_step", "check_last_step"),
             3: ("final_features", "check_final_features"), 4: ("fused_gru_layer", "check_fused_gru_layer")}
