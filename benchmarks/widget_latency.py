"""How long a widget takes from a control change to its finished redraw, kernel side, per widget.

    python benchmarks/widget_latency.py [--moves N] [--in-process] [--json PATH]
    python benchmarks/widget_latency.py --browser     # the browser test's end-to-end times

For each FigureWidget subclass in lstm_lessons.widgets (built with its default arguments),
each control is moved through N values across its range (sliders) or its options (dropdowns)
with `widget.set(name=value)`, one warm-up move first, which is not counted. Two times per move:

- set -> redrawn: from the change to the end of the redraw, as the kernel sees it (`set` returns
  after the observer has recomputed, drawn, rendered the PNG and sent it to the Output widget);
- redraw: `widget.last_redraw_s`, the redraw alone (compute, draw, PNG, readout, display).

By default the moves run in a real ipykernel (started with jupyter_client, `setup(seed=0)` first,
as a notebook does), so the widget messages are really serialized and sent; --in-process runs
them here instead, without a kernel. The median and the worst of each control are printed, and
the worst over all controls of each widget; --json also writes them.

--browser prints what the browser test (tests/browser) measured in JupyterLab and Notebook 7:
the time from the learner's move (key press, release of the drag, choice in a dropdown) to the
new image in the page, read from artifacts/browser_timings.json, which each run of the browser
test rewrites, next to the kernel-side redraw of that same move.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
BROWSER_TIMINGS = ROOT / "artifacts" / "browser_timings.json"

# Runs in the kernel (or here with --in-process); prints one line of JSON.
MEASURE = r'''
import contextlib, inspect, io, json, statistics, time
import numpy as np
import ipywidgets as W
import lstm_lessons.widgets as LW

def _sweep(control, n):
    """n values for a control, spread over its range or options, none equal to its value."""
    if isinstance(control, (W.FloatSlider, W.IntSlider)):
        lo, hi, step = control.min, control.max, control.step
        grid = np.linspace(lo, hi, n + 1)
        vals = [round(lo + round((g - lo) / step) * step, 10) for g in grid]
        if isinstance(control, W.IntSlider):
            vals = [int(v) for v in vals]
        vals = [v for v in dict.fromkeys(vals) if v != control.value]
        return (vals * n)[:n]
    if isinstance(control, (W.Dropdown, W.Select, W.RadioButtons, W.ToggleButtons)):
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        other = [o for o in opts if o != control.value]
        seq = []
        while len(seq) < n:  # alternate between the value and each other option
            for o in other:
                seq += [o, control.value]
        return seq[:n]
    if isinstance(control, W.Checkbox):
        return [not control.value, control.value] * n
    return []

def _measure(n_moves):
    out = []
    classes = [c for _, c in inspect.getmembers(LW, inspect.isclass)
               if issubclass(c, LW.FigureWidget) and c is not LW.FigureWidget and c.__module__ == LW.__name__]
    for cls in classes:
        try:
            w = cls()
        except TypeError as err:
            out.append({"widget": cls.__name__, "error": f"needs arguments: {err}"})
            continue
        for name, control in w.controls.items():
            start_value = control.value
            values = _sweep(control, n_moves + 1)
            if not values:
                out.append({"widget": cls.__name__, "control": name, "error": f"cannot sweep {type(control).__name__}"})
                continue
            set_s, redraw_s = [], []
            for i, v in enumerate(values):
                before = w.redraws
                t0 = time.perf_counter()
                w.set(**{name: v})
                dt = time.perf_counter() - t0
                assert w.redraws == before + 1, f"{cls.__name__}.{name}={v!r}: {w.redraws - before} redraws"
                if i:  # the first move warms up and is not counted
                    set_s.append(dt)
                    redraw_s.append(w.last_redraw_s)
            w.set(**{name: start_value})
            out.append({"widget": cls.__name__, "control": name, "moves": len(set_s),
                        "set_median_ms": 1000 * statistics.median(set_s), "set_worst_ms": 1000 * max(set_s),
                        "redraw_median_ms": 1000 * statistics.median(redraw_s), "redraw_worst_ms": 1000 * max(redraw_s)})
    return out
'''


def measure_in_process(moves: int) -> list:
    space: dict = {}
    exec(MEASURE, space)  # noqa: S102 - our own code, shared with the kernel run
    with open(os.devnull, "w") as sink, __import__("contextlib").redirect_stdout(sink):
        # Outside a kernel, display() prints the Image's repr; nothing to see.
        return space["_measure"](moves)


def measure_in_kernel(moves: int) -> list:
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    chunks, errors = [], []

    def hook(msg):
        kind = msg["header"]["msg_type"]
        if kind == "stream" and msg["content"]["name"] == "stdout":
            chunks.append(msg["content"]["text"])
        elif kind == "error":
            errors.append("\n".join(msg["content"]["traceback"]))

    try:
        code = ("from lstm_lessons.notebook import setup\nsetup(seed=0, quiet=True)\n" + MEASURE
                + f"\nprint('@@' + json.dumps(_measure({moves})))\n")
        kc.execute_interactive(code, timeout=900, output_hook=hook)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if errors:
        raise SystemExit("the benchmark failed in the kernel:\n" + "\n".join(errors))
    line = [ln for ln in "".join(chunks).splitlines() if ln.startswith("@@")]
    return json.loads(line[-1][2:])


def print_kernel_table(rows: list, where: str) -> None:
    print(f"Kernel-side redraw per control change ({where}; ms; median / worst over the moves)")
    print(f"{'widget':18} {'control':14} {'moves':>5} {'set->redrawn':>16} {'redraw alone':>16}")
    widgets = {}
    for r in rows:
        if "error" in r:
            print(f"{r['widget']:18} {r.get('control', ''):14} skipped: {r['error']}")
            continue
        print(f"{r['widget']:18} {r['control']:14} {r['moves']:5d} {r['set_median_ms']:7.0f} / {r['set_worst_ms']:6.0f} "
              f"{r['redraw_median_ms']:7.0f} / {r['redraw_worst_ms']:6.0f}")
        widgets.setdefault(r["widget"], []).append(r)
    for name, rs in widgets.items():
        print(f"  {name}: median of the controls' medians {statistics.median(r['set_median_ms'] for r in rs):.0f} ms, "
              f"worst move {max(r['set_worst_ms'] for r in rs):.0f} ms")


def print_browser_table(path: pathlib.Path = BROWSER_TIMINGS) -> None:
    if not path.exists():
        print(f"No {path.relative_to(ROOT)} yet: run the browser test (make test, or "
              f".venv/bin/python -m pytest tests/browser), which writes it.")
        return
    rows = json.loads(path.read_text())
    print("End to end in the browser: learner's move -> new image on the page (ms), from the last browser test")
    print(f"{'frontend':10} {'notebook':34} {'control':28} {'moves':>5} {'median':>7} {'worst':>7} {'kernel median':>14}")
    groups = {}
    for r in rows:
        groups.setdefault((r["frontend"], r["notebook"], r["widget"], r["control"]), []).append(r)
    for (frontend, notebook, widget, control), rs in groups.items():
        ms = [r["browser_ms"] for r in rs]
        kernel = [r["kernel_redraw_ms"] for r in rs if r.get("kernel_redraw_ms") is not None]
        k = f"{statistics.median(kernel):.0f}" if kernel else "-"
        print(f"{frontend:10} {notebook[:34]:34} {(widget.split(' (')[0] + ': ' + control)[:28]:28} {len(ms):5d} "
              f"{statistics.median(ms):7.0f} {max(ms):7.0f} {k:>14}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=8, help="counted moves per control (default 8)")
    parser.add_argument("--in-process", action="store_true", help="run here, not in an ipykernel")
    parser.add_argument("--json", type=pathlib.Path, help="also write the kernel-side results here")
    parser.add_argument("--browser", action="store_true", help="print only the browser test's end-to-end times")
    args = parser.parse_args(argv)
    if args.browser:
        print_browser_table()
        return 0
    sys.path.insert(0, str(ROOT))
    rows = measure_in_process(args.moves) if args.in_process else measure_in_kernel(args.moves)
    print_kernel_table(rows, "in this process" if args.in_process else "in an ipykernel")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print()
    print_browser_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
