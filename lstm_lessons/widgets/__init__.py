"""The series' interactive playgrounds: core ipywidgets controls driving a matplotlib drawing.

What this is: one subpackage, one file per job.
- engine:        FigureWidget, the base class: compute, build once, update, describe; PNG at 2x
- controls:      slider, int_slider, log_slider, dropdown, choice, toggle, checkbox, forceable, play, button
- forget_gate:   ForgetGateDemo (notebook 00's smoke test)
- gradient_flow: GradientFlowDemo and gradient_verdict (notebook 02)
- memory_switches: MemorySwitches, write/read/forget switched per step (notebook 03)
- gate_playground: GatePlayground, the LSTM gate playground (notebook 04)
- counter:       CounterWidget, a hand-set LSTM counting brackets as you type (notebook 05)
- gru_playground: GRUPlayground, the GRU playground: r and z taken over (notebook 06)
- temperature:   TemperatureWidget, sampling from notebook 09's language model at a temperature
The drawing of a recurrent cell that the playgrounds of 03-06 share is lstm_lessons.cell_drawing
(matplotlib only, so static figures use it without widgets).
What this is not: imported by anything else in the package; it sits on top of it.
"""

from .counter import CounterWidget
from .controls import button, checkbox, choice, dropdown, forceable, int_slider, log_slider, play, slider, toggle
from .engine import REGISTRY, WIDGET_VIEW_MIME, FigureWidget
from .forget_gate import ForgetGateDemo
from .gate_playground import GatePlayground
from .gradient_flow import GradientFlowDemo, gradient_verdict
from .gru_playground import GRUPlayground
from .memory_switches import MemorySwitches
from .temperature import TemperatureWidget

__all__ = [
    "FigureWidget", "WIDGET_VIEW_MIME", "REGISTRY",
    "ForgetGateDemo", "GradientFlowDemo", "gradient_verdict", "MemorySwitches", "GatePlayground", "GRUPlayground",
    "CounterWidget", "TemperatureWidget",
    "slider", "int_slider", "log_slider", "dropdown", "choice", "toggle", "checkbox", "forceable", "play", "button",
]
