"""Run notebooks with every source of randomness shifted, and report each claim that fails.

    python tools/seeds.py notebooks/01_vanilla_rnn.ipynb                  # offsets 1 to 20
    python tools/seeds.py --offsets 7 notebooks/02_*.ipynb                # one offset
    python tools/seeds.py --offsets 1-40 --jobs 2 --json artifacts/seeds.json   # every notebook, 40 offsets
    python tools/seeds.py --record "run.test_mse / run.baseline_mse" notebooks/01_*.ipynb  # and the worst value

Every claim a notebook makes about a result is an `assert`, and it must hold for any seed, not
only the one the notebook was saved with. This tool runs a notebook top to bottom in a fresh
kernel after a first, injected cell that adds `offset` to every seed the notebook (or the
package) asks for: `np.random.default_rng(s)`, `np.random.seed(s)`, `np.random.RandomState(s)`,
`random.seed(s)`, `torch.manual_seed(s)` and `torch.Generator().manual_seed(s)` all receive
`s + offset`. So `setup(seed=0)`, `init_weights(..., seed=1)` and `tasks.echo(..., seed=3)` move
together, and the same data, weights and batches a learner would get after editing the seeds
are drawn. Cells keep running after a failure, and the report lists every cell that raised,
first failure first. Offset 0 is the notebook as saved. Exit status 1 if any run failed.

`--record EXPR` evaluates an expression in the notebook's namespace after the last cell, for
every offset, and prints its smallest and largest value over the sweep: the numbers a notebook's
"How this notebook checks itself" section quotes next to each asserted threshold.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import json
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: The cell run before the notebook's own: it wraps every seeding call so that seed s becomes s + OFFSET.
SHIFT_SOURCE = '''\
import os as _os, random as _random
import numpy as _np

_OFFSET = {offset}
_os.environ["LSTM_LESSONS_SEED_OFFSET"] = str(_OFFSET)


def _shift(seed):
    """seed + offset for a whole-number seed; anything else (None, a Generator, a sequence) unchanged."""
    if isinstance(seed, bool) or not isinstance(seed, (int, _np.integer)):
        return seed
    return int(seed) + _OFFSET


_default_rng = _np.random.default_rng
_np.random.default_rng = lambda seed=None, *a, **k: _default_rng(_shift(seed), *a, **k)
_np_seed = _np.random.seed
_np.random.seed = lambda seed=None: _np_seed(seed if seed is None else _shift(seed) % 2**32)


class _RandomState(_np.random.RandomState):
    def __init__(self, seed=None):
        super().__init__(seed if seed is None else _shift(seed) % 2**32)


_np.random.RandomState = _RandomState
_random_seed = _random.seed
_random.seed = lambda a=None, version=2: _random_seed(_shift(a), version)
try:
    import torch as _torch
except ImportError:
    _torch = None
if _torch is not None:
    _manual_seed = _torch.manual_seed
    _torch.manual_seed = _torch.random.manual_seed = lambda seed: _manual_seed(_shift(seed))

    class _Generator(_torch.Generator):
        def manual_seed(self, seed):
            return super().manual_seed(_shift(seed))

    _torch.Generator = _Generator
'''


def parse_offsets(text: str) -> list:
    """'7' -> [7]; '1-20' -> [1, ..., 20]; '3,5,9' -> [3, 5, 9]."""
    out = []
    for part in text.split(","):
        if "-" in part.strip()[1:]:
            low, high = part.split("-", 1)
            out.extend(range(int(low), int(high) + 1))
        else:
            out.append(int(part))
    return out


RECORD_SOURCE = '''\
import json as _json
_recorded = {{}}
for _expr in {exprs!r}:
    try:
        _recorded[_expr] = float(eval(_expr))
    except Exception as _err:  # a name the failing run never defined
        _recorded[_expr] = repr(_err)
print("LSTM_LESSONS_RECORDED " + _json.dumps(_recorded))
'''


def run(notebook: str, offset: int, timeout: int = 300, record: tuple = ()) -> dict:
    """Run one notebook with every seed shifted by `offset`; returns the cells that raised, in order,
    and the value of each expression in `record` after the last cell."""
    import nbformat
    from nbclient import NotebookClient

    path = pathlib.Path(notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SHIFT_SOURCE.format(offset=int(offset))))
    if record:
        nb.cells.append(nbformat.v4.new_code_cell(RECORD_SOURCE.format(exprs=list(record))))
    start = time.perf_counter()
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_path if env_path else "")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    failures, recorded = [], {}
    if record:
        for out in nb.cells[-1].get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith("LSTM_LESSONS_RECORDED "):
                    recorded = json.loads(line.split(" ", 1)[1])
        nb.cells.pop()
    for index, cell in enumerate(nb.cells[1:], 1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                failures.append({"cell": index, "source": "".join(cell.source).strip().splitlines()[:1],
                                 "error": out.get("ename", ""), "message": out.get("evalue", "")})
    return {"notebook": path.name, "offset": int(offset), "seconds": round(time.perf_counter() - start, 1),
            "failures": failures, "recorded": recorded}


def describe(result: dict) -> str:
    head = f"{result['notebook']} offset {result['offset']:>3}: "
    if not result["failures"]:
        return head + f"ok ({result['seconds']:.0f} s)"
    lines = [head + f"{len(result['failures'])} cell(s) raised"]
    for k, f in enumerate(result["failures"]):
        first = " (first failure)" if k == 0 else " (may follow from the first)"
        lines.append(f"    cell {f['cell']}{first}: {f['error']}: {f['message']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every numbered notebook)")
    parser.add_argument("--offsets", default="1-20", help="offsets: 7, or 1-20, or 3,5,9 (default 1-20)")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time (each uses one core)")
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--record", action="append", default=[], metavar="EXPR",
                        help="an expression to evaluate after the last cell; its range over the sweep is printed")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [str(p) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    jobs = [(nb, k) for nb in notebooks for k in parse_offsets(args.offsets)]
    results = []
    with futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        records = [tuple(args.record)] * len(jobs)
        for result in pool.map(run, *zip(*jobs), [300] * len(jobs), records):
            results.append(result)
            print(describe(result), flush=True)
    print("\nsummary:")
    for nb in notebooks:
        mine = [r for r in results if r["notebook"] == pathlib.Path(nb).name]
        bad = [r["offset"] for r in mine if r["failures"]]
        print(f"  {pathlib.Path(nb).name}: {len(mine)} offsets run, "
              + (f"failures at offsets {bad}" if bad else "failures: none"))
        for expr in args.record:
            values = [r["recorded"].get(expr) for r in mine]
            numbers = [v for v in values if isinstance(v, float)]
            if numbers:
                print(f"    {expr}: from {min(numbers):.4g} to {max(numbers):.4g} over {len(numbers)} offsets")
    if args.json:
        pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
