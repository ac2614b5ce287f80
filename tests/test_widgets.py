"""The widget engine (FigureWidget) and notebook 00's ForgetGateDemo, without a browser.

`widget.set(name=value)` moves a control exactly as a learner's drag does, so the logic of every
widget is tested here; tests/browser checks that the same widgets render and redraw in
JupyterLab 4 and Notebook 7. These tests also run under ipywidgets 7.7 (`make test-ipywidgets7`),
the version Colab ships, so they use only the API that ipywidgets 7.6 and 8 share.
"""

from __future__ import annotations

import base64
import json
import time

import ipywidgets as W
import numpy as np
import pytest

from lstm_lessons._validate import LessonError
from lstm_lessons.widgets import (REGISTRY, WIDGET_VIEW_MIME, FigureWidget, ForgetGateDemo, GradientFlowDemo,
                                  checkbox, choice, dropdown, int_slider, log_slider, slider, toggle)
from lstm_lessons.widgets.engine import CSS_DPI, DENSITY, encode_png, plain_text, png_size, png_text

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def frame_info(widget) -> dict:
    """What the PNG on show says it was drawn for (the engine writes it into each frame)."""
    return json.loads(png_text(widget.png)["lstm-frame"])


def front_end_move(control, value):
    """Change a control as a message from the browser does: through set_state, under its property lock."""
    if isinstance(control, W.Dropdown):
        keys = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.set_state({"index": keys.index(value)})
    else:
        control.set_state({"value": value})


class TwoControls(FigureWidget):
    """A minimal subclass: a slider and a dropdown, to test the base class on its own."""

    title = "two controls"

    def __init__(self):
        self.computed = []
        self.builds = 0
        super().__init__({
            "a": W.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.5, description="a"),
            "kind": W.Dropdown(options=["line", "bars"], value="line", description="kind"),
        }, width=3.0, height=2.0)

    def compute(self, a, kind):
        self.computed.append((a, kind))
        if a == 2.0 and kind == "bars":
            raise LessonError("a = 2 with bars is refused, to test how errors are shown")
        return {"a": a, "kind": kind}

    def build(self, fig):
        self.builds += 1
        self.ax = fig.add_subplot()
        (self.line,) = self.ax.plot([0, 1], [0, 0], animated=True)
        self.label = self.ax.text(0.5, 0.5, "", animated=True)
        self.ax.set(xlim=(0, 1), ylim=(0, 2))

    def update(self, state):
        self.line.set_ydata([0, state["a"]])
        self.line.set_linestyle("-" if state["kind"] == "line" else "--")
        self.label.set_text(f"a = {state['a']}")

    def describe(self, state):
        return f"a = {state['a']:.1f}, kind = <b>{state['kind']}</b>"


# --- the base class: drawing once, updating after

def test_construction_draws_once_and_fills_the_readout():
    w = TwoControls()
    assert w.redraws == 1 and w.builds == 1, "a new widget builds and draws exactly once"
    assert w.png.startswith(PNG_MAGIC), "the drawing should be PNG bytes"
    assert w.state == {"a": 1.0, "kind": "line"}
    assert w.readout.value == "a = 1.0, kind = <b>line</b>"
    assert w.last_redraw_s > 0 and set(w.last_timings) == {"compute", "update", "draw", "encode", "send"}
    assert w.values == {"a": 1.0, "kind": "line"}
    assert w.image.value == w.png, "the picture on show is the current drawing"


def test_the_png_has_twice_the_pixels_of_the_layout():
    w = TwoControls()
    assert png_size(w.png) == (3.0 * CSS_DPI * DENSITY, 2.0 * CSS_DPI * DENSITY) == (600, 400)
    assert w.image.width == "300", "shown at the layout size: two pixels of the PNG per CSS pixel"


def test_each_change_redraws_once_and_only_the_animated_artists():
    w = TwoControls()
    png = w.png
    state = w.set(a=1.5)
    assert w.redraws == 2, "one change, one redraw"
    assert state == w.state == {"a": 1.5, "kind": "line"}
    assert w.png != png, "the figure should change with the control"
    assert w.readout.value == "a = 1.5, kind = <b>line</b>"
    w.set(a=0.5, kind="bars")
    assert w.redraws == 3, "two controls changed in one call: one redraw"
    assert w.computed[-1] == (0.5, "bars")
    assert w.full_draws == 1, "only animated artists changed: the background was drawn once"


