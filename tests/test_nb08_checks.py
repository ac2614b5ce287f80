"""Notebook 08's checkers accept a right answer written another way and name each usual slip.

The wrong answers are written as a learner would write them, not with the checkers' own slip
functions, so a checker whose slip detection drifted fails here.
"""

import numpy as np
import pytest
import torch

from lstm_lessons import checks
from lstm_lessons.checks.engine import NOT_YET


# --------------------------------------------------------------------------- 1: adding_target

def test_adding_target_in_torch_or_with_a_mask_passes():
    def masked(x):
        marked = x[..., 1] == 1
        return np.where(marked, x[..., 0], 0.0).sum(1)[:, None]

    assert checks.check_adding_target(masked).passed
    in_torch = lambda x: torch.einsum("bt,bt->b", torch.from_numpy(x[..., 0]), torch.from_numpy(x[..., 1]))[:, None]
    assert checks.check_adding_target(in_torch).passed


@pytest.mark.parametrize("answer,hint", [
    (lambda x: x[:, :, 0].sum(1, keepdims=True), "every value, not only the two marked"),
    (lambda x: x[:, :, 1].sum(1, keepdims=True), "add up the markers"),
    (lambda x: np.mean(x[..., 0] * x[..., 1], axis=1, keepdims=True), "mean over time"),
])
def test_adding_target_slips_are_named(answer, hint):
    result = checks.check_adding_target(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_adding_target_without_keepdims_is_told_its_shape():
    result = checks.check_adding_target(lambda x: (x[..., 0] * x[..., 1]).sum(1))
    assert not result and "should have shape (1, 1)" in result.message


# --------------------------------------------------------------------------- 2: set_forget_bias

def fill_forget(lstm, value):
    """A right answer written another way: through named_parameters and a view."""
    H = lstm.hidden_size
    for name, p in lstm.named_parameters():
        if name.startswith("bias"):
            p.data.view(4, H)[1] = value if "ih" in name else 0.0


def test_set_forget_bias_by_name_passes():
    assert checks.check_set_forget_bias(fill_forget).passed


def test_set_forget_bias_split_between_the_two_vectors_passes():
    """Only b_ih + b_hh reaches the gate: half of value in each vector is right too."""
    def split(lstm, value):
        H = lstm.hidden_size
        with torch.no_grad():
            for k in range(lstm.num_layers):
                getattr(lstm, f"bias_ih_l{k}")[H:2 * H] = value / 2
                getattr(lstm, f"bias_hh_l{k}")[H:2 * H] = value / 2
    assert checks.check_set_forget_bias(split).passed


def _write(block, ih=True, hh=0.0, layers=None):
    def answer(lstm, value):
        H = lstm.hidden_size
        with torch.no_grad():
            for k in range(layers or lstm.num_layers):
                if ih:
                    getattr(lstm, f"bias_ih_l{k}")[block * H:(block + 1) * H] = value
                if hh is not None:
                    getattr(lstm, f"bias_hh_l{k}")[block * H:(block + 1) * H] = value if hh == "value" else hh
    return answer


@pytest.mark.parametrize("answer,hint", [
    (_write(0), "the input gate's"),
    (_write(2), "the candidate's"),
    (_write(1, hh="value"), "2 * value"),
    (_write(1, hh=None), "value plus a random number"),
    (_write(1, layers=1), "only the first layer"),
])
def test_set_forget_bias_slips_are_named(answer, hint):
    result = checks.check_set_forget_bias(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_set_forget_bias_that_does_nothing_is_not_accepted():
    result = checks.check_set_forget_bias(lambda lstm, value: lstm)
    assert result.verdict == NOT_YET and "differs from the reference" in result.message


# --------------------------------------------------------------------------- 3: best_constant_mse

def test_best_constant_mse_by_simulation_formula_passes():
    assert checks.check_best_constant_mse(lambda low, high: (high - low) ** 2 / 6).passed


@pytest.mark.parametrize("answer,hint", [
    (lambda low, high: (high - low) ** 2 / 12, "variance of one value"),
    (lambda low, high: (high - low) / 6, "forget to square the width"),
    (lambda low, high: ((high - low) / 12 ** 0.5 * 2) ** 2, "add the standard deviations"),
])
def test_best_constant_mse_slips_are_named(answer, hint):
    result = checks.check_best_constant_mse(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)
