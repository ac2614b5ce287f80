"""The training loop against hand-written loops: gradient norms, clipping, stateful BPTT, interrupt and resume."""

import copy
import math
import os
import signal

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_lessons import LessonError
from lstm_lessons.train import EvalPoint, History, Trainer, count_examples, count_parameters, detach, to_device

W_TRUE = torch.tensor([[1.5], [-2.0], [0.5]])


@pytest.fixture(autouse=True)
def one_thread():
    # One thread makes every CPU kernel here run in a fixed order, so two runs agree bit for bit.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def linear_batch(step, n=8):
    """A fresh batch for each step, the same for the same step: x (n, 3), y = x W + 0.5."""
    g = torch.Generator().manual_seed(step)
    x = torch.randn(n, 3, generator=g)
    return x, x @ W_TRUE + 0.5


def mse(model, batch):
    x, y = batch
    return nn.functional.mse_loss(model(x), y)


class Recurrent(nn.Module):
    """A small LSTM regressor with dropout, so that training draws random numbers."""

    def __init__(self, stateful=False):
        super().__init__()
        self.lstm = nn.LSTM(2, 6, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(6, 1)
        self.stateful = stateful

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)  # (B, T, H)
        y = self.head(self.drop(out[:, -1]))  # (B, 1)
        return (y, state) if self.stateful else y


def seq_batch(step):
    g = torch.Generator().manual_seed(100 + step)
    x = torch.randn(4, 5, 2, generator=g)  # (B, T, I)
    return x, x.sum(dim=(1, 2)).unsqueeze(1)  # (B, 1)


def seq_loss(model, batch):
    x, y = batch
    return nn.functional.mse_loss(model(x), y)


def stateful_loss(model, batch, state):
    x, y = batch
    y_hat, state = model(x, state)
    return nn.functional.mse_loss(y_hat, y), state


def make(model_fn=lambda: nn.Linear(3, 1), lr=0.05, opt=torch.optim.Adam, seed=0, **kwargs):
    torch.manual_seed(seed)
    model = model_fn()
    kwargs.setdefault("progress", False)
    kwargs.setdefault("device", "cpu")
    return Trainer(model, opt(model.parameters(), lr=lr), kwargs.pop("loss_fn", mse), **kwargs)


def assert_same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for name in sa:
        assert torch.equal(sa[name], sb[name]), f"{name} differs"


# --------------------------------------------------------------------------- learning and recording

def test_a_linear_model_learns_a_linear_map():
    x_test, y_test = linear_batch(10_000, n=256)
    baseline = float(((y_test - y_test.mean()) ** 2).mean())  # the best constant prediction
    trainer = make(lr=0.1, eval_fn=lambda m: {"mse": nn.functional.mse_loss(m(x_test), y_test)}, eval_every=50)
    history = trainer.fit(linear_batch, 200)
    assert history.eval_metrics["mse"][0] > 0.3 * baseline, "before training the model should be near the baseline"
    assert history.last("mse") < 1e-3 * baseline, f"should learn y = xW + b: {history.last('mse')} vs {baseline}"
    assert np.mean(history.loss[-10:]) < 1e-3 * np.mean(history.loss[:10])


def test_history_has_one_record_per_update_and_evaluations_every_eval_every():
    sizes = [3 + s % 4 for s in range(20)]
    trainer = make(eval_fn=lambda m: {"w0": m.weight[0, 0]}, eval_every=4)
    history = trainer.fit(lambda s: linear_batch(s, n=sizes[s]), 10)
    assert history.step == list(range(1, 11)) and len(history) == 10 == trainer.step
    assert history.examples == list(np.cumsum(sizes[:10]))
    assert history.eval_step == [0, 4, 8, 10], "before training, every 4 updates, and at the end of the fit"
    assert history.eval_examples == [0] + [history.examples[s - 1] for s in (4, 8, 10)]
    assert all(b >= a for a, b in zip(history.seconds, history.seconds[1:])) and history.seconds[0] > 0
    assert len(history.eval_metrics["w0"]) == 4 and history.stopped is None
    assert history.eval_metrics["w0"][-1] == pytest.approx(trainer.model.weight[0, 0].item())
    trainer.fit(lambda s: linear_batch(s, n=sizes[s]), 7)  # continues: the counters carry on
    assert history.step == list(range(1, 18)) and history.eval_step == [0, 4, 8, 10, 12, 16, 17]
    assert history.examples[-1] == sum(sizes[:17])
    assert "17 updates" in repr(history) and "w0" in repr(history)


