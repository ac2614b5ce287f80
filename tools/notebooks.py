"""Maintain the notebooks: re-execute them in place, apply slide metadata, check the skeleton.

    python tools/notebooks.py execute [NOTEBOOK ...]   # fresh kernel, top to bottom, in place
    python tools/notebooks.py slides  [NOTEBOOK ...]   # (re)apply slide metadata
    python tools/notebooks.py check   [NOTEBOOK ...]   # print skeleton problems; exit 1 if any

With no notebook named, every numbered notebook in notebooks/ is taken, in order.
"""

from __future__ import annotations

import pathlib
import re
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))

from lstm_lessons import project  # noqa: E402

REQUIRED_HEADINGS = ("## What you will do", "## What you will learn", "## What you need", "## Summary", "## Exercises")


def numbered(paths=None) -> list:
    """The notebooks named, or every numbered one in notebooks/, in order."""
    return [pathlib.Path(p) for p in paths] if paths else sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def slide_type(cell) -> str:
    """Title and '## ' sections start a slide, '### ' a sub-slide; everything else continues it."""
    src = "".join(cell.source).lstrip()
    if "navigation" in cell.metadata.get("tags", []):
        return "skip"  # previous / next links (tools/navigation.py) have no place on a slide
    if cell.cell_type == "markdown" and (src.startswith("# ") or src.startswith("## ")):
        return "slide"
    if cell.cell_type == "markdown" and src.startswith("### "):
        return "subslide"
    return "-"


def apply_slides(nb) -> None:
    for cell in nb.cells:
        cell.metadata.setdefault("slideshow", {})["slide_type"] = slide_type(cell)


def execute(path: pathlib.Path, timeout: int = 180) -> float:
    """Run a notebook top to bottom in a fresh kernel and save it with its outputs; returns seconds."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    apply_slides(nb)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=True).execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def problems(path: pathlib.Path) -> list:
    """What keeps a notebook from the series' skeleton (CONTRIBUTING.md), as sentences."""
    out = []
    nb = nbformat.read(path, as_version=4)
    if not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name):
        out.append("the file name should be NN_words_with_underscores.ipynb")
    md = [("".join(c.source)) for c in nb.cells if c.cell_type == "markdown"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not nb.cells or nb.cells[0].cell_type != "markdown" or not "".join(nb.cells[0].source).startswith(f"# {path.name[:2]} "):
        out.append(f"the first cell should be the title, '# {path.name[:2]} ...'")
    if not any(project.badges(path.name) in m for m in md):
        out.append("the badge line should be project.badges(name) (run python -m lstm_lessons.project)")
    text = "\n".join(md)
    for heading in REQUIRED_HEADINGS:
        if not re.search(rf"^{re.escape(heading)}\b", text, re.M):
            out.append(f"missing the section '{heading}'")
    sources = ["".join(c.source) for c in code]
    if not sources or sources[0] != project.colab_setup_source():
        out.append("the first code cell should be project.colab_setup_source()")
    if len(sources) < 2 or "setup(" not in sources[1]:
        out.append("the second code cell should call lstm_lessons.notebook.setup(...)")
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        out.append("it should be saved executed top to bottom in a fresh kernel (execution counts 1..n)")
    for k, c in enumerate(code, 1):
        if any(o.output_type == "error" for o in c.outputs):
            out.append(f"code cell {k} has an error output")
    if any("slideshow" not in c.metadata for c in nb.cells):
        out.append("every cell needs slide metadata (python tools/notebooks.py slides)")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        out.append("the kernel should be python3")
    return out


def main(argv) -> int:
    if not argv or argv[0] not in ("execute", "slides", "check"):
        print(__doc__)
        return 2
    cmd, paths = argv[0], numbered(argv[1:])
    status = 0
    for path in paths:
        if cmd == "execute":
            print(f"{path.name}: executed in {execute(path):.1f} s", flush=True)
        elif cmd == "slides":
            nb = nbformat.read(path, as_version=4)
            apply_slides(nb)
            nbformat.write(nb, path)
        else:
            found = problems(path)
            status |= bool(found)
            print(f"{path.name}: " + ("ok" if not found else "\n  - " + "\n  - ".join(found)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
