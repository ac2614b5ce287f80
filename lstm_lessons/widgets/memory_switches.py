"""Notebook 03's widget: switch write, forget and read at each step of a short sequence and watch the memory.

What this is: `MemorySwitches`, a FigureWidget over `memory.gated_memory`, the prototype gated
memory m_t = f_t m_(t-1) + w_t x_t, y_t = r_t m_t (bounded=True: tanh(x_t) is written and
tanh(m_t) is read). Every gate is a switch, 0 or 1, one checkbox per gate and step, laid out as
a grid under the sequence; a step slider picks the step shown on the cell drawing; below it,
the switches and the memory and read-out over the whole sequence. The default schedule tells
a story: store the flagged value at step 2, keep it through the distractors, read it at the end.
What this is not: a learned cell; the gates are the learner's switches.
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from .. import memory as _memory
from .._validate import LessonError, check_array, check_positive_int
from ..cell_drawing import CellDrawing
from ..plots import COLORS
from .controls import checkbox, int_slider
from .engine import FigureWidget

#: The default sequence: the value at FLAG_STEP is the one worth keeping; the rest are distractors.
DEFAULT_X = (0.5, 0.9, -0.6, 0.3, -0.8, 0.4, -0.2, 0.7)
FLAG_STEP = 2

#: The three switches of each step: control prefix, row label, colour.
SWITCHES = (("w", "write w", COLORS["i"]), ("f", "forget gate f: keep", COLORS["f"]), ("r", "read r", COLORS["o"]))

WHITE = (1.0, 1.0, 1.0, 1.0)


def _steps(value, name: str, T: int) -> tuple:
    """A set of steps, counted from 1, each in 1 .. T."""
    try:
        steps = tuple(int(s) for s in value)
    except (TypeError, ValueError):
        raise LessonError(f"{name} should be a list of steps counted from 1, e.g. [2, 5]; got {value!r}.") from None
    bad = [s for s in steps if not 1 <= s <= T]
    if bad:
        raise LessonError(f"{name} should hold steps from 1 to T = {T} (counted from 1); got {bad}.")
    return steps


def holds(w, f, t: int) -> list:
    """The steps (from 1) whose value the memory holds after step t, with 0/1 switches: written, not cleared since."""
    w, f = np.asarray(w, dtype=float), np.asarray(f, dtype=float)
    out = []
    for s in range(1, t + 1):
        # x_s survives to step t when it was written (w_s = 1) and every later forget gate kept it (f_u = 1)
        if w[s - 1] > 0.5 and np.all(f[s:t] > 0.5):
            out.append(s)
    return out


class MemorySwitches(FigureWidget):
    """Notebook 03: a gated memory with a write, forget and read switch per step, on the cell and over time."""

    title = "Switch write, forget and read at each step, and watch the memory"

    def __init__(self, x=DEFAULT_X, write=(FLAG_STEP,), keep=None, read=None, step: int | None = None,
                 bounded: bool = False, flag: int | None = FLAG_STEP):
        x = check_array(x, "x", ("T",), hint="Give the sequence as a list of numbers, one per step.")
        T = check_positive_int(len(x), "the length of x", minimum=2)
        if T > 12:
            raise LessonError(f"x should have at most 12 steps, so that every switch fits on one row; got {T}.")
        self.x, self.T, self.bounded = x, T, bool(bounded)
        self.flag = None if flag is None else _steps([flag], "flag", T)[0]
        write = _steps(write, "write", T)
        keep = tuple(range(1, T + 1)) if keep is None else _steps(keep, "keep", T)
        read = (T,) if read is None else _steps(read, "read", T)
        step = T if step is None else _steps([step], "step", T)[0]
        on = {"w": write, "f": keep, "r": read}
        controls = {"t": int_slider("show step t on the cell", step, 1, T)}
        for key, _, _ in SWITCHES:
            for t in range(1, T + 1):
                box = checkbox(f"{key}{t}", t in on[key])  # w2: the write gate at step 2
                box.layout = W.Layout(width="58px")
                controls[f"{key}{t}"] = box
        super().__init__(controls, width=8.0, height=6.4)

    @classmethod
    def example(cls):
        return cls()

    def arrange(self, header, controls, readout, picture):
        T, c = self.T, self.controls
        label = W.Layout(width="170px")
        cells = [W.HTML("<b>step t</b>", layout=label)]
        cells += [W.HTML(f"<b>{t}</b>" + (" ⚑" if t == self.flag else ""), layout=W.Layout(width="58px"))
                  for t in range(1, T + 1)]
        cells += [W.HTML("input x<sub>t</sub>", layout=label)]
        cells += [W.HTML(f"{v:+.2f}".replace("-", "&minus;"), layout=W.Layout(width="58px")) for v in self.x]
        for key, name, color in SWITCHES:
            cells.append(W.HTML(f"<span style='color:{color}'><b>{html.escape(name)}</b></span>", layout=label))
            cells += [c[f"{key}{t}"] for t in range(1, T + 1)]
        grid = W.GridBox(cells, layout=W.Layout(grid_template_columns=f"170px repeat({T}, 58px)",
                                                grid_gap="0px 2px", align_items="center"))
        return W.VBox(header + [c["t"], grid, readout, picture])

    # --- state
    def compute(self, t, **switches):
        T = self.T
        gates = {key: np.array([1.0 if switches[f"{key}{s}"] else 0.0 for s in range(1, T + 1)])
                 for key, _, _ in SWITCHES}
        how = "tanh" if self.bounded else "raw"
        trace = _memory.gated_memory(self.x[None], gates["w"], gates["f"], gates["r"], write=how, read=how)
        t = int(t)
        return {"t": t, "x": self.x, **gates, "m": trace.m[0], "y": trace.y[0], "m_prev": trace.m_prev[0],
                "holds": holds(gates["w"], gates["f"], t), "bounded": self.bounded}

    def step_values(self, state) -> dict:
        """The values of the shown step, as the cell drawing takes them."""
        k = state["t"] - 1
        return {"x": float(state["x"][k]), "w": float(state["w"][k]), "f": float(state["f"][k]),
                "r": float(state["r"][k]), "m_prev": float(state["m_prev"][k]), "m": float(state["m"][k]),
                "y": float(state["y"][k])}

    def contents(self, state) -> str:
        """What the memory holds after the shown step, as mathtext: '$x_2$ + $x_4$', or '' when it is empty."""
        kept = state["holds"]
        name = r"$\tanh(x_{{{}}})$" if self.bounded else "$x_{{{}}}$"
        terms = [name.format(s) for s in kept]
        if len(terms) > 3:  # keep the title on one line
            return f"{terms[0]} + … + {terms[-1]} ({len(kept)} values)"
        return " + ".join(terms)

    def heading(self, state) -> str:
        """The figure's title: what the memory holds after the shown step."""
        t, m = state["t"], state["m"][state["t"] - 1]
        held = self.contents(state)
        text = f"After step {t} the memory holds {held}: m = {m:.2f}" if held else \
            f"After step {t} the memory is empty: m = {m:.2f}"
        return text.replace("-", "−")

    # --- drawing
    def build(self, fig):
        T = self.T
        top, strip, ax = fig.subplots(3, 1, height_ratios=[3.2, 0.95, 2.0])
        self.cell = CellDrawing(top, "memory", bounded=self.bounded, animated=True, fontscale=0.8)
        self.title_text = top.set_title(" ", fontsize=15, animated=True)
        steps = np.arange(1, T + 1)
        # the switches: one square per gate and step, filled when on (one collection: one artist to redraw)
        squares, self.square_keys, self.square_colors = [], [], []
        for row, (key, name, color) in enumerate(SWITCHES):
            for t in steps:
                squares.append(Rectangle((t - 0.38, 2 - row - 0.36), 0.76, 0.72))
                self.square_keys.append((key, t))
                self.square_colors.append(to_rgba(color))
        self.squares = PatchCollection(squares, facecolors="white", edgecolors=self.square_colors, linewidths=2,
                                       zorder=2, animated=True)
        strip.add_collection(self.squares)
        strip.set(xlim=(0.5, T + 0.5), ylim=(-0.6, 2.6), yticks=[2, 1, 0], yticklabels=["w write", "f keep", "r read"])
        strip.set_xticks(steps)
        strip.tick_params(labelbottom=False, length=0)
        strip.grid(False)
        for spine in strip.spines.values():
            spine.set_visible(False)
        for tick, (_, _, color) in zip(strip.get_yticklabels(), SWITCHES):
            tick.set_color(color)
            tick.set_fontweight("bold")
        # the sequence, the memory and the read-out over time
        ax.bar(steps, self.x, width=0.5, color=COLORS["baseline"], alpha=0.45, label="input $x_t$")
        if self.flag is not None:  # the flagged step, marked at the foot of the plot
            ax.text(self.flag, 0.03, "⚑", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=14)
        ax.axhline(0, color=COLORS["baseline"], lw=0.8)
        (self.m_line,) = ax.plot(np.arange(0, T + 1), np.zeros(T + 1), "o-", color=COLORS["c"], ms=6,
                                 label="memory $m_t$", animated=True)
        (self.y_line,) = ax.plot(steps, np.zeros(T), "D", color=COLORS["h"], ms=8, label="read-out $y_t$ (read on)",
                                 animated=True)
        self.cursors = [a.axvspan(0.55, 1.45, color="black", alpha=0.1, lw=0, zorder=0.5, animated=True)
                        for a in (strip, ax)]
        # fixed limits that hold every memory any schedule can make: from the sum of the negative writes to
        # the sum of the positive ones (so that no switch ever changes the axes, which would redraw them)
        cand = np.tanh(self.x) if self.bounded else self.x
        low, high = min(cand[cand < 0].sum(), -1.0), max(cand[cand > 0].sum(), 1.0)
        pad = 0.12 * (high - low)
        ax.set(xlim=(-0.3, T + 0.5), ylim=(low - pad, high + pad), xlabel="step t", ylabel="value (no unit)")
        ax.set_xticks(np.arange(0, T + 1))
        ax.legend(loc="upper left", ncols=3, fontsize=11, bbox_to_anchor=(0.0, 1.28), borderaxespad=0.0)

    def update(self, state):
        t = state["t"]
        self.cell.update(self.step_values(state))
        on = [state[key][s - 1] > 0.5 for key, s in self.square_keys]
        self.squares.set_facecolor([c if lit else WHITE for c, lit in zip(self.square_colors, on)])
        for cursor in self.cursors:
            cursor.set_x(t - 0.45)
            cursor.set_width(0.9)
        self.m_line.set_ydata(np.concatenate([[0.0], state["m"]]))
        # y_t where the read switch is on (elsewhere y_t = 0: nothing is read)
        self.y_line.set_ydata(np.where(state["r"] > 0.5, state["y"], np.nan))
        self.title_text.set_text(self.heading(state))

    def describe(self, state):
        t, k = state["t"], state["t"] - 1
        words = {"w": ("write", "no write"), "f": ("keep", "clear"), "r": ("read", "no read")}
        done = ", ".join(words[key][0 if state[key][k] > 0.5 else 1] for key in ("f", "w", "r"))
        reads = [f"y<sub>{s}</sub> = {_num(state['y'][s - 1])}" for s in range(1, self.T + 1)
                 if state["r"][s - 1] > 0.5]
        return (f"step t = {t}: x = {_num(state['x'][k])}; {done} &rarr; m = <b>{_num(state['m'][k])}</b>, "
                f"y = {_num(state['y'][k])}. Read-outs: " + (", ".join(reads) if reads else "none"))


def _num(value: float) -> str:
    """A number for the readout: two decimals and a true minus sign."""
    return f"{value:.2f}".replace("-", "&minus;")
