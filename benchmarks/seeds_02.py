"""Check the trained-model claims of notebook 02 over seeds 0-4, with the margins the notebook asserts.

    python benchmarks/seeds_02.py            # seeds 0-4
    python benchmarks/seeds_02.py 0 1 2 3 4 5 6 7 8 9

The notebook trains small nn.RNN models and asserts, for its seed 0:
  1. clipping, no clip:  a ReLU RNN started at W_hh = 1.1 I and trained with SGD overflows (loss inf or
                         NaN) within 10 updates; its first gradient is > 100 times c = 1 and > 100 times
                         the clipped run's typical one (median of its last 100 updates);
  2. clipping, c = 1:    the same run with clipping ends with test MSE < CLIPPED_MAX_MSE;
  3. lag 2:              a tanh RNN learns delayed recall 2 steps back: test MSE < SHORT_MAX_MSE;
  4. lag 30:             on the same budget it stays near the baseline at 30 steps back: test MSE
                         > LONG_MIN_MSE;
  5. sensitivity:        the lag-2 model's |d y / d x| at lag 2 > 0.5 and at every other lag < 0.2 times
                         that; the lag-30 model's at lag 30 < 1e-3.
The code that trains and measures is not copied here: the script runs the notebook's own cells
tagged "experiment" (and the setup cell before them), so the two cannot drift apart. It prints
each metric per seed, the worst seed, and the margin between the worst seed and the asserted
threshold; it exits 1 if a seed breaks a claim.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTEBOOK = ROOT / "notebooks" / "02_vanishing_exploding_gradients.ipynb"


def notebook_namespace() -> dict:
    """Run the notebook's setup cell and its cells tagged "experiment"; return the names they define."""
    cells = [c for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    chosen = [cells[1]] + [c for c in cells if "experiment" in c.get("metadata", {}).get("tags", [])]
    if len(chosen) < 2:
        raise SystemExit(f"no cells tagged 'experiment' in {NOTEBOOK}")
    namespace: dict = {"__name__": "notebook02"}
    for cell in chosen:
        source = "".join(cell["source"])
        # IPython magics (%matplotlib inline) mean nothing outside a kernel.
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
        exec(compile(source, f"{NOTEBOOK.name}[{cells.index(cell) + 1}]", "exec"), namespace)
    return namespace


def measure(nb: dict, seed: int) -> dict:
    """Every metric the notebook asserts on, for one seed."""
    _, loss_free, norm_free = nb["clipping_run"](None, seed=seed)
    clipped, _, norm_clip = nb["clipping_run"](1.0, seed=seed)
    row = {
        "overflow_at": len(loss_free) if not math.isfinite(loss_free[-1]) else math.inf,
        "first_norm": float(norm_free[0]),
        "first_norm_ratio": float(norm_free[0] / np.median(norm_clip[-100:])),
        "clipped_mse": nb["test_mse"](clipped, nb["CLIP_LAG"], nb["CLIP_T"], seed),
    }
    for name, lag in (("short", nb["SHORT_LAG"]), ("long", nb["LONG_LAG"])):
        model, _ = nb["lag_run"](lag, seed=seed)
        row[f"{name}_mse"] = nb["test_mse"](model, lag, nb["RECALL_T"], seed)
        sens = nb["input_sensitivity"](model, nb["RECALL_T"], seed)
        row[f"{name}_sens"] = float(sens[lag])
        if name == "short":
            row["short_spill"] = float(np.delete(sens, lag).max() / sens[lag])
    return row


def main(seeds) -> int:
    start = time.perf_counter()
    nb = notebook_namespace()
    rows = []
    for seed in seeds:
        t = time.perf_counter()
        row = measure(nb, seed)
        rows.append(row)
        print(f"seed {seed}: no clip overflows at update {row['overflow_at']}, first gradient "
              f"{row['first_norm']:.0f} = {row['first_norm_ratio']:.0f}x the clipped run's typical one; clipped: test MSE "
              f"{row['clipped_mse']:.4f} | lag {nb['SHORT_LAG']}: MSE "
              f"{row['short_mse']:.4f}, |dy/dx| at its lag {row['short_sens']:.3f} (others <= {row['short_spill']:.3f} of it) "
              f"| lag {nb['LONG_LAG']}: MSE {row['long_mse']:.4f}, |dy/dx| at its lag {row['long_sens']:.1e}   "
              f"({time.perf_counter() - t:.1f} s)", flush=True)
    print(f"{len(seeds)} seeds in {time.perf_counter() - start:.1f} s\n")

    def worst(key, fn):
        return fn(r[key] for r in rows)

    claims = [  # (description, worst value over seeds, threshold, "<" or ">")
        ("no clip: overflows within 10 updates", worst("overflow_at", max), 10, "<="),
        ("first gradient norm > 100 c (c = 1)", worst("first_norm", min), 100, ">"),
        ("first gradient > 100x typical clipped one", worst("first_norm_ratio", min), 100, ">"),
        (f"clipped: test MSE < {nb['CLIPPED_MAX_MSE']}", worst("clipped_mse", max), nb["CLIPPED_MAX_MSE"], "<"),
        (f"lag {nb['SHORT_LAG']}: test MSE < {nb['SHORT_MAX_MSE']}", worst("short_mse", max), nb["SHORT_MAX_MSE"], "<"),
        (f"lag {nb['LONG_LAG']}: test MSE > {nb['LONG_MIN_MSE']}", worst("long_mse", min), nb["LONG_MIN_MSE"], ">"),
        (f"lag {nb['SHORT_LAG']}: |dy/dx| at its lag > 0.5", worst("short_sens", min), 0.5, ">"),
        (f"lag {nb['SHORT_LAG']}: other lags < 0.2 of it", worst("short_spill", max), 0.2, "<"),
        (f"lag {nb['LONG_LAG']}: |dy/dx| at its lag < 1e-3", worst("long_sens", max), 1e-3, "<"),
    ]
    failed = 0
    for text, value, threshold, op in claims:
        ok = {"<": value < threshold, "<=": value <= threshold, ">": value > threshold}[op]
        failed += not ok
        margin = (threshold / value if op.startswith("<") else value / threshold) if value else math.inf
        print(f"{'ok  ' if ok else 'FAIL'} {text:46s} worst seed {value:<10.4g} margin x{margin:.3g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [0, 1, 2, 3, 4]))
