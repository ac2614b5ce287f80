"""Solutions to notebook 02's exercises. Try each one first: its checker tells you where you stand."""

import numpy as np


def clip_by_global_norm(grads, max_norm):
    """grads: a list of arrays -> the list, all scaled by min(1, max_norm / global norm)."""
    # ||g|| over every entry of every array, as one long vector
    total = np.sqrt(sum((g**2).sum() for g in grads))
    # g <- g * min(1, c / ||g||)
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return [g * scale for g in grads]


def gradient_norm_after(W, k):
    """W (H, H), k >= 0 -> ||W^k||_2, the gradient norm k steps back through a linear RNN."""
    # W^k is the matrix power (W @ W @ ... @ W), not W ** k entry by entry
    return np.linalg.norm(np.linalg.matrix_power(W, k), ord=2)


def steps_below(rate, fraction):
    """The smallest number of steps k >= 0 with rate**k < fraction, for 0 < rate < 1."""
    k, norm = 0, 1.0
    while norm >= fraction:  # "below" is strict: rate**k == fraction is not yet below
        norm *= rate
        k += 1
    return k


EXERCISES = {1: ("clip_by_global_norm", "check_clip_by_global_norm"),
             2: ("gradient_norm_after", "check_gradient_norm_after"), 3: ("steps_below", "check_steps_below")}
