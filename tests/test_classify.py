"""lstm_lessons.classify (notebook 10): the ends task, padding, final states, masks and the classifier, against oracles.

The oracles: the task's definition counted by brute force, torch's pad_sequence, and nn.LSTM run on
each sequence alone, without padding, for what packing must give.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from lstm_lessons import classify as C
from lstm_lessons._validate import LessonError
from lstm_lessons.train import Trainer, count_parameters, count_examples


# --------------------------------------------------------------------------- the task

def test_ends_task_pads_after_each_end_and_labels_which_end_is_larger():
    K, n = 6, 500
    task = C.ends_task(n, 3, 12, tokens=K, seed=1)
    assert task.x.shape == (n, 12) and task.x.dtype == np.int64 and task.lengths.shape == task.y.shape == (n,)
    assert task.lengths.min() == 3 and task.lengths.max() == 12, "lengths cover min_length..max_length"
    steps = np.arange(12)[None, :]
    real = steps < task.lengths[:, None]
    assert np.all(task.x[~real] == C.PAD), "PAD after each end"
    assert np.all((task.x[real] >= 1) & (task.x[real] <= K)), "real tokens are 1..K, never PAD"
    rows = np.arange(n)
    first, last = task.x[:, 0], task.x[rows, task.lengths - 1]
    assert np.all(first != last), "the two ends always differ"
    assert np.array_equal(task.y, (last > first).astype(np.int64)), "label 1 exactly where the last token is larger"
    assert task.y.sum() == n // 2, "balanced labels"
    assert [len(s) for s in task.sequences()] == task.lengths.tolist()


def test_every_ordered_pair_of_ends_is_about_equally_likely():
    K = 4
    task = C.ends_task(24_000, 2, 5, tokens=K, seed=2)
    rows = np.arange(len(task.y))
    pairs = np.stack([task.x[:, 0], task.x[rows, task.lengths - 1]], 1)
    counts = {p: np.mean((pairs == p).all(1)) for p in itertools.permutations(range(1, K + 1), 2)}
    assert len(counts) == K * (K - 1)
    assert np.allclose(list(counts.values()), 1 / (K * (K - 1)), atol=0.01)


def test_ends_task_is_reproducible_and_validates():
    a, b = C.ends_task(5, seed=3), C.ends_task(5, seed=3)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    with pytest.raises(LessonError, match="max_length should be at least min_length = 9.*swap"):
        C.ends_task(5, 9, 4)
    with pytest.raises(LessonError, match="min_length should be a whole number >= 2"):
        C.ends_task(5, 1, 4)
    with pytest.raises(LessonError, match="tokens should be a whole number >= 2"):
        C.ends_task(5, tokens=1)


@pytest.mark.parametrize("K", [2, 3, 9])
def test_one_end_accuracy_is_the_bayes_rule_counted_by_brute_force(K):
    correct = 0
    pairs = list(itertools.permutations(range(1, K + 1), 2))  # (first, last), every ordered pair of different tokens
    for last in range(1, K + 1):
        labels = [int(b > a) for a, b in pairs if b == last]
        correct += max(labels.count(0), labels.count(1))  # the best answer seeing only `last`
    assert C.one_end_accuracy(K) == pytest.approx(correct / len(pairs))


def test_one_end_accuracy_matches_the_best_guess_from_the_last_token_on_data():
    task = C.ends_task(40_000, 2, 6, tokens=9, seed=4)
    last = task.x[np.arange(len(task.y)), task.lengths - 1]
    best = sum(max(np.sum(task.y[last == v]), np.sum(1 - task.y[last == v])) for v in range(1, 10)) / len(task.y)
    assert best == pytest.approx(C.one_end_accuracy(9), abs=0.01)
    assert C.one_end_accuracy(2) == 1.0, "with two tokens one end gives the other away"


def test_majority_accuracy():
    assert C.majority_accuracy([0, 1, 1], [1, 1, 0, 0]) == 0.5
    assert C.majority_accuracy([0, 0, 1], [0, 0, 0, 1]) == 0.75
    with pytest.raises(LessonError, match="non-empty 1-D arrays"):
        C.majority_accuracy([], [1])


# --------------------------------------------------------------------------- padding

def test_pad_matches_torch_pad_sequence():
    seqs = [np.array([3, 1, 2]), np.array([5]), np.array([4, 4, 4, 4, 4])]
    x, lengths = C.pad(seqs)
    oracle = pad_sequence([torch.tensor(s) for s in seqs], batch_first=True, padding_value=C.PAD)
    assert np.array_equal(x, oracle.numpy()) and lengths.tolist() == [3, 1, 5]


def test_pad_explains_bad_input():
    with pytest.raises(LessonError, match="holds the padding id 0 at step 1"):
        C.pad([np.array([3, 0, 2])])
    with pytest.raises(LessonError, match="padded already.*list"):
        C.pad(np.ones((2, 3), dtype=int))
    with pytest.raises(LessonError, match="is empty"):
        C.pad([])
    with pytest.raises(LessonError, match=r"sequences\[1\] should be a non-empty 1-D array"):
        C.pad([np.array([1]), np.array([], dtype=int)])


# --------------------------------------------------------------------------- final states and masks

def _alone(lstm, e, lengths):
    """nn.LSTM run on each sequence alone, unpadded: (forward state at its end, backward state at its start)."""
    H = lstm.hidden_size
    fwd, bwd = [], []
    for b, n in enumerate(lengths):
        out, _ = lstm(e[b:b + 1, :n])  # (1, n, D * H)
        fwd.append(out[0, n - 1, :H])
        bwd.append(out[0, 0, H:])
    return torch.stack(fwd), (torch.stack(bwd) if lstm.bidirectional else None)


@pytest.mark.parametrize("num_layers,bidirectional", [(1, True), (2, True), (3, True), (2, False)])
def test_final_states_are_each_directions_state_at_its_own_end(num_layers, bidirectional):
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=num_layers, bidirectional=bidirectional, batch_first=True, dtype=torch.float64)
    lengths = [5, 2, 7, 1]
    e = torch.randn(4, 7, 3, dtype=torch.float64)
    packed = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(packed)
    got = C.final_states(h_n, num_layers, bidirectional)
    fwd, bwd = _alone(lstm, e, lengths)
    expected = torch.cat([fwd, bwd], -1) if bidirectional else fwd
    assert got.shape == (4, (2 if bidirectional else 1) * 4)
    assert torch.allclose(got, expected, atol=1e-12)


def test_final_states_explains_a_wrong_layout():
    with pytest.raises(LessonError, match=r"\(4, B, H\); got \(2, 3, 5\)"):
        C.final_states(torch.zeros(2, 3, 5), 2, True)
    with pytest.raises(LessonError, match=r"got \(3, 7, 10\)"):
        C.final_states(torch.zeros(3, 7, 10), 2, True)  # output (B, T, 2H) passed by mistake


def test_length_mask_and_masked_pooling_match_each_sequence_alone():
    lengths = [3, 1, 5]
    out = torch.randn(3, 5, 4) - 3.0  # mostly negative, so a padding of 0 would win a maximum
    mask = C.length_mask(lengths, 5)
    assert mask.tolist()[1] == [True, False, False, False, False] and mask.sum().item() == 9
    mean, top = C.masked_mean(out, lengths), C.masked_max(out, lengths)
    for b, n in enumerate(lengths):
        assert torch.allclose(mean[b], out[b, :n].mean(0)) and torch.equal(top[b], out[b, :n].max(0).values)
    assert C.masked_mean(out, torch.tensor(lengths)).shape == (3, 4), "lengths as a tensor work too"


def test_masked_pooling_explains_bad_input():
    with pytest.raises(LessonError, match="one length per sequence, B = 2; got 3"):
        C.masked_mean(torch.zeros(2, 4, 3), [1, 2, 3])
    with pytest.raises(LessonError, match="longer than the 4 steps"):
        C.masked_max(torch.zeros(2, 4, 3), [1, 6])
    with pytest.raises(LessonError, match="at least 1; got 0"):
        C.masked_mean(torch.zeros(2, 4, 3), [0, 2])
    with pytest.raises(LessonError, match=r"\(B, T, F\) tensor"):
        C.masked_mean(torch.zeros(4, 3), [1, 2, 3, 4])


# --------------------------------------------------------------------------- the classifier

def _task_batch(n=6, seed=0, min_length=2, max_length=9):
    return C.as_batch(C.ends_task(n, min_length, max_length, seed=seed))


@pytest.mark.parametrize("bidirectional", [True, False])
def test_the_classifier_reads_each_sequence_as_if_alone(bidirectional):
    model = C.make_model(bidirectional, 5, seed=1).double().eval()
    x, lengths, _ = _task_batch()
    e = model.embedding(x)  # (B, T, E)
    fwd, bwd = _alone(model.lstm, e, lengths)
    features = torch.cat([fwd, bwd], -1) if bidirectional else fwd
    assert torch.allclose(model.features(x, lengths), features, atol=1e-12)
    assert torch.allclose(model(x, lengths), model.head(features), atol=1e-12), "eval mode: no dropout before the head"


def test_without_packing_only_the_full_length_sequences_keep_their_final_state():
    model = C.make_model(True, 5, seed=2).eval()
    x, lengths, _ = _task_batch(8, seed=3)
    packed, padded = model.features(x, lengths), model.features(x, lengths, pack=False)
    gap = (packed - padded).abs().amax(1)
    full = torch.tensor(lengths) == x.shape[1]
    assert full.any() and (~full).any()
    assert gap[full].max() < 1e-5 and gap[~full].min() > 1e-4
    unpacked_model = C.make_model(True, 5, seed=2, pack=False).eval()
    assert torch.equal(unpacked_model.features(x, lengths), padded), "pack=False at construction sets the default"


def test_padding_embeds_to_zero_and_gets_no_gradient():
    model = C.make_model(True, 4, seed=0)
    assert torch.equal(model.embedding.weight[C.PAD], torch.zeros(16))
    x, lengths, y = _task_batch(4, seed=1)
    C.loss_fn(model, (x, lengths, y)).backward()
    grad = model.embedding.weight.grad
    assert torch.equal(grad[C.PAD], torch.zeros(16)) and grad[1:].abs().sum() > 0


def test_dropout_acts_on_the_final_state_in_training_mode_only():
    model = C.make_model(True, 8, seed=0, dropout=0.5)
    x, lengths, _ = _task_batch(5, seed=2)
    model.train()
    assert not torch.equal(model(x, lengths), model(x, lengths)), "a new mask every call in training mode"
    model.eval()
    assert torch.equal(model(x, lengths), model(x, lengths))
    assert model.lstm.dropout == 0.5 and model.dropout.p == 0.5
    one = C.make_model(True, 8, seed=0, num_layers=1)
    assert one.lstm.dropout == 0.0, "no dropout between layers when there is one layer (nn.LSTM would warn)"


def test_the_classifier_explains_bad_input():
    model = C.make_model(True, 4)
    x, lengths, _ = _task_batch(3)
    with pytest.raises(LessonError, match="token ids.*torch.long"):
        model(x.float(), lengths)
    with pytest.raises(LessonError, match="one length per sequence, B = 3; got 2"):
        model(x, lengths[:2])
    with pytest.raises(LessonError, match=r"a length \(99\) is longer"):
        model(x, [99] + lengths[1:])
    with pytest.raises(LessonError, match="pack should be True or False"):
        C.Classifier(10, pack="yes")


def test_matching_hidden_size_gives_the_nearest_parameter_count():
    H = C.matching_hidden_size(32)
    target = count_parameters(C.make_model(True, 32))

    def gap(h):
        return abs(count_parameters(C.make_model(False, h)) - target)

    assert gap(H) <= gap(H - 1) and gap(H) <= gap(H + 1) and gap(H) < 0.01 * target
    assert C.matching_hidden_size(H, bidirectional_from=False) in (31, 32, 33)


# --------------------------------------------------------------------------- batches, loss, evaluation

def test_make_batches_gives_the_same_data_for_the_same_seed_and_step():
    a, b, c = C.make_batches(8, seed=1), C.make_batches(8, seed=1), C.make_batches(8, seed=2)
    (x1, l1, y1), (x2, l2, y2) = a(3), b(3)
    assert torch.equal(x1, x2) and l1 == l2 and torch.equal(y1, y2)
    assert not torch.equal(a(4)[0][:, :2], x1[:, :2]) or a(4)[1] != l1
    assert not (c(3)[1] == l1 and torch.equal(c(3)[0], x1))
    assert isinstance(l1, list) and x1.shape == (8, max(l1)) and count_examples(a(0)) == 8


def test_evaluator_and_accuracy_agree_and_leave_the_mode_alone():
    model = C.make_model(True, 4, seed=0)
    x, lengths, y = _task_batch(50, seed=5)
    model.train()
    ok = C.accuracy(model, x, lengths, y)
    assert model.training and ok.shape == (50,) and ok.dtype == torch.bool
    model.eval()
    with torch.no_grad():
        metrics = C.evaluator(x, lengths, y)(model)
        assert metrics["accuracy"].item() == pytest.approx(ok.float().mean().item())
        assert metrics["loss"].item() == pytest.approx(nn.functional.cross_entropy(model(x, lengths), y).item())


def test_a_short_run_with_the_trainer_learns_the_short_task():
    """Lengths 2-6 and a bidirectional model: the two ends are a step or two from each final state."""
    torch.set_num_threads(1)
    model = C.make_model(True, 16, seed=0)
    test = _task_batch(300, seed=7, min_length=2, max_length=6)
    trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=0.01), C.loss_fn, eval_fn=C.evaluator(*test),
                      progress=False)
    history = trainer.fit(C.make_batches(32, 2, 6, seed=0), 60)
    assert history.eval_metrics["accuracy"][0] < 0.7 and history.last("accuracy") > 0.9
