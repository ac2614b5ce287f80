"""The from-scratch torch modules against torch.nn: outputs, final states and autograd gradients."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, modules

PAIRS = {
    "rnn": (modules.RNN, torch.nn.RNN, modules.RNNCell, torch.nn.RNNCell),
    "lstm": (modules.LSTM, torch.nn.LSTM, modules.LSTMCell, torch.nn.LSTMCell),
    "gru": (modules.GRU, torch.nn.GRU, modules.GRUCell, torch.nn.GRUCell),
}


def _grads(m):
    return {n: p.grad.clone() for n, p in m.named_parameters()}


@pytest.mark.parametrize("kind", PAIRS)
@pytest.mark.parametrize("B,T,I,H,L,batch_first", [(3, 7, 4, 5, 1, True), (1, 1, 2, 1, 1, False),
                                                    (2, 5, 3, 4, 2, False), (4, 3, 1, 3, 3, True)])
def test_layers_match_torch_nn_forward_and_gradients(kind, B, T, I, H, L, batch_first):
    ours_t, theirs_t = PAIRS[kind][:2]
    torch.manual_seed(B + T + H)
    theirs = theirs_t(I, H, num_layers=L, batch_first=batch_first).double()
    ours = ours_t(I, H, num_layers=L, batch_first=batch_first).double()
    ours.load_state_dict(theirs.state_dict())  # same names, same shapes, same gate order
    x = torch.randn((B, T, I) if batch_first else (T, B, I), dtype=torch.float64)
    out_a, st_a = ours(x)
    out_b, st_b = theirs(x)
    torch.testing.assert_close(out_a, out_b, rtol=0, atol=1e-12)
    for a, b in zip(st_a if kind == "lstm" else (st_a,), st_b if kind == "lstm" else (st_b,)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    target = torch.randn_like(out_a)
    ((out_a - target) ** 2).sum().backward()
    ((out_b - target) ** 2).sum().backward()
    ga, gb = _grads(ours), _grads(theirs)
    assert ga.keys() == gb.keys()
    for name in ga:
        torch.testing.assert_close(ga[name], gb[name], rtol=1e-10, atol=1e-12, msg=name)


@pytest.mark.parametrize("kind", PAIRS)
def test_cells_match_torch_cells_and_load_both_ways(kind):
    *_, ours_t, theirs_t = PAIRS[kind]
    theirs = theirs_t(3, 4).double()
    ours = ours_t(3, 4).double()
    ours.load_state_dict(theirs.state_dict())
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    if kind == "lstm":
        state = (torch.randn(2, 4, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64))
        a, b = ours(x, state), theirs(x, state)
        torch.testing.assert_close(a[0], b[0], rtol=0, atol=1e-12)
        torch.testing.assert_close(a[1], b[1], rtol=0, atol=1e-12)
        (a[0].sum() + a[1].sum()).backward()
    else:
        h = torch.randn(2, 4, dtype=torch.float64)
        a = ours(x, h)
        torch.testing.assert_close(a, theirs(x, h), rtol=0, atol=1e-12)
        a.sum().backward()
    gx_ours = x.grad.clone()
    x.grad = None
    out = theirs(x, state) if kind == "lstm" else theirs(x, h)
    (out[0].sum() + out[1].sum() if kind == "lstm" else out.sum()).backward()
    torch.testing.assert_close(gx_ours, x.grad)


def test_gru_reset_before_differs_from_nn_gru():
    theirs = torch.nn.GRU(3, 4).double()
    ours = modules.GRU(3, 4, reset="before").double()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    assert (ours(x)[0] - theirs(x)[0]).abs().max() > 1e-4
    w = modules.weights_from_torch(ours)
    np.testing.assert_allclose(ours(x)[0].detach().numpy().transpose(1, 0, 2),
                               cells.gru_forward(x.numpy().transpose(1, 0, 2), w, reset="before").h, atol=1e-12)


@pytest.mark.parametrize("kind", PAIRS)
def test_numpy_weights_round_trip(kind):
    w = cells.init_weights(kind, 3, 2, seed=0)
    for module in (PAIRS[kind][1](3, 2, num_layers=2), PAIRS[kind][0](3, 2)):
        modules.load_weights(module, w)
        back = modules.weights_from_torch(module)
        for name, a in w.arrays().items():
            np.testing.assert_allclose(back.arrays()[name], a, atol=1e-7)


def test_default_init_range_matches_pytorch():
    m = modules.LSTM(3, 16)
    bound = 1 / 16 ** 0.5
    for p in m.parameters():
        assert p.abs().max() <= bound and p.abs().max() > 0.8 * bound


def test_bad_inputs_are_explained():
    m = modules.LSTM(3, 4, batch_first=True)
    with pytest.raises(LessonError, match="input size I = 3 on axis 2"):
        m(torch.randn(2, 5, 4))
    with pytest.raises(LessonError, match="dtype torch.float64 but the module's weights are torch.float32"):
        m(torch.randn(2, 5, 3, dtype=torch.float64))
    with pytest.raises(LessonError, match="NumPy array"):
        m(np.zeros((2, 5, 3)))
    with pytest.raises(LessonError, match="nn.Embedding"):
        m(torch.zeros(2, 5, 3, dtype=torch.long))
    with pytest.raises(LessonError, match="3 dimensions"):
        m(torch.randn(5, 3))
    with pytest.raises(LessonError, match=r"pair \(h_0, c_0\)"):
        m(torch.randn(2, 5, 3), torch.zeros(1, 2, 4))
    with pytest.raises(LessonError, match=r"batch size B = 2 on axis 1.*\(num_layers, B, H\), even when batch_first=True"):
        m(torch.randn(2, 5, 3), (torch.zeros(1, 5, 4), torch.zeros(1, 5, 4)))
    with pytest.raises(LessonError, match="read as \\(T, B, I\\) with B = 5.*batch_first=True"):
        modules.LSTM(3, 4)(torch.randn(2, 5, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))
    with pytest.raises(LessonError, match="hidden_size should be a whole number"):
        modules.GRU(3, 0)
    with pytest.raises(LessonError, match="reset should be one of"):
        modules.GRUCell(3, 4, reset="sideways")
    with pytest.raises(LessonError, match="holds LSTM weights but the module is an GRU"):
        modules.load_weights(torch.nn.GRU(3, 4), cells.init_weights("lstm", 3, 4))
    with pytest.raises(LessonError, match="build the module with input_size=5"):
        modules.load_weights(torch.nn.LSTM(3, 4), cells.init_weights("lstm", 5, 4))
    with pytest.raises(LessonError, match="bidirectional"):
        modules.weights_from_torch(torch.nn.LSTM(3, 4, bidirectional=True))
    with pytest.raises(LessonError, match="should be an RNN, LSTM or GRU"):
        modules.weights_from_torch(torch.nn.Linear(3, 4))
