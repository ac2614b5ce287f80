"""Write the practice copies: each lesson with the pieces it builds turned into stubs, each followed by its check.

    python tools/practice.py                 # every numbered notebook: copies, and cases where stale
    python tools/practice.py notebooks/01_vanilla_rnn.ipynb [--record]
    python tools/practice.py --check         # exit 1 (and say why) if a copy or its cases are out of date

The cells of a lesson tagged `build` (CONTRIBUTING.md) are where it builds a piece in front of the
learner. In the practice copy, `notebooks/practice/NN_name.ipynb`, each such cell becomes

1. a stub: the signature and docstring of each function it defines, its full-line comments (the
   equations, kept as hints), a `# TODO:` line and `raise NotImplementedError`. A class keeps its
   `__init__` (and its other dunder methods) given, and each other method becomes a stub. A
   build cell that defines no function (`c = f * c_prev + i * g`) becomes `c = ...  # TODO: ...`;
2. a check, `practice.check("NN", name=name)` (lstm_lessons.practice), which replays the calls the
   lesson made of that piece into the learner's version and compares the results;
3. the rest of the build cell, if it held more than the piece (a first call, a print), as a cell
   of its own, so it runs after the check.

Everything else is the lesson, outputs cleared. The copy starts with a cell that says it is
generated and how to use it; its badges and navigation point at the practice copies.

The recorded calls come from running the lesson once, in a fresh kernel, with each piece wrapped
by a recorder right after its build cell (`--record`, or automatically when the build cells
changed). In the same kernel, each check is then run on the lesson's own piece, reading the
cases back from the file; a copy is written only if every check passes. The cases go to
`lstm_lessons/practice_cases/NN.pkl` (package data: Colab has them after pip install) with a
readable summary `NN.json`: the pieces, how many calls each, what could not be recorded and why
(a piece whose calls hold a generator or a lambda has no replay: its copy says that the lesson's
own checks in the cells that follow test it), and a hash of the lesson's build cells, by which
`--check` and tests/test_practice.py know the cases are current without a kernel.

Never edit a copy by hand: change the lesson and run this again.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import pathlib
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PRACTICE = NOTEBOOKS / "practice"
CASES = ROOT / "lstm_lessons" / "practice_cases"
sys.path.insert(0, str(ROOT))

from lstm_lessons import project  # noqa: E402

TAG, STUB_TAG, CHECK_TAG, GIVEN_TAG, HEADER_TAG = "build", "practice-stub", "practice-check", "practice-given", \
    "practice-header"
FORMAT = 1
RECORDER = "__lstm_practice_recorder"


def numbered(folder: pathlib.Path = NOTEBOOKS) -> list:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def source(cell) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else cell.source


def is_build(cell) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


# --------------------------------------------------------------------------- a build cell, taken apart

@dataclass
class Build:
    """A build cell: the pieces it defines, their stub, the lesson's code of them, and the rest."""
    functions: list = field(default_factory=list)  # names of functions and classes
    values: list = field(default_factory=list)     # names a value cell assigns
    stub: str = ""
    lesson: str = ""   # the lesson's code of the pieces (what fills the stub back in)
    given: str = ""    # the cell's other statements

    @property
    def names(self) -> list:
        return self.functions + self.values


def _span(stmt, lines, prev_end):
    """Line range [a, b) of a statement with its decorators and the comment lines right above it."""
    first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])]) - 1
    while first - 1 >= prev_end and lines[first - 1].strip().startswith("#"):
        first -= 1
    return first, stmt.end_lineno


def _body_comments(fn, lines, indent: str) -> list:
    """The full-line comments inside a function's body, at the body's indent: the hints a stub keeps."""
    out = []
    for line in lines[fn.body[0].lineno - 1: fn.end_lineno]:
        if line.strip().startswith("#"):
            out.append(indent + line.strip())
    return out


