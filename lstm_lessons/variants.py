"""The LSTM's relatives: the steps from the LSTM to the GRU, and the wider family, trained side by side.

Introduced in notebook 06 (simplifying to the GRU).
What this is:
- NumPy steps of the derivation, written to be read next to the equations:
  `coupled_lstm_step` (f = 1 - i: "whatever is not written is forgotten") and
  `merged_state_step` (one state: the cell state is the hidden state, no output gate); the third
  step, a reset gate on the read of the old state, is the GRU of `cells.gru_step`. Each comes
  with the weights of the bigger cell that computes the same thing (`coupled_as_lstm`,
  `merged_as_gru`), so the notebook can check a step against `cells`. Also the peephole LSTM step
  (`peephole_lstm_step`), NumPy's reference for the torch module below.
- Hand-set weights for each stage (`handset`) that store, add and hold a value on flags in the
  input (`store_add_sequence`), `run_steps` to run any one-step function over a sequence, and
  `run_gru`, a GRU with its gates overridable (the GRU playground's engine).
- The family in PyTorch, `LSTMVariant`: the vanilla LSTM, the coupled input-forget gate (CIFG),
  no forget gate (NFG: f = 1), no output gate (NOG: o = 1) and peepholes, as one readable loop
  in the style of `modules.py` (inputs projected for all steps at once, one fused recurrent
  multiply per step). Every variant but the peephole one is an LSTM with a gate pinned or tied,
  so it can also run on torch's own LSTM kernel (`kernel="nn.LSTM"`: the same function, tested,
  several times faster to train on a CPU).
- `train_adding`: one small, seeded training run on the adding problem (tasks.adding_problem),
  the same for every member of the family, used by the notebook and by benchmarks/lstm_family.py;
  `family_results` and `summarize` read back what that benchmark wrote.
What this is not: a survey of every published variant, or a tuned training recipe. The family
follows Greff et al. (2017), "LSTM: A Search Space Odyssey" (IEEE TNNLS; arXiv 2015), whose
variants include more than these four (no input gate, no input or output activation, full gate
recurrence).
"""

from __future__ import annotations

import json
import math
import pathlib
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call

from . import results
from ._validate import LessonError, as_generator, check_array, check_choice, check_number, check_positive_int
from .cells import GRU_RESET, GRUStep, GRUTrace, LSTMStep, Weights, sigmoid
from .modules import check_tensor
from .tasks import adding_problem

#: A gate pre-activation this large makes a sigmoid exactly 1.0 in float32 and float64: a gate pinned open.
PIN = 100.0


# --------------------------------------------------------------------------- NumPy: the derivation

def _step_arrays(x, h_prev, W_ih, W_hh, b_ih, b_hh, G, gates, c_prev=None):
    """Validate one step's arrays: x (B, I), h_prev (B, H), W_ih (G*H, I), W_hh (G*H, H), biases (G*H,)."""
    W_hh = check_array(W_hh, "W_hh", ("GH", "H"))
    H = W_hh.shape[1]
    if W_hh.shape[0] != G * H:
        raise LessonError(f"W_hh should stack {G} blocks of H = {H} rows, one per gate ({', '.join(gates)}): "
                          f"shape ({G * H}, {H}); got {W_hh.shape}.")
    sizes = {"GH": G * H, "H": H}
    W_ih = check_array(W_ih, "W_ih", ("GH", "I"), sizes)
    b_ih = check_array(b_ih, "b_ih", ("GH",), sizes)
    b_hh = check_array(b_hh, "b_hh", ("GH",), sizes)
    x = check_array(x, "x", ("B", "I"), sizes)
    h_prev = check_array(h_prev, "h_prev", ("B", "H"), sizes)
    out = [x, h_prev, W_ih, W_hh, b_ih, b_hh]
    if c_prev is not None:
        out.append(check_array(c_prev, "c_prev", ("B", "H"), sizes))
    return out


