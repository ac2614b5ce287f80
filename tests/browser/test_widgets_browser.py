"""Every widget of every widget notebook, as a learner meets it: in JupyterLab 4 and Notebook 7.

For each notebook that has widgets (saved widget views, or code using lstm_lessons.widgets):
open it on a temporary copy, run all cells, wait for the kernel to be idle, then for each
widget on the page (found by its `.lstm-figure`) and each of its controls (`.lstm-control`):

- check it rendered: controls, a readout, a decoded image;
- move it as a learner does: sliders by keyboard (ArrowRight, or PageUp in Notebook 7; then End
  or Home) and by a mouse drag of the handle; dropdowns and selects by choosing another option;
  checkboxes, toggle buttons and radio buttons by a click;
- after each move check that a new image arrived within REDRAW_TIMEOUT_S and differs from the
  old one, that the control shows the value the move should give, that the kernel drew exactly
  one exact frame for it (a drag: at least one; a widget with a preview may send one preview
  before it), that the page ends on the kernel's latest frame, exact, and, for the widget's main
  control (its first), that the readout changed and shows the new value;
- in JupyterLab, drag the first slider of each widget across its track in many small steps over
  about two seconds: several new images must arrive during the drag (the drawing follows it), the
  final value must be on show within FINAL_WITHIN_MS of the release, and no older frame may come
  after it (watched for STALE_WATCH_S); the image must carry twice the pixels of its layout size.

It fails on error outputs and on tracebacks or warnings written to stderr (in cells, inside
widgets, and on the kernel's IOPub channel, where an exception in a widget callback goes), on
widgets that cannot be displayed, on errors in the browser console (except the documented
lstm_browser.KNOWN_HARMLESS) and on tracebacks the kernel printed to the server log.
Screenshots of each widget before and after each move go to artifacts/screenshots/, the times
from move to new image to artifacts/browser_timings.json (summed up at the end of the run and
by `python benchmarks/widget_latency.py --browser`).
"""

from __future__ import annotations

import dataclasses
import re
import time
import typing
import uuid
import warnings

import pytest

import lstm_browser as lb

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the chromium fixture skips (or fails on CI) with a message saying so
    PlaywrightTimeout = Exception

pytestmark = pytest.mark.browser

OPEN_TIMEOUT_S = 120      # page load, kernel start
RUN_ALL_TIMEOUT_S = 300   # a notebook runs in < 60 s on 2 cores (CONTRIBUTING.md); margin for a busy machine
REDRAW_TIMEOUT_S = 30     # from a move to the new image
READOUT_TIMEOUT_S = 5     # the readout is sent before the image, so it is there when the image is
SETTLE_TIMEOUT_S = 15     # from the first new image to the exact frame (a widget with a preview)
FINAL_WITHIN_MS = 300     # a long drag: from the release to the final value on show
STALE_WATCH_S = 1.5       # a long drag: how long after the release no older frame may appear
DRAG_S = 1.8              # a long drag: how long the pointer moves


class WidgetFailure(Exception):
    """One control of one widget did not do what it should; the test goes on with the next."""


@dataclasses.dataclass
class Move:
    """A learner's move of a control, and what the control should show after it."""

    name: str
    do: typing.Callable
    expect: typing.Callable  # (state before, state after) -> bool
    expected: str            # the same in words
    optional: typing.Union[bool, str] = False  # a known upstream bug: warn instead of failing


# --- reading the page

def readout_text(root) -> str:
    return root.locator(".lstm-readout").first.inner_text().strip()


def image_src(root) -> str:
    img = root.locator(".lstm-figure img")
    return img.first.get_attribute("src") if img.count() else ""


def control_kind(control) -> str:
    classes = control.get_attribute("class") or ""
    for css, kind in (("widget-slider", "slider"), ("widget-dropdown", "select"), ("widget-select", "select"),
                      ("widget-checkbox", "checkbox"), ("widget-toggle-buttons", "togglebuttons"),
                      ("widget-radio", "radio"), ("widget-text", "text"), ("widget-textarea", "text")):
        if css in classes.split():
            return kind
    return f"unknown ({classes})"


