"""The training loop of notebooks 08-10: a progress bar, a history, clipping, evaluation, interrupt and resume.

What this is: one small loop in plain PyTorch, `Trainer.fit`, written to be read. Each update is
forward and loss (`loss_fn(model, batch)`), backward, the gradient norm (clipped if asked), an
optimizer step, and one record in `History`. Kernel > Interrupt stops it between two updates,
keeps the model and the history, and `fit` called again carries on as if it had never stopped.
It runs on the GPU when there is one and on the CPU otherwise, with no change to the notebook.
With stateful=True it carries a recurrent state from one batch to the next, cut from the graph
between them (truncated BPTT, notebook 09).
What this is not: a framework. No callbacks, learning-rate schedules, checkpoints, mixed
precision or several GPUs; a notebook that needs one of those writes its own loop.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence
from tqdm.auto import tqdm

from ._validate import LessonError, check_number, check_positive_int

# The bar redraws at most twice a second, so drawing it costs nothing next to the updates.
BAR_INTERVAL = 0.5
# The loss on the bar is the mean over the last this-many updates: one batch's loss is noisy.
BAR_LOSS_WINDOW = 50


# --------------------------------------------------------------------------- batches and states

def to_device(batch, device, name: str = "batch"):
    """`batch` with every tensor moved to `device`: a tensor, a PackedSequence, or tuples, lists and dicts of them.

    Anything else (numbers, strings, None) is left as it is; keep sequence lengths for packing as a
    Python list, since pack_padded_sequence wants them on the CPU.
    """
    if isinstance(batch, (Tensor, PackedSequence)):
        return batch.to(device)
    if isinstance(batch, np.ndarray):
        raise LessonError(f"{name} is a NumPy array, but the model needs torch tensors; make it with "
                          "torch.from_numpy(array).float() (or .long() for token ids) where the batch is made.")
    if isinstance(batch, dict):
        return {k: to_device(v, device, f"{name}[{k!r}]") for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # a namedtuple
        return type(batch)(*(to_device(v, device, f"{name}.{f}") for f, v in zip(batch._fields, batch)))
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(v, device, f"{name}[{k}]") for k, v in enumerate(batch))
    return batch


def detach(state):
    """The recurrent state cut from the graph that made it: h.detach(), also inside tuples such as (h, c)."""
    if state is None or isinstance(state, Tensor):
        return None if state is None else state.detach()
    if isinstance(state, (tuple, list)):
        parts = [detach(s) for s in state]
        return type(state)(*parts) if hasattr(state, "_fields") else type(state)(parts)
    raise LessonError(f"state should be a tensor, a tuple of tensors such as (h, c), or None; "
                      f"got {type(state).__name__}. With stateful=True, loss_fn returns it as the second item of "
                      "(loss, state).")


def count_parameters(model: nn.Module) -> int:
    """How many numbers training can change in `model`: the entries of its parameters with requires_grad."""
    if not isinstance(model, nn.Module):
        raise LessonError(f"model should be a torch.nn.Module; got {type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _first_tensor(batch):
    """The first tensor (or PackedSequence) in `batch`, searching tuples, lists and dicts in order."""
    if isinstance(batch, (Tensor, PackedSequence)):
        return batch
    items = batch.values() if isinstance(batch, dict) else batch if isinstance(batch, (tuple, list)) else ()
    for item in items:
        found = _first_tensor(item)
        if found is not None:
            return found
    return None


def count_examples(batch) -> int:
    """How many examples `batch` holds: the first axis of its first tensor, or a PackedSequence's count."""
    first = _first_tensor(batch)
    if first is None:
        raise LessonError(f"batch should hold at least one tensor, whose first axis counts the examples; "
                          f"got {type(batch).__name__} {batch!r:.80}.")
    if isinstance(first, PackedSequence):
        return int(first.batch_sizes[0])
    if first.dim() == 0:
        raise LessonError("the first tensor in the batch should have a batch axis first, (B, ...); got a "
                          "single number (shape ()). Put the inputs first in the batch, e.g. (x, y).")
    return int(first.shape[0])


# --------------------------------------------------------------------------- the history

@dataclass(frozen=True)
class EvalPoint:
    """One evaluation: after which update it ran, how many training examples had been seen by then, and the value."""

    step: int
    examples: int
    value: float


