"""Checkers for notebook 09's exercises: temporal activation regularisation, temperature sampling, the baseline.

Each runs the learner's function on a few cases against a reference written with NumPy and torch,
and names the usual slips. torch is imported when a checker runs, not at import time.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .engine import Case, CheckResult, check_function

__all__ = ["check_tar_term", "check_sample_token", "check_most_common_baseline"]

#: exercise name -> ("09", number), so that a stub's verdict can point to show_solution("09", number).
EXERCISES = {"tar_term": ("09", 1), "sample_token": ("09", 2), "most_common_baseline": ("09", 3)}


def _numpy(value):
    """A learner's result (a tensor, an array or a number) as NumPy floats, so that the engine can compare it."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return value


def _torch_call(fn: Callable, floats=(), ints=()) -> Callable:
    """Call fn with the NumPy arguments named in `floats` / `ints` as fresh torch tensors (float64 / int64)."""
    import torch

    if not callable(fn):
        return fn  # check_function explains that the function itself is wanted

    def call(**kwargs):
        args = {}
        for k, v in kwargs.items():
            if k in floats:
                v = torch.tensor(v, dtype=torch.float64)
            elif k in ints:
                v = torch.tensor(v, dtype=torch.int64)
            args[k] = v
        return _numpy(fn(**args))

    return call


# --------------------------------------------------------------------------- 1: TAR

def check_tar_term(fn: Callable) -> CheckResult:
    """Notebook 09: fn(h, beta) -> beta * mean((h_t - h_(t-1))^2) for h (B, T, H), the mean over B, T - 1 and H."""
    rng = np.random.default_rng(9)
    cases = [Case(f"{desc}: h of shape {shape}, beta {beta}", {"h": rng.normal(size=shape), "beta": beta})
             for desc, shape, beta in [("a general batch", (3, 6, 4), 2.0), ("one sequence of two steps", (1, 2, 3), 1.0),
                                       ("hidden size 1", (4, 5, 1), 0.5)]]

    def ref(h, beta):
        # TAR = beta * mean over (b, t >= 1, j) of (h[b, t, j] - h[b, t - 1, j])^2
        return beta * np.mean((h[:, 1:] - h[:, :-1]) ** 2)

    mistakes = {
        "take the differences along the batch axis (h[1:] - h[:-1]), not along time (h[:, 1:] - h[:, :-1])":
            lambda h, beta: beta * np.mean((h[1:] - h[:-1]) ** 2) if h.shape[0] > 1 else np.nan,
        "penalise h itself, beta * mean(h^2): that is AR, not TAR": lambda h, beta: beta * np.mean(h ** 2),
        "forget to square the differences": lambda h, beta: beta * np.mean(h[:, 1:] - h[:, :-1]),
        "sum the squares instead of averaging them": lambda h, beta: beta * np.sum((h[:, 1:] - h[:, :-1]) ** 2),
        "leave out beta": lambda h, beta: np.mean((h[:, 1:] - h[:, :-1]) ** 2),
    }
    return check_function(_torch_call(fn, floats=("h",)), ref, cases, name="your tar_term", outputs=("TAR",),
                          mistakes=mistakes, exercise=EXERCISES["tar_term"])


# --------------------------------------------------------------------------- 2: sampling at a temperature

def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _inverse_cdf(p, u):
    """The first index k where the cumulative probability passes u, per row: p (N, V), u (N,) -> (N,)."""
    cdf = np.cumsum(p, axis=-1)  # (N, V)
    return np.minimum((cdf <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def check_sample_token(fn: Callable) -> CheckResult:
    """Notebook 09: fn(logits, temperature, u) -> (N,) the first k where cumsum(softmax(logits / T))[k] > u."""
    rng = np.random.default_rng(19)
    cases = []
    for desc, (N, V), T in [("temperature 2: a flat distribution", (64, 6), 2.0),
                            ("temperature 0.5: a sharp one", (64, 5), 0.5), ("one stream, two words", (1, 2), 1.0),
                            ("temperature 1, thirty words", (40, 30), 1.0)]:
        cases.append(Case(f"{desc}: logits {N} x {V}, T = {T}",
                          {"logits": 2 * rng.normal(size=(N, V)), "temperature": T, "u": rng.uniform(size=N)}))

    def ref(logits, temperature, u):
        return _inverse_cdf(_softmax(logits / temperature), u).astype(float)

    mistakes = {
        "multiply the logits by T instead of dividing them by it":
            lambda logits, temperature, u: _inverse_cdf(_softmax(logits * temperature), u).astype(float),
        "leave the temperature out (softmax(logits))":
            lambda logits, temperature, u: _inverse_cdf(_softmax(logits), u).astype(float),
        "take the most likely word (argmax) instead of sampling":
            lambda logits, temperature, u: logits.argmax(-1).astype(float),
        "pick the last word whose cumulative probability is still below u (one too early)":
            lambda logits, temperature, u: np.maximum(_inverse_cdf(_softmax(logits / temperature), u) - 1,
                                                      0).astype(float),
        "apply the cumulative sum to the logits, not to the probabilities":
            lambda logits, temperature, u: np.minimum((np.cumsum(logits / temperature, -1) <= u[:, None]).sum(-1),
                                                      logits.shape[-1] - 1).astype(float),
    }
    result = check_function(_torch_call(fn, floats=("logits", "u")), ref, cases, name="your sample_token",
                            outputs=("the sampled token ids",), mistakes=mistakes, exercise=EXERCISES["sample_token"])
    return result


# --------------------------------------------------------------------------- 3: the trivial baseline

def check_most_common_baseline(fn: Callable) -> CheckResult:
    """Notebook 09: fn(train_ids, valid_ids) -> the share of valid_ids equal to the most common token of train_ids."""
    rng = np.random.default_rng(29)
    cases = []
    for desc, p_train, p_valid, n in [
        ("token 0 most common in training, token 2 in the held-out part", (0.5, 0.3, 0.2), (0.2, 0.3, 0.5), 200),
        ("five tokens", (0.1, 0.15, 0.4, 0.2, 0.15), (0.3, 0.1, 0.25, 0.25, 0.1), 300),
        ("a short stream", (0.2, 0.7, 0.1), (0.6, 0.3, 0.1), 40),
    ]:
        train = rng.choice(len(p_train), size=n, p=p_train)
        valid = rng.choice(len(p_valid), size=n // 2, p=p_valid)
        cases.append(Case(desc, {"train_ids": train, "valid_ids": valid}))

    def ref(train_ids, valid_ids):
        # the token seen most often in training, predicted everywhere in the held-out part
        top = np.bincount(train_ids).argmax()
        return float(np.mean(valid_ids == top))

    mistakes = {
        "take the most common token of the held-out part (that peeks at the answers)":
            lambda train_ids, valid_ids: float(np.mean(valid_ids == np.bincount(valid_ids).argmax())),
        "return the most common token's share of the training stream, not of the held-out part":
            lambda train_ids, valid_ids: float(np.mean(train_ids == np.bincount(train_ids).argmax())),
        "return the most common token itself, not how often it is right":
            lambda train_ids, valid_ids: float(np.bincount(train_ids).argmax()),
    }
    return check_function(_torch_call(fn, ints=("train_ids", "valid_ids")), ref, cases, name="your most_common_baseline", outputs=("the accuracy",),
                          mistakes=mistakes, exercise=EXERCISES["most_common_baseline"])
