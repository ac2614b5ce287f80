"""Checkers for notebook 08's exercises: the adding problem's target, the forget-gate bias, the constant baseline."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

from .. import long_tasks, tasks
from .engine import Case, CheckResult, check_function

__all__ = ["check_adding_target", "check_set_forget_bias", "check_best_constant_mse"]

EXERCISES = {"adding_target": ("08", 1), "set_forget_bias": ("08", 2), "best_constant_mse": ("08", 3)}


def check_adding_target(fn: Callable) -> CheckResult:
    """Notebook 08: fn(x) -> y (B, 1), the sum of the two marked values of each sequence x (B, T, 2)."""
    cases = [Case(f"{desc}: batch {n}, length {T}", {"x": tasks.adding_problem(n, T, seed=k).x})
             for k, (desc, n, T) in enumerate([("one sequence", 1, 6), ("the shortest sequences", 5, 2),
                                               ("a general batch", 8, 40)])]

    def ref(x):
        # y = sum_t x_t,value * x_t,mark: only the two marked values count
        return (x[..., 0] * x[..., 1]).sum(axis=1, keepdims=True)  # (B, 1)

    mistakes = {
        "add up every value, not only the two marked ones": lambda x: x[..., 0].sum(axis=1, keepdims=True),
        "add up the markers (always 2) instead of the values they mark": lambda x: x[..., 1].sum(axis=1, keepdims=True),
        "take the mean over time instead of the sum": lambda x: (x[..., 0] * x[..., 1]).mean(axis=1, keepdims=True),
    }
    return check_function(fn, ref, cases, name="your adding_target", outputs=("y",), mistakes=mistakes,
                          exercise=EXERCISES["adding_target"])


def _biases_after(fn: Callable, hidden_size: int, num_layers: int, value: float) -> np.ndarray:
    """Run fn on a freshly drawn nn.LSTM; return each layer's gate biases b_ih + b_hh afterwards, joined.

    Only the sum reaches a gate, so any split of `value` between the two vectors is accepted.
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, hidden_size, num_layers=num_layers)
    fn(lstm, value)
    return np.concatenate([(getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")).detach().numpy()
                           .astype(float) for k in range(num_layers)])


def check_set_forget_bias(fn: Callable) -> CheckResult:
    """Notebook 08: fn(lstm, value) sets the forget gate's bias of every layer: b_ih rows H:2H = value, b_hh's = 0."""
    cases = [Case(f"hidden size {H}, {L} layer{'s' * (L > 1)}, value {v}",
                  {"hidden_size": H, "num_layers": L, "value": v}) for H, L, v in [(1, 1, 1.0), (4, 1, 2.0), (3, 2, 1.5)]]

    def wrap(f):
        return lambda hidden_size, num_layers, value: _biases_after(f, hidden_size, num_layers, value)

    def rows(block, both=False, layers=None, keep_hh=False):
        """A slip: write gate block `block` (0 i, 1 f, 2 g, 3 o) of the first `layers` layers."""
        def slip(lstm, value):
            H = lstm.hidden_size
            with torch.no_grad():
                for layer in range(lstm.num_layers if layers is None else layers):
                    getattr(lstm, f"bias_ih_l{layer}")[block * H:(block + 1) * H] = value
                    if not keep_hh:
                        getattr(lstm, f"bias_hh_l{layer}")[block * H:(block + 1) * H] = value if both else 0.0
        return slip

    mistakes = {
        "set rows 0:H, the input gate's (PyTorch's gate order is i, f, g, o: the forget gate is rows H:2H)":
            wrap(rows(0)),
        "set rows 2H:3H, the candidate's (the forget gate is the second block, rows H:2H)": wrap(rows(2)),
        "set both bias vectors to value, so the gate's bias b_ih + b_hh is 2 * value": wrap(rows(1, both=True)),
        "leave b_hh's forget rows as they were drawn, so the gate's bias is value plus a random number":
            wrap(rows(1, keep_hh=True)),
        "set only the first layer (a stacked LSTM has bias_ih_l1, bias_hh_l1, ... too)": wrap(rows(1, layers=1)),
    }
    return check_function(wrap(fn), wrap(long_tasks.set_forget_bias), cases, name="your set_forget_bias",
                          outputs=("each layer's gate biases b_ih + b_hh afterwards, joined",), mistakes=mistakes,
                          exercise=EXERCISES["set_forget_bias"])


def check_best_constant_mse(fn: Callable) -> CheckResult:
    """Notebook 08: fn(low, high) -> the MSE of the best constant guess of X1 + X2, both uniform on [low, high]."""
    cases = [Case("values in [2, 5]", {"low": 2.0, "high": 5.0}),  # first: width 3 tells every slip apart
             Case("values in [0, 1], this notebook's adding problem", {"low": 0.0, "high": 1.0}),
             Case("values in [-1, 1], the 1997 paper's values", {"low": -1.0, "high": 1.0})]

    def ref(low, high):
        # Var(X1 + X2) = 2 Var(X) = 2 (high - low)^2 / 12: the mean (low + high) is the best constant
        return 2 * (high - low) ** 2 / 12

    mistakes = {
        "use the variance of one value, (high - low)^2 / 12, not of the sum of two": lambda low, high: (high - low) ** 2 / 12,
        "forget to square the width: the variance of U(low, high) is (high - low)^2 / 12": lambda low, high: 2 * (
            high - low) / 12,
        "add the standard deviations instead of the variances (Var(X1 + X2) = Var(X1) + Var(X2) for independent X1, X2)":
            lambda low, high: (2 * (high - low) / np.sqrt(12)) ** 2,
    }
    return check_function(fn, ref, cases, name="your best_constant_mse", outputs=("the MSE",), mistakes=mistakes,
                          exercise=EXERCISES["best_constant_mse"])
