"""The FigureWidget machinery and notebook 00's ForgetGateDemo, without a browser.

`widget.set(name=value)` moves a control exactly as a learner's drag does, so the logic of every
widget is tested here; tests/browser checks that the same widgets render and redraw in
JupyterLab 4 and Notebook 7. These tests also run under ipywidgets 7.7 (`make test-ipywidgets7`),
the version Colab ships, so they use only the API that ipywidgets 7.6 and 8 share.
"""

from __future__ import annotations

import base64

import ipywidgets as W
import pytest

from lstm_lessons._validate import LessonError
from lstm_lessons.widgets import WIDGET_VIEW_MIME, FigureWidget, ForgetGateDemo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def readout_text(widget) -> str:
    return widget.readout.value


class TwoControls(FigureWidget):
    """A minimal subclass: a slider and a dropdown, to test the base class on its own."""

    title = "two controls"

    def __init__(self):
        self.computed = []
        super().__init__({
            "a": W.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.5, description="a"),
            "kind": W.Dropdown(options=["line", "bars"], value="line", description="kind"),
        }, width=3.0, height=2.0)

    def compute(self, a, kind):
        self.computed.append((a, kind))
        return {"a": a, "kind": kind}

    def draw(self, fig, state):
        ax = fig.add_subplot()
        if state["kind"] == "line":
            ax.plot([0, 1], [0, state["a"]])
        else:
            ax.bar([0, 1], [state["a"], 1.0])

    def describe(self, state):
        return f"a = {state['a']:.1f}, kind = {state['kind']}"


# --- the base class

def test_construction_draws_once_and_fills_the_readout():
    w = TwoControls()
    assert w.redraws == 1, "a new widget should draw exactly once"
    assert w.png.startswith(PNG_MAGIC), "the drawing should be PNG bytes"
    assert w.state == {"a": 1.0, "kind": "line"}
    assert readout_text(w) == "a = 1.0, kind = line"
    assert w.last_redraw_s > 0
    assert w.values == {"a": 1.0, "kind": "line"}


def test_each_change_redraws_once():
    w = TwoControls()
    png = w.png
    state = w.set(a=1.5)
    assert w.redraws == 2, "one change, one redraw"
    assert state == w.state == {"a": 1.5, "kind": "line"}
    assert w.png != png, "the figure should change with the control"
    assert readout_text(w) == "a = 1.5, kind = line"

    w.set(a=0.5, kind="bars")
    assert w.redraws == 4, "two controls changed in one call: two redraws, one per change"
    assert w.computed[-1] == (0.5, "bars")
    assert readout_text(w) == "a = 0.5, kind = bars"


def test_setting_the_same_value_does_not_redraw():
    w = TwoControls()
    w.set(a=1.0, kind="line")
    assert w.redraws == 1, "a control set to the value it has is no change and should not redraw"


def test_moving_a_control_directly_redraws_like_set():
    # What the browser does: the control's value trait changes.
    w = TwoControls()
    w.controls["kind"].value = "bars"
    assert w.redraws == 2
    assert w.state["kind"] == "bars"
    assert readout_text(w).endswith("kind = bars")


def test_unknown_control_raises_a_lesson_error_naming_the_controls():
    w = TwoControls()
    with pytest.raises(LessonError) as err:
        w.set(b=1.0)
    message = str(err.value)
    assert "'b'" in message and "'a'" in message and "'kind'" in message, message
    assert w.redraws == 1, "a refused set should not redraw"


def test_css_classes_the_browser_tests_look_for():
    w = TwoControls()
    for control in w.controls.values():
        assert "lstm-control" in control._dom_classes
    assert "lstm-readout" in w.readout._dom_classes
    assert "lstm-figure" in w.output._dom_classes
    children = list(w.ui.children)
    assert children[-2] is w.readout and children[-1] is w.output, "readout, then figure, last"
    for control in w.controls.values():
        assert control in children


def test_mimebundle_has_the_widget_view_and_a_png_fallback():
    w = TwoControls()
    w.set(a=2.0)
    bundle = w._repr_mimebundle_()
    view = bundle[WIDGET_VIEW_MIME]
    assert view["model_id"] == w.ui.model_id
    assert view["version_major"] == 2
    assert base64.b64decode(bundle["image/png"]) == w.png, "the fallback should be the current drawing"
    assert bundle["text/plain"] == "TwoControls(a=2.0, kind='line')"


def test_base_class_needs_compute_and_draw():
    class Bare(FigureWidget):
        pass

    with pytest.raises(NotImplementedError):
        Bare({"x": W.IntSlider(value=1, min=0, max=3)})


# --- notebook 00's smoke test

def test_forget_gate_default_state():
    w = ForgetGateDemo()
    assert w.values == {"f": pytest.approx(0.9)}
    assert len(w.state["c"]) == 21
    assert w.state["c"][-1] == pytest.approx(0.9 ** 20)
    assert "f = 0.90" in readout_text(w)
    assert "12.2%" in readout_text(w), readout_text(w)


def test_forget_gate_set_redraws_and_updates_the_readout():
    w = ForgetGateDemo()
    png, redraws = w.png, w.redraws
    state = w.set(f=0.95)
    assert w.redraws == redraws + 1
    assert state["f"] == pytest.approx(0.95)
    assert state["c"][-1] == pytest.approx(0.95 ** 20)
    assert w.png != png and w.png.startswith(PNG_MAGIC)
    assert "f = 0.95" in readout_text(w) and "35.8%" in readout_text(w), readout_text(w)


@pytest.mark.parametrize("f, left", [(0.0, "0.0%"), (0.5, "0.0%"), (1.0, "100.0%")])
def test_forget_gate_extremes(f, left):
    w = ForgetGateDemo()
    w.set(f=f)
    assert f"<b>{left}</b>" in readout_text(w), readout_text(w)
    assert w.state["c"][0] == 1.0, "the memory starts at 1 whatever f is"


def test_forget_gate_steps():
    w = ForgetGateDemo(f=0.5, steps=3)
    assert w.state["c"] == pytest.approx([1.0, 0.5, 0.25, 0.125])
    assert "after 3 steps" in readout_text(w)


def test_forget_gate_slider_has_the_css_class_and_range():
    w = ForgetGateDemo()
    slider = w.controls["f"]
    assert isinstance(slider, W.FloatSlider)
    assert (slider.min, slider.max) == (0.0, 1.0)
    assert "lstm-control" in slider._dom_classes
    assert slider.continuous_update is False, "redraw on release, not on every pixel of a drag"


@pytest.mark.parametrize("kwargs", [{"f": 1.5}, {"f": -0.1}, {"f": "0.9"}, {"steps": 0}, {"steps": 2.5}])
def test_forget_gate_bad_arguments_raise_lesson_errors(kwargs):
    with pytest.raises(LessonError):
        ForgetGateDemo(**kwargs)


def test_forget_gate_bad_control_name():
    w = ForgetGateDemo()
    with pytest.raises(LessonError, match="'f'"):
        w.set(forget=0.5)
