"""Every exercise: its solution passes its checker, its stub gets "not attempted yet", the notebook's stub matches.

The solutions (lstm_lessons/solutions/nbNN.py) are the only worked answers of the series; the
notebooks hold stubs. These tests keep the three in step: a solution that stops passing, a
checker that stops recognising a stub, or a stub whose name or signature drifts from its
solution fails here.
"""

from __future__ import annotations

import ast
import inspect
import json
import pathlib

import pytest

from lstm_lessons import checks, solutions
from lstm_lessons.checks.engine import NOT_ATTEMPTED

ROOT = pathlib.Path(__file__).resolve().parents[1]
ALL = [e for nb in solutions.NOTEBOOKS for e in solutions.exercises(nb)]
IDS = [f"{e.notebook}-{e.number}-{e.name}" for e in ALL]


def _stub_for(solution):
    """What the notebook gives the learner: the same signature raising NotImplementedError, or `...`."""
    if not callable(solution):
        return ...
    signature = inspect.signature(solution)
    namespace: dict = {}
    exec(f"def stub{signature}:\n    raise NotImplementedError", namespace)
    return namespace["stub"]


def test_there_are_exercises_for_the_first_notebooks():
    assert {e.notebook for e in ALL} >= {"00", "01", "02"}


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_the_solution_passes_its_checker(ex):
    result = getattr(checks, ex.checker)(ex.solution)
    assert result.passed, f"{ex.checker} rejects the solution of {ex.notebook}.{ex.number}: {result!r}"


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_a_stub_is_not_attempted_yet(ex):
    result = getattr(checks, ex.checker)(_stub_for(ex.solution))
    assert result.verdict == NOT_ATTEMPTED, repr(result)
    assert not result and "Traceback" not in result.message
    assert f'show_solution("{ex.notebook}", {ex.number})' in result.hint, \
        f"the verdict should point to this exercise's solution; got hint {result.hint!r}"


@pytest.mark.parametrize("ex", ALL, ids=IDS)
def test_show_solution_displays_the_source(ex):
    shown = solutions.show_solution(ex.notebook, ex.number)
    assert ex.source in shown.data and ex.checker in shown.data
    assert "<" in shown._repr_html_(), "the solution should be shown as highlighted HTML in a notebook"
    compiled = compile(ex.source, "<solution>", "exec")  # the shown text is runnable on its own
    assert compiled is not None


def test_unknown_exercises_are_explained():
    with pytest.raises(solutions.LessonError, match="has no exercise 99; its exercises are: 1, 2, 3"):
        solutions.show_solution("01", 99)
    with pytest.raises(solutions.LessonError, match="notebook number"):
        solutions.show_solution("1a", 1)
    assert solutions.exercise(1, 1).name == solutions.exercise("01", 1).name


# --------------------------------------------------------------------------- the notebooks' stubs

def _notebook(nb: str):
    found = sorted((ROOT / "notebooks").glob(f"{nb}_*.ipynb"))
    return json.loads(found[0].read_text()) if found else None


def _exercise_cells(notebook: dict) -> list:
    return ["".join(c["source"]) for c in notebook["cells"]
            if c["cell_type"] == "code" and "exercise" in c.get("metadata", {}).get("tags", [])]


def _defined(source: str) -> dict:
    """name -> signature text of every top-level def, or '=' for an assignment, in a cell's source."""
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = ast.unparse(node.args)
        elif isinstance(node, ast.Assign):
            out.update({t.id: "=" for t in node.targets if isinstance(t, ast.Name)})
    return out


NOTEBOOKS_WITH_EXERCISES = [nb for nb in solutions.NOTEBOOKS if _notebook(nb) and solutions.exercises(nb)]


@pytest.mark.parametrize("nb", NOTEBOOKS_WITH_EXERCISES)
def test_the_notebook_holds_stubs_that_match_the_solutions(nb):
    cells = _exercise_cells(_notebook(nb))
    stubs: dict = {}
    for source in cells:
        assert "raise NotImplementedError" in source or "..." in source, \
            f"notebook {nb}: an exercise cell should be a stub (raise NotImplementedError, or ...):\n{source}"
        assert "TODO" in source, f"notebook {nb}: a stub says what to write in a TODO line:\n{source}"
        stubs.update(_defined(source))
    for ex in solutions.exercises(nb):
        assert ex.name in stubs, f"notebook {nb} has no stub defining {ex.name!r} (exercise {ex.number})"
        solution_args = ast.unparse(ast.parse(ex.source).body[0].args) if callable(ex.solution) else "="
        assert stubs[ex.name] == solution_args, \
            f"notebook {nb}: the stub {ex.name}({stubs[ex.name]}) differs from its solution's ({solution_args})"


def _is_stub_statement(node) -> bool:
    """A docstring, `...`, `pass` or `raise NotImplementedError(...)`: what a stub's body may hold."""
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring or a bare ...
    if isinstance(node, ast.Raise):
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


@pytest.mark.parametrize("nb", NOTEBOOKS_WITH_EXERCISES)
def test_no_solution_is_saved_in_the_notebook(nb):
    """The worked answer must not sit under the words "write your own": every exercise cell is still a stub."""
    names = {ex.name for ex in solutions.exercises(nb)}
    for source in _exercise_cells(_notebook(nb)):
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                assert all(_is_stub_statement(s) for s in node.body), \
                    f"notebook {nb}: {node.name} is saved with an answer, not a stub:\n{ast.unparse(node)}"
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
                holds_ellipsis = any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(node.value))
                assert holds_ellipsis, f"notebook {nb}: {ast.unparse(node)} is saved with an answer, not `...`"