def _stub_function(fn, lines, base: str = "") -> str:
    """A function's stub: signature, docstring, comments, TODO, raise NotImplementedError."""
    body = fn.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
        and isinstance(body[0].value.value, str)
    first = min([fn.lineno] + [d.lineno for d in fn.decorator_list]) - 1
    if body[0].lineno == fn.lineno:  # `def f(x): return x` on one line
        raise ValueError(f"{fn.name}: write the body of a build function on its own lines")
    head_end = body[0].end_lineno if has_doc else body[0].lineno - 1
    head = lines[first:head_end]
    while head and not head[-1].strip():
        head.pop()
    indent = re.match(r"\s*", lines[body[0].lineno - 1]).group(0)
    hints = _body_comments(fn, lines, indent) if len(body) > has_doc else []
    todo = ("# TODO: write the body; the comments above are what it computes" if hints
            else "# TODO: write the body, as the docstring says" if has_doc else "# TODO: write the body")
    return "\n".join(head + hints + [indent + todo, indent + "raise NotImplementedError"])


def _stub_class(cls, lines) -> str:
    """A class's stub: its lines as they are, except that each method but the dunders becomes a stub."""
    out, pos = [], min([cls.lineno] + [d.lineno for d in cls.decorator_list]) - 1
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not (
                stmt.name.startswith("__") and stmt.name.endswith("__")):
            a, b = _span(stmt, lines, pos)
            out += lines[pos:a]
            out.append(_stub_function(stmt, lines))
            pos = b
    out += lines[pos:cls.end_lineno]
    return "\n".join(out)


def _value_names(stmt) -> list:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
    names = []
    for t in targets:
        if isinstance(t, ast.Name):
            names.append(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts):
            names += [e.id for e in t.elts]
        else:
            return []
    return names


def take_apart(src: str, where: str = "a build cell") -> Build:
    """Split a build cell into its pieces (functions and classes; else the values it assigns) and the rest."""
    try:
        tree = ast.parse(src)
    except SyntaxError as err:
        raise ValueError(f"{where} is not plain Python: {err}") from err
    lines = src.split("\n")
    b = Build()
    defs = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    stub, lesson, given, prev = [], [], [], 0
    for stmt in tree.body:
        a, e = _span(stmt, lines, prev)
        text = "\n".join(lines[a:e])
        if defs:
            if stmt in defs:
                b.functions.append(stmt.name)
                lesson.append(text)
                stub.append(_stub_class(stmt, lines) if isinstance(stmt, ast.ClassDef) else _stub_function(stmt, lines))
            else:
                given.append(text)
        else:
            names = _value_names(stmt)
            if names:
                b.values += names
                lesson.append(text)
                comments = [ln for ln in lines[a:stmt.lineno - 1] if ln.strip().startswith("#")]
                trailing = re.search(r"#\s*(.*)$", lines[stmt.end_lineno - 1])
                what = f", {trailing.group(1).strip()}" if trailing and "'" not in trailing.group(1) \
                    and '"' not in trailing.group(1) else ""
                rhs = ", ".join(["..."] * len(names))
                stub.append("\n".join(comments + [f"{', '.join(names)} = {rhs}  # TODO: compute "
                                                  f"{' and '.join(names)}{what}"]))
            else:
                given.append(text)
        prev = e
    if not b.names:
        raise ValueError(f"{where} defines no function or class and assigns no value: nothing to practise")
    b.stub, b.lesson, b.given = "\n\n\n".join(stub), "\n\n\n".join(lesson), "\n".join(given).strip("\n")
    return b


# --------------------------------------------------------------------------- the copy

