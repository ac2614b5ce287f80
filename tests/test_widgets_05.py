"""Notebook 05's widget, CounterWidget, driven as a learner drives it: widget.set(...)."""

import ipywidgets as W
import numpy as np
import pytest

from lstm_lessons import LessonError, counters
from lstm_lessons.widgets.counter import SHOWN, CounterWidget, counter_state
from lstm_lessons.widgets.engine import REGISTRY, FigureWidget


@pytest.fixture(scope="module")
def widget():
    return CounterWidget()


def test_it_is_a_registered_figure_widget_with_described_controls(widget):
    assert isinstance(widget, FigureWidget) and CounterWidget in REGISTRY
    assert list(widget.controls) == ["text", "write", "forget_bias"]
    assert isinstance(widget.controls["text"], W.Text) and widget.controls["text"].continuous_update
    for control in widget.controls.values():
        assert control.description
    assert widget.png.startswith(b"\x89PNG")


def test_typing_redraws_once_and_the_readout_shows_the_string(widget):
    before, png = widget.redraws, widget.png
    state = widget.set(text="((a)")
    assert widget.redraws == before + 1 and widget.png != png
    assert "((a)" in widget.readout.value and "depth <b>1</b>" in widget.readout.value
    np.testing.assert_array_equal(state["depth"], [1, 2, 2, 1])
    np.testing.assert_array_equal(state["decoded"], state["depth"])
    assert state["correct"]


def test_the_state_is_what_the_counter_computes():
    text = 'say("(", (x))'
    state = counter_state(text, 0.5, 20.0)
    run = counters.run(text)
    np.testing.assert_array_equal(state["depth"], run.depth)
    np.testing.assert_allclose(state["count"], run.c / run.write)
    np.testing.assert_array_equal(state["inside"], run.inside)
    np.testing.assert_allclose(state["h"], run.h)
    assert state["cell"]["c"] == pytest.approx(run.c[-1], abs=1e-6) and state["cell"]["x"] is None


def test_a_small_forget_bias_makes_the_count_leak_and_the_verdict_says_so(widget):
    state = widget.set(text="(" * 8 + "x" * 30, forget_bias=4.0)
    assert not state["correct"] and "misread" in widget.readout.value
    assert state["count"][-1] < 7.5
    state = widget.set(forget_bias=20.0)
    assert state["correct"] and abs(state["count"][-1] - 8) < 1e-6


def test_the_write_slider_changes_h_not_the_count(widget):
    small = widget.set(text="((((", write=0.2)
    large = widget.set(write=0.8)
    np.testing.assert_allclose(small["count"], large["count"], atol=1e-6)
    assert np.all(large["h"] > small["h"])
    assert "a = 0.80" in widget.readout.value


def test_empty_long_and_odd_strings(widget):
    state = widget.set(text="")
    assert state["n"] == 0 and "empty" in widget.readout.value
    long = "(" * 30 + "é$x" * 20
    state = widget.set(text=long)
    assert state["n"] == len(long) and len(state["shown"]) == SHOWN and state["offset"] == len(long) - SHOWN
    assert state["correct"]


def test_typing_redraws_only_what_changes():
    """Typing within one depth scale redraws the animated artists only (the fast path), not the whole figure."""
    widget = CounterWidget(text="(")
    widget.set(text="()")  # the engine may draw the whole figure once more after the first frame
    full = widget.full_draws
    for text in ["((", "((a", '((a"', '((a"(', '((a"()', "(((a)"]:
        widget.set(text=text)
    assert widget.full_draws == full, "the depth scale did not change, so no full redraw was needed"
    widget.set(text="(" * 12)  # deeper than the scale: one full redraw, then the fast path again
    assert widget.full_draws == full + 1
    widget.set(text="(" * 11)
    assert widget.full_draws == full + 1


def test_errors_teach():
    with pytest.raises(LessonError, match="text should be a string"):
        CounterWidget(text=3)
    with pytest.raises(LessonError, match="write"):
        CounterWidget(write=2.0)
    with pytest.raises(LessonError, match="forget_bias"):
        CounterWidget(forget_bias=100.0)
