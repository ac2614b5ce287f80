"""lstm_lessons.diagrams: the pictures of stacked gate weights draw what they are given, where they say."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, diagrams, modules, plots


def _axes(width=8, height=4):
    return plots.new_figure(width=width, height=height)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _same_color(a, b):
    return np.allclose(mcolors.to_rgba(a)[:3], mcolors.to_rgba(b)[:3])


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_schematic_names_every_block_as_pytorch_does(kind):
    fig, ax = _axes()
    drawn = diagrams.draw_stacked_weights(ax, kind, input_size=3, hidden_size=2)
    gates = cells.GATE_ORDER[kind]
    assert drawn.images == [] and drawn.vmax == 0.0
    assert len(drawn.blocks) == 4 * len(gates)
    texts = _texts(ax)
    for gate in gates:
        for symbol in (f"$W_{{i{gate}}}$", f"$W_{{h{gate}}}$", f"$b_{{i{gate}}}$", f"$b_{{h{gate}}}$"):
            assert symbol in texts
        for matrix in ("W_ih", "W_hh", "b_ih", "b_hh"):
            assert _same_color(drawn.blocks[(matrix, gate)].get_edgecolor(), diagrams.COLORS.get(gate, diagrams.COLORS["h"]))
    assert f"({len(gates)}H × I)" in texts or len(gates) == 1
    plots.render_png(fig)  # it draws


def test_blocks_sit_in_pytorchs_row_order():
    fig, ax = _axes()
    H = 3
    drawn = diagrams.draw_stacked_weights(ax, "lstm", input_size=2, hidden_size=H)
    for k, gate in enumerate("ifgo"):
        rect = drawn.blocks[("W_ih", gate)]
        assert rect.get_y() == k * H and rect.get_height() == H  # rows k*H .. (k+1)*H, row 0 at the top
    assert ax.get_ylim()[0] > ax.get_ylim()[1], "row 0 is drawn at the top"


def test_heatmaps_hold_the_weights_of_nn_lstm():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 2).double()
    w = modules.weights_from_torch(lstm)
    fig, ax = _axes()
    drawn = diagrams.draw_stacked_weights(ax, "lstm", w)
    arrays = [im.get_array() for im in drawn.images]
    np.testing.assert_array_equal(arrays[0], lstm.weight_ih_l0.detach().numpy())
    np.testing.assert_array_equal(arrays[1], lstm.weight_hh_l0.detach().numpy())
    np.testing.assert_array_equal(arrays[2][:, 0], lstm.bias_ih_l0.detach().numpy())
    np.testing.assert_array_equal(arrays[3][:, 0], lstm.bias_hh_l0.detach().numpy())
    assert drawn.vmax == pytest.approx(max(np.abs(a).max() for a in w.arrays().values()))
    assert all(im.get_clim() == (-drawn.vmax, drawn.vmax) for im in drawn.images), "one symmetric colour scale"
    assert "(8 × 3)" in _texts(ax) and "(8,)" in _texts(ax)
    plots.render_png(fig)
    fig, ax = _axes()
    names = {"W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}
    diagrams.draw_stacked_weights(ax, "lstm", w, names=names)
    shown = " | ".join(_texts(ax))
    assert all(name in shown for name in names.values()) and "$W_{ih}$" not in shown
    assert "weight_ih_l0 (8 × 3)" in _texts(ax)


def test_gru_weights_and_no_biases():
    w = cells.init_weights("gru", 2, 3, seed=0)
    fig, ax = _axes()
    drawn = diagrams.draw_stacked_weights(ax, "gru", w, b=False, gate_labels="letters")
    assert len(drawn.images) == 2 and {g for _, g in drawn.blocks} == {"r", "z", "n"}
    assert {"r", "z", "n"} <= set(_texts(ax))


def test_one_matrix_on_h_and_x_with_column_groups():
    w = cells.init_weights("lstm", 3, 2, seed=1)
    W = np.concatenate([w.W_hh, w.W_ih], axis=1)
    fig, ax = _axes()
    drawn = diagrams.draw_stacked_weights(ax, "lstm", W, b=w.b_ih + w.b_hh, columns=[("h", 2), ("x", 3)])
    np.testing.assert_array_equal(drawn.images[0].get_array(), W)
    np.testing.assert_array_equal(drawn.images[1].get_array()[:, 0], w.b_ih + w.b_hh)
    assert "on $h$" in _texts(ax) and "on $x$" in _texts(ax)
    plots.render_png(fig)


def test_gate_columns_split_a_fused_multiply():
    a = np.arange(24.0).reshape(3, 8) - 12
    fig, ax = _axes()
    drawn = diagrams.draw_gate_columns(ax, a, "lstm")
    np.testing.assert_array_equal(drawn.images[0].get_array(), a)
    for k, gate in enumerate("ifgo"):
        assert drawn.blocks[("a", gate)].get_x() == 2 * k and drawn.blocks[("a", gate)].get_width() == 2
    assert _texts(ax) == list("ifgo")


def test_bad_arguments_are_explained():
    fig, ax = _axes()
    with pytest.raises(LessonError, match="kind"):
        diagrams.draw_stacked_weights(ax, "transformer")
    with pytest.raises(LessonError, match="pass kind='gru'"):
        diagrams.draw_stacked_weights(ax, "lstm", cells.init_weights("gru", 2, 2, seed=0))
    with pytest.raises(LessonError, match="not a multiple of 4"):
        diagrams.draw_stacked_weights(ax, "lstm", np.zeros((6, 3)))
    with pytest.raises(LessonError, match="add up to 4"):
        diagrams.draw_stacked_weights(ax, "lstm", np.zeros((8, 5)), columns=[("h", 2), ("x", 2)])
    with pytest.raises(LessonError, match="gate_labels"):
        diagrams.draw_stacked_weights(ax, "lstm", gate_labels="colours")
    with pytest.raises(LessonError, match="hidden_size"):
        diagrams.draw_stacked_weights(ax, "lstm", hidden_size=0)
    with pytest.raises(LessonError, match="4 \\* H columns"):
        diagrams.draw_gate_columns(ax, np.zeros((2, 6)), "lstm")
