"""Turn the notebooks into reveal.js lecture decks that work offline, with no network at all.

    python tools/slides.py                    # every numbered notebook -> slides/NN_name.slides.html
    python tools/slides.py notebooks/01_vanilla_rnn.ipynb [--out DIR]
    python tools/slides.py --plan notebooks/01_vanilla_rnn.ipynb   # print the slide plan, write nothing

A deck opens from the file system (file://) in a room with no network: reveal.js and its notes
plugin come from tools/slides_assets/vendor/ and MathJax 2 from the `jupyter-server-mathjax`
package (the `slides` extra); both are copied into DIR/vendor/ beside the decks, so the folder
can be copied to a USB stick as it is. DIR/index.html lists the decks.

The notebooks' own slide metadata is not used: the structure of a lecture is decided here, from
the cells, so that a notebook author only writes the lesson.

- `# ` and `## ` headings start a slide; within a section every unit of prose followed by code
  and what the code shows (a figure, a printed check) is a sub-slide, so there is one idea per
  slide, and a figure stays with the lines that make it. A unit taller than a slide is split:
  prose at its paragraphs, code at its top-level statements (the last statements, those that
  draw the figure, stay with the figure). What is still a little too tall is zoomed out to fit
  when it is shown (down to MIN_ZOOM).
- Left out: the navigation cells, the badges (they load images from the network), the Colab
  install cell and the set-up cell, code cells that only check (asserts and prints of checks),
  and in the Exercises section everything but the prompts (the stubs and checkers are for the
  learner at the notebook, not for the projector).
- Speaker notes (press S in a deck): the Setup and "How this notebook checks itself" sections,
  and the claim of every assert taken off a slide, in the words of its message.
- Widgets: a deck has no kernel, so each widget shows the picture the saved notebook keeps of
  it, with its readout as alt text; the notes say to move it live in JupyterLab.

"No network" means every resource a deck loads (script, stylesheet, image, frame, media, CSS
url() and @import) is a relative path or a data: URL; `network_loads` lists any that is not.
Plain links a reader may click (<a href="https://...">: the references, the Colab link) are not
loads and stay. tests/test_slides.py converts every notebook and checks that; tests/browser/
test_slides_browser.py opens a deck in Chromium with the network cut.
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import html
import html.parser
import json
import math
import pathlib
import re
import shutil
import struct
import sys
from dataclasses import dataclass, field

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
ASSETS = ROOT / "tools" / "slides_assets"
TEMPLATE = "lstm_reveal"
VENDOR = ASSETS / "vendor"
OUT = ROOT / "slides"
sys.path.insert(0, str(ROOT))

from lstm_lessons import project  # noqa: E402

# The slide, in reveal.js's own pixels (it scales the whole slide to the screen), and the
# budget the layout fills: what is left of the height once the slide's margins are taken.
WIDTH, HEIGHT = 1280, 760
BUDGET = 700
FIGURE_MAX = 430  # px: a figure is shown at most this tall (lstm_slides.css)
MIN_ZOOM = 0.6    # a slide is zoomed out at most this far to fit; below it scrolls
MAX_OUTPUT_LINES = 14

NOTES_SECTIONS = ("setup", "how this notebook checks itself")
EXERCISES = "exercises"
BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)")  # [![alt](image)](link)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# --- reading cells

def source(cell) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else cell.source


def heading(cell):
    """(level, text) of a markdown cell that opens with a heading, else None."""
    if cell.cell_type != "markdown":
        return None
    m = re.match(r"(#{1,6})\s+(.*)", source(cell).lstrip())
    return (len(m.group(1)), m.group(2).strip()) if m else None


def python_source(code: str) -> str:
    """The cell as plain Python (IPython magics turned into calls), line for line."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(code)
    except Exception:  # noqa: BLE001 - without IPython, magics simply make the cell unparsable
        return code


def _statements(code: str):
    try:
        return ast.parse(python_source(code)).body
    except SyntaxError:
        return None


