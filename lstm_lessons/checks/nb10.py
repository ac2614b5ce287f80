"""Checkers for notebook 10's exercises: sequence classification.

The labels of the "which end is larger?" task from a padded batch, max-pooling over time that
ignores the padding, and the best accuracy from one end of a sequence alone. The references are
NumPy (and, for the labels, `classify.ends_task` itself); torch is imported when a checker runs,
not at import time.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .engine import Case, CheckResult, check_function

__all__ = ["check_ends_labels", "check_masked_max", "check_one_end_accuracy"]

#: exercise name -> ("10", number), so that a stub's verdict can point to show_solution("10", number).
EXERCISES = {"ends_labels": ("10", 1), "masked_max": ("10", 2), "one_end_accuracy": ("10", 3)}


def _numpy(value):
    """A learner's result (a tensor, an array, a bool tensor) as a float NumPy array the engine can compare."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return value


def _torch_call(fn: Callable) -> Callable:
    """Call fn with every NumPy argument as a fresh torch tensor (integer arrays as int64, others float32)."""
    import torch

    if not callable(fn):
        return fn  # check_function explains that the function itself is wanted

    def call(**kwargs):
        args = {k: torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return _numpy(fn(**args))

    return call


# --------------------------------------------------------------------------- 1: the labels from a padded batch

def _ends_case(rng, n, min_length, max_length):
    from ..classify import ends_task

    task = ends_task(n, min_length, max_length, seed=rng)
    return {"x": task.x, "lengths": task.lengths}


def check_ends_labels(fn: Callable) -> CheckResult:
    """Notebook 10: fn(x, lengths) -> (B,), 1 where a sequence's last real token is larger than its first, else 0."""
    rng = np.random.default_rng(10)
    cases = [Case("one sequence of length 2, no padding", _ends_case(rng, 1, 2, 2)),
             Case("batch 6, lengths 2 to 5, padded", _ends_case(rng, 6, 2, 5)),
             Case("batch 20, lengths 5 to 40, padded", _ends_case(rng, 20, 5, 40))]

    def ref(x, lengths):
        rows = np.arange(len(lengths))
        return (x[rows, lengths - 1] > x[rows, 0]).astype(float)  # (B,)

    mistakes = {
        "compare with x[:, -1], the last padded step, which is the padding (0) for every shorter sequence":
            lambda x, lengths: (x[:, -1] > x[:, 0]).astype(float),
        "compare the wrong way round: the label is 1 where the last token is the larger":
            lambda x, lengths: (x[np.arange(len(lengths)), lengths - 1] < x[:, 0]).astype(float),
    }
    return check_function(_torch_call(fn), ref, cases, name="your ends_labels", outputs=("the labels (B,)",),
                          mistakes=mistakes, exercise=EXERCISES["ends_labels"])


# --------------------------------------------------------------------------- 2: masked max-pooling

def _pooling_case(rng, B, T, F, lengths, negative=False):
    output = rng.normal(size=(B, T, F))
    if negative:
        output = -np.abs(output) - 0.1  # every value below zero: where filling the padding with 0 goes wrong
    for b, n in enumerate(lengths):
        output[b, n:] = 0.0  # what pad_packed_sequence puts after each end
    return {"output": output.astype(np.float32), "lengths": np.array(lengths, dtype=np.int64)}


def check_masked_max(fn: Callable) -> CheckResult:
    """Notebook 10: fn(output, lengths) -> (B, F), the maximum of output (B, T, F) over each sequence's real steps."""
    rng = np.random.default_rng(11)
    cases = [Case("batch 1, no padding", _pooling_case(rng, 1, 4, 3, [4])),
             Case("batch 3, every value negative, lengths 2, 5, 1", _pooling_case(rng, 3, 5, 2, [2, 5, 1], True)),
             Case("batch 4, lengths 3, 6, 6, 2", _pooling_case(rng, 4, 6, 5, [3, 6, 6, 2]))]

    def masked(output, lengths, fill, shift=0):
        steps = np.arange(output.shape[1])[None, :, None]  # (1, T, 1)
        return np.where(steps < lengths[:, None, None] + shift, output, fill).max(axis=1)  # (B, F)

    mistakes = {
        "set the padding to 0 before the maximum: where every real value is negative, the padding's 0 wins "
        "(fill it with -inf instead)": lambda output, lengths: masked(output, lengths, 0.0),
        "take the maximum over every step, padding included": lambda output, lengths: output.max(axis=1),
        "keep one step too few (steps t < lengths - 1)": lambda output, lengths: masked(output, lengths, -np.inf, -1),
    }
    return check_function(_torch_call(fn), lambda output, lengths: masked(output, lengths, -np.inf), cases,
                          name="your masked_max", outputs=("the pooled features (B, F)",), mistakes=mistakes,
                          rtol=1e-6, atol=1e-7, exercise=EXERCISES["masked_max"])


# --------------------------------------------------------------------------- 3: the best from one end

def check_one_end_accuracy(fn: Callable) -> CheckResult:
    """Notebook 10: fn(tokens) -> the best accuracy on the ends task of a model that sees only the last token."""
    cases = [Case("three tokens", {"tokens": 3}),  # first: every slip below gives another number here
             Case("two tokens: one end gives the other away", {"tokens": 2}),
             Case("nine tokens, this notebook's task", {"tokens": 9}),
             Case("ten tokens", {"tokens": 10})]

    def ref(tokens):
        from ..classify import one_end_accuracy

        return one_end_accuracy(tokens)

    def counts(tokens):
        v = np.arange(1, tokens + 1)
        return v, np.maximum(v - 1, tokens - v)

    mistakes = {
        "divide by tokens ** 2, counting pairs of equal tokens, which the task never draws":
            lambda tokens: counts(tokens)[1].sum() / tokens ** 2,
        "answer 1/2, the majority baseline: the last token alone tells more than nothing": lambda tokens: 0.5,
        "take the mean over v of min(v - 1, K - v) / (K - 1), the wrong answer's share, not the right one's":
            lambda tokens: (tokens * (tokens - 1) - counts(tokens)[1].sum()) / (tokens * (tokens - 1)),
    }
    return check_function(fn, ref, cases, name="your one_end_accuracy", outputs=("the accuracy",), mistakes=mistakes,
                          exercise=EXERCISES["one_end_accuracy"])