@dataclass
class History:
    """What training recorded: one entry per update in the plain lists, one per evaluation in the eval_ ones."""

    step: list = field(default_factory=list)  # the update's number: 1, 2, 3, ... over every fit
    loss: list = field(default_factory=list)  # the training loss of that update's batch
    grad_norm: list = field(default_factory=list)  # the norm of all gradients together, before clipping
    examples: list = field(default_factory=list)  # training examples (sequences) seen up to and including this update
    seconds: list = field(default_factory=list)  # time spent on updates so far (evaluations not counted)
    eval_step: list = field(default_factory=list)  # the update after which each evaluation ran (0: before any)
    eval_examples: list = field(default_factory=list)  # training examples seen by then
    eval_metrics: dict = field(default_factory=dict)  # metric name -> one value per evaluation
    stopped: str | None = None  # why the last fit stopped early: "interrupted", "non-finite", "out of batches"

    def __len__(self) -> int:
        return len(self.step)

    def _values(self, metric: str) -> list:
        if metric not in self.eval_metrics:
            names = ", ".join(repr(n) for n in self.eval_metrics) or "none yet (no evaluation has run)"
            raise LessonError(f"metric should be a name that eval_fn returns: {names}; got {metric!r}. "
                              "The training loss of every update is history.loss.")
        return self.eval_metrics[metric]

    def last(self, metric: str) -> float:
        """The latest value of an evaluation metric, such as history.last("mse")."""
        values = self._values(metric)
        return values[-1]

    def first_where(self, metric: str, condition) -> EvalPoint | None:
        """The first evaluation whose value meets `condition`, e.g. lambda mse: mse <= 0.01; None if none did."""
        values = self._values(metric)
        if not callable(condition):
            raise LessonError(f"condition should be a function of one value that returns True or False, such as "
                              f"lambda v: v <= 0.01; got {type(condition).__name__} {condition!r}.")
        for step, examples, value in zip(self.eval_step, self.eval_examples, values):
            if condition(value):
                return EvalPoint(step, examples, value)
        return None

    def __repr__(self) -> str:
        text = f"History({len(self)} updates, {self.examples[-1] if self.examples else 0} examples"
        if self.loss:
            recent = self.loss[-BAR_LOSS_WINDOW:]
            text += f", {self.seconds[-1]:.1f} s; loss {sum(recent) / len(recent):.4g} over the last {len(recent)}"
        if self.eval_step:
            metrics = ", ".join(f"{name} {values[-1]:.4g}" for name, values in self.eval_metrics.items())
            text += f"; {len(self.eval_step)} evaluations, at update {self.eval_step[-1]}: {metrics}"
        return text + (f"; stopped: {self.stopped}" if self.stopped else "") + ")"


# --------------------------------------------------------------------------- the loop

class _HoldInterrupt:
    """Hold back Kernel > Interrupt (SIGINT) while an update is applied and recorded, then deliver it."""

    def __enter__(self):
        self.interrupted, self.previous = False, None
        # Signal handlers can only be set from the main thread, where Jupyter runs a cell.
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None:
            self.previous = signal.signal(signal.SIGINT, self._hold)
        return self

    def _hold(self, signum, frame):
        self.interrupted = True

    def __exit__(self, kind, value, traceback):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            if self.interrupted and kind is None and callable(self.previous):
                self.previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt here
        return False


class _OutOfBatches(Exception):
    """A one-pass iterator of batches ran out."""


class _Batches:
    """The batch for update index s: from a function of s, a list (used in turn), or an iterable (pass after pass)."""

    def __init__(self, batches):
        self.batches, self.pending = batches, None
        if isinstance(batches, (Tensor, np.ndarray, dict, str, bytes)):
            raise LessonError(f"batches should be a function step -> batch, a list of batches, or an iterable such "
                              f"as a DataLoader; got a {type(batches).__name__}. For one fixed batch, pass "
                              "lambda step: batch.")
        if callable(batches):
            self.kind = "function"
        elif isinstance(batches, (list, tuple)):
            if not batches:
                raise LessonError("batches is an empty list; it should hold at least one batch.")
            if all(isinstance(b, Tensor) for b in batches):
                raise LessonError(f"batches should be a function step -> batch or a list of batches; got a "
                                  f"{type(batches).__name__} of {len(batches)} tensors, which looks like one batch. "
                                  "For one fixed batch, pass lambda step: (x, y).")
            self.kind = "list"
        elif hasattr(batches, "__iter__"):
            self.kind, self.iterator = "iterable", iter(batches)
        else:
            raise LessonError(f"batches should be a function step -> batch, a list of batches, or an iterable such "
                              f"as a DataLoader; got {type(batches).__name__} {batches!r:.80}.")

    def get(self, s: int):
        if self.kind == "function":
            return self.batches(s)
        if self.kind == "list":
            return self.batches[s % len(self.batches)]
        if self.pending is None:  # an interrupted update's batch is kept for the next try
            try:
                self.pending = next(self.iterator)
            except StopIteration:
                if iter(self.batches) is self.batches:  # a generator: it cannot start again
                    raise _OutOfBatches from None
                self.iterator = iter(self.batches)  # a new pass, as in a new epoch
                self.pending = next(self.iterator, None)
                if self.pending is None:
                    raise _OutOfBatches from None
        return self.pending

    def used(self):
        self.pending = None