def _is_check(stmt) -> bool:
    """An assert, or a loop or `if` whose body only asserts: a check, not a lesson line."""
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, (ast.For, ast.If, ast.With)):
        return all(_is_check(s) for s in stmt.body) and all(_is_check(s) for s in getattr(stmt, "orelse", []))
    return False


def _is_print(stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print")


def is_bare_check(code: str) -> bool:
    """A code cell whose top-level statements are only asserts (and prints that report them)."""
    body = _statements(code)
    return bool(body) and any(_is_check(s) for s in body) and all(_is_check(s) or _is_print(s) for s in body)


def assert_messages(code: str) -> list:
    """The claims of a cell's asserts, in the words of their messages (f-strings as written)."""
    text = python_source(code)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            if isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str):
                out.append(node.msg.value)
            else:
                seg = ast.get_source_segment(text, node.msg) or ""
                out.append(re.sub(r"^[fF]?([\"'])(.*)\1$", r"\2", seg.strip(), flags=re.S))
    return out


def without_checks(code: str) -> str:
    """The cell with its top-level checks (asserts, loops of asserts) taken out."""
    body = _statements(code)
    if not body or not any(_is_check(s) for s in body):
        return code
    lines = code.split("\n")
    drop = set()
    for s in body:
        if _is_check(s):
            drop.update(range(s.lineno - 1, s.end_lineno))
    kept = [line for k, line in enumerate(lines) if k not in drop]
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def is_colab_cell(cell) -> bool:
    return cell.cell_type == "code" and source(cell) == project.colab_setup_source()


# --- outputs as a deck shows them

def _png_size(b64: str):
    try:
        head = base64.b64decode(b64[:64] + "=" * (-len(b64[:64]) % 4))
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", head[16:24])
    except Exception:  # noqa: BLE001
        pass
    return None


def slide_outputs(outputs: list) -> list:
    """What a deck shows of a cell's outputs: no widget views (their saved picture instead, with its
    alt text), no stderr (warnings, progress bars), long printouts cut."""
    shown = []
    for out in outputs:
        out = copy.deepcopy(out)
        if out.get("output_type") == "stream":
            if out.get("name") == "stderr":
                continue
            lines = "".join(out.get("text", "")).rstrip("\n").split("\n")
            if len(lines) > MAX_OUTPUT_LINES:
                lines = lines[:MAX_OUTPUT_LINES] + [f"... ({len(lines) - MAX_OUTPUT_LINES} more lines in the notebook)"]
            out["text"] = "\n".join(lines) + "\n"
            shown.append(out)
            continue
        data = out.get("data")
        if data is None:
            if out.get("output_type") == "error":
                shown.append(out)
            continue
        if WIDGET_VIEW in data:
            png = data.get("image/png")
            if not png:
                continue  # a widget without a saved picture (a progress bar, say) shows nothing offline
            meta = out.get("metadata", {}).get("image/png", {})
            alt = meta.get("alt") or "".join(data.get("text/plain", "")) or "the widget's picture"
            width = meta.get("width")
            img = (f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"'
                   + (f' width="{int(width)}"' if width else "") + ' class="lstm-widget-picture">'
                   f'<div class="lstm-more">A widget, as saved: {html.escape(alt)} (move it live in the notebook)</div>')
            out["data"] = {"text/html": img, "text/plain": alt}
            out["metadata"] = {"lstm": {"widget": True}}
        shown.append(out)
    return shown


# --- how tall things are on a slide (px at the deck's own size)

TEXT_LINE, TEXT_CHARS, CODE_LINE, CODE_CHARS, OUT_LINE = 33, 100, 25, 100, 24


def _wrapped(line: str, chars: int) -> int:
    return max(1, math.ceil(len(line) / chars))


def markdown_height(text: str) -> float:
    h, in_math = 0.0, False
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("$$") or in_math:
            if s.startswith("$$"):
                h += 70 if s.count("$$") != 1 or in_math else 0
                in_math = (s.count("$$") == 1) != in_math
            continue
        if not s:
            h += 12
        elif s.startswith("#"):
            h += {1: 62, 2: 54, 3: 46}.get(len(s) - len(s.lstrip("#")), 40)
        elif s.startswith("|"):
            h += 0 if set(s) <= set("|-: ") else 38
        else:
            h += TEXT_LINE * _wrapped(re.sub(r"\]\([^)]*\)", "]", s), TEXT_CHARS)
    return h + 8


