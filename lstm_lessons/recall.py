"""The delayed-recall experiments of notebook 02: a small nn.RNN, its training loop, and what it learned.

What this is: the model and loop notebook 02 trains, kept here so that the notebook shows the
runs and not forty lines of plumbing. `Recall` is an `nn.RNN` with a linear head on the last
state; `train_recall` trains it on fresh batches of `tasks.delayed_recall` with Adam or SGD,
optionally clipping the gradient by its global norm, and records the loss and the gradient norm
of every update; `input_sensitivity` asks which inputs the trained prediction depends on.
What this is not: the series' general training loop (that is `lstm_lessons.train`, from
notebook 08 on). Torch and NumPy; nothing here draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._validate import LessonError, check_choice, check_number, check_positive_int
from .tasks import delayed_recall

INITS = ("default", "orthogonal", "identity")


class Recall(nn.Module):
    """nn.RNN reads x (B, T, 1); a linear head reads the last state h_T and predicts one number (introduced in 02)."""

    def __init__(self, hidden_size: int = 32, nonlinearity: str = "tanh"):
        super().__init__()
        check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self.rnn = nn.RNN(1, check_positive_int(hidden_size, "hidden_size"), batch_first=True,
                          nonlinearity=nonlinearity)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):
        _, h_n = self.rnn(x)  # h_n: (1, B, H), the last state
        return self.head(h_n[0])  # (B, 1)


def make_recall(hidden_size: int = 32, init: str = "default", *, seed: int = 0, radius: float | None = None,
                input_scale: float | None = None, zero_biases: bool = False) -> Recall:
    """A Recall model started three ways (introduced in 02).

    init="default" is PyTorch's (tanh, uniform in +-1/sqrt(H)); "orthogonal" draws W_hh orthogonal
    (tanh); "identity" is the IRNN of Le, Jaitly and Hinton (2015): ReLU, W_hh = I, zero biases.
    `radius` rescales W_hh to that spectral radius afterwards; `input_scale` redraws W_ih as
    normal entries of that standard deviation; `zero_biases` sets both bias vectors to 0, so that
    nothing but the input drives the units.
    """
    check_choice(init, "init", INITS)
    torch.manual_seed(seed)
    model = Recall(hidden_size, "relu" if init == "identity" else "tanh")
    rnn = model.rnn
    with torch.no_grad():
        if init == "orthogonal":
            nn.init.orthogonal_(rnn.weight_hh_l0)
        elif init == "identity":
            rnn.weight_hh_l0.copy_(torch.eye(hidden_size))
            rnn.bias_hh_l0.zero_()
            rnn.bias_ih_l0.zero_()
        if radius is not None:
            radius = check_number(radius, "radius", low=0.0)
            rho = torch.linalg.eigvals(rnn.weight_hh_l0).abs().max()
            rnn.weight_hh_l0.mul_(radius / rho)
        if input_scale is not None:
            rnn.weight_ih_l0.normal_(0.0, check_number(input_scale, "input_scale", low=0.0))
        if zero_biases:
            rnn.bias_ih_l0.zero_()
            rnn.bias_hh_l0.zero_()
    return model


@dataclass
class RecallRun:
    """What train_recall returns: the loss and the global gradient norm (before clipping) of every update."""

    losses: np.ndarray  # (updates,)
    norms: np.ndarray  # (updates,)

    @property
    def diverged(self) -> bool:
        return not math.isfinite(self.losses[-1])


def train_recall(model: Recall, lag: int, T: int, *, steps: int = 300, batch: int = 64, lr: float = 0.01,
                 optimizer: str = "adam", clip: float | None = None, seed: int = 0) -> RecallRun:
    """Train on fresh delayed-recall batches (Adam, or SGD with momentum 0.9), clipping by global norm if `clip`.

    Stops early if the loss stops being a finite number (the run has diverged).
    """
    if not isinstance(model, Recall):
        raise LessonError(f"model should be a Recall (from make_recall); got {type(model).__name__}.")
    check_choice(optimizer, "optimizer", ("adam", "sgd"))
    steps = check_positive_int(steps, "steps")
    batch = check_positive_int(batch, "batch")
    data = delayed_recall(steps * batch, T, lag, seed=seed)
    x = torch.tensor(data.x, dtype=torch.float32)  # (steps * batch, T, 1)
    y = torch.tensor(data.y, dtype=torch.float32)  # (steps * batch, 1)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    max_norm = math.inf if clip is None else check_number(clip, "clip", low=0.0)
    losses, norms = [], []
    for s in range(steps):
        rows = slice(s * batch, (s + 1) * batch)
        loss = ((model(x[rows]) - y[rows]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        # ||g|| over all parameters together; with clip = c: g <- g * min(1, c / ||g||)
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        opt.step()
        losses.append(loss.item())
        norms.append(norm.item())
        if not math.isfinite(losses[-1]):
            break
    return RecallRun(np.array(losses), np.array(norms))


def delayed_recall_batch(n: int, T: int, lag: int, seed: int = 0):
    """n sequences of tasks.delayed_recall as float32 arrays: x (n, T, 1) and y (n, 1)."""
    task = delayed_recall(n, T, lag, seed=seed)
    return task.x.astype(np.float32), task.y.astype(np.float32)


def test_mse(model: Recall, lag: int, T: int, seed: int = 0, n: int = 2000) -> float:
    """Mean squared error on n sequences the model never saw (predicting 0 scores 1.0, the baseline)."""
    test = delayed_recall(n, T, lag, seed=10_000 + seed)
    with torch.no_grad():
        pred = model(torch.tensor(test.x, dtype=torch.float32))  # (n, 1)
    return float(((pred - torch.tensor(test.y, dtype=torch.float32)) ** 2).mean())


def input_sensitivity(model: Recall, T: int, seed: int = 0, n: int = 500) -> np.ndarray:
    """Mean |d prediction / d x_(T-k)| over n new sequences, for every lag k = 0 .. T-1, shape (T,)."""
    x = torch.tensor(delayed_recall(n, T, 0, seed=20_000 + seed).x, dtype=torch.float32, requires_grad=True)
    (dx,) = torch.autograd.grad(model(x).sum(), x)  # (n, T, 1)
    return dx.abs().mean(dim=0)[:, 0].flip(0).numpy()  # entry k is lag k


def parameter_grad_norms(model: nn.Module) -> dict:
    """The norm of each parameter's current gradient, by name: where a long gradient comes from."""
    return {name: float(p.grad.norm()) for name, p in model.named_parameters() if p.grad is not None}
