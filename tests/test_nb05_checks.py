"""Notebook 05's checkers accept right answers, say "not attempted" to stubs, and name each slip."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_lessons import cells, checks
from lstm_lessons.checks import nb05
from lstm_lessons.checks.engine import NOT_ATTEMPTED
from lstm_lessons.solutions import nb05 as solved


def test_numbering_matches_the_solutions():
    assert {notebook for notebook, _ in nb05.EXERCISES.values()} == {"05"}
    by_number = {number: name for name, (_, number) in nb05.EXERCISES.items()}
    for number, (name, checker) in solved.EXERCISES.items():
        assert by_number[number] == name
        assert checker in nb05.__all__ and hasattr(checks, checker)


def test_solutions_pass():
    assert checks.check_quote_flag(solved.quote_flag).passed
    assert checks.check_dc_dh_prev(solved.dc_dh_prev).passed
    assert checks.check_min_forget_bias(solved.min_forget_bias).passed


def test_stubs_are_not_attempted():
    def stub(*args, **kwargs):
        raise NotImplementedError

    for check in (checks.check_quote_flag, checks.check_dc_dh_prev):
        assert check(stub).verdict == NOT_ATTEMPTED
    assert checks.check_min_forget_bias(...).verdict == NOT_ATTEMPTED


def test_the_reference_jacobian_block_is_autograd():
    rng = np.random.default_rng(0)
    w = cells.init_weights("lstm", 3, 4, seed=rng, scale=1.0)
    x, h, c = rng.normal(size=3), rng.normal(size=4), rng.normal(size=4)
    W_ih, W_hh, b = torch.tensor(w.W_ih), torch.tensor(w.W_hh), torch.tensor(w.b_ih + w.b_hh)

    def c_new(h_prev):
        i, f, g, _ = (W_ih @ torch.tensor(x) + W_hh @ h_prev + b).chunk(4)
        return torch.sigmoid(f) * torch.tensor(c) + torch.sigmoid(i) * torch.tanh(g)

    J = torch.autograd.functional.jacobian(c_new, torch.tensor(h)).numpy()
    np.testing.assert_allclose(nb05._reference_dc_dh(x, h, c, **w.arrays()), J, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(solved.dc_dh_prev(x, h, c, **w.arrays()), J, rtol=1e-10, atol=1e-14)


def test_the_reference_flag_tracks_quotes():
    w = nb05._reference_flag(20.0)
    for text in nb05.FLAG_STRINGS:
        c = cells.lstm_forward(nb05._encode_quotes(text), w).c[0, :, 0]
        np.testing.assert_array_equal(c > 0.5, nb05._inside(text).astype(bool))


def _flag_slip(edit):
    def quote_flag(sharpness=20.0):
        w = solved.quote_flag(sharpness)
        edit(w, sharpness)
        return w
    return quote_flag


@pytest.mark.parametrize("edit,words", [
    (lambda w, s: w.W_hh.__setitem__((2, 0), 0.0), "ignore h"),
    (lambda w, s: (w.W_ih.__setitem__((0, 1), 0.0), w.b_ih.__setitem__(0, s)), "every character"),
    (lambda w, s: (w.W_ih.__setitem__((1, 1), -s), w.b_ih.__setitem__(1, 0.0)), "f = 1/2"),
])
def test_flag_slips_are_named(edit, words):
    verdict = checks.check_quote_flag(_flag_slip(edit))
    assert not verdict.passed and words in verdict.hint, verdict


def test_flag_answers_of_the_wrong_kind_are_explained():
    verdict = checks.check_quote_flag(lambda sharpness=20.0: np.zeros(3))
    assert not verdict.passed and "cells.Weights" in verdict.message
    verdict = checks.check_quote_flag(lambda sharpness=20.0: cells.init_weights("lstm", 2, 2, seed=0))
    assert not verdict.passed and "hidden size 1" in verdict.message


def _dc_slip(**change):
    return lambda x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh: nb05._reference_dc_dh(
        x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, **change)


@pytest.mark.parametrize("slip,words", [
    (_dc_slip(drop=("f",)), "forget gate's term"),
    (_dc_slip(drop=("i",)), "input gate's term"),
    (_dc_slip(drop=("g",)), "candidate's term"),
    (_dc_slip(slope=False), "slopes"),
    (lambda **kw: nb05._reference_dc_dh(**kw).T, "transpose"),
])
def test_jacobian_slips_are_named(slip, words):
    verdict = checks.check_dc_dh_prev(slip)
    assert not verdict.passed and words in verdict.hint, verdict


def test_forget_bias_value():
    f = 0.5 ** (1 / 1000)
    assert checks.check_min_forget_bias(np.log(f / (1 - f))).passed
    assert checks.check_min_forget_bias(np.log(1000 / np.log(2))).passed  # the first-order answer is close enough
    verdict = checks.check_min_forget_bias(1.0)
    assert not verdict.passed and "log(f / (1 - f))" in verdict.hint
