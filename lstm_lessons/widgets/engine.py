"""The widget engine: named core ipywidgets controls driving a matplotlib figure that is built once.

What this is: `FigureWidget`, the base class of every playground in the series. A subclass
says what its controls compute (`compute`, pure), builds its figure once (`build`), and shows a
state by setting the data of the artists it built (`update`). The engine keeps the figure, its
axes and artists for the widget's whole life, redraws only the artists that change, and sends
the picture as a PNG at twice its layout size (crisp on projectors and high-density screens).
What this is not: a plotting library, and not tied to one front end. Only core ipywidgets are
used, with the API that ipywidgets 7.6 and 8 share, and nothing needs a JavaScript extension of
our own (tested in JupyterLab 4 and Notebook 7 by tests/browser, and under ipywidgets 7.7, the
version Colab ships, by `make test-ipywidgets7`).

How a redraw works, and why it is fast (measured in benchmarks/widget_latency.py):
1. `compute(**values)` turns control values into a state (pure: no widgets, no drawing).
2. `update(state)` sets data, text and colours of the existing artists. Nothing is created and
   the layout is never recomputed: it was computed once, from the first state, then frozen.
3. The artists that change were created with `animated=True`. Everything else (axes, ticks,
   tick labels, static text: most of the drawing time) was rendered once into a background;
   a redraw restores that background and draws only the animated artists on top. If `update`
   touched a non-animated artist (matplotlib marks the figure stale), the whole figure is drawn
   again and the background is captured anew: correct, only slower.
4. The RGB pixels are written as a PNG by `encode_png` (zlib level 1, no row filter: about
   twice as fast as Pillow's PNG writer on these figures, and as small) and sent as bytes to
   an `ipywidgets.Image` (a binary message, no base64).

Why there is no backlog while a slider is dragged: a redraw runs in the kernel inside the
handler of the control's change, and the ipywidgets front end (7 and 8) keeps at most one
change of a control in flight: further changes during a drag are merged into one pending
message that holds only the newest value, sent when the kernel reports idle. So the kernel
never works through stale values, the frames are published in the order of the changes
(each frame carries a generation number that only grows, and the values it shows), and the
last frame is always the one of the final value. A redraw of at most 40 ms therefore follows a
drag at 25 frames per second or more, and shows the final value at most two redraws after
the pointer stops.

A widget whose compute is too slow for that (notebook 02's exact SVDs) also defines
`preview`: a fast estimate drawn at once while a control moves; compute's exact state then
replaces it from a background thread as soon as the control rests. The figure is only touched
under a lock, a frame of older values is never published after a newer one, and `set()` (tests,
notebook code) always draws the exact state synchronously.
"""

from __future__ import annotations

import html
import json
import re
import struct
import threading
import time
import traceback
import zlib

import ipywidgets as W
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._validate import LessonError
from ..plots import STYLE

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

#: CSS pixels per inch of figure size: a 7-inch figure takes 700 pixels of the page.
CSS_DPI = 100
#: The PNG has this many pixels per CSS pixel: 2 is sharp on high-density screens and projectors.
DENSITY = 2

#: The series' style, with type sized for a projector: a back row reads 13-point labels on a 700-pixel figure.
WIDGET_STYLE = {
    **STYLE,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11,
    "lines.linewidth": 2.2,
}

#: Every FigureWidget class the package exports joins this list (benchmarks/widget_latency.py
#: measures each one, built with `cls.example()`).
REGISTRY: list = []


def encode_png(rgba, text: dict | None = None, level: int = 1) -> bytes:
    """PNG bytes of an (H, W, 4) uint8 RGBA picture, written as RGB (the figure is opaque).

    Rows are stored without a PNG filter and deflated at zlib level 1: on the series' figures
    (mostly flat colour) this is about as small as Pillow's PNG and twice as fast.
    `text` adds tEXt chunks (key -> str), e.g. the values a frame was drawn for.
    """
    rgba = np.asarray(rgba)
    h, w = rgba.shape[:2]
    raw = np.empty((h, 1 + 3 * w), np.uint8)  # (H, 1 + 3W): a filter byte, then RGB
    raw[:, 0] = 0
    rgb = raw[:, 1:].reshape(h, w, 3)
    for k in range(3):  # channel by channel: five times faster than one strided copy
        rgb[..., k] = rgba[..., k]

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    out = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))]
    for key, value in (text or {}).items():
        out.append(chunk(b"tEXt", key.encode("latin-1") + b"\0" + str(value).encode("latin-1", "replace")))
    out += [chunk(b"IDAT", zlib.compress(raw.data, level)), chunk(b"IEND", b"")]
    return b"".join(out)