def lesson_hash(nb) -> str:
    """What the recorded cases depend on: the build cells, and for a value piece every code cell up to it."""
    parts = [f"format {FORMAT}"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    last_value = -1
    for k, cell in enumerate(code):
        if is_build(cell):
            parts.append(source(cell))
            if not take_apart(source(cell)).functions:
                last_value = k
    parts += [source(c) for c in code[:last_value + 1]]
    return hashlib.sha256("\n\x00\n".join(parts).encode()).hexdigest()[:16]


def _practice_links(text: str, name: str) -> str:
    """Badges and navigation of a copy open the practice copies, not the lessons."""
    def badge(m):
        return project.badges("practice/" + m.group(1))
    pattern = re.escape(project.badges("NAME")).replace("NAME", r"(\d\d_[a-z0-9_]+\.ipynb)")
    return re.sub(pattern, badge, text)


def header_source(path: pathlib.Path, builds: list, summary: dict) -> str:
    number = path.name[:2]
    pieces = summary.get("pieces", {})
    replayed, lesson_checked = [], []
    for b in builds:
        for name in b.names:
            recorded = pieces.get(name, {}).get("cases", 0) or any(
                k.startswith(name + ".") and v.get("cases") for k, v in pieces.items())
            (replayed if recorded else lesson_checked).append(f"`{name}`")
    lines = [f"> **Practice copy** of [{path.stem}](../{path.name}), written by `tools/practice.py` "
             "(never edited by hand: it is made again whenever the lesson changes).", ">"]
    if not builds:
        lines += ["> This notebook builds no piece of a model in front of you; its practice is the exercises "
                  "at the end. Run it top to bottom and do those."]
    else:
        lines += [f"> Where the lesson builds a piece, this copy has a stub for you to write: "
                  + ", ".join(replayed + lesson_checked) + ".",
                  "> Each stub keeps the signature, the docstring and the comments with the equations; write "
                  "the body where it says `# TODO`, run the cell, then run the check below it: "
                  f"`practice.check(\"{number}\", ...)` calls your version with the arguments the lesson "
                  "used and compares what comes back with what the lesson's version gave.",
                  "> Cells further down use your pieces, so write each one before you run past it. Stuck? "
                  f"The lesson, [{path.name}](../{path.name}), builds every piece in full."]
        if lesson_checked:
            lines += [">", "> " + ", ".join(lesson_checked) + (" is" if len(lesson_checked) == 1 else " are")
                      + " checked by the lesson's own cells that follow (its calls in the lesson hold objects "
                      "that cannot be saved for a replay)."]
    return "\n".join(lines)


def _cell_id(cell, k: int, suffix: str = "") -> str:
    base = cell.get("id") or f"cell-{k}"
    return (base + suffix)[:64]


def practice_copy(path: pathlib.Path, summary: dict, nb=None):
    """The practice copy of a lesson, as a notebook: a pure function of the lesson and its cases' summary."""
    nb = nb or nbformat.read(path, as_version=4)
    number = path.name[:2]
    pieces = summary.get("pieces", {})
    builds = []
    cells = []
    for k, cell in enumerate(nb.cells):
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.cell_type == "markdown" and (k == 0 or "navigation" in cell.metadata.get("tags", [])):
            cell.source = _practice_links(source(cell), path.name)
        if not is_build(cell):
            cell.metadata.pop("slideshow", None)
            cells.append(cell)
            if k == 0:
                header = nbformat.v4.new_markdown_cell("")  # filled in below, once the pieces are known
                header.metadata["tags"] = [HEADER_TAG]
                header["id"] = "practice-header"
                cells.append(header)
            continue
        b = take_apart(source(cell), f"{path.name}, cell {k + 1}")
        builds.append(b)
        stub = nbformat.v4.new_code_cell(b.stub)
        stub.metadata["tags"] = [STUB_TAG]
        stub["id"] = _cell_id(cell, k)
        cells.append(stub)
        checked = [n for n in b.names if pieces.get(n, {}).get("cases") or
                   any(key.startswith(n + ".") and v.get("cases") for key, v in pieces.items())]
        if checked:
            args = ", ".join(f"{n}={n}" for n in checked)
            check = nbformat.v4.new_code_cell(
                "from lstm_lessons import practice  # replays the lesson's calls into your version\n\n"
                f"practice.check(\"{number}\", {args})")
            check.metadata["tags"] = [CHECK_TAG]
            check["id"] = _cell_id(cell, k, "-check")
            cells.append(check)
        unchecked = [n for n in b.names if n not in checked]
        if unchecked:
            note = nbformat.v4.new_markdown_cell(
                ", ".join(f"`{n}`" for n in unchecked) + ": no replay here (the lesson's calls of it hold objects "
                "that cannot be saved); the lesson's own checks in the cells below test it.")
            note.metadata["tags"] = [CHECK_TAG]
            note["id"] = _cell_id(cell, k, "-note")
            cells.append(note)
        if b.given:
            given = nbformat.v4.new_code_cell(b.given)
            given.metadata["tags"] = [GIVEN_TAG]
            given["id"] = _cell_id(cell, k, "-given")
            cells.append(given)
    for cell in cells:
        if HEADER_TAG in cell.metadata.get("tags", []):
            cell.source = header_source(path, builds, summary)
    out = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(dict(nb.metadata)))
    out.metadata.pop("widgets", None)
    out.metadata["lstm_practice"] = {"lesson": f"../{path.name}", "generated_by": "tools/practice.py",
                                     "cases": f"lstm_lessons/practice_cases/{number}.pkl"}
    out.nbformat, out.nbformat_minor = nb.nbformat, max(nb.nbformat_minor, 5)
    return out


