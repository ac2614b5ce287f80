"""Notebook 02's widget, GradientFlowDemo, driven as a learner would drive it: widget.set(...)."""

import json

import numpy as np
import pytest

from lstm_lessons import LessonError
from lstm_lessons import gradients
from lstm_lessons.cells import rnn_forward
from lstm_lessons.widgets import FigureWidget, GradientFlowDemo, gradient_verdict
from lstm_lessons.widgets.engine import png_text
from lstm_lessons.widgets.gradient_flow import YLIM


@pytest.fixture
def demo():
    return GradientFlowDemo(T=60)


def test_it_is_a_figure_widget_with_named_described_controls(demo):
    assert isinstance(demo, FigureWidget)
    assert set(demo.controls) == {"radius", "T", "nonlinearity", "matrix", "input_scale"}
    for control in demo.controls.values():
        assert control.description
        if hasattr(control, "continuous_update"):
            assert control.continuous_update is True, "the drawing follows a drag"
    assert set(dict(demo.controls["nonlinearity"].options).values()) == {"tanh", "identity", "relu"}
    assert 0.02 in dict(demo.controls["input_scale"].options).values() and demo.values["input_scale"] == 0.5


def test_compute_is_exactly_lag_profile():
    demo = GradientFlowDemo(T=40)
    state = demo.compute(radius=1.3, T=40, nonlinearity="tanh", matrix="orthogonal", input_scale=0.1)
    p = gradients.lag_profile(1.3, 40, "tanh", kind="orthogonal", input_scale=0.1)
    np.testing.assert_array_equal(state["norms"], p.typical)
    np.testing.assert_array_equal(state["low"], p.norms.min(axis=0))
    np.testing.assert_array_equal(state["high"], p.norms.max(axis=0))
    assert state["slope"] == p.slope and state["final"] == p.typical[-1]


def test_compute_keeps_its_old_keywords():
    # notebook 02 calls compute without the input drive; the default is lag_profile's, 0.5
    demo = GradientFlowDemo(T=20)
    a = demo.compute(radius=1.0, T=20, nonlinearity="tanh", matrix="gaussian")
    b = demo.compute(radius=1.0, T=20, nonlinearity="tanh", matrix="gaussian", input_scale=0.5)
    assert a["input_scale"] == 0.5 and np.array_equal(a["norms"], b["norms"])


def test_linear_orthogonal_rnn_with_radius_half_gives_half_to_the_k(demo):
    state = demo.set(nonlinearity="identity", matrix="orthogonal", radius=0.5)
    k = np.arange(61)
    np.testing.assert_allclose(state["norms"], 0.5**k, rtol=1e-9)
    assert state["rate"] == pytest.approx(0.5, rel=1e-9)
    assert state["verdict"] == "vanishes"


def test_larger_radius_gives_larger_norms(demo):
    demo.set(nonlinearity="identity")
    small = demo.set(radius=0.9)["norms"]
    large = demo.set(radius=1.2)["norms"]
    assert np.all(large[1:] > small[1:])
    assert large[-1] / small[-1] == pytest.approx((1.2 / 0.9) ** 60, rel=1e-9)
    assert demo.set(radius=1.5)["verdict"] == "explodes"


def test_tanh_and_relu_stay_under_the_singular_value_bound(demo):
    for nonlinearity in ("tanh", "relu"):
        for radius in (0.8, 1.5, 2.5):
            state = demo.set(nonlinearity=nonlinearity, radius=radius)
            assert np.all(state["high"] <= state["sigma_max"] ** state["lags"] * (1 + 1e-9))
    # at rho = 1 a linear RNN keeps its gradient, a tanh RNN driven hard loses it
    assert demo.set(nonlinearity="tanh", radius=1.0)["verdict"] == "vanishes"
    assert demo.set(nonlinearity="identity")["verdict"] == "survives"


def test_the_input_drive_shows_both_regimes_of_the_tanh_rnn():
    demo = GradientFlowDemo(T=100)
    # weak drive: the units stay near their linear range, like the linear RNN
    assert demo.set(input_scale=0.02, radius=1.0)["verdict"] == "survives"
    assert demo.set(radius=1.2)["verdict"] in ("grows", "explodes")
    assert demo.state["final"] > 10
    # the default drive saturates the units: the same rho = 1.2 loses the gradient
    assert demo.set(input_scale=0.5)["verdict"] == "vanishes"
    assert "input drive 0.5" in demo.readout.value


def test_verdict_words():
    assert [gradient_verdict(x) for x in (1e-5, 0.01, 1.0, 100.0, 1e5)] == [
        "vanishes", "shrinks", "survives", "grows", "explodes"]
    assert gradient_verdict(0.999e-3) == "vanishes" and gradient_verdict(1e-3) == "shrinks"


