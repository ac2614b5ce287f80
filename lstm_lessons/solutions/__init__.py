"""Worked solutions to the exercises, revealed from inside a notebook with one call.

    from lstm_lessons.solutions import show_solution
    show_solution("01", 2)       # notebook 01, exercise 2, as highlighted code

Each notebook's solutions live in their own module (nb00 ... nb10) as ordinary Python: a
function with the name and signature of the exercise's stub (or, rarely, an assignment), and
a table EXERCISES that maps each exercise number to the name it defines and the checker in
`lstm_lessons.checks` that proves it. tests/test_solutions.py runs every solution through its
checker, and checks that the stubs in the notebooks have the same names and signatures.
The lessons never import these modules: a solution is shown only when a learner asks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass

from .._validate import LessonError

NOTEBOOKS = tuple(f"{k:02d}" for k in range(11))


@dataclass
class Exercise:
    """One exercise: where it is, the name its answer defines, its checker and its solution."""

    notebook: str
    number: int
    name: str
    checker: str
    solution: object
    source: str


def _notebook_id(notebook) -> str:
    text = f"{notebook:02d}" if isinstance(notebook, int) and not isinstance(notebook, bool) else str(notebook)
    if text not in NOTEBOOKS:
        raise LessonError(f"notebook should be a notebook number such as \"01\" (or 1), from \"00\" to \"10\"; "
                          f"got {notebook!r}.")
    return text


def _module(notebook: str):
    return importlib.import_module(f"{__name__}.nb{notebook}")


def _definition(module, name: str) -> str:
    """The source of the top-level statement of `module` that defines `name` (a def, a class or an assignment)."""
    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            return "\n".join(source.splitlines()[start - 1:node.end_lineno])
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.get_source_segment(source, node)
    raise LessonError(f"{module.__name__} defines no {name!r}.")


def exercises(notebook) -> list:
    """Every exercise of a notebook that has a solution, in order."""
    nb = _notebook_id(notebook)
    module = _module(nb)
    return [Exercise(nb, number, name, checker, getattr(module, name), _definition(module, name))
            for number, (name, checker) in sorted(getattr(module, "EXERCISES", {}).items())]


def exercise(notebook, number: int) -> Exercise:
    """One exercise of a notebook, by its number."""
    found = {e.number: e for e in exercises(notebook)}
    if number not in found:
        listed = ", ".join(map(str, found)) or "none yet"
        raise LessonError(f"notebook {_notebook_id(notebook)} has no exercise {number!r}; its exercises are: {listed}.")
    return found[number]


def solution_source(notebook, number: int) -> str:
    """The solution of one exercise, as source text."""
    return exercise(notebook, number).source


def show_solution(notebook, number: int):
    """Show one exercise's solution as highlighted code (plain text where no notebook front end runs)."""
    from IPython.display import Code

    ex = exercise(notebook, number)
    header = f"# A solution to notebook {ex.notebook}, exercise {ex.number}, proven by checks.{ex.checker}\n"
    return Code(header + ex.source, language="python")
