"""Matplotlib helpers: one colour-blind-safe palette and the figures the notebooks share.

Figures are built with matplotlib's object API (matplotlib.figure.Figure), so a helper never
draws into whatever figure happens to be current, and widgets can redraw without pyplot.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib as mpl
import numpy as np
from matplotlib import artist as martist, colors as mcolors, font_manager, path as mpath, transforms as mtransforms
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.textpath import TextPath
from matplotlib.ticker import MaxNLocator

from ._validate import LessonError, check_array, check_choice, check_number, check_positive_int
from .rnn_train import moving_average

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


class Picture:
    """A finished figure as a notebook shows it: a PNG at twice its layout size, with alt text.

    The image is sent as HTML, `<img alt="...">`, so screen readers, exported slides and
    `jupyter nbconvert` keep a sentence saying what it shows; `text/plain` carries the same
    sentence where no image can be shown.
    """

    def __init__(self, fig: Figure, alt: str, density: float = 2.0):
        if not isinstance(alt, str) or len(alt.strip()) < 10:
            raise LessonError(f"alt should be a sentence saying what the figure shows (for screen readers and "
                              f"slides); got {alt!r}.")
        self.alt = alt.strip()
        self.width_px = int(round(fig.get_figwidth() * fig.dpi))
        self.png = render_png(fig, dpi=int(round(fig.dpi * density)))

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
                f'width="{self.width_px}" style="max-width:100%;height:auto">')

    def __repr__(self) -> str:
        return f"[figure: {self.alt}]"


def show(fig: Figure, alt: str) -> Picture:
    """End a notebook cell with show(fig, "what the figure shows") to display `fig` with alt text."""
    if not isinstance(fig, Figure):
        raise LessonError(f"fig should be a matplotlib Figure (from plots.new_figure); got {type(fig).__name__}.")
    return Picture(fig, alt)


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
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    return c


# --------------------------------------------------------------------------- notebook 01: the unrolled RNN, learning curves

UNROLLED_OUTPUTS = ("all", "last")


def draw_unrolled_rnn(ax, steps: int = 4, outputs: str = "all"):
    """Draw an RNN unrolled over `steps` steps: one cell, the same weights, at every step (introduced in 01).

    outputs="all" draws a prediction y_t at every step (many-to-many); "last" only y_T (many-to-one).
    """
    steps = check_positive_int(steps, "steps")
    check_choice(outputs, "outputs", UNROLLED_OUTPUTS)
    arrow = dict(arrowstyle="-|>", color=COLORS["baseline"], lw=1.2, shrinkA=0, shrinkB=0)
    box_w, box_h, dx = 0.9, 0.7, 2.0

    def label(xy, text, color, fontsize=11):
        ax.text(*xy, text, ha="center", va="center", color=color, fontsize=fontsize)

    label((-0.2, 1.0), "$h_0$", COLORS["h"])
    for k in range(steps):
        t = name = k + 1
        cx = k * dx + 1.2
        ax.add_patch(FancyBboxPatch((cx - box_w / 2, 1.0 - box_h / 2), box_w, box_h, boxstyle="round,pad=0.04",
                                    facecolor="white", edgecolor=COLORS["h"], lw=1.8))
        label((cx, 1.0), "tanh", COLORS["h"], fontsize=9)
        # input below, arrow up through W_ih
        label((cx, -0.2), f"$x_{{{name}}}$", COLORS["x"])
        ax.annotate("", xy=(cx, 1.0 - box_h / 2 - 0.04), xytext=(cx, -0.02), arrowprops=arrow)
        label((cx + 0.22, 0.3), "$W_{ih}$", COLORS["baseline"], fontsize=8)
        # state from the left through W_hh
        left = (cx - dx + box_w / 2 + 0.04) if k else 0.0
        ax.annotate("", xy=(cx - box_w / 2 - 0.04, 1.0), xytext=(left, 1.0), arrowprops=arrow)
        label(((left + cx - box_w / 2) / 2, 1.16), "$W_{hh}$" if k else "", COLORS["baseline"], fontsize=8)
        label(((left + cx - box_w / 2) / 2, 0.84), f"$h_{{{k}}}$" if k else "", COLORS["h"], fontsize=8)
        if outputs == "all" or t == steps:
            ax.annotate("", xy=(cx, 1.82), xytext=(cx, 1.0 + box_h / 2 + 0.04), arrowprops=arrow)
            label((cx + 0.22, 1.65), "$W_{hy}$", COLORS["baseline"], fontsize=8)
            label((cx, 2.0), f"$y_{{{name}}}$", COLORS["i"])
    ax.set(xlim=(-0.5, (steps - 1) * dx + 1.9), ylim=(-0.4, 2.2), aspect="equal")
    ax.axis("off")
    return ax


def plot_learning_curve(ax, losses, *, baseline=None, label=None, color=None, window: int = 1,
                        baseline_label=None):
    """Draw a loss per update (averaged over `window` updates) and, if given, the baseline as a dashed line."""
    losses = check_array(losses, "losses", ("N",))
    smooth = moving_average(losses, window)  # (N - window + 1,)
    steps = np.arange(window, window + len(smooth))
    (line,) = ax.plot(steps, smooth, color=color, label=label, lw=1.6)
    if baseline is not None:
        baseline = check_number(baseline, "baseline")
        ax.axhline(baseline, color=COLORS["baseline"], ls="--", lw=1.2, label=baseline_label)
    ax.set(xlabel="update (Adam step)", ylabel="mean squared error")
    return line


# --------------------------------------------------------------------------- fast numbers, for widgets

class FastText(martist.Artist):
    """A short text (a number, say) drawn as glyph outlines cached per string.

    Redrawing it costs about a twentieth of a Text's (0.05 ms instead of 1 ms at 200 dpi), which
    matters where a widget redraws a dozen changing numbers on every move of a slider (the cell
    drawing of notebooks 03-06, introduced there). Add it with `ax.add_artist(FastText(...))`;
    `set_text`, `get_text`, `set_position` and `set_color` work as for a Text. Alignment uses the
    outline's extent (horizontally) and the extent of the digits (vertically), so numbers of
    different widths line up.
    """

    _paths: dict = {}   # (font, text) -> outline, alignment extents
    _glyphs: dict = {}  # (font, character) -> vertices, codes, advance

    def __init__(self, x, y, text: str = "", *, size: float = 12, color="black", weight="normal",
                 style="normal", ha: str = "left", va: str = "baseline", **kwargs):
        super().__init__()
        self._xy = (x, y)
        self._text = str(text)
        self._color = color
        self._ha, self._va = check_choice(ha, "ha", ("left", "center", "right")), \
            check_choice(va, "va", ("baseline", "bottom", "center", "top"))
        self._prop = font_manager.FontProperties(size=size, weight=weight, style=style)
        self._family = tuple(mpl.rcParams["font.family"]) + tuple(mpl.rcParams["font.sans-serif"][:1])
        self.set_clip_on(False)  # like a Text: drawn whole, and given room by the layout
        self.update(kwargs)

    def get_text(self) -> str:
        return self._text

    def set_text(self, text) -> None:
        self._text = str(text)
        self.stale = True

    def get_position(self):
        return self._xy

    def set_position(self, xy) -> None:
        self._xy = tuple(xy)
        self.stale = True

    def get_color(self):
        return self._color

    def set_color(self, color) -> None:
        self._color = color
        self.stale = True

    def _fontkey(self):
        return (self._family, self._prop.get_size_in_points(), self._prop.get_weight(), self._prop.get_style())

    def _glyph(self, char: str):
        """One character's outline (points, at the pen's origin) and its advance, cached."""
        key = (self._fontkey(), char)
        found = FastText._glyphs.get(key)
        if found is None:
            font = font_manager.get_font(font_manager.findfont(self._prop))
            font.set_size(self._prop.get_size_in_points(), 72)  # 72 dpi: pixels are points
            advance = font.load_char(ord(char)).linearHoriAdvance / 65536
            if char.isspace():  # no outline (and TextPath refuses an empty one)
                found = (np.zeros((0, 2)), np.zeros(0, dtype=mpath.Path.code_type), advance)
            else:
                path = TextPath((0, 0), char, prop=self._prop)
                found = (path.vertices, path.codes, advance)
            FastText._glyphs[key] = found
        return found

    def _outline(self, text: str):
        """The outline of `text` in points, the (x0, x1) of its ink, and the (y0, y1) of the digits; cached."""
        key = (self._fontkey(), text)
        found = FastText._paths.get(key)
        if found is None:
            if len(FastText._paths) > 4096:
                FastText._paths.clear()
            verts, codes, pen = [], [], 0.0
            for char in text:  # glyph by glyph, from the cache (no kerning: numbers do not need it)
                v, c, advance = self._glyph(char)
                if len(v):
                    verts.append(v + (pen, 0.0))
                    codes.append(c)
                pen += advance
            if verts:
                v = np.concatenate(verts)
                path = mpath.Path(v, np.concatenate(codes))
                x0, x1 = v[:, 0].min(), v[:, 0].max()  # of the control points: Path.get_extents is 100x slower
            else:
                path, x0, x1 = mpath.Path(np.zeros((0, 2))), 0.0, 0.0
            digits = self._glyph("0")[0]
            found = FastText._paths[key] = (path, (x0, x1), (digits[:, 1].min(), digits[:, 1].max()))
        return found

    def _placement(self, renderer):
        path, (x0, x1), (y0, y1) = self._outline(self._text)
        dx = {"left": -x0, "center": -(x0 + x1) / 2, "right": -x1}[self._ha]
        dy = {"baseline": 0.0, "bottom": -y0, "center": -(y0 + y1) / 2, "top": -y1}[self._va]
        px, py = self.get_transform().transform(self._xy)
        scale = renderer.points_to_pixels(1.0) if renderer is not None else self.figure.dpi / 72
        return path, mtransforms.Affine2D().translate(dx, dy).scale(scale).translate(px, py)

    @martist.allow_rasterization
    def draw(self, renderer):
        if not self.get_visible() or not self._text:
            return
        path, transform = self._placement(renderer)
        gc = renderer.new_gc()
        rgba = mcolors.to_rgba(self._color, self.get_alpha())
        gc.set_foreground(rgba, isRGBA=True)
        gc.set_alpha(rgba[3])
        gc.set_linewidth(0)
        gc.set_antialiased(True)
        gc.set_url(self.get_url())
        renderer.draw_path(gc, path, transform, rgba)
        gc.restore()
        self.stale = False

    def get_window_extent(self, renderer=None):
        if not self._text:
            return mtransforms.Bbox.null()
        path, transform = self._placement(renderer)
        return path.get_extents(transform)
