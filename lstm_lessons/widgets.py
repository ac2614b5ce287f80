"""Interactive figures: core ipywidgets controls driving a matplotlib drawing.

Every widget here is a `FigureWidget`: named controls, a pure `compute(**values)` that turns
control values into what is drawn, and a `draw(fig, state)` that draws it. The logic is
testable without a browser: `widget.set(name=value)` moves a control exactly as a learner's
drag does and returns the new state. Only core widgets (sliders, dropdowns, HTML, Output)
and PNG images are used, so the same code runs in JupyterLab 4, Notebook 7 and Colab with
ipywidgets 7.6 or later. When displayed, a widget also carries a PNG of its current drawing,
so a saved notebook shows the picture where no kernel runs (GitHub, nbviewer, slides).

This module sits on top of the package: nothing in lstm_lessons imports it.
"""

from __future__ import annotations

import base64
import html
import time

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from ._validate import LessonError, check_choice, check_number, check_positive_int
from . import gradients as _gradients
from .plots import COLORS, PALETTE, plot_memory_decay, render_png

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class FigureWidget:
    """Controls, a text readout and a figure that is redrawn whenever a control moves."""

    title = ""

    def __init__(self, controls: dict, width: float = 7.0, height: float = 3.5):
        self.controls = controls
        self.width, self.height = width, height
        self.readout = W.HTML(layout=W.Layout(min_height="1.5em"))
        self.readout.add_class("lstm-readout")
        self.output = W.Output(layout=W.Layout(min_height=f"{int(height * 100)}px"))
        self.output.add_class("lstm-figure")
        for control in controls.values():
            control.add_class("lstm-control")
        header = [W.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        self.ui = W.VBox(header + list(controls.values()) + [self.readout, self.output])
        self.redraws = 0
        self.last_redraw_s = 0.0
        self.state = None
        self.png = b""
        self.refresh()
        for control in controls.values():
            control.observe(self._on_change, names="value")

    # --- what subclasses provide
    def compute(self, **values):
        """Turn control values into what is drawn (pure: no widgets, no drawing)."""
        raise NotImplementedError

    def draw(self, fig, state) -> None:
        """Draw `state` into the empty figure `fig`."""
        raise NotImplementedError

    def describe(self, state) -> str:
        """One line of HTML for the readout."""
        return ""

    # --- the machinery
    @property
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values):
        """Move controls as a learner would; the figure redraws once per change. Returns the state."""
        for name, value in values.items():
            if name not in self.controls:
                raise LessonError(f"this widget has no control {name!r}; its controls are "
                                  f"{', '.join(map(repr, self.controls))}.")
            self.controls[name].value = value
        return self.state

    def refresh(self) -> None:
        """Recompute from the current control values and redraw."""
        start = time.perf_counter()
        self.state = self.compute(**self.values)
        fig = Figure(figsize=(self.width, self.height), layout="constrained")
        self.draw(fig, self.state)
        self.png = render_png(fig)
        self.readout.value = self.describe(self.state)
        # Replace the Output's content through its `outputs` state, which every front end renders
        # (no output capture, which some notebook runners handle poorly for widget callbacks).
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": base64.b64encode(self.png).decode("ascii"),
                                         "text/plain": f"<{type(self).__name__} figure>"}},)
        self.redraws += 1
        self.last_redraw_s = time.perf_counter() - start

    def _on_change(self, change) -> None:
        self.refresh()

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The live widget where a widget manager runs; the PNG of the current drawing elsewhere.
        return {
            "text/plain": f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values.items())})",
            "image/png": base64.b64encode(self.png).decode("ascii"),
            WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": self.ui.model_id},
        }


def _slider(description: str, value: float, low: float, high: float, step: float, fmt: str = ".2f"):
    return W.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                         readout_format=fmt, continuous_update=False,
                         style={"description_width": "initial"}, layout=W.Layout(width="420px"))


class ForgetGateDemo(FigureWidget):
    """Notebook 00's smoke test: a forget gate f held fixed, and the memory it leaves after each step."""

    title = "Slide the forget gate f and watch the memory fade: c_t = f * c_(t-1)"

    def __init__(self, f: float = 0.9, steps: int = 20):
        self.steps = check_positive_int(steps, "steps")
        f = check_number(f, "f", low=0.0, high=1.0)
        super().__init__({"f": _slider("forget gate f", f, 0.0, 1.0, 0.01)})

    def compute(self, f):
        return {"f": f, "c": [f ** t for t in range(self.steps + 1)]}

    def draw(self, fig, state):
        ax = fig.add_subplot()
        plot_memory_decay(ax, state["f"], self.steps)
        ax.set_title(f"f = {state['f']:.2f}: {100 * state['c'][-1]:.0f}% of the memory is left after {self.steps} steps")

    def describe(self, state):
        return (f"f = {state['f']:.2f} &rarr; after {self.steps} steps the memory holds "
                f"<b>{100 * state['c'][-1]:.1f}%</b> of what it started with")


# --------------------------------------------------------------------------- notebook 02

_NONLINEARITY_LABELS = {"tanh": "tanh", "identity": "identity (linear)", "relu": "ReLU"}


