"""How long a widget takes from a control change to the new picture, kernel side, per control of every widget.

    python benchmarks/widget_latency.py [--moves N] [--in-process] [--json PATH]
    python benchmarks/widget_latency.py --browser     # the browser test's end-to-end times

Which widgets: every class in lstm_lessons.widgets.REGISTRY (each FigureWidget subclass defined
in a module under lstm_lessons/widgets/ joins it when the module is imported; the script imports
them all), built with `cls.example()` (its default arguments unless the class says otherwise); plus the cell drawing of notebooks 03-06 (lstm_lessons.cell_drawing)
for each kind, inside a minimal widget, since the playgrounds redraw it on every move.

How: each control is moved as the browser moves it (`control.set_state(...)`, the call a
message from the front end makes, so the widget takes its live path), through N values across
its range or its options, one warm-up move first that is not counted. Per move:
- frame: from the change until the frame is drawn, encoded and sent (what a learner waits for
  while moving the control; for a widget with a `preview`, the preview frame);
- exact: for such a widget, until compute's exact frame has replaced the preview (the control
  at rest). The next move starts after it, as with key presses.
Then each slider is dragged: 25 moves 30 ms apart (a pointer moving at a moderate pace), timing
every frame, and the time from the last move to the exact frame of the final value.

Targets (CONTRIBUTING.md, "Widgets"): frame median <= 40 ms and worst <= 100 ms per control;
the final value of a drag on show within 300 ms. The script exits with status 1 if a control
misses them. By default the moves run in a real ipykernel (jupyter_client, `setup(seed=0)`
first, as a notebook does), so widget messages are really serialized and sent; --in-process
runs them here. Timings on a shared machine are noisy: run it a few times and compare medians;
--boost (root, Linux) raises the benchmark's and the kernel's CPU priority, so that on a machine
shared with other work it measures the widgets rather than their wait for a core.

--browser prints what the browser test (tests/browser) measured in JupyterLab and Notebook 7:
the time from the learner's move to the new image in the page, read from
artifacts/browser_timings.json, which each run of the browser test rewrites.
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
TARGET_MEDIAN_MS, TARGET_WORST_MS, TARGET_SETTLE_MS = 40.0, 100.0, 300.0

# Runs in the kernel (or here with --in-process); prints one line of JSON.
MEASURE = r'''
import json, math, statistics, time
import numpy as np
import ipywidgets as W
import lstm_lessons.widgets as LW
from lstm_lessons.cell_drawing import CellDrawing

class CellProbe(LW.FigureWidget):
    """The cell drawing of notebooks 03-06 in a minimal widget: one slider moves every value it shows."""

    def __init__(self, kind):
        self.kind = kind
        self.__class__.__name__ = f"CellDrawing[{kind}]"
        super().__init__({"gate": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description="gate",
                                                continuous_update=True)}, width=7.0, height=3.5)

    def compute(self, gate):
        a = 2 * gate - 1
        return {"lstm": dict(x=a, h_prev=-a, c_prev=3 * a, f=gate, i=1 - gate, g=a, o=gate),
                "gru": dict(x=a, h_prev=-a, r=gate, z=1 - gate, n=a),
                "memory": dict(x=a, w=gate, f=1 - gate, r=gate, m_prev=5 * a)}[self.kind]

    def build(self, fig):
        self.cell = CellDrawing(fig.add_axes([0, 0, 1, 1]), self.kind, animated=True)

    def update(self, state):
        self.cell.update(state)

def _keys(control):
    return [o[1] if isinstance(o, tuple) else o for o in control.options]

def _move(control, value):
    """Change a control as a message from the front end does."""
    if isinstance(control, (W.Dropdown, W.Select, W.RadioButtons, W.ToggleButtons)):
        control.set_state({"index": _keys(control).index(value)})
    else:
        control.set_state({"value": value})

def _sweep(control, n):
    """n values for a control, spread over its range or options, none equal to its value."""
    if isinstance(control, W.FloatLogSlider):
        lo, hi, step = control.min, control.max, control.step
        vals = [round(control.base ** (lo + round((g - lo) / step) * step), 12) for g in np.linspace(lo, hi, n + 1)]
    elif isinstance(control, (W.FloatSlider, W.IntSlider)):
        lo, hi, step = control.min, control.max, control.step
        vals = [round(lo + round((g - lo) / step) * step, 10) for g in np.linspace(lo, hi, n + 1)]
        if isinstance(control, W.IntSlider):
            vals = [int(v) for v in vals]
    elif isinstance(control, (W.Dropdown, W.Select, W.RadioButtons, W.ToggleButtons)):
        other = [o for o in _keys(control) if o != control.value]
        seq = []
        while len(seq) < n:  # alternate between the value and each other option
            for o in other:
                seq += [o, control.value]
        return seq[:n]
    elif isinstance(control, (W.Checkbox, W.ToggleButton)):
        return [not control.value, control.value] * n
    elif isinstance(control, (W.Text, W.Textarea)):  # typing: the text grows and shrinks a character at a time
        text = control.value or "ab"
        seq = [text[:k] for k in range(len(text) - 1, -1, -1)] + [text[:k] for k in range(1, len(text) + 1)]
        return ((seq or [text]) * n)[:n]
    else:
        return []
    vals = [v for v in dict.fromkeys(vals) if v != control.value]
    return (vals * n)[:n]

def _drag(control, n=25, pause=0.03):
    """A drag: n small steps 30 ms apart across a third of the range (sliders only)."""
    lo, hi = control.min, control.max
    start = control.value
    end = lo + 0.2 * (hi - lo) if (start - lo) > 0.5 * (hi - lo) else hi - 0.2 * (hi - lo)
    path = np.linspace(start, end, n + 1)[1:]
    step = control.step
    vals = [round(lo + round((v - lo) / step) * step, 10) for v in path]
    if isinstance(control, W.IntSlider):
        vals = [int(v) for v in vals]
    return [v for i, v in enumerate(vals) if i == 0 or v != vals[i - 1]], pause

def _ms(xs):
    return [1000 * x for x in xs]

def _measure_widget(name, w, n_moves):
    rows = []
    for cname, control in w.controls.items():
        if not control.has_trait("value") or cname in w.silent:
            continue
        start_value = control.value
        values = _sweep(control, n_moves + 1)
        if not values:
            rows.append({"widget": name, "control": cname, "error": f"cannot sweep {type(control).__name__}"})
            continue
        frame_s, exact_s, cpu_s, previews = [], [], [], 0
        for i, v in enumerate(values):
            w.wait_exact(30)
            before = w.redraws
            c0 = time.thread_time()
            t0 = time.perf_counter()
            _move(control, v)
            t1 = time.perf_counter()
            c1 = time.thread_time()
            assert w.redraws == before + 1, f"{name}.{cname}={v!r}: {w.redraws - before} frames"
            preview = not w.exact
            assert w.wait_exact(30), f"{name}.{cname}={v!r}: no exact frame"
            t2 = time.perf_counter()
            if i:  # the first move warms up and is not counted
                frame_s.append(t1 - t0)
                cpu_s.append(c1 - c0)
                exact_s.append(t2 - t0)
                previews += preview
        row = {"widget": name, "control": cname, "moves": len(frame_s),
               "frame_median_ms": 1000 * statistics.median(frame_s), "frame_worst_ms": 1000 * max(frame_s),
               "exact_median_ms": 1000 * statistics.median(exact_s), "exact_worst_ms": 1000 * max(exact_s),
               "frame_cpu_median_ms": 1000 * statistics.median(cpu_s),
               "previews": previews}
        if isinstance(control, (W.FloatSlider, W.IntSlider)) and not isinstance(control, W.FloatLogSlider):
            w.wait_exact(30)
            vals, pause = _drag(control)
            frames, first_generation = [], w.generation
            t_last = None
            for v in vals:
                t0 = time.perf_counter()
                _move(control, v)
                frames.append(time.perf_counter() - t0)
                t_last = time.perf_counter()
                time.sleep(pause)
            ok = w.wait_exact(30)
            settle = time.perf_counter() - t_last if ok else float("inf")
            final = json.loads(__import__("lstm_lessons.widgets.engine", fromlist=["png_text"]).png_text(w.png)["lstm-frame"])
            row.update({"drag_moves": len(vals), "drag_frame_median_ms": 1000 * statistics.median(frames),
                        "drag_frame_worst_ms": 1000 * max(frames),
                        "drag_settle_ms": 1000 * (settle + pause) if ok else None,
                        "drag_final_ok": bool(ok and final["exact"] and final["values"][cname] == vals[-1])})
        _move(control, start_value)
        w.wait_exact(30)
        rows.append(row)
    return rows

def _measure(n_moves, only=None):
    import importlib, os, pkgutil
    # every module of lstm_lessons.widgets, so that every widget class joins the registry
    for info in pkgutil.iter_modules(LW.__path__):
        importlib.import_module(f"lstm_lessons.widgets.{info.name}")
    out = [{"load": os.getloadavg(), "cpus": os.cpu_count()}]
    for cls in LW.REGISTRY:
        if only and cls.__name__ not in only:
            continue
        try:
            w = cls.example()
        except TypeError as err:
            out.append({"widget": cls.__name__, "error": f"needs arguments (define {cls.__name__}.example()): {err}"})
            continue
        out += _measure_widget(cls.__name__, w, n_moves)
    for kind in ("lstm", "gru", "memory"):
        if not only or f"CellDrawing[{kind}]" in only or "CellDrawing" in only:
            out += _measure_widget(f"CellDrawing[{kind}]", CellProbe(kind), n_moves)
    return out
'''


def measure_in_process(moves: int, only=None) -> list:
    space: dict = {}
    exec(MEASURE, space)  # noqa: S102 - our own code, shared with the kernel run
    return space["_measure"](moves, only)


def boost(pid: int = 0) -> bool:
    """Raise a process's CPU priority (Linux, as root): its autogroup's and its own nice to -15.

    On a machine shared with other work, frames wait for the cores far longer than they compute;
    boosting measures the widgets as on a machine of the same size to themselves.
    """
    try:
        with open(f"/proc/{pid or 'self'}/autogroup", "w") as f:
            f.write("-15")
        os.setpriority(os.PRIO_PROCESS, pid, -15)
        return True
    except OSError:
        return False


def measure_in_kernel(moves: int, only=None, boosted: bool = False) -> list:
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    if boosted:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is None or not boost(process.pid):
            print("(could not boost the kernel's priority)")
    chunks, errors = [], []

    def hook(msg):
        kind = msg["header"]["msg_type"]
        if kind == "stream" and msg["content"]["name"] == "stdout":
            chunks.append(msg["content"]["text"])
        elif kind == "error":
            errors.append("\n".join(msg["content"]["traceback"]))

    try:
        code = ("from lstm_lessons.notebook import setup\nsetup(seed=0, quiet=True)\n" + MEASURE
                + f"\nprint('@@' + json.dumps(_measure({moves}, {only!r})))\n")
        kc.execute_interactive(code, timeout=1800, output_hook=hook)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if errors:
        raise SystemExit("the benchmark failed in the kernel:\n" + "\n".join(errors))
    line = [ln for ln in "".join(chunks).splitlines() if ln.startswith("@@")]
    return json.loads(line[-1][2:])


def misses(r: dict) -> list:
    """What a row misses of the targets, in words."""
    out = []
    if r["frame_median_ms"] > TARGET_MEDIAN_MS:
        out.append(f"median {r['frame_median_ms']:.0f} > {TARGET_MEDIAN_MS:.0f} ms")
    if r["frame_worst_ms"] > TARGET_WORST_MS:
        out.append(f"worst {r['frame_worst_ms']:.0f} > {TARGET_WORST_MS:.0f} ms")
    if "drag_moves" in r:
        if r["drag_frame_median_ms"] > TARGET_MEDIAN_MS or r["drag_frame_worst_ms"] > TARGET_WORST_MS:
            out.append(f"drag frames {r['drag_frame_median_ms']:.0f} / {r['drag_frame_worst_ms']:.0f} ms")
        if not r["drag_final_ok"] or r["drag_settle_ms"] is None or r["drag_settle_ms"] > TARGET_SETTLE_MS:
            out.append("drag did not end on the exact final frame within 300 ms")
    return out


def print_kernel_table(rows: list, where: str) -> int:
    print(f"Kernel side, per control ({where}; ms; median / worst; targets: frame median <= {TARGET_MEDIAN_MS:.0f}, "
          f"worst <= {TARGET_WORST_MS:.0f}, drag settles <= {TARGET_SETTLE_MS:.0f})")
    print(f"{'widget':20} {'control':14} {'moves':>5} {'frame':>13} {'cpu':>5} {'exact frame':>13} "
          f"{'drag frames':>13} {'drag settles':>12}  verdict")
    failed = 0
    for r in rows:
        if "load" in r:
            print(f"(machine: {r['cpus']} CPUs, load average {r['load'][0]:.1f} at the start: frames take longer "
                  f"when other work shares the cores; 'cpu' is the frame's own CPU time)")
            continue
        if "error" in r:
            print(f"{r['widget']:20} {r.get('control', ''):14} skipped: {r['error']}")
            failed += 1
            continue
        exact = (f"{r['exact_median_ms']:5.0f} / {r['exact_worst_ms']:5.0f}" if r["previews"] else f"{'(same)':>13}")
        drag = (f"{r['drag_frame_median_ms']:5.0f} / {r['drag_frame_worst_ms']:5.0f}" if "drag_moves" in r else "")
        settle = (f"{r['drag_settle_ms']:.0f}" + ("" if r["drag_final_ok"] else " STALE")
                  if "drag_moves" in r and r["drag_settle_ms"] is not None else "")
        bad = misses(r)
        failed += bool(bad)
        print(f"{r['widget']:20} {r['control']:14} {r['moves']:5d} {r['frame_median_ms']:5.0f} / {r['frame_worst_ms']:5.0f} "
              f"{r['frame_cpu_median_ms']:5.0f} {exact:>13} {drag:>13} {settle:>12}  {'ok' if not bad else 'MISSES: ' + '; '.join(bad)}")
    print("frame: change -> frame sent (a preview where the widget has one); exact frame: change -> compute's exact "
          "frame sent; drag: 25 moves 30 ms apart, each frame, and last move -> exact final frame.")
    return failed


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
        ms = [r["browser_ms"] for r in rs if r.get("browser_ms") is not None]
        if not ms:
            continue
        kernel = [r["kernel_redraw_ms"] for r in rs if r.get("kernel_redraw_ms") is not None]
        k = f"{statistics.median(kernel):.0f}" if kernel else "-"
        print(f"{frontend:10} {notebook[:34]:34} {(widget.split(' (')[0] + ': ' + control)[:28]:28} {len(ms):5d} "
              f"{statistics.median(ms):7.0f} {max(ms):7.0f} {k:>14}")
    for frontend in sorted({r["frontend"] for r in rows}):
        ms = [r["browser_ms"] for r in rows if r["frontend"] == frontend and r.get("browser_ms") is not None]
        if ms:
            print(f"{frontend}: median over all moves {statistics.median(ms):.0f} ms ({len(ms)} moves)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=8, help="counted moves per control (default 8)")
    parser.add_argument("--in-process", action="store_true", help="run here, not in an ipykernel")
    parser.add_argument("--json", type=pathlib.Path, help="also write the kernel-side results here")
    parser.add_argument("--browser", action="store_true", help="print only the browser test's end-to-end times")
    parser.add_argument("--only", nargs="+", help="measure only these widgets (class names; CellDrawing for the drawings)")
    parser.add_argument("--boost", action="store_true",
                        help="raise this process's and the kernel's CPU priority (root, Linux): on a machine shared "
                             "with other work, measure the widgets rather than the wait for a core")
    args = parser.parse_args(argv)
    if args.browser:
        print_browser_table()
        return 0
    sys.path.insert(0, str(ROOT))
    if args.boost:
        print("priority boosted" if boost() else "(could not boost this process's priority: not root, or not Linux)")
    rows = (measure_in_process(args.moves, args.only) if args.in_process
            else measure_in_kernel(args.moves, args.only, args.boost))
    failed = print_kernel_table(rows, "in this process" if args.in_process else "in an ipykernel")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print()
    print_browser_table()
    if failed:
        print(f"\n{failed} control(s) miss the targets.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