def test_build_happens_once_and_the_figure_is_kept():
    w = TwoControls()
    fig, axes, line, image = w.fig, list(w.fig.axes), w.line, w.image
    for a in (0.0, 0.5, 1.5, 2.0, 1.0, 0.5):
        w.set(a=a)
    assert w.builds == 1 and w.fig is fig and w.fig.axes == axes and w.line is line and w.image is image
    assert list(w.line.get_ydata()) == [0, 0.5], "the kept artist carries the new data"
    assert w.label.get_text() == "a = 0.5"


def test_a_change_to_a_static_artist_redraws_the_whole_figure():
    w = TwoControls()
    w.set(a=1.5)
    assert w.full_draws == 1
    w.ax.set_ylim(0, 3)  # not animated: the cached background is out of date
    w.refresh()
    assert w.full_draws == 2
    w.set(a=0.5)
    assert w.full_draws == 2, "and only once"


def test_each_frame_says_what_it_was_drawn_for():
    w = TwoControls()
    first = frame_info(w)
    w.set(a=0.5)
    second = frame_info(w)
    assert first["values"] == {"a": 1.0, "kind": "line"} and second["values"] == {"a": 0.5, "kind": "line"}
    assert second["generation"] > first["generation"] and second["exact"] is True
    assert second["widget"] == "TwoControls"


def test_setting_the_same_value_does_not_redraw():
    w = TwoControls()
    w.set(a=1.0, kind="line")
    assert w.redraws == 1, "a control set to the value it has is no change and should not redraw"


def test_moving_a_control_directly_redraws_like_set():
    w = TwoControls()
    w.controls["kind"].value = "bars"
    assert w.redraws == 2 and w.state["kind"] == "bars"
    assert w.readout.value.endswith("kind = <b>bars</b>")


def test_a_change_from_the_front_end_redraws():
    w = TwoControls()
    front_end_move(w.controls["a"], 0.5)
    front_end_move(w.controls["kind"], "bars")
    assert w.redraws == 3 and w.state == {"a": 0.5, "kind": "bars"} and w.exact


def test_unknown_control_raises_a_lesson_error_naming_the_controls():
    w = TwoControls()
    with pytest.raises(LessonError) as err:
        w.set(b=1.0)
    message = str(err.value)
    assert "'b'" in message and "'a'" in message and "'kind'" in message, message
    assert w.redraws == 1, "a refused set should not redraw"


def test_a_value_the_control_cannot_take_is_explained():
    w = TwoControls()
    with pytest.raises(LessonError, match=r"'kind' should be set to one of \['line', 'bars'\]; got 'dots'"):
        w.set(kind="dots")


def test_a_raising_compute_is_shown_in_the_readout_and_raised():
    w = TwoControls()
    w.set(a=2.0)
    png, state = w.png, w.state
    with pytest.raises(LessonError, match="refused"):
        w.set(kind="bars")
    assert "Could not redraw" in w.readout.value and "LessonError" in w.readout.value
    assert "a = 2 with bars is refused" in w.readout.value, w.readout.value
    assert w.png == png and w.state == state, "the last good picture stays"
    w.set(kind="line", a=1.0)
    assert w.readout.value == "a = 1.0, kind = <b>line</b>", "and the next good move draws again"


def test_a_failing_update_is_reported_and_the_next_move_recovers():
    w = TwoControls()
    original = w.update
    w.update = lambda state: (_ for _ in ()).throw(RuntimeError("the artist is gone"))
    with pytest.raises(RuntimeError):
        w.set(a=0.5)
    assert "RuntimeError: the artist is gone" in w.readout.value
    w.update = original
    w.set(a=1.5)
    assert w.state["a"] == 1.5 and w.label.get_text() == "a = 1.5" and w.full_draws == 2


def test_css_classes_the_browser_tests_look_for():
    w = TwoControls()
    for control in w.controls.values():
        assert "lstm-control" in control._dom_classes
    assert "lstm-readout" in w.readout._dom_classes
    assert "lstm-figure" in w.picture._dom_classes and w.picture.children == (w.image,)
    assert "lstm-widget" in w.ui._dom_classes
    children = list(w.ui.children)
    assert children[-2] is w.readout and children[-1] is w.picture, "readout, then figure, last"
    for control in w.controls.values():
        assert control in children


def test_mimebundle_has_the_widget_view_and_a_png_fallback_with_alt_text():
    w = TwoControls()
    w.set(a=2.0)
    data, metadata = w._repr_mimebundle_()
    view = data[WIDGET_VIEW_MIME]
    assert view["model_id"] == w.ui.model_id and view["version_major"] == 2
    assert base64.b64decode(data["image/png"]) == w.png, "the fallback should be the current drawing"
    assert data["text/plain"] == "TwoControls(a=2.0, kind='line')"
    assert metadata["image/png"]["width"] == 300, "the 2x PNG is shown at its layout size"
    assert metadata["image/png"]["alt"] == "a = 2.0, kind = line" == plain_text(w.readout.value)