def gradient_verdict(final: float) -> str:
    """One word for what T steps back did to the gradient norm: vanishes, shrinks, survives, grows or explodes."""
    for limit, word in ((1e-3, "vanishes"), (0.1, "shrinks"), (10.0, "survives"), (1e3, "grows")):
        if final < limit:
            return word
    return "explodes"


class GradientFlowDemo(FigureWidget):
    """Notebook 02: the gradient norm ||dh_T/dh_(T-k)|| per lag k of a random RNN, as rho, T and the nonlinearity change."""

    title = "How far back does a gradient reach? Move the spectral radius, the length and the nonlinearity"

    def __init__(self, radius: float = 1.0, T: int = 100, nonlinearity: str = "tanh", matrix: str = "gaussian",
                 hidden_size: int = 32, batch: int = 8, seed: int = 0):
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.batch = check_positive_int(batch, "batch")
        self.seed = check_positive_int(seed, "seed", minimum=0)
        radius = check_number(radius, "radius", low=0.5, high=2.5)
        T = check_positive_int(T, "T", minimum=10)
        if T > 200:
            raise LessonError(f"T should be at most 200 so that the figure redraws quickly; got T = {T}.")
        check_choice(nonlinearity, "nonlinearity", tuple(_NONLINEARITY_LABELS))
        check_choice(matrix, "matrix", _gradients.MATRIX_KINDS)
        style = {"description_width": "initial"}
        controls = {
            "radius": _slider("spectral radius ρ of W_hh", radius, 0.5, 2.5, 0.05),
            "T": W.IntSlider(value=T, min=10, max=200, step=10, description="sequence length T",
                             continuous_update=False, style=style, layout=W.Layout(width="420px")),
            "nonlinearity": W.Dropdown(options=[(label, key) for key, label in _NONLINEARITY_LABELS.items()],
                                       value=nonlinearity, description="nonlinearity", style=style,
                                       layout=W.Layout(width="340px")),
            "matrix": W.Dropdown(options=[("Gaussian entries (σ_max > ρ)", "gaussian"),
                                          ("orthogonal (σ_max = ρ)", "orthogonal")],
                                 value=matrix, description="W_hh drawn as", style=style,
                                 layout=W.Layout(width="340px")),
        }
        super().__init__(controls, width=7.0, height=3.8)

    def compute(self, radius, T, nonlinearity, matrix):
        p = _gradients.lag_profile(radius, T, nonlinearity, hidden_size=self.hidden_size, batch=self.batch,
                                   kind=matrix, seed=self.seed)
        final = float(p.typical[-1])
        return {"radius": p.radius, "sigma_max": p.sigma_max, "nonlinearity": nonlinearity, "T": T,
                "matrix": matrix, "lags": p.lags, "norms": p.typical, "low": p.norms.min(axis=0),
                "high": p.norms.max(axis=0), "slope": p.slope, "rate": float(np.exp(p.slope)),
                "final": final, "verdict": gradient_verdict(final)}

    def draw(self, fig, state):
        ax = fig.add_subplot()
        k = state["lags"]
        low = np.maximum(state["low"], 1e-300)
        ax.fill_between(k, low, state["high"], color=COLORS["h"], alpha=0.18, lw=0,
                        label=f"each of {self.batch} sequences (range)")
        ax.plot(k, state["norms"], color=COLORS["h"], lw=2, label=r"$\|\partial h_T/\partial h_{T-k}\|_2$ (typical)")
        ax.plot(k, state["radius"] ** k.astype(float), "--", color=PALETTE["orange"], lw=1.5,
                label=rf"$\rho^k$, $\rho$ = {state['radius']:.2f}")
        ax.plot(k, state["sigma_max"] ** k.astype(float), ":", color=PALETTE["vermillion"], lw=1.5,
                label=rf"$\sigma_{{max}}^k$, $\sigma_{{max}}$ = {state['sigma_max']:.2f} (upper bound)")
        ax.axhline(1.0, color=COLORS["baseline"], lw=0.8)
        ax.set_yscale("log")
        lo = min(low.min(), 1.0) / 10
        hi = max(state["high"].max(), 1.0) * 10
        ax.set(xlim=(0, state["T"]), ylim=(max(lo, 1e-300), hi), xlabel="lag k (steps back from the last step T)",
               ylabel="gradient norm (log scale)")
        ax.set_title(f"{_NONLINEARITY_LABELS[state['nonlinearity']]}, ρ = {state['radius']:.2f}: the gradient "
                     f"{state['verdict']} (×{state['final']:.1e} after {state['T']} steps)")
        ax.legend(loc="best", fontsize=8)

    def describe(self, state):
        return (f"ρ(W_hh) = {state['radius']:.2f}, σ<sub>max</sub>(W_hh) = {state['sigma_max']:.2f}, "
                f"{_NONLINEARITY_LABELS[state['nonlinearity']]}: each step back multiplies the norm by about "
                f"<b>{state['rate']:.3f}</b>; after T = {state['T']} steps it is <b>{state['final']:.2e}</b> "
                f"(the gradient {state['verdict']})")