def control_label(control, index: int) -> str:
    label = control.locator(".widget-label").first
    text = label.inner_text().strip() if label.count() else ""
    return text or f"control {index + 1}"


def slider_state(control) -> dict:
    """The value the learner sees (the slider's own readout) and the numbers of the handle."""
    handle = control.locator(".noUi-handle, .ui-slider-handle").first
    shown = control.locator(".widget-readout").first
    state = {"shown": shown.inner_text().strip() if shown.count() else ""}
    for key in ("valuenow", "valuemin", "valuemax"):
        state[key] = _number(handle.get_attribute(f"aria-{key}"))
    # noUiSlider (ipywidgets 8) writes aria-valuemin/max with one decimal (0.95 -> "0.9"): take its range.
    bounds = control.evaluate("el => { const s = el.querySelector('.noUi-target');"
                              " return s && s.noUiSlider ? s.noUiSlider.options.range : null; }")
    if bounds:
        lo, hi = bounds.get("min"), bounds.get("max")
        state["valuemin"] = float(lo[0] if isinstance(lo, list) else lo)
        state["valuemax"] = float(hi[0] if isinstance(hi, list) else hi)
    # ipywidgets 8 leaves aria-valuenow at the first value; the readout is what the learner sees.
    if _number(state["shown"]) is not None:
        state["valuenow"] = _number(state["shown"])
    return state


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def readout_shows(readout: str, shown: str, value) -> bool:
    """The readout shows the control's value: as the control displays it, or as a number equal to it."""
    if shown and shown.lower() in readout.lower():
        return True
    if value is None:
        return False
    for token in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", readout):
        number = float(token)
        if abs(number - value) <= 1e-9 + 5e-3 * max(1.0, abs(value)):
            return True
    return False


# --- moving controls: each yields Moves, decided one at a time (a move depends on where the last left it)

def slider_moves(page, control, frontend):
    """Keyboard (one step, or a page in Notebook 7; then End or Home) and a drag of the handle.

    Notebook 7 (7.6) takes ArrowLeft/ArrowRight for its heading shortcuts even when a widget's
    slider has the focus (jupyter/notebook#7716, open), so the learner's arrow keys do nothing
    there: Notebook 7 gets PageUp/PageDown instead, and a last arrow-key move that only warns.
    """
    handle = control.locator(".noUi-handle, .ui-slider-handle").first
    track = control.locator(".noUi-base, .ui-slider").first

    def key(name):
        def move():
            handle.focus()
            page.keyboard.press(name)
        return move

    def drag():
        st = slider_state(control)
        lo, hi, now = st["valuemin"], st["valuemax"], st["valuenow"]
        frac = (now - lo) / (hi - lo) if None not in (lo, hi, now) and hi > lo else 0.0
        target = 0.3 if frac > 0.5 else 0.7
        handle.scroll_into_view_if_needed()
        hb, tb = handle.bounding_box(), track.bounding_box()
        x0, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(tb["x"] + target * tb["width"], y, steps=12)
        page.mouse.up()

    def at_max(st):
        return None not in (st["valuemax"], st["valuenow"]) and st["valuenow"] >= st["valuemax"]

    def step_move(up_key, down_key, optional=False):
        down = at_max(slider_state(control))
        sign = -1 if down else 1

        def stepped(before, after):
            if None in (before["valuenow"], after["valuenow"]):
                return after["shown"] != before["shown"]
            return sign * (after["valuenow"] - before["valuenow"]) > 0

        name = down_key if down else up_key
        return Move(f"keyboard {name}", key(name), stepped, "a value " + ("lower" if down else "higher"), optional)

    yield step_move("PageUp", "PageDown") if frontend == "notebook7" else step_move("ArrowRight", "ArrowLeft")
    end = "Home" if at_max(slider_state(control)) else "End"

    def at_end(before, after):
        target = after["valuemin"] if end == "Home" else after["valuemax"]
        if None in (target, after["valuenow"], after["valuemin"], after["valuemax"]):
            return after["shown"] != before["shown"]
        return abs(after["valuenow"] - target) <= 0.01 * (after["valuemax"] - after["valuemin"])

    yield Move(f"keyboard {end}", key(end), at_end, f"its {'minimum' if end == 'Home' else 'maximum'}")
    yield Move("mouse drag", drag, lambda before, after: after["shown"] != before["shown"], "a new value")
    if frontend == "notebook7":
        yield step_move("ArrowRight", "ArrowLeft", optional="jupyter/notebook#7716: Notebook 7 takes the arrow "
                        "keys from a focused slider for its heading shortcuts")


