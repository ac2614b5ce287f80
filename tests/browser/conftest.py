"""Fixtures of the browser tests: Debian's Chromium through playwright, and a JupyterLab server.

Run them with `make test` (a separate pytest run after the unit tests and nbval) or alone:

    .venv/bin/python -m pytest tests/browser

Where no Chromium (or no playwright) can be had the tests are skipped, saying how to get one;
with the environment variable CI set, as on CI, they fail instead.
Environment: LSTM_CHROMIUM=/path/to/chrome picks the browser; LSTM_BROWSER_NOTEBOOK7=all runs
every widget notebook in Notebook 7 too (by default only the first; all run in JupyterLab).
"""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import lstm_browser as lb  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab 4 / Notebook 7 in Chromium (tests/browser)")
    config._lstm_browser_timings = []


def cases():
    """(notebook, frontend): every widget notebook in JupyterLab, the first (or all) in Notebook 7."""
    notebooks = lb.widget_notebooks()
    out = [pytest.param((nb.name, "lab"), id=f"lab-{nb.stem}") for nb in notebooks]
    nb7 = notebooks if os.environ.get("LSTM_BROWSER_NOTEBOOK7") == "all" else notebooks[:1]
    out += [pytest.param((nb.name, "notebook7"), id=f"notebook7-{nb.stem}") for nb in nb7]
    return out


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", cases() or [pytest.param((None, None), id="no-widget-notebooks")])


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and the browser test cannot run: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (Debian's, found on PATH) driven by playwright."""
    executable = lb.find_chromium()
    if executable is None:
        _unavailable(lb.HOW_TO_GET_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: run `make setup` (it installs the `browser` extra).")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=lb.CHROMIUM_ARGS)
    except Exception as err:  # noqa: BLE001 - say which browser failed, then fail or skip
        pw.stop()
        _unavailable(f"{executable} did not start under playwright: {err}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def jupyter(chromium):
    """JupyterLab 4 (and Notebook 7) on 127.0.0.1 with a token, on a temporary copy of the widget notebooks."""
    lb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in lb.SCREENSHOTS.glob("*.png"):
        old.unlink()
    server = lb.JupyterServer(lb.widget_notebooks()).start()
    yield server
    server.stop()


@pytest.fixture
def page(chromium, jupyter):
    """A fresh browser context and page; console errors and uncaught page errors are collected on it."""
    context = chromium.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.lstm_console_errors = []  # (kind, phase, text)
    pg.lstm_phase = "load"       # the test sets "run" once the page has opened
    pg.lstm_offline = []         # addresses outside the test's server, answered blank

    def offline(route):
        pg.lstm_offline.append(route.request.url)
        if route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=lb.BLANK_SVG)
        else:
            route.fulfill(status=200, content_type="text/plain", body="")

    context.route(lambda url: url.startswith(("http://", "https://")) and not url.startswith(jupyter.base + "/"),
                  offline)

    def on_console(msg):
        if msg.type == "error":
            text = msg.text
            if text.startswith("Failed to load resource") and msg.location.get("url"):
                text += f" ({msg.location['url']})"
            pg.lstm_console_errors.append(("console", pg.lstm_phase, text))

    def on_pageerror(err):
        pg.lstm_console_errors.append(("pageerror", pg.lstm_phase, getattr(err, "message", None) or str(err)))

    pg.on("console", on_console)
    pg.on("pageerror", on_pageerror)
    yield pg
    context.close()
    jupyter.shutdown_kernels()  # the next notebook gets both cores


@pytest.fixture
def browser_timings(request):
    return request.config._lstm_browser_timings


def pytest_sessionfinish(session, exitstatus):
    rows = getattr(session.config, "_lstm_browser_timings", [])
    if rows:
        lb.ARTIFACTS.mkdir(exist_ok=True)
        lb.TIMINGS.write_text(json.dumps(rows, indent=1))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = getattr(config, "_lstm_browser_timings", [])
    if not rows:
        return
    tr = terminalreporter
    tr.section("widget timings in the browser (move -> new image)")
    tr.write_line(f"{'frontend':10} {'notebook':22} {'widget / control':34} {'move':22} {'browser ms':>10} {'kernel ms':>9}")
    for r in rows:
        kernel = f"{r['kernel_redraw_ms']:.0f}" if r.get("kernel_redraw_ms") is not None else "-"
        if r["move"] == "long drag":
            tr.write_line(f"{r['frontend']:10} {r['notebook'][:22]:22} {(r['widget'] + ' / ' + r['control'])[:34]:34} "
                          f"long drag {r['drag_s']} s: {r['frames_during_drag']} frames during it "
                          f"({r['values_during_drag']} values), final value on show {r['final_on_show_ms']:.0f} ms "
                          f"after release, last frame at {r['exact_final_after_ms']:.0f} ms, none older after it")
            continue
        tr.write_line(f"{r['frontend']:10} {r['notebook'][:22]:22} {(r['widget'] + ' / ' + r['control'])[:34]:34} "
                      f"{r['move'][:22]:22} {r['browser_ms']:10.0f} {kernel:>9}")
    for frontend in sorted({r["frontend"] for r in rows}):
        ms = sorted(r["browser_ms"] for r in rows if r["frontend"] == frontend and r.get("browser_ms") is not None)
        if ms:
            tr.write_line(f"{frontend}: median move -> new image {ms[len(ms) // 2]:.0f} ms over {len(ms)} moves "
                          f"(target <= 150 ms in JupyterLab)")
    tr.write_line(f"(also in {lb.TIMINGS.relative_to(lb.ROOT)}; screenshots in {lb.SCREENSHOTS.relative_to(lb.ROOT)}/)")