def test_history_helpers_find_the_first_evaluation_that_meets_a_condition():
    history = History(eval_step=[0, 50, 100, 150], eval_examples=[0, 3200, 6400, 9600],
                      eval_metrics={"mse": [0.17, 0.02, 0.009, 0.004]})
    assert history.first_where("mse", lambda v: v <= 0.01) == EvalPoint(100, 6400, 0.009)
    assert history.first_where("mse", lambda v: v < 0.001) is None
    assert history.last("mse") == 0.004
    with pytest.raises(LessonError, match=r"metric should be a name that eval_fn returns: 'mse'; got 'loss'"):
        history.last("loss")
    with pytest.raises(LessonError, match=r"condition should be a function"):
        history.first_where("mse", 0.01)


def test_training_and_evaluation_modes_and_the_model_mode_is_put_back():
    seen = []

    def loss_fn(model, batch):
        seen.append(("train", model.training, torch.is_grad_enabled()))
        return mse(model, batch)

    def eval_fn(model):
        seen.append(("eval", model.training, torch.is_grad_enabled()))
        return {"one": 1.0}

    trainer = make(loss_fn=loss_fn, eval_fn=eval_fn)
    trainer.model.eval()
    trainer.fit(linear_batch, 2)
    assert seen == [("eval", False, False), ("train", True, True), ("train", True, True), ("eval", False, False)]
    assert not trainer.model.training, "fit should leave the model in the mode it found it in"


# --------------------------------------------------------------------------- gradient norm and clipping

def test_logged_grad_norm_is_the_norm_of_all_gradients_before_clipping():
    trainer = make(model_fn=lambda: Recurrent(), loss_fn=seq_loss, clip=0.01)
    oracle = copy.deepcopy(trainer.model)
    torch.manual_seed(7)
    rng = torch.get_rng_state()
    trainer.fit(seq_batch, 1)
    torch.set_rng_state(rng)  # the same dropout mask
    seq_loss(oracle, seq_batch(0)).backward()
    # ||g|| = sqrt(sum of every squared gradient entry), computed without torch.nn.utils
    norm = torch.cat([p.grad.flatten() for p in oracle.parameters()]).pow(2).sum().sqrt().item()
    assert norm > 0.01, "the norm should be above clip, so the test sees the norm before clipping"
    assert trainer.history.grad_norm[0] == pytest.approx(norm, rel=1e-6)


@pytest.mark.parametrize("clip", [0.05, 1e6])
def test_clipping_scales_the_update_by_min_1_c_over_norm(clip):
    lr = 0.1
    trainer = make(model_fn=lambda: nn.Linear(3, 1).double(), opt=torch.optim.SGD, lr=lr, clip=clip)
    before = copy.deepcopy(trainer.model)
    x, y = (t.double() for t in linear_batch(0))
    trainer.fit(lambda s: (x, y), 1)
    mse(before, (x, y)).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in before.parameters()))
    assert (norm > clip) == (clip < 1), "the small clip should bind, the large one not"
    # g <- g * min(1, c / ||g||);  p <- p - lr * g
    scale = min(1.0, clip / norm)
    for (name, p0), p1 in zip(before.named_parameters(), trainer.model.parameters()):
        expected = -lr * scale * p0.grad
        torch.testing.assert_close(p1.detach() - p0.detach(), expected, rtol=1e-6, atol=1e-12, msg=name)
    assert trainer.history.grad_norm[0] == pytest.approx(norm, rel=1e-9)


# --------------------------------------------------------------------------- interrupt and resume

class Interrupter:
    """Raises KeyboardInterrupt once, the first time update index `at` reaches the given place."""

    def __init__(self, at, where):
        self.at, self.where, self.fired = at, where, False

    def maybe(self, s, where):
        if s == self.at and where == self.where and not self.fired:
            self.fired = True
            raise KeyboardInterrupt


