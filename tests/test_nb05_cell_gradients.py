"""lstm_lessons.cell_gradients (notebook 05) against oracles: torch autograd and finite differences."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells
from lstm_lessons import cell_gradients as CG


def _lstm(B=2, T=6, I=2, H=3, seed=0, forget_bias=1.0):
    rng = np.random.default_rng(seed)
    w = CG.with_forget_bias(cells.init_weights("lstm", I, H, seed=rng, scale=0.8), forget_bias)
    xs = rng.normal(size=(B, T, I))
    h0, c0 = 0.3 * rng.normal(size=(B, H)), rng.normal(size=(B, H))
    return w, xs, cells.lstm_forward(xs, w, h0, c0)


def _torch_run_from(w, xs_b, s):
    """The LSTM in torch as a function of (h_s, c_s) -> c_T, over the steps after s (one sequence)."""
    W_ih, W_hh = torch.tensor(w.W_ih), torch.tensor(w.W_hh)
    b = torch.tensor(w.b_ih + w.b_hh)
    xs_b = torch.tensor(xs_b)

    def run(h, c):
        for t in range(s, xs_b.shape[0]):
            i, f, g, o = (xs_b[t] @ W_ih.T + h @ W_hh.T + b).chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return c

    return run


def test_with_forget_bias_sets_the_sum_of_the_two_biases_and_copies():
    w = cells.init_weights("lstm", 2, 3, seed=0)
    out = CG.with_forget_bias(w, 2.5)
    f = out.gate("f")
    np.testing.assert_array_equal(f["b_ih"] + f["b_hh"], 2.5)
    for gate in ("i", "g", "o"):
        np.testing.assert_array_equal(out.gate(gate)["b_ih"], w.gate(gate)["b_ih"])
    assert not np.shares_memory(out.b_ih, w.b_ih) and w.gate("f")["b_ih"][0] != 2.5
    tr = cells.lstm_forward(np.zeros((1, 1, 2)), out)  # zero input and state: f = sigmoid(2.5) exactly
    np.testing.assert_allclose(tr.f[0, 0], cells.sigmoid(2.5), rtol=1e-15)


def test_forget_products_are_the_products_of_the_last_k_forget_gates():
    _, _, tr = _lstm()
    P = CG.forget_products(tr)  # (B, T+1, H)
    B, T, H = tr.f.shape
    assert P.shape == (B, T + 1, H)
    np.testing.assert_array_equal(P[:, 0], 1.0)
    for k in range(T + 1):
        np.testing.assert_allclose(P[:, k], np.prod(tr.f[:, T - k:], axis=1), rtol=1e-14)
    np.testing.assert_allclose(CG.direct_path_norms(tr), P.max(axis=2))


@pytest.mark.parametrize("forget_bias", [-1.0, 1.0, 4.0])
def test_cell_jacobians_match_torch_autograd_every_path(forget_bias):
    w, xs, tr = _lstm(forget_bias=forget_bias)
    B, T, H = tr.h.shape
    J = CG.cell_jacobians(tr, w)  # (B, T+1, H, H)
    assert J.shape == (B, T + 1, H, H)
    for b in range(B):
        for k in range(T + 1):
            s = T - k
            h_s = torch.tensor(tr.h0[b] if s == 0 else tr.h[b, s - 1])
            c_s = torch.tensor(tr.c0[b] if s == 0 else tr.c[b, s - 1])
            run = _torch_run_from(w, xs[b], s)
            ref = torch.autograd.functional.jacobian(lambda c: run(h_s, c), c_s).numpy()
            np.testing.assert_allclose(J[b, k], ref, rtol=1e-10, atol=1e-14)


def test_cell_jacobians_match_finite_differences():
    w, xs, tr = _lstm(B=1, T=5, forget_bias=2.0)
    H = w.hidden_size
    J = CG.cell_jacobians(tr, w, lags=[5])[0, 0]  # dc_T/dc_0, h_0 held fixed
    eps = 1e-6
    numeric = np.zeros((H, H))
    for j in range(H):
        d = np.zeros((1, H))
        d[0, j] = eps
        up = cells.lstm_forward(xs, w, tr.h0, tr.c0 + d).c_n[0]
        down = cells.lstm_forward(xs, w, tr.h0, tr.c0 - d).c_n[0]
        numeric[:, j] = (up - down) / (2 * eps)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-10)


def test_one_step_jacobian_of_c_is_exactly_diag_f():
    w, xs, tr = _lstm(T=4)
    J = CG.cell_jacobians(tr, w, lags=[1])  # (B, 1, H, H)
    for b in range(tr.h.shape[0]):
        np.testing.assert_allclose(J[b, 0], np.diag(tr.f[b, -1]), rtol=1e-14, atol=1e-16)


def test_gradient_norms_and_lags():
    w, xs, tr = _lstm(T=8)
    lags = [0, 3, 8]
    norms = CG.cell_gradient_norms(tr, w, lags)
    J = CG.cell_jacobians(tr, w, lags)
    np.testing.assert_allclose(norms, np.linalg.norm(J, ord=2, axis=(-2, -1)))
    np.testing.assert_allclose(norms[:, 0], 1.0)


def test_lag_profile_runs_and_a_large_forget_bias_keeps_the_direct_path():
    xs = np.random.default_rng(1).normal(size=(2, 30, 1))
    p = CG.lstm_lag_profile(xs, 12.0, hidden_size=4, lags=[0, 10, 30], seed=0)
    assert p.full.shape == p.direct.shape == (2, 3)
    assert np.all(p.direct[:, -1] > 0.999) and p.f_mean > 0.99999
    low = CG.lstm_lag_profile(xs, -2.0, hidden_size=4, lags=[0, 10, 30], seed=0)
    assert np.all(low.direct[:, -1] < 1e-20)
    np.testing.assert_allclose(p.typical_direct, np.exp(np.log(p.direct).mean(axis=0)))


def test_errors_teach():
    w, xs, tr = _lstm(T=4)
    with pytest.raises(LessonError, match="LSTMTrace"):
        CG.forget_products(xs)
    with pytest.raises(LessonError, match="between 0 and the sequence length T = 4"):
        CG.cell_jacobians(tr, w, lags=[5])
    with pytest.raises(LessonError, match="whole numbers"):
        CG.cell_jacobians(tr, w, lags=[0.5])
    with pytest.raises(LessonError, match="LSTM weights"):
        CG.cell_jacobians(tr, cells.init_weights("gru", 2, 3, seed=0))
    with pytest.raises(LessonError, match="hidden size"):
        CG.cell_jacobians(tr, cells.init_weights("lstm", 2, 5, seed=0))
    with pytest.raises(LessonError, match="bias"):
        CG.with_forget_bias(w, "one")


def test_chunked_backward_passes_give_the_same_jacobians(monkeypatch):
    w, xs, tr = _lstm(B=5, T=6, H=3)
    whole = CG.cell_jacobians(tr, w)
    monkeypatch.setattr(CG, "ROWS", 4)  # one sequence per backward pass (4 // 3 = 1)
    np.testing.assert_allclose(CG.cell_jacobians(tr, w), whole, rtol=1e-13, atol=1e-16)
    monkeypatch.setattr(CG, "ROWS", 6)  # two sequences per pass, the last pass with one
    np.testing.assert_allclose(CG.cell_jacobians(tr, w), whole, rtol=1e-13, atol=1e-16)
