"""The NumPy reference cells against PyTorch's modules (forward) and finite differences (backward)."""

import numpy as np
import pytest
import torch

from lstm_lessons import cells, modules

# (B, T, I, H): random sizes plus the edge cases batch 1, one time step and hidden size 1.
SIZES = [(3, 7, 4, 5), (1, 6, 3, 4), (2, 1, 3, 2), (4, 5, 2, 1), (1, 1, 1, 1)]
TORCH_LAYER = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TORCH_CELL = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def _data(B, T, I, H, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, T, I)), rng.normal(size=(B, H)) * 0.5, rng.normal(size=(B, H)) * 0.5


def _torch_layer(kind, w, **kw):
    m = TORCH_LAYER[kind](w.input_size, w.hidden_size, batch_first=True, **kw).double()
    return modules.load_weights(m, w)


@pytest.mark.parametrize("B,T,I,H", SIZES)
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_forward_matches_nn_rnn(B, T, I, H, nonlinearity):
    w = cells.init_weights("rnn", I, H, seed=B * 100 + H)
    xs, h0, _ = _data(B, T, I, H)
    trace = cells.rnn_forward(xs, w, h0, nonlinearity=nonlinearity)
    out, h_n = _torch_layer("rnn", w, nonlinearity=nonlinearity)(torch.from_numpy(xs), torch.from_numpy(h0)[None])
    np.testing.assert_allclose(trace.h, out.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(trace.h_n, h_n[0].detach().numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("B,T,I,H", SIZES)
def test_lstm_forward_matches_nn_lstm(B, T, I, H):
    w = cells.init_weights("lstm", I, H, seed=B * 100 + H)
    xs, h0, c0 = _data(B, T, I, H)
    trace = cells.lstm_forward(xs, w, h0, c0)
    out, (h_n, c_n) = _torch_layer("lstm", w)(torch.from_numpy(xs), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    np.testing.assert_allclose(trace.h, out.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(trace.c_n, c_n[0].detach().numpy(), rtol=0, atol=1e-12)
    # the gates a learner looks at are the gates the model used
    assert trace.f.min() > 0 and trace.f.max() < 1 and np.abs(trace.g).max() < 1


@pytest.mark.parametrize("B,T,I,H", SIZES)
def test_gru_after_matches_nn_gru_and_before_differs(B, T, I, H):
    w = cells.init_weights("gru", I, H, seed=B * 100 + H, scale=1.0)
    xs, h0, _ = _data(B, T, I, H)
    out, h_n = _torch_layer("gru", w)(torch.from_numpy(xs), torch.from_numpy(h0)[None])
    after = cells.gru_forward(xs, w, h0, reset="after")
    np.testing.assert_allclose(after.h, out.detach().numpy(), rtol=0, atol=1e-12)
    before = cells.gru_forward(xs, w, h0, reset="before")
    assert np.abs(before.h - after.h).max() > 1e-4, "Cho et al.'s reset-before form is a different model"


def test_gru_reset_forms_agree_when_reset_is_open():
    # With r = 1 both candidates are tanh(W_in x + b_in + W_hn h + b_hn): the forms coincide.
    w = cells.init_weights("gru", 3, 4, seed=0)
    w.b_ih[:4] = 50.0  # r = sigmoid(large) = 1
    xs, h0, _ = _data(2, 5, 3, 4)
    np.testing.assert_allclose(cells.gru_forward(xs, w, h0, reset="before").h,
                               cells.gru_forward(xs, w, h0, reset="after").h, atol=1e-12)


def test_gru_update_conventions_are_mirror_images():
    # "write" with z is "keep" with 1 - z: flipping the sign of z's pre-activation maps one onto the other.
    w = cells.init_weights("gru", 3, 4, seed=1)
    flipped = w.copy()
    for a in (flipped.W_ih, flipped.W_hh, flipped.b_ih, flipped.b_hh):
        a[4:8] *= -1
    xs, h0, _ = _data(2, 5, 3, 4)
    np.testing.assert_allclose(cells.gru_forward(xs, w, h0, update="write").h,
                               cells.gru_forward(xs, flipped, h0, update="keep").h, atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_steps_match_torch_cells(kind):
    w = cells.init_weights(kind, 3, 4, seed=5)
    xs, h0, c0 = _data(2, 1, 3, 4)
    x = xs[:, 0]
    m = modules.load_weights(TORCH_CELL[kind](3, 4).double(), w)
    if kind == "lstm":
        s = cells.lstm_step(x, h0, c0, w)
        h, c = m(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
        np.testing.assert_allclose(s.c, c.detach().numpy(), atol=1e-12)
        got = s.h
    elif kind == "gru":
        got = cells.gru_step(x, h0, w).h
        h = m(torch.from_numpy(x), torch.from_numpy(h0))
    else:
        got = cells.rnn_step(x, h0, w)
        h = m(torch.from_numpy(x), torch.from_numpy(h0))
    np.testing.assert_allclose(got, h.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("I,H", [(1, 1), (3, 5), (10, 20)])
def test_parameter_counts_equal_pytorch(kind, I, H):
    theirs = sum(p.numel() for p in TORCH_LAYER[kind](I, H).parameters())
    assert cells.num_params(kind, I, H) == theirs
    assert cells.init_weights(kind, I, H).num_params == theirs


@pytest.mark.parametrize("B,T,I,H", [(2, 4, 3, 3), (1, 1, 2, 1), (3, 2, 1, 2)])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "identity"])
def test_rnn_backward_matches_finite_differences(B, T, I, H, nonlinearity):
    w = cells.init_weights("rnn", I, H, seed=3, scale=0.8)
    xs, h0, _ = _data(B, T, I, H, seed=1)
    rng = np.random.default_rng(2)
    dh, dh_n = rng.normal(size=(B, T, H)), rng.normal(size=(B, H))

    def loss():  # a loss that weighs every hidden state and the last one
        tr = cells.rnn_forward(xs, w, h0, nonlinearity)
        return float((tr.h * dh).sum() + (tr.h_n * dh_n).sum())

    grads = cells.rnn_backward(cells.rnn_forward(xs, w, h0, nonlinearity), w, dh, dh_n).arrays()
    errors = cells.gradient_check(loss, dict(w.arrays(), xs=xs, h0=h0), grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("B,T,I,H", [(2, 4, 3, 3), (1, 1, 2, 1), (3, 3, 1, 2)])
def test_lstm_backward_matches_finite_differences(B, T, I, H):
    w = cells.init_weights("lstm", I, H, seed=4, scale=0.8)
    xs, h0, c0 = _data(B, T, I, H, seed=1)
    rng = np.random.default_rng(2)
    dh, dh_n, dc_n = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss():
        tr = cells.lstm_forward(xs, w, h0, c0)
        return float((tr.h * dh).sum() + (tr.h_n * dh_n).sum() + (tr.c_n * dc_n).sum())

    grads = cells.lstm_backward(cells.lstm_forward(xs, w, h0, c0), w, dh, dh_n, dc_n).arrays()
    errors = cells.gradient_check(loss, dict(w.arrays(), xs=xs, h0=h0, c0=c0), grads)
    assert max(errors.values()) < 1e-7, errors


def test_lstm_backward_matches_torch_autograd():
    w = cells.init_weights("lstm", 3, 4, seed=6)
    xs, h0, c0 = _data(2, 6, 3, 4)
    dh = np.random.default_rng(3).normal(size=(2, 6, 4))
    ref = _torch_layer("lstm", w)
    out, _ = ref(torch.from_numpy(xs), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    (out * torch.from_numpy(dh)).sum().backward()
    g = cells.lstm_backward(cells.lstm_forward(xs, w, h0, c0), w, dh)
    np.testing.assert_allclose(g.W_hh, ref.weight_hh_l0.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(g.b_ih, ref.bias_ih_l0.grad.numpy(), atol=1e-12)


def test_gradient_check_catches_a_wrong_gradient():
    w = cells.init_weights("rnn", 2, 3, seed=0)
    xs, h0, _ = _data(2, 3, 2, 3)
    loss = lambda: float(cells.rnn_forward(xs, w, h0).h.sum())  # noqa: E731
    g = cells.rnn_backward(cells.rnn_forward(xs, w, h0), w, np.ones((2, 3, 3)))
    assert cells.gradient_check(loss, {"W_hh": w.W_hh}, {"W_hh": g.W_hh})["W_hh"] < 1e-8
    assert cells.gradient_check(loss, {"W_hh": w.W_hh}, {"W_hh": g.W_hh.T})["W_hh"] > 1e-2
    assert cells.gradient_check(loss, {"W_hh": w.W_hh}, {"W_hh": 1.01 * g.W_hh})["W_hh"] > 1e-3


def test_sigmoid_is_stable_and_correct():
    a = np.array([-1000.0, -5.0, 0.0, 5.0, 1000.0])
    np.testing.assert_allclose(cells.sigmoid(a), torch.sigmoid(torch.from_numpy(a)).numpy(), atol=1e-15)


def test_weight_gate_views_follow_pytorch_order():
    w = cells.init_weights("lstm", 2, 3, seed=0)
    assert np.shares_memory(w.gate("f")["W_ih"], w.W_ih)
    np.testing.assert_array_equal(w.gate("g")["b_hh"], w.b_hh[6:9])