def _interruptible(at, where, stateful):
    """A trainer whose batch function, loss or optimizer step is interrupted once at update index `at`."""
    interrupter = Interrupter(at, where)
    current = {"s": 0}

    def batches(s):
        current["s"] = s
        interrupter.maybe(s, "batch")
        return seq_batch(s)

    def loss_fn(model, batch, *state):
        out = (stateful_loss if stateful else seq_loss)(model, batch, *state)
        interrupter.maybe(current["s"], "after forward")  # dropout has drawn its random numbers by now
        return out

    class SignalledAdam(torch.optim.Adam):
        def step(self, closure=None):
            if current["s"] == at and where == "optimizer step" and not interrupter.fired:
                interrupter.fired = True
                os.kill(os.getpid(), signal.SIGINT)  # Kernel > Interrupt arrives in the middle of the update
            return super().step(closure)

    opt = SignalledAdam if where == "optimizer step" else torch.optim.Adam
    trainer = make(model_fn=lambda: Recurrent(stateful), loss_fn=loss_fn, opt=opt, lr=0.01, stateful=stateful,
                   reset_state_every=4 if stateful else None, eval_fn=lambda m: {"w": m.head.weight.sum()},
                   eval_every=5)
    return trainer, batches


def _reference(steps, stateful):
    trainer = make(model_fn=lambda: Recurrent(stateful), loss_fn=stateful_loss if stateful else seq_loss, lr=0.01,
                   stateful=stateful, reset_state_every=4 if stateful else None,
                   eval_fn=lambda m: {"w": m.head.weight.sum()}, eval_every=5)
    torch.manual_seed(123)
    trainer.fit(seq_batch, steps)
    return trainer


