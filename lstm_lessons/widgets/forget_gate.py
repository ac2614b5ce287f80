"""Notebook 00's smoke test: a forget gate f held fixed, and the memory c_t = f^t c_0 it leaves."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import check_number, check_positive_int
from ..plots import COLORS, FastText
from .controls import slider
from .engine import FigureWidget


class ForgetGateDemo(FigureWidget):
    """Notebook 00's smoke test: a forget gate f held fixed, and the memory it leaves after each step."""

    title = "Slide the forget gate f and watch the memory fade: c_t = f * c_(t-1)"

    def __init__(self, f: float = 0.9, steps: int = 20):
        self.steps = check_positive_int(steps, "steps")
        f = check_number(f, "f", low=0.0, high=1.0)
        super().__init__({"f": slider("forget gate f", f, 0.0, 1.0, 0.01)}, width=7.0, height=3.5)

    def compute(self, f):
        # c_t = f^t c_0 with c_0 = 1
        return {"f": f, "c": [f ** t for t in range(self.steps + 1)]}

    def build(self, fig):
        ax = fig.add_subplot()
        t = np.arange(self.steps + 1)
        (self.line,) = ax.plot(t, np.zeros_like(t, dtype=float), "o-", color=COLORS["c"], ms=5,
                               label=r"$c_t = f^t c_0$", animated=True)
        # texts that change with every move: cached glyph outlines draw ten times faster than a Text
        self.left = FastText(self.steps, 1.0, "", size=14, weight="bold", color=COLORS["c"], ha="right",
                             va="bottom", animated=True)
        ax.add_artist(self.left)
        ax.axhline(0, color=COLORS["baseline"], lw=0.8)
        ax.set(xlabel="time step t", ylabel="memory $c_t$", ylim=(-0.05, 1.12), xlim=(0, self.steps))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9))
        self.heading = FastText(0.5, 1.025, " ", size=14, ha="center", va="bottom", transform=ax.transAxes,
                                animated=True)
        ax.add_artist(self.heading)

    def update(self, state):
        c = np.asarray(state["c"])
        self.line.set_ydata(c)
        self.left.set_position((self.steps - 0.2, min(c[-1], 0.88) + 0.09))
        self.left.set_text(f"{100 * c[-1]:.0f}% left")
        self.heading.set_text(f"f = {state['f']:.2f}: {100 * c[-1]:.0f}% of the memory is left after {self.steps} steps")

    def describe(self, state):
        return (f"f = {state['f']:.2f} &rarr; after {self.steps} steps the memory holds "
                f"<b>{100 * state['c'][-1]:.1f}%</b> of what it started with")
