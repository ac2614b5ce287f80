"""Every notebook's claims hold with every seed shifted, not only with the seed it was saved with.

nbval (in `make test`) runs each notebook as saved; this runs each one more time with every
source of randomness shifted by OFFSET (tools/seeds.py), so a claim that is true for seed 0 only
fails here. The full sweep, 20 offsets or more per notebook, is run before a notebook is
committed (CONTRIBUTING.md); this is its sentinel in the test command.

`make test` splits the work to stay within its time budget: the main run takes the notebooks
without widgets (LSTM_SEED_NOTEBOOKS=plain), and the ipywidgets 7.7 job takes the widget notebooks
(LSTM_SEED_NOTEBOOKS=widgets), so that their shifted run also runs their widgets under the
ipywidgets Colab ships. Unset, every notebook is run.
"""

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import lstm_browser  # noqa: E402
import seeds  # noqa: E402

OFFSET = 13  # one of the swept offsets (1-20), fixed so that CI is reproducible
ALL = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WITH_WIDGETS = {p.name for p in lstm_browser.widget_notebooks(ROOT / "notebooks")}
CHOSEN = {"plain": [p for p in ALL if p.name not in WITH_WIDGETS],
          "widgets": [p for p in ALL if p.name in WITH_WIDGETS]}.get(os.environ.get("LSTM_SEED_NOTEBOOKS", ""), ALL)


@pytest.mark.parametrize("path", CHOSEN, ids=[p.stem for p in CHOSEN])
def test_claims_hold_with_shifted_seeds(path):
    result = seeds.run(str(path), OFFSET)
    assert not result["failures"], seeds.describe(result)

