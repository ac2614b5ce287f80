"""Write the README's list of notebooks: what each teaches, its widgets, a thumbnail, its runtime, its links.

    python tools/front_page.py            # rewrite README.md between the markers, and docs/thumbnails/
    python tools/front_page.py --check    # exit 1 (and say what) if the README or a thumbnail is stale

Everything comes from the notebooks and the benchmark, nothing is typed twice:

- the title, from the notebook's first line; what it teaches, from its "What you will learn" list
  (the first clause of each item); the time to study it, from "What you need" ("About N minutes");
- its widgets: the classes of `lstm_lessons.widgets` its code makes, with each one's title;
- a thumbnail of its key figure: the figure of the cell tagged `key-figure`, else its first figure,
  scaled to THUMB_WIDTH pixels into docs/thumbnails/NN.png, with the figure's alt text;
- its runtime on a laptop-class CPU: benchmarks/results/notebooks.json, written by
  `python benchmarks/notebooks.py --save` (the wall time under nbval, kernel start included);
- links: the notebook, Colab and Binder (lstm_lessons.project), its practice copy (and that on
  Colab), and its deck, `slides/NN_name.slides.html`, which `make slides` builds (not committed).

The README keeps everything outside the markers as it is written.
"""

from __future__ import annotations

import argparse
import base64
import html as html_lib
import io
import json
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
THUMBS = ROOT / "docs" / "thumbnails"
BENCH = ROOT / "benchmarks" / "results" / "notebooks.json"
START, END = "<!-- notebooks:start (written by tools/front_page.py; edit the notebooks, not this) -->", \
    "<!-- notebooks:end -->"
THUMB_WIDTH = 320
sys.path.insert(0, str(ROOT))

from lstm_lessons import project  # noqa: E402


def numbered() -> list:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def source(cell) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else cell.source


def title(nb, path) -> str:
    first = source(nb.cells[0]).split("\n")[0] if nb.cells else ""
    return re.sub(r"^#\s*", "", first).strip() or path.stem


def _section_list(nb, heading: str) -> list:
    """The items of the bullet list under a '## heading' (wherever the heading sits in a cell)."""
    for cell in nb.cells:
        text = source(cell)
        m = re.search(rf"^##\s+{re.escape(heading)}\s*\n(.*?)(?=^#|\Z)", text, re.M | re.S) if cell.cell_type == "markdown" else None
        if m:
            items = re.split(r"^\s*[-*]\s+", m.group(1), flags=re.M)[1:]
            return [" ".join(i.split()) for i in items]
    return []


# After ", " these words start a new clause ("..., and why it is small"); any other word continues a
# list ("dropout, weight tying and ..."), which is not cut.
CLAUSE_WORDS = {"why", "what", "how", "which", "when", "where", "while", "even", "though", "because", "but"}
AND_CLAUSE_WORDS = CLAUSE_WORDS | {"its", "their", "the", "a", "an"}


def _first_clause(item: str, limit: int = 140) -> str:
    """The item's main clause: up to its first ": ", "; " or ", " that starts a new clause, outside
    brackets, math and code; if that is longer than `limit`, up to its first comma; and if that
    still is, cut at a word (with " ...")."""
    item = item.rstrip(".")
    depth, math, code, cut, comma = 0, False, False, len(item), None
    for k, ch in enumerate(item):
        if ch == "`":
            code = not code
        elif code:
            continue
        elif ch == "$":
            math = not math
        elif math:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and item[k:k + 2] in (": ", "; "):
            cut = k
            break
        elif depth == 0 and item[k:k + 2] == ", ":
            comma = k if comma is None and k >= 30 else comma
            words = item[k + 2:].split(" ", 2)
            if words[0] in CLAUSE_WORDS or (words[0] == "and" and len(words) > 1 and words[1] in AND_CLAUSE_WORDS):
                cut = k
                break
    clause = item[:cut]
    if len(clause) > limit and comma is not None and comma < cut:  # too long: up to its first comma
        clause = item[:comma]
    if len(clause) > limit:
        clause = clause[:limit].rsplit(" ", 1)[0] + " ..."
    return clause


