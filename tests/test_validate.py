"""Bad input to the NumPy cells gets a LessonError that names the argument, the expected and the given."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, tasks


@pytest.fixture
def w():
    return cells.init_weights("lstm", 3, 4, seed=0)


@pytest.mark.parametrize("call,pattern", [
    (lambda w: cells.lstm_forward(np.zeros((2, 5, 4)), w), r"xs should have shape \(B, T, I\) with input size I = 3 on axis 2; got shape \(2, 5, 4\)"),
    (lambda w: cells.lstm_forward(np.zeros((5, 3)), w), r"xs should have 3 dimensions.*add a batch dimension: xs\[None\]"),
    (lambda w: cells.lstm_forward(np.zeros((2, 5, 3)), w, h0=np.zeros((3, 4))), r"h0 should have shape \(B, H\) with batch size B = 2"),
    (lambda w: cells.lstm_forward(np.zeros((2, 5, 3)), w, h0=np.zeros((4, 2))), r"Did you pass \(H, B\) where \(B, H\) was expected\?"),
    (lambda w: cells.lstm_step(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 5)), w), r"c_prev .*hidden size H = 4"),
    (lambda w: cells.lstm_forward(torch.zeros(2, 5, 3), w), r"torch tensor.*\.detach\(\)\.numpy\(\)"),
    (lambda w: cells.lstm_forward("hello", w), r"xs should be a NumPy array of numbers; got str"),
    (lambda w: cells.lstm_forward(np.zeros((2, 5, 3), dtype=bool), w), r"booleans"),
    (lambda w: cells.lstm_forward(np.full((2, 5, 3), np.nan), w), r"xs contains NaN"),
    (lambda w: cells.lstm_forward(np.zeros((2, 5, 3)).astype(complex), w), r"real numbers; got complex"),
    (lambda w: cells.rnn_forward(np.zeros((2, 5, 3)), w), r"w holds LSTM weights, but this function needs RNN weights"),
    (lambda w: cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), "weights"), r"w should be a lstm_lessons Weights object"),
    (lambda w: cells.gru_forward(np.zeros((2, 5, 3)), cells.init_weights("gru", 3, 4), reset="later"), r"reset should be one of 'after', 'before'; got 'later'"),
    (lambda w: cells.rnn_forward(np.zeros((1, 2, 3)), cells.init_weights("rnn", 3, 4), nonlinearity="sigmoid"), r"nonlinearity should be one of"),
    (lambda w: cells.init_weights("lstm", 3, 0), r"hidden_size should be a whole number >= 1; got 0"),
    (lambda w: cells.init_weights("lstm", 2.5, 3), r"input_size should be a whole number >= 1; got float 2.5"),
    (lambda w: cells.init_weights("transformer", 3, 4), r"kind should be one of 'rnn', 'lstm', 'gru'"),
    (lambda w: cells.Weights("lstm", np.zeros((12, 3)), np.zeros((12, 4)), np.zeros(12), np.zeros(12)), r"should have 4 \* 4 = 16 rows.*got shape \(12, 4\)"),
    (lambda w: cells.lstm_backward(cells.lstm_forward(np.zeros((2, 5, 3)), w), w, dh=np.zeros((2, 4, 4))), r"dh should have shape \(B, T, H\) with sequence length T = 5"),
    (lambda w: cells.lstm_backward("trace", w), r"trace should be the LSTMTrace"),
    (lambda w: cells.numerical_gradient(lambda: 0.0, np.zeros(3, dtype=int)), r"float NumPy array"),
    (lambda w: cells.gradient_check(lambda: 0.0, {"a": np.zeros(2)}, {}), r"grads has no entry for a"),
    (lambda w: tasks.delayed_recall(4, 5, 5), r"lag should be smaller than the sequence length T = 5; got lag = 5"),
    (lambda w: tasks.adding_problem(0, 5), r"n should be a whole number >= 1; got 0"),
])
def test_bad_input_is_explained(w, call, pattern):
    with pytest.raises(LessonError, match=pattern):
        call(w)


def test_integer_inputs_are_accepted_as_numbers(w):
    ints = np.ones((1, 2, 3), dtype=int)
    np.testing.assert_allclose(cells.lstm_forward(ints, w).h, cells.lstm_forward(ints.astype(float), w).h)


def test_lesson_error_is_a_value_error():
    assert issubclass(LessonError, ValueError)


def test_tasks_baselines_are_what_they_claim():
    big = tasks.adding_problem(20000, 30, seed=0)
    assert abs(((big.y - 1.0) ** 2).mean() - big.baseline_mse) < 0.01
    assert (big.x[:, :, 1].sum(1) == 2).all()
    rec = tasks.delayed_recall(20000, 10, 3, seed=0)
    assert abs((rec.y ** 2).mean() - rec.baseline_mse) < 0.05
    np.testing.assert_array_equal(rec.y, rec.x[:, 6])


def test_seeds_are_checked():
    with pytest.raises(LessonError, match="seed should be a whole number >= 0, a numpy Generator, or None; got -1"):
        cells.init_weights("rnn", 2, 3, seed=-1)
    with pytest.raises(LessonError, match="got 'zero'"):
        tasks.adding_problem(4, 5, seed="zero")
    rng = np.random.default_rng(0)
    a = tasks.delayed_recall(2, 3, 1, seed=rng)
    b = tasks.delayed_recall(2, 3, 1, seed=rng)
    assert not np.allclose(a.x, b.x), "a Generator passed in is used, not re-seeded"