def png_text(png: bytes) -> dict:
    """The tEXt chunks of PNG bytes, as {key: text} (what `encode_png` wrote; used by the tests)."""
    found, pos = {}, 8
    while pos + 8 <= len(png):
        length, tag = struct.unpack(">I4s", png[pos:pos + 8])
        if tag == b"tEXt":
            key, _, value = png[pos + 8:pos + 8 + length].partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        pos += 12 + length
    return found


def png_size(png: bytes) -> tuple:
    """(width, height) in pixels of PNG bytes."""
    return struct.unpack(">II", png[16:24])


def plain_text(markup: str) -> str:
    """The text of one line of HTML: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", markup))).strip()


class FigureWidget:
    """Controls, a one-line readout and a figure built once and updated whenever a control moves.

    A subclass provides:
      compute(**values) -> state   what to show, from the control values (pure);
      build(fig)                   create axes and artists once; keep handles on self; give the
                                   artists that change `animated=True`;
      update(state)                set data/text/colours of those artists to show `state`;
      describe(state) -> str       one line of HTML for the readout (its text is the alt text);
    and, only if compute is too slow for a live redraw (over about 20 ms):
      preview(**values) -> state   a fast estimate of compute's state, or None where compute is
                                   fast anyway (say, cached). While a learner moves a control the
                                   preview is drawn at once, and compute's exact state replaces it
                                   from a background thread as soon as the control rests.
    It calls `super().__init__(controls, width, height)` at the end of its own __init__, with
    `controls` a dict of core ipywidgets keyed by the names `compute` receives.

    Class attributes: `title` (a header line), `silent` (names of controls passed to compute
    whose change does not redraw: the subclass redraws with `refresh()`, e.g. from a Button).
    Widgets without a `value` (Button) may sit among the controls: they are shown, not
    passed to compute; `extras` are further widgets shown under the controls (a Play, say).
    """

    title = ""
    silent: tuple = ()
    #: How long the controls must rest before the exact state replaces a preview (seconds).
    settle_s = 0.05

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("lstm_lessons.widgets"):
            REGISTRY.append(cls)

    def __init__(self, controls: dict, width: float = 7.0, height: float = 3.5, *, extras=()):
        if not isinstance(controls, dict) or not controls:
            raise LessonError(f"controls should be a dict of ipywidgets keyed by the names compute() receives; "
                              f"got {type(controls).__name__} {controls!r}.")
        for name, control in controls.items():
            if not isinstance(control, W.Widget):
                raise LessonError(f"control {name!r} should be an ipywidgets widget (e.g. widgets.slider(...)); "
                                  f"got {type(control).__name__}.")
        self.controls = dict(controls)
        self.width, self.height = float(width), float(height)
        self.redraws = 0         # frames published (previews included)
        self.exact_redraws = 0   # frames of compute's exact state
        self.full_draws = 0      # redraws that drew the whole figure (the first, or after a static change)
        self.last_redraw_s = 0.0
        self.last_timings: dict = {}
        self.state = None
        self.exact = True        # whether `state` is compute's (False: a preview, refined soon)
        self.png = b""
        self.generation = 0      # grows with every frame; each frame carries it (PNG tEXt "lstm-frame")
        self._request = 0        # grows with every change of the values; a frame answers one request
        self._shown_request = 0  # the request of the frame on show (never goes back)
        self._lock = threading.RLock()  # one redraw at a time: the figure is not thread-safe
        self._wake = threading.Condition()
        self._exact_wanted = None  # (request, values, when) for the background thread
        self._worker = None
        self._holding = False
        self._pending = False
        self._drawing = False
        self._background = None
        self._animated: list = []

        # The picture: a PNG at DENSITY x the CSS size, shown at the CSS size.
        css_w, css_h = round(self.width * CSS_DPI), round(self.height * CSS_DPI)
        self.image = W.Image(format="png", width=str(css_w),
                             layout=W.Layout(max_width="100%", height="auto"))
        self.picture = W.Box([self.image], layout=W.Layout(min_height=f"{css_h}px"))
        self.picture.add_class("lstm-figure")
        self.readout = W.HTML(layout=W.Layout(min_height="1.5em"))
        self.readout.add_class("lstm-readout")
        for control in self.controls.values():
            control.add_class("lstm-control")
        self.extras = list(extras)
        for extra in self.extras:
            extra.add_class("lstm-extra")
        header = [W.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        self.ui = self.arrange(header, list(self.controls.values()) + self.extras, self.readout, self.picture)
        self.ui.add_class("lstm-widget")

        self.fig = Figure(figsize=(self.width, self.height), dpi=CSS_DPI * DENSITY, layout="constrained")
        FigureCanvasAgg(self.fig)
        with mpl.rc_context(WIDGET_STYLE):
            self.build(self.fig)
        self.refresh()
        for name, control in self.controls.items():
            if control.has_trait("value") and name not in self.silent:
                control.observe(self._on_change, names="value")

    # --- what subclasses provide
    def compute(self, **values):
        """Turn control values into what is drawn (pure: no widgets, no drawing)."""
        raise NotImplementedError(f"{type(self).__name__} should define compute(**values) -> state")

    def preview(self, **values):
        """A fast estimate of compute(**values) for live moves, or None to use compute (the default)."""
        return None

    def build(self, fig) -> None:
        """Create the axes and artists once (keep handles on self; `animated=True` on those that change)."""

    def update(self, state) -> None:
        """Show `state` by setting data, text and colours of the artists `build` made."""
        if type(self).draw is FigureWidget.draw:
            raise NotImplementedError(f"{type(self).__name__} should define build(fig) and update(state)")
        # A widget written for the first engine (draw(fig, state) into an empty figure): correct, slow.
        self.fig.clear()
        self.draw(self.fig, state)

    def draw(self, fig, state) -> None:
        """The first engine's whole-figure drawing; new widgets define build and update instead."""

    def describe(self, state) -> str:
        """One line of HTML for the readout; its plain text is the picture's alt text."""
        return ""

    def arrange(self, header: list, controls: list, readout, picture):
        """The widget's layout: header, controls, readout, picture, top to bottom (override to change)."""
        return W.VBox(header + controls + [readout, picture])

    @classmethod
    def example(cls):
        """An instance with default arguments, for benchmarks/widget_latency.py (override if it needs some)."""
        return cls()

    # --- the machinery
    @property
    def values(self) -> dict:
        """The values compute() receives: every control that has a value, by name."""
        return {name: c.value for name, c in self.controls.items() if c.has_trait("value")}

    @property
    def alt_text(self) -> str:
        return plain_text(self.readout.value) or f"{type(self).__name__} figure"

    def set(self, **values):
        """Move controls as a learner would, then redraw once; returns the new state.

        Synchronous and exact: when it returns, state, png, readout and redraws are current.
        """
        for name, value in values.items():
            if name not in self.controls or not self.controls[name].has_trait("value"):
                names = ", ".join(repr(n) for n in self.values)
                raise LessonError(f"this widget has no control {name!r}; its controls are {names}.")
        changed = False
        self._holding = True  # hold the observers: one redraw for all the changes
        try:
            for name, value in values.items():
                control = self.controls[name]
                before = control.value
                try:
                    control.value = value
                except Exception as err:  # noqa: BLE001 - traitlets' message, in the learner's terms
                    options = getattr(control, "options", None)
                    allowed = (f"one of {[o[1] if isinstance(o, tuple) else o for o in options]}"
                               if options is not None else f"a value its {type(control).__name__} accepts")
                    raise LessonError(f"control {name!r} should be set to {allowed}; got {value!r} ({err}).") from None
                changed |= control.value != before
        finally:
            self._holding = False
            self._pending = False
        if changed or any(n in self.silent for n in values):
            self.refresh()
        return self.state

    def refresh(self) -> None:
        """Recompute from the current control values and redraw, exactly and at once."""
        self._redraw(live=False)

    def wait_exact(self, timeout: float = 10.0) -> bool:
        """Wait until the frame on show is compute's exact state (after live moves); True if it is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.exact and self._exact_wanted is None:
                    return True
            time.sleep(0.005)
        return False

    def _on_change(self, change) -> None:
        if self._holding:
            self._pending = True
            return
        # A change the front end sent arrives while ipywidgets holds the control's property lock.
        live = bool(getattr(change.get("owner"), "_property_lock", None))
        self._redraw(live=live)

    def _redraw(self, live: bool) -> None:
        if self._drawing:  # a change made by compute or update itself: draw again once this frame is out
            self._pending = True
            return
        with self._lock:
            self._drawing = True
            try:
                while True:
                    self._pending = False
                    self._request += 1
                    request, values = self._request, self.values
                    start = time.perf_counter()
                    state = self._guarded(values, self.preview if live else None)
                    exact = state is None
                    if exact:
                        state = self._guarded(values, self.compute)
                    self._show(state, values, request, exact, start)
                    if not self._pending:
                        break
            finally:
                self._drawing = False
        if not exact:
            self._want_exact(request, values)

    def _guarded(self, values, fn):
        """fn(**values), or the error shown in the readout (the last good picture stays) and raised."""
        if fn is None:
            return None
        try:
            return fn(**values)
        except Exception as err:
            self._report(values, err)
            raise

    def _report(self, values, err) -> None:
        self.readout.value = (f"<span style='color:#D55E00'><b>Could not redraw</b> for "
                              f"{html.escape(', '.join(f'{k} = {v!r}' for k, v in values.items()))}: "
                              f"{html.escape(type(err).__name__)}: {html.escape(str(err))}</span>")

    def _show(self, state, values: dict, request: int, exact: bool, start: float) -> None:
        """Draw `state` and publish it (readout, then picture). Called with the lock held."""
        if request < self._shown_request:
            return  # never replace a frame by one of older values
        t_compute = time.perf_counter()
        try:
            with mpl.rc_context(WIDGET_STYLE):  # matplotlib reads some style at draw time (new ticks)
                self.update(state)
                t_update = time.perf_counter()
                rgba = self._render()
        except Exception as err:
            self._report(values, err)
            self._background = None  # the figure may be half-updated: draw it whole next time
            raise
        t_draw = time.perf_counter()
        self.generation += 1
        frame = json.dumps({"widget": type(self).__name__, "generation": self.generation, "exact": exact,
                            "values": values}, default=str, ensure_ascii=True)
        png = encode_png(rgba, {"lstm-frame": frame})
        t_encode = time.perf_counter()
        self.state, self.png, self.exact = state, png, exact
        self._shown_request = request
        readout = self.describe(state)
        if readout != self.readout.value:
            self.readout.value = readout  # the readout first, so it is on the page when the picture is
        self.image.value = png
        end = time.perf_counter()
        self.redraws += 1
        self.exact_redraws += exact
        self.last_redraw_s = end - start
        self.last_timings = {"compute": t_compute - start, "update": t_update - t_compute,
                             "draw": t_draw - t_update, "encode": t_encode - t_draw, "send": end - t_encode}

    # --- the background thread that replaces a preview by the exact state
    def _want_exact(self, request: int, values: dict) -> None:
        with self._wake:
            self._exact_wanted = (request, values, time.monotonic())
            self._wake.notify()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name=f"{type(self).__name__}-exact", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        while True:
            with self._wake:
                while self._exact_wanted is None:
                    self._wake.wait()
                request, values, when = self._exact_wanted
                rest = when + self.settle_s - time.monotonic()
                if rest > 0:  # the controls are still moving: wait until they rest
                    self._wake.wait(rest)
                    continue
            start = time.perf_counter()
            try:
                state = None if request != self._request else self.compute(**values)  # pure: no lock needed
                with self._lock:
                    if state is not None and request == self._request:
                        self._show(state, values, request, True, start)
            except Exception as err:  # noqa: BLE001 - say it in the widget and in the kernel's log
                with self._lock:
                    self._report(values, err)
                traceback.print_exc()
            with self._wake:
                if self._exact_wanted is not None and self._exact_wanted[0] == request:
                    self._exact_wanted = None

    # --- drawing
    def _render(self) -> np.ndarray:
        """Draw the figure into the Agg buffer: only the animated artists, unless something else changed."""
        canvas = self.fig.canvas
        if self._background is None or self.fig.stale:
            if self.full_draws == 0 and not any(ax.get_subplotspec() is not None for ax in self.fig.axes):
                self.fig.set_layout_engine("none")  # axes placed by hand (fig.add_axes): nothing to lay out
            canvas.draw()  # every non-animated artist (and, the first time, the layout)
            if self.fig.get_layout_engine() is not None and self.full_draws == 0:
                # Freeze the layout the first draw computed: no layout work in later redraws.
                self.fig.set_layout_engine("none")
            self.fig.stale = False
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._animated = self._animated_artists()
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self._animated:
            if artist.get_visible():
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())

    def _animated_artists(self) -> list:
        """The animated artists in matplotlib's drawing order (by axes, then zorder)."""
        order = {id(ax): i for i, ax in enumerate(self.fig.axes)}
        found = self.fig.findobj(lambda a: a.get_animated() and a is not self.fig)

        def key(artist):
            ax = getattr(artist, "axes", None)
            if ax is None:  # a figure-level artist: drawn after the axes
                return (1, 0, artist.get_zorder())
            return (0, order.get(id(ax), 0), artist.get_zorder())

        return sorted(found, key=key)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The live widget where a widget manager runs; the PNG of the current drawing elsewhere
        # (GitHub, nbviewer, slides), shown at the layout size and described by the readout.
        data = {
            "text/plain": f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values.items())})",
            "image/png": _b64(self.png),
            WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": self.ui.model_id},
        }
        metadata = {"image/png": {"width": round(self.width * CSS_DPI), "height": round(self.height * CSS_DPI),
                                  "alt": self.alt_text}}
        return data, metadata


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")