def coupled_lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> LSTMStep:
    """One step of the coupled LSTM (f = 1 - i), gates stacked i, g, o; returns an LSTMStep (f included)."""
    if c_prev is None:
        raise LessonError("c_prev should be the previous cell state (B, H); the coupled LSTM still has a cell state.")
    x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev = _step_arrays(x, h_prev, W_ih, W_hh, b_ih, b_hh, 3, "igo", c_prev)
    H = h_prev.shape[1]
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 3H): [i, g, o]
    i, g, o = sigmoid(a[:, :H]), np.tanh(a[:, H:2 * H]), sigmoid(a[:, 2 * H:])
    # f = 1 - i: whatever is not written is forgotten
    f = 1.0 - i
    # c_t = (1 - i) * c_{t-1} + i * g
    c = f * c_prev + i * g
    # h_t = o * tanh(c_t)
    h = o * np.tanh(c)
    return LSTMStep(h, c, i, f, g, o)


def coupled_as_lstm(W_ih, W_hh, b_ih, b_hh) -> Weights:
    """LSTM weights (i, f, g, o) computing the coupled step: the f block is minus the i block, so f = sigmoid(-a_i) = 1 - i."""
    W_hh = check_array(W_hh, "W_hh", ("GH", "H"))
    H = W_hh.shape[1]
    arrays = []
    for name, a in (("W_ih", W_ih), ("W_hh", W_hh), ("b_ih", b_ih), ("b_hh", b_hh)):
        a = check_array(a, name, (3 * H,) + ((a.shape[1],) if np.ndim(a) == 2 else ()))
        i, g, o = a[:H], a[H:2 * H], a[2 * H:]
        arrays.append(np.concatenate([i, -i, g, o]))  # (4H, ...): [i, f = -i, g, o]
    return Weights("lstm", *arrays)


def merged_state_step(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> GRUStep:
    """One step of the merged-state cell, gates stacked z, n; h = (1 - z) * n + z * h_prev. Returns a GRUStep (r = 1)."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh = _step_arrays(x, h_prev, W_ih, W_hh, b_ih, b_hh, 2, "zn")
    H = h_prev.shape[1]
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 2H): [z, n]
    # z: how much of the old state to keep (the coupled LSTM's f); 1 - z: how much to write (its i)
    z = sigmoid(a[:, :H])
    # n: the candidate, read from the whole old state (there is no reset gate yet)
    n = np.tanh(a[:, H:])
    # h_t = z * h_{t-1} + (1 - z) * n: the state is the memory, read out as it is
    h = z * h_prev + (1.0 - z) * n
    return GRUStep(h, np.ones_like(h), z, n)


def merged_as_gru(W_ih, W_hh, b_ih, b_hh) -> Weights:
    """GRU weights (r, z, n) computing the merged-state step: the reset gate pinned open (r = 1)."""
    W_hh = check_array(W_hh, "W_hh", ("GH", "H"))
    H = W_hh.shape[1]
    arrays = []
    for name, a in (("W_ih", W_ih), ("W_hh", W_hh), ("b_ih", b_ih), ("b_hh", b_hh)):
        a = check_array(a, name, (2 * H,) + ((a.shape[1],) if np.ndim(a) == 2 else ()))
        r = np.zeros_like(a[:H])
        if name == "b_ih":
            r += PIN  # r = sigmoid(PIN) = 1: the old state is read in full
        arrays.append(np.concatenate([r, a]))  # (3H, ...): [r, z, n]
    return Weights("gru", *arrays)


def peephole_lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o) -> LSTMStep:
    """One LSTM step with peepholes (gates i, f, g, o; p_i, p_f, p_o (H,)): i, f see c_{t-1}, o sees c_t."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev = _step_arrays(x, h_prev, W_ih, W_hh, b_ih, b_hh, 4, "ifgo", c_prev)
    H = h_prev.shape[1]
    p_i, p_f, p_o = (check_array(p, n, (H,)) for p, n in ((p_i, "p_i"), (p_f, "p_f"), (p_o, "p_o")))
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H): [i, f, g, o]
    # i = sigmoid(a_i + p_i * c_{t-1}),  f = sigmoid(a_f + p_f * c_{t-1}): the gates peek at the old cell
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2 * H] + p_f * c_prev)
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    # o = sigmoid(a_o + p_o * c_t): the output gate peeks at the new cell
    o = sigmoid(a[:, 3 * H:] + p_o * c)
    h = o * np.tanh(c)
    return LSTMStep(h, c, i, f, g, o)


# --------------------------------------------------------------------------- NumPy: hand-set cells that do a visible job

