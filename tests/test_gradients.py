"""lstm_lessons.gradients against oracles: torch autograd, finite differences, BPTT and torch's clipping."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, checks
from lstm_lessons import gradients as G

NONLINEARITIES = ("tanh", "relu", "identity")


def _rnn(nonlinearity, H=5, T=7, B=3, seed=0, radius=1.1):
    rng = np.random.default_rng(seed)
    w = G.rnn_weights(H, radius, input_size=2, seed=rng)
    w.b_ih[:] = rng.normal(size=H) * 0.1
    xs = rng.normal(size=(B, T, 2))  # (B, T, I)
    h0 = rng.normal(size=(B, H)) * 0.3
    return w, cells.rnn_forward(xs, w, h0=h0, nonlinearity=nonlinearity)


def _torch_states(w, xs, h0, nonlinearity):
    """The same RNN in torch, as a function from the state at step s to the state at step T."""
    act = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda a: a}[nonlinearity]
    W_ih, W_hh, b_ih, b_hh = (torch.tensor(a) for a in (w.W_ih, w.W_hh, w.b_ih, w.b_hh))
    xs = torch.tensor(xs)

    def run_from(s, h):
        for t in range(s, xs.shape[0]):
            h = act(xs[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        return h

    return run_from


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_jacobian_products_match_torch_autograd(nonlinearity):
    w, trace = _rnn(nonlinearity)
    P = G.jacobian_products(trace, w)  # (B, T+1, H, H)
    B, T, H = trace.h.shape
    assert P.shape == (B, T + 1, H, H)
    for b in range(B):
        run_from = _torch_states(w, trace.xs[b], trace.h0[b], nonlinearity)
        for k in range(T + 1):
            # h_(T-k) is h0 when k = T, else the state after step T - k
            h_start = trace.h0[b] if k == T else trace.h[b, T - k - 1]
            J = torch.autograd.functional.jacobian(lambda h: run_from(T - k, h), torch.tensor(h_start))
            np.testing.assert_allclose(P[b, k], J.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["tanh", "identity"])
def test_full_product_matches_finite_differences(nonlinearity):
    w, trace = _rnn(nonlinearity, B=1)
    P = G.jacobian_products(trace, w)[0, -1]  # dh_T/dh_0, (H, H)
    H = w.hidden_size
    numeric = np.zeros((H, H))
    eps = 1e-6
    for j in range(H):
        d = np.zeros((1, H))
        d[0, j] = eps
        up = cells.rnn_forward(trace.xs, w, h0=trace.h0 + d, nonlinearity=nonlinearity).h_n[0]
        down = cells.rnn_forward(trace.xs, w, h0=trace.h0 - d, nonlinearity=nonlinearity).h_n[0]
        numeric[:, j] = (up - down) / (2 * eps)
    assert cells.relative_error(P, numeric) < 1e-8


def test_step_jacobians_are_diag_act_prime_times_W():
    w, trace = _rnn("tanh")
    J = G.step_jacobians(trace, w)
    b, t = 1, 3
    np.testing.assert_allclose(J[b, t], np.diag(1 - trace.h[b, t] ** 2) @ w.W_hh, rtol=1e-12)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_backprop_norms_agree_with_bptt_and_products(nonlinearity):
    w, trace = _rnn(nonlinearity)
    v = np.random.default_rng(5).normal(size=trace.h_n.shape)  # (B, H)
    norms = G.backprop_norms(trace, w, v)
    P = G.jacobian_products(trace, w)
    expected = np.linalg.norm(np.einsum("bh,bkhj->bkj", v, P), axis=-1)
    np.testing.assert_allclose(norms, expected, rtol=1e-10)
    # notebook 01's BPTT: the gradient reaching h0 from dL/dh_T = v is v @ dh_T/dh_0
    grads = cells.rnn_backward(trace, w, dh_n=v)
    np.testing.assert_allclose(np.linalg.norm(grads.h0, axis=1), norms[:, -1], rtol=1e-10)


def test_gradient_norms_are_largest_singular_values():
    w, trace = _rnn("tanh")
    P = G.jacobian_products(trace, w)
    spectral = G.gradient_norms(trace, w)
    frob = G.gradient_norms(trace, w, norm="frobenius")
    np.testing.assert_allclose(spectral, np.linalg.svd(P, compute_uv=False)[..., 0], rtol=1e-12)
    np.testing.assert_allclose(frob, np.sqrt((P**2).sum(axis=(-2, -1))), rtol=1e-12)
    assert np.all(frob >= spectral - 1e-12)
    assert np.allclose(spectral[:, 0], 1.0)


def test_spectral_radius_and_singular_value():
    W = np.array([[0.5, 3.0], [0.0, 0.4]])
    assert G.spectral_radius(W) == pytest.approx(0.5)
    assert G.largest_singular_value(W) == pytest.approx(np.linalg.svd(W, compute_uv=False)[0])
    for kind in G.MATRIX_KINDS:
        M = G.recurrent_matrix(16, 0.9, kind=kind, seed=1)
        assert G.spectral_radius(M) == pytest.approx(0.9, rel=1e-12)
    Q = G.recurrent_matrix(16, 0.9, kind="orthogonal", seed=1)
    np.testing.assert_allclose(np.linalg.svd(Q, compute_uv=False), 0.9, rtol=1e-10)
    # same seed, same matrix up to scale
    np.testing.assert_allclose(G.recurrent_matrix(8, 2.0, seed=3), 2 * G.recurrent_matrix(8, 1.0, seed=3))


def test_linear_orthogonal_rnn_norms_are_radius_to_the_k():
    p = G.lag_profile(0.7, 30, "identity", kind="orthogonal", hidden_size=8, batch=2)
    np.testing.assert_allclose(p.norms, np.broadcast_to(0.7 ** p.lags, p.norms.shape), rtol=1e-9)
    assert p.slope == pytest.approx(np.log(0.7), abs=1e-9)


def test_lag_profile_slope_matches_log_radius_for_linear_rnn_and_is_bounded_for_tanh():
    for r in (0.8, 1.0, 1.2):
        lin = G.lag_profile(r, 100, "identity")
        assert abs(lin.slope - np.log(r)) < 0.01
        tanh = G.lag_profile(r, 100, "tanh")
        assert tanh.slope < np.log(tanh.sigma_max)
        assert np.all(tanh.norms <= tanh.sigma_max ** tanh.lags * (1 + 1e-9))


def test_log_slope_of_a_geometric_sequence():
    k = np.arange(20)
    assert G.log_slope(3.0 * 0.8**k) == pytest.approx(np.log(0.8))
    assert G.log_slope(np.stack([0.8**k, 2 * 0.8**k]), start=5) == pytest.approx(np.log(0.8))
    with pytest.raises(LessonError, match="positive"):
        G.log_slope(np.zeros(5))
    with pytest.raises(LessonError, match="two lags"):
        G.log_slope(k + 1.0, start=19)


def test_clip_by_global_norm_matches_torch():
    rng = np.random.default_rng(0)
    for scale, max_norm in [(5.0, 1.0), (0.01, 1.0), (1.0, 2.5)]:
        grads = [rng.normal(size=(4, 3)) * scale, rng.normal(size=(4,)) * scale]
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        total_torch = torch.nn.utils.clip_grad_norm_(params, max_norm)
        clipped, total = G.clip_by_global_norm(grads, max_norm)
        assert total == pytest.approx(float(total_torch), rel=1e-12)
        assert total == pytest.approx(G.global_norm(grads))
        for c, p in zip(clipped, params):
            # torch adds 1e-6 to the norm in its scale factor
            np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-5)
        assert G.global_norm(clipped) <= max_norm * (1 + 1e-12) or total <= max_norm


def test_readout_r2():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(500, 4))
    y = np.stack([states @ [1.0, -2.0, 0.5, 0.0] + 3.0, rng.normal(size=500)], axis=1)  # (N, 2)
    r2 = G.readout_r2(states, y)
    assert r2[0] == pytest.approx(1.0, abs=1e-12)
    assert abs(r2[1]) < 0.05
    with pytest.raises(LessonError, match="more rows"):
        G.readout_r2(states[:6], y[:6])
    with pytest.raises(LessonError, match="targets"):
        G.readout_r2(states, y[:10])


def test_inputs_are_validated():
    w, trace = _rnn("tanh")
    with pytest.raises(LessonError, match="square|W"):
        G.spectral_radius(np.ones((3, 4)))
    with pytest.raises(LessonError, match="RNNTrace"):
        G.jacobian_products("not a trace", w)
    with pytest.raises(LessonError, match="RNN weights"):
        G.step_jacobians(trace, cells.init_weights("lstm", 2, 5, seed=0))
    with pytest.raises(LessonError, match="hidden size"):
        G.gradient_norms(trace, G.rnn_weights(4, 1.0, input_size=2))
    with pytest.raises(LessonError, match="norm"):
        G.gradient_norms(trace, w, norm="max")
    with pytest.raises(LessonError, match="dh_T"):
        G.backprop_norms(trace, w, np.ones((3, 2)))
    with pytest.raises(LessonError, match="nonlinearity"):
        G.lag_profile(1.0, 10, "sigmoid")
    with pytest.raises(LessonError, match="kind"):
        G.recurrent_matrix(4, 1.0, kind="uniform")
    with pytest.raises(LessonError, match="radius"):
        G.recurrent_matrix(4, -1.0)
    with pytest.raises(LessonError, match="list of NumPy arrays"):
        G.clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(LessonError, match="max_norm"):
        G.clip_by_global_norm([np.ones(3)], -1.0)
    with pytest.raises(LessonError, match="torch tensor"):
        G.global_norm([torch.ones(3)])


# ----------------------------------------------------------------------- notebook 02's exercise checkers

def test_check_clip_by_global_norm():
    assert checks.check_clip_by_global_norm(lambda grads, max_norm: G.clip_by_global_norm(grads, max_norm)[0])
    slip = checks.check_clip_by_global_norm(lambda grads, max_norm: [np.clip(g, -max_norm, max_norm) for g in grads])
    assert not slip and "clipping by value" in slip.hint
    own = checks.check_clip_by_global_norm(
        lambda grads, max_norm: [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads])
    assert not own and "its own norm" in own.hint
    assert "list of arrays" in checks.check_clip_by_global_norm(lambda grads, max_norm: grads[0]).message


def test_check_gradient_norm_after():
    assert checks.check_gradient_norm_after(lambda W, k: np.linalg.norm(np.linalg.matrix_power(W, k), 2))
    slip = checks.check_gradient_norm_after(lambda W, k: np.linalg.norm(W**k, 2))
    assert not slip and "W ** k" in slip.hint
    rho = checks.check_gradient_norm_after(lambda W, k: np.max(np.abs(np.linalg.eigvals(W))) ** k)
    assert not rho and "spectral radius" in rho.hint
    assert not checks.check_gradient_norm_after(lambda W, k: None)
