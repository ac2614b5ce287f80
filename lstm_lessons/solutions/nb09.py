"""Solutions to notebook 09's exercises. Try each one first: its checker tells you where you stand."""

import torch


def tar_term(h, beta):
    """h (B, T, H) the layer's outputs before dropout, beta >= 0 -> beta * mean((h_t - h_(t-1))^2), one number."""
    # the step-to-step change of every unit, along the time axis (axis 1 with batch_first): (B, T - 1, H)
    change = h[:, 1:] - h[:, :-1]
    return beta * change.pow(2).mean()


def sample_token(logits, temperature, u):
    """logits (N, V), temperature T > 0, u (N,) uniform in [0, 1) -> (N,) token ids sampled from softmax(logits / T)."""
    p = torch.softmax(logits / temperature, dim=-1)  # (N, V)
    cdf = p.cumsum(dim=-1)  # (N, V): increasing, the last entry 1 (up to rounding)
    # the first k with cdf[k] > u: count the entries that are still <= u
    k = (cdf <= u[:, None]).sum(dim=-1)
    return k.clamp(max=logits.shape[-1] - 1)  # a u above the rounded total picks the last word


def most_common_baseline(train_ids, valid_ids):
    """train_ids (N,), valid_ids (M,) token ids -> the share of valid_ids equal to train_ids' most common token."""
    top = torch.bincount(train_ids).argmax()  # decided on the training part only
    return (valid_ids == top).double().mean().item()


EXERCISES = {1: ("tar_term", "check_tar_term"), 2: ("sample_token", "check_sample_token"),
             3: ("most_common_baseline", "check_most_common_baseline")}
