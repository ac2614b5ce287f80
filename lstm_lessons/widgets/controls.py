"""Small factories for the controls of the series' widgets, so every playground looks and moves alike.

What this is: one-line helpers around core ipywidgets (sliders, dropdowns, toggles, Play) with
the series' defaults: the description in full, a wide track for a projector, and continuous
updates on sliders (the drawing follows the drag; see engine.py for why that has no backlog).
Only the API that ipywidgets 7.6 and 8 share is used.
"""

from __future__ import annotations

import math

import ipywidgets as W

from .._validate import LessonError, check_number

STYLE = {"description_width": "initial"}
WIDE = "480px"


def slider(description: str, value: float, low: float, high: float, step: float, fmt: str = ".2f") -> W.FloatSlider:
    """A float slider that redraws while it is dragged."""
    value = check_number(value, description, low=low, high=high)
    return W.FloatSlider(value=value, min=low, max=high, step=step, description=description, readout_format=fmt,
                         continuous_update=True, style=STYLE, layout=W.Layout(width=WIDE))


def int_slider(description: str, value: int, low: int, high: int, step: int = 1) -> W.IntSlider:
    """An integer slider that redraws while it is dragged."""
    value = check_number(value, description, low=low, high=high)
    return W.IntSlider(value=int(value), min=low, max=high, step=step, description=description,
                       continuous_update=True, style=STYLE, layout=W.Layout(width=WIDE))


def log_slider(description: str, value: float, low: float, high: float, steps_per_decade: int = 4,
               fmt: str = ".3g") -> W.FloatLogSlider:
    """A slider over powers of ten, from `low` to `high`, that redraws while it is dragged."""
    value = check_number(value, description, low=low, high=high)
    if low <= 0:
        raise LessonError(f"a log slider needs low > 0; got low = {low}.")
    return W.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                            step=1 / steps_per_decade, description=description, readout_format=fmt,
                            continuous_update=True, style=STYLE, layout=W.Layout(width=WIDE))


def dropdown(description: str, options, value) -> W.Dropdown:
    """A dropdown of `options`: values, or (label, value) pairs."""
    keys = [o[1] if isinstance(o, tuple) else o for o in options]
    if value not in keys:
        raise LessonError(f"{description} should be one of {keys}; got {value!r}.")
    return W.Dropdown(options=list(options), value=value, description=description, style=STYLE,
                      layout=W.Layout(width=WIDE))


def choice(description: str, options, value) -> W.ToggleButtons:
    """A row of buttons, one pressed: for two to four options a learner should see all at once."""
    keys = [o[1] if isinstance(o, tuple) else o for o in options]
    if value not in keys:
        raise LessonError(f"{description} should be one of {keys}; got {value!r}.")
    return W.ToggleButtons(options=list(options), value=value, description=description, style=STYLE)


def toggle(description: str, value: bool = False) -> W.ToggleButton:
    """One on/off switch shown as a button (a gate held open or shut, say)."""
    return W.ToggleButton(value=bool(value), description=description, layout=W.Layout(width="auto"))


def checkbox(description: str, value: bool = False) -> W.Checkbox:
    """One on/off box with its description beside it."""
    return W.Checkbox(value=bool(value), description=description, indent=False, style=STYLE)


def forceable(name: str, value: float, low: float, high: float, step: float = 0.01,
              width: str = "300px") -> tuple:
    """A value the learner may take over: a checkbox "force <name>" and the slider it unlocks.

    The slider stays disabled (the widget uses its own value) until the box is ticked.
    Returns (switch, knob).
    """
    switch = checkbox(f"force {name}", False)
    knob = slider(name, value, low, high, step)
    knob.layout.width = width
    knob.disabled = True
    switch.observe(lambda change: setattr(knob, "disabled", not change["new"]), names="value")
    return switch, knob


def play(value: int, low: int, high: int, interval_ms: int = 400, description: str = "play") -> W.Play:
    """A play button stepping an integer from low to high (link it to an int_slider with W.jslink)."""
    return W.Play(value=int(value), min=low, max=high, step=1, interval=interval_ms, description=description)


def button(description: str) -> W.Button:
    """A push button; wire it with `.on_click(...)` and redraw with `widget.refresh()` or `widget.set(...)`."""
    return W.Button(description=description, layout=W.Layout(width="auto"))
