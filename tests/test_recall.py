"""lstm_lessons.recall, notebook 02's delayed-recall experiments, against torch and finite differences."""

import math

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, recall


def test_the_three_starts_are_what_their_names_say():
    default = recall.make_recall(8, "default", seed=0).rnn
    ortho = recall.make_recall(8, "orthogonal", seed=0).rnn
    irnn = recall.make_recall(8, "identity", seed=0).rnn
    W = ortho.weight_hh_l0.detach()
    assert torch.allclose(W @ W.T, torch.eye(8), atol=1e-5), "orthogonal: W W^T = I"
    assert torch.equal(irnn.weight_hh_l0.detach(), torch.eye(8)) and irnn.nonlinearity == "relu"
    assert not irnn.bias_ih_l0.detach().any() and not irnn.bias_hh_l0.detach().any(), "IRNN: zero biases"
    k = 1 / math.sqrt(8)
    assert default.nonlinearity == "tanh" and default.weight_hh_l0.detach().abs().max() <= k, "PyTorch's default range"


def test_radius_input_scale_and_zero_biases():
    m = recall.make_recall(32, "orthogonal", seed=1, radius=2.0, input_scale=0.01, zero_biases=True).rnn
    rho = torch.linalg.eigvals(m.weight_hh_l0.detach()).abs().max().item()
    assert abs(rho - 2.0) < 1e-5
    assert 0.005 < m.weight_ih_l0.detach().std().item() < 0.02
    assert not m.bias_ih_l0.detach().any() and not m.bias_hh_l0.detach().any()


def test_same_seed_same_model_and_different_seed_different_model():
    a, b, c = (recall.make_recall(4, "default", seed=s) for s in (3, 3, 4))
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_a_short_lag_is_learned_quickly():
    torch.set_num_threads(1)
    m = recall.make_recall(16, "default", seed=0)
    before = recall.test_mse(m, 1, 10, seed=0, n=500)
    run = recall.train_recall(m, 1, 10, steps=150, seed=0)
    after = recall.test_mse(m, 1, 10, seed=0, n=500)
    assert len(run.losses) == len(run.norms) == 150 and not run.diverged
    assert after < 0.2 * before, (before, after)


def test_the_recorded_norm_is_the_norm_before_clipping():
    m = recall.make_recall(8, "orthogonal", seed=0, radius=2.0, input_scale=0.01, zero_biases=True)
    clipped = recall.make_recall(8, "orthogonal", seed=0, radius=2.0, input_scale=0.01, zero_biases=True)
    free = recall.train_recall(m, 2, 20, steps=1, lr=0.01, optimizer="sgd", seed=0)
    capped = recall.train_recall(clipped, 2, 20, steps=1, lr=0.01, optimizer="sgd", clip=1.0, seed=0)
    assert free.norms[0] == pytest.approx(capped.norms[0]) and free.norms[0] > 1.0
    # the clipped step is shorter by exactly the clipping factor (SGD's first step is lr * g)
    start = recall.make_recall(8, "orthogonal", seed=0, radius=2.0, input_scale=0.01, zero_biases=True)
    step_free = torch.cat([(p - q).flatten() for p, q in zip(m.parameters(), start.parameters())]).norm()
    step_clip = torch.cat([(p - q).flatten() for p, q in zip(clipped.parameters(), start.parameters())]).norm()
    assert step_clip.item() == pytest.approx(0.01 * 1.0, rel=1e-4)
    assert step_free.item() == pytest.approx(0.01 * free.norms[0], rel=1e-4)


def test_input_sensitivity_matches_finite_differences():
    m = recall.make_recall(6, "default", seed=2).double()
    x = torch.tensor(recall.delayed_recall(500, 5, 0, seed=20_000).x)  # the sequences input_sensitivity uses
    sens = recall.input_sensitivity(m.float(), 5, seed=0)
    m = m.double()
    eps, fd = 1e-6, []
    for k in range(5):  # lag k is step T - 1 - k
        up, down = x.clone(), x.clone()
        up[:, 4 - k] += eps
        down[:, 4 - k] -= eps
        with torch.no_grad():
            fd.append(((m(up) - m(down)) / (2 * eps)).abs().mean().item())
    assert np.allclose(sens, fd, rtol=1e-3, atol=1e-6)


def test_a_zero_model_scores_the_baseline():
    m = recall.make_recall(4, "default", seed=0)
    with torch.no_grad():
        for p in m.head.parameters():
            p.zero_()
    assert recall.test_mse(m, 3, 12, n=4000) == pytest.approx(1.0, abs=0.06)


def test_batches_and_grad_norms():
    x, y = recall.delayed_recall_batch(5, 7, 2, seed=1)
    assert x.shape == (5, 7, 1) and y.shape == (5, 1) and x.dtype == np.float32
    assert np.array_equal(y[:, 0], x[:, 4, 0]), "the target is the input lag steps before the end"
    m = recall.make_recall(4, seed=0)
    ((m(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
    parts = recall.parameter_grad_norms(m)
    assert set(parts) == {n for n, _ in m.named_parameters()} and all(v >= 0 for v in parts.values())


def test_bad_input_is_explained():
    with pytest.raises(LessonError, match="init should be one of"):
        recall.make_recall(4, "xavier")
    with pytest.raises(LessonError, match="model should be a Recall"):
        recall.train_recall(torch.nn.Linear(1, 1), 1, 5)
    with pytest.raises(LessonError, match="optimizer should be one of"):
        recall.train_recall(recall.make_recall(4), 1, 5, optimizer="lbfgs")
    with pytest.raises(LessonError, match="lag should be smaller"):
        recall.train_recall(recall.make_recall(4), 5, 5)
