"""Badges, the Colab install and the README links all derive from project.HOME."""

import pathlib

import nbformat
import pytest

from lstm_lessons import project

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_home_is_the_public_repository():
    assert project.HOME == "https://github.com/lstm-lessons/lstm-lessons"
    assert project.colab_url("01_x.ipynb").endswith("lstm-lessons/lstm-lessons/blob/main/notebooks/01_x.ipynb")
    assert project.binder_url("01_x.ipynb") == ("https://mybinder.org/v2/gh/lstm-lessons/lstm-lessons/main"
                                                "?urlpath=lab/tree/notebooks/01_x.ipynb")
    assert project.pip_spec() == "lstm-lessons @ git+https://github.com/lstm-lessons/lstm-lessons@main"


def test_pyproject_and_readme_use_home():
    assert f'Homepage = "{project.HOME}"' in (ROOT / "pyproject.toml").read_text()
    assert project.badges("00_welcome.ipynb") in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_badges_and_colab_cell_derive_from_home(path):
    assert project.sync_notebook(path, write=False) == [], \
        f"{path.name} is out of step with project.HOME: run python -m lstm_lessons.project"
    nb = nbformat.read(path, as_version=4)
    assert any(project.badges(path.name) in c.source for c in nb.cells if c.cell_type == "markdown")


def test_sync_rewrites_a_stale_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 05 · x\n\n[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](old)"),
        nbformat.v4.new_code_cell('import sys\nif "google.colab" in sys.modules:\n    %pip install -q old'),
    ])
    path = tmp_path / "05_x.ipynb"
    nbformat.write(nb, path)
    assert project.sync_notebook(path) == ["markdown", "code"]
    again = nbformat.read(path, as_version=4)
    assert project.badges("05_x.ipynb") in again.cells[0].source
    assert again.cells[1].source == project.colab_setup_source()
    assert project.sync_notebook(path) == []
