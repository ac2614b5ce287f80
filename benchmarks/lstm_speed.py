"""How fast FastLSTM trains, forward plus backward, against nn.LSTM and two slower loops (notebook 07).

    python benchmarks/lstm_speed.py            # every size; writes benchmarks/results/lstm_speed.json
    python benchmarks/lstm_speed.py --quick    # the main size, a few repeats, under 10 s; writes nothing

What is timed: one call of layer(x) and output.backward(d_out) with a fixed random d_out, on CPU,
float32, one torch thread (torch.set_num_threads(1), as the notebooks run), x requiring its
gradient as it does under an embedding or another layer, by lstm_lessons.fast_lstm.time_layers.
Its clock is the process's CPU time (time.process_time): on one thread that is the call's own
work, without the time spent waiting while other jobs hold the cores of a shared machine (cache
misses they cause still count). The contenders run round-robin, the first of each round rotating,
after warm-up calls; each time is a median over the repeats and each ratio divides two medians
from the same run. The main size is B 64, T 100, I 64, H 64; the others show where the 2x target
holds and where it does not.
The contenders:
- nn.LSTM: PyTorch's layer (on CPU, oneDNN's fused LSTM kernels, forward and backward);
- FastLSTM: lstm_lessons.fast_lstm, one input multiply, one fused recurrent multiply per step,
  and the hand-written BPTT as a custom autograd Function;
- modules.LSTM: the same fused loop written with plain tensor ops, autograd for the backward;
- GateByGateLSTM: four gates, four multiplies a step, autograd (the main size only).
Exits with status 1 if a full run measures FastLSTM over 2.0x nn.LSTM at the main size.

Measured on the 2-core AMD EPYC with torch 2.13.0, load average 5-6 from other jobs (ms per call,
ratio to nn.LSTM): at the main size nn.LSTM 21.3, FastLSTM 37.8 (1.78x), modules.LSTM 46.3 (2.18x),
GateByGateLSTM 53.5 (2.52x). FastLSTM at H 32: 2.07x; H 128: 1.16x; T 200: 1.18x; B 8: 2.93x.
The 2x target holds where the multiplies dominate (B 64, H 64 and up) and fails for small
batches and small H, where FastLSTM's ~15 small torch calls per step cost more than the math.
What is left is mostly matrix multiplies: four over all steps at once (the input projection, the
input's gradient and the two weight gradients) and two per step (forward and backward through
W_hh) take about 18 ms of MKL time at the main size, alone; oneDNN does nn.LSTM's in less.
modules.LSTM is slower than the gate-by-gate loop because its loop reads xw[t]: autograd's
backward of each xw[t] is a zero (T, B, 4H) tensor with one step filled in, so its time grows
with T^2 (8.88x at T 200); `for xw_t in xw` avoids that.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_lessons import modules  # noqa: E402
from lstm_lessons.fast_lstm import FastLSTM, GateByGateLSTM, time_layers  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "lstm_speed.json"
MAIN = {"B": 64, "T": 100, "I": 64, "H": 64}
OTHERS = [dict(MAIN, H=32), dict(MAIN, H=128), dict(MAIN, T=200), dict(MAIN, B=8)]
TARGET = 2.0  # FastLSTM's forward plus backward at the main size, as a multiple of nn.LSTM's
CONTENDERS = {
    "nn.LSTM": "torch.nn.LSTM (oneDNN kernels on CPU)",
    "FastLSTM": "one input multiply, one fused recurrent multiply per step, hand-written BPTT",
    "modules.LSTM": "the same fused loop with autograd for the backward",
    "GateByGateLSTM": "four gates, four multiplies per step, autograd for the backward",
}


def measure(size: dict, names: list, repeats: int, warmup: int) -> dict:
    """Median milliseconds and ratios to nn.LSTM of the named layers at one size."""
    torch.manual_seed(0)
    reference = torch.nn.LSTM(size["I"], size["H"])
    build = {"nn.LSTM": lambda: reference, "FastLSTM": FastLSTM, "modules.LSTM": modules.LSTM,
             "GateByGateLSTM": GateByGateLSTM}
    layers = {}
    for name in names:
        layer = build[name]() if name == "nn.LSTM" else build[name](size["I"], size["H"])
        layer.load_state_dict(reference.state_dict())
        layers[name] = layer
    x = torch.randn(size["T"], size["B"], size["I"])  # (T, B, I)
    times = time_layers(layers, x, repeats=repeats, warmup=warmup)
    ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    return dict(size, ms={n: round(v, 2) for n, v in ms.items()},
                ratio={n: round(v / ms["nn.LSTM"], 2) for n, v in ms.items()})


def machine() -> str:
    """The CPU's model name and core count, as far as this system says."""
    name = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {os.cpu_count()} cores"


def _load():
    """The 1-minute load average, where the system keeps one (other jobs on the machine skew timings)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def table(rows: list) -> str:
    """The results as a plain-text table: one line per size, ms and ratio per contender."""
    names = [n for n in CONTENDERS if any(n in r["ms"] for r in rows)]
    head = f"{'B':>3} {'T':>4} {'I':>3} {'H':>4} | " + " | ".join(f"{n:>21}" for n in names)
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = [f"{r['ms'][n]:8.1f} ms ({r['ratio'][n]:5.2f}x)" if n in r["ms"] else f"{'':>21}" for n in names]
        lines.append(f"{r['B']:>3} {r['T']:>4} {r['I']:>3} {r['H']:>4} | " + " | ".join(cells))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the main size only, few repeats (under 10 s)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per contender and size")
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help=f"where to write the JSON (default: {RESULTS.relative_to(ROOT)} for a full run, "
                             "nothing for --quick)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    load = [_load()]
    repeats = args.repeats or (5 if args.quick else 21)
    warmup = 1 if args.quick else 3
    rows = [measure(MAIN, list(CONTENDERS), repeats, warmup)]
    if not args.quick:
        rows += [measure(size, ["nn.LSTM", "FastLSTM", "modules.LSTM"], repeats, warmup) for size in OTHERS]
    load.append(_load())
    print(f"forward + backward per call, median of {repeats}; torch {torch.__version__}, CPU, float32, "
          f"{torch.get_num_threads()} thread; {machine()}; load average {load[0]} before, {load[1]} after")
    print(table(rows))
    ratio = rows[0]["ratio"]["FastLSTM"]
    met = ratio <= TARGET
    print(f"FastLSTM at B {MAIN['B']}, T {MAIN['T']}, I {MAIN['I']}, H {MAIN['H']}: {ratio:.2f}x nn.LSTM "
          f"(target at most {TARGET}x: {'met' if met else 'NOT met'})")
    out = args.out or (None if args.quick else RESULTS)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "what": "milliseconds per forward plus backward call, median over repeats, and ratio to nn.LSTM",
            "clock": "process CPU time (time.process_time), one torch thread",
            "command": "python benchmarks/lstm_speed.py" + (" --quick" if args.quick else ""),
            "torch": torch.__version__, "device": "cpu", "dtype": "float32", "threads": torch.get_num_threads(),
            "machine": machine(), "load_average_before_after": load,
            "repeats": repeats, "warmup": warmup, "contenders": CONTENDERS,
            "target": {"layer": "FastLSTM", "size": MAIN, "max_ratio": TARGET, "ratio": ratio, "met": met},
            "results": rows,
        }
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {out}")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