def teaches(nb) -> str:
    items = [_first_clause(i) for i in _section_list(nb, "What you will learn")]
    items = [i[0].lower() + i[1:] if i[:2] != i[:2].upper() else i for i in items]
    return "; ".join(items)


def study_minutes(nb):
    for item in _section_list(nb, "What you need"):
        m = re.search(r"[Aa]bout (\d+) min", item)
        if m:
            return int(m.group(1))
    return None


WIDGET_IMPORT = re.compile(r"from[ \t]+lstm_lessons\.widgets(?:\.\w+)?[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n]+))")


def widgets(nb) -> list:
    """(name, title) of each lstm_lessons widget the notebook's code makes, in order of first use."""
    code = "\n".join(source(c) for c in nb.cells if c.cell_type == "code")
    names = [n.split(" as ")[0].strip() for m in WIDGET_IMPORT.finditer(code)
             for n in re.sub(r"#.*", "", m.group(1) or m.group(2)).split(",") if n.strip()]
    names += re.findall(r"\bwidgets\.([A-Z]\w+)\(", code)
    found = []
    try:
        import lstm_lessons.widgets as w
        import importlib
        import pkgutil
        classes = {}
        for mod in pkgutil.iter_modules(w.__path__):
            module = importlib.import_module(f"lstm_lessons.widgets.{mod.name}")
            classes.update({k: v for k, v in vars(module).items() if isinstance(v, type) and issubclass(v, w.FigureWidget)
                            and v is not w.FigureWidget})
    except ImportError:  # without ipywidgets: the names alone
        classes = None
    for name in dict.fromkeys(names):
        if not re.search(rf"\b{name}\s*\(", code):
            continue
        if classes is None:
            found.append((name, ""))
        elif name in classes:
            found.append((name, " ".join(str(classes[name].title).split())))
    return found


