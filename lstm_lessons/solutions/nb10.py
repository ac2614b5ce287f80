"""Solutions to notebook 10's exercises. Try each one first: its checker tells you where you stand."""

import torch


def ends_labels(x, lengths):
    """x (B, T) token ids padded after each end, lengths (B,) int64 -> (B,) int64, 1 where the last token is larger."""
    rows = torch.arange(len(lengths))  # (B,)
    first = x[:, 0]  # (B,): every sequence starts at step 0
    last = x[rows, lengths - 1]  # (B,): step lengths[b] - 1, not x[:, -1], which is padding for shorter sequences
    return (last > first).long()


def masked_max(output, lengths):
    """output (B, T, F) padded after each end, lengths (B,) int64 -> (B, F), the maximum over the real steps only."""
    T = output.shape[1]
    real = torch.arange(T)[None, :] < lengths[:, None]  # (B, T): True at steps t < lengths[b]
    # -inf, not 0: the padding must never win, even where every real value is negative
    return output.masked_fill(~real[..., None], float("-inf")).max(dim=1).values  # (B, F)


def one_end_accuracy(tokens):
    """The best accuracy on the ends task from the last token alone, for tokens 1..tokens (every ordered pair of
    different tokens equally likely)."""
    K = tokens
    total = 0
    for v in range(1, K + 1):
        below, above = v - 1, K - v  # how many first tokens would make v the larger, or the smaller
        total += max(below, above)  # answer with the likelier side
    return total / (K * (K - 1))  # K (K - 1) ordered pairs of different tokens


EXERCISES = {1: ("ends_labels", "check_ends_labels"), 2: ("masked_max", "check_masked_max"),
             3: ("one_end_accuracy", "check_one_end_accuracy")}
