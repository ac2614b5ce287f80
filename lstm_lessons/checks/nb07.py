"""Checkers for notebook 07's exercises: from scratch to PyTorch.

Weights in another layout loaded into nn.LSTM, each sequence's true last output from a padded
batch, the final features of a bidirectional stack, and a fused GRU layer. Every reference is
torch.nn itself (nn.LSTM in float64); torch is imported when a checker runs, not at import time.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import cells
from .engine import Case, CheckResult, check_function, run_learner

__all__ = ["check_concat_to_torch", "check_last_step", "check_final_features", "check_fused_gru_layer"]

#: exercise name -> ("07", number), so that a stub's verdict can point to show_solution("07", number).
EXERCISES = {"concat_to_torch": ("07", 1), "last_step": ("07", 2), "final_features": ("07", 3),
             "fused_gru_layer": ("07", 4)}


def _numpy(value):
    """A learner's result (tensors, arrays, or a tuple of them) as NumPy, so that the engine can compare it."""
    import torch

    if isinstance(value, tuple):
        return tuple(_numpy(v) for v in value)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return value


def _torch_call(fn: Callable, ints=()) -> Callable:
    """Call fn with every NumPy argument as a fresh torch tensor (int64 for the names in `ints`)."""
    import torch

    if not callable(fn):
        return fn  # check_function explains that the function itself is wanted

    def call(**kwargs):
        args = {k: (torch.tensor(v, dtype=torch.int64) if k in ints else torch.from_numpy(np.array(v)))
                if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return _numpy(fn(**args))

    return call


# --------------------------------------------------------------------------- 1: weights of another layout into nn.LSTM

#: the block order of the concatenated layout in exercise 1 (Olah's order), and PyTorch's
CONCAT_ORDER, TORCH_ORDER = "figo", "ifgo"


def _concat_to_torch(W, b, order=TORCH_ORDER, x_first=False, bias_twice=False):
    """The right conversion of W (4H, H + I) on [h, x] with blocks f, i, g, o, and b (4H,); options make slips."""
    H = W.shape[0] // 4
    blocks = {name: k for k, name in enumerate(CONCAT_ORDER)}
    rows = np.concatenate([np.arange(H) + H * blocks[name] for name in order])  # f, i, g, o -> i, f, g, o
    W, b = W[rows], b[rows]
    W_hh, W_ih = (W[:, -H:], W[:, :-H]) if x_first else (W[:, :H], W[:, H:])
    return W_ih, W_hh, b, (b if bias_twice else np.zeros_like(b))


def _lstm_outputs(weights, x):
    """Load (weight_ih, weight_hh, bias_ih, bias_hh) into nn.LSTM (float64) and run it on x (T, B, I)."""
    import torch

    W_ih, W_hh, b_ih, b_hh = (np.asarray(a, dtype=float) for a in weights)
    lstm = torch.nn.LSTM(W_ih.shape[1], W_hh.shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, a in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(lstm, name).copy_(torch.from_numpy(a))
        out, _ = lstm(torch.from_numpy(x))
    return out.numpy()  # (T, B, H)


def check_concat_to_torch(fn: Callable) -> CheckResult:
    """Notebook 07: fn(W, b) -> (weight_ih, weight_hh, bias_ih, bias_hh) for nn.LSTM, from W (4H, H + I) on [h, x]."""
    if not callable(fn):
        return CheckResult(False, "pass the function itself, not its result: check_concat_to_torch(concat_to_torch).")
    rng = np.random.default_rng(7)
    name, exercise = "your concat_to_torch", EXERCISES["concat_to_torch"]
    sizes = [("input 3, hidden 4", 3, 4), ("input 2, hidden 1", 2, 1), ("input 1, hidden 3", 1, 3)]
    mistakes = {
        "keep the blocks in the order f, i, g, o: nn.LSTM reads them as i, f, g, o":
            lambda W, b: _concat_to_torch(W, b, order=CONCAT_ORDER),
        "split [h, x] the wrong way round (the first H columns multiply h, the last I multiply x)":
            lambda W, b: _concat_to_torch(W, b, x_first=True),
        "put b into both bias_ih and bias_hh (nn.LSTM adds them, so the bias counts twice)":
            lambda W, b: _concat_to_torch(W, b, bias_twice=True),
    }
    for k, (desc, I, H) in enumerate(sizes, 1):
        where = f"Case {k} of {len(sizes)} ({desc})"
        W, b = rng.uniform(-1, 1, size=(4 * H, H + I)), rng.uniform(-1, 1, size=4 * H)
        x = rng.normal(size=(5, 2, I))  # (T, B, I)
        got, verdict = run_learner(fn, {"W": W.copy(), "b": b.copy()}, name=name, where=where, exercise=exercise)
        if verdict is not None:
            return verdict
        got = _numpy(got)
        if not isinstance(got, tuple) or len(got) != 4:
            return CheckResult(False, f"{where}: {name} should return four arrays, "
                                      f"(weight_ih, weight_hh, bias_ih, bias_hh); got {type(got).__name__}.")
        expected_shapes = [(4 * H, I), (4 * H, H), (4 * H,), (4 * H,)]
        for label, a, shape in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), got, expected_shapes):
            if np.shape(a) != shape:
                hint = "Transposed? nn.LSTM keeps one row per gate unit." if np.shape(a) == shape[::-1] else ""
                return CheckResult(False, f"{where}: {label} should have shape {shape} for nn.LSTM({I}, {H}); "
                                          f"got {np.shape(a)}.", hint)
        expected, answer = _lstm_outputs(_concat_to_torch(W, b), x), _lstm_outputs(got, x)
        if not np.allclose(answer, expected, rtol=1e-9, atol=1e-12):
            slip = next((f"Your answer matches what you get if you {s}." for s, f in mistakes.items()
                         if np.allclose(_lstm_outputs(f(W, b), x), answer, rtol=1e-9, atol=1e-12)), "")
            gap = np.abs(answer - expected).max()
            return CheckResult(False, f"{where}: nn.LSTM loaded with your arrays gives outputs that differ from the "
                                      f"LSTM written with W and b by up to {gap:.3g}.", slip)
    return CheckResult(True, f"nn.LSTM loaded with {name}'s arrays computes the same LSTM on all {len(sizes)} cases.")