#: The input channels of the hand-set cells: a value in [-1, 1], a STORE flag and an ADD flag (each 0 or 1).
CHANNELS = ("value", "store", "add")
#: How hard the hand-set gates switch: an open gate is sigmoid(GAIN / 2) = 0.99995.
GAIN = 20.0
STAGES = ("coupled", "merged", "gru")


def handset(stage: str, gain: float = GAIN, read_old: float = 1.0) -> dict:
    """Hand-set weights (one unit, inputs CHANNELS) for a stage of the derivation: W_ih, W_hh, b_ih, b_hh.

    "coupled" (gates i, g, o): write tanh(value) on STORE, hold it otherwise (ADD is not seen).
    "merged" (z, n): write the candidate n = tanh(value + read_old * h_prev) on STORE or ADD, hold
    otherwise; with no reset gate, one fixed weight `read_old` decides for every flag whether the
    candidate reads the old state: 0 replaces (right for STORE), 1 adds (right for ADD).
    "gru" (r, z, n): the reset gate opens on ADD only, so the candidate n = tanh(value + r * h_prev)
    replaces on STORE and adds on ADD; the state then holds a squashed sum.
    """
    check_choice(stage, "stage", STAGES)
    k = check_number(gain, "gain", low=1.0, high=100.0)
    read_old = check_number(read_old, "read_old", low=-10.0, high=10.0)
    G = {"coupled": 3, "merged": 2, "gru": 3}[stage]
    W_ih, W_hh, b_ih, b_hh = np.zeros((G, 3)), np.zeros((G, 1)), np.zeros(G), np.zeros(G)
    if stage == "coupled":  # rows i, g, o
        W_ih[0], b_ih[0] = [0.0, k, 0.0], -k / 2  # i = sigmoid(k * store - k/2): write only on STORE
        W_ih[1] = [1.0, 0.0, 0.0]  # g = tanh(value)
        b_ih[2] = PIN  # o = 1: h shows the cell as it is (tanh c)
    elif stage == "merged":  # rows z, n
        W_ih[0], b_ih[0] = [0.0, -k, -k], k / 2  # z = sigmoid(k/2 - k * (store + add)): keep unless a flag
        W_ih[1], W_hh[1] = [1.0, 0.0, 0.0], read_old  # n = tanh(value + read_old * h_prev), whatever the flag
    else:  # rows r, z, n
        W_ih[0], b_ih[0] = [0.0, 0.0, k], -k / 2  # r = sigmoid(k * add - k/2): read the old state only on ADD
        W_ih[1], b_ih[1] = [0.0, -k, -k], k / 2  # z = sigmoid(k/2 - k * (store + add)): keep unless a flag
        W_ih[2], W_hh[2] = [1.0, 0.0, 0.0], 1.0  # n = tanh(value + r * h_prev)
    return {"W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih, "b_hh": b_hh}


def store_add_sequence(T: int = 12, store=(2, 6), add=(9,), seed=None) -> np.ndarray:
    """One input sequence (1, T, 3) for the hand-set cells: values, and STORE and ADD flags at the steps given (from 0).

    Values are rounded to 0.01: in [-0.8, 0.8] at unflagged steps, 0.3 <= |value| <= 0.8 at flagged
    ones, so that what is stored or added is never close to zero.
    """
    T = check_positive_int(T, "T", minimum=2)
    rng = as_generator(seed)
    xs = np.zeros((1, T, 3))
    xs[0, :, 0] = rng.uniform(-0.8, 0.8, size=T)
    flagged = rng.uniform(0.3, 0.8, size=T) * rng.choice([-1.0, 1.0], size=T)  # (T,)
    for name, steps, channel in (("store", store, 1), ("add", add, 2)):
        for s in steps:
            if not (isinstance(s, (int, np.integer)) and 0 <= s < T):
                raise LessonError(f"{name} should list steps between 0 and T - 1 = {T - 1}; got {s!r}.")
            xs[0, s, channel] = 1.0
            xs[0, s, 0] = flagged[s]
    if np.any(xs[0, :, 1] * xs[0, :, 2]):
        raise LessonError("a step cannot be both STORE and ADD; give them different steps.")
    xs[0, :, 0] = np.round(xs[0, :, 0], 2)
    return xs


def run_steps(step, xs, weights: dict, cell_state: bool = False) -> dict:
    """Run a one-step function over xs (B, T, I) from zero states; returns each of its outputs over time, (B, T, H).

    `step(x, h_prev, [c_prev,] **weights)` returns an LSTMStep, a GRUStep or h alone; set
    cell_state=True for a step that takes and returns a cell state c (the LSTM's kind).
    """
    if not callable(step):
        raise LessonError(f"step should be a one-step function such as coupled_lstm_step; got {type(step).__name__}.")
    xs = check_array(xs, "xs", ("B", "T", "I"))
    B, T, _ = xs.shape
    H = np.asarray(weights["W_hh"]).shape[1]
    h = c = np.zeros((B, H))
    out: dict = {}
    for t in range(T):
        result = step(xs[:, t], h, c, **weights) if cell_state else step(xs[:, t], h, **weights)
        fields = vars(result) if hasattr(result, "__dataclass_fields__") else {"h": result}
        h, c = fields["h"], fields.get("c", c)
        for name, value in fields.items():
            out.setdefault(name, np.empty((B, T, H)))[:, t] = value
    return out


def run_gru(xs, w: Weights, overrides: dict | None = None, reset: str = "after") -> GRUTrace:
    """Step a GRU over xs (B, T, I) from h = 0, with r or z forced where `overrides` says; returns a GRUTrace.

    overrides maps "r" or "z" to a number (that value at every step) or to one value per step (T,),
    NaN where the cell keeps its own value. Without overrides this is cells.gru_forward.
    """
    if not isinstance(w, Weights) or w.kind != "gru":
        raise LessonError("w should be GRU Weights (cells.Weights('gru', **handset('gru')) or cells.init_weights('gru', ...)).")
    check_choice(reset, "reset", GRU_RESET)
    xs = check_array(xs, "xs", ("B", "T", "I"), {"I": w.input_size})
    B, T, _ = xs.shape
    H = w.hidden_size
    forced = {}
    for gate, value in (overrides or {}).items():
        check_choice(gate, "a gate to override", ("r", "z"))
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(T, float(arr))
        if arr.shape != (T,):
            raise LessonError(f"overrides[{gate!r}] should be a number or one value per step, shape ({T},) "
                              f"(NaN where the cell keeps its own {gate}); got shape {arr.shape}.")
        given = arr[~np.isnan(arr)]
        if given.size and (given.min() < 0 or given.max() > 1):
            raise LessonError(f"overrides[{gate!r}] should lie in [0, 1], the range of a gate; "
                              f"got values from {given.min():.3g} to {given.max():.3g}.")
        forced[gate] = arr
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, 3H): [r, z, n] input parts
    h = np.zeros((B, H))
    h_init = h
    out = {k: np.empty((B, T, H)) for k in ("h", "r", "z", "n")}
    for t in range(T):
        gh = h @ w.W_hh.T + w.b_hh  # (B, 3H)
        gates = {"r": sigmoid(xw[:, t, :H] + gh[:, :H]), "z": sigmoid(xw[:, t, H:2 * H] + gh[:, H:2 * H])}
        for name, values in forced.items():
            if not np.isnan(values[t]):
                gates[name] = np.full((B, H), values[t])
        r, z = gates["r"], gates["z"]
        if reset == "after":
            # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
            n = np.tanh(xw[:, t, 2 * H:] + r * gh[:, 2 * H:])
        else:
            # n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
            n = np.tanh(xw[:, t, 2 * H:] + (r * h) @ w.W_hh[2 * H:].T + w.b_hh[2 * H:])
        # h_t = (1 - z) * n + z * h_{t-1}
        h = (1.0 - z) * n + z * h
        for name, v in (("h", h), ("r", r), ("z", z), ("n", n)):
            out[name][:, t] = v
    return GRUTrace(xs, h_init, **out)