def code_height(code: str) -> float:
    return 22 + sum(CODE_LINE * _wrapped(line, CODE_CHARS) for line in code.split("\n"))


def output_height(out) -> float:
    if out.get("output_type") == "stream":
        return 8 + OUT_LINE * sum(_wrapped(line, CODE_CHARS) for line in "".join(out["text"]).rstrip("\n").split("\n"))
    data = out.get("data", {})
    if "text/html" in data:
        text = "".join(data["text/html"])
        m = re.search(r'src="data:image/png;base64,([^"]+)"', text)
        if m:
            size = _png_size(m.group(1))
            w = re.search(r'width="(\d+)"', text)
            width = min(int(w.group(1)) if w else (size[0] if size else 700), WIDTH - 50)
            height = width * size[1] / size[0] if size else 350
            return min(height, FIGURE_MAX) + 12 + (40 if "lstm-more" in text else 0)
        return 60
    if "image/png" in data:
        size = _png_size(data["image/png"])
        return min(size[1] if size else 350, FIGURE_MAX) + 12
    if "text/plain" in data:
        return 8 + OUT_LINE * len("".join(data["text/plain"]).split("\n"))
    return 40


# --- the plan: cells grouped into slides

@dataclass
class Slide:
    kind: str                       # "slide" (a new section) or "subslide"
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    height: float = 0.0

    def add(self, cell, height: float):
        self.cells.append(cell)
        self.height += height + 10


def _markdown_blocks(text: str) -> list:
    """A markdown cell's paragraphs (split at blank lines outside code fences and display math)."""
    blocks, cur, fence, math_open = [], [], False, False
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("```"):
            fence = not fence
        if s.count("$$") % 2 == 1:
            math_open = not math_open
        if not s and not fence and not math_open:
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    # a list taller than a slide is split between its items
    items = []
    for b in blocks:
        if markdown_height(b) > BUDGET and re.match(r"\s*([-*+]|\d+\.)\s", b):
            parts = re.split(r"\n(?=(?:[-*+]|\d+\.)\s)", b)
            items += parts
        else:
            items.append(b)
    # a heading stays with what follows it; a list with the sentence that introduces it
    merged = []
    for b in items:
        if merged and (re.fullmatch(r"#{1,6}\s[^\n]*", merged[-1].strip()) or
                       (re.match(r"\s*([-*+]|\d+\.)\s", b) and merged[-1].rstrip().endswith(":")
                        and markdown_height(merged[-1] + "\n\n" + b) <= BUDGET)):
            merged[-1] += "\n\n" + b
        else:
            merged.append(b)
    return merged


def _code_chunks(code: str, outputs_h: float) -> list:
    """Split a code cell at top-level statements so that the tail fits beside its outputs and the
    head fits on slides of its own; returns the pieces of source, in order (the outputs go with the last)."""
    body = _statements(code)
    if not body or len(body) < 2:
        return [code]
    lines = code.split("\n")
    starts = []
    for k, s in enumerate(body):
        first = min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", [])]) - 1
        if k:
            # comments and blank lines just above a statement belong to it
            while first - 1 > body[k - 1].end_lineno - 1 and lines[first - 1].strip().startswith("#"):
                first -= 1
        starts.append(first if k else 0)
    pieces = [("\n".join(lines[a:b])).strip("\n") for a, b in zip(starts, starts[1:] + [len(lines)])]
    # the tail: as many of the last statements as fit with the outputs
    tail = [pieces.pop()]
    while pieces and code_height("\n".join([pieces[-1]] + tail)) + outputs_h <= BUDGET:
        tail.insert(0, pieces.pop())
    chunks, cur = [], []
    for p in pieces:
        if cur and code_height("\n\n".join(cur + [p])) > BUDGET:
            chunks.append("\n\n".join(cur))
            cur = []
        cur.append(p)
    if cur:
        chunks.append("\n\n".join(cur))
    return [c for c in chunks + ["\n".join(tail)] if c.strip()]


