"""Matplotlib helpers: one colour-blind-safe palette and the figures the notebooks share.

Figures are built with matplotlib's object API (matplotlib.figure.Figure), so a helper never
draws into whatever figure happens to be current, and widgets can redraw without pyplot.
"""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

# Okabe and Ito's palette, distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: One colour per quantity, used the same way in every notebook.
COLORS = {
    "h": PALETTE["blue"],
    "c": PALETTE["vermillion"],
    "x": PALETTE["black"],
    "f": PALETTE["green"],
    "i": PALETTE["orange"],
    "g": PALETTE["purple"],
    "o": PALETTE["sky"],
    "r": PALETTE["green"],
    "z": PALETTE["orange"],
    "n": PALETTE["purple"],
    "rnn": PALETTE["blue"],
    "lstm": PALETTE["vermillion"],
    "gru": PALETTE["green"],
    "baseline": "#777777",
}

STYLE = {
    "axes.prop_cycle": mpl.cycler(color=[PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.figsize": (7.0, 3.5),
    "figure.dpi": 100,
    "figure.autolayout": False,
    "font.size": 11,
    "axes.titlesize": 11,
    "legend.frameon": False,
    "image.cmap": "RdBu_r",
}


def use_style() -> None:
    """Apply the series' matplotlib style (palette, light grid, no top/right spines)."""
    mpl.rcParams.update(STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 7.0, height: float = 3.5, **kwargs):
    """A pyplot-free Figure and its axes, laid out with constrained layout."""
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kwargs)
    return fig, axes


def render_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (what a widget shows and what a saved notebook keeps)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_memory_decay(ax, f: float, steps: int, c0: float = 1.0):
    """Draw c_t = f^t * c0 for t = 0..steps: what a forget gate held at f does to a memory."""
    t = np.arange(steps + 1)
    c = c0 * f ** t
    ax.plot(t, c, "o-", color=COLORS["c"], ms=3, label=r"$c_t = f^t c_0$")
    ax.axhline(0, color=COLORS["baseline"], lw=0.8)
    ax.set(xlabel="time step t", ylabel="memory $c_t$", ylim=(-0.05, 1.05 * max(c0, 1e-9)), xlim=(0, steps))
    ax.legend(loc="upper right")
    return c
