"""Run each notebook as the tests run it (pytest --nbval-lax) and report wall time and peak memory.

    python benchmarks/notebooks.py [--repeat N] [--save] [NOTEBOOK ...]

Each notebook runs in its own pytest process with a fresh kernel, exactly as `make test` runs
it; the wall time includes kernel start-up. Peak memory is the largest resident set size of any
process of that run (pytest or the kernel), read from getrusage(RUSAGE_CHILDREN) in a separate
wrapper process, so runs do not see each other. The budget is 60 s per notebook.

The table goes to artifacts/benchmarks/notebooks.json; with --save also to the committed
benchmarks/results/notebooks.json, with the machine it ran on: the README's list of notebooks
(tools/front_page.py) quotes each notebook's runtime from there. Save from a run of all the
notebooks on a quiet machine; a run of some notebooks updates only their rows.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUDGET_S = 60.0


def run_once(notebook: str) -> dict:
    """In a wrapper process: run pytest on one notebook; returns wall seconds and peak MiB."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                           "--nbval-current-env", notebook], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux reports KiB
    return {"wall_s": wall, "peak_mib": peak_kib / 1024, "passed": proc.returncode == 0,
            "tail": proc.stdout.strip().splitlines()[-1:] if proc.stdout else []}


def measure(notebook: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", notebook], cwd=ROOT, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the median is reported")
    parser.add_argument("--save", action="store_true", help="also write benchmarks/results/notebooks.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_once(args.child)))
        return 0
    paths = args.notebooks or [str(p.relative_to(ROOT)) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    rows, ok = [], True
    print(f"{'notebook':48s} {'wall s':>8s} {'peak MiB':>9s}  result", flush=True)
    for nb in paths:
        runs = [measure(nb) for _ in range(args.repeat)]
        wall = statistics.median(r["wall_s"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        passed = all(r["passed"] for r in runs)
        verdict = "passed" if passed else "FAILED " + " ".join(runs[-1]["tail"])
        if wall > BUDGET_S:
            verdict += f" (over the {BUDGET_S:.0f} s budget)"
        ok &= passed and wall <= BUDGET_S
        rows.append({"notebook": nb, "wall_s": round(wall, 2), "peak_mib": round(peak, 1), "passed": passed})
        print(f"{nb:48s} {wall:8.1f} {peak:9.0f}  {verdict}", flush=True)
    out = ROOT / "artifacts" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "notebooks.json").write_text(json.dumps(rows, indent=1))
    if args.save:
        save(rows)
    return 0 if ok else 1


def save(rows: list) -> None:
    """Merge these rows into benchmarks/results/notebooks.json, with the machine they were measured on."""
    path = ROOT / "benchmarks" / "results" / "notebooks.json"
    old = json.loads(path.read_text()) if path.exists() else {"notebooks": []}
    merged = {r["notebook"]: r for r in old.get("notebooks", [])}
    merged.update({r["notebook"]: r for r in rows})
    import torch  # noqa: PLC0415 - only to name the version the times are for
    machine = {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
               "system": platform.platform(terse=True), "python": platform.python_version(), "torch": torch.__version__,
               "load_average_1min": round(os.getloadavg()[0], 1)}
    path.write_text(json.dumps({"machine": machine, "notebooks": [merged[k] for k in sorted(merged)]}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