def _code_cell(src: str, outputs: list, metadata=None):
    cell = nbformat.v4.new_code_cell(src)
    cell.outputs = outputs
    cell.execution_count = None
    if metadata:
        cell.metadata.update(metadata)
    return cell


def _notes_cell(lines: list):
    return nbformat.v4.new_markdown_cell("\n".join(lines))


@dataclass
class Plan:
    """A deck: its slides, and what was left out or turned into notes (for --plan and the tests)."""
    name: str
    title: str
    slides: list
    left_out: list

    @property
    def count(self) -> int:
        return len(self.slides)


def _sections(cells: list) -> list:
    """(heading text or "", [cells]) for the title part and each '## ' section."""
    out = [("", [])]
    for cell in cells:
        h = heading(cell)
        if h and h[0] <= 2:
            out.append((h[1], [cell]))
        else:
            out[-1][1].append(cell)
    return [s for s in out if s[1]]


def _units(cells: list) -> list:
    """Prose, then the code after it: a new unit at prose that follows code, or at a '### ' heading."""
    units = []
    for cell in cells:
        h = heading(cell)
        starts = (not units or (cell.cell_type == "markdown" and units[-1][-1].cell_type == "code")
                  or (h is not None and h[0] >= 3))
        if starts:
            units.append([cell])
        else:
            units[-1].append(cell)
    return units


def plan(nb, name: str) -> Plan:
    """Decide every slide of the lecture from the notebook's cells."""
    cells = [c for c in nb.cells if "navigation" not in c.metadata.get("tags", [])]
    left_out = []
    title = re.sub(r"^#\s*", "", source(cells[0]).split("\n")[0]).strip() if cells else name
    slides: list = []

    def notes(lines):
        if lines:
            (slides[-1].notes if slides else pending).extend(lines)

    pending: list = []
    for sec_title, sec_cells in _sections(cells):
        key = sec_title.lower()
        if any(key.startswith(k) for k in NOTES_SECTIONS):
            text = [source(c) for c in sec_cells if c.cell_type == "markdown"]
            notes(["**" + sec_title + "** (from the notebook)", ""] + [re.sub(r"^#+\s.*\n?", "", t) for t in text])
            left_out += [f"{sec_title}: {len(sec_cells)} cells as speaker notes"]
            continue
        exercises = key.startswith(EXERCISES)
        first = True
        for unit in _units(sec_cells):
            slide = None
            for cell in unit:
                if cell.cell_type == "markdown":
                    text = source(cell)
                    if cell is cells[0]:
                        text = BADGE.sub("", text)
                        text = re.sub(r"\n{3,}", "\n\n", text).strip()
                        text += (f"\n\n<small>The notebook: `notebooks/{name}.ipynb` · "
                                 f"[Open in Colab]({project.colab_url(name + '.ipynb')}) · "
                                 f"[Binder]({project.binder_url(name + '.ipynb')})</small>")
                    for block in _markdown_blocks(text):
                        h = markdown_height(block)
                        level = heading(nbformat.v4.new_markdown_cell(block))
                        level = level[0] if level else 9
                        if (slide is None or (slide.height + h > BUDGET and slide.cells)
                                or (level <= 3 and slide.cells)):
                            slide = Slide("slide" if first or level <= 2 else "subslide")
                            slides.append(slide)
                            first = False
                        slide.add(nbformat.v4.new_markdown_cell(block), h)
                    continue
                if cell.cell_type != "code":
                    continue
                code = source(cell)
                if is_colab_cell(cell) or exercises or "navigation" in cell.metadata.get("tags", []):
                    left_out.append(("exercise code: " if exercises else "set-up: ") + code.split("\n")[0][:60])
                    continue
                claims = assert_messages(code)
                if is_bare_check(code):
                    left_out.append("check: " + code.split("\n")[0][:60])
                    notes(["Checked in the notebook: " + c for c in claims])
                    continue
                shown = without_checks(code)
                outputs = slide_outputs(cell.get("outputs", []))
                out_h = sum(output_height(o) for o in outputs)
                chunks = [shown] if code_height(shown) + out_h <= BUDGET else _code_chunks(shown, out_h)
                for k, chunk in enumerate(chunks):
                    last = k == len(chunks) - 1
                    h = code_height(chunk) + (out_h if last else 0)
                    if slide is None or (slide.height + h > BUDGET and slide.cells):
                        slide = Slide("slide" if first else "subslide")
                        slides.append(slide)
                        first = False
                    slide.add(_code_cell(chunk, outputs if last else []), h)
                if claims:
                    slide.notes += ["Checked in the notebook: " + c for c in claims]
                if any(o.get("metadata", {}).get("lstm", {}).get("widget") for o in outputs):
                    slide.notes.append("A widget: the slide shows its saved picture. Move it live in the "
                                       f"notebook (JupyterLab, Binder or Colab): notebooks/{name}.ipynb.")
    if pending and slides:
        slides[0].notes[:0] = pending
    return Plan(name=name, title=title, slides=slides, left_out=left_out)


