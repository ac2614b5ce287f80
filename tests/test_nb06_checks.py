"""Notebook 06's checkers: they pass the right answers, name each common slip, and greet a stub as not attempted."""

import numpy as np
import pytest

from lstm_lessons import checks, variants
from lstm_lessons.checks import nb06
from lstm_lessons.solutions import nb06 as solutions


def _negated(rows, biases=True):
    def fn(W_ih, W_hh, b_ih, b_hh):
        H = W_hh.shape[1]
        out = [np.array(a, dtype=float) for a in (W_ih, W_hh, b_ih, b_hh)]
        for k in rows:
            for a in out if biases else out[:2]:
                a[k * H:(k + 1) * H] *= -1
        return tuple(out)
    return fn


@pytest.mark.parametrize("fn,slip", [
    (_negated([]), "unchanged"),
    (_negated([1], biases=False), "but not its biases"),
    (_negated([0]), "reset gate's block"),
    (_negated([0, 1, 2]), "every gate's block"),
])
def test_keep_to_write_slips_are_named(fn, slip):
    result = checks.check_keep_to_write(fn)
    assert not result.passed and slip in result.hint, (result.message, result.hint)


def test_keep_to_write_explains_a_wrong_return():
    r = checks.check_keep_to_write(lambda W_ih, W_hh, b_ih, b_hh: (W_ih, W_hh))
    assert not r.passed and "four arrays" in r.message
    r = checks.check_keep_to_write(lambda W_ih, W_hh, b_ih, b_hh: (W_ih.T, W_hh, b_ih, b_hh))
    assert not r.passed and "keep their shapes" in r.message
    r = checks.check_keep_to_write(lambda W_ih, W_hh, b_ih, b_hh: None)
    assert not r.passed and "return statement" in r.message


def test_keep_to_write_refuses_an_answer_that_changes_its_inputs():
    def in_place(W_ih, W_hh, b_ih, b_hh):
        H = W_hh.shape[1]
        for a in (W_ih, W_hh, b_ih, b_hh):
            a[H:2 * H] *= -1
        return W_ih, W_hh, b_ih, b_hh
    r = checks.check_keep_to_write(in_place)
    assert not r.passed and "changed the arrays it was given" in r.message, (r.message, r.hint)


def test_keep_to_write_accepts_an_answer_that_moves_the_bias_between_b_ih_and_b_hh():
    def other(W_ih, W_hh, b_ih, b_hh):
        W_ih, W_hh, b_ih, b_hh = solutions.keep_to_write(W_ih, W_hh, b_ih, b_hh)
        H = W_hh.shape[1]
        b_ih, b_hh = b_ih.copy(), b_hh.copy()
        b_ih[H:2 * H] += b_hh[H:2 * H]
        b_hh[H:2 * H] = 0.0
        return W_ih, W_hh, b_ih, b_hh
    assert checks.check_keep_to_write(other).passed


def _peephole_slip(**kwargs):
    return lambda **k: nb06._peephole(k, **kwargs)


@pytest.mark.parametrize("fn,slip", [
    (_peephole_slip(o_sees_new=False), "peek at the old cell"),
    (_peephole_slip(use=False), "leave the peepholes out"),
    (_peephole_slip(p_order=("p_f", "p_i", "p_o")), "swap p_i and p_f"),
    (lambda **k: nb06._peephole(k)[::-1], "return (c, h)"),
])
def test_peephole_slips_are_named(fn, slip):
    result = checks.check_peephole_step(fn)
    assert not result.passed and slip in result.hint, (result.message, result.hint)


def test_the_peephole_reference_is_the_package_step():
    case = nb06._peephole_cases()[2].kwargs
    s = variants.peephole_lstm_step(**case)
    h, c = nb06._peephole(case)
    np.testing.assert_allclose(h, s.h, atol=1e-14)
    np.testing.assert_allclose(c, s.c, atol=1e-14)


def test_equal_params_hidden_is_computed_and_wrong_answers_get_hints():
    assert nb06.equal_params_hidden(2, 32) == 37
    assert nb06.equal_params_hidden(10, 8) == 10  # LSTM 4*8*20 = 640; GRU 3*9*21 = 567, 3*10*22 = 660
    assert checks.check_equal_params_hidden(37).passed
    assert "H^2" in checks.check_equal_params_hidden(43).hint
    assert "3/4" in checks.check_equal_params_hidden(32).hint
    assert not checks.check_equal_params_hidden(38).passed
    assert "whole number" in checks.check_equal_params_hidden("many").message


def test_gru_step_checker_is_not_an_exercise_but_checks_the_build_cells():
    result = checks.check_gru_step(lambda **k: (_ for _ in ()).throw(NotImplementedError))
    assert result.verdict == checks.NOT_ATTEMPTED and "show_solution" not in result.hint
    assert set(nb06.EXERCISES) == {name for name, _ in solutions.EXERCISES.values()}
    assert sorted(n for _, n in nb06.EXERCISES.values()) == sorted(solutions.EXERCISES)
