"""tools/seeds.py really shifts every source of randomness, and reports a claim that fails."""

import pathlib
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import seeds  # noqa: E402

# Each line prints a number drawn from one source of randomness, seeded with the same seed 5.
DRAWS = """\
import random
import numpy as np
import torch
from lstm_lessons import cells, notebook
session = notebook.setup(seed=5, quiet=True)
random.seed(5)
np.random.seed(5)
draws = {
    "default_rng": np.random.default_rng(5).random(),
    "legacy": np.random.random(),
    "RandomState": np.random.RandomState(5).random_sample(),
    "random": random.random(),
    "torch": (torch.manual_seed(5), torch.rand(1).item())[1],
    "Generator": torch.rand(1, generator=torch.Generator().manual_seed(5)).item(),
    "init_weights": float(cells.init_weights("rnn", 1, 1, seed=5).W_hh[0, 0]),
    "session.rng": session.rng.random(),
}
print(draws)
"""


def _notebook(tmp_path, *sources) -> str:
    path = tmp_path / "scratch.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return str(path)


def test_every_source_moves_with_the_offset_and_offset_zero_is_the_saved_run(tmp_path):
    import json

    import nbformat as nbf
    from nbclient import NotebookClient

    def draws(offset):
        nb = nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell(seeds.SHIFT_SOURCE.format(offset=offset)),
                                        nbf.v4.new_code_cell(DRAWS + "import json; print(json.dumps(draws))")])
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
        return json.loads(nb.cells[1].outputs[-1]["text"].strip().splitlines()[-1])

    plain = draws(0)
    shifted = draws(3)
    again = draws(3)
    assert shifted == again, "the same offset must give the same draws"
    for source in plain:
        assert plain[source] != shifted[source], f"{source} did not move with the offset"


def test_a_claim_true_for_one_seed_only_is_reported(tmp_path):
    claim = ("import numpy as np\n"
             "x = np.random.default_rng(0).random()\n"
             "assert abs(x - 0.6369616873214543) < 1e-12, 'this draw is only true for seed 0'")
    later = "y = x + 1  # runs after the failure: cells go on running"
    path = _notebook(tmp_path, claim, later)
    assert seeds.run(path, 0)["failures"] == []
    result = seeds.run(path, 4)
    assert [f["cell"] for f in result["failures"]] == [1]
    assert result["failures"][0]["error"] == "AssertionError"
    assert "only true for seed 0" in seeds.describe(result) and "first failure" in seeds.describe(result)


@pytest.mark.parametrize("text,offsets", [("7", [7]), ("1-4", [1, 2, 3, 4]), ("3,5,9", [3, 5, 9]),
                                          ("1-2,8", [1, 2, 8])])
def test_offsets_are_parsed(text, offsets):
    assert seeds.parse_offsets(text) == offsets