def _pick_device(device) -> torch.device:
    """device=None: "cuda" if torch sees a GPU, else "cpu"; otherwise the device asked for, if it is there."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise LessonError(f"device should be 'cpu', 'cuda' or None (the GPU when there is one); "
                          f"got {device!r}.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise LessonError(f"device is {str(device)!r} but torch sees no GPU here (torch.cuda.is_available() is "
                          "False); pass device=None to use the GPU only when there is one.")
    return device


def _check_loss(loss, stateful: bool) -> Tensor:
    """The loss must be one number, still attached to the graph of the model's parameters."""
    if isinstance(loss, tuple) and not stateful:
        raise LessonError(f"loss_fn should return the loss alone; got a tuple of {len(loss)}. If it also returns "
                          "a recurrent state to carry into the next batch, pass Trainer(..., stateful=True).")
    if not isinstance(loss, Tensor):
        raise LessonError(f"loss_fn should return the loss as a torch tensor holding one number; got "
                          f"{type(loss).__name__} {loss!r:.40}. Did you call .item()? Return the tensor, so that "
                          "it can be backpropagated.")
    if loss.numel() != 1:
        raise LessonError(f"loss_fn should return one number, the loss averaged over the batch (shape ()); got a "
                          f"tensor of shape {tuple(loss.shape)}. Did you forget .mean()?")
    if not loss.requires_grad:
        raise LessonError("loss_fn returned a loss that does not depend on the model's parameters (requires_grad "
                          "is False); was it computed under torch.no_grad(), or from .detach()ed outputs?")
    return loss


