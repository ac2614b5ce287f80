"""Notebook 02's widget, GradientFlowDemo, driven as a learner would drive it: widget.set(...)."""

import numpy as np
import pytest

from lstm_lessons import LessonError
from lstm_lessons.widgets import FigureWidget, GradientFlowDemo, gradient_verdict


@pytest.fixture
def demo():
    return GradientFlowDemo(T=60)


def test_it_is_a_figure_widget_with_named_described_controls(demo):
    assert isinstance(demo, FigureWidget)
    assert set(demo.controls) == {"radius", "T", "nonlinearity", "matrix"}
    for control in demo.controls.values():
        assert control.description
        if hasattr(control, "continuous_update"):
            assert control.continuous_update is False
    assert set(dict(demo.controls["nonlinearity"].options).values()) == {"tanh", "identity", "relu"}


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
    # at rho = 1 a linear RNN keeps its gradient, a tanh RNN loses it
    assert demo.set(nonlinearity="tanh", radius=1.0)["verdict"] == "vanishes"
    assert demo.set(nonlinearity="identity")["verdict"] == "survives"


def test_verdict_words():
    assert [gradient_verdict(x) for x in (1e-5, 0.01, 1.0, 100.0, 1e5)] == [
        "vanishes", "shrinks", "survives", "grows", "explodes"]
    assert gradient_verdict(0.999e-3) == "vanishes" and gradient_verdict(1e-3) == "shrinks"


def test_sequence_length_sets_the_lags(demo):
    assert len(demo.set(T=150)["norms"]) == 151
    assert demo.state["lags"][-1] == 150


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


def test_compute_is_pure_and_fast():
    demo = GradientFlowDemo(T=200)
    before = demo.values
    state = demo.compute(radius=1.3, T=40, nonlinearity="identity", matrix="gaussian")
    assert demo.values == before and len(state["norms"]) == 41
    assert demo.last_redraw_s < 2.0


def test_saved_notebook_gets_a_png():
    bundle = GradientFlowDemo(T=20)._repr_mimebundle_()
    assert bundle["image/png"] and "GradientFlowDemo(radius=1.0" in bundle["text/plain"]


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="radius"):
        GradientFlowDemo(radius=5.0)
    with pytest.raises(LessonError, match="at most 200"):
        GradientFlowDemo(T=500)
    with pytest.raises(LessonError, match="nonlinearity"):
        GradientFlowDemo(nonlinearity="sigmoid")
    with pytest.raises(LessonError, match="matrix"):
        GradientFlowDemo(matrix="uniform")
    with pytest.raises(LessonError, match="no control"):
        GradientFlowDemo(T=20).set(rho=1.0)
