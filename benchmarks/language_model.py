"""Notebook 09's sweep: the three language models trained over many seeds, and what each reaches.

    python benchmarks/language_model.py --ablations           # what the results file holds (about 25 min of CPU)
    python benchmarks/language_model.py --seeds 0-3 --out /tmp/lm.json --set steps=500   # a quick look

The notebook trains each model once, with one seed, inside its time budget. This script trains the
same models (lstm_lessons.language_model.train_model, the notebook's configurations: RNN, LSTM and
the regularised LSTM; with --ablations also each regulariser alone and the RNN with a smaller
learning rate) with seeds 0 to 20, records the held-out accuracy and loss every 100 updates, the
held-out accuracy by position in the name and the training stream's accuracy at the end, and the
CPU time, and writes benchmarks/results/language_model.json, which the notebook plots. Seeds 0 to
20 cover the notebook's own seed and every offset of its seed sweep (tools/seeds.py, 1 to 20); the
notebook re-runs its point live and checks that it falls inside the file's range.
Timings are CPU seconds of the training alone (time.process_time, one torch thread), so a busy
machine does not inflate them.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import dataclasses
import json
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "language_model.json"


def seeds_from(text: str) -> list:
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def run_one(name: str, overrides: dict, seed: int) -> dict:
    """Train one model with one seed in this process; return what the file records."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from lstm_lessons import language_model as lm, number_words as nw

    config = dataclasses.replace(lm.MODELS[name], **overrides)
    data = nw.split_stream(nw.encode(nw.corpus()), lm.VALID_FRACTION)
    start = time.process_time()
    trainer = lm.train_model(config, data.train, data.valid, seed=seed)
    cpu = time.process_time() - start
    history = trainer.history
    train_acc = lm.evaluate(trainer.model, nw.batchify(data.train, 10)).accuracy
    valid_rows = nw.batchify(data.valid, 10)
    held_out = lm.evaluate(trainer.model, valid_rows)
    position = np.stack([nw.position_in_name(row)[1:] for row in valid_rows])  # of each target in its name
    right = held_out.predictions == held_out.targets
    by_position = [round(float(right[position == k].mean()), 4) for k in range(7)]
    return {"model": name, "seed": seed, "cpu_s": round(cpu, 2), "by_position": by_position,
            "eval_step": history.eval_step,
            "accuracy": [round(v, 4) for v in history.eval_metrics["accuracy"]],
            "loss": [round(v, 4) for v in history.eval_metrics["loss"]],
            "train_accuracy": round(train_acc, 4)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0-20")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--models", default="rnn,lstm,lstm_reg")
    parser.add_argument("--ablations", action="store_true", help="also lstm_dropout, lstm_tied, lstm_ar, rnn_lr3e-3")
    parser.add_argument("--set", nargs="*", default=[], help="override a field of every config, e.g. steps=500")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)

    from lstm_lessons import language_model as lm

    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        kind = type(getattr(lm.LMConfig(), key))
        overrides[key] = (value.lower() in ("1", "true")) if kind is bool else kind(value)
    names = args.models.split(",") + (list(lm.ABLATIONS) if args.ablations else [])
    seeds = seeds_from(args.seeds)
    jobs = [(name, seed) for name in names for seed in seeds]
    runs = []
    began = time.perf_counter()
    with futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pending = {pool.submit(run_one, name, overrides, seed): (name, seed) for name, seed in jobs}
        for done in futures.as_completed(pending):
            run = done.result()
            runs.append(run)
            print(f"{run['model']:10s} seed {run['seed']:2d}: held-out accuracy {run['accuracy'][-1]:.3f}, "
                  f"loss {run['loss'][-1]:.3f}, training stream {run['train_accuracy']:.3f}, "
                  f"{run['cpu_s']:.1f} s CPU", flush=True)
    runs.sort(key=lambda r: (names.index(r["model"]), r["seed"]))
    summary = {}
    for name in names:
        final = sorted(r["accuracy"][-1] for r in runs if r["model"] == name)
        summary[name] = {"label": dataclasses.replace(lm.MODELS[name], **overrides).label(),
                         "min": final[0], "median": final[len(final) // 2], "max": final[-1]}
        print(f"{name:10s} held-out accuracy over {len(final)} seeds: min {final[0]:.3f}, "
              f"median {final[len(final) // 2]:.3f}, max {final[-1]:.3f}")
    result = {
        "command": "python benchmarks/language_model.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "torch": __import__("torch").__version__,
        "threads": 1, "wall_s": round(time.perf_counter() - began, 1), "valid_fraction": lm.VALID_FRACTION,
        "configs": {name: dataclasses.asdict(dataclasses.replace(lm.MODELS[name], **overrides)) for name in names},
        "summary": summary, "runs": runs,
    }
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