def copy_text(nb) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def filled(copy_nb, lesson_nb) -> list:
    """The copy's code cells with every stub replaced by the lesson's code of its pieces (for the tests)."""
    builds = iter(take_apart(source(c)) for c in lesson_nb.cells if is_build(c))
    out = []
    for cell in copy_nb.cells:
        if cell.cell_type != "code":
            continue
        out.append(next(builds).lesson if STUB_TAG in cell.metadata.get("tags", []) else source(cell))
    return out


# --------------------------------------------------------------------------- recording, in a kernel

def recording_notebook(path: pathlib.Path, case_dir: pathlib.Path, nb=None):
    """The lesson, with a recorder made first, each piece watched right after its build cell, and at the end
    the cases saved and every check run on the lesson's own pieces."""
    nb = nb or nbformat.read(path, as_version=4)
    number = path.name[:2]
    new = nbformat.v4.new_code_cell
    cells = [new(f"import lstm_lessons.practice as __lstm_practice\n{RECORDER} = __lstm_practice.Recorder(globals())")]
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if not is_build(cell):
            cells.append(new(source(cell)))
            continue
        b = take_apart(source(cell), f"{path.name}, cell {k + 1}")
        if b.functions:
            cells += [new(b.lesson), new(f"{RECORDER}.watch({b.functions!r}, {k})")]
            if b.given:
                cells.append(new(b.given))
        else:
            cells.append(new(source(cell)))
            cells += [new(f"{RECORDER}.value({n!r}, {k})") for n in b.values]
    cells.append(new(
        "import json as __json\n"
        f"__summary = {RECORDER}.save({number!r}, {str(case_dir)!r}, {{}})\n"
        f"__summary['verified'] = {RECORDER}.verify({number!r})\n"
        "print('LSTM-PRACTICE ' + __json.dumps(__summary))"))
    return nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(dict(nb.metadata)))