def _figures(cell) -> list:
    """(png bytes, alt) of each figure in a cell's outputs: plots.show's <img>, or a widget's picture."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        html = "".join(data.get("text/html", ""))
        for m in re.finditer(r'<img src="data:image/png;base64,([^"]+)"(?:[^>]*?alt="([^"]*)")?', html):
            out.append((base64.b64decode(m.group(1)), html_lib.unescape(m.group(2) or "")))
        if "image/png" in data and not html:
            alt = o.get("metadata", {}).get("image/png", {}).get("alt", "")
            out.append((base64.b64decode(data["image/png"]), alt))
    return out


def key_figure(nb):
    """(png, alt) of the figure of the cell tagged key-figure, else of the first figure; None if none."""
    tagged = [c for c in nb.cells if c.cell_type == "code" and "key-figure" in c.metadata.get("tags", [])]
    for cell in tagged + [c for c in nb.cells if c.cell_type == "code"]:
        figs = _figures(cell)
        if figs:
            return figs[0]
    return None


def thumbnail(png: bytes) -> bytes:
    from PIL import Image
    img = Image.open(io.BytesIO(png)).convert("RGB")
    height = round(img.height * THUMB_WIDTH / img.width)
    small = img.resize((THUMB_WIDTH, height), Image.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def runtimes() -> tuple:
    """({notebook file name: seconds}, a phrase saying where they were measured)."""
    if not BENCH.exists():
        return {}, ""
    data = json.loads(BENCH.read_text())
    rows = data["notebooks"] if isinstance(data, dict) else data
    machine = data.get("machine", {}) if isinstance(data, dict) else {}
    where = f"{machine.get('cpus', '?')}-core CPU, one torch thread" if machine else "the benchmark machine"
    return {pathlib.Path(r["notebook"]).name: r["wall_s"] for r in rows}, where


def entry(path: pathlib.Path, nb, times: dict, where: str) -> str:
    name, number = path.name, path.name[:2]
    t = title(nb, path)
    lines = [f"### [{t}](notebooks/{name})", ""]
    fig = key_figure(nb)
    if fig:
        alt = html_lib.escape(" ".join(fig[1].split()), quote=True) or f"the key figure of notebook {number}"
        lines += [f'<a href="notebooks/{name}"><img src="docs/thumbnails/{number}.png" align="right" '
                  f'width="{THUMB_WIDTH // 4 * 3}" alt="{alt}"></a>', ""]
    what = teaches(nb)
    if what:
        lines += [f"**Teaches:** {what}" + ("" if what.endswith("...") else "."), ""]
    ws = widgets(nb)
    if ws:
        lines += ["**Widgets:** " + "; ".join(f"`{n}`" + (f" ({t})" if t else "") for n, t in ws) + ".", ""]
    facts = []
    if name in times:
        facts.append(f"runs in {times[name]:.0f} s ({where})")
    else:
        facts.append("runtime not measured yet (`python benchmarks/notebooks.py --save`)")
    minutes = study_minutes(nb)
    if minutes:
        facts.append(f"about {minutes} minutes to study")
    lines += ["**Time:** " + "; ".join(facts) + ".", ""]
    practice = f"notebooks/practice/{name}"
    lines += [f"**Open:** [notebook](notebooks/{name}) · [Colab]({project.colab_url(name)}) · "
              f"[Binder]({project.binder_url(name)}) · practice copy: [here]({practice}), "
              f"[on Colab]({project.colab_url('practice/' + name)}) · slides: `slides/{path.stem}.slides.html` "
              "(`make slides`)", "", '<br clear="right">', ""]
    return "\n".join(lines)


def section(paths=None) -> tuple:
    """The README text between the markers, and {thumbnail path: png bytes}."""
    times, where = runtimes()
    parts, thumbs = [START, ""], {}
    for path in paths or numbered():
        nb = nbformat.read(path, as_version=4)
        parts.append(entry(path, nb, times, where))
        fig = key_figure(nb)
        if fig:
            thumbs[THUMBS / f"{path.name[:2]}.png"] = thumbnail(fig[0])
    parts.append(END)
    return "\n".join(parts), thumbs


def replace_section(readme: str, text: str) -> str:
    if START not in readme or END not in readme:
        raise ValueError(f"README.md has no section between {START!r} and {END!r}: add the two markers where the "
                         "list of notebooks goes")
    head, rest = readme.split(START, 1)
    return head + text + rest.split(END, 1)[1]


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def same_picture(a: bytes, b: bytes) -> bool:
    """Two PNGs show the same picture (the encoder's bytes may differ between Pillow versions)."""
    pa, pb = _pixels(a), _pixels(b)
    return pa.shape == pb.shape and abs(pa - pb).mean() < 1.0


def stale(readme_path: pathlib.Path = None) -> list:
    text, thumbs = section()
    out = []
    readme = (readme_path or README).read_text()
    try:
        if replace_section(readme, text) != readme:
            out.append("README.md: the list of notebooks is out of date")
    except ValueError as err:
        out.append(str(err))
    for path, png in thumbs.items():
        if not path.exists() or not same_picture(path.read_bytes(), png):
            out.append(f"{path.relative_to(ROOT)} is missing or out of date")
    wanted = set(thumbs)
    out += [f"{p.relative_to(ROOT)} belongs to no notebook" for p in THUMBS.glob("*.png") if p not in wanted] \
        if THUMBS.exists() else []
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what is out of date; change nothing")
    parser.add_argument("--readme", type=pathlib.Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        problems = stale(args.readme)
        print("\n".join(problems) if problems else "README.md and docs/thumbnails/ are up to date")
        return 1 if problems else 0
    text, thumbs = section()
    args.readme.write_text(replace_section(args.readme.read_text(), text))
    THUMBS.mkdir(parents=True, exist_ok=True)
    for path, png in thumbs.items():
        if not path.exists() or not same_picture(path.read_bytes(), png):
            path.write_bytes(png)
    for p in THUMBS.glob("*.png"):
        if p not in thumbs:
            p.unlink()
    print(f"wrote {args.readme.name} ({len(thumbs)} thumbnails in {THUMBS.relative_to(ROOT)}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