def select_moves(page, control):
    select = control.locator("select").first
    labels = [t.strip() for t in select.locator("option").all_inner_texts()]
    current = select.evaluate("s => s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : ''").strip()
    others = [label for label in labels if label != current]
    if not others:
        raise WidgetFailure(f"the select has a single option ({labels}), so it cannot be moved")
    target = others[0]
    yield Move(f"select {target.replace(chr(0xa0), ' ')!r}", lambda: select.select_option(label=target),
               lambda before, after: after["shown"] == target, repr(target))


def click_moves(page, control, kind):
    if kind == "checkbox":
        box = control.locator("input[type=checkbox]").first
        yield Move("click the checkbox", box.click, lambda before, after: after["shown"] != before["shown"], "toggled")
    elif kind == "togglebuttons":
        button = control.locator("button:not(.mod-active)").first
        text = button.inner_text().strip()
        yield Move(f"click {text!r}", button.click, lambda before, after: after["shown"] == text, repr(text))
    else:
        radio = control.locator("input[type=radio]:not(:checked)").first
        text = radio.evaluate("r => (r.parentElement.textContent || '').trim()")
        yield Move(f"click {text!r}", radio.click, lambda before, after: after["shown"] == text, repr(text))


def text_moves(page, control):
    """Type at the end of a text box (a learner adding a character), then take it away again."""
    box = control.locator("input, textarea").first

    def type_char(char):
        def move():
            box.click()
            page.keyboard.press("End")
            page.keyboard.type(char)
        return move

    def erase():
        box.click()
        page.keyboard.press("End")
        page.keyboard.press("Backspace")

    yield Move("type a character", type_char("("), lambda before, after: after["shown"] == before["shown"] + "(",
               "the text with '(' added")
    yield Move("delete it", erase, lambda before, after: after["shown"] == before["shown"][:-1], "the text as before")


def control_state(control, kind) -> dict:
    if kind == "slider":
        return slider_state(control)
    if kind == "text":
        return {"shown": control.locator("input, textarea").first.input_value(), "valuenow": None}
    if kind == "select":
        shown = control.locator("select").first.evaluate(
            "s => s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : ''").strip()
        return {"shown": shown, "valuenow": None}
    if kind == "checkbox":
        return {"shown": str(control.locator("input[type=checkbox]").first.is_checked()), "valuenow": None}
    if kind == "togglebuttons":
        active = control.locator("button.mod-active")
        return {"shown": active.first.inner_text().strip() if active.count() else "", "valuenow": None}
    checked = control.locator("input[type=radio]:checked")
    shown = checked.first.evaluate("r => (r.parentElement.textContent || '').trim()") if checked.count() else ""
    return {"shown": shown, "valuenow": None}


def moves_for(page, control, kind, frontend):
    if kind == "slider":
        return slider_moves(page, control, frontend)
    if kind == "select":
        return select_moves(page, control)
    if kind in ("checkbox", "togglebuttons", "radio"):
        return click_moves(page, control, kind)
    if kind == "text":
        return text_moves(page, control)
    raise WidgetFailure(f"the browser test does not know how to move a control of kind {kind}; "
                        "teach tests/browser/test_widgets_browser.py (moves_for) to move it")


