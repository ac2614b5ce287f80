"""Checkers for notebook 02's exercises: clipping by global norm, the norm of W^k, steps until a gradient is small."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import gradients
from .engine import Case, CheckResult, check_function

__all__ = ["check_clip_by_global_norm", "check_gradient_norm_after", "check_steps_below"]

EXERCISES = {"clip_by_global_norm": ("02", 1), "gradient_norm_after": ("02", 2), "steps_below": ("02", 3)}


def _reference_clip(grads, max_norm):
    """Clip by global norm, as gradients.clip_by_global_norm does (the clipped list only)."""
    return gradients.clip_by_global_norm(grads, max_norm)[0]


def _flat(arrays):
    """A list of arrays as one flat vector (what the clipping checker compares)."""
    if arrays is Ellipsis:
        raise NotImplementedError  # the stub's placeholder: reported as not attempted
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
        raise TypeError(f"it should return a list of arrays, one per gradient; got {type(arrays).__name__}")
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])


def check_clip_by_global_norm(fn: Callable) -> CheckResult:
    """Notebook 02: fn(grads, max_norm) -> list of arrays, all scaled by one factor min(1, max_norm / global norm)."""
    rng = np.random.default_rng(2)
    raw = [("one large weight matrix and its bias (clipped)", [rng.normal(size=(4, 3)) * 5, rng.normal(size=(4,)) * 5], 1.0),
           ("gradients already shorter than max_norm (left alone)", [rng.normal(size=(2, 2)) * 0.1, rng.normal(size=(2,)) * 0.1], 5.0),
           ("three arrays of different sizes (clipped)", [rng.normal(size=(3, 3)), rng.normal(size=(3,)) * 10,
                                                         rng.normal(size=(1, 3)) * 0.01], 2.0)]
    cases = [Case(desc, {"grads": grads, "max_norm": c}) for desc, grads, c in raw]

    def copied(grads):
        return [np.array(g, dtype=float, copy=True) for g in grads]

    def wrap(f):
        return lambda grads, max_norm: _flat(f(copied(grads), max_norm))

    def per_array(grads, max_norm):
        return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]

    def always(grads, max_norm):
        return [g * max_norm / np.sqrt(sum((x**2).sum() for x in grads)) for g in grads]

    def sum_of_norms(grads, max_norm):
        total = sum(np.linalg.norm(g) for g in grads)
        return [g * min(1.0, max_norm / total) for g in grads]

    def no_sqrt(grads, max_norm):
        total = sum((g**2).sum() for g in grads)
        return [g * min(1.0, max_norm / total) for g in grads]

    mistakes = {
        "clip each array by its own norm instead of by the one global norm of all of them": wrap(per_array),
        "clip every entry to [-max_norm, max_norm] (clipping by value, np.clip) instead of rescaling": wrap(
            lambda grads, max_norm: [np.clip(g, -max_norm, max_norm) for g in grads]),
        "always rescale to length max_norm, even when the gradients are already shorter (use min(1, ...))": wrap(always),
        "add up the norms of the arrays instead of taking the root of the sum of all squares": wrap(sum_of_norms),
        "forget the square root (divide by the sum of squares, not its root)": wrap(no_sqrt),
    }
    # check_function passes each case's own copy; wrap() copies again so an in-place answer cannot leak between runs.
    return check_function(wrap(fn), wrap(_reference_clip), cases, name="your clip_by_global_norm",
                          outputs=("the clipped gradients (all arrays, flattened and joined)",), mistakes=mistakes,
                          exercise=EXERCISES["clip_by_global_norm"])


def check_gradient_norm_after(fn: Callable) -> CheckResult:
    """Notebook 02: fn(W, k) -> ||W^k||_2, the gradient norm after k steps back through a linear RNN."""
    rng = np.random.default_rng(3)
    gaussian = rng.normal(size=(5, 5))
    gaussian *= 0.9 / np.max(np.abs(np.linalg.eigvals(gaussian)))
    skewed = np.array([[0.5, 2.0, 0.0], [0.0, 0.6, 1.5], [0.0, 0.0, 0.7]])
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    cases = [Case("a random 5x5 W with spectral radius 0.9, k = 6", {"W": gaussian, "k": 6}),
             Case("an upper-triangular 3x3 W, k = 3", {"W": skewed, "k": 3}),
             Case("1.2 times an orthogonal 4x4 W, k = 10", {"W": 1.2 * q, "k": 10}),
             Case("k = 0 steps (no step back: the identity)", {"W": skewed, "k": 0})]

    def ref(W, k):
        # ||dh_T/dh_(T-k)||_2 = ||W^k||_2, the largest singular value of the k-th matrix power
        return np.linalg.norm(np.linalg.matrix_power(W, k), 2)

    mistakes = {
        "use the spectral radius to the power k, rho^k (that is only a lower bound, met in the long run)": lambda W, k: np.max(
            np.abs(np.linalg.eigvals(W))) ** k,
        "use the largest singular value to the power k, sigma_max^k (that is an upper bound)": lambda W, k: np.linalg.norm(
            W, 2) ** k,
        "take the Frobenius norm (np.linalg.norm's default for a matrix) instead of the largest singular value":
            lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, k)),
        "raise every entry to the power k (W ** k) instead of multiplying the matrix k times":
            lambda W, k: np.linalg.norm(W ** k, 2),
        "multiply W only k - 1 times": lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, max(k - 1, 0)), 2),
        "multiply W k + 1 times": lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, k + 1), 2),
    }
    return check_function(fn, ref, cases, name="your gradient_norm_after", outputs=("the norm",), mistakes=mistakes,
                          exercise=EXERCISES["gradient_norm_after"])


def _steps_below_reference(rate, fraction):
    # the smallest k >= 0 with rate^k < fraction, found by stepping (exact where a formula rounds badly)
    k, norm = 0, 1.0
    while norm >= fraction:
        norm *= rate
        k += 1
    return k


def check_steps_below(fn: Callable) -> CheckResult:
    """Notebook 02: fn(rate, fraction) -> the smallest number of steps k with rate**k < fraction (0 < rate < 1)."""
    cases = [Case("rate 0.9, fraction 0.01", {"rate": 0.9, "fraction": 0.01}),
             Case("rate 0.5, fraction 0.001", {"rate": 0.5, "fraction": 0.001}),
             Case("rate 0.99, fraction 0.5", {"rate": 0.99, "fraction": 0.5}),
             Case("rate 0.6, fraction 0.6 (after one step the norm equals the fraction: not yet below it)",
                  {"rate": 0.6, "fraction": 0.6}),
             Case("rate 0.3, fraction 2.0 (already below at k = 0)", {"rate": 0.3, "fraction": 2.0})]
    mistakes = {  # the first that matches is named: ceil before the general "one step too few"
        "round log(fraction) / log(rate) up with ceil, which stops at rate**k == fraction (not below it)":
            lambda rate, fraction: max(np.ceil(np.log(fraction) / np.log(rate)), 0),
        "stop at the last k with rate**k >= fraction (one step too few)": lambda rate, fraction: max(
            _steps_below_reference(rate, fraction) - 1, 0),
        "return log(fraction) / log(rate) without rounding up to a whole number of steps": lambda rate, fraction:
            np.log(fraction) / np.log(rate),
        "round log(fraction) / log(rate) down instead of up": lambda rate, fraction: np.floor(
            np.log(fraction) / np.log(rate)),
    }
    return check_function(fn, _steps_below_reference, cases, name="your steps_below", outputs=("k",),
                          mistakes=mistakes, rtol=0, atol=0, exercise=EXERCISES["steps_below"])
