"""Every numbered notebook follows the series' skeleton and is saved executed (CONTRIBUTING.md).

nbval (in `make test`) runs each notebook; these tests check what a reader meets without running it.
"""

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import notebooks as nbtools  # noqa: E402

NOTEBOOKS = nbtools.numbered()


def test_the_series_has_notebooks():
    assert any(p.name.startswith("00_") for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_follows_the_skeleton(path):
    assert nbtools.problems(path) == []


def test_the_skeleton_check_can_fail(tmp_path):
    import nbformat

    bad = tmp_path / "07_bad.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), bad)
    found = "\n".join(nbtools.problems(bad))
    for words in ("title", "badge", "What you will do", "Summary", "Exercises", "colab_setup_source",
                  "executed top to bottom", "slide metadata", "kernel"):
        assert words in found, words


def test_slide_types_follow_headings():
    import nbformat

    md = nbformat.v4.new_markdown_cell
    assert [nbtools.slide_type(c) for c in (md("# 01 · t"), md("## Sec"), md("### Sub"), md("text"),
                                            nbformat.v4.new_code_cell("x"))] == ["slide", "slide", "subslide", "-", "-"]
