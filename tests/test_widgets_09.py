"""Notebook 09's widget, TemperatureWidget, driven as a learner drives it: widget.set(temperature=...)."""

import statistics
import time

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, language_model as lm, number_words as nw
from lstm_lessons.widgets.engine import REGISTRY, FigureWidget, png_text
from lstm_lessons.widgets.temperature import TemperatureWidget, entropy_bits, temperatures


@pytest.fixture(scope="module")
def widget():
    torch.set_num_threads(1)
    return TemperatureWidget.example()


def test_it_is_a_registered_figure_widget_with_one_slider(widget):
    assert isinstance(widget, FigureWidget) and TemperatureWidget in REGISTRY
    assert list(widget.controls) == ["temperature"] and widget.controls["temperature"].description
    assert widget.png.startswith(b"\x89PNG")
    assert list(temperatures()) == [round(0.1 + 0.05 * k, 2) for k in range(59)]


def test_moving_the_slider_redraws_once_and_describes_the_samples(widget):
    before = widget.redraws
    state = widget.set(temperature=2.0)
    assert widget.redraws == before + 1 and '"temperature": 2.0' in png_text(widget.png)["lstm-frame"]
    assert "T = 2.00" in widget.readout.value and f"{100 * state['valid']:.0f}%" in widget.readout.value
    assert len(state["lines"]) == 4 and state["count"] == 200


def test_compute_is_pure_and_matches_sample_names(widget):
    a, b = widget.compute(temperature=1.3), widget.compute(temperature=1.3)
    assert a["valid"] == b["valid"] and a["lines"] == b["lines"]
    p = widget.prompts
    direct = lm.sample_names(widget.model, p.state, p.logits, 1.3, widget.uniforms, p.expected)
    assert a["valid"] == direct.valid_share and a["correct"] == direct.correct_share
    assert a["lines"][0][1] == " ".join(direct.names[0]) or (not direct.names[0] and a["lines"][0][1] == "(nothing)")
    assert np.isclose(a["probs"].sum(), 1.0) and (a["probs"] >= 0).all()


def test_the_curves_are_the_samples_at_every_slider_position(widget):
    assert len(widget.valid_curve) == len(widget.grid) == 59
    for k in (0, 20, 58):
        s = widget.samples(widget.grid[k])
        assert widget.valid_curve[k] == s.valid_share and widget.correct_curve[k] == s.correct_share
    assert (widget.correct_curve <= widget.valid_curve).all(), "a right next number is a valid name"


def test_entropy_grows_with_the_temperature(widget):
    # dH/dT = Var_p(z) / T^3 >= 0 for p = softmax(z / T): a theorem, checked on every slider position
    entropies = [widget.compute(temperature=T)["entropy"] for T in widget.grid]
    assert all(a <= b + 1e-9 for a, b in zip(entropies, entropies[1:]))
    assert entropies[-1] <= np.log2(len(nw.VOCAB)) + 1e-9
    assert entropy_bits([0.5, 0.5]) == pytest.approx(1.0) and entropy_bits([1.0, 0.0]) == 0.0


def test_sampled_names_are_judged_by_the_grammar(widget):
    s = widget.samples(2.5)
    for name, valid in zip(s.names, s.valid):
        assert valid == nw.is_valid_name(name) or len(name) >= 8


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="WordLM"):
        TemperatureWidget(torch.nn.LSTM(2, 3), np.zeros(10, dtype=int))
    with pytest.raises(LessonError, match="at most"):
        TemperatureWidget(lm.WordLM(30, 4), nw.encode(nw.corpus(1, 20)), count=50)


def test_a_redraw_is_fast_enough(widget):
    """The series' target is a 40 ms median per move on a quiet 2-core machine. Measured in CPU time, which a
    machine busy with other work does not inflate, with room for a slower CPU."""
    times = []
    for T in (0.5, 0.9, 1.4, 2.2, 2.9, 0.2, 1.0):
        start = time.process_time()
        widget.set(temperature=T)
        times.append(time.process_time() - start)
    assert statistics.median(times) < 0.08
