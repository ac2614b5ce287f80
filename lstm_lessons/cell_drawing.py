"""One drawing of a recurrent cell, with the values of one step on it: notebook 03's gated memory, the LSTM, the GRU.

What this is: `CellDrawing(ax, kind)` draws the cell once (boxes for the gates, nodes for the
products and the sum, the state path across the top) and `update(values)` shows one step of
one unit by setting artist properties only: each gate's box fills in proportion to its value
and shows the number, each flow carries its number, and a gated path is drawn as wide and dark
as its gate is open (a gate at 0 leaves a faint dotted trace: the path is shut). It is fast
enough to redraw on every slider move, and `labels()` reads the shown numbers back, so a test
can check that the drawing says what it was given. `draw_cell(ax, kind, values)` is the static
figure. Notation and colours are the series' (plots.COLORS); PyTorch's GRU convention.
What this is not: a widget. It imports matplotlib and plots, never ipywidgets, so a notebook can
draw a cell without widgets; the playgrounds of lstm_lessons.widgets put it in their figures.

Kinds, keys and parts (a key that is missing or None shows as "·"):
- "memory" (notebook 03's prototype, no hidden state): x, w (write), f (forget), r (read),
  m_prev, m, y with m = f*m_prev + w*x and y = r*m; bounded=True draws the bounded version,
  m = f*m_prev + w*tanh(x) and y = r*tanh(m). Parts: "w", "f", "r".
- "lstm": x, h_prev, c_prev, f, i, g, o, c, h with c = f*c_prev + i*g and h = o*tanh(c).
  Parts: "f", "i", "g", "o" (notebook 04 builds the cell in this order).
- "gru": x, h_prev, r, z, n, h with h = (1 - z)*n + z*h_prev (PyTorch). Parts: "r", "z", "n".
`parts=` draws only some gates (the cell at a stage of its construction); the state path, the
inputs and the outputs the drawn parts produce are always there. Outputs and flows not given
are computed from the keys given, as the equations above say (with only the drawn parts).
"""

from __future__ import annotations

import math

from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from ._validate import LessonError, check_choice
from .plots import COLORS, FastText

KINDS = ("memory", "lstm", "gru")

#: The gates of each kind, in the order a notebook adds them.
PARTS = {"memory": ("w", "f", "r"), "lstm": ("f", "i", "g", "o"), "gru": ("r", "z", "n")}

#: The values each kind accepts.
KEYS = {
    "memory": ("x", "w", "f", "r", "m_prev", "m", "y"),
    "lstm": ("x", "h_prev", "c_prev", "f", "i", "g", "o", "c", "h"),
    "gru": ("x", "h_prev", "r", "z", "n", "h"),
}

#: Colours of the memory prototype's switches: write is the LSTM's input gate, read its output gate.
GATE_COLORS = {**{k: COLORS[k] for k in ("f", "i", "g", "o", "r", "z", "n")}, "w": COLORS["i"], "1-z": COLORS["z"]}

INK = "#222222"   # numbers: darkest ink, for the back row
MUTED = "#666666"
MISSING = "·"

# Geometry, in data units (the axes spans x -1.9 .. 15.3, y -1.0 .. 7.4: about 2 : 1).
TOP, BUS, GATE_Y = 6.0, 1.0, 2.9   # state path, input bus, centre of the gate boxes
BOX_W, BOX_H, NODE_R = 1.4, 1.5, 0.32
X_IN, X_OUT = 0.0, 13.2            # where inputs enter and outputs leave
XLIM, YLIM = (-1.9, 15.3), (-1.0, 7.4)


def _fmt(value) -> str:
    """A number as the drawing shows it: two decimals, a true minus sign; "·" when missing."""
    if value is None:
        return MISSING
    a = abs(value)
    text = f"{value:.2f}" if a < 10 else f"{value:.1f}" if a < 1000 else f"{value:.1e}"
    return text.replace("-", "\u2212")