def lecture_notebook(nb, name: str):
    """The notebook a deck is made from: only the cells the plan shows, with their slide types."""
    p = plan(nb, name)
    cells = []
    for slide in p.slides:
        for k, cell in enumerate(slide.cells):
            cell.metadata["slideshow"] = {"slide_type": slide.kind if k == 0 else "-"}
            cells.append(cell)
        if slide.notes:
            note = _notes_cell(slide.notes)
            note.metadata["slideshow"] = {"slide_type": "notes"}
            cells.append(note)
    out = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(dict(nb.metadata)))
    out.metadata.pop("widgets", None)  # no widget manager offline: the saved pictures stand in
    return out, p


# --- the deck

def exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    c = Config()
    c.SlidesExporter.extra_template_basedirs = [str(ASSETS)]
    c.SlidesExporter.template_name = TEMPLATE
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    return SlidesExporter(config=c)


def deck_html(path: pathlib.Path, exp=None):
    """(html, plan) of one notebook's deck."""
    nb = nbformat.read(path, as_version=4)
    lecture, p = lecture_notebook(nb, path.stem)
    resources = {"metadata": {"name": path.stem},
                 "lstm": {"title": p.title, "width": WIDTH, "height": HEIGHT, "min_zoom": MIN_ZOOM,
                          "figure_max": FIGURE_MAX}}
    body, _ = (exp or exporter()).from_notebook_node(lecture, resources=resources)
    return body, p


def mathjax_folder() -> pathlib.Path:
    try:
        import jupyter_server_mathjax
    except ImportError as err:
        raise SystemExit("MathJax is missing: install the slides extra, `pip install -e .[slides]` "
                         "(it brings jupyter-server-mathjax, MathJax 2 for use offline).") from err
    return pathlib.Path(jupyter_server_mathjax.__file__).parent / "static"


def install_vendor(out: pathlib.Path) -> None:
    """Copy reveal.js and MathJax beside the decks (once; again when the copy is incomplete)."""
    vendor = out / "vendor"
    shutil.copytree(VENDOR, vendor, dirs_exist_ok=True)
    mj = mathjax_folder()
    done = vendor / "mathjax" / ".copied"  # written last: a copy cut short is made again
    if not done.exists():
        # all of MathJax 2 but its other languages and font formats the browsers do not need
        skip = shutil.ignore_patterns("localization", "*.eot", "*.otf")
        shutil.copytree(mj, vendor / "mathjax", ignore=skip, dirs_exist_ok=True)
        (vendor / "mathjax" / "localization" / "en").mkdir(parents=True, exist_ok=True)
        if (mj / "localization" / "en").is_dir():
            shutil.copytree(mj / "localization" / "en", vendor / "mathjax" / "localization" / "en", dirs_exist_ok=True)
        done.write_text(f"copied from {mj}\n")


