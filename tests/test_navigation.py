"""Every notebook carries previous / next links and badges, top and bottom, and they are current."""

import json
import pathlib
import re
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import navigation  # noqa: E402

SERIES = navigation.numbered()


def _nav_cells(path):
    nb = json.loads(path.read_text())
    return [(k, "".join(c["source"])) for k, c in enumerate(nb["cells"]) if navigation.TAG in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("path", SERIES, ids=[p.stem for p in SERIES])
def test_navigation_is_present_and_current(path):
    assert not navigation.apply(path, SERIES, write=False), \
        f"{path.name}: navigation is missing or stale; run python tools/navigation.py"
    cells = _nav_cells(path)
    total = len(json.loads(path.read_text())["cells"])
    assert [k for k, _ in cells] == [1, total - 1], "one navigation cell after the title, one at the end"
    for _, source in cells:
        for target in re.findall(r"\]\((?!https?://)([^)]+\.ipynb)\)", source):  # the badges link to the web
            assert (ROOT / "notebooks" / target).exists(), f"{path.name} links to a missing notebook {target}"
    bottom = cells[-1][1]
    if path != SERIES[-1]:
        nxt = SERIES[SERIES.index(path) + 1].name
        assert nxt in bottom and "colab.research.google.com" in bottom and "mybinder.org" in bottom, \
            "the last cell links to the next notebook, with its Colab and Binder badges"


def test_the_tool_is_idempotent_and_notices_a_missing_cell(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for p in SERIES[:3]:
        shutil.copy(p, folder / p.name)
    series = navigation.numbered(folder)
    for p in series:
        navigation.apply(p, series)
    assert not any(navigation.apply(p, series, write=False) for p in series), "a second run changes nothing"
    assert all(len(_nav_cells(p)) == 2 for p in series)
    nb = json.loads(series[1].read_text())
    nb["cells"] = [c for c in nb["cells"] if navigation.TAG not in c["metadata"].get("tags", [])]
    series[1].write_text(json.dumps(nb))
    assert navigation.apply(series[1], series, write=False), "a notebook without navigation is reported"
    top = navigation.top_source(series[1], series)
    assert series[0].name in top and series[2].name in top and "Previous" in top and "Next" in top
