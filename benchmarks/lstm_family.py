"""Train the LSTM family on the adding problem over many seeds, and write what happened to a small JSON file.

    python benchmarks/lstm_family.py                       # the sweep notebook 06 plots (an hour or more on 2 cores)
    python benchmarks/lstm_family.py --models gru --seeds 0-2 --out /tmp/gru.json   # a few runs

Notebook 06 compares the LSTM with the GRU, and the LSTM's variants (coupled input-forget gate,
no forget gate, no output gate, peepholes) with each other, on one long-lag task: the adding
problem at T = 50 (lstm_lessons.tasks.adding_problem). Each run is `variants.train_adding(model,
seed)` with the settings below: PyTorch's default initialisation, Adam, fresh batches, one test
set per seed, evaluated every EVAL_EVERY updates. Too many runs to fit in the notebook's minute,
so they run here and the notebook reads benchmarks/results/lstm_family.json; the notebook then
re-runs one of them live (the GRU, for the first updates) and asserts that it agrees with this file.

One torch thread per run (as the notebooks use), two runs at a time by default (--jobs).
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import json
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "lstm_family.json"

#: The settings of every run (the notebook reads them back from the file).
SETTINGS = {"T": 50, "hidden_size": 16, "batch": 32, "lr": 0.01, "updates": 2000, "eval_every": 100,
            "test_size": 500}
#: Seeds per model: the LSTM and the GRU get 0-20 (the offsets tools/seeds.py shifts the notebook by,
#: so the notebook's live GRU run always has its twin here); the LSTM with forget bias 1 and the variants get 0-9.
SEEDS = {"lstm": range(21), "gru": range(21), "lstm_fb1": range(10), "cifg": range(10), "nfg": range(10),
         "nog": range(10), "peephole": range(10)}


def one_run(model: str, seed: int, settings: dict) -> dict:
    """In a worker process: one training run with one torch thread; returns its record."""
    import torch

    from lstm_lessons import variants

    torch.set_num_threads(1)
    run = variants.train_adding(model, seed, **settings)
    return {"model": model, **run.record()}


def parse_seeds(text: str) -> list:
    """'3' -> [3]; '0-20' -> [0, ..., 20]; '1,4,9' -> [1, 4, 9]."""
    out = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def dumps(data: dict) -> str:
    """JSON with one run per line: small, and a diff shows which runs changed."""
    runs = data["runs"]
    head = json.dumps({k: v for k, v in data.items() if k != "runs"}, indent=1)[:-2]
    lines = [f'  "{m}": [\n' + ",\n".join("   " + json.dumps(r) for r in rs) + "\n  ]" for m, rs in runs.items()]
    return head + ',\n "runs": {\n' + ",\n".join(lines) + "\n }\n}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(SEEDS), help="comma-separated: " + ", ".join(SEEDS))
    parser.add_argument("--seeds", help="override the seeds of every model, e.g. 0-4")
    parser.add_argument("--updates", type=int, default=SETTINGS["updates"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    settings = dict(SETTINGS, updates=args.updates)
    models = args.models.split(",")
    jobs = [(m, s) for m in models for s in (parse_seeds(args.seeds) if args.seeds else SEEDS[m])]
    # the slowest runs first (peepholes use the Python loop, the GRU torch's unfused CPU cell), so the pool ends together
    jobs.sort(key=lambda job: {"peephole": 0, "gru": 1}.get(job[0], 2))
    results: dict = {m: [] for m in models}
    start = time.perf_counter()
    with futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pending = {pool.submit(one_run, m, s, settings): (m, s) for m, s in jobs}
        for done in futures.as_completed(pending):
            rec = done.result()
            results[rec.pop("model")].append(rec)
            print(f"{pending[done][0]:9s} seed {rec['seed']:2d}: test MSE {rec['test_mse'][-1]:.4f} "
                  f"after {rec['steps'][-1]} updates ({rec['seconds']:.0f} s)", flush=True)
    for runs in results.values():
        runs.sort(key=lambda r: r["seed"])
    import torch

    data = {"about": "benchmarks/lstm_family.py: the LSTM family on the adding problem (notebook 06)",
            "settings": settings, "baseline_mse": 1.0 / 6.0,
            "machine": {"python": platform.python_version(), "torch": torch.__version__.split("+")[0],
                        "processor": platform.machine(), "threads_per_run": 1},
            "minutes": round((time.perf_counter() - start) / 60, 1), "runs": results}
    path = pathlib.Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(data) + "\n")
    print(f"wrote {path} ({data['minutes']} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