def test_sequence_length_sets_the_lags_and_the_axis_labels(demo):
    assert len(demo.set(T=150)["norms"]) == 151
    assert demo.state["lags"][-1] == 150
    assert [t.get_text() for t in demo.tick_labels] == ["0", "30", "60", "90", "120", "150"]
    assert demo.full_draws == 1, "T moves the curves and the tick labels, not the axes"


def test_the_drawing_carries_the_state(demo):
    state = demo.set(radius=0.8, nonlinearity="tanh")
    x, y = demo.line.get_data()
    np.testing.assert_allclose(x * 60, state["lags"])
    np.testing.assert_allclose(y, np.maximum(state["norms"], YLIM[0] / 10))
    assert demo.heading.get_text().startswith("tanh, ρ = 0.80: the gradient vanishes")
    assert demo.ax.get_ylim() == pytest.approx(YLIM)


def test_readout_and_picture_change(demo):
    text, png = demo.readout.value, demo.png
    redraws = demo.redraws
    demo.set(radius=2.0)
    assert demo.readout.value != text and demo.png != png
    assert demo.redraws == redraws + 1
    assert "2.00" in demo.readout.value
    text, png = demo.readout.value, demo.png
    demo.set(nonlinearity="relu")
    assert demo.readout.value != text and demo.png != png and "ReLU" in demo.readout.value
    assert demo.png.startswith(b"\x89PNG")


def test_compute_is_pure_and_remembers_settings():
    demo = GradientFlowDemo(T=200)
    before = demo.values
    state = demo.compute(radius=1.3, T=40, nonlinearity="identity", matrix="gaussian")
    assert demo.values == before and len(state["norms"]) == 41
    assert demo.compute(radius=1.3, T=40, nonlinearity="identity", matrix="gaussian") is state


def test_a_live_move_previews_then_shows_the_exact_measurement():
    demo = GradientFlowDemo(T=80)
    control = demo.controls["radius"]
    control.set_state({"value": 1.35})  # as the browser sends it
    assert demo.state.get("estimate") is True and not demo.exact
    estimate = demo.state
    assert demo.wait_exact(30), "the exact state replaces the preview"
    exact = demo.compute(radius=1.35, T=80, nonlinearity="tanh", matrix="gaussian")
    assert demo.state is exact and json.loads(png_text(demo.png)["lstm-frame"])["exact"] is True
    # the preview is the same measurement, estimated: lower bounds, close on the log scale
    assert np.all(estimate["low"] <= exact["low"] * (1 + 1e-9))
    assert np.max(np.abs(np.log10(estimate["norms"] / exact["norms"]))) < 0.2
    control.set_state({"value": 1.0})
    assert demo.exact, "a setting already measured is drawn exactly at once"


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "identity"])
@pytest.mark.parametrize("kind, radius, drive", [("gaussian", 1.0, 0.5), ("orthogonal", 1.5, 0.02), ("gaussian", 2.5, 0.02)])
def test_estimated_gradient_norms_are_close_lower_bounds(nonlinearity, kind, radius, drive):
    # oracle: the exact norms of the products (gradients.gradient_norms)
    rng = np.random.default_rng(1)
    w = gradients.rnn_weights(32, radius, kind=kind, input_scale=drive, seed=rng)
    trace = rnn_forward(rng.standard_normal((4, 120, 1)), w, nonlinearity=nonlinearity)
    exact = gradients.gradient_norms(trace, w)
    est = gradients.estimate_gradient_norms(trace, w)
    live = exact > 1e-250
    assert np.all(est[live] <= exact[live] * (1 + 1e-9)), "a lower bound"
    np.testing.assert_allclose(est[:, :7], exact[:, :7], rtol=1e-9, err_msg="the first lags are exact")
    typical = lambda n: np.exp(np.log(np.maximum(n, 1e-300)).mean(axis=0))
    assert np.max(np.abs(np.log10(typical(est) / typical(exact)))) < 0.1


def test_saved_notebook_gets_a_png():
    data, _ = GradientFlowDemo(T=20)._repr_mimebundle_()
    assert data["image/png"] and "GradientFlowDemo(radius=1.0" in data["text/plain"]


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="radius"):
        GradientFlowDemo(radius=5.0)
    with pytest.raises(LessonError, match="at most 200"):
        GradientFlowDemo(T=500)
    with pytest.raises(LessonError, match="nonlinearity"):
        GradientFlowDemo(nonlinearity="sigmoid")
    with pytest.raises(LessonError, match="matrix"):
        GradientFlowDemo(matrix="uniform")
    with pytest.raises(LessonError, match="input_scale"):
        GradientFlowDemo(input_scale=-1)
    with pytest.raises(LessonError, match="no control"):
        GradientFlowDemo(T=20).set(rho=1.0)