# --- the test

def kernel_widgets(page, name) -> dict:
    """{id: (frames, last frame in s, exact frames, on show is exact, generation)} of every FigureWidget in the kernel."""
    rows = page.evaluate(lb.JS_KERNEL_WIDGETS, [name, lb.KERNEL_EXPR]) or []
    return {row[0]: tuple(row[1:]) for row in rows}


def shown_frame(page, root):
    """The frame on show in a widget: what its PNG says it was drawn for (None if unknown)."""
    return page.evaluate(lb.JS_FRAME_OF, image_src(root))


def settle(page, name, root, timeout_s: float = SETTLE_TIMEOUT_S):
    """Wait until every widget in the kernel shows an exact frame and the page shows it too; returns the frame."""
    deadline = time.monotonic() + timeout_s
    frame = None
    while time.monotonic() < deadline:
        kernel = kernel_widgets(page, name)
        frame = shown_frame(page, root)
        if frame and frame["exact"] and all(v[3] for v in kernel.values()) and \
                any(v[4] == frame["generation"] for v in kernel.values()):
            return frame
        time.sleep(0.1)
    return frame


def make_move(page, jupyter, name, root, control, kind, move: Move, main: bool, what: str, log_start: int) -> dict:
    """Do one move and check what the learner sees; returns the timings, raises WidgetFailure."""
    before = control_state(control, kind)
    readout_before, src_before = readout_text(root), image_src(root)
    kernel_before = kernel_widgets(page, name)
    root.evaluate(lb.JS_ARM)
    try:
        move.do()
        timeout = (3 if move.optional else REDRAW_TIMEOUT_S) * 1000
        try:
            page.wait_for_function(lb.JS_MOVE_DONE, timeout=timeout, polling="raf")
        except PlaywrightTimeout:
            pass  # the state says what happened
        state = page.evaluate(lb.JS_MOVE_STATE)
        if state["t1"] is None:
            after = control_state(control, kind)
            waited = "" if page.evaluate(lb.JS_MOVE_DONE) else f" within {timeout / 1000:.0f} s"
            raise WidgetFailure(
                f"{what}: the figure did not redraw{waited}. The control went "
                f"{before['shown']!r} -> {after['shown']!r}; the readout "
                + ("did not change" if readout_text(root) == readout_before else "changed")
                + f" ({readout_text(root)!r}).{_kernel_errors(page, jupyter, log_start)}")
    finally:
        page.evaluate(lb.JS_DISARM)
    kernel_first = kernel_widgets(page, name)
    after = control_state(control, kind)
    if not move.expect(before, after):
        raise WidgetFailure(f"{what}: the control should show {move.expected} but went "
                            f"{before['shown']!r} -> {after['shown']!r}")
    if state["src"] == src_before:
        raise WidgetFailure(f"{what}: the figure redrew but the new image is the same as the old one, "
                            f"though the control went {before['shown']!r} -> {after['shown']!r}")
    frame = settle(page, name, root)
    if not frame or not frame["exact"]:
        raise WidgetFailure(f"{what}: the page did not end on the kernel's exact frame within {SETTLE_TIMEOUT_S} s "
                            f"(on show: {frame})")
    readout = readout_text(root)
    if main:
        # The readout is sent before the image, so it should be there already; allow a moment.
        handle = root.locator(".lstm-readout").first.element_handle()
        try:
            page.wait_for_function("([el, old]) => el.innerText.trim() !== old", arg=[handle, readout_before],
                                   timeout=READOUT_TIMEOUT_S * 1000)
        except PlaywrightTimeout:
            raise WidgetFailure(f"{what}: the figure redrew but the readout did not change: {readout_before!r}") from None
        readout = readout_text(root)
        if kind != "text" and not readout_shows(readout, after["shown"], after["valuenow"]):
            raise WidgetFailure(f"{what}: the readout {readout!r} does not show the new value {after['shown']!r}")
    kernel_after = kernel_widgets(page, name)
    changed = {k: v for k, v in kernel_after.items() if v[0] != kernel_before.get(k, (0,) * 5)[0]}
    exact = sum(v[2] - kernel_before.get(k, (0,) * 5)[2] for k, v in changed.items())
    frames = sum(v[0] - kernel_before.get(k, (0,) * 5)[0] for k, v in changed.items())
    drag = move.name == "mouse drag"
    if exact < 1 or (not drag and (exact > 1 or frames - exact > 1)):
        raise WidgetFailure(f"{what}: the kernel sent {frames} frames ({exact} exact) for this one move "
                            "(expected one exact frame, after at most one preview)")
    first = {k: v for k, v in kernel_first.items() if v[0] != kernel_before.get(k, (0,) * 5)[0]}
    kernel_ms = 1000 * next(iter(first.values()))[1] if len(first) == 1 else None
    return {"browser_ms": round(state["t2"] - state["t0"], 1) if state["t2"] is not None else None,
            "browser_src_ms": round(state["t1"] - state["t0"], 1),
            "kernel_redraw_ms": None if kernel_ms is None else round(kernel_ms, 1), "kernel_redraws": frames,
            "kernel_exact_redraws": exact, "value": after["shown"], "readout": readout}


