"""Data made in code for the series' tasks: nothing is downloaded.

Each generator takes a size, a sequence length and a NumPy Generator (or seed), and returns
NumPy arrays batch-first, float64 inputs (B, T, I) and targets, plus what the trivial baseline
would score, so every notebook can draw the line a model has to beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, as_generator, check_positive_int


def _check_lag_task(n, T, lag):
    """Validate the sizes of a task that asks for an input `lag` steps back."""
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T")
    lag = check_positive_int(lag, "lag", minimum=0)
    if lag >= T:
        raise LessonError(f"lag should be smaller than the sequence length T = {T}; got lag = {lag}.")
    return n, T, lag


@dataclass
class Task:
    """Inputs (B, T, I), targets, and the loss of the best constant prediction (the baseline)."""

    x: np.ndarray
    y: np.ndarray
    baseline_mse: float


def adding_problem(n: int, T: int, seed=None) -> Task:
    """The adding problem (Hochreiter and Schmidhuber, 1997): sum the two marked numbers.

    Each step carries two inputs: a value in [0, 1) and a marker that is 1 at exactly two
    steps, one in the first half and one in the second. The target is the sum of the two
    marked values. Predicting the mean sum, 1.0, gives mean squared error 1/6 (the variance
    of a sum of two uniforms); that is the baseline a model must beat.
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T", minimum=2)
    rng = as_generator(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    marks = np.zeros((n, T))
    first = rng.integers(0, (T + 1) // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    second = np.where(second == first, (first + 1) % T, second)
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    x = np.stack([values, marks], axis=-1)  # (B, T, 2)
    y = (values * marks).sum(axis=1, keepdims=True)  # (B, 1)
    return Task(x, y, baseline_mse=1.0 / 6.0)


def delayed_recall(n: int, T: int, lag: int, seed=None) -> Task:
    """Recall at the last step the value that arrived `lag` steps before the end.

    Inputs are independent standard normal values, one per step (I = 1); the target is
    x[T - 1 - lag], so lag = 0 asks for the current input and larger lags need memory.
    Predicting 0 scores the variance, 1.0: the baseline.
    """
    n, T, lag = _check_lag_task(n, T, lag)
    x = as_generator(seed).standard_normal(size=(n, T, 1))  # (B, T, 1)
    y = x[:, T - 1 - lag].copy()  # (B, 1)
    return Task(x, y, baseline_mse=1.0)


def echo(n: int, T: int, lag: int, seed=None) -> Task:
    """Repeat the input `lag` steps late, at every step: a many-to-many memory task (introduced in 01).

    Inputs are independent standard normal values, one per step (I = 1); the target at step t
    is x[t - lag], and 0 for the first `lag` steps, before anything arrives to be echoed.
    Predicting 0 everywhere, the best constant, scores (T - lag) / T: the baseline.
    """
    n, T, lag = _check_lag_task(n, T, lag)
    x = as_generator(seed).standard_normal(size=(n, T, 1))  # (B, T, 1)
    y = np.zeros_like(x)  # (B, T, 1)
    # y_t = x_{t - lag}
    y[:, lag:] = x[:, :T - lag]
    return Task(x, y, baseline_mse=(T - lag) / T)
