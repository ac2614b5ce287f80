"""The long-lag experiments of notebook 08: a second task, the models, their batches and one training run.

What this is: `marked_recall`, a long-lag classification task to set beside `tasks.adding_problem`
(name, at the last step, the symbol that carried a marker up to T - 1 steps before); `as_tensors`,
a task's arrays as torch tensors on a device; `Regressor`, an nn.RNN, nn.LSTM or nn.GRU with a
linear head on its last state; `set_forget_bias`, the forget-gate rows of an nn.LSTM's biases;
`run`, one training run (fresh batches from a seed, a held-out evaluation set, `train.Trainer`,
stop once the evaluation meets a goal), which both the notebook and `benchmarks/long_range.py`
call, so that the file the notebook plots and the point it re-runs live come from the same code;
and `load_results`, which reads that file.
What this is not: a general experiment framework. Torch and NumPy; nothing here draws.
"""

from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import results, tasks
from ._validate import LessonError, as_generator, check_choice, check_number, check_positive_int
from .train import History, Trainer

KINDS = ("RNN", "LSTM", "GRU")
TASKS = ("adding", "recall")


# --------------------------------------------------------------------------- a second long-lag task

@dataclass
class RecallTask:
    """Inputs (B, T, K + 1), target classes (B,), and what guessing scores: accuracy 1/K, cross-entropy log K."""

    x: np.ndarray
    y: np.ndarray
    baseline_accuracy: float
    baseline_loss: float


def marked_recall(n: int, T: int, symbols: int = 8, min_lag: int = 0, seed=None) -> RecallTask:
    """Name, at the last step, the symbol that carried the marker (introduced in 08).

    Each step shows one of `symbols` symbols (one-hot, K inputs) and a marker input that is 1 at
    exactly one step and 0 elsewhere. The target is the marked step's symbol, a class in 0..K-1.
    The marked step is drawn uniformly among those at least `min_lag` steps before the last, so
    the answer lies min_lag to T - 1 steps back. With no memory the best a model can do is guess:
    accuracy 1/K and cross-entropy log K, the baseline.
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T", minimum=2)
    K = check_positive_int(symbols, "symbols", minimum=2)
    min_lag = check_positive_int(min_lag, "min_lag", minimum=0)
    if min_lag >= T:
        raise LessonError(f"min_lag should be smaller than the sequence length T = {T}; got min_lag = {min_lag}.")
    rng = as_generator(seed)
    s = rng.integers(0, K, size=(n, T))  # (B, T): the symbol at every step
    where = rng.integers(0, T - min_lag, size=n)  # (B,): the marked step, lag T - 1 - where >= min_lag
    rows = np.arange(n)
    x = np.zeros((n, T, K + 1))  # (B, T, K + 1)
    x[rows[:, None], np.arange(T)[None, :], s] = 1.0  # one-hot symbols
    x[rows, where, K] = 1.0  # the marker
    y = s[rows, where]  # (B,): the marked symbol
    return RecallTask(x, y, baseline_accuracy=1.0 / K, baseline_loss=math.log(K))


def as_tensors(task, device="cpu") -> tuple:
    """(x, y) of a task as torch tensors on `device`: float32 inputs; float32 targets, or int64 classes."""
    if not hasattr(task, "x") or not hasattr(task, "y"):
        raise LessonError(f"task should be a task from lstm_lessons.tasks or long_tasks (with .x and .y); "
                          f"got {type(task).__name__}.")
    x = torch.as_tensor(task.x, dtype=torch.float32, device=device)  # (B, T, I)
    y = torch.as_tensor(task.y, device=device)
    y = y.long() if not torch.is_floating_point(y) else y.float()  # (B,) classes or (B, 1) values
    return x, y


# --------------------------------------------------------------------------- the models

class Regressor(nn.Module):
    """nn.RNN, nn.LSTM or nn.GRU reads x (B, T, I); a linear head reads the last state and gives (B, O)."""

    def __init__(self, kind: str, input_size: int, hidden_size: int, output_size: int = 1):
        super().__init__()
        self.kind = check_choice(kind, "kind", KINDS)
        input_size = check_positive_int(input_size, "input_size")
        hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.rnn = getattr(nn, kind)(input_size, hidden_size, batch_first=True)  # tanh for nn.RNN
        self.head = nn.Linear(hidden_size, check_positive_int(output_size, "output_size"))

    def forward(self, x):
        if x.dim() != 3 or x.shape[-1] != self.rnn.input_size:
            raise LessonError(f"x should have shape (B, T, I) with input size I = {self.rnn.input_size}; got "
                              f"{tuple(x.shape)}. Did you pass (T, B, I)? The model is batch-first.")
        out, _ = self.rnn(x)  # out: (B, T, H), the state at every step
        return self.head(out[:, -1])  # (B, O), from the last state


def set_forget_bias(lstm: nn.LSTM, value: float) -> nn.LSTM:
    """Start an nn.LSTM's forget gates at sigmoid(value): bias_ih rows H:2H = value, bias_hh rows H:2H = 0."""
    if not isinstance(lstm, nn.LSTM):
        raise LessonError(f"lstm should be a torch.nn.LSTM (the forget gate is its own); got {type(lstm).__name__}.")
    value = check_number(value, "value")
    H = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            # gate order i, f, g, o: the forget gate is rows H:2H, and its bias is b_ih + b_hh
            getattr(lstm, f"bias_ih_l{layer}")[H:2 * H] = value
            getattr(lstm, f"bias_hh_l{layer}")[H:2 * H] = 0.0
    return lstm


