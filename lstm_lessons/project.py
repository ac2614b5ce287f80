"""Where the series lives, and everything derived from that one address.

HOME is the project's public home. The badges at the top of every notebook, the Colab
install line in every setup cell and the links in the README are generated from it here
and checked against it by the tests (tests/test_project.py); run
`python -m lstm_lessons.project` to rewrite them in every notebook after changing HOME.
Standard library only, so this works before anything else is installed.
"""

from __future__ import annotations

import json
import pathlib
import sys

HOME = "https://github.com/lstm-lessons/lstm-lessons"
BRANCH = "main"
NOTEBOOK_DIR = "notebooks"

_OWNER_REPO = HOME.removeprefix("https://github.com/")


def colab_url(notebook: str) -> str:
    """Open-in-Colab address of a notebook, e.g. colab_url("00_welcome.ipynb")."""
    return f"https://colab.research.google.com/github/{_OWNER_REPO}/blob/{BRANCH}/{NOTEBOOK_DIR}/{notebook}"


def binder_url(notebook: str | None = None) -> str:
    """Binder address of the repository, opening JupyterLab on a notebook if one is named."""
    url = f"https://mybinder.org/v2/gh/{_OWNER_REPO}/{BRANCH}"
    return url + (f"?urlpath=lab/tree/{NOTEBOOK_DIR}/{notebook}" if notebook else "")


def pip_spec() -> str:
    """What pip installs on Colab: the package straight from the repository."""
    return f"lstm-lessons @ git+{HOME}@{BRANCH}"


def badges(notebook: str) -> str:
    """The Markdown badge line at the top of a notebook."""
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)}) "
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(notebook)})")


def colab_setup_source() -> str:
    """The first code cell of every notebook: installs the package on Colab, does nothing elsewhere."""
    return ("# On Colab, install the series' helper package from its repository; elsewhere it is already installed.\n"
            "import sys\n"
            "\n"
            "if \"google.colab\" in sys.modules:\n"
            f"    %pip install -q \"{pip_spec()}\"")


BADGE_MARKER = "colab-badge.svg"


def sync_notebook(path: pathlib.Path, write: bool = True) -> list:
    """Rewrite a notebook's badge line and Colab set-up cell from HOME; returns what differed."""
    nb = json.loads(path.read_text())
    changed = []
    for cell in nb["cells"]:
        if "navigation" in cell.get("metadata", {}).get("tags", []):
            continue  # tools/navigation.py writes those, with the badges of the next notebook
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and BADGE_MARKER in src:
            lines = src.split("\n")
            new = "\n".join(badges(path.name) if BADGE_MARKER in line else line for line in lines)
        elif cell["cell_type"] == "code" and "google.colab" in src and "%pip install" in src:
            new = colab_setup_source()
        else:
            continue
        if new != src:
            changed.append(cell["cell_type"])
            cell["source"] = new.splitlines(keepends=True)
    if changed and write:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return changed


if __name__ == "__main__":  # python -m lstm_lessons.project [notebooks...]
    root = pathlib.Path(NOTEBOOK_DIR)
    for p in [pathlib.Path(a) for a in sys.argv[1:]] or sorted(root.glob("[0-9]*.ipynb")):
        print(p, sync_notebook(p) or "up to date")
