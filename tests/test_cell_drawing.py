"""The cell drawing of notebooks 03-06: it shows the values it is given, and gates open and shut their paths.

Oracle: the equations of each cell (c = f*c_prev + i*g, h = o*tanh(c); h = (1-z)*n + z*h_prev;
m = f*m_prev + w*x, y = r*m), computed here in plain Python and compared with the numbers the
drawing's text artists show.
"""

import math
import subprocess
import sys

import pytest

from lstm_lessons import LessonError
from lstm_lessons.cell_drawing import BOX_H, KEYS, PARTS, CellDrawing, draw_cell
from lstm_lessons.plots import new_figure

LSTM = {"x": 0.5, "h_prev": -0.3, "c_prev": 0.8, "f": 0.9, "i": 0.2, "g": -0.4, "o": 0.7}
GRU = {"x": 0.5, "h_prev": -0.3, "r": 0.6, "z": 0.8, "n": 0.4}
MEMORY = {"x": 0.9, "w": 1.0, "f": 0.5, "r": 1.0, "m_prev": 2.5}


def cell(kind, values=None, **kwargs):
    fig, ax = new_figure(width=7, height=3.5)
    return draw_cell(ax, kind, values, **kwargs)


def shown(text):
    return float(text.replace("\u2212", "-"))


def test_lstm_shows_its_values_and_the_flows_they_make():
    c = cell("lstm", LSTM)
    labels = c.labels()
    for key, value in LSTM.items():
        assert shown(labels[key]) == pytest.approx(value, abs=0.005), key
    c_t = 0.9 * 0.8 + 0.2 * -0.4  # c_t = f * c_(t-1) + i * g
    h_t = 0.7 * math.tanh(c_t)  # h_t = o * tanh(c_t)
    assert labels["c"] == f"{c_t:.2f}" and labels["h"] == f"{h_t:.2f}"
    assert labels["f*c_prev"] == "0.72" and labels["i*g"] == "\u22120.08" and labels["tanh(c)"] == f"{math.tanh(c_t):.2f}"
    assert labels["g"] == "\u22120.40", "negative numbers get a true minus sign"
    assert c.shown_values()["c"] == pytest.approx(c_t, abs=0.005)


def test_given_outputs_are_shown_as_given():
    labels = cell("lstm", dict(LSTM, c=1.234, h=-0.5)).labels()
    assert labels["c"] == "1.23" and labels["h"] == "\u22120.50"


def test_gru_blends_with_pytorchs_convention():
    labels = cell("gru", GRU).labels()
    # h_t = (1 - z) * n + z * h_(t-1)
    h_t = (1 - 0.8) * 0.4 + 0.8 * -0.3
    assert labels["h"] == f"{h_t:.2f}".replace("-", "\u2212")
    assert labels["1-z"] == "0.20" and labels["z*h_prev"] == "\u22120.24" and labels["(1-z)*n"] == "0.08"
    for key in GRU:
        assert shown(labels[key]) == pytest.approx(GRU[key], abs=0.005)


def test_memory_prototype_unbounded_and_bounded():
    plain = cell("memory", MEMORY).labels()
    # m_t = f * m_(t-1) + w * x_t; y_t = r * m_t
    assert plain["m"] == f"{0.5 * 2.5 + 0.9:.2f}" and plain["y"] == plain["m"]
    assert "tanh(x)" not in plain and "tanh(m)" not in plain
    bounded = cell("memory", MEMORY, bounded=True).labels()
    m = 0.5 * 2.5 + math.tanh(0.9)  # the write is squashed
    assert bounded["m"] == f"{m:.2f}" and bounded["y"] == f"{math.tanh(m):.2f}"
    assert bounded["tanh(x)"] == f"{math.tanh(0.9):.2f}" and bounded["w*x"] == bounded["tanh(x)"]


def test_a_memory_that_drifts_far_is_still_shown():
    labels = cell("memory", dict(MEMORY, f=1.0, m_prev=1234.5)).labels()
    assert labels["m"] == "1.2e+03" and labels["m_prev"] == "1.2e+03"
    assert cell("memory", dict(MEMORY, f=1.0, m_prev=54.321)).labels()["m_prev"] == "54.3"


def test_missing_values_show_a_dot():
    c = cell("lstm")
    assert set(c.labels().values()) == {"·"}
    assert all(v is None for v in c.shown_values().values())
    c.update({"f": 0.5})
    assert c.labels()["f"] == "0.50" and c.labels()["c"] == "·", "c needs c_prev too"


