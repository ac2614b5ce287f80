"""Check the trained-model claims of notebook 01 over seeds 0-4, with the margins the notebook asserts.

    python benchmarks/seeds_01.py            # seeds 0-4
    python benchmarks/seeds_01.py 0 1 2 3 4 5 6 7 8 9

The notebook trains an RNN on the echo task (rnn_train.train_echo) and asserts:
  1. full BPTT:       test error < 5% of the predict-0 baseline;
  2. the nudge test:  nudging the input at step 8 moves the prediction most at step 11, and
                      nowhere else by more than 20% of that;
  3. truncated, k=3:  test error > 80% of the baseline (windows no longer than the lag), after a
                      dip of the training loss (mean of 10 updates) below 50% of the baseline, and
                      its final predictions move by less than 20% of the full-BPTT model's peak
                      when the input at step 8 is nudged;
  4. truncated, k=4:  test error < 10% of the baseline.
The training configuration is read from the notebook itself (the line `config = rnn_train.TrainConfig(...)`),
so this script and the notebook cannot drift apart. It prints each metric per seed, the worst seed,
and the margin between the worst seed and the asserted threshold; it exits 1 if a seed breaks a claim.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_lessons import rnn_train  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "01_vanilla_rnn.ipynb"
NUDGE_STEP = 8  # as in the notebook's nudge cell
WINDOWS = (3, 4)  # as in the notebook's truncation cell


def notebook_config() -> rnn_train.TrainConfig:
    """The TrainConfig the notebook builds, evaluated from its source line."""
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            match = re.fullmatch(r"config = (rnn_train\.TrainConfig\(.*\))", line.strip())
            if match:
                return eval(match.group(1), {"rnn_train": rnn_train})  # the notebook's own expression
    raise SystemExit(f"no line 'config = rnn_train.TrainConfig(...)' found in {NOTEBOOK}")


def nudge_change(run: rnn_train.TrainRun, s: int = NUDGE_STEP) -> np.ndarray:
    """How much each prediction of the trained model moves when input s of the first test sequence is nudged by 1."""
    x = run.test.x[:1]
    nudged = x.copy()
    nudged[:, s] += 1.0
    return np.abs(run.model.forward(nudged)[0] - run.model.forward(x)[0])[0, :, 0]  # (T,)


def nudge(run: rnn_train.TrainRun, s: int = NUDGE_STEP):
    """The step where the prediction moves most after nudging input s, the largest other move / that one, and the peak."""
    change = nudge_change(run, s)
    peak = int(change.argmax())
    return peak, float(np.delete(change, peak).max() / change[peak]), float(change[peak])


def main(seeds) -> int:
    config = notebook_config()
    print(f"notebook config: {config}")
    rows = []
    start = time.perf_counter()
    for seed in seeds:
        full = rnn_train.train_echo(config, seed=seed)
        peak, spill, peak_change = nudge(full)
        row = {"seed": seed, "full": full.test_mse / full.baseline_mse, "peak": peak, "spill": spill}
        for k in WINDOWS:
            r = rnn_train.train_echo(config, seed=seed, truncate=k)
            row[f"k={k}"] = r.test_mse / r.baseline_mse
            if k == 3:
                row["dip"] = rnn_train.moving_average(r.losses, 10).min() / r.baseline_mse
                row["k3_nudge"] = float(nudge_change(r).max() / peak_change)
        rows.append(row)
        print(f"seed {seed}: full BPTT {row['full']:.4f}, nudge peak at step {peak} (others {spill:.3f} of it), "
              + ", ".join(f"k={k} {row[f'k={k}']:.4f}" for k in WINDOWS) + f" (k=3 dipped to {row['dip']:.4f}, its nudge {row['k3_nudge']:.3f} of full's)"
              + "   (errors as fractions of the baseline)")
    print(f"{len(seeds)} seeds in {time.perf_counter() - start:.1f} s\n")

    lag = config.lag
    claims = [  # (description, worst value over seeds, threshold, holds for a value)
        ("full BPTT: test error / baseline < 0.05", max(r["full"] for r in rows), 0.05, lambda v: v < 0.05),
        (f"nudge: peak at step {NUDGE_STEP + lag}", sorted({r["peak"] for r in rows}), NUDGE_STEP + lag,
         lambda v: v == [NUDGE_STEP + lag]),
        ("nudge: other steps < 0.2 of the peak", max(r["spill"] for r in rows), 0.2, lambda v: v < 0.2),
        ("k=3: lowest training loss / baseline < 0.5", max(r["dip"] for r in rows), 0.5, lambda v: v < 0.5),
        ("k=3: test error / baseline > 0.8", min(r["k=3"] for r in rows), 0.8, lambda v: v > 0.8),
        ("k=3: nudge response < 0.2 of full's peak", max(r["k3_nudge"] for r in rows), 0.2, lambda v: v < 0.2),
        ("k=4: test error / baseline < 0.1", max(r["k=4"] for r in rows), 0.1, lambda v: v < 0.1),
    ]
    failed = 0
    for text, worst, threshold, holds in claims:
        ok = holds(worst)
        failed += not ok
        if isinstance(worst, float):
            margin = threshold / worst if worst < threshold else worst / threshold
            print(f"{'ok  ' if ok else 'FAIL'} {text:44s} worst seed {worst:.4f}  margin x{margin:.1f}")
        else:
            print(f"{'ok  ' if ok else 'FAIL'} {text:44s} peaks seen {worst}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [0, 1, 2, 3, 4]))