@pytest.fixture
def sigint_raises():
    """Python's own SIGINT handler, as in a kernel or a terminal: a background job may start with SIGINT ignored."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "stateful"])
@pytest.mark.parametrize("where", ["batch", "after forward", "optimizer step"])
def test_interrupted_then_resumed_equals_uninterrupted(where, stateful, capsys, sigint_raises):
    # Interrupted while making update index k (0-based), the update is dropped and k updates remain,
    # except during the optimizer step: that interrupt waits until the update is applied, so k + 1 remain.
    k, total = 6, 13
    kept = k + 1 if where == "optimizer step" else k
    trainer, batches = _interruptible(k, where, stateful)
    trainer.progress = True
    torch.manual_seed(123)
    history = trainer.fit(batches, total)
    rng = torch.get_rng_state()
    assert history.stopped == "interrupted" and len(history) == kept == trainer.step
    out = capsys.readouterr().out
    assert f"Interrupted after {kept} updates ({kept} of the {total} asked for)" in out
    assert f"({total - kept} more finish this run)" in out and out.count("\n") == 1
    at_k = _reference(kept, stateful)
    assert_same_weights(trainer.model, at_k.model)
    assert history.loss == at_k.history.loss and history.grad_norm == at_k.history.grad_norm
    assert torch.equal(rng, torch.get_rng_state()), "a dropped update should leave the random numbers as they were"
    if stateful:
        assert all(torch.equal(a, b) for a, b in zip(trainer.state, at_k.state))

    trainer.progress = False
    torch.set_rng_state(rng)  # as if the reference runs had not drawn any
    trainer.fit(batches, total - kept)
    whole = _reference(total, stateful)
    assert_same_weights(trainer.model, whole.model)
    assert history.loss == whole.history.loss and history.grad_norm == whole.history.grad_norm
    assert history.examples == whole.history.examples and history.step == whole.history.step
    assert history.eval_step == whole.history.eval_step == [0, 5, 10, 13]
    assert history.eval_metrics == whole.history.eval_metrics
    assert history.stopped is None and trainer.optimizer.state_dict()["state"][0]["step"] == total


def test_an_interrupted_evaluation_is_done_again_when_training_resumes():
    calls = {"n": 0}

    def eval_fn(model):
        calls["n"] += 1
        if calls["n"] == 2:  # the evaluation after update 4
            raise KeyboardInterrupt
        return {"w": model.weight.sum()}

    trainer = make(eval_fn=eval_fn, eval_every=4)
    trainer.fit(linear_batch, 10)
    assert trainer.step == 4 and trainer.history.eval_step == [0] and trainer.history.stopped == "interrupted"
    trainer.fit(linear_batch, 6)
    assert trainer.history.eval_step == [0, 4, 8, 10]


def test_a_pending_batch_of_an_iterable_is_not_lost_when_interrupted():
    class Stream:
        """A re-iterable like a DataLoader: each pass gives batches 0..4; interrupts once after giving batch 2."""

        fired = False

        def __iter__(self):
            for s in range(5):
                yield linear_batch(s)

    stream = Stream()

    def loss_fn(model, batch):
        if torch.equal(batch[0], linear_batch(2)[0]) and not Stream.fired:
            Stream.fired = True
            raise KeyboardInterrupt
        return mse(model, batch)

    trainer = make(loss_fn=loss_fn)
    trainer.fit(stream, 12)
    assert trainer.step == 2
    trainer.fit(stream, 10)  # the same iterable: its pass goes on, starting with the interrupted batch
    reference = make()
    reference.fit(lambda s: linear_batch(s % 5), 12)
    assert trainer.history.loss == reference.history.loss
    assert_same_weights(trainer.model, reference.model)


def test_a_list_of_batches_is_used_in_turn_and_a_generator_can_run_out(capsys):
    batches = [linear_batch(s) for s in range(3)]
    a, b = make(), make()
    a.fit(batches, 7)
    b.fit(lambda s: batches[s % 3], 7)
    assert a.history.loss == b.history.loss
    c = make(progress=True)
    c.fit((linear_batch(s) for s in range(4)), 10)
    assert c.step == 4 and c.history.stopped == "out of batches"
    assert "Stopped after 4 updates (4 of the 10 asked for): batches ran out." in capsys.readouterr().out


def test_a_diverging_run_stops_at_the_non_finite_loss_and_keeps_finite_weights(capsys):
    trainer = make(opt=torch.optim.SGD, lr=10.0, progress=True)
    history = trainer.fit(linear_batch, 100)
    assert history.stopped == "non-finite" and len(history) < 100
    assert not math.isfinite(history.loss[-1]) or not math.isfinite(history.grad_norm[-1])
    assert all(math.isfinite(v) for v in history.loss[:-1]) and history.loss[-2] > 1e6 * history.loss[0]
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters()), "the bad update should not be applied"
    out = capsys.readouterr().out
    assert f"Stopped at update {len(history)}:" in out and "gradient clipping (clip=1.0)" in out


def test_a_finite_loss_with_a_non_finite_gradient_is_not_applied(capsys):
    def loss_fn(model, batch):
        # d sqrt(|w|) / dw at w = 0 is not a number, though sqrt(0) = 0 is
        return mse(model, batch) + model.weight.abs().sqrt().sum()

    trainer = make(loss_fn=loss_fn, opt=torch.optim.SGD, progress=True)
    with torch.no_grad():
        trainer.model.weight.zero_()
    history = trainer.fit(linear_batch, 5)
    assert history.stopped == "non-finite" and len(history) == 1
    assert math.isfinite(history.loss[0]) and math.isnan(history.grad_norm[0])
    assert torch.equal(trainer.model.weight, torch.zeros(1, 3)), "the update with NaN gradients should not be applied"
    assert "Stopped at update 1: the gradient norm is nan" in capsys.readouterr().out


# --------------------------------------------------------------------------- stateful training

def test_stateful_training_equals_a_hand_written_truncated_bptt_loop():
    reset_every, steps = 3, 8
    trainer = make(model_fn=lambda: Recurrent(stateful=True), loss_fn=stateful_loss, stateful=True,
                   reset_state_every=reset_every, lr=0.01)
    oracle = copy.deepcopy(trainer.model)
    opt = torch.optim.Adam(oracle.parameters(), lr=0.01)
    torch.manual_seed(5)
    trainer.fit(seq_batch, steps)
    torch.manual_seed(5)
    losses, state = [], None
    for s in range(steps):
        if s % reset_every == 0:
            state = None  # a new epoch starts from zeros
        loss, state = stateful_loss(oracle, seq_batch(s), state)
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = tuple(t.detach() for t in state)  # h = h.detach()
        losses.append(loss.item())
    assert trainer.history.loss == losses
    assert_same_weights(trainer.model, oracle)


def test_the_carried_state_is_detached_and_reset_when_asked():
    received, inputs = [], []

    def loss_fn(model, batch, state):
        received.append(state)
        x = batch[0].clone().requires_grad_(True)
        inputs.append(x)
        return stateful_loss(model, (x, batch[1]), state)

    trainer = make(model_fn=lambda: Recurrent(stateful=True), loss_fn=loss_fn, stateful=True, reset_state_every=3)
    trainer.fit(seq_batch, 2)
    first_grad = inputs[0].grad.clone()
    assert all(t.grad_fn is None and not t.requires_grad for t in trainer.state)
    trainer.fit(seq_batch, 3)
    assert torch.equal(inputs[0].grad, first_grad), "no gradient should flow back into an earlier batch"
    assert [s is None for s in received] == [True, False, False, True, False], "reset every 3 updates"
    trainer.reset_state()
    trainer.fit(seq_batch, 1)
    assert received[-1] is None


def test_detach_keeps_the_structure_of_the_state():
    h = torch.ones(2, 3, requires_grad=True) * 2
    h2, c2 = detach((h, h + 1))
    assert h2.grad_fn is None and torch.equal(h2, h) and c2[0, 0] == 3
    assert detach(None) is None and isinstance(detach([h]), list)
    with pytest.raises(LessonError, match="state should be a tensor, a tuple of tensors"):
        detach("h")


# --------------------------------------------------------------------------- devices and batches

def test_runs_on_the_cpu_when_asked():
    trainer = make(device="cpu")
    assert trainer.device == torch.device("cpu")
    trainer.fit(linear_batch, 3)
    assert all(p.device.type == "cpu" for p in trainer.model.parameters())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
def test_device_none_moves_the_model_and_batches_to_the_gpu():
    devices = []
    x_test, y_test = (t.cuda() for t in linear_batch(99, n=64))

    def loss_fn(model, batch):
        devices.append(batch[0].device.type)
        return mse(model, batch)

    trainer = make(device=None, loss_fn=loss_fn, eval_fn=lambda m: {"mse": mse(m, (x_test, y_test))})
    assert trainer.device.type == "cuda"
    history = trainer.fit(linear_batch, 5)
    assert devices == ["cuda"] * 5 and len(history.eval_step) == 2
    assert all(p.device.type == "cuda" for p in trainer.model.parameters())


def test_to_device_moves_tensors_in_nested_batches_and_leaves_the_rest():
    x = torch.zeros(2, 4, 3)
    packed = pack_padded_sequence(x, [4, 2], batch_first=True)
    batch = {"x": (x, [4, 2]), "packed": packed, "n": 3}
    moved = to_device(batch, torch.device("cpu"))
    assert moved["x"][0] is x and moved["x"][1] == [4, 2] and moved["n"] == 3
    assert isinstance(moved["packed"], type(packed)) and isinstance(moved["x"], tuple)
    assert count_examples(batch) == 2 and count_examples((packed, x)) == 2
    with pytest.raises(LessonError, match=r"batch\[0\] is a NumPy array.*torch.from_numpy"):
        to_device((np.zeros(3), x), "cpu")


class Classifier(nn.Module):
    """An LSTM over packed variable-length sequences, classifying each by its last state."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 5, batch_first=True)
        self.head = nn.Linear(5, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)  # h: (1, B, H), each sequence's state at its own last step
        return self.head(h[-1])  # (B, 2)


