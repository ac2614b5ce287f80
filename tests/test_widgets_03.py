"""Notebook 03's widget, MemorySwitches, driven as a learner would drive it: widget.set(...)."""

import ipywidgets as W
import numpy as np
import pytest

from lstm_lessons import LessonError, memory
from lstm_lessons.widgets.engine import FigureWidget, png_text
from lstm_lessons.widgets.memory_switches import DEFAULT_X, MemorySwitches, holds


@pytest.fixture
def switches():
    return MemorySwitches()


def test_controls_are_a_step_slider_and_one_checkbox_per_gate_and_step(switches):
    assert isinstance(switches, FigureWidget)
    names = list(switches.controls)
    assert names[0] == "t" and isinstance(switches.controls["t"], W.IntSlider), "the step slider is the main control"
    assert (switches.controls["t"].min, switches.controls["t"].max) == (1, 8)
    boxes = {n: c for n, c in switches.controls.items() if n != "t"}
    assert sorted(boxes) == sorted(f"{g}{t}" for g in "wfr" for t in range(1, 9))
    assert all(isinstance(c, W.Checkbox) and c.description for c in boxes.values())


def test_the_default_schedule_stores_the_flagged_value_and_reads_it_at_the_end(switches):
    state = switches.state
    assert state["t"] == 8 and state["holds"] == [2]
    np.testing.assert_array_equal(state["w"], [0, 1, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(state["f"], np.ones(8))
    np.testing.assert_array_equal(state["r"], [0, 0, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(state["m"], [0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9])
    np.testing.assert_array_equal(state["y"], [0, 0, 0, 0, 0, 0, 0, 0.9])
    assert "x<sub>2</sub>" not in switches.readout.value and "0.90" in switches.readout.value
    assert "holds $x_{2}$: m = 0.90" in switches.title_text.get_text()


def test_switching_forget_off_erases_and_an_extra_write_adds_a_distractor(switches):
    state = switches.set(f5=False)
    assert state["y"][-1] == 0.0 and state["holds"] == [] and "empty" in switches.title_text.get_text()
    state = switches.set(f5=True, w4=True)
    assert state["y"][-1] == pytest.approx(0.9 + 0.3) and state["holds"] == [2, 4]
    state = switches.set(f4=False)  # clear and write at step 4 together: replaced
    assert state["y"][-1] == pytest.approx(0.3) and state["holds"] == [4]
    state = switches.set(**{f"r{t}": True for t in range(1, 9)})  # read at every step
    np.testing.assert_allclose(state["y"], state["m"])


def test_compute_is_the_gated_memory_for_any_schedule():
    rng = np.random.default_rng(0)
    widget = MemorySwitches(bounded=True)
    on = {f"{g}{t}": bool(rng.integers(2)) for g in "wfr" for t in range(1, 9)}
    state = widget.set(**on)
    gates = {g: np.array([float(on[f"{g}{t}"]) for t in range(1, 9)]) for g in "wfr"}
    trace = memory.gated_memory(np.array(DEFAULT_X)[None], gates["w"], gates["f"], gates["r"],
                                write="tanh", read="tanh")
    np.testing.assert_allclose(state["m"], trace.m[0], rtol=1e-12)
    np.testing.assert_allclose(state["y"], trace.y[0], rtol=1e-12)
    assert state["holds"] == holds(gates["w"], gates["f"], 8)


def test_the_cell_drawing_shows_the_selected_step(switches):
    switches.set(w4=True)
    for t in (1, 2, 4, 8):
        state = switches.set(t=t)
        shown = switches.cell.shown_values()
        k = t - 1
        for key in ("x", "w", "f", "r", "m", "y"):
            assert shown[key] == pytest.approx(float(state[key][k]), abs=0.006), (t, key)
        assert shown["m_prev"] == pytest.approx(float(state["m_prev"][k]), abs=0.006)
        assert f"step t = {t}" in switches.readout.value


def test_every_control_redraws_once_and_changes_the_picture(switches):
    seen = {switches.png}
    for name, control in switches.controls.items():
        before = switches.redraws
        new = (control.value % 8) + 1 if name == "t" else not control.value
        switches.set(**{name: new})
        assert switches.redraws == before + 1, name
        assert switches.png not in seen, f"moving {name} should change the picture"
        seen.add(switches.png)
        assert '"widget": "MemorySwitches"' in png_text(switches.png)["lstm-frame"]


def test_switches_never_change_the_axes_so_redraws_stay_cheap(switches):
    full = switches.full_draws
    for name in [n for n in switches.controls if n != "t"]:
        switches.set(**{name: not switches.controls[name].value})
    assert switches.full_draws - full <= 1, "only the animated artists should be redrawn (the first move may draw all)"


def test_holds_lists_the_steps_whose_values_survive():
    w = [1, 1, 0, 1]
    assert holds(w, [1, 1, 1, 1], 4) == [1, 2, 4]
    assert holds(w, [1, 0, 1, 1], 4) == [2, 4]  # the clear at step 2 drops x_1, the write keeps x_2
    assert holds(w, [1, 1, 0, 1], 3) == []
    assert holds(w, [1, 1, 1, 1], 1) == [1]


def test_saved_notebook_gets_a_png_and_alt_text():
    data, metadata = MemorySwitches()._repr_mimebundle_()
    assert data["image/png"] and "MemorySwitches(t=8" in data["text/plain"]
    assert "step t = 8" in metadata["image/png"]["alt"]


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="at most 12 steps"):
        MemorySwitches(x=np.zeros(13))
    with pytest.raises(LessonError, match=r"write should hold steps from 1 to T = 8"):
        MemorySwitches(write=[0])
    with pytest.raises(LessonError, match="list of steps"):
        MemorySwitches(read=5)
    with pytest.raises(LessonError, match="x should have 1 dimension"):
        MemorySwitches(x=np.zeros((2, 4)))
    with pytest.raises(LessonError, match="no control 'w9'"):
        MemorySwitches().set(w9=True)