# --------------------------------------------------------------------------- 2: each sequence's true last step

def _padded_case(rng, B, T, H, lengths):
    # past a sequence's end the values are noise: what an LSTM computes when it runs over the padding
    return {"output": rng.normal(size=(B, T, H)), "lengths": np.array(lengths)}


def check_last_step(fn: Callable) -> CheckResult:
    """Notebook 07: fn(output, lengths) -> (B, H), each sequence's output at its true last step."""
    rng = np.random.default_rng(8)
    cases = [Case("batch 1, the whole sequence", _padded_case(rng, 1, 4, 3, [4])),
             Case("batch 3, hidden size 1, lengths 2, 5, 1", _padded_case(rng, 3, 5, 1, [2, 5, 1])),
             Case("batch 4, lengths 3, 6, 6, 2", _padded_case(rng, 4, 6, 2, [3, 6, 6, 2]))]

    def ref(output, lengths):
        return output[np.arange(len(lengths)), lengths - 1]  # (B, H)

    mistakes = {
        "take output[:, -1], the last padded step, which is past the end of every shorter sequence":
            lambda output, lengths: output[:, -1],
        "index the step with lengths instead of lengths - 1 (steps count from 0)":
            lambda output, lengths: output[np.arange(len(lengths)), np.minimum(lengths, output.shape[1] - 1)],
        "take the first step, output[:, 0]": lambda output, lengths: output[:, 0],
    }
    return check_function(_torch_call(fn, ints=("lengths",)), ref, cases, name="your last_step",
                          outputs=("the last outputs (B, H)",), mistakes=mistakes, exercise=EXERCISES["last_step"])


# --------------------------------------------------------------------------- 3: the last layer's two directions

