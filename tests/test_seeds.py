"""The margins each notebook asserts for its trained models hold over seeds 0-4, not only seed 0.

Each benchmarks/seeds_NN.py re-runs its notebook's own experiments for every seed and exits
non-zero if any claim fails for any of them.
"""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "benchmarks").glob("seeds_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_asserted_margins_hold_over_seeds(script):
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
