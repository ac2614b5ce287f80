"""Every notebook makes a lecture deck that loads nothing from the network, laid out one idea per slide.

tools/slides.py decides the slides from the cells; these tests convert every notebook (no
browser: tests/browser/test_slides_browser.py opens one deck in Chromium with the network cut)
and check the rules of the lecture on a small notebook made here.
"""

import base64
import json
import pathlib
import re
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import slides  # noqa: E402

from lstm_lessons import project  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
v4 = nbformat.v4


@pytest.fixture(scope="module")
def exporter():
    pytest.importorskip("nbconvert")
    return slides.exporter()


def _figures_before_exercises(nb) -> list:
    """The start of every PNG the lesson shows before its exercises (figures and widget pictures)."""
    found = []
    for cell in nb.cells:
        h = slides.heading(cell)
        if h and h[1].lower().startswith(("exercises", "how this notebook")):
            break
        if cell.cell_type != "code" or slides.is_bare_check(slides.source(cell)):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = "".join(data.get("text/html", ""))
            found += re.findall(r"data:image/png;base64,([A-Za-z0-9+/]{200})", html)
            if "image/png" in data:
                found.append(data["image/png"][:200])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_makes_an_offline_deck(path, exporter):
    page, plan = slides.deck_html(path, exporter)
    assert slides.network_loads(page) == [], f"{path.name}: the deck loads from the network"
    assert plan.count >= 5 and page.count('<section') >= plan.count, "the deck is slides, not one page"
    assert "colab-badge.svg" not in page and "badge_logo.svg" not in page, "badges are images from the network"
    assert "application/vnd.jupyter.widget-view+json" not in page, "no widget views: nothing runs them offline"
    assert 'src="vendor/reveal.js/dist/reveal.js"' in page and 'src="vendor/mathjax/MathJax.js' in page
    nb = nbformat.read(path, as_version=4)
    missing = [f[:20] for f in _figures_before_exercises(nb) if f not in page]
    assert not missing, f"{path.name}: {len(missing)} figures of the lesson are not in its deck"
    shown = [slides.source(c) for s in plan.slides for c in s.cells]
    for cell in nb.cells:
        src = slides.source(cell)
        if "exercise" in cell.metadata.get("tags", []) or "navigation" in cell.metadata.get("tags", []):
            assert src not in shown, f"{path.name}: an exercise stub or a navigation cell is on a slide"
        if cell.cell_type == "code" and src.strip():
            assert src != project.colab_setup_source() or src not in shown
    # a slide is zoomed out at most to MIN_ZOOM to fit (lstm_reveal/index.html.j2); the layout stays well within
    tallest = max(plan.slides, key=lambda s: s.height)
    assert tallest.height * slides.MIN_ZOOM <= slides.HEIGHT, \
        f"{path.name}: a slide is far too tall ({tallest.height:.0f} px): {slides.source(tallest.cells[0])[:80]}"


def _png(width=700, height=350) -> str:
    head = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return base64.b64encode(head + b"\x08\x02\x00\x00\x00" + b"\x00" * 200).decode()


def _figure_output(alt):
    img = f'<img src="data:image/png;base64,{_png()}" alt="{alt}" width="700" style="max-width:100%;height:auto">'
    return v4.new_output("execute_result", data={"text/html": img, "text/plain": f"[figure: {alt}]"}, execution_count=1)