def _check_metrics(metrics) -> dict:
    """eval_fn returns a dict of names to numbers (floats or one-number tensors); give them back as floats."""
    if not isinstance(metrics, dict) or not metrics:
        raise LessonError(f"eval_fn should return a dict of metric names to numbers, such as {{'mse': 0.01}}; "
                          f"got {type(metrics).__name__} {metrics!r:.60}.")
    out = {}
    for name, value in metrics.items():
        if isinstance(value, Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise LessonError(f"eval_fn's metric {name!r} should be a number; "
                              f"got {type(value).__name__} {value!r:.60}.")
        out[str(name)] = float(value)
    return out


def _rng_state(device: torch.device):
    """The state of torch's random numbers (CPU, and the GPU's when training there), to rewind a dropped update."""
    return torch.get_rng_state(), (torch.cuda.get_rng_state(device) if device.type == "cuda" else None)


def _set_rng_state(state, device: torch.device) -> None:
    torch.set_rng_state(state[0])
    if state[1] is not None:
        torch.cuda.set_rng_state(state[1], device)


class Trainer:
    """Trains `model` with `optimizer` on loss_fn(model, batch); fit(batches, steps) runs updates, again and again.

    clip: the largest gradient norm allowed (None: no clipping; the norm is logged either way).
    device: None picks "cuda" when torch sees a GPU, else "cpu"; the model is moved there, and so is every batch.
    eval_fn(model) -> {name: number}: run in eval mode without gradients before the first update, every
    eval_every updates, and at the end of each fit that runs all its steps. Its data must be on trainer.device.
    stateful: loss_fn(model, batch, state) -> (loss, state); the state is detached and carried into the next
    batch, and set back to None (zeros) every reset_state_every updates, at the start of each epoch.
    progress: a tqdm bar (a widget in Jupyter, text on stderr elsewhere) and a line when a fit stops early;
    progress=False prints nothing.
    """

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, *, clip: float | None = None,
                 device=None, eval_fn=None, eval_every: int | None = None, stateful: bool = False,
                 reset_state_every: int | None = None, progress: bool = True):
        if not isinstance(model, nn.Module):
            raise LessonError(f"model should be a torch.nn.Module; got {type(model).__name__}.")
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise LessonError(f"optimizer should be a torch.optim optimizer, such as "
                              f"torch.optim.Adam(model.parameters(), lr=1e-3); got {type(optimizer).__name__}.")
        own = {id(p) for p in model.parameters()}
        params = [p for group in optimizer.param_groups for p in group["params"]]
        strangers = sum(id(p) not in own for p in params)
        if strangers:
            raise LessonError(f"optimizer should update the model's parameters; {strangers} of its {len(params)} "
                              "are not the model's. Was it made for another model, or before the model was made "
                              "again? Build it from this one: torch.optim.Adam(model.parameters()).")
        if not callable(loss_fn):
            raise LessonError(f"loss_fn should be a function loss_fn(model, batch) -> loss; "
                              f"got {type(loss_fn).__name__}.")
        if eval_fn is not None and not callable(eval_fn):
            raise LessonError(f"eval_fn should be a function eval_fn(model) -> {{name: number}}; "
                              f"got {type(eval_fn).__name__}.")
        if clip is not None and check_number(clip, "clip") <= 0:
            raise LessonError(f"clip should be a number > 0 (the largest gradient norm allowed) or None; "
                              f"got {clip}.")
        if eval_every is not None:
            eval_every = check_positive_int(eval_every, "eval_every")
            if eval_fn is None:
                raise LessonError("eval_every needs eval_fn, the function that evaluates the model; "
                                  "pass both, or neither.")
        for name, flag in (("stateful", stateful), ("progress", progress)):
            if not isinstance(flag, bool):
                raise LessonError(f"{name} should be True or False; got {flag!r}.")
        if reset_state_every is not None:
            reset_state_every = check_positive_int(reset_state_every, "reset_state_every")
            if not stateful:
                raise LessonError("reset_state_every needs stateful=True: only a carried state can be reset.")
        self.device = _pick_device(device)
        self.model = model.to(self.device)  # moves the parameters in place, so the optimizer still holds them
        self.optimizer, self.loss_fn, self.eval_fn = optimizer, loss_fn, eval_fn
        self.clip = None if clip is None else float(clip)
        self.eval_every, self.stateful, self.reset_state_every = eval_every, stateful, reset_state_every
        self.progress = progress
        self.params = params  # what the optimizer updates: the gradient norm is taken over these
        self.history = History()
        self.step = 0  # updates so far, over every fit
        self.examples = 0  # training examples seen so far
        self.seconds = 0.0  # time spent on updates so far
        self.state = None  # the carried recurrent state (stateful=True): None means zeros
        self._source = None

    def reset_state(self) -> None:
        """Forget the carried state: the next batch starts from zeros (None)."""
        self.state = None

    def evaluate(self) -> dict:
        """eval_fn(model) in eval mode (dropout off) without gradients: its metrics as floats, not recorded."""
        if self.eval_fn is None:
            raise LessonError("evaluate needs eval_fn; pass Trainer(..., eval_fn=lambda model: {'mse': ...}).")
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                metrics = self.eval_fn(self.model)
        finally:
            self.model.train(was_training)
        return _check_metrics(metrics)

    def fit(self, batches, steps: int) -> History:
        """Run `steps` more updates, the batch for update index s (0, 1, ... over every fit) coming from `batches`.

        `batches` is a function s -> batch (the same s gives the same data, so a resumed run matches one that
        never stopped), a list of batches used in turn, or an iterable such as a DataLoader (a new pass when it
        runs out). Kernel > Interrupt stops between two updates and returns the history; call fit to go on.
        """
        steps = check_positive_int(steps, "steps")
        if self._source is None or self._source.batches is not batches:
            self._source = _Batches(batches)  # the same iterable again: carry on with its pass
        history, start = self.history, self.step
        history.stopped = None
        was_training = self.model.training
        self.model.train()  # dropout on while training; evaluate() switches it off and back
        bar = tqdm(total=steps, desc="training", unit="update", mininterval=BAR_INTERVAL, disable=not self.progress)
        shown = -math.inf  # when the bar's text was last set: at once on the first update
        try:
            self._evaluate_if_due(end_of_fit=False)
            while self.step - start < steps:
                if not self._update(self._source):
                    break  # the loss or the gradient was not finite
                self._evaluate_if_due(end_of_fit=self.step - start == steps)
                bar.update(1)
                if time.perf_counter() - shown >= BAR_INTERVAL:
                    bar.set_postfix_str(self._bar_text(), refresh=False)
                    shown = time.perf_counter()
        except KeyboardInterrupt:
            history.stopped = "interrupted"
        except _OutOfBatches:
            history.stopped = "out of batches"
        finally:
            if history.loss:
                bar.set_postfix_str(self._bar_text(), refresh=False)
            bar.close()
            self.model.train(was_training)
        if self.progress and history.stopped:
            print(self._stop_message(self.step - start, steps))
        return history

    def _update(self, source: _Batches) -> bool:
        """One update, recorded whole or not at all; False if its loss or gradient norm was not finite."""
        began = time.perf_counter()
        s = self.step  # this update's batch index: 0, 1, 2, ... over every fit
        rng = _rng_state(self.device)
        applied = False
        try:
            batch = to_device(source.get(s), self.device)
            n = count_examples(batch)
            state = self.state
            if self.stateful and self.reset_state_every and s % self.reset_state_every == 0:
                state = None  # a new epoch starts from zeros
            if self.stateful:
                out = self.loss_fn(self.model, batch, state)
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise LessonError(f"loss_fn should return (loss, state) when stateful=True: the loss and the "
                                      f"recurrent state to carry into the next batch; got {type(out).__name__}.")
                loss, state = out
            else:
                loss = self.loss_fn(self.model, batch)
            loss = _check_loss(loss, self.stateful)
            loss_value, grad_norm = loss.item(), math.nan
            self.optimizer.zero_grad(set_to_none=True)
            if math.isfinite(loss_value):
                loss.backward()
                # ||g|| = sqrt(sum over every parameter of sum(g^2)); with clip c: g <- g * min(1, c / ||g||)
                grad_norm = nn.utils.clip_grad_norm_(self.params, self.clip or math.inf).item()
            finite = math.isfinite(loss_value) and math.isfinite(grad_norm)
            with _HoldInterrupt():  # an interrupt from here on waits until the update is applied and recorded
                if finite:
                    self.optimizer.step()
                    if self.stateful:
                        self.state = detach(state)  # h = h.detach(): the next backward stops at this batch
                self.step += 1
                self.examples += n
                self.seconds += time.perf_counter() - began
                for name, value in (("step", self.step), ("loss", loss_value), ("grad_norm", grad_norm),
                                    ("examples", self.examples), ("seconds", self.seconds)):
                    getattr(self.history, name).append(value)
                source.used()
                applied = True
        except KeyboardInterrupt:
            if not applied:  # a dropped update leaves no trace, not even in the random numbers dropout drew
                _set_rng_state(rng, self.device)
            raise
        if not finite:
            self.history.stopped = "non-finite"
        return finite

    def _evaluate_if_due(self, end_of_fit: bool) -> None:
        """Evaluate at update 0, every eval_every updates and at the end of a fit, unless done at this update."""
        history, s = self.history, self.step
        if self.eval_fn is None or (history.eval_step and history.eval_step[-1] == s):
            return
        if not (end_of_fit or s == 0 or (self.eval_every is not None and s % self.eval_every == 0)):
            return
        metrics = self.evaluate()
        if history.eval_metrics and set(metrics) != set(history.eval_metrics):
            raise LessonError(f"eval_fn should return the same metric names every time; it gave "
                              f"{sorted(history.eval_metrics)} before and {sorted(metrics)} now.")
        with _HoldInterrupt():
            history.eval_step.append(s)
            history.eval_examples.append(self.examples)
            for name, value in metrics.items():
                history.eval_metrics.setdefault(name, []).append(value)

    def _bar_text(self) -> str:
        recent = self.history.loss[-BAR_LOSS_WINDOW:]
        text = f"loss={sum(recent) / len(recent):.4g}" if recent else ""
        for name, values in self.history.eval_metrics.items():
            text += f", {name}={values[-1]:.4g}"
        return text

    def _stop_message(self, done: int, steps: int) -> str:
        if self.history.stopped == "interrupted":
            return (f"Interrupted after {self.step} updates ({done} of the {steps} asked for): the model and its "
                    f"history are kept; run trainer.fit(...) again to continue ({steps - done} more finish "
                    "this run).")
        if self.history.stopped == "out of batches":
            return f"Stopped after {self.step} updates ({done} of the {steps} asked for): batches ran out."
        loss, norm = self.history.loss[-1], self.history.grad_norm[-1]
        what = f"the loss is {loss}" if not math.isfinite(loss) else f"the gradient norm is {norm}"
        advice = "a smaller learning rate" + ("" if self.clip else ", or gradient clipping (clip=1.0),")
        return (f"Stopped at update {self.step}: {what}, so that update was not applied and the model keeps the "
                f"weights it had before it. Training has diverged; {advice} may help.")
