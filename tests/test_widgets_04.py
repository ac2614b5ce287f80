"""Notebook 04's GatePlayground, driven as a learner drives it: widget.set(...), then the state and the picture.

The oracle for what the widget computes is lstm_lessons.handset.run (itself tested against
nn.LSTM in test_nb04_handset.py) with the same overrides.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from lstm_lessons import LessonError, handset
from lstm_lessons.widgets.engine import FigureWidget
from lstm_lessons.widgets.gate_playground import GATES, GatePlayground, recall_verdict


@pytest.fixture
def play():
    return GatePlayground(T=12, store_step=3, recall_step=10, seed=0)


def test_controls_are_named_and_described(play):
    assert isinstance(play, FigureWidget)
    assert list(play.controls) == ["t", "force_f", "f", "force_i", "i", "force_g", "g", "force_o", "o", "scope"]
    for control in play.controls.values():
        assert control.description
    assert (play.controls["t"].min, play.controls["t"].max) == (1, 12)
    assert (play.controls["g"].min, play.controls["g"].max) == (-1.0, 1.0)
    assert dict(play.controls["scope"].options) == {"every step": "every", "this step only": "step"}


def test_left_alone_the_cell_recalls_the_stored_value(play):
    state = play.state
    assert state["verdict"] == "recalled" and not state["forced"]
    own = handset.run(play.task.xs, handset.memory_weights())
    np.testing.assert_allclose(state["c"], own.c[0, :, 0])
    np.testing.assert_allclose(state["h"], own.h[0, :, 0])
    assert state["h_recall"] == pytest.approx(float(handset.recalled(play.task.first[0])), abs=0.01)


def test_the_drawing_shows_the_chosen_step(play):
    for t in (1, 3, 7, 10, 12):
        state = play.set(t=t)
        shown = play.cell.shown_values()
        k = t - 1
        for gate in GATES:
            assert shown[gate] == pytest.approx(state[gate][k], abs=0.006)
        assert shown["c"] == pytest.approx(state["c"][k], abs=0.006)
        assert shown["c_prev"] == pytest.approx(state["c"][k - 1] if k else 0.0, abs=0.006)
        assert shown["x"] == pytest.approx(play.task.xs[0, k, 0], abs=0.006)
        assert f"step {t} of 12" in play.readout.value
        assert play.cursor.get_xdata()[0] == t


def test_forcing_f_to_zero_between_store_and_recall_loses_the_memory(play):
    state = play.set(force_f=True, f=0.0, scope="step", t=6)
    assert state["forced"] == {"f": 0.0}
    assert state["verdict"] == "lost"
    np.testing.assert_allclose(state["c"][:5], play.own["c"][:5])  # before step 6: untouched
    assert np.abs(state["c"][5:]).max() < 0.01
    assert "forced at step 6 only" in play.readout.value
    assert play.cell.shown_values()["f"] == 0.0
    # moving the step moves the forced step along: forced at step 2, before STORE, nothing is lost
    assert play.set(t=2)["verdict"] == "recalled"


def test_forcing_f_at_every_step(play):
    assert play.set(force_f=True, f=1.0)["verdict"] == "recalled", "f = 1 everywhere: nothing is lost"
    state = play.set(f=0.5)
    assert state["verdict"] != "recalled"
    np.testing.assert_allclose(state["f"], 0.5)


def test_forcing_i_to_one_writes_every_distractor(play):
    state = play.set(force_i=True, i=1.0)
    xs = play.task.xs[0]
    added = state["c"][3:10] - state["f"][3:10] * state["c"][2:9]
    np.testing.assert_allclose(added, np.tanh(xs[3:10, 0]), atol=1e-12)
    expected = handset.run(play.task.xs, play.weights, {"i": 1.0})
    np.testing.assert_allclose(state["c"], expected.c[0, :, 0])


def test_forcing_o_shows_or_hides_the_memory(play):
    state = play.set(force_o=True, o=1.0)
    np.testing.assert_allclose(state["h"], np.tanh(state["c"]))
    assert play.set(o=0.0)["verdict"] == "lost"


def test_forcing_g_at_the_store_step_stores_another_value(play):
    state = play.set(force_g=True, g=-0.5, scope="step", t=3)
    assert state["h_recall"] == pytest.approx(np.tanh(-0.5), abs=0.01)
    assert state["verdict"] == "wrong"


def test_unforcing_gives_the_gate_back(play):
    play.set(force_f=True, f=0.0)
    state = play.set(force_f=False)
    np.testing.assert_allclose(state["c"], play.own["c"])
    assert state["verdict"] == "recalled" and not state["forced"]


def test_a_slider_is_live_only_while_its_gate_is_forced(play):
    for gate in GATES:
        assert play.controls[gate].disabled
        play.set(**{f"force_{gate}": True})
        assert not play.controls[gate].disabled
        play.set(**{f"force_{gate}": False})
        assert play.controls[gate].disabled


def test_every_move_redraws_once_with_a_new_picture(play):
    moves = [("t", 5), ("force_f", True), ("f", 0.2), ("force_i", True), ("i", 0.9), ("force_g", True),
             ("g", 0.3), ("force_o", True), ("o", 0.4), ("scope", "step"), ("t", 11)]
    for name, value in moves:
        before, png, redraws = play.readout.value, play.png, play.redraws
        play.set(**{name: value})
        assert play.redraws == redraws + 1
        assert play.png != png, f"moving {name} should change the picture"
        assert play.png.startswith(b"\x89PNG")


def test_compute_is_pure(play):
    before = dict(play.values)
    state = play.compute(t=4, force_f=True, f=0.0, force_i=False, i=0.5, force_g=False, g=0.0, force_o=False, o=1.0,
                         scope="every")
    assert play.values == before and state["forced"] == {"f": 0.0}
    assert play.state["forced"] == {}


def test_a_c_off_the_scale_is_marked_and_the_scale_stays(play):
    full = play.full_draws
    state = play.set(force_i=True, i=1.0)
    c = state["c"]
    assert np.abs(c).max() > 1.3, "i = 1 at every step drives this sequence's c off the scale"
    shown = play.c_line.get_ydata()
    np.testing.assert_allclose(shown, np.clip(c, -1.3, 1.3))
    marked = len(play.above.get_xdata()) + len(play.below.get_xdata())
    assert marked == int((np.abs(c) > 1.3).sum())
    assert f"{c[np.argmax(np.abs(c))]:+.2f}" in play.off_text.get_text()
    play.set(force_i=False)
    assert play.off_text.get_text().strip() == "" and len(play.above.get_xdata()) == 0
    assert play.bottom.get_ylim() == (-1.3, 1.3) and play.full_draws == full, "no move redraws the whole figure"


def test_verdict_words():
    assert recall_verdict(0.50, 0.51) == "recalled"
    assert recall_verdict(0.01, 0.51) == "lost"
    assert recall_verdict(-0.4, 0.51) == "wrong"


def test_saved_notebook_gets_a_png(play):
    data, metadata = play._repr_mimebundle_()
    assert data["image/png"] and "recalled" in metadata["image/png"]["alt"]


def test_redraws_are_fast_enough():
    """The series' target is a 40 ms median per move on a quiet 2-core machine; this bound leaves room for a busy one."""
    play = GatePlayground()
    times = []
    for t in list(range(1, 13)) * 2:
        start = time.perf_counter()
        play.set(t=t)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.25


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="store_step < recall_step"):
        GatePlayground(store_step=5, recall_step=4)
    with pytest.raises(LessonError, match="step should be between 1 and T"):
        GatePlayground(step=20)
    with pytest.raises(LessonError, match="T"):
        GatePlayground(T=2)
    with pytest.raises(LessonError, match="no control"):
        GatePlayground().set(forget=0.5)
