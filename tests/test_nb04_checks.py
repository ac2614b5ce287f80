"""Notebook 04's checkers accept right answers, say "not attempted" to stubs, and name each slip."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_lessons import cells, checks
from lstm_lessons.checks import nb04
from lstm_lessons.solutions import nb04 as solved
from lstm_lessons.checks.engine import NOT_ATTEMPTED


def test_numbering_matches_the_solutions():
    assert {number for number, _ in nb04.EXERCISES.values()} == {"04"}
    by_number = {number: name for name, (_, number) in nb04.EXERCISES.items()}
    for number, (name, checker) in solved.EXERCISES.items():
        assert by_number[number] == name
        assert checker in nb04.__all__ and hasattr(checks, checker)


def test_solutions_pass_and_stubs_are_not_attempted():
    for _, (name, checker) in solved.EXERCISES.items():
        check = getattr(checks, checker)
        assert check(getattr(solved, name)).passed
        verdict = check(lambda **kwargs: (_ for _ in ()).throw(NotImplementedError()))
        assert verdict.verdict == NOT_ATTEMPTED


@pytest.mark.parametrize("slip,words", [
    (lambda f, i, g, c_prev: i * c_prev + f * g, "swap the two gates"),
    (lambda f, i, g, c_prev: f * c_prev + g, "leave out the input gate"),
    (lambda f, i, g, c_prev: c_prev + i * g, "leave out the forget gate"),
    (lambda f, i, g, c_prev: (1 - f) * c_prev + i * g, "share to forget"),
    (lambda f, i, g, c_prev: np.tanh(f * c_prev + i * g), "squash the new cell state"),
    (lambda f, i, g, c_prev: f * c_prev * i * g, "multiply the two terms"),
])
def test_cell_update_slips_are_named(slip, words):
    result = checks.check_cell_update(slip)
    assert not result.passed and words in result.hint, (result.message, result.hint)


def test_cell_update_wrong_shape_and_unknown_slip():
    result = checks.check_cell_update(lambda f, i, g, c_prev: (f * c_prev + i * g).sum(axis=1))
    assert not result.passed and "should have shape" in result.message
    result = checks.check_cell_update(lambda f, i, g, c_prev: f * c_prev + i * g + 0.01)
    assert not result.passed and result.hint == ""


def _step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, drop_b_hh=False):
    s = cells.lstm_step(x, h_prev, c_prev, cells.Weights("lstm", W_ih, W_hh, b_ih, 0 * b_hh if drop_b_hh else b_hh))
    return s.h, s.c


def test_lstm_step_names_a_missing_second_bias():
    result = checks.check_lstm_step(lambda **k: _step(**k, drop_b_hh=True))
    assert not result.passed and "leave out the second bias b_hh" in result.hint


@pytest.mark.parametrize("slip,words", [
    (lambda W, b, H: (W[:, :W.shape[1] - H], W[:, W.shape[1] - H:], b, 0 * b), "take W_ih from the first columns"),
    (lambda W, b, H: (W[:, H:], W[:, :H], b, b), "b would count twice"),
    (lambda W, b, H: (W[:, H:], W[:, :H], 0 * b, 0 * b), "zeros for both biases"),
])
def test_split_weights_slips_are_named(slip, words):
    result = checks.check_split_weights(slip)
    assert not result.passed and words in result.hint, (result.message, result.hint)


def test_split_weights_accepts_any_split_of_the_bias():
    for share in (0.0, 0.3, 1.0):
        result = checks.check_split_weights(lambda W, b, H: (W[:, H:], W[:, :H], share * b, (1 - share) * b))
        assert result.passed, result.message


def test_split_weights_structural_mistakes():
    three = checks.check_split_weights(lambda W, b, H: (W[:, H:], W[:, :H], b))
    assert not three.passed and "should return four arrays" in three.message and "a tuple of 3" in three.message
    rows = checks.check_split_weights(lambda W, b, H: (W[H:], W[:H], b, 0 * b))
    assert not rows.passed and "should have shape" in rows.message
    assert "not its result" in checks.check_split_weights((1, 2, 3, 4)).message


def test_the_concatenated_form_computes_the_same_gates():
    """The checker's reference is right: with W = [W_hh | W_ih], b = b_ih + b_hh, W [h, x] + b is PyTorch's sum."""
    rng = np.random.default_rng(0)
    w = cells.init_weights("lstm", 3, 2, seed=rng)
    W, b = np.concatenate([w.W_hh, w.W_ih], axis=1), w.b_ih + w.b_hh
    W_ih, W_hh, b_ih, b_hh = solved.split_weights(W, b, 2)
    np.testing.assert_array_equal(W_ih, w.W_ih)
    np.testing.assert_array_equal(W_hh, w.W_hh)
    x, h = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    np.testing.assert_allclose(np.concatenate([h, x], 1) @ W.T + b,
                               x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, atol=1e-13)