def check_final_features(fn: Callable) -> CheckResult:
    """Notebook 07: fn(h_n, num_layers) -> (B, 2H), the last layer's forward and backward final states side by side."""
    rng = np.random.default_rng(9)
    cases = [Case(f"num_layers {L}, batch {B}, hidden {H}", {"h_n": rng.normal(size=(2 * L, B, H)), "num_layers": L})
             for L, B, H in [(1, 1, 3), (2, 3, 1), (3, 2, 4)]]

    def ref(h_n, num_layers):
        last = h_n.reshape(num_layers, 2, *h_n.shape[1:])[-1]  # (2, B, H): forward, backward
        return np.concatenate([last[0], last[1]], axis=-1)

    def wrong_view(h_n, num_layers):
        last = h_n.reshape(2, num_layers, *h_n.shape[1:])[:, -1]  # reads the layout as (directions, layers)
        return np.concatenate([last[0], last[1]], axis=-1)

    mistakes = {
        "take h_n[0] and h_n[1], the first layer's two directions, instead of the last layer's":
            lambda h_n, num_layers: np.concatenate([h_n[0], h_n[1]], axis=-1),
        "view h_n as (2, num_layers, B, H); PyTorch stacks it as (num_layers, 2, B, H)": wrong_view,
        "put the backward state first": lambda h_n, num_layers: np.concatenate([h_n[-1], h_n[-2]], axis=-1),
    }
    return check_function(_torch_call(fn), ref, cases, name="your final_features", outputs=("the features (B, 2H)",),
                          mistakes=mistakes, exercise=EXERCISES["final_features"])


# --------------------------------------------------------------------------- 4: a fused GRU layer

def _gru_slip(x, h0, W_ih, W_hh, b_ih, b_hh, order="rzn", reset="after", update="keep", fold_b_hn=False):
    """The GRU over x (T, B, I) with NumPy cells; options make the usual slips. Returns output, h_n."""
    H = W_hh.shape[1]
    rows = np.concatenate([np.arange(H) + H * "rzn".index(g) for g in order])
    w = cells.Weights("gru", W_ih[rows], W_hh[rows], b_ih[rows], b_hh[rows])
    if not fold_b_hn:
        tr = cells.gru_forward(np.swapaxes(x, 0, 1), w, h0, reset=reset, update=update)
        return np.swapaxes(tr.h, 0, 1), tr.h_n
    xw = x @ w.W_ih.T + w.b_ih + w.b_hh  # the slip: b_hn added outside r * (...)
    h, outs = h0, []
    for t in range(x.shape[0]):
        gh = h @ w.W_hh.T  # (B, 3H)
        r, z = cells.sigmoid(xw[t, :, :H] + gh[:, :H]), cells.sigmoid(xw[t, :, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(xw[t, :, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h


def check_fused_gru_layer(fn: Callable) -> CheckResult:
    """Notebook 07: fn(x, h0, W_ih, W_hh, b_ih, b_hh) -> (output (T, B, H), h_n (B, H)), as nn.GRU computes them."""
    import torch

    rng = np.random.default_rng(10)
    cases = []
    for desc, (T, B, I, H) in [("1 step, batch 1, input 3, hidden 4", (1, 1, 3, 4)),
                               ("6 steps, batch 3, input 2, hidden 1", (6, 3, 2, 1)),
                               ("5 steps, batch 2, input 4, hidden 3", (5, 2, 4, 3))]:
        w = cells.init_weights("gru", I, H, seed=rng, scale=1.0)
        cases.append(Case(desc, dict({"x": rng.normal(size=(T, B, I)), "h0": rng.normal(size=(B, H)) * 0.5},
                                     **w.arrays())))

    def ref(x, h0, W_ih, W_hh, b_ih, b_hh):
        gru = torch.nn.GRU(x.shape[-1], h0.shape[-1], dtype=torch.float64)
        with torch.no_grad():
            for name, a in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), (W_ih, W_hh, b_ih, b_hh)):
                getattr(gru, name).copy_(torch.from_numpy(a))
            out, h_n = gru(torch.from_numpy(x), torch.from_numpy(h0)[None])
        return out.numpy(), h_n[0].numpy()

    mistakes = {
        "add b_hh to the input projection for all three gates: nn.GRU keeps b_hn inside, r * (W_hn h + b_hn)":
            lambda **k: _gru_slip(**k, fold_b_hn=True),
        "apply the reset gate before the recurrent multiply, W_hn (r * h), as Cho et al. wrote it; nn.GRU applies "
        "it after": lambda **k: _gru_slip(**k, reset="before"),
        "swap z and 1 - z in the blend (h = z * n + (1 - z) * h_prev)": lambda **k: _gru_slip(**k, update="write"),
        "split the gates as z, r, n instead of PyTorch's r, z, n": lambda **k: _gru_slip(**k, order="zrn"),
    }
    return check_function(_torch_call(fn), ref, cases, name="your fused_gru_layer", outputs=("output", "h_n"),
                          mistakes=mistakes, rtol=1e-9, atol=1e-12, exercise=EXERCISES["fused_gru_layer"])
