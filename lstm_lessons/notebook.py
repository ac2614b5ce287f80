"""The set-up call every notebook makes once, in its first cell after the Colab install.

`setup()` seeds NumPy, Python and torch, sets torch's thread count, picks the device and
applies the plot style, then prints one line saying so. Nothing happens at import time.
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass

import numpy as np

from ._validate import check_positive_int
from .plots import use_style

# One thread by default, chosen by measurement on a 2-core machine (benchmarks/threads.py and
# benchmarks/notebooks.py): the notebooks' own models (hidden sizes 16 to 32, NumPy-heavy cells)
# ran 5-7% faster with one thread than with two (notebook 02: 15.2 s vs 16.0 s), and `make test`
# runs two notebooks at once, one per core. Two threads pay off from an nn.LSTM with H = 64 up
# (about 1.5x faster alone); a notebook that trains such a model can pass setup(threads=2).
DEFAULT_THREADS = 1


@dataclass
class Session:
    """What setup() chose: the seed, a NumPy generator seeded with it, the device and the threads."""

    seed: int
    rng: np.random.Generator
    device: str
    threads: int
    where: str


def where_am_i() -> str:
    """'colab', 'binder' or 'local': where this kernel runs."""
    if "google.colab" in sys.modules:
        return "colab"
    if "BINDER_LAUNCH_HOST" in os.environ or "BINDER_REQUEST" in os.environ:
        return "binder"
    return "local"


def _inline_figures() -> None:
    """In a Jupyter kernel, show figures inline (Figure objects too, not only pyplot's)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and "IPKernelApp" in shell.config:
        shell.run_line_magic("matplotlib", "inline")


def setup(seed: int = 0, threads: int | None = None, torch: bool = True, quiet: bool = False) -> Session:
    """Seed everything, set threads and device, apply the plot style; returns a Session."""
    seed = check_positive_int(seed, "seed", minimum=0)
    threads = DEFAULT_THREADS if threads is None else check_positive_int(threads, "threads")
    random.seed(seed)
    np.random.seed(seed)
    # NumPy's BLAS gets the same thread count as torch: the notebooks' matrices are small, and a
    # multi-threaded BLAS on a busy 2-core machine ran notebook 05 six times slower than one thread.
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    device = "cpu"
    if torch:
        import torch as _torch

        _torch.manual_seed(seed)
        _torch.set_num_threads(threads)
        device = "cuda" if _torch.cuda.is_available() else "cpu"
    use_style()
    _inline_figures()
    session = Session(seed, np.random.default_rng(seed), device, threads, where_am_i())
    if not quiet:
        from . import __version__

        versions = f"lstm_lessons {__version__}, numpy {np.__version__}"
        if torch:
            versions += f", torch {_torch.__version__.split('+')[0]}"
        # tools/seeds.py shifts every seed by an offset to check that the notebook's claims hold for any seed
        shifted = os.environ.get("LSTM_LESSONS_SEED_OFFSET")
        shifted = f" (every seed shifted by {shifted} by tools/seeds.py)" if shifted else ""
        print(f"{versions} | running {session.where} on {device} with {threads} thread(s) | seed {seed}{shifted}")
    return session
