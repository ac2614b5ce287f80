"""Notebook 04's hand-set memories (lstm_lessons.handset): each gate does the job it was set for.

The oracle for the forward pass is torch.nn.LSTM with the same weights copied in; the claims
about the memories are checked on random sequences with random STORE and RECALL steps.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, handset, modules

TOL = 0.01  # how close a recalled value must be to what the hand-set gates promise


def random_tasks(n=6, seed=0, stores=1):
    """Tasks with STORE and RECALL at random steps, 32 random sequences each."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        T = int(rng.integers(8, 25))
        recall = int(rng.integers(stores + 1, T))
        store = tuple(sorted(rng.choice(recall, size=stores, replace=False).tolist()))
        yield handset.memory_task(T, store if stores > 1 else store[0], recall, batch=32, seed=rng)


def test_run_without_overrides_matches_nn_lstm():
    for w in (handset.memory_weights(), handset.write_once_weights(), cells.init_weights("lstm", 2, 3, seed=1)):
        task = handset.memory_task(15, (2, 6), 11, batch=4, seed=3)
        ours = handset.run(task.xs, w)
        lstm = modules.load_weights(torch.nn.LSTM(2, w.hidden_size, batch_first=True).double(), w)
        out, (h_n, c_n) = lstm(torch.from_numpy(task.xs))
        np.testing.assert_allclose(ours.h, out.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(ours.c[:, -1], c_n[0].detach().numpy(), atol=1e-12)
        ref = cells.lstm_forward(task.xs, w)
        for k in ("i", "f", "g", "o"):
            np.testing.assert_allclose(getattr(ours, k), getattr(ref, k), atol=1e-12)


def test_the_memory_stores_holds_and_recalls_on_random_sequences():
    w = handset.memory_weights()
    for task in random_tasks():
        tr = handset.run(task.xs, w)
        s, r = task.store_at[0], task.recall_at
        stored = np.tanh(task.first)  # c = i * g = tanh(value) when i is open and f shut
        # held from the STORE step on, through every distractor
        assert np.abs(tr.c[:, s:, 0] - stored[:, None]).max() < TOL
        # shown on RECALL, hidden (h near 0) everywhere else
        assert np.abs(tr.h[:, r, 0] - handset.recalled(task.first)).max() < TOL
        assert np.abs(np.delete(tr.h[:, :, 0], r, axis=1)).max() < TOL


def test_each_gate_does_its_job():
    w = handset.memory_weights()
    task = handset.memory_task(12, 3, 9, batch=16, seed=2)
    tr = handset.run(task.xs, w)
    flag = task.xs[:, :, 1]
    store, recall, rest = flag == handset.STORE, flag == handset.RECALL, flag == 0
    assert tr.i[store].min() > 0.999 and tr.i[~store].max() < 1e-3, "i opens only to store"
    assert tr.f[store].max() < 1e-3 and tr.f[~store].min() > 0.999, "f shuts only to make room"
    assert tr.o[recall].min() > 0.999 and tr.o[~recall].max() < 1e-3, "o opens only to recall"
    np.testing.assert_allclose(tr.g[:, :, 0], np.tanh(task.xs[:, :, 0]), atol=1e-12)  # g proposes every value
    assert rest.any()


def test_forcing_f_to_zero_mid_sequence_destroys_the_memory():
    w = handset.memory_weights()
    for task in random_tasks(seed=1):
        s, r = task.store_at[0], task.recall_at
        if r - s < 2:
            continue
        for t in range(s + 1, r):
            f = np.full(task.xs.shape[1], np.nan)
            f[t] = 0.0
            tr = handset.run(task.xs, w, {"f": f})
            assert np.abs(tr.c[:, t:r, 0]).max() < TOL
            assert np.abs(tr.h[:, r, 0]).max() < TOL, "nothing is left to recall"
            # before the forced step nothing changed
            np.testing.assert_allclose(tr.c[:, :t], handset.run(task.xs, w).c[:, :t])


def test_forcing_i_to_one_writes_the_distractors():
    w = handset.memory_weights()
    for task in random_tasks(seed=2):
        tr = handset.run(task.xs, w, {"i": 1.0})
        s, r = task.store_at[0], task.recall_at
        # every held step adds its proposal tanh(value) to the memory
        added = tr.c[:, s + 1:r + 1, 0] - tr.c[:, s:r, 0]
        np.testing.assert_allclose(added, np.tanh(task.xs[:, s + 1:r + 1, 0]), atol=1e-3)
        expected = np.tanh(task.first) + np.tanh(task.xs[:, s + 1:r + 1, 0]).sum(axis=1)
        np.testing.assert_allclose(tr.c[:, r, 0], expected, atol=TOL)


def test_forcing_o_to_one_shows_the_memory_at_every_step():
    w = handset.memory_weights()
    task = handset.memory_task(10, 2, 7, batch=8, seed=4)
    tr = handset.run(task.xs, w, {"o": 1.0})
    np.testing.assert_allclose(tr.h, np.tanh(tr.c))
    np.testing.assert_allclose(tr.c, handset.run(task.xs, w).c)  # reading does not change what is stored


def test_forcing_g_at_the_store_step_stores_that_proposal():
    w = handset.memory_weights()
    task = handset.memory_task(10, 2, 7, batch=8, seed=5)
    g = np.full(10, np.nan)
    g[2] = -0.3
    tr = handset.run(task.xs, w, {"g": g})
    np.testing.assert_allclose(tr.h[:, 7, 0], np.tanh(-0.3), atol=TOL)


def test_forcing_a_gate_to_its_own_values_changes_nothing():
    w = cells.init_weights("lstm", 2, 3, seed=7)
    task = handset.memory_task(9, 1, 5, batch=3, seed=6)
    own = handset.run(task.xs, w)
    again = handset.run(task.xs, w, {k: getattr(own, k) for k in ("i", "f", "g", "o")})
    np.testing.assert_allclose(again.h, own.h, atol=1e-14)
    nan = handset.run(task.xs, w, {"f": np.full(9, np.nan), "o": None})
    np.testing.assert_array_equal(nan.h, own.h)


def test_write_once_keeps_the_first_value_only_because_the_gates_read_h():
    for task in random_tasks(seed=3, stores=2):
        with_read = handset.run(task.xs, handset.write_once_weights()).h[:, task.recall_at, 0]
        without = handset.run(task.xs, handset.write_once_weights(read=False)).h[:, task.recall_at, 0]
        assert np.abs(with_read - handset.recalled(task.first)).max() < TOL
        assert np.abs(without - handset.recalled(task.last)).max() < TOL


def test_write_once_keeps_the_first_of_three_flagged_values():
    for task in random_tasks(seed=4, stores=3):
        h = handset.run(task.xs, handset.write_once_weights()).h[:, task.recall_at, 0]
        assert np.abs(h - handset.recalled(task.first)).max() < TOL


def test_write_once_is_blind_when_the_flag_units_read_gate_is_shut():
    task = handset.memory_task(10, (1, 5), 8, batch=16, seed=8)
    w = handset.write_once_weights()
    o = np.full((16, 10, 2), np.nan)
    o[:, :, 1] = 0.0  # unit 1 keeps "full" in its cell but shows nothing in h
    tr = handset.run(task.xs, w, {"o": o})
    assert tr.c[:, 2:, 1].min() > 1 - TOL, "unit 1 still stores that a value was written"
    assert np.abs(tr.h[:, 8, 0] - handset.recalled(task.last)).max() < TOL, "but the input gate cannot see it"


def test_memory_task_layout():
    task = handset.memory_task(12, (2, 5), 9, batch=5, seed=0)
    assert task.xs.shape == (5, 12, 2)
    assert set(np.unique(task.xs[:, :, 1])) == {0.0, handset.STORE, handset.RECALL}
    np.testing.assert_array_equal(task.xs[:, [2, 5], 0], task.stored)
    assert np.all(np.abs(task.stored) >= 0.4) and np.all(np.abs(task.xs[:, :, 0]) <= 1)
    np.testing.assert_array_equal(task.first, task.stored[:, 0])
    np.testing.assert_array_equal(task.last, task.stored[:, 1])
    a, b = handset.memory_task(seed=3), handset.memory_task(seed=3)
    np.testing.assert_array_equal(a.xs, b.xs)


def test_bad_input_is_explained():
    w = handset.memory_weights()
    xs = handset.memory_task(seed=0).xs
    with pytest.raises(LessonError, match="the LSTM's gates are 'i', 'f', 'g' and 'o'"):
        handset.run(xs, w, {"c": 0.0})
    with pytest.raises(LessonError, match=r"should lie in \[0.0, 1.0\]"):
        handset.run(xs, w, {"f": 1.5})
    with pytest.raises(LessonError, match=r"should lie in \[-1.0, 1.0\]"):
        handset.run(xs, w, {"g": -2.0})
    with pytest.raises(LessonError, match="one per step"):
        handset.run(xs, w, {"i": np.zeros(5)})
    with pytest.raises(LessonError, match="should be a dict"):
        handset.run(xs, w, [0.0])
    with pytest.raises(LessonError, match="LSTM Weights"):
        handset.run(xs, cells.init_weights("gru", 2, 1, seed=0))
    with pytest.raises(LessonError, match="input size"):
        handset.run(np.zeros((1, 5, 3)), w)
    with pytest.raises(LessonError, match="come before recall_at"):
        handset.memory_task(10, 6, 4)
    with pytest.raises(LessonError, match="below T"):
        handset.memory_task(10, 2, 10)
    with pytest.raises(LessonError, match="gain"):
        handset.memory_weights(gain=0.1)