def test_variable_length_batches_train_with_lengths_as_a_list():
    def batch(step):
        g = torch.Generator().manual_seed(step)
        lengths = [int(n) for n in torch.randint(1, 7, (5,), generator=g)]
        x = torch.zeros(5, 6, 1)  # (B, T, 1), padded with zeros after each length
        for b, n in enumerate(lengths):
            x[b, :n] = torch.randn(n, 1, generator=g)
        return x, lengths, (x.sum(dim=(1, 2)) > 0).long()

    def loss_fn(model, batch):
        x, lengths, y = batch
        return nn.functional.cross_entropy(model(x, lengths), y)

    trainer = make(model_fn=Classifier, loss_fn=loss_fn, lr=0.05)
    history = trainer.fit(batch, 30)
    assert history.examples[-1] == 30 * 5
    assert np.mean(history.loss[-5:]) < np.mean(history.loss[:5])


def test_count_parameters_counts_what_training_can_change():
    lstm = nn.LSTM(3, 5)
    # 4 gates of H rows: W_ih (4H, I), W_hh (4H, H), b_ih and b_hh (4H,)
    assert count_parameters(lstm) == 4 * 5 * (3 + 5) + 2 * 4 * 5
    lstm.bias_hh_l0.requires_grad_(False)
    assert count_parameters(lstm) == 4 * 5 * (3 + 5) + 4 * 5


# --------------------------------------------------------------------------- the progress bar

def test_the_progress_bar_writes_text_to_stderr_and_nothing_when_off(capsys):
    trainer = make(progress=True, eval_fn=lambda m: {"mse": 0.5})
    trainer.fit(linear_batch, 5)
    out, err = capsys.readouterr()
    assert out == "" and "5/5" in err and "loss=" in err and "mse=0.5" in err and "update/s" in err

    def interrupted_at_2(s):
        if s == 2:
            raise KeyboardInterrupt
        return linear_batch(s)

    quiet = make(progress=False)
    quiet.fit(interrupted_at_2, 5)
    assert quiet.step == 2 and capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- bad input

