"""Static pictures of how a recurrent layer stores its weights: gate blocks stacked by rows.

What this is: matplotlib drawings (no ipywidgets) of the stacked weight matrices of an LSTM,
a GRU or a vanilla RNN, in PyTorch's layout: W_ih (G*H, I), W_hh (G*H, H), b_ih and b_hh (G*H,),
with the row blocks of each gate outlined and labelled in the gate's colour (LSTM i, f, g, o;
GRU r, z, n). Given weights, the entries are drawn as a heatmap; without, a schematic with the
blocks named as PyTorch's documentation names them (W_ii, W_if, ..., W_hi, ...). Also a picture
of a batch of stacked pre-activations (B, G*H) split into its gate blocks.
Introduced in notebook 04 (the LSTM, gate by gate); notebook 07 reuses it for nn.LSTM and nn.GRU.
What this is not: the drawing of a cell's data flow (that is lstm_lessons.cell_drawing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.patches import Rectangle

from ._validate import LessonError, check_array, check_choice, check_positive_int
from .cells import GATE_ORDER, Weights
from .plots import COLORS

#: What each gate letter stands for, as the series names it (notebook 00's notation table).
GATE_NAMES = {
    "lstm": {"i": "input", "f": "forget", "g": "candidate", "o": "output"},
    "gru": {"r": "reset", "z": "update", "n": "candidate"},
    "rnn": {"a": "pre-activation"},
}

_GAP = 0.9  # horizontal space between two matrices, in entries
_CMAP = "RdBu_r"


@dataclass
class StackedDrawing:
    """What draw_stacked_weights and draw_gate_columns drew: heatmaps (for a colorbar) and the gate blocks."""

    images: list = field(default_factory=list)  # AxesImage per matrix drawn as a heatmap (empty for a schematic)
    blocks: dict = field(default_factory=dict)  # (matrix label, gate) -> Rectangle outlining that block
    vmax: float = 0.0  # the colour scale is symmetric: [-vmax, vmax]


def _gate_color(gate: str) -> str:
    return COLORS.get(gate, COLORS["h"])


def _check_kind(kind: str) -> tuple:
    check_choice(kind, "kind", tuple(GATE_ORDER))
    return GATE_ORDER[kind]


def _matrices(kind, W, b, input_size, hidden_size, columns, name):
    """[(label, array or None, width, column groups)] and H, from the arguments of draw_stacked_weights."""
    gates = GATE_ORDER[kind]
    G = len(gates)
    if isinstance(W, Weights):
        if W.kind != kind:
            raise LessonError(f"W holds {W.kind.upper()} weights but kind={kind!r}; pass kind={W.kind!r} "
                              f"(or the weights of a {kind.upper()}).")
        H = W.hidden_size
        out = [("W_ih", W.W_ih, W.input_size, None), ("W_hh", W.W_hh, H, None)]
        if b is not False:
            out += [("b_ih", W.b_ih[:, None], 1, None), ("b_hh", W.b_hh[:, None], 1, None)]
        return out, H
    if W is not None:
        W = check_array(W, "W", ("GH", "N"), hint=f"Pass one stacked matrix of {G} gate blocks, "
                                                    f"or a lstm_lessons Weights object.")
        if W.shape[0] % G:
            raise LessonError(f"W should have {G} * H rows ({G} gate blocks: {', '.join(gates)}); "
                              f"got {W.shape[0]} rows, which is not a multiple of {G}.")
        H = W.shape[0] // G
        if columns is not None:
            widths = [check_positive_int(w, f"the width of column group {lab!r}") for lab, w in columns]
            if sum(widths) != W.shape[1]:
                raise LessonError(f"columns should split W's {W.shape[1]} columns; their widths "
                                  f"{widths} add up to {sum(widths)}.")
        out = [(name, W, W.shape[1], columns)]
        if b is not None and b is not False:
            b = check_array(b, "b", ("GH",), {"GH": G * H})
            out.append(("b", b[:, None], 1, None))
        return out, H
    I = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    out = [("W_ih", None, I, None), ("W_hh", None, H, None)]
    if b is not False:
        out += [("b_ih", None, 1, None), ("b_hh", None, 1, None)]
    return out, H


def _symbol(label: str, gate: str) -> str:
    """PyTorch's documentation's name of one gate block: W_ih, gate f -> W_if; b_hh, gate g -> b_hg."""
    letter, side = label.split("_")[0], label.split("_")[1][0] if "_" in label else ""
    return f"${letter}_{{{side}{gate}}}$" if side else f"${letter}_{{{gate}}}$"


def _shape_text(label: str, array, width: int, G: int, H: int) -> str:
    rows = f"{G}H" if G > 1 else "H"
    if label.startswith("b"):
        return f"({rows},)" if array is None else f"({G * H},)"
    if array is None:
        cols = "I" if label == "W_ih" else "H"
        return f"({rows} × {cols})"
    return f"({G * H} × {width})"


def _label(ax, x, y, text, dx=0.0, dy=0.0, **kw):
    """A text anchored at data point (x, y), moved by (dx, dy) points: its size does not depend on the axes' scale.

    Constrained layout makes room for it even outside the axes (where the gate names sit).
    """
    return ax.annotate(text, xy=(x, y), xytext=(dx, dy), textcoords="offset points", annotation_clip=False, **kw)


def draw_stacked_weights(ax, kind: str = "lstm", W=None, *, b=None, input_size: int = 3, hidden_size: int = 2,
                         columns=None, name: str = "W", fontsize: float = 12, gate_labels: str = "names",
                         vmax: float | None = None, names: dict | None = None,
                         title: str | None = None) -> StackedDrawing:
    """Draw the stacked weights of one layer, gate blocks in PyTorch's order, outlined in the gate colours.

    W=None: a schematic of W_ih (G*H, I), W_hh (G*H, H), b_ih and b_hh for `input_size` and
    `hidden_size`, each block named as PyTorch's docs name it (W_if, W_hf, b_if, ...).
    W=a Weights object (cells.init_weights, modules.weights_from_torch): the four arrays as heatmaps.
    W=one (G*H, N) array: that matrix alone (with `b` as a column if given); `columns`, a list of
    (label, width), splits its columns into labelled groups, e.g. [("h", H), ("x", I)] for the
    single matrix on [h, x]; `name` is its header. b=False leaves the biases out.
    gate_labels: "names" ("f  forget"), "letters" ("f") or "none". names: headers to show instead
    of the symbols, keyed by "W_ih", "W_hh", "b_ih", "b_hh" (or `name`, "b"), e.g. PyTorch's
    attribute names {"W_ih": "weight_ih_l0", ...}; they are drawn slanted, so long names fit.
    vmax: the colour scale's end (default: the largest |entry|). title: a heading above the
    headers (use it instead of ax.set_title, which does not know how tall the headers are).
    Returns a StackedDrawing.
    """
    gates = _check_kind(kind)
    check_choice(gate_labels, "gate_labels", ("names", "letters", "none"))
    names = {} if names is None else dict(names)
    G = len(gates)
    mats, H = _matrices(kind, W, b, input_size, hidden_size, columns, name)
    values = [m for _, m, _, _ in mats if m is not None]
    scale = float(vmax) if vmax is not None else max((float(np.abs(m).max()) for m in values), default=1.0) or 1.0
    drawing = StackedDrawing(vmax=scale if values else 0.0)
    rows = G * H
    x0 = 0.0
    header_pt = 7 + 2.5 * fontsize  # the height of a symbol and its shape above the matrices, in points
    for label, array, width, groups in mats:
        extent = (x0, x0 + width, rows, 0)  # (left, right, bottom, top): row 0 at the top
        if array is not None:
            drawing.images.append(ax.imshow(array, cmap=_CMAP, vmin=-scale, vmax=scale, extent=extent,
                                            interpolation="nearest", aspect="equal"))
        for k, gate in enumerate(gates):
            color = _gate_color(gate)
            top = k * H
            if array is None:
                ax.add_patch(Rectangle((x0, top), width, H, facecolor=color, alpha=0.25, lw=0))
                ax.text(x0 + width / 2, top + H / 2, _symbol(label, gate), ha="center", va="center",
                        fontsize=fontsize if width > 1 else fontsize * 0.85, color="black")
            rect = Rectangle((x0, top), width, H, fill=False, edgecolor=color, lw=2.6)
            ax.add_patch(rect)
            drawing.blocks[(label, gate)] = rect
        if groups:  # labelled column groups under the matrix, e.g. [("h", H), ("x", I)]
            left = x0
            for group, gw in groups:
                _label(ax, left + gw / 2, rows, f"on ${group}$", dy=-4, ha="center", va="top",
                       fontsize=fontsize * 0.9, color=COLORS.get(group, "black"))
                left += gw
                if left < x0 + width:
                    ax.plot([left, left], [0, rows], color="black", lw=1.6, ls="--")
        shape = _shape_text(label, array, width, G, H)
        if label in names:  # a long name (weight_ih_l0): slanted, with the shape after it
            text = f"{names[label]} {shape}"
            _label(ax, x0 + width / 2, 0, text, dy=5, ha="left", va="bottom",
                   fontsize=fontsize * 0.9, family="monospace", rotation=60, rotation_mode="anchor")
            # its height: the monospace line (0.6 em a character) rotated by 60 degrees
            header_pt = max(header_pt, 9 + 0.9 * fontsize * (0.6 * len(text) * 0.866 + 0.5))
        else:
            head = f"${label.split('_')[0]}_{{{label.split('_')[1]}}}$" if "_" in label else f"${label}$"
            _label(ax, x0 + width / 2, 0, head, dy=5, ha="center", va="bottom", fontsize=fontsize)
            _label(ax, x0 + width / 2, 0, shape, dy=7 + 1.6 * fontsize, ha="center", va="bottom",
                   fontsize=fontsize * 0.75, color="#555555")
        x0 += width + _GAP
    if gate_labels != "none":
        for k, gate in enumerate(gates):
            text = f"{gate}  {GATE_NAMES[kind][gate]}" if gate_labels == "names" else gate
            _label(ax, 0, k * H + H / 2, text, dx=-8, ha="right", va="center", fontsize=fontsize,
                   color=_gate_color(gate), fontweight="bold")
    if title:
        _label(ax, (x0 - _GAP) / 2, 0, title, dy=header_pt + 6, ha="center", va="bottom", fontsize=fontsize * 1.05)
    ax.set_xlim(-0.15, x0 - _GAP + 0.15)
    ax.set_ylim(rows + 0.15, -0.15)
    ax.set_aspect("equal")
    ax.axis("off")
    return drawing


def draw_gate_columns(ax, a, kind: str = "lstm", *, fontsize: float = 12, vmax: float | None = None,
                      label: str = "a", title: str | None = None) -> StackedDrawing:
    """Draw a batch of stacked gate values (B, G*H), e.g. the pre-activations of one fused multiply.

    Columns are split into the G gate blocks (LSTM i, f, g, o; GRU r, z, n), each outlined and
    labelled in its colour; rows are the batch. title: a heading above the gate letters.
    Returns a StackedDrawing.
    """
    gates = _check_kind(kind)
    G = len(gates)
    a = check_array(a, label, ("B", "GH"))
    if a.shape[1] % G:
        raise LessonError(f"{label} should have {G} * H columns ({', '.join(gates)}); got {a.shape[1]}.")
    B, H = a.shape[0], a.shape[1] // G
    scale = float(vmax) if vmax is not None else (float(np.abs(a).max()) or 1.0)
    drawing = StackedDrawing(vmax=scale)
    drawing.images.append(ax.imshow(a, cmap=_CMAP, vmin=-scale, vmax=scale, extent=(0, G * H, B, 0),
                                    interpolation="nearest", aspect="equal"))
    for k, gate in enumerate(gates):
        color = _gate_color(gate)
        rect = Rectangle((k * H, 0), H, B, fill=False, edgecolor=color, lw=2.6)
        ax.add_patch(rect)
        drawing.blocks[(label, gate)] = rect
        _label(ax, k * H + H / 2, 0, gate, dy=4, ha="center", va="bottom", fontsize=fontsize, color=color,
               fontweight="bold")
    if title:
        _label(ax, G * H / 2, 0, title, dy=10 + 1.2 * fontsize, ha="center", va="bottom", fontsize=fontsize * 1.05)
    ax.set_xlim(-0.15, G * H + 0.15)
    ax.set_ylim(B + 0.15, -0.15)
    ax.set_aspect("equal")
    ax.axis("off")
    return drawing
