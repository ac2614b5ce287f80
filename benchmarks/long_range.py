"""The long-range runs notebook 08 plots but cannot afford to train live: several seeds per point.

    python benchmarks/long_range.py --jobs 2                    # everything, into benchmarks/results/long_range.json
    python benchmarks/long_range.py --only compare --seeds 0-2  # one experiment, fewer seeds (a quick look)

Every run is `lstm_lessons.long_tasks.run` with the notebook's settings (SETTINGS below): a model
with 32 units and a linear head on its last state, Adam with learning rate 0.02, gradient
clipping at norm 1, batches of 64 fresh sequences, an evaluation on 1,000 held-out sequences
every 25 updates, and training stops at the first evaluation that solves the task (adding
problem: MSE <= 0.01) or when the budget of 1,500 updates (96,000 sequences) is spent.
Experiments:

- compare: RNN, LSTM (forget bias 1) and GRU on the adding problem at T = 100, --seeds;
- lengths: each model on the adding problem at T = 10, 20, 50, 100, 200, 400, 800, 1600, going
  up the list only while at least one seed (--sweep-seeds) solved the length before (pushed until
  it fails); at T = 100 the sweep reuses the compare runs of its seeds, which are the same runs;
  --from-length T goes on from T with the file's survivors, keeping the shorter lengths' runs;
- clipping: the LSTM at T = 100 without gradient clipping (compare has it with clipping);
- forget_bias: the LSTM at T = 100 (--seeds) and T = 200 (the first two seeds) with PyTorch's
  default biases, and at T = 200 with forget bias 1 too (compare has T = 100 with bias 1);
- recall: the three models on the marked-recall task at T = 100, the first three seeds;
- paper: the LSTM at T = 100 trained on until 99.9% of held-out sequences are within the 1997
  paper's tolerance (at most 6,000 updates), the first three seeds.

Each run uses one torch thread; --jobs runs that many at once. The notebook re-runs one point of
this file live (the three models at T = 100) and asserts that it agrees with the file.
The file in the repository took about 17 minutes of CPU time in all ("cpu_seconds" per run and in
total), made on the 2-core machine in three --only calls with --jobs 1 while it was shared, and a
fourth, --only lengths --from-length 800 --jobs 2, that pushed the GRU (the only model left) to 1,600.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import datetime
import json
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "long_range.json"

#: The notebook's settings: every run here uses them unless the experiment changes one.
SETTINGS = dict(hidden_size=32, batch_size=64, lr=2e-2, clip=1.0, max_updates=1500, eval_every=25, eval_size=1000)
LENGTHS = (10, 20, 50, 100, 200, 400, 800, 1600)
PAPER_UPDATES = 6000  # the budget of the runs that train on until the 1997 paper's tolerance is met
FORGET = 1.0  # the LSTM's forget-gate bias in every experiment but forget_bias
CURVES = ("compare", "recall")  # the experiments whose learning curves the file keeps
EXPERIMENTS = ("compare", "lengths", "clipping", "forget_bias", "recall", "paper")


def parse_seeds(text: str) -> list:
    """'0-9' or '0,3,5' -> a list of whole numbers."""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def one(job: dict) -> dict:
    """Run one configuration in this process (one torch thread) and return its summary."""
    import numpy as np
    import torch

    from lstm_lessons import long_tasks

    torch.set_num_threads(1)
    job = dict(job)
    experiment = job.pop("experiment")
    start = time.process_time()
    run = long_tasks.run(device="cpu", **{**SETTINGS, **job})
    summary = run.summary()
    summary.update(experiment=experiment, cpu_seconds=round(time.process_time() - start, 2))
    h = run.history
    clipped = [g > run.settings["clip"] for g in h.grad_norm] if run.settings["clip"] else []
    summary["clipped_fraction"] = round(sum(clipped) / len(clipped), 4) if clipped else None
    summary["median_grad_norm"] = round(sorted(h.grad_norm)[len(h.grad_norm) // 2], 5)
    summary.pop("eval_examples")  # evaluations ran every eval_every updates: examples = k * eval_every * batch_size
    if experiment in CURVES:  # the median gradient norm of each stretch of eval_every updates
        every = SETTINGS["eval_every"]
        summary["grad_norm_medians"] = [round(float(np.median(h.grad_norm[k:k + every])), 5)
                                        for k in range(0, len(h.grad_norm), every)]
    else:
        summary.pop("eval")
    return summary


def kinds_jobs(experiment, T, seeds, task="adding", **extra):
    return [dict(experiment=experiment, kind=k, T=T, task=task, seed=s,
                 forget_bias=FORGET if k == "LSTM" else None, **extra) for k in ("RNN", "LSTM", "GRU") for s in seeds]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-4", help="seeds for compare, clipping, forget_bias (default 0-4)")
    parser.add_argument("--sweep-seeds", default="0-1", help="seeds per length in the length sweep (default 0-1)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", choices=EXPERIMENTS, nargs="*")
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    parser.add_argument("--from-length", type=int, default=None,
                        help="with --only lengths: keep the file's lengths below this one and go on from it with the "
                             "models that solved the length before (to push the sweep further without rerunning it)")
    args = parser.parse_args(argv)
    seeds, sweep = parse_seeds(args.seeds), parse_seeds(args.sweep_seeds)
    wanted = set(args.only or EXPERIMENTS)
    previous = json.loads(args.out.read_text()) if args.out.exists() and args.only else {"runs": []}
    runs = [r for r in previous["runs"] if r["experiment"] not in wanted
            or (args.from_length and r["experiment"] == "lengths" and r["T"] < args.from_length)]

    jobs = []
    if "compare" in wanted:
        jobs += kinds_jobs("compare", 100, seeds)
    if "clipping" in wanted:
        jobs += [dict(experiment="clipping", kind="LSTM", T=100, seed=s, forget_bias=FORGET, clip=None) for s in seeds]
    if "forget_bias" in wanted:
        jobs += [dict(experiment="forget_bias", kind="LSTM", T=100, seed=s, forget_bias=None) for s in seeds]
        jobs += [dict(experiment="forget_bias", kind="LSTM", T=200, seed=s, forget_bias=fb)
                 for fb in (None, FORGET) for s in seeds[:2]]
    if "recall" in wanted:
        jobs += kinds_jobs("recall", 100, seeds[:3], task="recall")
    if "paper" in wanted:
        jobs += [dict(experiment="paper", kind="LSTM", T=100, seed=s, forget_bias=FORGET, goal="paper",
                      max_updates=PAPER_UPDATES, eval_size=2560) for s in seeds[:3]]
    began = time.perf_counter()
    with futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for summary in pool.map(one, jobs):
            runs.append(summary)
            print(_line(summary), flush=True)
        if "lengths" in wanted:  # length by length, each model going on only while it still solves
            alive = {"RNN", "LSTM", "GRU"}
            if args.from_length:  # the models that solved the longest length kept from the file
                kept = [r for r in runs if r["experiment"] == "lengths"]
                longest = max(r["T"] for r in kept)
                alive = {r["kind"] for r in kept if r["T"] == longest and r["solved_at"] is not None}
            for T in [T for T in LENGTHS if not args.from_length or T >= args.from_length]:
                batch = [j for j in kinds_jobs("lengths", T, sweep) if j["kind"] in alive]
                if not batch:
                    break
                same = {(r["kind"], r["seed"]): r for r in runs if r["experiment"] == "compare" and r["T"] == T}
                done = [dict(same[j["kind"], j["seed"]], experiment="lengths") for j in batch
                        if (j["kind"], j["seed"]) in same]  # the same settings and seed: the same run
                done += list(pool.map(one, [j for j in batch if (j["kind"], j["seed"]) not in same]))
                for summary in done:
                    summary.pop("eval", None), summary.pop("grad_norm_medians", None)
                    runs.append(summary)
                    print(_line(summary), flush=True)
                write(args, runs, began, argv)  # after every length: a long sweep can be stopped and kept
                alive = {k for k in alive if any(d["solved_at"] is not None for d in done if d["kind"] == k)}

    write(args, runs, began, argv)
    return 0


def write(args, runs, began, argv) -> None:
    """Write the results file (all runs so far) and say so."""
    import torch

    result = {
        "about": "notebook 08's long-range runs; written by benchmarks/long_range.py, plotted by the notebook",
        "settings": SETTINGS, "forget_bias": FORGET, "lengths": LENGTHS,
        "command": "python benchmarks/long_range.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "written": datetime.date.today().isoformat(), "torch": torch.__version__.split("+")[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "jobs": args.jobs,
        "last_wall_seconds": round(time.perf_counter() - began),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in runs)),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    print(f"wrote {args.out}: {len(runs)} runs, {result['cpu_seconds']} s of CPU time in all; this call took "
          f"{result['last_wall_seconds']} s wall clock with {args.jobs} jobs", flush=True)


def _line(s: dict) -> str:
    solved = f"solved after {s['solved_at']:>7,} sequences" if s["solved_at"] is not None else "not solved" + " " * 21
    return (f"{s['experiment']:11s} {s['kind']:4s} {s['task']:6s} T={s['T']:<4d} seed {s['seed']} clip={s['clip']} "
            f"fb={s['forget_bias']}: {solved}  final {s['final']:.4f}  ({s['cpu_seconds']:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
