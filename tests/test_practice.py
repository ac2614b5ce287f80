"""The practice copies: generated from the lessons, up to date, and their checks pass on the lessons' own code.

- every lesson has its copy in notebooks/practice/ and its recorded cases in
  lstm_lessons/practice_cases/, and both are what tools/practice.py would write now (no kernel:
  the copy is made again in memory, the cases are matched by a hash of the build cells);
- in every copy, putting the lesson's code back in place of the stubs gives the lesson's code;
- the lesson's own pieces pass the committed cases (a fresh process defines them as the lessons
  do and replays every case), as they did in the lesson's kernel when the cases were recorded;
- end to end, on a small lesson made here and run in this process (no kernel): record, write the
  copy, run it with the stubs as they are (the check says "not attempted yet"), with a wrong piece
  (it says what differs), and with the lesson's code put back (every check passes, and the cells
  after a check draw the same random numbers as the lesson's).
"""

import ast
import copy
import json
import pathlib
import subprocess
import sys
import textwrap

import nbformat
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import practice as tool  # noqa: E402

from lstm_lessons import practice  # noqa: E402

LESSONS = tool.numbered()
v4 = nbformat.v4


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_copy_and_cases_are_up_to_date(path):
    problems = tool.stale(path)
    assert not problems, "; ".join(problems) + " (run `make practice`, i.e. python tools/practice.py)"


def _statements(src):
    return sorted(ast.dump(s) for s in ast.parse(src).body)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_lessons_code_fills_the_stubs_back_in(path):
    # the copy as tools/practice.py makes it from the lesson now (whether the file is current is the test above)
    lesson = nbformat.read(path, as_version=4)
    copy_nb = tool.practice_copy(path, practice.summary(path.name[:2]), lesson)
    stubs = [c for c in copy_nb.cells if tool.STUB_TAG in c.metadata.get("tags", [])]
    builds = [c for c in lesson.cells if tool.is_build(c)]
    assert len(stubs) == len(builds), "one stub for each build cell"
    for stub, build in zip(stubs, builds):
        src = tool.source(stub)
        assert "TODO" in src and "..." in src or "raise NotImplementedError" in src
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef) and not (node.name.startswith("__") and node.name.endswith("__")):
                assert isinstance(node.body[-1], ast.Raise), f"{node.name}: a stub ends in raise NotImplementedError"
                assert len([s for s in node.body if not isinstance(s, ast.Expr)]) == 1, f"{node.name} gives code away"
        parts = tool.take_apart(tool.source(build))
        assert _statements(parts.lesson + "\n" + parts.given) == _statements(tool.source(build))
    filled = tool.filled(copy_nb, lesson)
    checks = [c for c in copy_nb.cells if c.cell_type == "code" and tool.CHECK_TAG in c.metadata.get("tags", [])]
    given = [c for c in copy_nb.cells if tool.GIVEN_TAG in c.metadata.get("tags", [])]
    assert len(filled) == len([c for c in lesson.cells if c.cell_type == "code"]) + len(checks) + len(given)
    assert not any(c.get("outputs") for c in copy_nb.cells if c.cell_type == "code"), "a copy has no outputs"


HARNESS = r"""
import ast, json, pathlib, re, sys
sys.path.insert(0, {tools!r})
import nbformat, practice as tool
from lstm_lessons import practice
report = {{}}


def lesson_globals(nb):
    # the names the lesson's code cells assign at top level
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            try:
                tree = ast.parse(tool.source(cell))
            except SyntaxError:
                continue
            for stmt in tree.body:
                for node in ast.walk(stmt) if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For)) else []:
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        names.add(node.id)
    return names

for path in map(pathlib.Path, {paths!r}):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    ns = {{"__name__": "__main__"}}
    exec(compile(tool.source(code[1]), "setup", "exec"), ns)  # the set-up cell: the notebook's imports
    names = []
    for cell in nb.cells:
        if tool.is_build(cell):
            parts = tool.take_apart(tool.source(cell))
            if parts.functions:
                exec(compile(parts.lesson, path.name, "exec"), ns)
                names += parts.functions
    summary = practice.summary(path.name[:2])
    recorded = {{n.split(".")[0] for n, p in summary.get("pieces", {{}}).items() if p["cases"] and p["kind"] != "value"}}
    for name in names:
        if name in recorded:
            r = practice.check(path.name[:2], namespace=ns, **{{name: ns[name]}})
            missing = re.search(r"raised NameError: name '(\w+)' is not defined", r.message)
            if missing and missing.group(1) in lesson_globals(nb):
                # the piece reads a name the lesson makes in a cell that is not a build cell (its data, say):
                # only running the lesson gives it, as it did when the cases were recorded and checked
                report[f"{{path.name[:2]}} {{name}}"] = [None, f"needs {{missing.group(1)}} from the lesson"]
                continue
            report[f"{{path.name[:2]}} {{name}}"] = [r.passed, r.message]
print("REPORT " + json.dumps(report))
"""


