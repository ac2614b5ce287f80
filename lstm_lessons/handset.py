"""Hand-set LSTM weights in which every gate does one visible job: store, hold and recall a value.

What this is: weights written by hand (NumPy `cells.Weights`, no training) for two small LSTMs
that read an input x_t = [value, flag] (I = 2):
- `memory_weights()` (H = 1): a flag of +1 (STORE) opens the input gate and shuts the forget
  gate, so the cell keeps tanh(value); with flag 0 the forget gate stays open (f near 1) and
  the input gate shut (i near 0), so distractor values pass by; a flag of -1 (RECALL) opens the
  output gate and h shows tanh(c). Its gates read only the input (W_hh = 0).
- `write_once_weights()` (H = 2): the same memory, plus a second unit that remembers "a value
  is already stored"; the first unit's input and forget gates read that unit's h, so only the
  FIRST flagged value is kept. It shows why the LSTM passes h to the next step: the gates must
  read the state before they decide the next write.
`run()` steps an LSTM over a sequence with any gate overridden at chosen steps (the gate
playground's engine). `memory_task()` makes sequences for these weights.
Introduced in notebook 04 (the LSTM, gate by gate; its gate playground).
What this is not: a trained model, or a claim about what trained LSTMs learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, as_generator, check_array, check_number, check_positive_int
from .cells import GATE_ORDER, LSTMTrace, Weights

#: Flag values on input channel 1: store the value of channel 0, or recall what is stored.
STORE, RECALL = 1.0, -1.0
#: How hard the hand-set gates switch: a gate that is "open" is sigmoid(GAIN / 2) = 0.99995.
GAIN = 20.0
#: The range of every gate a learner may force: f, i, o are filters in [0, 1]; g a proposal in [-1, 1].
GATE_RANGE = {"i": (0.0, 1.0), "f": (0.0, 1.0), "g": (-1.0, 1.0), "o": (0.0, 1.0)}
#: The channels of the input x_t.
CHANNELS = ("value", "flag")


def _blank(hidden_size: int) -> Weights:
    G = 4 * hidden_size
    return Weights("lstm", np.zeros((G, 2)), np.zeros((G, hidden_size)), np.zeros(G), np.zeros(G))


def memory_weights(gain: float = GAIN) -> Weights:
    """H = 1: store tanh(value) when flag = +1, hold it while flag = 0, show it in h when flag = -1."""
    k = check_number(gain, "gain", low=1.0, high=100.0)
    w = _blank(1)
    gate = {name: w.gate(name) for name in GATE_ORDER["lstm"]}  # views: writing them writes w
    # i = sigmoid(k * flag - k/2): open (0.99995) only when flag = +1
    gate["i"]["W_ih"][0] = [0.0, k]
    gate["i"]["b_ih"][0] = -k / 2
    # f = sigmoid(-k * flag + k/2): shut when storing (the old value makes room), open otherwise
    gate["f"]["W_ih"][0] = [0.0, -k]
    gate["f"]["b_ih"][0] = k / 2
    # g = tanh(value): the proposal is the value, squashed into [-1, 1]
    gate["g"]["W_ih"][0] = [1.0, 0.0]
    # o = sigmoid(-k * flag - k/2): open only when flag = -1
    gate["o"]["W_ih"][0] = [0.0, -k]
    gate["o"]["b_ih"][0] = -k / 2
    return w


def write_once_weights(gain: float = GAIN, read: bool = True) -> Weights:
    """H = 2: unit 0 keeps the FIRST flagged value only; unit 1 remembers that one is stored.

    Unit 1's cell becomes 1 at the first STORE flag and stays there, and its output gate is
    always open, so h_1 = tanh(1) = 0.76 tells the next step "full". Unit 0's input and forget
    gates read h_1 (through W_hh): once it is full, a STORE flag neither opens the input gate nor
    shuts the forget gate. read=False sets W_hh to zero: the gates can no longer read the state,
    and every STORE flag overwrites the memory.
    """
    k = check_number(gain, "gain", low=1.0, high=100.0)
    w = _blank(2)
    gate = {name: w.gate(name) for name in GATE_ORDER["lstm"]}
    full = k / np.tanh(1.0)  # weight on h_1 = tanh(1): shifts a gate's pre-activation by exactly k
    # unit 0, the value memory
    # i_0 = sigmoid(k * flag - k/2 - full * h_1): open for a STORE flag, unless unit 1 says "full"
    gate["i"]["W_ih"][0], gate["i"]["b_ih"][0], gate["i"]["W_hh"][0] = [0.0, k], -k / 2, [0.0, -full]
    # f_0 = sigmoid(-k * flag + k/2 + full * h_1): make room for the first value, keep it after
    gate["f"]["W_ih"][0], gate["f"]["b_ih"][0], gate["f"]["W_hh"][0] = [0.0, -k], k / 2, [0.0, full]
    # g_0 = tanh(value)
    gate["g"]["W_ih"][0] = [1.0, 0.0]
    # o_0 = sigmoid(-k * flag - k/2): read out on RECALL
    gate["o"]["W_ih"][0], gate["o"]["b_ih"][0] = [0.0, -k], -k / 2
    # unit 1, "a value is stored"
    # i_1 = sigmoid(k * flag - k/2 - full * h_1): written once, at the first STORE flag
    gate["i"]["W_ih"][1], gate["i"]["b_ih"][1], gate["i"]["W_hh"][1] = [0.0, k], -k / 2, [0.0, -full]
    # f_1 = sigmoid(k), g_1 = tanh(k), o_1 = sigmoid(k): keep, propose 1, always read
    gate["f"]["b_ih"][1] = k
    gate["g"]["b_ih"][1] = k
    gate["o"]["b_ih"][1] = k
    if not read:
        w.W_hh[:] = 0.0
    return w


@dataclass
class MemoryTask:
    """Sequences for the hand-set memories: inputs, where the flags are, and the values stored."""

    xs: np.ndarray  # (B, T, 2): [value, flag] at every step
    store_at: tuple  # step indices (from 0) with flag STORE
    recall_at: int  # step index (from 0) with flag RECALL
    stored: np.ndarray  # (B, len(store_at)): the values at the STORE steps

    @property
    def first(self) -> np.ndarray:
        """(B,) the value at the first STORE step."""
        return self.stored[:, 0]

    @property
    def last(self) -> np.ndarray:
        """(B,) the value at the last STORE step."""
        return self.stored[:, -1]


def memory_task(T: int = 12, store_at=2, recall_at: int = 9, *, batch: int = 1, seed=None) -> MemoryTask:
    """Sequences of T steps: distractor values in [-1, 1] with flag 0, STORE at `store_at`, RECALL at `recall_at`.

    `store_at` is one step index (from 0) or a tuple of them. The values at STORE steps are
    drawn with 0.4 <= |value| <= 1, so that what is stored is never close to zero.
    """
    T = check_positive_int(T, "T", minimum=2)
    B = check_positive_int(batch, "batch")
    stores = (store_at,) if isinstance(store_at, (int, np.integer)) else tuple(store_at)
    if not stores:
        raise LessonError("store_at should be a step index, or a tuple of at least one.")
    for s in stores:
        check_positive_int(s, "store_at", minimum=0)
    recall_at = check_positive_int(recall_at, "recall_at", minimum=0)
    if recall_at >= T or max(stores) >= recall_at or len(set(stores)) != len(stores):
        raise LessonError(f"the STORE steps {stores} should be different, come before recall_at = {recall_at}, "
                          f"and recall_at should be below T = {T} (steps count from 0).")
    rng = as_generator(seed)
    xs = np.zeros((B, T, 2))  # (B, T, I)
    xs[:, :, 0] = rng.uniform(-1.0, 1.0, size=(B, T))
    stored = rng.uniform(0.4, 1.0, size=(B, len(stores))) * rng.choice([-1.0, 1.0], size=(B, len(stores)))
    xs[:, list(stores), 0] = stored
    xs[:, list(stores), 1] = STORE
    xs[:, recall_at, 1] = RECALL
    return MemoryTask(xs, stores, recall_at, stored)


def recalled(value) -> np.ndarray:
    """What h shows on RECALL after the memory stored `value`: c = tanh(value), h = tanh(c)."""
    return np.tanh(np.tanh(np.asarray(value, dtype=float)))


def _sigmoid(a):
    """sigmoid(a) = (1 + tanh(a / 2)) / 2: the same function, without overflow, and fast on small arrays."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _overrides(overrides, B, T, H) -> dict:
    """Each forced gate as a (B, T, H) array, NaN where the cell keeps its own value."""
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise LessonError(f"overrides should be a dict such as {{'f': 0.0}} or {{'i': values_per_step}}; "
                          f"got {type(overrides).__name__}.")
    out = {}
    for gate, value in overrides.items():
        if gate not in GATE_RANGE:
            raise LessonError(f"overrides has a key {gate!r}; the LSTM's gates are 'i', 'f', 'g' and 'o'.")
        if value is None:
            continue
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 1:  # one value per step
            if arr.shape[0] != T:
                raise LessonError(f"overrides[{gate!r}] gives {arr.shape[0]} values; give one per step (T = {T}), "
                                  f"with NaN where the cell keeps its own {gate}.")
            arr = arr[None, :, None]
        try:
            arr = np.broadcast_to(arr, (B, T, H))
        except ValueError:
            raise LessonError(f"overrides[{gate!r}] should be a number, one value per step (T,), or an array "
                              f"that broadcasts to (B, T, H) = {(B, T, H)}; got shape {arr.shape}.") from None
        low, high = GATE_RANGE[gate]
        given = arr[~np.isnan(arr)]
        if given.size and (given.min() < low or given.max() > high):
            raise LessonError(f"overrides[{gate!r}] should lie in [{low}, {high}] (the range of {gate}); "
                              f"got values from {given.min():.3g} to {given.max():.3g}.")
        out[gate] = arr
    return out