def _lesson():
    md, code = v4.new_markdown_cell, v4.new_code_cell
    nav = md("Previous: ... · Next: ...")
    nav.metadata["tags"] = ["navigation"]
    fig_cell = code("fig, ax = new_figure()\nax.plot([1, 2])\nassert len(ax.lines) == 1, \"one line is drawn\"\nshow(fig, 'a line')")
    fig_cell.outputs = [_figure_output("A rising line from 1 to 2.")]
    widget = code("demo = Demo()\ndemo")
    widget.outputs = [v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "image/png": _png(750, 400), "text/plain": "Demo()"},
        metadata={"image/png": {"alt": "f = 0.90: 12% left", "width": 750, "height": 400}})]
    printed = code("shape = (2, 3)\nprint('shape', shape)\nassert 1 < 2, 'the order of numbers'")
    printed.outputs = [v4.new_output("stream", name="stdout", text="shape (2, 3)\n"),
                       v4.new_output("stream", name="stderr", text="Warning: something\n")]
    stub = code("def my_step(x):\n    raise NotImplementedError")
    stub.metadata["tags"] = ["exercise"]
    long_prose = "\n\n".join(f"Paragraph {k}: " + "words " * 60 for k in range(12))
    nb = v4.new_notebook(cells=[
        md("# 09 · A lesson\n\n" + project.badges("09_a_lesson.ipynb") + "\n\nWhat this is about."), nav,
        md("## What you will do\n- things"),
        md("## Setup\n\nThe first cell installs the package on Colab."),
        code(project.colab_setup_source()), code("from lstm_lessons.notebook import setup\nsetup(seed=0)"),
        md("## A section\n\nProse that introduces a figure."), fig_cell,
        code("assert 2 > 1, \"two is more than one\"\nprint('checked')"),
        md("Then a widget."), widget, md("And a printout."), printed,
        md("### A sub-part\n\n" + long_prose),
        md("## Exercises\n\n### Exercise 1: a step\n\nWrite one step."), stub, code("checks.check_step(my_step)"),
        md("## How this notebook checks itself\n\nEvery claim holds over seeds 0-19."),
        md("## References\n\n- A. Author (2000), A paper."),
    ])
    return nb


def test_the_lecture_follows_the_rules():
    lecture, plan = slides.lecture_notebook(_lesson(), "09_a_lesson")
    shown = [c for c in lecture.cells if c.metadata["slideshow"]["slide_type"] != "notes"]
    notes = "\n".join(slides.source(c) for c in lecture.cells if c.metadata["slideshow"]["slide_type"] == "notes")
    text = "\n".join(slides.source(c) for c in shown)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in shown]
    assert kinds[0] == "slide" and "colab-badge" not in text and "What this is about." in text
    assert "Previous: ..." not in text, "navigation is not on a slide"
    assert "google.colab" not in text and "setup(seed=0)" not in text, "the set-up cells are left out"
    assert "installs the package on Colab" in notes, "the Setup section becomes speaker notes"
    assert "assert" not in text, "asserts are taken off the slides"
    assert "one line is drawn" in notes and "two is more than one" in notes, "their claims are in the notes"
    assert "print('checked')" not in text, "a cell that only checks is left out"
    assert "raise NotImplementedError" not in text and "check_step" not in text, "exercises show the prompt only"
    assert "Write one step." in text
    assert "Every claim holds over seeds 0-19." in notes and "Every claim holds" not in text
    # one idea per slide: each prose+code unit starts a sub-slide, and the figure stays with its code
    fig = next(c for c in shown if "new_figure" in slides.source(c))
    assert fig.outputs and "A rising line" in fig.outputs[0]["data"]["text/html"]
    widget = next(c for c in shown if "Demo()" in slides.source(c))
    (out,) = widget.outputs
    assert list(out["data"]) == ["text/html", "text/plain"] and 'alt="f = 0.90: 12% left"' in out["data"]["text/html"]
    printed = next(c for c in shown if "print('shape'" in slides.source(c))
    assert [o["name"] for o in printed.outputs] == ["stdout"], "stderr (warnings, progress bars) is not shown"
    # the long sub-part is split into several sub-slides, each within the budget
    long_slides = [s for s in plan.slides if "Paragraph" in "".join(slides.source(c) for c in s.cells)]
    assert len(long_slides) >= 2 and all(s.height <= slides.BUDGET + 50 for s in long_slides)
    assert [s.kind for s in plan.slides].count("slide") == 5  # title, do, section, exercises, references