def test_base_class_needs_compute():
    class Bare(FigureWidget):
        pass

    with pytest.raises(NotImplementedError, match="compute"):
        Bare({"x": W.IntSlider(value=1, min=0, max=3)})


def test_controls_must_be_widgets():
    class One(TwoControls):
        def __init__(self):
            FigureWidget.__init__(self, {"a": 1.0})

    with pytest.raises(LessonError, match="'a' should be an ipywidgets widget"):
        One()


def test_a_widget_written_for_the_first_engine_still_draws():
    class Old(FigureWidget):
        def __init__(self):
            super().__init__({"n": W.IntSlider(value=2, min=1, max=5)}, width=3, height=2)

        def compute(self, n):
            return n

        def draw(self, fig, state):
            fig.add_subplot().plot(range(state))

    w = Old()
    w.set(n=4)
    assert w.redraws == 2 and len(w.fig.axes) == 1 and len(w.fig.axes[0].lines[0].get_xdata()) == 4


def test_silent_controls_buttons_and_extras():
    class Stepper(FigureWidget):
        silent = ("note",)

        def __init__(self):
            self.go = W.Button(description="step")
            self.play = W.Play(value=0, min=0, max=3)
            super().__init__({"k": W.IntSlider(value=0, min=0, max=9), "note": W.Text(value=""), "go": self.go},
                             width=3, height=2, extras=[self.play])
            self.go.on_click(lambda _: self.set(k=self.controls["k"].value + 1))

        def compute(self, k, note):
            return {"k": k, "note": note}

        def build(self, fig):
            self.t = fig.add_subplot().text(0.5, 0.5, "", animated=True)

        def update(self, state):
            self.t.set_text(f"{state['k']} {state['note']}")

    w = Stepper()
    assert w.values == {"k": 0, "note": ""}, "a Button is shown but has no value to compute with"
    w.controls["note"].value = "hello"
    assert w.redraws == 1, "a silent control does not redraw"
    w.go.click()
    assert w.redraws == 2 and w.state == {"k": 1, "note": "hello"}
    assert w.play in w.ui.children and "lstm-extra" in w.play._dom_classes
    w.play.value = 2
    assert w.redraws == 2, "extras are shown, not observed"


def test_the_packaged_widgets_join_the_benchmark_registry():
    assert ForgetGateDemo in REGISTRY and GradientFlowDemo in REGISTRY
    assert TwoControls not in REGISTRY, "only widgets of lstm_lessons.widgets"


# --- previews and the exact frame that replaces them

class SlowSquare(FigureWidget):
    """compute is slow and exact; preview is fast and rough (and says so)."""

    settle_s = 0.02

    def __init__(self):
        super().__init__({"x": W.IntSlider(value=1, min=0, max=50)}, width=2, height=1.5)

    def compute(self, x):
        time.sleep(0.03)
        return {"x": x, "y": x * x, "estimate": False}

    def preview(self, x):
        return {"x": x, "y": x * x + 0.5, "estimate": True}

    def build(self, fig):
        self.t = fig.add_subplot().text(0.1, 0.5, "", animated=True)

    def update(self, state):
        self.t.set_text(f"{state['x']}^2 = {state['y']}")


def test_set_is_exact_and_a_live_move_is_refined_to_the_exact_state():
    w = SlowSquare()
    assert w.set(x=3) == {"x": 3, "y": 9, "estimate": False} and w.exact
    front_end_move(w.controls["x"], 4)
    assert w.state["estimate"] and not w.exact, "a live move draws the preview at once"
    assert frame_info(w)["exact"] is False
    assert w.wait_exact(5.0), "the exact state follows when the control rests"
    assert w.state == {"x": 4, "y": 16, "estimate": False} and frame_info(w)["values"] == {"x": 4}
    assert w.t.get_text() == "4^2 = 16"


def test_a_long_drag_ends_on_the_exact_frame_of_its_last_value_and_never_goes_back():
    w = SlowSquare()
    shown = []
    w.image.observe(lambda change: shown.append(frame_info(w)), names="value")
    for x in range(5, 41):  # a drag: a move every few milliseconds, faster than compute
        front_end_move(w.controls["x"], x)
        time.sleep(0.004)
    assert w.wait_exact(5.0)
    last = shown[-1]
    assert last["values"] == {"x": 40} and last["exact"] and w.state["y"] == 1600
    xs = [f["values"]["x"] for f in shown]
    assert xs == sorted(xs), f"frames went back to an older value: {xs}"
    assert len([f for f in shown if f["exact"]]) < 10, "superseded exact states are dropped, not drawn"