# --------------------------------------------------------------------------- PyTorch: the family

VARIANTS = ("vanilla", "cifg", "nfg", "nog", "peephole")

#: The gate blocks each variant computes, stacked in this order (PyTorch's i, f, g, o, less what is gone).
GATES = {"vanilla": "ifgo", "cifg": "igo", "nfg": "igo", "nog": "ifg", "peephole": "ifgo"}

#: How the notebook names them.
NAMES = {"vanilla": "vanilla LSTM", "cifg": "coupled input-forget (CIFG)", "nfg": "no forget gate (NFG)",
         "nog": "no output gate (NOG)", "peephole": "peepholes (PH)"}

KERNELS = ("loop", "nn.LSTM")


class LSTMVariant(nn.Module):
    """One LSTM layer of the family (batch first): vanilla, cifg (f = 1 - i), nfg (f = 1), nog (o = 1) or peephole.

    Parameters as nn.LSTM names them, with one block of H rows per gate the variant computes
    (GATES[variant]); the peephole variant adds weight_peep (3, H), the rows p_i, p_f, p_o.
    kernel="loop" runs the loop below; "nn.LSTM" runs torch's LSTM on the weights of
    `lstm_weights()` (the same function; not available with peepholes).
    """

    def __init__(self, input_size: int, hidden_size: int, variant: str = "vanilla", kernel: str = "loop"):
        super().__init__()
        self.variant = check_choice(variant, "variant", VARIANTS)
        self.kernel = check_choice(kernel, "kernel", KERNELS)
        if self.kernel == "nn.LSTM" and self.variant == "peephole":
            raise LessonError("kernel='nn.LSTM' cannot run peepholes (torch's LSTM has none); use kernel='loop'.")
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.gates = GATES[self.variant]
        G, H = len(self.gates), self.hidden_size
        self.weight_ih = nn.Parameter(torch.empty(G * H, self.input_size))
        self.weight_hh = nn.Parameter(torch.empty(G * H, H))
        self.bias_ih = nn.Parameter(torch.empty(G * H))
        self.bias_hh = nn.Parameter(torch.empty(G * H))
        if self.variant == "peephole":
            self.weight_peep = nn.Parameter(torch.empty(3, H))  # rows p_i, p_f, p_o
        self.reset_parameters()

    def reset_parameters(self):
        """Uniform in [-k, k] with k = 1/sqrt(H), as nn.LSTM initialises its weights (peepholes too)."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, variant={self.variant!r}, kernel={self.kernel!r}"

    def forward(self, x: Tensor, state: tuple | None = None):
        """x (B, T, I) -> output (B, T, H) and the last states (h_n, c_n), each (B, H)."""
        dtype = self.weight_hh.dtype
        sizes = {"I": self.input_size, "H": self.hidden_size}
        x = check_tensor(x, "x", ("B", "T", "I"), sizes, dtype)
        if state is None:
            h = c = x.new_zeros(sizes["B"], self.hidden_size)
        else:
            h, c = (check_tensor(s, n, ("B", "H"), sizes, dtype) for s, n in zip(state, ("h_0", "c_0")))
        if self.kernel == "nn.LSTM":
            return self._forward_kernel(x, h, c)
        H = self.hidden_size
        xw = x @ self.weight_ih.T + (self.bias_ih + self.bias_hh)  # (B, T, G*H): every step's input part at once
        outs = []
        for t in range(x.shape[1]):
            # [a_i, a_f, a_g, a_o] (the blocks this variant has): one fused recurrent multiply
            a = dict(zip(self.gates, (xw[:, t] + h @ self.weight_hh.T).split(H, dim=-1)))
            if self.variant == "peephole":
                p_i, p_f, p_o = self.weight_peep
                a["i"], a["f"] = a["i"] + p_i * c, a["f"] + p_f * c  # i and f peek at c_{t-1}
            i, g = torch.sigmoid(a["i"]), torch.tanh(a["g"])
            if self.variant == "cifg":
                f = 1 - i  # coupled: whatever is not written is forgotten
            elif self.variant == "nfg":
                f = torch.ones_like(i)  # no forget gate: f = 1
            else:
                f = torch.sigmoid(a["f"])
            # c_t = f * c_{t-1} + i * g
            c = f * c + i * g
            if self.variant == "peephole":
                a["o"] = a["o"] + p_o * c  # o peeks at c_t
            # h_t = o * tanh(c_t), with o = 1 when there is no output gate
            h = torch.tanh(c) if self.variant == "nog" else torch.sigmoid(a["o"]) * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs, dim=1), (h, c)  # (B, T, H), ((B, H), (B, H))

    def lstm_weights(self) -> dict:
        """The weights of an nn.LSTM that computes this variant: its missing gate pinned (f or o = 1) or tied (f = 1 - i)."""
        if self.variant == "peephole":
            raise LessonError("a peephole LSTM is not an nn.LSTM with different weights: its gates read c.")
        H = self.hidden_size
        out = {}
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            blocks = dict(zip(self.gates, getattr(self, name).split(H, dim=0)))
            if self.variant == "cifg":
                blocks["f"] = -blocks["i"]  # f = sigmoid(-a_i) = 1 - i
            for gate in "fo":
                if gate not in blocks:  # pinned open: zero weights, and a bias that makes the sigmoid exactly 1
                    blocks[gate] = torch.full_like(blocks["i"], PIN if name == "bias_ih" else 0.0)
            out[name + "_l0"] = torch.cat([blocks[gate] for gate in "ifgo"])  # (4H, ...)
        return out

    def as_lstm(self) -> nn.LSTM:
        """An nn.LSTM (batch first) holding a copy of `lstm_weights()`: the same function as this module."""
        lstm = nn.LSTM(self.input_size, self.hidden_size, batch_first=True).to(self.weight_hh.dtype)
        with torch.no_grad():
            for name, value in self.lstm_weights().items():
                getattr(lstm, name).copy_(value)
        return lstm

    def _forward_kernel(self, x, h, c):
        kernel = self.__dict__.get("_kernel")
        if kernel is None or kernel.weight_hh_l0.dtype != self.weight_hh.dtype:
            # torch's LSTM, used only as a function: its own parameters are replaced at every call
            kernel = nn.LSTM(self.input_size, self.hidden_size, batch_first=True).to(self.weight_hh.dtype)
            self.__dict__["_kernel"] = kernel  # not a submodule: its parameters are not ours
        out, (h_n, c_n) = functional_call(kernel, self.lstm_weights(), (x, (h[None], c[None])))
        return out, (h_n[0], c_n[0])


def num_params(variant: str, input_size: int, hidden_size: int) -> int:
    """Parameters of one layer of a variant (or "gru"): G blocks of H rows seeing I inputs, H states, 2 biases."""
    check_choice(variant, "variant", VARIANTS + ("gru",))
    I, H = check_positive_int(input_size, "input_size"), check_positive_int(hidden_size, "hidden_size")
    G = 3 if variant == "gru" else len(GATES[variant])
    return G * H * (I + H + 2) + (3 * H if variant == "peephole" else 0)


# --------------------------------------------------------------------------- training on the adding problem

MODELS = ("lstm", "lstm_fb1", "gru") + VARIANTS[1:]
MODEL_NAMES = {"lstm": "LSTM", "lstm_fb1": "LSTM, forget bias 1", "gru": "GRU", **{v: NAMES[v] for v in VARIANTS[1:]}}


class LastStepRegressor(nn.Module):
    """A recurrent layer read out at the last step by a linear head: x (B, T, I) -> prediction (B, 1).

    model is one of MODELS: "lstm" (the vanilla LSTMVariant), "lstm_fb1" (the same, with the
    forget gate's bias set to 1 at the start, notebook 05), "gru" (nn.GRU) or a variant's name.
    """

    def __init__(self, model: str, input_size: int, hidden_size: int, kernel: str = "fast"):
        super().__init__()
        self.model = check_choice(model, "model", MODELS)
        check_choice(kernel, "kernel", ("fast", "loop"))
        if model == "gru":
            self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)  # reset after, as cuDNN
        else:
            variant = "vanilla" if model in ("lstm", "lstm_fb1") else model
            fast = kernel == "fast" and variant != "peephole"
            self.rnn = LSTMVariant(input_size, hidden_size, variant, kernel="nn.LSTM" if fast else "loop")
            if model == "lstm_fb1":
                with torch.no_grad():  # b_f = b_ih[f] + b_hh[f] = 1: "do not forget" at the start
                    f = slice(hidden_size, 2 * hidden_size)
                    self.rnn.bias_ih[f] = 1.0
                    self.rnn.bias_hh[f] = 0.0
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out[:, -1])  # (B, 1)


@dataclass
class AddingRun:
    """One training run on the adding problem: its settings, the test MSE along the way, and the model."""

    model: str
    seed: int  # the seed torch was given (torch.initial_seed()), so the run can be found in a sweep's file
    T: int
    hidden_size: int
    batch: int
    lr: float
    steps: list = field(default_factory=list)  # updates done at each evaluation (0: before training)
    test_mse: list = field(default_factory=list)  # test-set MSE at each of those
    seconds: float = 0.0  # training time, evaluations not counted
    net: nn.Module | None = field(default=None, repr=False)
    test: object = field(default=None, repr=False)  # the test set, a tasks.Task

    @property
    def final_mse(self) -> float:
        return self.test_mse[-1]

    def record(self) -> dict:
        """The run as plain numbers (what benchmarks/lstm_family.py writes)."""
        return {"seed": self.seed, "steps": self.steps, "test_mse": [round(v, 6) for v in self.test_mse],
                "seconds": round(self.seconds, 2)}


def _tensor(a) -> Tensor:
    return torch.from_numpy(np.asarray(a, dtype=np.float32))


def evaluate(net: nn.Module, task) -> float:
    """Mean squared error of `net` on a tasks.Task (float32, no gradients)."""
    with torch.no_grad():
        return float(((net(_tensor(task.x)) - _tensor(task.y)) ** 2).mean())


def train_adding(model: str, seed: int = 0, *, updates: int = 300, T: int = 50, hidden_size: int = 16,
                 batch: int = 32, lr: float = 0.01, eval_every: int = 50, test_size: int = 500,
                 kernel: str = "fast") -> AddingRun:
    """Train one member of the family on the adding problem with Adam; fresh batches, a fixed test set.

    Everything random comes from `seed`: torch's initialisation, then one NumPy generator that draws
    the test set and then every batch. The same call gives the same run on the same machine.
    """
    check_choice(model, "model", MODELS)
    seed = check_positive_int(seed, "seed", minimum=0)
    updates = check_positive_int(updates, "updates")
    eval_every = check_positive_int(eval_every, "eval_every")
    lr = check_number(lr, "lr", low=1e-6, high=1.0)
    torch.manual_seed(seed)
    run = AddingRun(model, torch.initial_seed(), T, hidden_size, batch, lr)
    run.net = LastStepRegressor(model, 2, hidden_size, kernel)
    rng = np.random.default_rng(seed)
    run.test = adding_problem(test_size, T, seed=rng)
    opt = torch.optim.Adam(run.net.parameters(), lr=lr)
    run.steps.append(0)
    run.test_mse.append(evaluate(run.net, run.test))
    for step in range(1, updates + 1):
        start = time.perf_counter()
        data = adding_problem(batch, T, seed=rng)
        loss = ((run.net(_tensor(data.x)) - _tensor(data.y)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        run.seconds += time.perf_counter() - start
        if step % eval_every == 0 or step == updates:
            run.steps.append(step)
            run.test_mse.append(evaluate(run.net, run.test))
    return run


# --------------------------------------------------------------------------- the sweep's results file

#: What benchmarks/lstm_family.py writes: shipped with the package (lstm_lessons/results/).
RESULTS = results.path("lstm_family.json")


def family_results(path=None) -> dict | None:
    """The sweep of benchmarks/lstm_family.py: from `path` if given, else the copy shipped with the package.

    The package carries the file (lstm_lessons/results/), so a checkout, Binder and Colab all read
    it; None only if it was deleted.
    """
    place = pathlib.Path(path) if path is not None else RESULTS
    if place.is_file():
        return json.loads(place.read_text())
    if path is not None:
        raise LessonError(f"there is no results file at {path}; run python benchmarks/lstm_family.py to make one.")
    return None


def solved_at(run: dict, threshold: float) -> float:
    """The first update at which a run's test MSE was at or below `threshold`; infinity if it never was."""
    for step, mse in zip(run["steps"], run["test_mse"]):
        if mse <= threshold:
            return float(step)
    return math.inf


def summarize(runs: list, threshold: float) -> dict:
    """Per-seed arrays of a model's runs in the file: seeds, final test MSE, update of first reaching `threshold` (inf: never)."""
    if not runs:
        raise LessonError("runs should be the list of one model's runs from the results file; got an empty list.")
    return {"seeds": np.array([r["seed"] for r in runs]),
            "final": np.array([r["test_mse"][-1] for r in runs]),
            "solved_at": np.array([solved_at(r, threshold) for r in runs]),
            "steps": np.array(runs[0]["steps"]),
            "curves": np.array([r["test_mse"] for r in runs])}  # (seeds, evaluations)