def test_the_lessons_own_pieces_pass_the_committed_cases():
    with_cases = [p for p in LESSONS if practice.summary(p.name[:2]).get("pieces")]
    if not with_cases:
        pytest.skip("no recorded cases yet (run `make practice`)")
    code = HARNESS.format(tools=str(ROOT / "tools"), paths=[str(p) for p in with_cases])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "notebooks",
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.split("REPORT ", 1)[1])
    failed = {k: v[1] for k, v in report.items() if v[0] is False}
    assert report and not failed, failed
    assert sum(v[0] is True for v in report.values()) >= len(report) // 2, f"most pieces replay without the lesson: {report}"


def test_pyproject_ships_the_cases_as_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    assert "practice_cases/*.pkl" in text and "practice_cases/*.json" in text


# --- the checker, without a kernel

def _namespace(code):
    ns = {"__name__": "__main__", "np": np}
    exec(compile(textwrap.dedent(code), "lesson", "exec"), ns)
    return ns


def test_recorded_calls_replay_into_a_learners_version(tmp_path, monkeypatch):
    monkeypatch.setitem(practice._FOLDER, "cases", tmp_path)
    ns = _namespace('''
        def step(x, h, scale=1.0):
            """x, h (B, H) -> tanh(x + h) * scale."""
            return np.tanh(x + h) * scale

        def twice(f, x):
            return f(f(x, x), x)

        def fill(out, value):
            out[:] = value
    ''')
    rec = practice.Recorder(ns, first=2, extra=1)
    rec.watch(["step", "twice", "fill"], 0)
    rng = np.random.default_rng(0)
    for _ in range(5):
        ns["step"](rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), scale=2.0)
    ns["step"](rng.normal(size=(4, 1)), rng.normal(size=(4, 1)))  # a new shape: kept as an extra case
    ns["twice"](ns["step"], np.ones(2))
    ns["fill"](np.zeros(3), 7.0)
    ns["c"] = np.arange(3.0)
    rec.value("c", 1)
    rec.save("97", tmp_path, {})
    assert rec.pieces["step"]["calls"] == 8 and len(rec.pieces["step"]["cases"]) == 3
    assert all(v["passed"] for v in rec.verify("97").values())

    learner = _namespace('''
        def step(x, h, scale=1.0):
            raise NotImplementedError

        def twice(f, x):
            return f(f(x, x), x)

        def fill(out, value):
            return None
    ''')
    r = practice.check("97", namespace=learner, step=learner["step"])
    assert not r.passed and not r.attempted and "stub" in r.message
    early = {"__name__": "__main__", "np": np}  # a copy run only up to twice's check: step is not defined yet
    r = practice.check("97", namespace=early, twice=learner["twice"])
    assert not r.passed and "further down" in r.message
    r = practice.check("97", namespace=learner, twice=learner["twice"])  # it calls the learner's stub step
    assert not r.passed and r.attempted and "step" in r.message
    exec("def step(x, h, scale=1.0):\n    return np.tanh(x + h)\n", learner)  # forgets the scale
    r = practice.check("97", namespace=learner, step=learner["step"])
    assert not r.passed and r.attempted and "differs" in r.message and "Call 1 of 3" in r.message
    exec("def step(x, h, scale=1.0):\n    return (np.tanh(x + h) * scale).T\n", learner)
    assert "shape" in practice.check("97", namespace=learner, step=learner["step"]).message
    exec("def step(x, h, scale=1.0):\n    return scale * np.tanh(h + x)\n", learner)
    assert practice.check("97", namespace=learner, step=learner["step"]).passed
    assert practice.check("97", namespace=learner, twice=learner["twice"]).passed
    r = practice.check("97", namespace=learner, fill=learner["fill"])
    assert not r.passed and "arguments after the call" in r.message, "an in-place piece is checked by what it changes"
    assert not practice.check("97", namespace=learner, c=...).attempted
    assert practice.check("97", namespace=learner, c=np.arange(3.0)).passed
    both = practice.check("97", namespace=learner, step=learner["step"], c=np.zeros(3))
    assert not both.passed and both.attempted