def run_in_kernel(nb, cwd: pathlib.Path, timeout: int = 600):
    """Execute a notebook in a fresh kernel (in place); raises nbclient's CellExecutionError on a failing cell."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def record(path: pathlib.Path, case_dir: pathlib.Path, execute=run_in_kernel) -> dict:
    """Run the lesson with the recorder (by default in a fresh kernel); returns the summary (the pieces, verified).

    `execute(nb, cwd)` runs a notebook in place, leaving each cell's outputs; tests/test_practice.py
    passes one that runs a tiny lesson in its own process, to need no kernel."""
    run = recording_notebook(path, case_dir)
    try:
        execute(run, path.parent)
    except Exception as err:  # noqa: BLE001 - nbclient's CellExecutionError, or the error of a cell run in-process
        raise SystemExit(f"{path.name}: the lesson failed while its calls were recorded:\n{str(err)[-2000:]}") from err
    for out in run.cells[-1].outputs:
        if out.get("output_type") == "stream" and "LSTM-PRACTICE " in out.get("text", ""):
            return json.loads(out["text"].split("LSTM-PRACTICE ", 1)[1])
    raise SystemExit(f"{path.name}: the recording run printed no summary")


# --------------------------------------------------------------------------- the command

def stale(path: pathlib.Path, cases: pathlib.Path = CASES, practice: pathlib.Path = PRACTICE) -> list:
    """What is out of date for one lesson, in words (empty when its copy and cases are current)."""
    nb = nbformat.read(path, as_version=4)
    number = path.name[:2]
    summary_path = cases / f"{number}.json"
    out = []
    if not summary_path.exists():
        return [f"{number}: no cases ({summary_path.relative_to(ROOT)} is missing)"]
    summary = json.loads(summary_path.read_text())
    if summary.get("hash") != lesson_hash(nb):
        out.append(f"{number}: the cases were recorded from other build cells (run tools/practice.py --record {path.name})")
    failed = [n for n, v in summary.get("verified", {}).items() if not v.get("passed")]
    if failed:
        out.append(f"{number}: the lesson's own pieces failed their checks when recorded: {failed}")
    pieces = {n for n, p in summary.get("pieces", {}).items() if p.get("cases")}
    if pieces and not (cases / f"{number}.pkl").exists():
        out.append(f"{number}: {number}.pkl is missing")
    copy_path = practice / path.name
    if not copy_path.exists():
        out.append(f"{number}: no practice copy {copy_path.relative_to(ROOT)}")
    elif copy_path.read_text() != copy_text(practice_copy(path, summary, nb)):
        out.append(f"{number}: the practice copy is out of date")
    return out


def generate(path: pathlib.Path, force_record: bool = False, cases: pathlib.Path = CASES,
             practice: pathlib.Path = PRACTICE, quiet: bool = False, execute=run_in_kernel) -> dict:
    nb = nbformat.read(path, as_version=4)
    number = path.name[:2]
    summary_path = cases / f"{number}.json"
    digest = lesson_hash(nb)
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if force_record or summary.get("hash") != digest:
        start = time.perf_counter()
        if any(is_build(c) for c in nb.cells):
            with tempfile.TemporaryDirectory(prefix="lstm-practice-") as tmp:
                summary = record(path, pathlib.Path(tmp), execute)
                failed = {n: v["message"] for n, v in summary.get("verified", {}).items() if not v["passed"]}
                if failed:
                    raise SystemExit(f"{path.name}: a check fails on the lesson's own piece, so no copy is written: "
                                     f"{failed}")
                cases.mkdir(parents=True, exist_ok=True)
                if (pathlib.Path(tmp) / f"{number}.pkl").exists():
                    shutil.copy(pathlib.Path(tmp) / f"{number}.pkl", cases / f"{number}.pkl")
        else:
            summary = {"format": FORMAT, "notebook": number, "pieces": {}, "verified": {}}
            (cases / f"{number}.pkl").unlink(missing_ok=True)
        summary["hash"] = digest
        summary["lesson"] = f"notebooks/{path.name}"
        cases.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        if not quiet:
            print(f"{path.name}: recorded in {time.perf_counter() - start:.0f} s: " + (", ".join(
                f"{n} ({p['cases']} recorded)" + (f" [not recorded: {p['skipped'][0]}]" if not p["cases"] and p["skipped"]
                                               else "") for n, p in summary["pieces"].items()) or "no build cells"),
                  flush=True)
    practice.mkdir(parents=True, exist_ok=True)
    target = practice / path.name
    text = copy_text(practice_copy(path, summary, nb))
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
        if not quiet:
            print(f"wrote {target.relative_to(ROOT) if ROOT in target.parents else target}", flush=True)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--record", action="store_true", help="record the cases again even if the build cells are unchanged")
    parser.add_argument("--check", action="store_true", help="report copies or cases that are out of date; change nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or numbered()
    if args.check:
        problems = [p for path in paths for p in stale(path)]
        print("\n".join(problems) if problems else "practice copies and cases up to date")
        return 1 if problems else 0
    failed = []
    for path in paths:
        try:
            generate(path, force_record=args.record)
        except (SystemExit, ValueError) as err:  # say so, and go on with the next lesson
            failed.append(path.name)
            print(f"FAILED {path.name}: {str(err)[-3000:]}", file=sys.stderr, flush=True)
    lessons = {p.name for p in numbered()}
    for orphan in sorted(PRACTICE.glob("*.ipynb")) if PRACTICE.exists() else []:
        if orphan.name not in lessons:
            print(f"note: {orphan.relative_to(ROOT)} has no lesson any more; delete it")
    if failed:
        print("no copy written for: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
