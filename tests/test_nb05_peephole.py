"""The peephole LSTM of lstm_lessons.cells (notebook 05) against oracles: lstm_step, torch autograd, finite differences."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells


def _data(B=2, T=5, I=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    w = cells.init_weights("lstm", I, H, seed=rng, scale=0.8)
    xs = rng.normal(size=(B, T, I))
    h0, c0 = 0.5 * rng.normal(size=(B, H)), rng.normal(size=(B, H))
    p = rng.normal(size=(3, H))
    return w, xs, h0, c0, p


def _torch_peephole(w, p, xs, h0, c0):
    """An independent torch peephole LSTM (Gers and Schmidhuber, 2000), returning (h (B, T, H), c (B, T, H))."""
    W_ih, W_hh, b = torch.tensor(w.W_ih), torch.tensor(w.W_hh), torch.tensor(w.b_ih + w.b_hh)
    p_i, p_f, p_o = p if isinstance(p, torch.Tensor) else torch.tensor(p)
    h, c = torch.tensor(h0), torch.tensor(c0)
    hs, cs = [], []
    for t in range(xs.shape[1]):
        a_i, a_f, a_g, a_o = (torch.tensor(xs[:, t]) @ W_ih.T + h @ W_hh.T + b).chunk(4, dim=1)
        i, f = torch.sigmoid(a_i + p_i * c), torch.sigmoid(a_f + p_f * c)
        c = f * c + i * torch.tanh(a_g)
        h = torch.sigmoid(a_o + p_o * c) * torch.tanh(c)
        hs.append(h)
        cs.append(c)
    return torch.stack(hs, 1), torch.stack(cs, 1)


def test_zero_peepholes_give_the_plain_lstm():
    w, xs, h0, c0, _ = _data()
    zero = np.zeros((3, w.hidden_size))
    a = cells.peephole_lstm_step(xs[:, 0], h0, c0, w, zero)
    b = cells.lstm_step(xs[:, 0], h0, c0, w)
    for k in ("h", "c", "i", "f", "g", "o"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))
    ta, tb = cells.peephole_lstm_forward(xs, w, zero, h0, c0), cells.lstm_forward(xs, w, h0, c0)
    np.testing.assert_allclose(ta.h, tb.h, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ta.c, tb.c, rtol=0, atol=1e-15)


def test_forward_matches_an_independent_torch_version_and_the_step():
    w, xs, h0, c0, p = _data()
    tr = cells.peephole_lstm_forward(xs, w, p, h0, c0)
    h, c = _torch_peephole(w, p, xs, h0, c0)
    np.testing.assert_allclose(tr.h, h.numpy(), atol=1e-13)
    np.testing.assert_allclose(tr.c, c.numpy(), atol=1e-13)
    step = cells.peephole_lstm_step(xs[:, 0], h0, c0, w, p)
    np.testing.assert_allclose(step.h, tr.h[:, 0], atol=1e-15)
    assert not np.allclose(tr.h, cells.lstm_forward(xs, w, h0, c0).h), "nonzero peepholes change the output"


def test_the_output_gate_sees_the_new_cell_and_the_others_the_old():
    w, xs, h0, c0, _ = _data(B=1, H=2)
    for row, (gate, sees) in enumerate((("i", "c_prev"), ("f", "c_prev"), ("o", "c"))):
        p = np.zeros((3, 2))
        p[row] = 3.0
        step = cells.peephole_lstm_step(xs[:, 0], h0, c0, w, p)
        plain = cells.lstm_step(xs[:, 0], h0, c0, w)
        c_seen = c0 if sees == "c_prev" else step.c
        pre_plain = np.log(getattr(plain, gate) / (1 - getattr(plain, gate)))
        if gate == "o":  # the output gate adds p_o * c_t to the plain pre-activation
            np.testing.assert_allclose(np.log(step.o / (1 - step.o)), pre_plain + 3.0 * c_seen, rtol=1e-9)
        else:
            np.testing.assert_allclose(np.log(getattr(step, gate) / (1 - getattr(step, gate))), pre_plain + 3.0 * c_seen,
                                       rtol=1e-9)


def test_backward_matches_finite_differences():
    w, xs, h0, c0, p = _data(B=2, T=4, I=2, H=3, seed=1)
    rng = np.random.default_rng(2)
    dh, dh_n, dc_n = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))

    def loss():
        tr = cells.peephole_lstm_forward(xs, w, p, h0, c0)
        return float((tr.h * dh).sum() + (tr.h_n * dh_n).sum() + (tr.c_n * dc_n).sum())

    grads, dp = cells.peephole_lstm_backward(cells.peephole_lstm_forward(xs, w, p, h0, c0), w, p, dh, dh_n, dc_n)
    errors = cells.gradient_check(loss, dict(w.arrays(), xs=xs, h0=h0, c0=c0, p=p), dict(grads.arrays(), p=dp))
    assert max(errors.values()) < 1e-7, errors


def test_backward_matches_torch_autograd_and_equals_lstm_backward_without_peepholes():
    w, xs, h0, c0, p = _data()
    dh = np.random.default_rng(3).normal(size=(2, 5, 4))
    pt = torch.tensor(p, requires_grad=True)
    h, _ = _torch_peephole(w, pt, xs, h0, c0)
    (h * torch.tensor(dh)).sum().backward()
    _, dp = cells.peephole_lstm_backward(cells.peephole_lstm_forward(xs, w, p, h0, c0), w, p, dh)
    np.testing.assert_allclose(dp, pt.grad.numpy(), atol=1e-12)
    zero = np.zeros_like(p)
    g_peep, _ = cells.peephole_lstm_backward(cells.peephole_lstm_forward(xs, w, zero, h0, c0), w, zero, dh)
    g_plain = cells.lstm_backward(cells.lstm_forward(xs, w, h0, c0), w, dh)
    for name, value in g_plain.arrays().items():
        np.testing.assert_allclose(g_peep.arrays()[name], value, atol=1e-13)


def test_errors_teach():
    w, xs, h0, c0, p = _data()
    with pytest.raises(LessonError, match="peepholes"):
        cells.peephole_lstm_step(xs[:, 0], h0, c0, w, p[:2])
    with pytest.raises(LessonError, match="i, f, o"):
        cells.peephole_lstm_forward(xs, w, p.T)
    with pytest.raises(LessonError, match="LSTM"):
        cells.peephole_lstm_forward(xs, cells.init_weights("gru", 3, 4, seed=0), p)
    with pytest.raises(LessonError, match="peephole_lstm_forward"):
        cells.peephole_lstm_backward(xs, w, p)