# --- the control helpers

def test_control_helpers_update_while_dragged_and_check_their_value():
    assert slider("f", 0.5, 0.0, 1.0, 0.01).continuous_update is True
    assert int_slider("T", 10, 10, 200, 10).continuous_update is True
    log = log_slider("drive", 0.1, 0.01, 10.0)
    assert log.continuous_update is True and (log.min, log.max) == (-2.0, 1.0) and log.value == pytest.approx(0.1)
    assert dropdown("kind", [("A", "a"), ("B", "b")], "b").value == "b"
    assert choice("kind", ["x", "y"], "y").value == "y"
    assert toggle("write", True).value is True and checkbox("read").value is False
    with pytest.raises(LessonError, match="forget gate f"):
        slider("forget gate f", 1.5, 0.0, 1.0, 0.01)
    with pytest.raises(LessonError, match="one of"):
        dropdown("kind", ["a"], "c")


def test_encode_png_round_trips_through_a_png_reader():
    from PIL import Image
    import io

    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[..., 0] = np.arange(4) * 60
    rgba[1, 2] = (10, 20, 30, 255)
    png = encode_png(rgba, {"k": "v"})
    img = Image.open(io.BytesIO(png))
    assert img.size == (4, 3) and img.mode == "RGB"
    assert (np.asarray(img) == rgba[..., :3]).all()
    assert png_text(png) == {"k": "v"} and png_size(png) == (4, 3)


# --- notebook 00's smoke test

def test_forget_gate_default_state():
    w = ForgetGateDemo()
    assert w.values == {"f": pytest.approx(0.9)}
    assert len(w.state["c"]) == 21
    assert w.state["c"][-1] == pytest.approx(0.9 ** 20)
    assert "f = 0.90" in w.readout.value
    assert "12.2%" in w.readout.value, w.readout.value


def test_forget_gate_set_redraws_and_updates_the_readout_and_the_drawing():
    w = ForgetGateDemo()
    png, redraws = w.png, w.redraws
    state = w.set(f=0.95)
    assert w.redraws == redraws + 1
    assert state["f"] == pytest.approx(0.95)
    assert state["c"][-1] == pytest.approx(0.95 ** 20)
    assert w.png != png and w.png.startswith(PNG_MAGIC)
    assert "f = 0.95" in w.readout.value and "35.8%" in w.readout.value, w.readout.value
    np.testing.assert_allclose(w.line.get_ydata(), 0.95 ** np.arange(21))
    assert w.heading.get_text().startswith("f = 0.95: 36% of the memory")
    assert w.full_draws == 1, "only the curve and the texts are redrawn"


@pytest.mark.parametrize("f, left", [(0.0, "0.0%"), (0.5, "0.0%"), (1.0, "100.0%")])
def test_forget_gate_extremes(f, left):
    w = ForgetGateDemo()
    w.set(f=f)
    assert f"<b>{left}</b>" in w.readout.value, w.readout.value
    assert w.state["c"][0] == 1.0, "the memory starts at 1 whatever f is"


def test_forget_gate_steps():
    w = ForgetGateDemo(f=0.5, steps=3)
    assert w.state["c"] == pytest.approx([1.0, 0.5, 0.25, 0.125])
    assert "after 3 steps" in w.readout.value


def test_forget_gate_slider_follows_the_drag():
    w = ForgetGateDemo()
    slider_ = w.controls["f"]
    assert isinstance(slider_, W.FloatSlider)
    assert (slider_.min, slider_.max) == (0.0, 1.0)
    assert "lstm-control" in slider_._dom_classes
    assert slider_.continuous_update is True, "the drawing follows the drag"


@pytest.mark.parametrize("kwargs", [{"f": 1.5}, {"f": -0.1}, {"f": "0.9"}, {"steps": 0}, {"steps": 2.5}])
def test_forget_gate_bad_arguments_raise_lesson_errors(kwargs):
    with pytest.raises(LessonError):
        ForgetGateDemo(**kwargs)


def test_forget_gate_bad_control_name():
    w = ForgetGateDemo()
    with pytest.raises(LessonError, match="'f'"):
        w.set(forget=0.5)


def test_a_forceable_slider_is_locked_until_its_switch_is_ticked():
    from lstm_lessons.widgets.controls import forceable

    switch, knob = forceable("f", 0.5, 0.0, 1.0)
    assert switch.description == "force f" and knob.disabled and knob.value == 0.5
    switch.value = True
    assert not knob.disabled
    switch.value = False
    assert knob.disabled
