"""How fast one training step of the series' small recurrent models is with 1 and with 2 torch threads.

    python benchmarks/threads.py

Measured on the 2-core machine (ms per step, 1 thread / 2 threads): nn.RNN H=16 3.4 / 3.7;
nn.LSTM H=32 4.7 / 3.1; nn.GRU H=32 9.8 / 9.8; nn.LSTM H=64 23.5 / 14.5; nn.LSTM H=128 72.2 / 49.0.
Two threads win for a lone LSTM of 32 units and more, but the notebooks as a whole ran faster with
one (benchmarks/notebooks.py: notebook 01 9.5 s vs 10.2 s, notebook 02 15.2 s vs 16.0 s), and the
tests run two notebooks side by side; so lstm_lessons.notebook.DEFAULT_THREADS = 1.
Each configuration runs in a fresh process so thread pools do not leak between runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

CONFIGS = [  # (module, input size, hidden size, batch, steps): sizes the notebooks use
    ("RNN", 1, 16, 64, 50),
    ("LSTM", 2, 32, 64, 50),
    ("GRU", 8, 32, 64, 50),
    ("LSTM", 8, 64, 64, 100),
    ("LSTM", 8, 128, 64, 100),
]


def child(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = []
    for name, I, H, B, T in CONFIGS:
        model = getattr(torch.nn, name)(I, H, batch_first=True)
        opt = torch.optim.Adam(model.parameters())
        x = torch.randn(B, T, I)
        for _ in range(3):  # warm-up
            model(x)[0].sum().backward()
        reps, start = 20, time.perf_counter()
        for _ in range(reps):
            opt.zero_grad()
            model(x)[0].pow(2).mean().backward()
            opt.step()
        out.append((time.perf_counter() - start) / reps * 1000)
    print(json.dumps(out))


def main() -> None:
    times = {}
    for threads in (1, 2):
        res = subprocess.run([sys.executable, __file__, "--child", str(threads)], capture_output=True, text=True, check=True)
        times[threads] = json.loads(res.stdout)
    print(f"{'model (I, H, batch, steps)':34s} {'1 thread ms':>12s} {'2 threads ms':>13s} {'ratio':>6s}")
    for k, (name, I, H, B, T) in enumerate(CONFIGS):
        one, two = times[1][k], times[2][k]
        print(f"{f'nn.{name} ({I}, {H}, {B}, {T})':34s} {one:12.1f} {two:13.1f} {one / two:6.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        main()