def _other_model_optimizer():
    model, other = nn.Linear(3, 1), nn.Linear(3, 1)
    return Trainer(model, torch.optim.SGD(other.parameters(), lr=0.1), mse, progress=False)


def _fit(loss_fn=mse, batches=linear_batch, steps=3, **kwargs):
    return make(loss_fn=loss_fn, **kwargs).fit(batches, steps)


@pytest.mark.parametrize("call,pattern", [
    (lambda: _fit(steps=0), r"steps should be a whole number >= 1; got 0"),
    (lambda: _fit(loss_fn=lambda m, b: (m(b[0]) - b[1]) ** 2),
     r"loss_fn should return one number.*shape \(8, 1\).*\.mean\(\)"),
    (lambda: _fit(loss_fn=lambda m, b: mse(m, b).item()),
     r"loss_fn should return the loss as a torch tensor.*\.item\(\)"),
    (lambda: _fit(loss_fn=lambda m, b: mse(m, b).detach()), r"does not depend on the model's parameters"),
    (lambda: _fit(loss_fn=lambda m, b: (mse(m, b), None)), r"loss alone; got a tuple.*stateful=True"),
    (lambda: _fit(loss_fn=lambda m, b, s: mse(m, b), stateful=True), r"return \(loss, state\) when stateful=True"),
    (_other_model_optimizer, r"optimizer should update the model's parameters; 2 of its 2 are not the model's"),
    (lambda: Trainer("model", None, mse), r"model should be a torch.nn.Module; got str"),
    (lambda: Trainer(nn.Linear(1, 1), "sgd", mse), r"optimizer should be a torch.optim optimizer"),
    (lambda: make(clip=-1.0), r"clip should be a number > 0 \(the largest gradient norm allowed\) or None; got -1.0"),
    (lambda: make(clip=0), r"clip should be a number > 0"),
    (lambda: make(clip="1"), r"clip should be a number; got str"),
    (lambda: make(loss_fn=None), r"loss_fn should be a function loss_fn\(model, batch\) -> loss; got NoneType"),
    (lambda: make(eval_fn="mse"), r"eval_fn should be a function eval_fn\(model\)"),
    (lambda: make(progress=1), r"progress should be True or False; got 1"),
    (lambda: make(eval_every=10), r"eval_every needs eval_fn"),
    (lambda: make(reset_state_every=10), r"reset_state_every needs stateful=True"),
    (lambda: make(device="tpu"), r"device should be 'cpu', 'cuda' or None"),
    (lambda: _fit(batches=linear_batch(0)), r"got a tuple of 2 tensors, which looks like one batch.*lambda step"),
    (lambda: _fit(batches=torch.zeros(3)), r"batches should be a function step -> batch.*got a Tensor"),
    (lambda: _fit(batches=5), r"batches should be a function.*got int 5"),
    (lambda: _fit(batches=[]), r"batches is an empty list"),
    (lambda: _fit(batches=lambda s: (np.zeros((8, 3)), np.zeros((8, 1)))), r"batch\[0\] is a NumPy array"),
    (lambda: _fit(eval_fn=lambda m: 0.5), r"eval_fn should return a dict of metric names to numbers"),
    (lambda: _fit(eval_fn=lambda m: {"mse": "low"}), r"eval_fn's metric 'mse' should be a number; got str"),
    (lambda: make().evaluate(), r"evaluate needs eval_fn"),
])
def test_bad_input_is_explained(call, pattern):
    with pytest.raises(LessonError, match=pattern):
        call()


@pytest.mark.skipif(torch.cuda.is_available(), reason="there is a GPU here, so asking for one is no mistake")
def test_asking_for_cuda_without_a_gpu_is_explained():
    with pytest.raises(LessonError, match=r"device is 'cuda' but torch sees no GPU here.*device=None"):
        make(device="cuda")


def test_a_bad_loss_fn_leaves_the_trainer_as_it_was():
    trainer = make(loss_fn=lambda m, b: m(b[0]))
    before = copy.deepcopy(trainer.model)
    with pytest.raises(LessonError):
        trainer.fit(linear_batch, 3)
    assert trainer.step == 0 and len(trainer.history) == 0
    assert_same_weights(trainer.model, before)
