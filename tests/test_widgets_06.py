"""Notebook 06's GRU playground, driven as a learner would drive it: widget.set(...)."""

import numpy as np
import pytest

from lstm_lessons import LessonError, cells, variants
from lstm_lessons.widgets.engine import REGISTRY, FigureWidget
from lstm_lessons.widgets.gru_playground import GRUPlayground


@pytest.fixture(scope="module")
def play():
    return GRUPlayground()


def test_it_is_a_registered_figure_widget_with_described_controls(play):
    assert isinstance(play, FigureWidget) and GRUPlayground in REGISTRY
    assert set(play.controls) == {"t", "force_r", "r", "force_z", "z", "scope"}
    assert all(c.description for c in play.controls.values())
    assert play.png.startswith(b"\x89PNG")


def test_left_alone_it_is_the_numpy_gru_and_it_stores_adds_and_holds(play):
    state = play.set(t=10, force_r=False, force_z=False)
    ref = cells.gru_forward(play.xs, play.weights)  # PyTorch's form
    np.testing.assert_allclose(state["h"], ref.h[0, :, 0], atol=1e-12)
    v = play.xs[0, :, 0]
    h = state["h"]
    # STORE at steps 3 and 7 (indices 2, 6): h becomes tanh(value) and holds until the next flag
    np.testing.assert_allclose(h[2:6], np.tanh(v[2]), atol=1e-3)
    np.testing.assert_allclose(h[6:9], np.tanh(v[6]), atol=1e-3)
    # ADD at step 10: h = tanh(value + h_prev), the reset gate open
    np.testing.assert_allclose(h[9], np.tanh(v[9] + h[8]), atol=1e-3)
    assert state["r"][9] > 0.999 and state["r"][8] < 0.001 and state["z"][9] < 0.001
    assert state["gap"] == 0.0


def test_forcing_z_to_one_freezes_the_state_and_to_zero_drops_the_memory(play):
    state = play.set(force_z=True, z=1.0, scope="every")
    np.testing.assert_array_equal(state["h"], 0.0)
    state = play.set(z=0.0)
    # with z = 0 everywhere, h is the candidate at every step: nothing is held between flags
    np.testing.assert_allclose(state["h"], state["n"], atol=1e-12)
    assert state["gap"] > 0.3
    play.set(force_z=False)


def test_forcing_r_shut_on_the_add_step_turns_it_into_a_store(play):
    state = play.set(t=10, force_r=True, r=0.0, scope="step")
    v = play.xs[0, :, 0]
    assert state["h"][9] == pytest.approx(np.tanh(v[9]), abs=1e-3)
    assert state["gap_step"] == 10 and state["gap"] > 0.05
    assert "forced at step 10 only" in play.readout.value
    state = play.set(r=1.0, scope="every")  # r = 1 everywhere: every STORE adds to what is held
    assert state["h"][6] == pytest.approx(np.tanh(v[6] + state["h"][5]), abs=1e-3)
    play.set(force_r=False, scope="every")


def test_sliders_are_live_only_while_forced(play):
    play.set(force_r=True)
    assert play.controls["r"].disabled is False
    play.set(force_r=False)
    assert play.controls["r"].disabled is True


def test_drawing_shows_the_step(play):
    play.set(t=3)
    shown = play.cell.shown_values()
    state = play.state
    assert shown["z"] == pytest.approx(state["z"][2], abs=0.006)
    assert shown["h"] == pytest.approx(state["h"][2], abs=0.006)
    text, png = play.readout.value, play.png
    play.set(t=4)
    assert play.readout.value != text and play.png != png and "step 4 of 12 (hold)" in play.readout.value


def test_compute_is_pure(play):
    before = play.values
    state = play.compute(t=2, force_r=False, r=0.0, force_z=True, z=1.0, scope="every")
    assert play.values == before and np.all(state["h"] == 0)


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="step should be between"):
        GRUPlayground(step=40)
    with pytest.raises(LessonError, match="both STORE and ADD"):
        GRUPlayground(store=(2,), add=(2,))
    with pytest.raises(LessonError, match="overrides"):
        variants.run_gru(np.zeros((1, 4, 3)), cells.Weights("gru", **variants.handset("gru")), {"z": [0.5, 0.5]})


def test_stage_figure_draws_the_step_asked_for():
    from lstm_lessons.widgets.gru_playground import stage_figure

    xs = variants.store_add_sequence(seed=1)
    trace = variants.run_gru(xs, cells.Weights("gru", **variants.handset("gru")))
    fig = stage_figure("gru", vars(trace), xs, at=10, lines={"h": (trace.h, "C0", "s-")}, title="t")
    assert len(fig.axes) == 2
    shown = fig.cell_drawing.shown_values()
    assert shown["h"] == pytest.approx(trace.h[0, 9, 0], abs=0.006)
    assert shown["h_prev"] == pytest.approx(trace.h[0, 8, 0], abs=0.006)
    assert shown["r"] == pytest.approx(1.0, abs=0.006) and shown["x"] == pytest.approx(xs[0, 9, 0], abs=0.006)
    with pytest.raises(LessonError, match="at should be a step"):
        stage_figure("gru", vars(trace), xs, at=0, lines={})


def test_family_figure_plots_each_model_and_explains_a_missing_one():
    from lstm_lessons.widgets.gru_playground import family_figure

    runs = {"gru": [{"seed": s, "steps": [0, 100, 200], "test_mse": [1.0, 0.1 / (s + 1), 0.001]} for s in range(3)],
            "lstm": [{"seed": 0, "steps": [0, 100, 200], "test_mse": [1.0, 0.2, 0.15]}]}
    fig = family_figure({"runs": runs, "baseline_mse": 1 / 6}, ["lstm", "gru"], 0.01, "t")
    share_ax, mse_ax = fig.axes
    shares = {line.get_label(): line.get_ydata() for line in share_ax.get_lines()}
    np.testing.assert_allclose(shares["GRU (3 seeds)"], [0, 0, 1])
    np.testing.assert_allclose(shares["LSTM (1 seed)"], [0, 0, 0])
    with pytest.raises(LessonError, match="no runs of 'nfg'"):
        family_figure({"runs": runs}, ["nfg"], 0.01)
