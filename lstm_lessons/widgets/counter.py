"""Notebook 05's counter widget: type a string and watch a hand-set LSTM element count bracket depth.

What this is: `CounterWidget`, a FigureWidget over `counters.bracket_counter()` (hand-set weights,
no training). The learner types into a text box; under it, for every character: the depth the
counting element holds, c / a, beside the true depth; what it shows through h = o * tanh(c),
which saturates; and its gates i, f, o, with the stretches inside quotes shaded. On the right,
the cell drawing of the counting element at the last character. Two sliders show the knobs
the counter depends on: the write per bracket a, and the forget-gate bias (how fast it leaks).
What this is not: trained, or a parser (lstm_lessons.counters says what the weights do).
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from matplotlib.collections import PolyCollection

from .. import counters
from ..cells import sigmoid
from .._validate import LessonError, check_number
from ..cell_drawing import CellDrawing
from ..plots import COLORS, PALETTE, FastText
from .controls import STYLE, slider
from .engine import FigureWidget

#: The drawing shows the last this many characters (the counter runs over all of them).
SHOWN = 40
#: The series' axes span this fraction of the figure's width.
LEFT_WIDTH = 0.54
#: What the hand-set weights do, printed beside the drawing.
WEIGHTS_NOTE = ("hand-set weights, no training:\n"
                "f = σ(b_f): keep the count (near 1)\n"
                "i = 1, but 0 inside quotes\n"
                "g = +a on \"(\", −a on \")\", else 0\n"
                "o = 1, so h = tanh(c)")
#: The example the widget opens with: nesting, a bracket inside quotes, and a close.
EXAMPLE = 'f(g(x), "(", h((y)))'


def counter_state(text: str, write: float, forget_bias: float) -> dict:
    """What the widget draws for `text`: per character depth (true and from c), h, gates, quote flag (pure)."""
    if not isinstance(text, str):
        raise LessonError(f"text should be a string; got {type(text).__name__}.")
    w = counters.bracket_counter(write=write, forget_bias=forget_bias)
    f_const = float(sigmoid(forget_bias))
    if not text:
        empty = np.zeros(0)
        return {"text": "", "n": 0, "shown": "", "offset": 0, "depth": empty, "count": empty, "decoded": empty,
                "h": empty, "i": empty, "f": empty, "o": empty, "inside": empty.astype(bool), "correct": True,
                "write": write, "forget_bias": forget_bias, "f_const": f_const, "cell": {}}
    run = counters.run(text, w)
    tr = run.trace
    k = counters.DEPTH
    last = {g: float(getattr(tr, g)[0, -1, k]) for g in ("i", "f", "g", "o", "c", "h")}
    last["c_prev"] = float(tr.c[0, -2, k]) if len(text) > 1 else 0.0
    last["h_prev"] = float(tr.h[0, -2, k]) if len(text) > 1 else 0.0
    last = {k: round(v, 6) + 0.0 for k, v in last.items()}  # no "-0.00" for a count of -1e-9
    last["x"] = None  # the input is a one-hot character: the drawing shows "·"
    start = max(0, len(text) - SHOWN)
    return {"text": text, "n": len(text), "shown": text[start:], "offset": start,
            "depth": run.depth, "count": run.c / run.write, "decoded": run.depth_from_c, "h": run.h,
            "i": tr.i[0, :, k], "f": tr.f[0, :, k], "o": tr.o[0, :, k], "inside": run.inside,
            "correct": bool(np.array_equal(run.depth_from_c, run.depth)), "write": run.write,
            "forget_bias": forget_bias, "f_const": f_const, "cell": last}


def _bands(inside) -> list:
    """One rectangle (in data x, axes y) per run of characters inside quotes."""
    out, k = [], 0
    inside = np.asarray(inside, dtype=bool)
    while k < len(inside):
        if inside[k]:
            j = k
            while j + 1 < len(inside) and inside[j + 1]:
                j += 1
            out.append([(k - 0.5, 0.0), (j + 0.5, 0.0), (j + 0.5, 1.0), (k - 0.5, 1.0)])
            k = j + 1
        else:
            k += 1
    return out


def _printable(text: str) -> str:
    """The characters as the drawing shows them: anything outside printable ASCII becomes a middle dot."""
    return "".join(ch if 32 <= ord(ch) < 127 else "\u00b7" for ch in text)


def _leak_words(f: float) -> str:
    leak = 1.0 - f
    return f"f = 1 − {leak:.1e}" if leak < 1e-3 else f"f = {f:.4f}"


class CounterWidget(FigureWidget):
    """Type a string; a hand-set LSTM element counts its bracket depth (brackets inside quotes ignored)."""

    title = "Type a string: one LSTM cell element counts bracket depth, +a per \"(\" and −a per \")\""

    def __init__(self, text: str = EXAMPLE, write: float = counters.WRITE, forget_bias: float = counters.FORGET_BIAS):
        if not isinstance(text, str):
            raise LessonError(f"text should be a string; got {type(text).__name__}.")
        write = check_number(write, "write", low=0.05, high=0.95)
        forget_bias = check_number(forget_bias, "forget_bias", low=2.0, high=24.0)
        box = W.Text(value=text, description="type a string", continuous_update=True, style=STYLE,
                     layout=W.Layout(width="560px"))
        controls = {"text": box,
                    "write": slider("write per bracket a", write, 0.05, 0.95, 0.05),
                    "forget_bias": slider("forget bias of the counter b_f", forget_bias, 2.0, 24.0, 0.5, fmt=".1f")}
        self.ylim = None
        self.saturates_at = counters.saturation_point(np.tanh)  # tanh(c) == 1.0 exactly from here (float64)
        super().__init__(controls, width=9.0, height=5.2)

    def compute(self, text, write, forget_bias):
        return counter_state(text, write, forget_bias)

    # --- drawing
    def build(self, fig):
        fig.set_layout_engine("none")  # the axes are placed by hand, so the characters line up with the data
        left, width = 0.085, LEFT_WIDTH
        self.ax_depth = fig.add_axes((left, 0.615, width, 0.32))
        self.ax_h = fig.add_axes((left, 0.385, width, 0.16), sharex=self.ax_depth)
        self.ax_gates = fig.add_axes((left, 0.135, width, 0.18), sharex=self.ax_depth)
        ax_cell = fig.add_axes((0.66, 0.44, 0.335, 0.50))
        x = np.arange(SHOWN)
        nan = np.full(SHOWN, np.nan)
        # quotes: one shaded band per stretch of characters inside quotes, in every panel
        self.quote_bands = []
        for ax in (self.ax_depth, self.ax_h, self.ax_gates):
            band = PolyCollection([], facecolor=PALETTE["yellow"], alpha=0.35, lw=0, animated=True,
                                  transform=ax.get_xaxis_transform())
            ax.add_collection(band)
            self.quote_bands.append(band)
        (self.truth,) = self.ax_depth.step(x, nan, where="mid", color=COLORS["baseline"], lw=5, alpha=0.45,
                                           label="true depth", animated=True)
        (self.count,) = self.ax_depth.plot(x, nan, "o-", color=COLORS["c"], ms=5, lw=1.8,
                                           label="c / a (read from c)", animated=True)
        self.ax_depth.set(ylabel="depth (brackets)", xlim=(-0.5, SHOWN - 0.5))
        self.ax_depth.legend(loc="lower left", bbox_to_anchor=(0.0, 0.995), fontsize=11, ncol=2, borderaxespad=0.0,
                            handlelength=1.6)
        # the texts that change are FastText (glyph outlines cached per string): a Text costs ~20x more per redraw
        self.depth_title = self.ax_depth.add_artist(FastText(0.99, 0.04, "", size=12, weight="bold", ha="right",
                                                             va="bottom", transform=self.ax_depth.transAxes,
                                                             animated=True))
        (self.h_line,) = self.ax_h.plot(x, nan, "s-", color=COLORS["h"], ms=4, lw=1.6, animated=True)
        for y in (-1, 1):
            self.ax_h.axhline(y, color=COLORS["baseline"], ls=":", lw=1)
        self.ax_h.set(ylabel="h", ylim=(-1.15, 1.15), yticks=(-1, 0, 1))
        self.ax_h.set_title("h = o·tanh(c), squashed into (−1, 1): what the next layer sees", fontsize=11.5,
                            loc="left")
        self.gate_lines = {}
        for gate, marker in (("i", "o"), ("f", "^"), ("o", "s")):
            (self.gate_lines[gate],) = self.ax_gates.plot(x, nan, marker + "-", color=COLORS[gate], ms=4, lw=1.4,
                                                          label=gate, animated=True)
        self.ax_gates.set(ylabel="gate", ylim=(-0.08, 1.25), yticks=(0, 0.5, 1))
        self.ax_gates.legend(loc="center right", fontsize=11, ncol=3, borderaxespad=0.1, handlelength=1.2)
        for ax in (self.ax_depth, self.ax_h, self.ax_gates):
            ax.tick_params(axis="x", bottom=False, labelbottom=False)
            ax.grid(False, axis="x")
        self.gates_title = self.ax_gates.add_artist(FastText(0.0, 1.04, "", size=11.5, ha="left", va="bottom",
                                                             transform=self.ax_gates.transAxes, animated=True))
        self.ax_gates.set_title("shaded: in quotes", fontsize=11.5, loc="right", color="#8a7d00")
        # the characters, one under each position
        below = self.ax_gates.get_xaxis_transform()  # x in data (one step per character), y in axes
        self.chars = [self.ax_gates.add_artist(FastText(k, -0.07, "", size=14, weight="bold", ha="center", va="top",
                                                        transform=below, animated=True)) for k in x]
        self.cell = CellDrawing(ax_cell, "lstm", animated=True)
        ax_cell.set_title("the counting element, last character", fontsize=11.5)
        fig.text(0.67, 0.40, WEIGHTS_NOTE, ha="left", va="top", fontsize=11.5, linespacing=1.6, parse_math=False)

    def _set_depth_limits(self, state):
        # in steps of 5, so that typing changes the scale (a slower full redraw) only every fifth level
        deepest = max(float(np.max(np.abs(state["depth"]), initial=0.0)), float(np.max(np.abs(state["count"]), initial=0.0)))
        top = 5.0 * np.ceil((deepest + 1.0) / 5.0)
        negative = min(float(np.min(state["depth"], initial=0.0)), float(np.min(state["count"], initial=0.0))) < -0.5
        limits = (-top, top) if negative else (-1.0, top)
        if self.ylim != limits:  # a static change: the engine redraws the whole figure, only then
            self.ylim = limits
            self.ax_depth.set_ylim(*limits)

    def update(self, state):
        n, start = state["n"], state["offset"]
        m = n - start  # characters shown
        seen = slice(start, n)

        def padded(values):
            out = np.full(SHOWN, np.nan)
            out[:m] = np.asarray(values, dtype=float)[seen]
            return out

        self._set_depth_limits(state)
        self.truth.set_ydata(padded(state["depth"]))
        self.count.set_ydata(padded(state["count"]))
        self.h_line.set_ydata(padded(state["h"]))
        for gate, line in self.gate_lines.items():
            line.set_ydata(padded(state[gate]))
        bands = _bands(state["inside"][seen])
        for band in self.quote_bands:
            band.set_verts(bands)
        shown = _printable(state["shown"])
        for k, char in enumerate(self.chars):
            char.set_text(shown[k] if k < m else "")
        more = f" (last {SHOWN} of {n} characters)" if start else ""
        if n:
            verdict = "depth read from c: right everywhere" if state["correct"] else "depth read from c: WRONG (leaked)"
            self.depth_title.set_text(f"{verdict}{more}")
        else:
            self.depth_title.set_text("type a string above")
        self.gates_title.set_text(f"gates; b_f = {state['forget_bias']:.1f}: {_leak_words(state['f_const'])}")
        self.cell.update(state["cell"])

    def describe(self, state):
        text = html.escape(state["text"])
        if not state["n"]:
            return "An empty string: type brackets, letters and quotes."
        depth = int(state["depth"][-1])
        verdict = "read correctly from c at every character" if state["correct"] else "<b>misread</b>: the count leaked"
        deepest = int(np.ceil(self.saturates_at / state["write"]))
        return (f"“{text}” &rarr; depth <b>{depth}</b> after the last character; {verdict} "
                f"(a = {state['write']:.2f}, b_f = {state['forget_bias']:.1f}, {_leak_words(state['f_const'])}). "
                f"Through h every depth from {deepest} on looks the same: tanh(c) = 1.0 exactly.")
