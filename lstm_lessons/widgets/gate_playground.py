"""Notebook 04's gate playground: a hand-set LSTM memory, with any gate taken over by the learner.

What this is: `GatePlayground`, a FigureWidget over `handset.memory_weights()` (one unit that
stores a value on a STORE flag, holds it through distractors and shows it on a RECALL flag).
A step slider picks the step shown on the cell drawing; for each of f, i, g and o a checkbox
"force" hands the gate to its slider (at every step, or at the shown step only); below the
drawing, c and h over the whole sequence, with the cell's own run as a faint trace, so a
forced gate visibly breaks (or repairs) the memory.
What this is not: trained; the weights are set by hand (lstm_lessons.handset).
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from .. import handset
from .._validate import LessonError, check_positive_int
from ..cell_drawing import CellDrawing
from ..plots import COLORS, PALETTE
from .controls import choice, forceable, int_slider
from .engine import FigureWidget

GATES = ("f", "i", "g", "o")
SCOPES = (("every step", "every"), ("this step only", "step"))
#: Where each slider starts: a value the hand-set cell does not take, so forcing it shows at once.
START = {"f": 0.5, "i": 0.5, "g": 0.0, "o": 1.0}
#: The value axis spans [-YLIM, YLIM], always: a c that a forced gate drives beyond it is drawn at the
#: edge with a triangle, and the largest value is written out (a fixed scale keeps every redraw fast).
YLIM = 1.3
#: |h| on RECALL within this of the value stored counts as recalled.
TOLERANCE = 0.05


def recall_verdict(h_recall: float, target: float) -> str:
    """'recalled', 'lost' (h near 0) or 'wrong' (another value) for what h shows on RECALL."""
    if abs(h_recall - target) < TOLERANCE:
        return "recalled"
    if abs(h_recall) < TOLERANCE:
        return "lost"
    return "wrong"


class GatePlayground(FigureWidget):
    """Step through a hand-set LSTM memory and force any of f, i, g, o to watch it break or hold."""

    title = "Gate playground: a memory cell stores a value on STORE and shows it on RECALL. Take over a gate."

    def __init__(self, T: int = 12, store_step: int = 3, recall_step: int = 10, seed=0, step: int | None = None):
        self.T = check_positive_int(T, "T", minimum=3)
        if not 1 <= store_step < recall_step <= self.T:
            raise LessonError(f"store_step and recall_step count from 1 and should satisfy "
                              f"1 <= store_step < recall_step <= T = {self.T}; got {store_step} and {recall_step}.")
        # the task: steps counted from 1 on the slider, from 0 in the arrays
        self.task = handset.memory_task(self.T, store_step - 1, recall_step - 1, seed=seed)
        self.store_step, self.recall_step = store_step, recall_step
        self.weights = handset.memory_weights()
        own = handset.run(self.task.xs, self.weights)
        self.own = {k: getattr(own, k)[0, :, 0] for k in ("c", "h")}  # (T,) each: the cell left alone
        self.target = float(handset.recalled(self.task.first[0]))
        step = recall_step if step is None else step
        if not 1 <= step <= self.T:
            raise LessonError(f"step should be between 1 and T = {self.T}; got {step}.")
        controls = {"t": int_slider("step t", step, 1, self.T)}
        for gate in GATES:  # a slider is live only while its gate is forced
            controls[f"force_{gate}"], controls[gate] = forceable(gate, START[gate], -1.0 if gate == "g" else 0.0, 1.0)
        controls["scope"] = choice("force at", list(SCOPES), "every")
        super().__init__(controls, width=6.6, height=5.3)

    def arrange(self, header, controls, readout, picture):
        # The step first (the main control), a row per two gates (each: its switch, then its slider),
        # the scope last: a learner, and the browser test, meet a gate's switch before its slider.
        c = self.controls
        rows = [c["t"]]
        for pair in (("f", "i"), ("g", "o")):
            rows.append(W.HBox([W.HBox([c[f"force_{g}"], c[g]], layout=W.Layout(width="400px")) for g in pair]))
        rows.append(c["scope"])
        return W.VBox(header + rows + [readout, picture])

    # --- state
    def compute(self, t, force_f, f, force_i, i, force_g, g, force_o, o, scope):
        t = int(t)
        chosen = {"f": (force_f, f), "i": (force_i, i), "g": (force_g, g), "o": (force_o, o)}
        overrides, forced = {}, {}
        for gate, (on, value) in chosen.items():
            if on:
                per_step = np.full(self.T, np.nan)  # NaN: the cell's own value
                if scope == "every":
                    per_step[:] = value
                else:
                    per_step[t - 1] = value
                overrides[gate] = per_step
                forced[gate] = float(value)
        trace = handset.run(self.task.xs, self.weights, overrides)
        series = {k: getattr(trace, k)[0, :, 0] for k in ("c", "h", "i", "f", "g", "o")}  # (T,) each
        h_recall = float(series["h"][self.recall_step - 1])
        return {"t": t, **series, "x": self.task.xs[0], "forced": forced, "scope": scope,
                "h_recall": h_recall, "target": self.target, "verdict": recall_verdict(h_recall, self.target)}

    def step_values(self, state) -> dict:
        """The values of the shown step, as the cell drawing takes them (one unit, scalars)."""
        k = state["t"] - 1
        values = {gate: float(state[gate][k]) for gate in GATES}
        values.update(x=float(state["x"][k, 0]), c=float(state["c"][k]), h=float(state["h"][k]),
                      c_prev=float(state["c"][k - 1]) if k else 0.0, h_prev=float(state["h"][k - 1]) if k else 0.0)
        return values

    # --- drawing
    def build(self, fig):
        # the cell across the whole width; below it the plot, and a narrow column for its key
        axes = fig.subplot_mosaic([["cell", "cell"], ["plot", "key"]], height_ratios=[3.1, 1.9],
                                  width_ratios=[5.2, 1.0])
        top, bottom, key = axes["cell"], axes["plot"], axes["key"]
        key.set_axis_off()
        self.cell = CellDrawing(top, "lstm", animated=True, fontscale=0.86)
        for axis in (top.xaxis, top.yaxis, key.xaxis, key.yaxis):
            # No ticks where no axis is shown: otherwise matplotlib adds tick objects the first time the
            # engine lists the artists, which marks the figure stale and costs one whole redraw.
            axis.set_major_locator(NullLocator())
        self.heading = top.set_title(" ", fontsize=15, animated=True)
        self.forced_text = top.text(0.99, 0.0, " ", transform=top.transAxes, ha="right", va="bottom", fontsize=13,
                                    color=PALETTE["vermillion"], fontweight="bold", animated=True, linespacing=1.15)
        steps = np.arange(1, self.T + 1)
        ax = bottom
        for step, word, color in ((self.store_step, "STORE", COLORS["i"]), (self.recall_step, "RECALL", COLORS["o"])):
            ax.axvspan(step - 0.4, step + 0.4, color=color, alpha=0.25, lw=0)
            ax.text(step, 0.03, word, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=12,
                    color="black", fontweight="bold")
        ax.plot(steps, self.task.xs[0, :, 0], "o", ms=5, color=COLORS["baseline"], label="input x")
        ax.plot(steps, self.own["c"], color=COLORS["c"], lw=5, alpha=0.18)
        ax.plot(steps, self.own["h"], color=COLORS["h"], lw=5, alpha=0.18)
        (self.c_line,) = ax.plot(steps, self.own["c"], "o-", color=COLORS["c"], ms=6, label="cell c",
                                 animated=True)
        (self.h_line,) = ax.plot(steps, self.own["h"], "s-", color=COLORS["h"], ms=6, label="hidden h",
                                 animated=True)
        self.cursor = ax.axvline(1, color="black", lw=1.5, ls="--", animated=True)
        (self.above,) = ax.plot([], [], ls="none", marker="^", ms=11, color=COLORS["c"], animated=True, clip_on=False)
        (self.below,) = ax.plot([], [], ls="none", marker="v", ms=11, color=COLORS["c"], animated=True, clip_on=False)
        self.off_text = key.text(0.0, 0.0, " ", transform=key.transAxes, ha="left", va="bottom", fontsize=12,
                                 color=COLORS["c"], fontweight="bold", animated=True)
        ax.set(xlim=(0.5, self.T + 0.5), ylim=(-YLIM, YLIM), xlabel="step t", ylabel="value (no unit)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axhline(0, color=COLORS["baseline"], lw=0.8)
        key.legend(*ax.get_legend_handles_labels(), loc="upper left", fontsize=12, borderaxespad=0.0,
                   handlelength=1.4, handletextpad=0.4)
        self.bottom = ax
        self.verdict = ax.set_title(" ", fontsize=14, loc="left", animated=True)

    def update(self, state):
        values = self.step_values(state)
        self.cell.update(values)
        k = state["t"] - 1
        flag = state["x"][k, 1]
        role = "STORE" if flag == handset.STORE else "RECALL" if flag == handset.RECALL else "distractor"
        self.heading.set_text(f"step {state['t']}: {role}")
        self.forced_text.set_text(self._forced_words(state, lines=2) or " ")
        c = np.asarray(state["c"])
        self.c_line.set_ydata(np.clip(c, -YLIM, YLIM))  # beyond the scale: drawn at its edge, marked
        self.h_line.set_ydata(state["h"])
        self.cursor.set_xdata([state["t"], state["t"]])
        self.verdict.set_text(self._verdict_words(state))
        steps = np.arange(1, self.T + 1)
        self.above.set_data(steps[c > YLIM], np.full(int((c > YLIM).sum()), YLIM))
        self.below.set_data(steps[c < -YLIM], np.full(int((c < -YLIM).sum()), -YLIM))
        off = np.abs(c) > YLIM
        self.off_text.set_text(f"\u25B2 c off\nthe scale:\n{c[np.argmax(np.abs(c))]:+.2f}" if off.any() else " ")

    def _forced_words(self, state, lines: int = 1) -> str:
        """Which gates are forced, where, to what: one line for the readout, two for the figure."""
        if not state["forced"]:
            return ""
        where = "at every step" if state["scope"] == "every" else f"at step {state['t']} only"
        if lines == 2:  # the figure: compact, so that four forced gates fit beside x_t
            return f"forced {where}:\n" + ", ".join(f"{g}={v:.2f}" for g, v in state["forced"].items())
        return f"forced {where}: " + ", ".join(f"{g} = {v:.2f}" for g, v in state["forced"].items())

    def _verdict_words(self, state) -> str:
        words = {"recalled": "recalled", "lost": "memory lost", "wrong": "wrong value"}[state["verdict"]]
        return f"RECALL \u2192 h = {state['h_recall']:+.2f}: {words}"

    def describe(self, state):
        v = self.step_values(state)
        forced = self._forced_words(state)
        return (f"step {state['t']} of {self.T}: f = {v['f']:.2f}, i = {v['i']:.2f}, g = {v['g']:+.2f}, "
                f"o = {v['o']:.2f} &rarr; c = {v['c']:+.2f}, h = {v['h']:+.2f}"
                + (f" ({forced})" if forced else "") + f". On RECALL: <b>{state['verdict']}</b>")
