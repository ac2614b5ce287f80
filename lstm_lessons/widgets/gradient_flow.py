"""Notebook 02's widget: the gradient norm ||dh_T/dh_(T-k)||_2 per lag k of a random RNN, live."""

from __future__ import annotations

import threading

import numpy as np

from .._validate import LessonError, check_choice, check_number, check_positive_int
from .. import gradients as _gradients
from ..plots import COLORS, PALETTE, FastText
from .controls import dropdown, int_slider, slider
from .engine import FigureWidget

_NONLINEARITY_LABELS = {"tanh": "tanh", "identity": "identity (linear)", "relu": "ReLU"}
_SHORT = {"tanh": "tanh", "identity": "linear", "relu": "ReLU"}  # in the figure's title

#: The input drives the widget offers (the `input_scale` of gradients.lag_profile): weak drive
#: keeps tanh units near their linear range, strong drive saturates them.
DRIVES = (0.02, 0.1, 0.5, 1.0, 2.0)


def gradient_verdict(final: float) -> str:
    """One word for what T steps back did to the gradient norm: vanishes, shrinks, survives, grows or explodes."""
    for limit, word in ((1e-3, "vanishes"), (0.1, "shrinks"), (10.0, "survives"), (1e3, "grows")):
        if final < limit:
            return word
    return "explodes"


#: The fixed vertical range of the figure: 40 decades hold every curve that matters here (what
#: leaves it has vanished or exploded, and the title and readout give the number). Fixed axes
#: keep the whole frame in the engine's cached background: only the curves are redrawn.
YLIM = (1e-20, 1e20)
#: Where the lag axis has ticks, as fractions of T (labels k = fraction * T, redrawn with T).
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
CACHE_SIZE = 256