@pytest.mark.parametrize("kind, gates", [("lstm", ("f", "i", "o")), ("gru", ("z", "r")), ("memory", ("w", "f", "r"))])
def test_a_shut_gate_closes_its_path_and_an_open_one_opens_it(kind, gates):
    base = {"lstm": LSTM, "gru": GRU, "memory": MEMORY}[kind]
    c = cell(kind, base)
    for gate in gates:
        c.update(dict(base, **{gate: 0.0}))
        shut = c.path_style(gate)
        c.update(dict(base, **{gate: 1.0}))
        open_ = c.path_style(gate)
        assert shut["linestyle"] == ":" and open_["linestyle"] == "-", gate
        assert shut["alpha"] <= 0.25 and open_["alpha"] == 1.0, gate
        assert shut["linewidth"] < 0.3 * open_["linewidth"], gate
        assert c.gauge_height(gate) == pytest.approx(BOX_H), "a gate at 1 fills its box"
        c.update(dict(base, **{gate: 0.0}))
        assert c.gauge_height(gate) == 0.0, "a gate at 0 leaves it empty"
    if kind == "gru":  # 1 - z shuts the candidate's path when z = 1
        c.update(dict(base, z=1.0))
        assert c.path_style("1-z")["linestyle"] == ":" and c.path_style("z")["linestyle"] == "-"


def test_gauges_fill_in_proportion_and_the_candidate_both_ways():
    c = cell("lstm", dict(LSTM, f=0.25, g=-0.5))
    assert c.gauge_height("f") == pytest.approx(0.25 * BOX_H)
    assert c.gauge_height("g") == pytest.approx(0.5 * BOX_H / 2), "tanh's gauge fills from the middle"
    rect = c._gauges["g"][0]
    mid = c._gauges["g"][2] + BOX_H / 2
    assert rect.get_y() + rect.get_height() == pytest.approx(mid), "a negative candidate fills downwards"


def test_update_sets_properties_only():
    c = cell("lstm", LSTM, animated=True)
    children = list(c.ax.get_children())
    for f in (0.0, 0.3, 1.0):
        c.update(dict(LSTM, f=f))
    assert list(c.ax.get_children()) == children, "no artist added or removed"
    assert all(a.get_animated() for a in c.artists), "in a widget, what changes is animated"
    static = [a for a in children if a not in c.artists and hasattr(a, "get_animated")]
    assert static and not any(a.get_animated() for a in static), "the rest is drawn once"


@pytest.mark.parametrize("kind", ["lstm", "gru", "memory"])
def test_each_stage_of_construction_draws_only_its_parts(kind):
    for n in range(1, len(PARTS[kind]) + 1):
        parts = PARTS[kind][:n]
        c = cell(kind, {"lstm": LSTM, "gru": GRU, "memory": MEMORY}[kind], parts=parts)
        labels = c.labels()
        for gate in PARTS[kind]:
            assert (gate in labels) == (gate in parts), (parts, gate)


def test_the_lstm_at_its_first_stage_keeps_only_what_forgets():
    labels = cell("lstm", LSTM, parts=("f",)).labels()
    assert labels["c"] == "0.72", "c_t = f * c_(t-1) before anything is written"
    assert "h" not in labels and "i*g" not in labels
    labels = cell("lstm", LSTM, parts=("f", "i", "g")).labels()
    assert labels["c"] == "0.64" and "h" not in labels


def test_mistakes_are_explained():
    fig, ax = new_figure()
    with pytest.raises(LessonError, match="kind"):
        CellDrawing(ax, "rnn")
    with pytest.raises(LessonError, match="parts of a lstm cell"):
        CellDrawing(ax, "lstm", parts=("r",))
    with pytest.raises(LessonError, match="bounded"):
        CellDrawing(ax, "gru", bounded=True)
    c = CellDrawing(ax, "lstm")
    with pytest.raises(LessonError, match="c_prev for c_"):
        c.update({"c_t": 1.0})
    with pytest.raises(LessonError, match="Pick a unit"):
        c.update({"h": [0.1, 0.2]})
    with pytest.raises(LessonError, match="finite"):
        c.update({"f": float("nan")})
    assert set(KEYS["gru"]) == {"x", "h_prev", "r", "z", "n", "h"}


def test_the_drawing_does_not_need_widgets():
    code = "import sys, lstm_lessons.cell_drawing; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
