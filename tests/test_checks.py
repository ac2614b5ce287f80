"""The exercise checkers accept a correct answer and name each kind of wrong one."""

import numpy as np
import pytest

from lstm_lessons import checks
from lstm_lessons.cells import sigmoid


def rnn_ok(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def lstm_ok(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="ifgo", squash=True, ret="hc"):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    i, f, g, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), np.tanh(blocks["g"]), sigmoid(blocks["o"])
    c = f * c_prev + i * g
    h = o * (np.tanh(c) if squash else c)
    return (h, c) if ret == "hc" else (c, h)


def gru_ok(x, h_prev, W_ih, W_hh, b_ih, b_hh, before=False, write=False):
    H = h_prev.shape[1]
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    r, z = sigmoid(gi[:, :H] + gh[:, :H]), sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    if before:
        n = np.tanh(gi[:, 2 * H:] + (r * h_prev) @ W_hh[2 * H:].T + b_hh[2 * H:])
    else:
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return z * n + (1 - z) * h_prev if write else (1 - z) * n + z * h_prev


def test_correct_answers_pass():
    for result in (checks.check_rnn_step(rnn_ok), checks.check_lstm_step(lstm_ok), checks.check_gru_step(gru_ok),
                   checks.check_gru_step(lambda **k: gru_ok(**k, before=True), reset="before")):
        assert result.passed, result.message
        assert "all 3 cases" in result.message


@pytest.mark.parametrize("fn,hint", [
    (lambda x, h_prev, W_ih, W_hh, b_ih, b_hh: x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, "leave out the tanh"),
    (lambda x, h_prev, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T), "leave out the bias b_hh"),
    (lambda x, h_prev, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh + b_hh), "instead of its transpose"),
    (lambda x, h_prev, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + b_hh), "forget the previous state"),
    (lambda x, h_prev, W_ih, W_hh, b_ih, b_hh: sigmoid(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), "sigmoid"),
])
def test_rnn_slips_are_named(fn, hint):
    result = checks.check_rnn_step(fn)
    assert not result.passed
    assert hint in result.hint, (result.message, result.hint)
    assert "Case" in result.message and "Expected" in result.message


@pytest.mark.parametrize("kwargs,hint", [
    ({"order": "figo"}, "f, i, g, o"),
    ({"order": "ifog"}, "i, f, o, g"),
    ({"squash": False}, "leave out the tanh in h = o * tanh(c)"),
    ({"ret": "ch"}, "return (c, h) instead of (h, c)"),
])
def test_lstm_slips_are_named(kwargs, hint):
    result = checks.check_lstm_step(lambda **k: lstm_ok(**k, **kwargs))
    assert not result.passed and hint in result.hint, (result.message, result.hint)


def test_gru_slips_are_named():
    r = checks.check_gru_step(lambda **k: gru_ok(**k, before=True))
    assert not r.passed and "apply the reset gate before" in r.hint
    r = checks.check_gru_step(lambda **k: gru_ok(**k, write=True))
    assert not r.passed and "swap z and 1 - z" in r.hint


def test_structural_mistakes_get_plain_words():
    assert "forget the return statement" in checks.check_rnn_step(lambda **k: None).message
    assert "raised KeyError" in checks.check_rnn_step(lambda **k: {}["x"]).message
    assert "not its result" in checks.check_rnn_step(rnn_ok(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
                                                             np.zeros((1, 1)), np.zeros(1), np.zeros(1))).message
    bad_shape = checks.check_rnn_step(lambda **k: rnn_ok(**k).T)
    assert "should have shape (1, 4); got (4, 1)" in bad_shape.message and "Transposed" in bad_shape.hint
    one_output = checks.check_lstm_step(lambda **k: lstm_ok(**k)[0])
    assert "should return (h, c)" in one_output.message
    unknown = checks.check_rnn_step(lambda **k: rnn_ok(**k) + 0.1)
    assert not unknown.passed and unknown.hint == "" and "differs from the reference by up to 0.1" in unknown.message


def test_result_displays_and_is_truthy():
    ok = checks.check_value(3.0, 3.0, name="the count")
    assert ok and "right" in repr(ok) and "Passed" in ok._repr_html_()
    bad = checks.check_value(4, 3, name="the count", hint="count both biases")
    assert not bad and "Not yet" in bad._repr_html_() and "count both biases" in repr(bad)
    assert "should be a number" in checks.check_value("three", 3).message


def test_notation_checker():
    assert checks.check_notation({"keep gate": "f", "C-tilde": "g_t", "Focus gate": "o"})
    wrong = checks.check_notation({"keep gate": "i"})
    assert not wrong and "'keep gate' is not 'i'" in wrong.message
    assert "not in the notation table" in checks.check_notation({"banana gate": "f"}).message
    assert "should be a dict" in checks.check_notation(["f"]).message