def test_a_check_leaves_the_random_generators_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setitem(practice._FOLDER, "cases", tmp_path)
    ns = _namespace('''
        def noisy(x):
            """A piece that draws: from NumPy's global generator and from the notebook's rng."""
            return x + np.random.normal(size=x.shape) + rng.normal(size=x.shape)
    ''')
    ns["rng"] = np.random.default_rng(1)
    rec = practice.Recorder(ns)
    rec.watch(["noisy"], 0)
    ns["noisy"](np.ones(3))
    rec.save("96", tmp_path, {})
    ns["rng"].normal(size=5), np.random.normal(size=7)  # later cells draw more: the replay starts from the call's state
    before = (ns["rng"].bit_generator.state, np.random.get_state()[1].copy())
    assert practice.check("96", namespace=ns, noisy=ns["noisy"]).passed
    assert ns["rng"].bit_generator.state == before[0] and np.array_equal(np.random.get_state()[1], before[1])


def test_differences_are_said_in_words():
    torch = pytest.importorskip("torch")
    assert practice.difference((np.ones(2), {"a": 1}), (np.ones(2), {"a": 1})) is None
    assert "shape (2, 3)" in practice.difference(np.zeros((2, 3)), np.zeros((3, 2)))
    assert "keys" in practice.difference({"a": 1}, {"b": 1})
    assert "2 items" in practice.difference((1, 2), (1,))
    assert practice.difference(torch.ones(2, dtype=torch.float64), np.ones(2)) is None
    m = torch.nn.Linear(2, 2)
    assert practice.difference(m, torch.nn.Linear(2, 2)) is not None and practice.difference(m, m) is None


# --- end to end, in this process (no kernel: tools/practice.py runs the lessons in one)

LESSON = [
    ("markdown", "# 98 · A lesson for the tests\n\n" + "A lesson.", []),
    ("code", "import numpy as np\nrng = np.random.default_rng(0)", []),
    ("code", 'def double(x):\n    """x (B,) -> 2 x."""\n    # y = 2 x\n    return 2 * x\n\n\n'
             "y = double(rng.normal(size=3))\nprint(y.round(3))", ["build"]),
    ("code", 'def twice(f, x):\n    """f applied twice to x."""\n    return f(f(x))', ["build"]),
    ("code", "print(twice(double, np.ones(2)))", []),
    ("code", "# z = y + 1\nz = y + 1  # (B,)", ["build"]),
    ("code", 'class Scale:\n    """Multiplies by k."""\n\n    def __init__(self, k):\n        self.k = k\n\n'
             "    def apply(self, x):\n        # k x\n        return self.k * x", ["build"]),
    ("code", "s = Scale(3.0)\nprint(s.apply(np.arange(3.0)))", []),
    ("code", "w = rng.normal(size=2)\nref = np.random.default_rng(0)\nref.normal(size=3)\n"
             "assert np.allclose(w, ref.normal(size=2)), 'the checks drew no random numbers'", []),
]