def long_drag(page, name, root, control, what: str) -> dict:
    """Drag a slider's handle across its track in small steps for DRAG_S; check continuity and the final frame."""
    handle = control.locator(".noUi-handle, .ui-slider-handle").first
    track = control.locator(".noUi-base, .ui-slider").first
    handle.scroll_into_view_if_needed()
    settle(page, name, root)
    st = slider_state(control)
    hb, tb = handle.bounding_box(), track.bounding_box()
    frac = ((st["valuenow"] - st["valuemin"]) / (st["valuemax"] - st["valuemin"])
            if None not in (st["valuenow"], st["valuemin"], st["valuemax"]) else 0.5)
    start_x, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    end_x = tb["x"] + (0.1 if frac > 0.5 else 0.9) * tb["width"]
    steps = 45
    root.evaluate(lb.JS_RECORD)
    page.mouse.move(start_x, y)
    page.mouse.down()
    began = time.monotonic()
    for i in range(1, steps + 1):
        page.mouse.move(start_x + (end_x - start_x) * i / steps, y)
        time.sleep(max(0.0, began + DRAG_S * i / steps - time.monotonic()))
    page.mouse.up()
    time.sleep(STALE_WATCH_S)
    rec = page.evaluate(lb.JS_RECORDED)
    final_shown = slider_state(control)
    frame = settle(page, name, root)
    frames = [f for f in rec["frames"] if f["frame"]]
    if not frames or rec["up"] is None:
        raise WidgetFailure(f"{what}: no frame was recorded during the drag ({len(rec['frames'])} image changes)")
    during = [f for f in frames if f["t"] <= rec["up"]]
    # the control's key: the value that moved between the first and the last frame
    first, last = frames[0]["frame"]["values"], frames[-1]["frame"]["values"]
    keys = [k for k in last if first.get(k) != last[k]] or list(last)
    key = keys[0]
    final = last[key]
    problems = []
    if len({f["frame"]["values"][key] for f in during}) < 3:
        problems.append(f"only {len(during)} frames ({len({f['frame']['values'][key] for f in during})} values) "
                        "arrived during the drag: the drawing does not follow it")
    if final_shown["valuenow"] is None or abs(final_shown["valuenow"] - final) > 5e-3 * max(1.0, abs(final)):
        problems.append(f"the last frame shows {key} = {final!r} but the slider shows {final_shown['shown']!r}")
    on_show = [f for f in frames if f["frame"]["values"][key] == final]
    first_final = min((f["t"] for f in on_show), default=None)
    final_ms = None if first_final is None else max(0.0, first_final - rec["up"])
    if final_ms is None or final_ms > FINAL_WITHIN_MS:
        problems.append(f"the final value was on show {final_ms} ms after the release (at most {FINAL_WITHIN_MS})")
    after = [f for f in frames if first_final is not None and f["t"] >= first_final]
    stale = [f for f in after if f["frame"]["values"][key] != final]
    gens = [f["frame"]["generation"] for f in frames]
    if stale or gens != sorted(gens):
        problems.append(f"an older frame came after the final one: {[f['frame']['values'][key] for f in stale]} "
                        f"(generations in order of arrival: {gens})")
    readouts_after = [r for r in rec["readouts"] if first_final is not None and r["t"] > first_final + 50]
    if not readout_shows(readout_text(root), final_shown["shown"], final_shown["valuenow"]):
        problems.append(f"the readout {readout_text(root)!r} does not show the final value {final_shown['shown']!r}")
    if not frame or not frame["exact"] or frame["values"][key] != final:
        problems.append(f"the page did not end on the exact frame of the final value (on show: {frame})")
    if problems:
        raise WidgetFailure(f"{what}: " + "; ".join(problems))
    return {"browser_ms": None, "drag_s": round((rec["up"] - rec["down"]) / 1000, 2) if rec["down"] else None,
            "frames_during_drag": len(during), "values_during_drag": len({f["frame"]["values"][key] for f in during}),
            "final_on_show_ms": round(final_ms, 1), "frames_after_release": len(after),
            "exact_final_after_ms": round(max(f["t"] for f in frames) - rec["up"], 1),
            "readouts_after_final": len(readouts_after), "value": final_shown["shown"], "readout": readout_text(root)}


