"""The results files of the benchmark scripts that notebooks 06-09 plot, shipped with the package.

What this is: JSON files written by `benchmarks/*.py` (the folder `benchmarks/results` of a
checkout is a link to this one), and `load`, which reads one. They travel with the package, so a
notebook opened on Colab, where only the package is installed, plots the same files as a checkout.
What this is not: a cache of anything a notebook computes itself; a notebook re-runs one point of
each file live and asserts that it agrees.
"""

from __future__ import annotations

import json
import pathlib

from .._validate import LessonError

HERE = pathlib.Path(__file__).resolve().parent

__all__ = ["HERE", "path", "load"]


def path(name: str) -> pathlib.Path:
    """Where the results file `name` (for example "lstm_speed.json") lives."""
    if not isinstance(name, str) or not name.endswith(".json") or "/" in name:
        raise LessonError(f"name should be a results file's name such as 'lstm_speed.json'; got {name!r}. "
                          f"The files here: {', '.join(sorted(p.name for p in HERE.glob('*.json')))}.")
    return HERE / name


def load(name: str) -> dict:
    """The results file `name`, read; a clear error naming the script that makes it if it is missing."""
    file = path(name)
    if not file.is_file():
        script = "notebooks.py --save" if name == "notebooks.json" else name.replace(".json", ".py")
        raise LessonError(f"there is no results file {name} in {HERE}; make it with: python benchmarks/{script}")
    return json.loads(file.read_text())
