"""Write each notebook's navigation: previous / next links and the Colab and Binder badges, top and bottom.

    python tools/navigation.py            # rewrite the navigation cells of every numbered notebook
    python tools/navigation.py --check    # exit 1 (and say which) if any notebook's navigation is missing or stale

A learner who finishes a notebook should find the next one without hunting, and one who lands in
the middle should see where they are. The navigation lives in two small markdown cells tagged
`navigation`: one right after the title, one at the very end. The tool removes every cell with
that tag and writes both again from the list of notebooks and their titles, so running it twice
changes nothing, and renaming or adding a notebook only needs a rerun. The cells are skipped on
slides. Links are relative (JupyterLab, Notebook 7, Binder, GitHub); the badge of the next
notebook opens it on Colab, where relative links do not work.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_lessons import project  # noqa: E402

TAG = "navigation"


def title(path: pathlib.Path) -> str:
    """'03 · Designing a memory cell': the notebook's first line without the '# '."""
    nb = nbformat.read(path, as_version=4)
    first = "".join(nb.cells[0].source).splitlines()[0] if nb.cells else ""
    return re.sub(r"^#\s*", "", first).strip() or path.stem


def numbered(folder: pathlib.Path = ROOT / "notebooks") -> list:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _link(path: pathlib.Path, arrow_before: str = "", arrow_after: str = "") -> str:
    return f"[{arrow_before}{title(path)}{arrow_after}]({path.name})"


def top_source(path: pathlib.Path, series: list) -> str:
    """One line under the title: previous, the map (notebook 00), next."""
    k = series.index(path)
    parts = []
    if k > 0:
        parts.append("Previous: " + _link(series[k - 1], "← "))
    if k != 0:
        parts.append(f"[Map of the series]({series[0].name})")
    if k + 1 < len(series):
        parts.append("Next: " + _link(series[k + 1], "", " →"))
    return " · ".join(parts)


def bottom_source(path: pathlib.Path, series: list) -> str:
    """The last cell: where to go next, with badges to open it on Colab or Binder."""
    k = series.index(path)
    lines = ["---", ""]
    if k + 1 < len(series):
        nxt = series[k + 1]
        lines += [f"**Next: {_link(nxt, '', ' →')}**", "", project.badges(nxt.name), ""]
    else:
        lines += ["**You have reached the end of the series.** The map in "
                  f"[{title(series[0])}]({series[0].name}) lists every notebook.", ""]
    footer = []
    if k > 0:
        footer += ["Previous: " + _link(series[k - 1], "← "), f"[Map of the series]({series[0].name})"]
    lines.append(" · ".join(footer))
    return "\n".join(lines).rstrip()


def _nav_cell(source: str, where: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell["id"] = f"navigation-{where}"  # the same id on every run, so a rewrite does not churn the diff
    cell.metadata["tags"] = [TAG]
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    return cell


def apply(path: pathlib.Path, series: list, write: bool = True) -> bool:
    """Rewrite the notebook's navigation cells; returns True if anything changed."""
    nb = nbformat.read(path, as_version=4)
    before = [("".join(c.source), c.metadata.get("tags", [])) for c in nb.cells]
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    cells.insert(1, _nav_cell(top_source(path, series), "top"))
    cells.append(_nav_cell(bottom_source(path, series), "bottom"))
    nb.cells = cells
    changed = before != [("".join(c.source), c.metadata.get("tags", [])) for c in nb.cells]
    if changed and write:
        nbformat.write(nb, path)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale navigation; change nothing")
    args = parser.parse_args(argv)
    series = numbered()
    stale = [p.name for p in series if apply(p, series, write=not args.check)]
    if args.check:
        print("navigation up to date" if not stale else "stale or missing navigation: " + ", ".join(stale)
              + " (run python tools/navigation.py)")
        return 1 if stale else 0
    print("rewrote: " + (", ".join(stale) if stale else "nothing (all up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