def test_long_code_is_split_at_statements_and_the_figure_keeps_its_lines():
    head = "\n".join(f"a{k} = {k}" for k in range(30))
    tail = "fig, ax = new_figure()\nax.plot([1, 2])\nshow(fig, 'a line')"
    chunks = slides._code_chunks(head + "\n\n" + tail, outputs_h=400)
    assert len(chunks) >= 2 and chunks[-1].endswith(tail) and "a0 = 0" in chunks[0]
    assert all(slides.code_height(c) <= slides.BUDGET for c in chunks[:-1])
    assert slides.code_height(chunks[-1]) + 400 <= slides.BUDGET


def test_checks_are_told_from_lesson_lines():
    assert slides.is_bare_check("assert x == 1, 'x is one'\nprint('ok')")
    assert slides.is_bare_check("for a in b:\n    assert a > 0, 'positive'")
    assert not slides.is_bare_check("y = f(x)\nassert y > 0")
    assert not slides.is_bare_check("print('hello')")
    assert slides.without_checks("y = f(x)\nassert y > 0, 'm'\nz = y") == "y = f(x)\nz = y"
    assert slides.assert_messages("assert a, 'plain'\nassert b, f'value {b}'") == ["plain", "value {b}"]


def test_network_loads_are_found_and_links_are_not():
    page = """<html><head>
    <script src="https://cdn.example/x.js"></script><script src="vendor/ok.js"></script>
    <link rel="stylesheet" href="//cdn.example/a.css"><link rel="icon" href="http://x/i.png">
    <style>@import url("https://fonts.example/f.css"); .a { background: url(data:image/png;base64,AAA) }
    .b { background: url('http://img.example/b.png') }</style></head><body>
    <img src="https://badge.example/b.svg"><img src="data:image/png;base64,AAAA"><img src="pic.png">
    <iframe src="https://youtube.example/embed"></iframe><video><source srcset="a.webm, https://v.example/b.webm 2x"></video>
    <div style="background-image: url(https://x.example/bg.png)"></div>
    <a href="https://colab.research.google.com/github/x">a link is not a load</a>
    <script>fetch("https://api.example/data")</script>
    </body></html>"""
    found = slides.network_loads(page)
    for host in ("cdn.example/x.js", "cdn.example/a.css", "x/i.png", "fonts.example", "img.example", "badge.example",
                 "youtube.example", "v.example", "x.example/bg.png", "api.example"):
        assert any(host in f for f in found), host
    assert not any("colab" in f or "vendor/ok.js" in f or "pic.png" in f or "data:" in f for f in found)


def test_the_vendored_files_are_local_and_licensed():
    vendor = slides.VENDOR
    assert (vendor / "reveal.js" / "LICENSE").exists() and (vendor / "reveal.js" / "dist" / "reveal.js").exists()
    assert (vendor / "reveal.js" / "plugin" / "notes" / "notes.js").exists()
    assert (slides.ASSETS / "README.md").exists(), "where each vendored file comes from"
    for css in vendor.rglob("*.css"):
        assert not [u for u in slides.css_urls(css.read_text()) if slides._is_remote(u)], css
    template = (slides.ASSETS / slides.TEMPLATE / "index.html.j2").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", template), "the template loads nothing by address"


def test_the_decks_folder_lists_them(tmp_path, exporter, monkeypatch):
    monkeypatch.setattr(slides, "install_vendor", lambda out: None)  # MathJax's copy is the browser test's business
    decks = slides.build(NOTEBOOKS[:1], tmp_path, quiet=True)
    assert (tmp_path / f"{NOTEBOOKS[0].stem}.slides.html").exists()
    listed = json.loads((tmp_path / "decks.json").read_text())
    assert listed == decks and decks[0]["slides"] >= 5
    assert f'href="{NOTEBOOKS[0].stem}.slides.html"' in (tmp_path / "index.html").read_text()
