"""A lecture deck, opened as a teacher opens it in a room with no network: from the file system, in Chromium.

tools/slides.py builds one notebook's deck (notebook 01 by default; LSTM_SLIDES_NOTEBOOK=NN
picks another) into a temporary folder with its vendor/ copy of reveal.js and MathJax. The page
is opened by file:// with every other address cut (any http(s) request is aborted and recorded:
none may be attempted), and then:

- reveal.js itself counts the slides (Reveal.getTotalSlides()), which must be the plan's count,
  and at least MIN_SLIDES: the deck is slides, not one long page;
- on the first slide with TeX, MathJax has rendered it: MathJax elements, no MathJax error,
  no raw TeX ($$, \\frac) left in the text;
- a figure's image is decoded;
- every slide is shown once, and each fits: zoomed out no further than MIN_ZOOM, never scrolling;
- the speaker notes are in the deck;
- the console holds no error but MathJax 2's own font probe (KNOWN_HARMLESS below).

Screenshots of the math slide and the figure slide go to artifacts/screenshots/slides/NN-*.png.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import time

import pytest

import lstm_browser as lb

sys.path.insert(0, str(lb.ROOT / "tools"))
import slides  # noqa: E402

pytestmark = pytest.mark.browser

MIN_SLIDES = 10
READY_TIMEOUT_MS = 60_000
# MathJax 2 probes whether a web font has loaded with a font face "MathJax_Blank" whose source is
# about:blank; Chromium refuses that address to a file:// page and says so twice. Its real fonts
# (STIX-Web, from vendor/mathjax) load; the test checks the math rendered.
KNOWN_HARMLESS = [re.compile(r"^Access to font at 'about:blank' from origin 'null' has been blocked by CORS policy"),
                  re.compile(r"^Failed to load resource: net::ERR_FAILED$")]  # that probe; every failed load is checked below

JS_SLIDES = """
() => Reveal.getSlides().map(s => {
  const idx = Reveal.getIndices(s);
  return {h: idx.h, v: idx.v || 0,
          math: !!s.querySelector('script[type^="math/tex"]'),
          figure: !!s.querySelector('.jp-OutputArea-output img')};
})
"""
JS_SHOW = """
async ([h, v]) => {
  Reveal.slide(h, v);
  const s = Reveal.getCurrentSlide();
  for (let k = 0; k < 600 && s.dataset.lstmReady !== '1'; k++) await new Promise(r => setTimeout(r, 25));
  return {ready: s.dataset.lstmReady === '1', zoom: parseFloat(s.dataset.lstmZoom || '1'),
          scrolls: s.classList.contains('lstm-scroll')};
}
"""
# Every slide in turn, inside the page (one round trip): ready, zoom, and whether it scrolls.
JS_WALK = """
async () => {
  const out = [];
  for (const s of Reveal.getSlides()) {
    const i = Reveal.getIndices(s);
    Reveal.slide(i.h, i.v || 0);
    for (let k = 0; k < 600 && s.dataset.lstmReady !== '1'; k++) await new Promise(r => setTimeout(r, 10));
    out.push({h: i.h, v: i.v || 0, ready: s.dataset.lstmReady === '1', zoom: parseFloat(s.dataset.lstmZoom || '1'),
              scrolls: s.classList.contains('lstm-scroll')});
  }
  return out;
}
"""
JS_MATH = """
() => {
  const s = Reveal.getCurrentSlide();
  const text = s.innerText;
  return {rendered: s.querySelectorAll('.MathJax, .MathJax_Display').length,
          errors: s.querySelectorAll('.MathJax_Error, merror').length,
          raw: text.includes('$$') || /\\\\(frac|partial|sum)\\b/.test(text)};
}
"""
JS_FIGURE = """
() => { const img = Reveal.getCurrentSlide().querySelector('.jp-OutputArea-output img');
        return img ? {complete: img.complete, width: img.naturalWidth, alt: img.alt} : null; }
"""


def _notebook() -> pathlib.Path:
    number = os.environ.get("LSTM_SLIDES_NOTEBOOK", "01")
    found = sorted((lb.ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    if not found:
        pytest.skip(f"no notebook {number}_*.ipynb")
    return found[0]


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = _notebook()
    out = tmp_path_factory.mktemp("slides")
    slides.build([path], out, quiet=True)
    _, plan = slides.deck_html(path)
    return out / f"{path.stem}.slides.html", plan


def test_a_deck_shows_as_slides_offline_with_rendered_math(chromium, deck):
    target, plan = deck
    number = target.name[:2]
    shots = lb.SCREENSHOTS / "slides"  # a folder of their own: the widget tests clear the top level
    shots.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    network, console = [], []

    def cut(route):  # the room has no network: record the attempt, answer nothing
        network.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(("file:", "data:", "blob:", "about:")), cut)
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    failed = []  # every load that failed, local files included: only MathJax's about:blank probe may
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url not in network else None)
    start = time.perf_counter()
    try:
        page.goto(target.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=READY_TIMEOUT_MS)
        total = page.evaluate("Reveal.getTotalSlides()")
        assert total == plan.count, f"reveal.js counts {total} slides, the plan {plan.count}"
        assert total >= MIN_SLIDES, f"only {total} slides: the deck should be slides, not one long page"
        assert page.evaluate("document.querySelectorAll('aside.notes').length") > 0, "the speaker notes are missing"

        found = page.evaluate(JS_SLIDES)
        math = next((s for s in found if s["math"]), None)
        assert math is not None, "no slide has TeX in it"
        shown = page.evaluate(JS_SHOW, [math["h"], math["v"]])
        assert shown["ready"], "the math slide never finished rendering"
        rendered = page.evaluate(JS_MATH)
        assert rendered["rendered"] > 0 and not rendered["errors"], f"MathJax did not render the TeX: {rendered}"
        assert not rendered["raw"], "raw TeX is left on the slide"
        page.screenshot(path=str(shots / f"{number}-math.png"))

        figure = next((s for s in found if s["figure"]), None)
        if figure is not None:
            page.evaluate(JS_SHOW, [figure["h"], figure["v"]])
            img = page.evaluate(JS_FIGURE)
            assert img and img["complete"] and img["width"] > 0, f"the figure did not decode: {img}"
            assert len(img["alt"]) >= 10, "a figure on a slide keeps its alt text"
            page.screenshot(path=str(shots / f"{number}-figure.png"))

        walk = page.evaluate(JS_WALK)
        assert len(walk) == total and all(s["ready"] for s in walk), "every slide shows and finishes rendering"
        too_tall = [f"{s['h']}/{s['v']} (zoom {s['zoom']:.2f})" for s in walk
                    if s["scrolls"] or s["zoom"] < slides.MIN_ZOOM - 1e-6]
        assert not too_tall, f"slides too tall to fit even zoomed out to {slides.MIN_ZOOM}: {too_tall}"
    finally:
        context.close()
    assert network == [], f"the deck tried the network: {network[:5]}"
    assert set(failed) <= {"about:blank"}, f"files the deck could not load: {sorted(set(failed))[:5]}"
    unexpected = [m for m in console if not any(rx.search(m) for rx in KNOWN_HARMLESS)]
    assert not unexpected, f"console errors: {unexpected}"
    zoomed = sum(s["zoom"] < 1 for s in walk)
    print(f"{target.name}: {total} slides ({zoomed} zoomed out to fit), shown one by one in {time.perf_counter() - start:.1f} s, offline")