def run(xs, w: Weights, overrides: dict | None = None, h0=None, c0=None) -> LSTMTrace:
    """Step an LSTM over xs (B, T, I), forcing gates where `overrides` says; returns an LSTMTrace.

    overrides maps a gate ('i', 'f', 'g', 'o') to a number (that value at every step), to one
    value per step (T,) with NaN where the cell keeps its own value, or to a (B, T, H) array.
    Without overrides this is cells.lstm_forward.
    """
    if not isinstance(w, Weights) or w.kind != "lstm":
        raise LessonError("w should be LSTM Weights (memory_weights(), write_once_weights() or "
                          "cells.init_weights('lstm', ...)).")
    sizes = {"I": w.input_size, "H": w.hidden_size}
    xs = check_array(xs, "xs", ("B", "T", "I"), sizes)
    B, T, _ = xs.shape
    H = w.hidden_size
    forced = _overrides(overrides, B, T, H)
    h = np.zeros((B, H)) if h0 is None else check_array(h0, "h0", ("B", "H"), dict(sizes, B=B))
    c = np.zeros((B, H)) if c0 is None else check_array(c0, "c0", ("B", "H"), dict(sizes, B=B))
    h_init, c_init = h, c
    xw = xs @ w.W_ih.T + w.b_ih  # (B, T, 4H)
    out = {k: np.empty((B, T, H)) for k in ("h", "c", "i", "f", "g", "o")}
    for t in range(T):
        a = xw[:, t] + h @ w.W_hh.T + w.b_hh  # (B, 4H) in the order i, f, g, o
        gates = {"i": _sigmoid(a[:, :H]), "f": _sigmoid(a[:, H:2 * H]),
                 "g": np.tanh(a[:, 2 * H:3 * H]), "o": _sigmoid(a[:, 3 * H:])}
        for name, values in forced.items():
            gates[name] = np.where(np.isnan(values[:, t]), gates[name], values[:, t])  # (B, H)
        # c_t = f * c_{t-1} + i * g
        c = gates["f"] * c + gates["i"] * gates["g"]
        # h_t = o * tanh(c_t)
        h = gates["o"] * np.tanh(c)
        for name in gates:
            out[name][:, t] = gates[name]
        out["c"][:, t], out["h"][:, t] = c, h
    return LSTMTrace(xs, h_init, c_init, **out)