def make_model(kind: str, input_size: int, hidden_size: int, output_size: int = 1, *, seed: int = 0,
               forget_bias: float | None = None) -> Regressor:
    """A Regressor drawn with torch seed `seed` (PyTorch's default start); forget_bias sets an LSTM's forget gates."""
    torch.manual_seed(check_positive_int(seed, "seed", minimum=0))
    model = Regressor(kind, input_size, hidden_size, output_size)
    if forget_bias is not None:
        if kind != "LSTM":
            raise LessonError(f"forget_bias is for kind='LSTM' (only the LSTM has a forget gate); got kind={kind!r}.")
        set_forget_bias(model.rnn, forget_bias)
    return model


# --------------------------------------------------------------------------- batches, losses, one run

def make_task(task: str, n: int, T: int, seed=None):
    """n sequences of `task` ("adding" or "recall") of length T."""
    check_choice(task, "task", TASKS)
    return tasks.adding_problem(n, T, seed=seed) if task == "adding" else marked_recall(n, T, seed=seed)


def make_batches(task: str, batch_size: int, T: int, seed: int = 0):
    """A function s -> the batch for update s: fresh sequences, the same for every model given the same seed."""
    check_choice(task, "task", TASKS)
    batch_size = check_positive_int(batch_size, "batch_size")
    entropy = int(np.random.default_rng(check_positive_int(seed, "seed", minimum=0)).integers(2**62))

    def batch(s: int):
        return as_tensors(make_task(task, batch_size, T, seed=np.random.default_rng([entropy, s])))

    return batch


def mse_loss(model, batch):
    """The adding problem's loss: mean over the batch of (prediction - target)^2."""
    x, y = batch
    return ((model(x) - y) ** 2).mean()


def recall_loss(model, batch):
    """The recall task's loss: cross-entropy of the K logits against the marked symbol."""
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)


#: The 1997 paper's tolerance, |error| < 0.04 on its target 0.5 + (X1 + X2)/4 with X uniform on [-1, 1], in this
#: notebook's units: with X = 2U - 1 that target is (U1 + U2)/2, half of ours, so the tolerance here is 0.08.
PAPER_TOLERANCE = 0.08


def evaluator(task: str, x, y):
    """eval_fn(model) for `task` on a fixed set of sequences x, y already on the model's device.

    adding: {"mse", "within"}, "within" the fraction of sequences with |error| < PAPER_TOLERANCE;
    recall: {"loss", "accuracy"}, cross-entropy and the fraction of symbols named right.
    """
    check_choice(task, "task", TASKS)

    def adding(model):
        error = model(x) - y  # (B, 1)
        return {"mse": (error ** 2).mean(), "within": (error.abs() < PAPER_TOLERANCE).float().mean()}

    def recall(model):
        logits = model(x)  # (B, K)
        return {"loss": nn.functional.cross_entropy(logits, y), "accuracy": (logits.argmax(-1) == y).float().mean()}

    return adding if task == "adding" else recall


#: When a run counts as solved, by goal: (the evaluation metric, its threshold, whether lower is better).
GOALS = {
    "mse": ("mse", 0.01, True),  # adding problem: held-out MSE <= 0.01 (the baseline is 1/6 = 0.167)
    "paper": ("within", 0.999, False),  # adding problem, close to the 1997 rule: 99.9% of sequences within tolerance
    "accuracy": ("accuracy", 0.99, False),  # recall: 99% of the held-out symbols named right (the baseline is 1/K)
}
#: The goal of the adding problem in notebook 08.
ADDING_SOLVED = GOALS["mse"][1]


def solved(goal: str, value: float) -> bool:
    """Whether an evaluation `value` of the goal's metric meets the goal (see GOALS)."""
    _, threshold, lower = GOALS[check_choice(goal, "goal", tuple(GOALS))]
    return value <= threshold if lower else value >= threshold