def test_widgets_in_the_browser(case, jupyter, page, browser_timings):
    name, frontend = case
    if name is None:
        pytest.skip("no notebook in notebooks/ has widgets (saved widget views or code using lstm_lessons.widgets)")
    stem = name.rsplit(".", 1)[0]
    where = f"{name} in {'JupyterLab' if frontend == 'lab' else 'Notebook 7'}"
    log_start = len(jupyter.log_text())
    failures = []

    # Open, wait for the kernel, run all cells, wait for the kernel to be idle.
    url = lb.FRONTEND_URL[frontend].format(ws="t" + uuid.uuid4().hex[:8], name=name)
    page.goto(jupyter.url(url))
    page.wait_for_function(lb.JS_KERNEL_READY, arg=name, timeout=OPEN_TIMEOUT_S * 1000)
    page.lstm_phase = "run"
    page.evaluate(lb.JS_WATCH_IOPUB, name)
    page.evaluate(lb.JS_KEEP_BLOBS)
    started = time.perf_counter()
    page.evaluate(lb.JS_RUN_ALL, name)
    page.wait_for_function(lb.JS_IDLE, arg=name, timeout=RUN_ALL_TIMEOUT_S * 1000, polling=250)
    run_all_s = time.perf_counter() - started
    problems = page.evaluate(lb.JS_PROBLEMS, name)
    assert not problems, f"{where}: after Run All:\n" + "\n".join(problems)
    counts = page.evaluate(lb.JS_EXECUTION_COUNTS, name)
    assert all(c is not None for c in counts), f"{where}: Run All left cells unrun (execution counts {counts})"

    # Every widget has rendered, with a decoded image.
    page.wait_for_function(
        """() => { const figs = document.querySelectorAll('.lstm-figure');
                   return figs.length > 0 && Array.from(figs).every(f => { const i = f.querySelector('img');
                     return i && i.complete && i.naturalWidth > 0; }); }""", timeout=REDRAW_TIMEOUT_S * 1000)
    figures = page.locator(".lstm-figure")
    n_widgets = figures.count()
    assert n_widgets > 0, f"{where}: the notebook uses widgets but none rendered (no .lstm-figure on the page)"

    names = page.evaluate(lb.JS_WIDGET_NAMES, name)
    for w in range(n_widgets):
        root = figures.nth(w).locator("xpath=ancestor::*[contains(concat(' ', normalize-space(@class), ' '), "
                                      "' lstm-widget ')][1]")
        title = names[w] if w < len(names) and names[w] else f"widget {w + 1}"
        root.scroll_into_view_if_needed()
        controls = root.locator(".lstm-control")
        if controls.count() == 0 or root.locator(".lstm-readout").count() != 1:
            failures.append(f"{where}, {title}: rendered without its controls (.lstm-control) or readout (.lstm-readout)")
            continue
        shot = lb.SCREENSHOTS / f"{frontend}-{stem}-w{w + 1}-{lb.slug(title.split(' (')[0])}"
        root.screenshot(path=f"{shot}-0-before.png")
        density = root.evaluate(lb.JS_DENSITY)
        if density is None or density < 1.9:
            failures.append(f"{where}, {title}: the image has {density} pixels per CSS pixel; it should have 2 "
                            "(crisp on projectors and high-density screens)")
        n_shot = 0
        for c in range(controls.count()):
            control = controls.nth(c)
            kind = control_kind(control)
            label = control_label(control, c)
            try:
                for move in moves_for(page, control, kind, frontend):
                    what = f"{where}, {title}, control {label!r} ({kind}), {move.name}"
                    try:
                        timing = make_move(page, jupyter, name, root, control, kind, move, c == 0, what, log_start)
                    except WidgetFailure as failure:
                        if not move.optional:
                            raise
                        warnings.warn(f"known upstream bug, not failing: {failure} ({move.optional})")
                        continue
                    n_shot += 1
                    root.screenshot(path=f"{shot}-{n_shot}-after-{lb.slug(label)}-{lb.slug(move.name)}.png")
                    browser_timings.append({"frontend": frontend, "notebook": name, "widget": title,
                                            "control": label, "move": move.name, **timing})
            except WidgetFailure as failure:
                failures.append(str(failure))
                root.screenshot(path=f"{shot}-failed-{lb.slug(label)}.png")
        sliders = [c for c in range(controls.count()) if control_kind(controls.nth(c)) == "slider"]
        if frontend == "lab" and sliders:
            control = controls.nth(sliders[0])
            label = control_label(control, sliders[0])
            what = f"{where}, {title}, control {label!r}, long drag"
            try:
                timing = long_drag(page, name, root, control, what)
                root.screenshot(path=f"{shot}-{n_shot + 1}-after-long-drag-{lb.slug(label)}.png")
                browser_timings.append({"frontend": frontend, "notebook": name, "widget": title, "control": label,
                                        "move": "long drag", **timing})
            except WidgetFailure as failure:
                failures.append(str(failure))
                root.screenshot(path=f"{shot}-failed-long-drag-{lb.slug(label)}.png")

    problems = page.evaluate(lb.JS_PROBLEMS, name)
    errors = [f"{kind} while {'opening the notebook' if phase == 'load' else 'running it'}: {text}"
              for kind, phase, text in page.lstm_console_errors
              if not lb.is_known_harmless(frontend, kind, phase, text)]
    tracebacks = lb.kernel_tracebacks(jupyter.log_text()[log_start:])
    iopub = page.evaluate(lb.JS_IOPUB_ERRORS)
    report = failures + [f"{where}: after the moves: {p}" for p in problems]
    report += [f"{where}: browser console error: {e}" for e in errors]
    report += [f"{where}: the kernel printed a traceback:\n{t}" for t in tracebacks]
    report += [f"{where}: the kernel reported an error:\n{e}" for e in iopub if not any(e in r for r in report)]
    assert not report, "\n".join(report) + f"\n(Run All took {run_all_s:.1f} s; screenshots in {lb.SCREENSHOTS})"


def _kernel_errors(page, jupyter, log_start) -> str:
    errors = page.evaluate(lb.JS_IOPUB_ERRORS) + lb.kernel_tracebacks(jupyter.log_text()[log_start:])
    return ("\nThe kernel reported:\n" + "\n".join(errors)) if errors else " The kernel reported no error."