def _parse(text: str):
    """The number a label shows, or None for "·"."""
    text = text.strip()
    return None if text in ("", MISSING) else float(text.replace("\u2212", "-"))


def _tanh(v):
    return None if v is None else math.tanh(v)


def _mul(*vs):
    if any(v is None for v in vs):
        return None
    out = 1.0
    for v in vs:
        out *= v
    return out


class CellDrawing:
    """A recurrent cell drawn once in `ax`; `update(values)` shows one step of one unit on it."""

    def __init__(self, ax, kind: str, *, parts=None, bounded: bool = False, animated: bool = False,
                 fontscale: float | None = None):
        self.kind = check_choice(kind, "kind", KINDS)
        allowed = PARTS[kind]
        parts = allowed if parts is None else tuple(parts)
        for p in parts:
            if p not in allowed:
                raise LessonError(f"parts of a {kind} cell should be drawn from {allowed}; got {p!r} in {parts!r}.")
        if bounded and kind != "memory":
            raise LessonError(f"bounded=True is the bounded variant of the 'memory' prototype; "
                              f"the {kind} cell is bounded by its own tanh.")
        self.ax, self.parts, self.bounded, self.animated = ax, parts, bool(bounded), bool(animated)
        if fontscale is None:  # type sized for an axes about 7 inches wide; smaller axes, smaller type
            fig = ax.get_figure()
            width = ax.get_position().width * fig.get_figwidth()
            fontscale = min(1.3, max(0.55, width / 6.8))
        self.fs = float(fontscale)
        self._texts = {}    # key -> animated Text showing a number
        self._over = []  # names redrawn with the animated artists under them
        self._gauges = {}   # gate -> (Rectangle, x0, y0, range) filled in proportion to the gate
        self._gated = {}    # gate -> [(Line2D, base width)] drawn as open as the gate
        self._nodes = {}    # gate -> [Circle] whose edge takes the gate's colour when it is open
        self.values: dict = {}
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM)
        ax.set_aspect("equal")
        ax.set_axis_off()
        {"memory": self._draw_memory, "lstm": self._draw_lstm, "gru": self._draw_gru}[kind]()
        self.update({})

    # --- the public side
    def update(self, values: dict) -> None:
        """Show `values` (keys of KEYS[kind]; missing keys show "·") by setting artist properties only."""
        values = self._check(values)
        shown = self._complete(values)
        self.values = shown
        for key, text in self._texts.items():
            text.set_text(_fmt(shown.get(key)))
        for gate, (rect, x0, y0, span) in self._gauges.items():
            self._fill(rect, y0, span, shown.get(gate))
        for gate, lines in self._gated.items():
            level = shown.get(gate)
            for line, width in lines:
                self._style_path(line, width, level)
        for gate, circles in self._nodes.items():
            level = shown.get(gate)
            for circle in circles:
                circle.set_edgecolor(GATE_COLORS[gate] if level is not None and level >= 0.5 else MUTED)

    def labels(self) -> dict:
        """The numbers the drawing shows, read back from its text artists: {key: text} ("·" when missing)."""
        return {key: text.get_text() for key, text in self._texts.items() if text.get_visible()}

    def shown_values(self) -> dict:
        """The numbers the drawing shows, as floats (None where it shows "·")."""
        return {key: _parse(text) for key, text in self.labels().items()}

    def path_style(self, gate: str) -> dict:
        """How open the path a gate controls is drawn: linewidth, alpha and linestyle of its first line."""
        line, _ = self._gated[gate][0]
        return {"linewidth": line.get_linewidth(), "alpha": line.get_alpha(), "linestyle": line.get_linestyle()}

    def gauge_height(self, gate: str) -> float:
        """The height of a gate's fill (data units): its value times the box's range."""
        return self._gauges[gate][0].get_height()

    @property
    def artists(self) -> list:
        """The artists `update` changes (animated when the drawing was made with animated=True)."""
        out = list(self._texts.values()) + [g[0] for g in self._gauges.values()]
        out += [line for lines in self._gated.values() for line, _ in lines]
        return out + [c for cs in self._nodes.values() for c in cs] + self._over

    # --- values
    def _check(self, values) -> dict:
        if values is None:
            return {}
        if not isinstance(values, dict):
            raise LessonError(f"values should be a dict like {{'f': 0.9, ...}} with keys from {KEYS[self.kind]}; "
                              f"got {type(values).__name__}.")
        out = {}
        for key, value in values.items():
            if key not in KEYS[self.kind]:
                hint = ""
                if key.endswith("_t") or key.endswith("_t-1"):
                    hint = " Write c for c_t and c_prev for c_(t-1)."
                raise LessonError(f"a {self.kind} cell has no value {key!r}; its keys are {KEYS[self.kind]}.{hint}")
            if value is None:
                out[key] = None
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise LessonError(f"value {key!r} should be one number (one unit of the cell) or None; "
                                  f"got {type(value).__name__} {value!r}. Pick a unit: h[0], not h.") from None
            if not math.isfinite(value):
                raise LessonError(f"value {key!r} should be a finite number; got {value}.")
            out[key] = value
        return out

    def _complete(self, v: dict) -> dict:
        """The given values plus the flows and outputs they determine (only through the drawn parts)."""
        v = {k: v.get(k) for k in KEYS[self.kind]}
        has = self.parts.__contains__
        if self.kind == "memory":
            cand = _tanh(v["x"]) if self.bounded else v["x"]
            keep = _mul(v["f"], v["m_prev"]) if has("f") else v["m_prev"]
            write = _mul(v["w"], cand) if has("w") else 0.0
            if v["m"] is None and keep is not None and write is not None:
                v["m"] = keep + write  # m_t = f * m_(t-1) + w * x_t
            read = _tanh(v["m"]) if self.bounded else v["m"]
            if v["y"] is None and has("r"):
                v["y"] = _mul(v["r"], read)  # y_t = r * m_t
            v["f*m_prev"] = keep if has("f") else None
            v["tanh(x)"] = cand if self.bounded else None
            v["w*x"] = _mul(v["w"], cand)
            v["tanh(m)"] = read if self.bounded else None
        elif self.kind == "lstm":
            keep = _mul(v["f"], v["c_prev"]) if has("f") else v["c_prev"]
            write = _mul(v["i"] if has("i") else 1.0, v["g"] if has("g") else None) if (has("i") or has("g")) else 0.0
            if v["c"] is None and keep is not None and write is not None:
                v["c"] = keep + write  # c_t = f * c_(t-1) + i * g
            if v["h"] is None and has("o"):
                v["h"] = _mul(v["o"], _tanh(v["c"]))  # h_t = o * tanh(c_t)
            v["f*c_prev"] = keep if has("f") else None
            v["i*g"] = write if (has("i") or has("g")) else None
            v["tanh(c)"] = _tanh(v["c"])
        else:
            one_minus_z = None if v["z"] is None else 1.0 - v["z"]
            v["1-z"] = one_minus_z
            v["z*h_prev"] = _mul(v["z"], v["h_prev"])
            v["(1-z)*n"] = _mul(one_minus_z, v["n"])
            if v["h"] is None and v["z*h_prev"] is not None and v["(1-z)*n"] is not None:
                v["h"] = v["z*h_prev"] + v["(1-z)*n"]  # h_t = (1 - z) * n + z * h_(t-1)
        return v

    # --- drawing primitives (each takes the part it belongs to: None is always drawn)
    def _show(self, artist, part):
        if part is not None:
            needed = (part,) if isinstance(part, str) else part
            artist.set_visible(any(p in self.parts for p in needed))
        return artist

    def _line(self, xs, ys, color, lw=2.2, part=None, gate=None, z=2, over=False):
        line = Line2D(xs, ys, color=color, lw=lw, solid_capstyle="round", solid_joinstyle="round", zorder=z,
                      animated=self.animated and gate is not None)
        if over:  # passes over a crossing line: a white edge shows which is on top
            line.set_path_effects([patheffects.withStroke(linewidth=lw + 6, foreground="white")])
        self.ax.add_line(line)
        if gate is not None:
            self._gated.setdefault(gate, []).append((line, lw))
        return self._show(line, part)

    def _arrow(self, x, y, direction, color, part=None):
        marker = {"right": ">", "up": "^", "left": "<", "down": "v"}[direction]
        (m,) = self.ax.plot([x], [y], marker=marker, ms=11 * self.fs, color=color, zorder=3, lw=0)
        return self._show(m, part)

    def _text(self, x, y, s, size=14, color=INK, part=None, key=None, weight="normal", over=False, **kw):
        if key is None:  # a name: drawn once (over=True: redrawn with the animated artists it sits on)
            t = self.ax.text(x, y, s, fontsize=size * self.fs, color=color, fontweight=weight, zorder=6,
                             animated=self.animated and over, **kw)
            if self.animated and over:
                self._over.append(t)
        else:  # a number that changes: cached outlines redraw twenty times faster than a Text
            t = FastText(x, y, s, size=size * self.fs, color=color, weight=weight, zorder=6, animated=self.animated,
                         ha=kw.get("ha", "left"), va=kw.get("va", "baseline"))
            self.ax.add_artist(t)
            self._texts[key] = t
        return self._show(t, part)

    def _node(self, x, y, symbol, part=None, gate=None, size=17):
        c = Circle((x, y), NODE_R, facecolor="white", edgecolor=MUTED, lw=2, zorder=4,
                   animated=self.animated and gate is not None)
        self.ax.add_patch(c)
        if gate is not None:
            self._nodes.setdefault(gate, []).append(c)
        self._show(c, part)
        self._text(x, y - 0.02, symbol, size=size, color=INK, part=part, ha="center", va="center", weight="bold",
                   over=gate is not None)  # the circle is redrawn, so the symbol on it must be too
        return c

    def _squash(self, x, y, label, part=None):
        box = FancyBboxPatch((x - 0.55, y - 0.3), 1.1, 0.6, boxstyle="round,pad=0.02,rounding_size=0.25",
                             facecolor="#f2f2f2", edgecolor=MUTED, lw=1.8, zorder=4)
        self.ax.add_patch(box)
        self._show(box, part)
        self._text(x, y, label, size=12, color=INK, part=part, ha="center", va="center")

    def _gate(self, x, gate, name, fn, y=GATE_Y):
        """A gate's box: its name, its activation, a fill as high as its value, and the number."""
        color = GATE_COLORS[gate]
        x0, y0 = x - BOX_W / 2, y - BOX_H / 2
        span = (-1.0, 1.0) if fn == "tanh" else (0.0, 1.0)
        frame = FancyBboxPatch((x0, y0), BOX_W, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.15",
                               facecolor="white", edgecolor=color, lw=3, zorder=3)
        self.ax.add_patch(frame)
        self._show(frame, gate)
        fill = Rectangle((x0 + 0.06, y0), BOX_W - 0.12, 0.0, facecolor=color, alpha=0.45, lw=0, zorder=3.5,
                         animated=self.animated)
        self.ax.add_patch(fill)
        self._show(fill, gate)
        self._gauges[gate] = (fill, x0, y0, span)
        if fn == "tanh":  # the zero line of a gauge that goes both ways
            self._line([x0 + 0.06, x0 + BOX_W - 0.06], [y, y], MUTED, lw=0.8, part=gate, z=3.6)
        self._text(x, y0 + BOX_H - 0.08, name, size=18, color=INK, part=gate, ha="center", va="top",
                   over=True)  # the fill is redrawn under it
        self._text(x, y0 + 0.42, "", size=15, part=gate, key=gate, weight="bold", ha="center", va="center")
        if fn in ("σ", "tanh"):  # the activation, under the box beside the line that feeds it
            self._text(x - 0.12, y0 - 0.1, fn, size=11, color=MUTED, part=gate, ha="right", va="top")
        elif fn:  # a word for a switch set by hand
            self._text(x, y0 - 0.1, fn, size=12, color=MUTED, part=gate, ha="center", va="top")

    def _fill(self, rect, y0, span, value):
        lo, hi = span
        if value is None:
            rect.set_height(0.0)
            return
        v = min(hi, max(lo, value))
        if lo < 0:  # from the middle, up or down
            mid = y0 + BOX_H / 2
            rect.set_y(mid if v >= 0 else mid + v * (BOX_H / 2))
            rect.set_height(abs(v) * BOX_H / 2)
        else:
            rect.set_y(y0)
            rect.set_height(v * BOX_H)

    def _style_path(self, line, width, level):
        """A gated path: as wide and dark as the gate is open; dotted and faint when shut (level < 0.05)."""
        if level is None:
            line.set_linewidth(width * 0.6)
            line.set_alpha(0.5)
            line.set_linestyle("--")
            return
        a = min(1.0, max(0.0, level))
        line.set_linewidth(width * (0.25 + 0.85 * a))
        line.set_alpha(0.2 + 0.8 * a)
        line.set_linestyle(":" if a < 0.05 else "-")

    def _state_path(self, color, name):
        """The state path across the top: the carousel, a wide pale band under a strong line."""
        self._line([X_IN, X_OUT], [TOP, TOP], color, lw=22 * self.fs, z=1).set_alpha(0.13)
        self._text((X_IN + X_OUT) / 2, TOP + 0.75, name, size=12, color=color, ha="center", va="bottom",
                   style="italic")

    def _input(self, x, y, name, key, color, below=False):
        if below:
            self._text(x - 0.12, y - 0.05, name, size=17, color=color, ha="right", va="top")
            self._text(x + 0.12, y - 0.05, "", size=14, key=key, ha="left", va="top")
        else:
            self._text(x - 0.15, y + 0.08, name, size=17, color=color, ha="right", va="bottom")
            self._text(x - 0.15, y - 0.08, "", size=14, key=key, ha="right", va="top")

    def _output(self, x, y, name, key, color, part=None):
        self._text(x + 0.3, y + 0.08, name, size=17, color=color, ha="left", va="bottom", part=part)
        self._text(x + 0.3, y - 0.08, "", size=14, key=key, ha="left", va="top", part=part)

    def _flow(self, x, y, name, key, part=None, ha="left", color=MUTED):
        """A number on a flow, with its name in small type above it."""
        self._text(x, y + 0.05, name, size=11, color=color, ha=ha, va="bottom", part=part)
        self._text(x, y - 0.02, "", size=14, key=key, ha=ha, va="top", part=part)

    def _carried(self, x, name, key, part=None):
        """A number on the state path, under the line: its name, then the number."""
        self._text(x - 0.08, TOP - 0.45, name, size=11, color=MUTED, ha="right", va="top", part=part)
        self._text(x + 0.02, TOP - 0.38, "", size=14, key=key, ha="left", va="top", part=part)

    # --- the three cells
    def _draw_lstm(self):
        c, h, x = COLORS["c"], COLORS["h"], COLORS["x"]
        xf, xi, xg, xo, xr, xw = 2.9, 4.9, 7.1, 9.1, 10.6, 6.0
        top_box = GATE_Y + BOX_H / 2
        bot_box = GATE_Y - BOX_H / 2
        self._state_path(c, "cell state c: the carousel (a sum, no squashing, no weights)")
        # the carousel: c_(t-1) -> x f -> + write -> c_t; the stretch after the forget gate is gated by f
        self._line([X_IN, xf - NODE_R], [TOP, TOP], c, lw=5)
        self._line([xf + NODE_R, xw - NODE_R], [TOP, TOP], c, lw=5, gate="f", part="f")
        self._line([xf - NODE_R, xf + NODE_R], [TOP, TOP], c, lw=5, part=None).set_visible("f" not in self.parts)
        self._line([xw + NODE_R, X_OUT], [TOP, TOP], c, lw=5)
        self._line([xw - NODE_R, xw + NODE_R], [TOP, TOP], c, lw=5).set_visible(not ("i" in self.parts or "g" in self.parts))
        self._arrow(X_OUT, TOP, "right", c)
        self._node(xf, TOP, "×", part="f", gate="f")
        self._node(xw, TOP, "+", part=("i", "g"))
        # the input bus: h_(t-1) and x_t go to every gate
        last = max([gx for gx, p in ((xf, "f"), (xi, "i"), (xg, "g"), (xo, "o")) if p in self.parts], default=1.2)
        self._line([X_IN, last], [BUS, BUS], h, lw=2.2)
        self._line([1.2, 1.2], [-0.35, BUS], x, lw=2.2)
        for gx, part in ((xf, "f"), (xi, "i"), (xg, "g"), (xo, "o")):
            self._line([gx, gx], [BUS, bot_box], MUTED, lw=1.6, part=part)
        # the gates
        self._gate(xf, "f", "$f$", "σ")
        self._gate(xi, "i", "$i$", "σ")
        self._gate(xg, "g", "$g$", "tanh")
        self._gate(xo, "o", "$o$", "σ")
        # forget: f -> x on the carousel
        self._line([xf, xf], [top_box, TOP - NODE_R], COLORS["f"], lw=2.2, part="f")
        # write: i -> x <- g, then i*g -> +, gated by i
        wy = 4.6
        self._line([xi, xi, xw - NODE_R], [top_box, wy, wy], COLORS["i"], lw=2.2, part="i")
        self._line([xg, xg, xw + NODE_R], [top_box, wy, wy], COLORS["g"], lw=2.2, part="g")
        self._node(xw, wy, "×", part=("i", "g"), gate="i")
        self._line([xw, xw], [wy + NODE_R, TOP - NODE_R], c, lw=4, part=("i", "g"), gate="i")
        # read: c_t -> tanh -> x <- o, then h_t, gated by o
        self._line([xr, xr], [TOP, 4.9], c, lw=2.2, part="o")
        self._squash(xr, 4.6, "tanh", part="o")
        self._line([xr, xr], [4.3, GATE_Y + NODE_R], c, lw=2.2, part="o")
        self._line([xo + BOX_W / 2, xr - NODE_R], [GATE_Y, GATE_Y], COLORS["o"], lw=2.2, part="o")
        self._node(xr, GATE_Y, "×", part="o", gate="o")
        self._line([xr, xr, X_OUT], [GATE_Y - NODE_R, BUS, BUS], h, lw=4, part="o", gate="o")
        self._arrow(X_OUT, BUS, "right", h, part="o")
        # names and numbers
        self._input(X_IN, TOP, "$c_{t-1}$", "c_prev", c)
        self._input(X_IN, BUS, "$h_{t-1}$", "h_prev", h)
        self._input(1.2, -0.35, "$x_t$", "x", x, below=True)
        self._output(X_OUT, TOP, "$c_t$", "c", c)
        self._output(X_OUT, BUS, "$h_t$", "h", h, part="o")
        self._carried((xf + xw) / 2, "f·c", "f*c_prev", part="f")
        self._flow(xw + 0.25, 5.3, "i·g", "i*g", part=("i", "g"))
        self._flow(xr + 0.25, 3.75, "tanh c", "tanh(c)", part="o")

    def _draw_gru(self):
        h, x = COLORS["h"], COLORS["x"]
        xz, xr, xn = 2.8, 5.0, 8.0
        xzm, xplus, xone = 8.9, 11.5, 8.9
        xreset, ry, zy = 6.4, 4.6, 5.25
        top_box = GATE_Y + BOX_H / 2
        bot_box = GATE_Y - BOX_H / 2
        self._state_path(h, "hidden state h: the GRU's carousel (a blend, no squashing)")
        self._line([X_IN, xzm - NODE_R], [TOP, TOP], h, lw=5)
        self._line([xzm + NODE_R, xplus - NODE_R], [TOP, TOP], h, lw=5, gate="z", part="z")
        self._line([xplus + NODE_R, X_OUT], [TOP, TOP], h, lw=5)
        self._line([xzm - NODE_R, xplus + NODE_R], [TOP, TOP], h, lw=5).set_visible("z" not in self.parts)
        self._arrow(X_OUT, TOP, "right", h)
        self._node(xzm, TOP, "×", part="z", gate="z")
        self._node(xplus, TOP, "+", part="z")
        # the input bus: h_(t-1) drops from the state path, x_t comes from below
        last = max([gx for gx, p in ((xz, "z"), (xr, "r"), (xn, "n")) if p in self.parts], default=1.5)
        self._line([0.6, 0.6, last], [TOP, BUS, BUS], h, lw=2.2)
        self._line([1.5, 1.5], [-0.35, BUS], x, lw=2.2)
        for gx, part in ((xz, "z"), (xr, "r"), (xn, "n")):
            self._line([gx, gx], [BUS, bot_box], MUTED, lw=1.6, part=part)
        self._gate(xz, "z", "$z$", "σ")
        self._gate(xr, "r", "$r$", "σ")
        self._gate(xn, "n", "$n$", "tanh")
        # reset: r scales what h_(t-1) contributes to the candidate n (after W_hn, as PyTorch does)
        self._line([xreset, xreset], [TOP, ry + NODE_R], h, lw=2.2, part="r")
        self._line([xr, xr, xreset - NODE_R], [top_box, ry, ry], COLORS["r"], lw=2.2, part="r")
        self._node(xreset, ry, "×", part="r", gate="r")
        self._line([xreset + NODE_R, xn, xn], [ry, ry, top_box], h, lw=3, part=("r", "n"), gate="r")
        # update: z -> x on the state path (keep z of h_(t-1)); 1 - z -> x on the candidate (take 1 - z of n)
        self._line([xz, xz, xzm, xzm], [top_box, zy, zy, TOP - NODE_R], COLORS["z"], lw=2.2, part="z", over=True)
        self._line([xone, xone], [zy, 4.4 + NODE_R], COLORS["z"], lw=2.2, part="z")
        self._node(xone, 4.4, "1−", part="z", gate=None, size=12)
        self._line([xone + NODE_R, xplus - NODE_R], [4.4, 4.4], COLORS["z"], lw=2.2, part="z")
        self._node(xplus, 4.4, "×", part="z", gate="1-z")
        self._line([xn + BOX_W / 2, xplus, xplus], [GATE_Y, GATE_Y, 4.4 - NODE_R], COLORS["n"], lw=2.2, part="n")
        self._line([xplus, xplus], [4.4 + NODE_R, TOP - NODE_R], h, lw=4, part="z", gate="1-z")
        # names and numbers
        self._input(X_IN, TOP, "$h_{t-1}$", "h_prev", h)
        self._input(1.5, -0.35, "$x_t$", "x", x, below=True)
        self._output(X_OUT, TOP, "$h_t$", "h", h)
        self._carried((xzm + xplus) / 2, "z·h", "z*h_prev", part="z")
        self._flow(xplus + 0.25, 5.1, "(1−z)·n", "(1-z)*n", part=("z", "n"))
        self._flow(xone + 0.4, 3.6, "1−z", "1-z", part="z")

    def _draw_memory(self):
        m, x = COLORS["c"], COLORS["x"]
        xf, xw_box, xin, xr_box, xr, xw = 2.9, 4.9, 7.1, 9.1, 10.6, 6.0
        top_box = GATE_Y + BOX_H / 2
        self._state_path(m, "memory m: a sum across time" + (" (read through tanh)" if self.bounded else ""))
        self._line([X_IN, xf - NODE_R], [TOP, TOP], m, lw=5)
        self._line([xf + NODE_R, xw - NODE_R], [TOP, TOP], m, lw=5, gate="f", part="f")
        self._line([xf - NODE_R, xf + NODE_R], [TOP, TOP], m, lw=5).set_visible("f" not in self.parts)
        self._line([xw + NODE_R, X_OUT], [TOP, TOP], m, lw=5)
        self._line([xw - NODE_R, xw + NODE_R], [TOP, TOP], m, lw=5).set_visible("w" not in self.parts)
        self._arrow(X_OUT, TOP, "right", m)
        self._node(xf, TOP, "×", part="f", gate="f")
        self._node(xw, TOP, "+", part="w")
        # the switches, set by hand (no weights, no sigmoid yet)
        self._gate(xf, "f", "$f$", "forget")
        self._gate(xw_box, "w", "$w$", "write")
        self._gate(xr_box, "r", "$r$", "read")
        self._line([xf, xf], [top_box, TOP - NODE_R], COLORS["f"], lw=2.2, part="f")
        # write: x_t (through tanh when bounded) -> x <- w, then -> +, gated by w
        wy = 4.6
        if self.bounded:
            self._line([xin, xin], [-0.35, GATE_Y - 0.3], x, lw=2.2, part="w")
            self._squash(xin, GATE_Y, "tanh", part="w")
            self._line([xin, xin, xw + NODE_R], [GATE_Y + 0.3, wy, wy], x, lw=2.2, part="w")
            self._flow(xin + 0.25, 3.65, "tanh x", "tanh(x)", part="w")
        else:
            self._line([xin, xin, xw + NODE_R], [-0.35, wy, wy], x, lw=2.2, part="w")
        self._line([xw_box, xw_box, xw - NODE_R], [top_box, wy, wy], GATE_COLORS["w"], lw=2.2, part="w")
        self._node(xw, wy, "×", part="w", gate="w")
        self._line([xw, xw], [wy + NODE_R, TOP - NODE_R], m, lw=4, part="w", gate="w")
        # read: m_t (through tanh when bounded) -> x <- r, then y_t, gated by r
        if self.bounded:
            self._line([xr, xr], [TOP, 4.9], m, lw=2.2, part="r")
            self._squash(xr, 4.6, "tanh", part="r")
            self._line([xr, xr], [4.3, GATE_Y + NODE_R], m, lw=2.2, part="r")
            self._flow(xr + 0.25, 3.75, "tanh m", "tanh(m)", part="r")
        else:
            self._line([xr, xr], [TOP, GATE_Y + NODE_R], m, lw=2.2, part="r")
        self._line([xr_box + BOX_W / 2, xr - NODE_R], [GATE_Y, GATE_Y], GATE_COLORS["r"], lw=2.2, part="r")
        self._node(xr, GATE_Y, "×", part="r", gate="r")
        self._line([xr, xr, X_OUT], [GATE_Y - NODE_R, BUS, BUS], COLORS["h"], lw=4, part="r", gate="r")
        self._arrow(X_OUT, BUS, "right", COLORS["h"], part="r")
        # names and numbers
        self._input(X_IN, TOP, "$m_{t-1}$", "m_prev", m)
        self._input(xin, -0.35, "$x_t$", "x", x, below=True)
        self._output(X_OUT, TOP, "$m_t$", "m", m)
        self._output(X_OUT, BUS, "$y_t$", "y", COLORS["h"], part="r")
        self._carried((xf + xw) / 2, "f·m", "f*m_prev", part="f")
        self._flow(xw + 0.25, 5.3, "w·tanh x" if self.bounded else "w·x", "w*x", part="w")


def draw_cell(ax, kind: str, values: dict | None = None, **kwargs) -> CellDrawing:
    """Draw a `kind` cell ("memory", "lstm" or "gru") in `ax` showing `values`; returns the CellDrawing.

    Keyword arguments go to CellDrawing: parts=(...) for a stage of construction, bounded=True for
    the bounded memory prototype.
    """
    cell = CellDrawing(ax, kind, **kwargs)
    if values:
        cell.update(values)
    return cell