def write_index(out: pathlib.Path, decks: list) -> None:
    rows = "\n".join(f'<li><a href="{html.escape(d["file"])}">{html.escape(d["title"])}</a> '
                     f'<span>({d["slides"]} slides)</span></li>' for d in decks)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>LSTM Lessons: slides</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:3em auto;line-height:1.5}"
        "span{color:#777}</style></head><body>\n<h1>LSTM Lessons: lecture slides</h1>\n"
        "<p>Each deck works offline. Arrow keys move; S opens the speaker notes; F is full screen; "
        "Esc shows every slide.</p>\n<ol>\n" + rows + "\n</ol>\n</body></html>\n", encoding="utf-8")


def build(paths: list, out: pathlib.Path = OUT, quiet: bool = False) -> list:
    out.mkdir(parents=True, exist_ok=True)
    install_vendor(out)
    exp = exporter()
    decks = []
    known = {}
    if (out / "decks.json").exists():
        known = {d["file"]: d for d in json.loads((out / "decks.json").read_text())}
    for path in paths:
        body, p = deck_html(path, exp)
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        loads = network_loads(body)
        if loads:
            raise SystemExit(f"{target}: loads from the network: {loads[:5]}")
        known[target.name] = {"file": target.name, "title": p.title, "slides": p.count}
        decks.append(known[target.name])
        if not quiet:
            print(f"{target.relative_to(out.parent) if out.parent in target.parents else target}: "
                  f"{p.count} slides", flush=True)
    listed = sorted(known.values(), key=lambda d: d["file"])
    (out / "decks.json").write_text(json.dumps(listed, indent=1))
    write_index(out, listed)
    return decks


# --- what a deck loads

LOAD_ATTRS = {"script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
              "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
              "embed": ("src",), "object": ("data",), "input": ("src",), "image": ("href", "xlink:href"),
              "use": ("href", "xlink:href")}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I)


def _is_remote(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))


class _Loads(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._style = [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        urls = [(tag, k, a[k]) for k in LOAD_ATTRS.get(tag, ()) if a.get(k)]
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest")):
                urls.append((tag, "href", a["href"]))
        for tag_, attr, value in urls:
            for part in (value.split(",") if attr == "srcset" else [value]):
                part = part.strip().split(" ")[0]
                if _is_remote(part):
                    self.found.append(f"<{tag_} {attr}={part}>")
        if a.get("style"):
            self.found += [f"style url({u})" for u in css_urls(a["style"]) if _is_remote(u)]
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if self._style:
            self.found += [f"css url({u})" for u in css_urls(data) if _is_remote(u)]


def css_urls(css: str) -> list:
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(css) if (m.group(2) or m.group(4))]


def network_loads(page: str) -> list:
    """Every resource the page would load from the network (empty for a deck that works offline).
    Links a reader clicks (<a href>) are not loads."""
    parser = _Loads()
    parser.feed(page)
    # script text that loads by address: fetch(), XMLHttpRequest, import(), a src set in code
    for m in re.finditer(r"<script\b[^>]*>(.*?)</script>", page, re.S | re.I):
        for u in re.findall(r"""(?:fetch\(|import\(|\.src\s*=\s*|open\(\s*['"]GET['"]\s*,\s*)['"]((?:https?:)?//[^'"]+)""", m.group(1)):
            parser.found.append(f"script loads {u}")
    return parser.found


# --- the command

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=OUT, help="folder for the decks (default slides/)")
    parser.add_argument("--plan", action="store_true", help="print each slide's first line and the notes; write nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.plan:
        for path in paths:
            _, p = lecture_notebook(nbformat.read(path, as_version=4), path.stem)
            print(f"{path.name}: {p.count} slides")
            for k, s in enumerate(p.slides, 1):
                first = source(s.cells[0]).strip().split("\n")[0][:70]
                print(f"  {k:3d} {s.kind:8s} {s.height:5.0f}px  {first}" + (f"  [notes: {len(s.notes)}]" if s.notes else ""))
            for item in p.left_out:
                print(f"      left out: {item}")
        return 0
    build(paths, args.out)
    print(f"open {args.out / 'index.html'} (works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