class GradientFlowDemo(FigureWidget):
    """Notebook 02: the gradient norm ||dh_T/dh_(T-k)|| per lag k of a random RNN, as rho, T and the nonlinearity change."""

    title = ("How far back does a gradient reach? Move the spectral radius, the length, the nonlinearity "
             "and the input drive")

    def __init__(self, radius: float = 1.0, T: int = 100, nonlinearity: str = "tanh", matrix: str = "gaussian",
                 hidden_size: int = 32, batch: int = 8, seed: int = 0, input_scale: float = 0.5):
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.batch = check_positive_int(batch, "batch")
        self.seed = check_positive_int(seed, "seed", minimum=0)
        radius = check_number(radius, "radius", low=0.5, high=2.5)
        T = check_positive_int(T, "T", minimum=10)
        if T > 200:
            raise LessonError(f"T should be at most 200 so that the figure redraws quickly; got T = {T}.")
        check_choice(nonlinearity, "nonlinearity", tuple(_NONLINEARITY_LABELS))
        check_choice(matrix, "matrix", _gradients.MATRIX_KINDS)
        input_scale = check_number(input_scale, "input_scale", low=0.0)
        drives = sorted(set(DRIVES) | {input_scale})
        controls = {
            "radius": slider("spectral radius ρ of W_hh", radius, 0.5, 2.5, 0.05),
            "T": int_slider("sequence length T", T, 10, 200, 10),
            "nonlinearity": dropdown("nonlinearity", [(label, key) for key, label in _NONLINEARITY_LABELS.items()],
                                     nonlinearity),
            "matrix": dropdown("W_hh drawn as", [("Gaussian entries (σ_max > ρ)", "gaussian"),
                                                 ("orthogonal (σ_max = ρ)", "orthogonal")], matrix),
            "input_scale": dropdown("input drive (scale of W_ih)",
                                    [(f"{d:g}" + (" (weak: units near linear)" if d <= 0.05 else
                                                  " (saturating)" if d >= 0.5 else ""), d) for d in drives],
                                    input_scale),
        }
        self._cache = {}  # exact states by setting: moving back to a setting costs nothing
        self._cache_lock = threading.Lock()
        super().__init__(controls, width=7.5, height=4.0)

    def _key(self, radius, T, nonlinearity, matrix, input_scale):
        return (round(float(radius), 10), int(T), nonlinearity, matrix, round(float(input_scale), 10))

    def compute(self, radius, T, nonlinearity, matrix, input_scale=0.5):
        """What the widget draws: gradients.lag_profile's exact norms per lag, summed up (remembered per setting)."""
        key = self._key(radius, T, nonlinearity, matrix, input_scale)
        if key not in self._cache:
            p = _gradients.lag_profile(radius, T, nonlinearity, hidden_size=self.hidden_size, batch=self.batch,
                                       kind=matrix, input_scale=input_scale, seed=self.seed)
            state = self._summary(p, T, matrix, input_scale)
            with self._cache_lock:  # compute also runs in the engine's background thread
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache.setdefault(key, state)
        return self._cache[key]

    def preview(self, radius, T, nonlinearity, matrix, input_scale=0.5):
        """While a control moves: the same RNN and sequences, norms estimated (gradients.lag_profile_estimate)."""
        if self._key(radius, T, nonlinearity, matrix, input_scale) in self._cache:
            return None  # exact and at hand
        p = _gradients.lag_profile_estimate(radius, T, nonlinearity, hidden_size=self.hidden_size,
                                            batch=self.batch, kind=matrix, input_scale=input_scale, seed=self.seed)
        return dict(self._summary(p, T, matrix, input_scale), estimate=True)

    @staticmethod
    def _summary(p, T, matrix, input_scale):
        final = float(p.typical[-1])
        return {"radius": p.radius, "sigma_max": p.sigma_max, "nonlinearity": p.nonlinearity, "T": T,
                "matrix": matrix, "input_scale": input_scale, "lags": p.lags, "norms": p.typical,
                "low": p.norms.min(axis=0), "high": p.norms.max(axis=0), "slope": p.slope,
                "rate": float(np.exp(p.slope)), "final": final, "verdict": gradient_verdict(final)}

    def build(self, fig):
        ax = self.ax = fig.add_subplot()
        c = COLORS["h"]
        self.band = ax.fill_between([0, 1], [1, 1], [1, 1], color=c, alpha=0.18, lw=0, animated=True,
                                    label=f"each of {self.batch} sequences (range)")
        (self.line,) = ax.plot([], [], color=c, lw=2.5, animated=True,
                               label=r"$\|\partial h_T/\partial h_{T-k}\|_2$ (typical)")
        (self.rho_line,) = ax.plot([], [], "--", color=PALETTE["orange"], lw=2, animated=True, label=r"$\rho^k$")
        (self.sigma_line,) = ax.plot([], [], ":", color=PALETTE["vermillion"], lw=2.2, animated=True,
                                     label=r"$\sigma_{max}^k$ (upper bound)")
        ax.axhline(1.0, color=COLORS["baseline"], lw=1)
        ax.set_yscale("log")
        ax.set_autoscale_on(False)
        # The lag axis runs over k / T, so that it spans 0 .. T whatever T is without changing the
        # axes: its tick labels are animated texts that say k.
        ax.set(xlim=(0, 1), ylim=YLIM, xlabel="lag k (steps back from the last step T)", ylabel="gradient norm")
        # Invisible placeholders hold the tick labels' room in the layout.
        ax.set_xticks(TICKS, ["200"] * len(TICKS))
        ax.tick_params(axis="x", labelcolor=(0, 0, 0, 0))
        ax.set_yticks([10.0 ** e for e in range(-20, 21, 5)])
        ax.minorticks_off()
        self.tick_labels = [FastText(f, -0.03, "", size=12, ha="center", va="top", animated=True,
                                     transform=ax.get_xaxis_transform()) for f in TICKS]
        for label in self.tick_labels:
            ax.add_artist(label)
        ax.legend(loc="lower left", fontsize=10, ncols=2)
        # the title changes with every move: cached glyph outlines draw ten times faster than a Text
        self.heading = FastText(0.5, 1.025, " ", size=14, ha="center", va="bottom", transform=ax.transAxes,
                                animated=True)
        ax.add_artist(self.heading)

    def update(self, state):
        T = state["T"]
        u = state["lags"] / T  # k / T
        floor = YLIM[0] / 10  # curves stay finite on the log axis; what is below has vanished
        low = np.maximum(state["low"], floor)
        high = np.maximum(state["high"], floor)
        self.band.set_verts([np.column_stack([np.r_[u, u[::-1]], np.r_[low, high[::-1]]])])
        self.line.set_data(u, np.maximum(state["norms"], floor))
        k = state["lags"].astype(float)
        self.rho_line.set_data(u, np.clip(state["radius"] ** k, floor, 1 / floor))
        self.sigma_line.set_data(u, np.clip(state["sigma_max"] ** k, floor, 1 / floor))
        for text, f in zip(self.tick_labels, TICKS):
            text.set_text(f"{f * T:g}")
        self.heading.set_text(f"{_SHORT[state['nonlinearity']]}, ρ = {state['radius']:.2f}: the gradient "
                              f"{state['verdict']} (×{state['final']:.0e} at lag {T})")

    def describe(self, state):
        return (f"ρ(W_hh) = {state['radius']:.2f}, σ<sub>max</sub>(W_hh) = {state['sigma_max']:.2f}, "
                f"{_NONLINEARITY_LABELS[state['nonlinearity']]}, input drive {state['input_scale']:g}: each step back "
                f"multiplies the norm by about <b>{state['rate']:.3f}</b>; after T = {state['T']} steps it is "
                f"<b>{state['final']:.2e}</b> (the gradient {state['verdict']})")
