"""lstm_lessons.counters (notebook 05): hand-set LSTM weights that count bracket depth and track quotes."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, counters
from lstm_lessons.modules import load_weights

STRINGS = ["(()", "()()((", ")))", "a(b(c)d)e", '"("', 'x = "((" + (y)', '""((""))', '"unclosed (((']


def test_encode_is_one_hot_over_the_alphabet():
    xs = counters.encode('a("b)')
    assert xs.shape == (1, 5, 4)
    np.testing.assert_array_equal(xs[0].argmax(1), [0, 1, 3, 0, 2])
    np.testing.assert_array_equal(xs.sum(-1), 1.0)


def test_true_depth_and_quotes_by_hand():
    np.testing.assert_array_equal(counters.true_depth("(()"), [1, 2, 1])
    np.testing.assert_array_equal(counters.true_depth('("(")'), [1, 1, 1, 1, 0])
    np.testing.assert_array_equal(counters.true_depth("))"), [-1, -2])
    np.testing.assert_array_equal(counters.true_inside('a"b"c'), [False, True, True, False, False])


@pytest.mark.parametrize("text", STRINGS)
def test_the_counter_reads_depth_and_quotes_exactly(text):
    run = counters.run(text)
    assert run.correct, (text, run.depth_from_c, run.depth, run.inside, run.true_inside)


def test_deep_nesting_and_long_strings():
    deep = "(" * 50 + ")" * 50
    assert counters.run(deep).correct
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list('(()) ab"'), size=3000))
    run = counters.run(text)
    assert run.correct and np.abs(run.depth).max() > 5
    held = counters.run("(" * 40 + "x" * 3000)
    assert held.correct
    # the count leaks by (1 - f) per step: d * N * (1 - f) of a bracket after N steps at depth d
    drift = 40 - held.c[-1] / held.write
    assert drift == pytest.approx(40 * 3000 * (1 - cells.sigmoid(counters.FORGET_BIAS)), rel=0.05)


def test_a_small_forget_bias_leaks_and_misreads():
    run = counters.run("(" * 10 + "x" * 400, counters.bracket_counter(forget_bias=8.0))
    assert not run.correct
    first = np.nonzero(run.depth_from_c != run.depth)[0][0]
    # first order: the read is wrong once the count has lost half a bracket, d (1 - f) N = 1/2
    predicted = 10 + 0.5 / (10 * (1 - cells.sigmoid(8.0)))
    assert abs(first - predicted) < 0.1 * predicted


def test_h_saturates_and_c_does_not():
    run = counters.run("(" * 60)
    a = run.write
    np.testing.assert_array_equal(run.depth_from_c, np.arange(1, 61))
    edge = counters.saturation_point(np.tanh)
    deep = np.arange(1, 61) * a >= edge
    assert deep.any() and np.unique(run.h[deep]).size == 1, "every depth past the edge shows the same h"
    assert np.unique(run.h[~deep]).size == (~deep).sum()
    assert np.isinf(run.depth_from_h[deep]).all()


def test_saturation_points():
    edge64 = counters.saturation_point(np.tanh)
    assert np.tanh(edge64) == 1.0 and np.tanh(np.nextafter(edge64, 0) - 1e-12) < 1.0
    assert 18 < edge64 < 20
    edge32 = counters.saturation_point(lambda x: torch.tanh(torch.tensor(x, dtype=torch.float32)).item())
    assert 8 < edge32 < 11
    with pytest.raises(LessonError, match="round to exactly 1.0"):
        counters.saturation_point(lambda x: 0.5)


def test_the_numpy_counter_equals_nn_lstm():
    w = counters.bracket_counter()
    layer = load_weights(torch.nn.LSTM(4, 2, batch_first=True).double(), w)
    xs = counters.encode('f("(", (g))')
    out, _ = layer(torch.from_numpy(xs))
    np.testing.assert_allclose(out.detach().numpy(), cells.lstm_forward(xs, w).h, atol=1e-12)


def test_errors_teach():
    with pytest.raises(LessonError, match="at least one character"):
        counters.encode("")
    with pytest.raises(LessonError, match="string"):
        counters.encode(["("])
    with pytest.raises(LessonError, match="write"):
        counters.bracket_counter(write=1.5)
    with pytest.raises(LessonError, match="input size 4 and hidden size 2"):
        counters.run("(", cells.init_weights("lstm", 4, 3, seed=0))
