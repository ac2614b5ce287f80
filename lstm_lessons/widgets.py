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
from IPython.display import Image, display
from matplotlib.figure import Figure

from ._validate import LessonError, check_number, check_positive_int
from .plots import plot_memory_decay, render_png

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
        with self.output:
            self.output.clear_output(wait=True)
            display(Image(data=self.png, format="png"))
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