def _run_here(nb, cwd, allow_errors=False):
    """Run a notebook's code cells in this process, in one namespace, as a kernel would (in place):
    printed text as a stream output, the value of a last expression as its execute_result, an error
    as an error output (raised unless allow_errors)."""
    import contextlib
    import io
    import os

    ns = {"__name__": "__main__"}
    here = os.getcwd()
    os.chdir(cwd)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(tool.source(cell))
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            buf, outputs = io.StringIO(), []
            try:
                with contextlib.redirect_stdout(buf):
                    exec(compile(tree, "cell", "exec"), ns)
                    value = eval(compile(ast.Expression(last.value), "cell", "eval"), ns) if last else None
            except Exception as err:  # noqa: BLE001
                if not allow_errors:
                    raise
                value = None
                outputs.append(v4.new_output("error", ename=type(err).__name__, evalue=str(err), traceback=[]))
            if buf.getvalue():
                outputs.insert(0, v4.new_output("stream", name="stdout", text=buf.getvalue()))
            if value is not None:
                outputs.append(v4.new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1))
            cell.outputs = outputs
    finally:
        os.chdir(here)
    return nb


def _texts(cell):
    out = []
    for o in cell.get("outputs", []):
        out.append(o.get("text", "") + "".join(o.get("data", {}).get("text/plain", "")) + o.get("evalue", ""))
    return " ".join(out)


def test_end_to_end_record_copy_fill_and_check(tmp_path, monkeypatch):
    monkeypatch.setitem(practice._FOLDER, "cases", practice.CASES)  # recording points it elsewhere: put it back after
    lessons = tmp_path / "notebooks"
    lessons.mkdir()
    path = lessons / "98_practice_test.ipynb"
    cells = []
    for kind, src, tags in LESSON:
        cell = v4.new_markdown_cell(src) if kind == "markdown" else v4.new_code_cell(src)
        cell.metadata["tags"] = tags
        cells.append(cell)
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})
    nbformat.write(nb, path)
    cases, copies = tmp_path / "cases", lessons / "practice"
    summary = tool.generate(path, cases=cases, practice=copies, quiet=True, execute=_run_here)
    assert set(summary["verified"]) == {"double", "twice", "z", "Scale"}
    assert all(v["passed"] for v in summary["verified"].values())
    assert summary["pieces"]["Scale.apply"]["cases"] == 1 and summary["pieces"]["double"]["cases"] >= 2
    assert tool.stale(path, cases, copies) == []

    copy_nb = nbformat.read(copies / path.name, as_version=4)
    point = v4.new_code_cell(f"import pathlib, lstm_lessons.practice as p\np._FOLDER['cases'] = pathlib.Path({str(cases)!r})\n"
                             "p._blobs.cache_clear()")
    stubs = [k for k, c in enumerate(copy_nb.cells) if tool.STUB_TAG in c.metadata.get("tags", [])]
    checks = [k for k, c in enumerate(copy_nb.cells) if tool.CHECK_TAG in c.metadata.get("tags", [])]
    assert len(stubs) == 4 and len(checks) == 4 and "raise NotImplementedError" in tool.source(copy_nb.cells[stubs[0]])
    assert "z = ...  # TODO: compute z, (B,)" in tool.source(copy_nb.cells[stubs[2]])
    assert "def __init__(self, k):\n        self.k = k" in tool.source(copy_nb.cells[stubs[3]]), "__init__ is given"

    # a learner's copy: the first piece written wrongly, the second still the stub
    wrong = nbformat.from_dict(copy.deepcopy(copy_nb))
    wrong.cells[stubs[0]].source = 'def double(x):\n    return 3 * x'
    ran = _run_with_point(wrong, point, lessons, allow_errors=True)
    assert "differs" in str(ran.cells[checks[0]].outputs), "a wrong piece: what differs, in words"
    assert "NOT ATTEMPTED YET" in _texts(ran.cells[checks[1]]), "a stub: not attempted yet"

    filled = nbformat.from_dict(copy.deepcopy(copy_nb))
    lesson_nb = nbformat.read(path, as_version=4)
    for k, code in zip(stubs, [tool.take_apart(tool.source(c)).lesson for c in lesson_nb.cells if tool.is_build(c)]):
        filled.cells[k].source = code
    ran = _run_with_point(filled, point, lessons)
    for k in checks:
        assert "PASSED" in _texts(ran.cells[k]), tool.source(ran.cells[k])


def _run_with_point(nb, point, cwd, allow_errors=False):
    run = nbformat.from_dict(copy.deepcopy(nb))
    run.cells.insert(0, copy.deepcopy(point))
    ran = _run_here(run, cwd, allow_errors)
    ran.cells.pop(0)  # so that the copy's indices hold
    return ran
