"""pyproject.toml and environment.yml name the same packages; the package imports cleanly."""

import pathlib
import re
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    names = {_name(d) for d in conda if _name(d) not in ("python", "pip")}
    names |= {_name(p) for p in pip if not p.startswith("-") and p != "."}
    assert names == wanted, f"only in environment.yml: {names - wanted}; only in pyproject.toml: {wanted - names}"
    assert "." in pip, "Binder should install lstm_lessons from the repository"
    assert re.fullmatch(r"python=\d+\.\d+\.\d+", next(d for d in conda if d.startswith("python"))), \
        "Binder should pin an exact Python version"


def test_dependencies_have_lower_bounds_only():
    project = _pyproject()["project"]
    for req in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        spec = req.split(";")[0]  # the version bound, without an environment marker such as python_version < '3.11'
        assert ">=" in spec and "<" not in spec.replace("<=", "") and "==" not in spec, req
    env = (ROOT / "environment.yml").read_text()
    for req in project["dependencies"]:
        assert req.replace(" ", "") in env.replace(" ", ""), f"environment.yml should use the bound {req}"


def test_importing_the_package_does_no_work():
    # no torch, no matplotlib, no widgets at import time: only names are defined
    code = ("import sys, lstm_lessons, lstm_lessons.cells, lstm_lessons.tasks, lstm_lessons.project; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_layers_import_only_downwards():
    # cells (NumPy only) <- modules (torch) <- plots, cell_drawing <- notebook, checks <- widgets;
    # solutions are imported by nothing in the package (only by show_solution's callers and the tests)
    package = ROOT / "lstm_lessons"
    src = {p.relative_to(package).with_suffix("").as_posix(): p.read_text() for p in package.rglob("*.py")}

    def imports(name):
        return set(re.findall(r"^\s*(?:from|import)\s+\.*(\w+)", src[name], re.M))

    assert not imports("cells") & {"torch", "matplotlib", "ipywidgets", "modules", "plots"}
    assert not imports("tasks") & {"torch", "matplotlib", "ipywidgets"}
    for low in ("plots", "cell_drawing"):
        assert not imports(low) & {"widgets", "checks", "notebook", "ipywidgets"}, low
    for name in src:
        if not name.startswith("widgets/"):
            assert "widgets" not in imports(name) - {"ipywidgets"}, f"{name} imports lstm_lessons.widgets"
        if not name.startswith("solutions/"):
            assert "solutions" not in imports(name), f"{name} imports lstm_lessons.solutions"


def test_the_results_files_the_notebooks_plot_ship_with_the_package():
    """benchmarks/results is a link into the package, whose data files include every results file."""
    from lstm_lessons import LessonError, results

    assert (ROOT / "benchmarks" / "results").resolve() == results.HERE, "benchmarks/results should link to lstm_lessons/results"
    config = _pyproject()
    assert "results/*.json" in config["tool"]["setuptools"]["package-data"]["lstm_lessons"]
    names = sorted(p.name for p in results.HERE.glob("*.json"))
    assert {"lstm_speed.json", "lstm_family.json", "long_range.json", "language_model.json"} <= set(names)
    for name in names:
        assert isinstance(results.load(name), dict), name
    with pytest.raises(LessonError, match="results file's name"):
        results.path("benchmarks/results/lstm_speed.json")
    with pytest.raises(LessonError, match="python benchmarks/no_such.py"):
        results.load("no_such.json")
