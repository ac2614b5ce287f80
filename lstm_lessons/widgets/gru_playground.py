"""Notebook 06's GRU playground: a hand-set GRU that stores, adds and holds, with r and z taken over by the learner.

What this is: `GRUPlayground`, a FigureWidget over `variants.handset("gru")`: one unit that reads
x_t = [value, STORE flag, ADD flag]. On STORE the update gate z shuts (the state is overwritten by
the candidate n = tanh(value)); on ADD z shuts and the reset gate r opens, so the candidate reads
the old state too, n = tanh(value + h_prev); otherwise z stays open and h holds. A step slider
picks the step shown on the cell drawing (PyTorch's convention, h = (1 - z) * n + z * h_prev);
for r and z a checkbox "force" hands the gate to its slider (at every step, or at the shown step
only); below the drawing, h over the whole sequence, with the cell's own run as a faint trace.
Two static figures of notebook 06 live here too: `stage_figure`, the figure of each step of the
derivation (the cell drawing at one step beside the states over the whole sequence), and
`family_figure`, the sweep of benchmarks/lstm_family.py (share of seeds solved, test error).
What this is not: trained; the weights are set by hand.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import offset_copy

from .. import variants
from .._validate import LessonError, check_positive_int
from ..cell_drawing import KEYS, CellDrawing, draw_cell
from ..cells import Weights
from ..plots import COLORS, PALETTE, FastText, new_figure
from ..variants import handset, run_gru, store_add_sequence
from .controls import choice, forceable, int_slider
from .engine import FigureWidget

GATES = ("r", "z")
GATE_WORDS = {"r": "reset gate r", "z": "update gate z"}
SCOPES = (("every step", "every"), ("this step only", "step"))
#: Where each slider starts: a value the hand-set cell does not take, so forcing it shows at once.
START = {"r": 1.0, "z": 0.5}
#: A run whose h stays this close to the cell's own run at every step counts as the same.
SAME = 0.005


def _flags(ax, xs):
    """Shade the STORE and ADD steps of xs (1, T, 3) and label them at the top of `ax` (steps from 1)."""
    for k in range(xs.shape[1]):
        role = "STORE" if xs[0, k, 1] else "ADD" if xs[0, k, 2] else None
        if role:
            ax.axvspan(k + 1 - 0.4, k + 1 + 0.4, color=COLORS["z"] if role == "STORE" else COLORS["r"], alpha=0.25, lw=0)
            ax.text(k + 1, 1.3, role, ha="center", va="center", fontsize=11, color="black", fontweight="bold")


def stage_figure(kind: str, series: dict, xs, *, at: int, lines: dict, parts=None, title: str = ""):
    """The cell drawing of step `at` (from 1) beside the states over time; returns the Figure (introduced in 06).

    kind and parts as cell_drawing.CellDrawing ("lstm" or "gru"); series maps the drawing's keys
    (gates, "h", "c") to arrays (1, T, 1) or (T,), as run_steps or a trace gives them; xs (1, T, 3)
    holds the inputs [value, STORE, ADD]; lines maps a label to (values (T,), colour, line style).
    The figure's `cell_drawing` attribute is the CellDrawing of the left panel.
    """
    xs = np.asarray(xs)
    T = xs.shape[1]
    if not 1 <= at <= T:
        raise LessonError(f"at should be a step between 1 and T = {T}; got {at}.")
    unit = {k: np.asarray(v, dtype=float).reshape(-1)[:T] for k, v in series.items()}  # (T,) each
    k = at - 1
    values = {name: float(unit[name][k]) for name in KEYS[kind] if name in unit}
    values["x"] = float(xs[0, k, 0])
    values["h_prev"] = float(unit["h"][k - 1]) if k else 0.0
    if kind == "lstm":
        values["c_prev"] = float(unit["c"][k - 1]) if k else 0.0
    fig, (ax_cell, ax) = new_figure(1, 2, width=12, height=3.9, gridspec_kw={"width_ratios": [1.2, 1]})
    fig.cell_drawing = draw_cell(ax_cell, kind, values, parts=parts)  # kept, so its labels() can be read back
    steps = np.arange(1, T + 1)
    _flags(ax, xs)
    ax.plot(steps, xs[0, :, 0], "o", ms=4, color=COLORS["baseline"], label="input value")
    for label, (y, color, style) in lines.items():
        ax.plot(steps, np.asarray(y, dtype=float).reshape(-1)[:T], style, color=color, ms=5, label=label)
    ax.axvline(at, color="black", lw=1.2, ls="--")
    ax.axhline(0, color=COLORS["baseline"], lw=0.8)
    # Room below -1 for the legend: values and states stay within (-1, 1), so the legend covers no point.
    ax.set(xlim=(0.5, T + 0.5), ylim=(-1.7, 1.5), xlabel="step t", ylabel="value (no unit)")
    ax.set_yticks([-1, 0, 1])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower left", fontsize=9, ncol=2)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


#: Colour and line style of each model of the sweep (plots.COLORS for the LSTM and the GRU).
FAMILY_STYLE = {"lstm": (COLORS["lstm"], "-"), "lstm_fb1": (PALETTE["orange"], "--"), "gru": (COLORS["gru"], "-"),
                "cifg": (PALETTE["blue"], "-"), "nfg": (PALETTE["purple"], "-"), "nog": (PALETTE["sky"], "--"),
                "peephole": (PALETTE["black"], ":")}


def family_figure(results: dict, models, threshold: float, title: str = ""):
    """The sweep's models side by side; returns the Figure (introduced in 06).

    Left: the share of seeds whose test MSE reached `threshold`, after each number of updates.
    Right: the median test MSE over seeds (log scale), the range over seeds as a band, and the baseline.
    `results` is what variants.family_results() read; `models` names runs in it.
    """
    fig, (ax_share, ax_mse) = new_figure(1, 2, width=12, height=4.4)
    for m in models:
        if m not in results["runs"]:
            raise LessonError(f"the results file has no runs of {m!r}; it has {sorted(results['runs'])}.")
        s = variants.summarize(results["runs"][m], threshold)
        share = (s["solved_at"][:, None] <= s["steps"][None, :]).mean(axis=0)  # (evaluations,)
        color, ls = FAMILY_STYLE.get(m, (COLORS["baseline"], "-"))
        n = len(s["seeds"])
        label = f"{variants.MODEL_NAMES.get(m, m)} ({n} seed{'s' if n != 1 else ''})"
        ax_share.step(s["steps"], share, where="post", color=color, ls=ls, lw=2.2, label=label)
        ax_mse.semilogy(s["steps"], np.median(s["curves"], axis=0), color=color, ls=ls, lw=2.2)
        ax_mse.fill_between(s["steps"], s["curves"].min(axis=0), s["curves"].max(axis=0), color=color, alpha=0.1)
    ax_mse.axhline(results.get("baseline_mse", 1 / 6), color=COLORS["baseline"], ls="--", lw=1.2,
                   label="baseline (predict the mean)")
    ax_share.set(xlabel="Adam updates", ylabel=f"share of seeds with test MSE <= {threshold}", ylim=(-0.03, 1.03),
                 title="Share of seeds solved")
    ax_mse.set(xlabel="Adam updates", ylabel="test MSE (line: median; band: all seeds)", title="Test error")
    fig.legend(loc="outside lower center", ncol=4, fontsize=10)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


class GRUPlayground(FigureWidget):
    """Step through a hand-set GRU (store, add, hold) and force r or z to see what each gate does."""

    title = "GRU playground: the cell stores a value on STORE, adds one on ADD, and holds otherwise. Take over a gate."

    def __init__(self, T: int = 12, store=(2, 6), add=(9,), seed=0, step: int | None = None):
        self.T = check_positive_int(T, "T", minimum=3)
        self.xs = store_add_sequence(self.T, store, add, seed=seed)  # (1, T, 3)
        self.store, self.add = tuple(store), tuple(add)
        self.weights = Weights("gru", **handset("gru"))
        own = run_gru(self.xs, self.weights)
        self.own = own.h[0, :, 0]  # (T,): the cell left alone
        step = (max(self.add) + 1 if self.add else self.T) if step is None else step
        if not 1 <= step <= self.T:
            raise LessonError(f"step should be between 1 and T = {self.T}; got {step}.")
        controls = {"t": int_slider("step t", step, 1, self.T)}
        for gate in GATES:  # a slider is live only while its gate is forced
            controls[f"force_{gate}"], controls[gate] = forceable(gate, START[gate], 0.0, 1.0)
        controls["scope"] = choice("force at", list(SCOPES), "every")
        super().__init__(controls, width=7.0, height=5.6)

    def arrange(self, header, controls, readout, picture):
        c = self.controls
        gates = W.HBox([W.HBox([c[f"force_{g}"], c[g]], layout=W.Layout(width="400px")) for g in GATES])
        return W.VBox(header + [W.HBox([c["t"], c["scope"]]), gates, readout, picture])

    # --- state
    def role(self, k: int) -> str:
        """'STORE', 'ADD' or 'hold': what the input asks at step index k (from 0)."""
        return "STORE" if self.xs[0, k, 1] else "ADD" if self.xs[0, k, 2] else "hold"

    def compute(self, t, force_r, r, force_z, z, scope):
        t = int(t)
        overrides, forced = {}, {}
        for gate, (on, value) in (("r", (force_r, r)), ("z", (force_z, z))):
            if on:
                per_step = np.full(self.T, np.nan)  # NaN: the cell's own value
                if scope == "every":
                    per_step[:] = value
                else:
                    per_step[t - 1] = value
                overrides[gate] = per_step
                forced[gate] = float(value)
        trace = run_gru(self.xs, self.weights, overrides)
        series = {k: getattr(trace, k)[0, :, 0] for k in ("h", "r", "z", "n")}  # (T,) each
        gap = np.abs(series["h"] - self.own)  # (T,): how far the run moved from the cell's own
        return {"t": t, **series, "x": self.xs[0, :, 0], "forced": forced, "scope": scope,
                "gap": float(gap.max()), "gap_step": int(gap.argmax()) + 1}

    def step_values(self, state) -> dict:
        """The values of the shown step, as the cell drawing takes them (one unit, scalars)."""
        k = state["t"] - 1
        values = {gate: float(state[gate][k]) for gate in ("r", "z", "n", "h")}
        values.update(x=float(state["x"][k]), h_prev=float(state["h"][k - 1]) if k else 0.0)
        return values

    # --- drawing
    def build(self, fig):
        top, bottom = fig.subplots(2, 1, height_ratios=[3.1, 1.9])
        self.cell = CellDrawing(top, "gru", animated=True)
        for axis in (top.xaxis, top.yaxis):
            # No ticks where no axis is shown: otherwise matplotlib adds tick objects the first time the
            # engine lists the artists, which marks the figure stale and costs one whole redraw.
            axis.set_major_locator(NullLocator())
        # The texts that change on every move are FastTexts (cached outlines, far cheaper to redraw than
        # a Text); a blank static title above each plot keeps the layout's room for them.
        top.set_title(" ", fontsize=15)
        above = offset_copy(top.transAxes, fig=fig, y=6, units="points")
        self.heading = top.add_artist(FastText(0.5, 1.0, " ", size=15, ha="center", va="bottom", transform=above,
                                               animated=True))
        self.forced_text = top.add_artist(FastText(0.99, 0.0, " ", size=14, ha="right", va="bottom",
                                                   transform=top.transAxes, color=PALETTE["vermillion"],
                                                   weight="bold", animated=True))
        steps = np.arange(1, self.T + 1)
        ax = bottom
        _flags(ax, self.xs)
        ax.plot(steps, self.xs[0, :, 0], "o", ms=5, color=COLORS["baseline"], label="input value")
        ax.plot(steps, self.own, color=COLORS["h"], lw=5, alpha=0.18)
        (self.h_line,) = ax.plot(steps, self.own, "s-", color=COLORS["h"], ms=6, label="hidden state h",
                                 animated=True)
        self.cursor = ax.axvline(1, color="black", lw=1.5, ls="--", animated=True)
        # Room below -1 for the legend: values and h stay within (-1, 1), so the legend covers no point.
        ax.set(xlim=(0.5, self.T + 0.5), ylim=(-1.8, 1.5), xlabel="step t", ylabel="value (no unit)")
        ax.set_yticks([-1, 0, 1])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axhline(0, color=COLORS["baseline"], lw=0.8)
        ax.legend(loc="lower left", fontsize=11, ncol=2, bbox_to_anchor=(0.0, -0.02))
        ax.set_title(" ", fontsize=14, loc="left")
        self.verdict = ax.add_artist(FastText(0.0, 1.0, " ", size=14, ha="left", va="bottom", animated=True,
                                              transform=offset_copy(ax.transAxes, fig=fig, y=6, units="points")))

    def update(self, state):
        self.cell.update(self.step_values(state))
        k = state["t"] - 1
        self.heading.set_text(f"step {state['t']}: {self.role(k)}")
        self.forced_text.set_text(self._forced_words(state) or " ")
        self.h_line.set_ydata(state["h"])
        self.cursor.set_xdata([state["t"], state["t"]])
        self.verdict.set_text(self._verdict_words(state))

    def _verdict_words(self, state) -> str:
        if state["gap"] < SAME:
            return "h: the same as the cell's own run (faint line)"
        return f"h: up to {state['gap']:.2f} away from the cell's own run (at step {state['gap_step']})"

    def _forced_words(self, state) -> str:
        if not state["forced"]:
            return ""
        where = "at every step" if state["scope"] == "every" else f"at step {state['t']} only"
        return "forced " + where + ": " + ", ".join(f"{g} = {v:.2f}" for g, v in state["forced"].items())

    def describe(self, state):
        v = self.step_values(state)
        forced = self._forced_words(state)
        return (f"step {state['t']} of {self.T} ({self.role(state['t'] - 1)}): r = {v['r']:.2f}, z = {v['z']:.2f}, "
                f"n = {v['n']:+.2f} &rarr; h = {v['h']:+.2f}" + (f" ({forced})" if forced else "")
                + f". Over the sequence, <b>{self._verdict_words(state)[3:]}</b>")
