"""lstm_lessons.long_tasks (notebook 08): the recall task, the models against NumPy oracles, the forget bias, one run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from lstm_lessons import cells, long_tasks as lt, tasks
from lstm_lessons._validate import LessonError
from lstm_lessons.modules import weights_from_torch


# --------------------------------------------------------------------------- the recall task

@pytest.mark.parametrize("min_lag", [0, 6])
def test_marked_recall_marks_one_step_and_asks_for_its_symbol(min_lag):
    K, T, n = 5, 12, 600
    task = lt.marked_recall(n, T, symbols=K, min_lag=min_lag, seed=3)
    assert task.x.shape == (n, T, K + 1) and task.y.shape == (n,)
    assert np.all(task.x[..., :K].sum(-1) == 1), "every step shows exactly one symbol, one-hot"
    marks = task.x[..., K]
    assert np.all(marks.sum(1) == 1), "exactly one marked step per sequence"
    lag = T - 1 - marks.argmax(1)  # steps from the marked step to the last
    assert lag.min() == min_lag and lag.max() == T - 1, "the lag takes every value from min_lag to T - 1"
    assert np.array_equal(task.y, task.x[np.arange(n), marks.argmax(1), :K].argmax(-1)), "the target is the marked symbol"
    assert set(np.unique(task.y)) == set(range(K))
    assert task.baseline_accuracy == 1 / K and task.baseline_loss == pytest.approx(math.log(K))


def test_marked_recall_guessing_scores_the_baseline():
    task = lt.marked_recall(20_000, 6, symbols=4, seed=0)
    counts = np.bincount(task.y, minlength=4) / len(task.y)
    assert np.allclose(counts, 0.25, atol=0.02), "classes are equally likely, so a guess is right 1/K of the time"
    uniform = torch.zeros(len(task.y), 4)
    loss = nn.functional.cross_entropy(uniform, torch.as_tensor(task.y)).item()
    assert loss == pytest.approx(task.baseline_loss)


def test_marked_recall_is_reproducible_and_validates():
    a, b = lt.marked_recall(3, 8, seed=1), lt.marked_recall(3, 8, seed=1)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    with pytest.raises(LessonError, match="symbols should be"):
        lt.marked_recall(3, 8, symbols=1)
    with pytest.raises(LessonError, match="T should be"):
        lt.marked_recall(3, 1)
    with pytest.raises(LessonError, match="min_lag should be smaller than the sequence length T = 8"):
        lt.marked_recall(3, 8, min_lag=8)


def test_as_tensors_gives_float_inputs_and_float_or_class_targets():
    x, y = lt.as_tensors(tasks.adding_problem(4, 6, seed=0))
    assert x.dtype == torch.float32 and x.shape == (4, 6, 2) and y.dtype == torch.float32 and y.shape == (4, 1)
    x, y = lt.as_tensors(lt.marked_recall(4, 6, seed=0))
    assert y.dtype == torch.int64 and y.shape == (4,)
    with pytest.raises(LessonError, match="task should be a task"):
        lt.as_tensors(np.zeros(3))


# --------------------------------------------------------------------------- the models, against NumPy

@pytest.mark.parametrize("kind", lt.KINDS)
def test_the_regressor_reads_the_last_state_of_the_numpy_cell(kind):
    model = lt.make_model(kind, 3, 5, 2, seed=4).double()
    x = np.random.default_rng(0).normal(size=(4, 7, 3))  # (B, T, I)
    w = weights_from_torch(model.rnn)
    forward = {"RNN": cells.rnn_forward, "LSTM": cells.lstm_forward, "GRU": cells.gru_forward}[kind]
    h_T = forward(x, w).h[:, -1]  # (B, H)
    W, b = (p.detach().numpy() for p in (model.head.weight, model.head.bias))
    expected = h_T @ W.T + b  # (B, O)
    got = model(torch.from_numpy(x)).detach().numpy()
    assert np.allclose(got, expected, atol=1e-12)


def test_make_model_draws_the_same_weights_for_the_same_seed():
    a, b, c = (lt.make_model("LSTM", 2, 4, seed=s) for s in (1, 1, 2))
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_regressor_explains_a_time_major_input():
    with pytest.raises(LessonError, match=r"x should have shape \(B, T, I\) with input size I = 2.*batch-first"):
        lt.Regressor("GRU", 2, 3)(torch.zeros(5, 4, 3))
    with pytest.raises(LessonError, match="kind should be one of"):
        lt.Regressor("lstm", 2, 3)


def test_set_forget_bias_opens_the_forget_gate_and_touches_nothing_else():
    lstm = nn.LSTM(2, 4, num_layers=2)
    before = {n: p.detach().clone() for n, p in lstm.named_parameters()}
    lt.set_forget_bias(lstm, 1.5)
    H = 4
    for layer in range(2):
        w = weights_from_torch(lstm, layer)
        assert np.allclose(w.gate("f")["b_ih"] + w.gate("f")["b_hh"], 1.5)
        # with no input and no state, every forget gate starts at sigmoid(1.5)
        step = cells.lstm_step(np.zeros((1, w.input_size)), np.zeros((1, H)), np.zeros((1, H)), w)
        assert np.allclose(step.f, 1 / (1 + math.exp(-1.5)))
    for name, p in lstm.named_parameters():
        rows = np.r_[0:H, 2 * H:4 * H] if name.startswith("bias") else slice(None)
        assert torch.equal(p.detach()[rows], before[name][rows]), f"{name}: only the forget rows may change"


def test_forget_bias_is_only_for_the_lstm():
    assert lt.make_model("LSTM", 2, 3, forget_bias=1.0).rnn.bias_ih_l0[3:6].eq(1.0).all()
    with pytest.raises(LessonError, match="only the LSTM has a forget gate"):
        lt.make_model("GRU", 2, 3, forget_bias=1.0)
    with pytest.raises(LessonError, match="lstm should be a torch.nn.LSTM"):
        lt.set_forget_bias(nn.GRU(2, 3), 1.0)


# --------------------------------------------------------------------------- batches, losses, runs

def test_batches_are_fresh_for_every_update_and_the_same_for_every_model():
    a, b = lt.make_batches("adding", 8, 10, seed=5), lt.make_batches("adding", 8, 10, seed=5)
    assert all(torch.equal(u, v) for u, v in zip(a(3), b(3))), "the same seed and update give the same batch"
    assert not torch.equal(a(3)[0], a(4)[0]), "each update gets new sequences"
    assert not torch.equal(a(3)[0], lt.make_batches("adding", 8, 10, seed=6)(3)[0])
    x, y = lt.make_batches("recall", 8, 10, seed=5)(0)
    assert x.shape == (8, 10, 9) and y.dtype == torch.int64


def test_the_losses_and_evaluator_match_torch():
    model = lt.make_model("GRU", 2, 3, seed=0)
    x, y = lt.as_tensors(tasks.adding_problem(16, 5, seed=0))
    mse = nn.functional.mse_loss(model(x), y)
    assert torch.allclose(lt.mse_loss(model, (x, y)), mse)
    out = lt.evaluator("adding", x, y)(model)
    assert out["mse"].item() == pytest.approx(mse.item())
    errors = torch.linspace(-0.2, 0.2, len(y))[:, None]  # 16 errors: 6 of them within 0.08 of the target
    near = lt.evaluator("adding", x, y)(lambda x_: y + errors)
    assert near["within"].item() == pytest.approx(6 / 16) and near["mse"].item() == pytest.approx((errors ** 2).mean())
    clf = lt.make_model("LSTM", 9, 3, 8, seed=0)
    x, y = lt.as_tensors(lt.marked_recall(16, 5, seed=0))
    logits = clf(x)
    out = lt.evaluator("recall", x, y)(clf)
    assert out["loss"].item() == pytest.approx(nn.functional.cross_entropy(logits, y).item())
    assert out["accuracy"].item() == pytest.approx((logits.argmax(-1) == y).float().mean().item())
    assert torch.allclose(lt.recall_loss(clf, (x, y)), nn.functional.cross_entropy(logits, y))


def test_a_run_stops_at_the_first_evaluation_that_solves_the_task():
    torch.set_num_threads(1)
    r = lt.run("GRU", 4, hidden_size=8, max_updates=400, eval_every=20, eval_size=200, lr=0.02, seed=0)
    h = r.history
    assert r.solved_at is not None, "a GRU adds two numbers 4 steps apart within 400 updates"
    assert h.eval_examples[-1] == r.solved_at == 64 * len(h) and len(h) < 400
    assert r.final == h.last("mse") <= lt.ADDING_SOLVED < min(h.eval_metrics["mse"][:-1])
    again = lt.run("GRU", 4, hidden_size=8, max_updates=400, eval_every=20, eval_size=200, lr=0.02, seed=0)
    assert again.history.loss == h.loss, "the same seed gives the same run"
    summary = r.summary()
    assert summary["solved_at"] == r.solved_at and summary["eval"][-1] == round(r.final, 5)
    assert summary["hidden_size"] == 8 and summary["max_grad_norm"] == max(h.grad_norm)


def test_a_run_without_stopping_uses_its_whole_budget():
    r = lt.run("RNN", 6, task="recall", hidden_size=4, max_updates=30, eval_every=10, eval_size=50, stop=False)
    assert len(r.history) == 30 and r.history.eval_step == [0, 10, 20, 30]
    assert 0 <= r.final <= 1 and r.final == r.history.last("accuracy")
    assert r.solved_at is None, "an RNN of 4 units does not recall 8 symbols after 30 updates"


def test_the_paper_tolerance_is_the_1997_tolerance_in_our_units():
    u = np.random.default_rng(0).uniform(size=(1000, 2))
    x = 2 * u - 1  # the paper's values, uniform on [-1, 1]
    paper_target = 0.5 + x.sum(1) / 4
    assert np.allclose(paper_target, u.sum(1) / 2), "the paper's target is half of ours"
    assert lt.PAPER_TOLERANCE == 2 * 0.04


def test_goals_decide_when_a_run_is_solved():
    assert lt.solved("mse", 0.01) and not lt.solved("mse", 0.0101)
    assert lt.solved("paper", 0.999) and not lt.solved("paper", 0.998)
    assert lt.solved("accuracy", 0.995) and not lt.solved("accuracy", 0.9)
    with pytest.raises(LessonError, match="goal 'accuracy' does not fit task 'adding'"):
        lt.run("LSTM", 10, goal="accuracy")


def test_run_validates_its_arguments():
    with pytest.raises(LessonError, match="task should be one of"):
        lt.run("LSTM", 10, task="copy")
    with pytest.raises(LessonError, match="max_updates should be"):
        lt.run("LSTM", 10, max_updates=0)


def test_load_results_reads_a_given_file_and_explains_a_missing_one(tmp_path, monkeypatch):
    path = tmp_path / "long_range.json"
    path.write_text('{"runs": []}')
    assert lt.load_results(path) == {"runs": []}
    with pytest.raises(LessonError, match="python benchmarks/long_range.py"):
        lt.load_results(tmp_path / "missing.json")
    monkeypatch.chdir(tmp_path)  # from any folder it reads the copy shipped with the package, if there is one
    if lt.RESULTS.is_file():
        assert "runs" in lt.load_results()