@dataclass
class Run:
    """One training run: its settings, its history, and when (if ever) it met its goal."""

    kind: str
    task: str
    T: int
    settings: dict
    history: History
    solved_at: int | None  # training sequences seen when an evaluation first met the goal; None: never
    final: float  # the goal's metric at the last evaluation (MSE or fraction within tolerance; accuracy)
    seconds: float
    trainer: Trainer | None = field(default=None, repr=False)

    @property
    def metric(self) -> str:
        return GOALS[self.settings["goal"]][0]

    def summary(self) -> dict:
        """What the results file keeps of a run: settings, the outcome, and the learning curve of its metric."""
        h = self.history
        return dict(kind=self.kind, task=self.task, T=self.T, **self.settings, solved_at=self.solved_at,
                    final=self.final, last={k: round(v[-1], 6) for k, v in h.eval_metrics.items()}, updates=len(h),
                    seconds=round(self.seconds, 2), eval_examples=h.eval_examples,
                    eval=[round(v, 5) for v in h.eval_metrics[self.metric]],
                    max_grad_norm=max(h.grad_norm) if h.grad_norm else None)


def run(kind: str, T: int, *, task: str = "adding", goal: str | None = None, hidden_size: int = 32,
        batch_size: int = 64, lr: float = 2e-2, clip: float | None = 1.0, forget_bias: float | None = None,
        max_updates: int = 1500, eval_every: int = 25, eval_size: int = 1000, seed: int = 0, stop: bool = True,
        device=None) -> Run:
    """Train one model on one task (introduced in 08); stop at the first evaluation that meets `goal`, if stop.

    goal: "mse" (the default for adding), "paper" (adding, 99.9% within the 1997 tolerance), "accuracy"
    (the default for recall); see GOALS. The model is drawn with torch seed `seed`, the training batches
    with `seed` too (the same data for every kind), and the evaluation set of `eval_size` sequences with
    seed + 10_000. Adam, learning rate `lr`, gradient clipping at `clip`, at most `max_updates` updates
    of `batch_size` fresh sequences, an evaluation every `eval_every` updates.
    """
    check_choice(task, "task", TASKS)
    goal = ("mse" if task == "adding" else "accuracy") if goal is None else check_choice(goal, "goal", tuple(GOALS))
    if (goal == "accuracy") != (task == "recall"):
        raise LessonError(f"goal {goal!r} does not fit task {task!r}: adding takes 'mse' or 'paper', recall "
                          "takes 'accuracy'.")
    T = check_positive_int(T, "T", minimum=2)
    max_updates = check_positive_int(max_updates, "max_updates")
    eval_every = check_positive_int(eval_every, "eval_every")
    adding = task == "adding"
    model = make_model(kind, 2 if adding else 9, hidden_size, 1 if adding else 8, seed=seed, forget_bias=forget_bias)
    test = as_tensors(make_task(task, eval_size, T, seed=seed + 10_000), _device(device))
    trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=lr), mse_loss if adding else recall_loss,
                      clip=clip, device=device, progress=False, eval_every=eval_every, eval_fn=evaluator(task, *test))
    batches = make_batches(task, batch_size, T, seed=seed)
    metric = GOALS[goal][0]
    while trainer.step < max_updates:
        trainer.fit(batches, min(eval_every, max_updates - trainer.step))
        if trainer.history.stopped or (stop and solved(goal, trainer.history.last(metric))):
            break
    first = trainer.history.first_where(metric, lambda v: solved(goal, v))
    settings = dict(goal=goal, hidden_size=hidden_size, batch_size=batch_size, lr=lr, clip=clip,
                    forget_bias=forget_bias, max_updates=max_updates, seed=seed)
    return Run(kind, task, T, settings, trainer.history, None if first is None else first.examples,
               trainer.history.last(metric), trainer.seconds, trainer)


#: Where benchmarks/long_range.py writes its results: shipped with the package (lstm_lessons/results/, which
#: benchmarks/results of a checkout links to), so a checkout, Binder and Colab all read the same file.
RESULTS = results.path("long_range.json")


def load_results(path=None) -> dict:
    """The results file of benchmarks/long_range.py: from `path` if given, else the copy shipped with the package."""
    if path is None:
        return results.load(RESULTS.name)
    place = pathlib.Path(path)
    if not place.is_file():
        raise LessonError(f"there is no results file at {place}; make one with: python benchmarks/long_range.py")
    return json.loads(place.read_text())


def _device(device):
    return torch.device("cuda" if torch.cuda.is_available() else "cpu") if device is None else torch.device(device)
