"""Notebook 03's memory models (lstm_lessons.memory) against their oracles: NumPy sums, notebook 01's RNN,
PyTorch's autograd and finite differences; and the bounds the notebook proves, on random inputs."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, memory


def _torch_memory(x, w, f, r, m0, write, read):
    """The prototype written in PyTorch, step by step: the oracle of the forward and backward passes."""
    cand = torch.tanh(x) if write == "tanh" else x
    m, ms, ys = m0, [], []
    for t in range(x.shape[1]):
        m = f[:, t] * m + w[:, t] * cand[:, t]
        ms.append(m)
        ys.append(r[:, t] * (torch.tanh(m) if read == "tanh" else m))
    return torch.stack(ms, 1), torch.stack(ys, 1)


def _random_case(seed, B=3, T=7, scale=2.0):
    rng = np.random.default_rng(seed)
    x = scale * rng.normal(size=(B, T))
    w, f, r = rng.uniform(0, 1, size=(3, B, T))
    return x, w, f, r, rng.normal(size=B)


# --------------------------------------------------------------------------- the carousel and the plain memory

def test_the_carousel_is_a_running_sum_and_a_linear_rnn_with_weight_one():
    u = np.random.default_rng(0).normal(size=(4, 25))
    c = memory.cec_forward(u, c0=0.5)
    np.testing.assert_allclose(c, 0.5 + np.cumsum(u, axis=1), rtol=1e-12)
    one = cells.Weights("rnn", np.ones((1, 1)), np.ones((1, 1)), np.zeros(1), np.zeros(1))
    rnn = cells.rnn_forward(u[:, :, None], one, h0=np.full((4, 1), 0.5), nonlinearity="identity").h[:, :, 0]
    np.testing.assert_allclose(c, rnn, rtol=1e-12)


def test_the_plain_memory_writes_and_reads_with_fixed_weights():
    x = np.random.default_rng(1).normal(size=(3, 10))
    m, y = memory.plain_memory(x, w_in=0.5, w_out=-2.0, m0=1.0)
    np.testing.assert_allclose(m, 1.0 + 0.5 * np.cumsum(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(y, -2.0 * m, rtol=1e-12)
    # with both weights 1 it is the gated prototype with every gate open
    trace = memory.gated_memory(x)
    np.testing.assert_allclose(memory.plain_memory(x)[0], trace.m, rtol=1e-12)
    np.testing.assert_allclose(memory.plain_memory(x)[1], trace.y, rtol=1e-12)


# --------------------------------------------------------------------------- the gated prototype against PyTorch

@pytest.mark.parametrize("write,read", [("raw", "raw"), ("tanh", "tanh"), ("tanh", "raw"), ("raw", "tanh")])
def test_gated_memory_forward_matches_torch(write, read):
    x, w, f, r, m0 = _random_case(2)
    trace = memory.gated_memory(x, w, f, r, m0=m0, write=write, read=read)
    m, y = _torch_memory(*(torch.tensor(a) for a in (x, w, f, r, m0)), write, read)
    np.testing.assert_allclose(trace.m, m.numpy(), rtol=1e-12)
    np.testing.assert_allclose(trace.y, y.numpy(), rtol=1e-12)
    np.testing.assert_allclose(trace.m_prev[:, 0], m0)
    np.testing.assert_allclose(trace.m_prev[:, 1:], trace.m[:, :-1])


@pytest.mark.parametrize("write,read", [("raw", "raw"), ("tanh", "tanh")])
def test_gated_memory_backward_matches_autograd(write, read):
    x, w, f, r, m0 = _random_case(3)
    rng = np.random.default_rng(4)
    dy, dm_n = rng.normal(size=x.shape), rng.normal(size=x.shape[0])
    grads = memory.gated_memory_backward(memory.gated_memory(x, w, f, r, m0=m0, write=write, read=read), dy, dm_n)
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, w, f, r, m0)]
    m, y = _torch_memory(*leaves, write, read)
    ((y * torch.tensor(dy)).sum() + (m[:, -1] * torch.tensor(dm_n)).sum()).backward()
    for name, leaf in zip(("x", "w", "f", "r", "m0"), leaves):
        np.testing.assert_allclose(getattr(grads, name), leaf.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_gated_memory_backward_matches_finite_differences():
    x, w, f, r, m0 = _random_case(5, B=2, T=5)
    dy = np.random.default_rng(6).normal(size=x.shape)

    arrays = {"x": x, "w": w, "f": f, "r": r, "m0": m0}

    def loss():  # reads the arrays, which numerical_gradient nudges in place
        trace = memory.gated_memory(arrays["x"], arrays["w"], arrays["f"], arrays["r"], m0=arrays["m0"],
                                    write="tanh", read="tanh")
        return float((trace.y * dy).sum())

    grads = memory.gated_memory_backward(memory.gated_memory(x, w, f, r, m0=m0, write="tanh", read="tanh"), dy)
    for name, value in arrays.items():
        numeric = cells.numerical_gradient(loss, value)
        assert cells.relative_error(getattr(grads, name), numeric) < 1e-6, name


def test_the_error_signal_along_the_memory_is_the_product_of_the_forget_gates():
    f = np.random.default_rng(7).uniform(0, 1, size=(2, 9))
    trace = memory.gated_memory(np.zeros((2, 9)), w=0.0, f=f, r=0.0)
    grads = memory.gated_memory_backward(trace, dm_n=np.ones(2))  # L = m_T
    per_lag = memory.error_per_lag(f)  # (B, T+1): lag 0 .. T
    # dL/dm_(T-k) = f_T ... f_(T-k+1): grads.m[:, t] is dL/dm_(t+1), lag T-1-t; grads.m0 is lag T
    np.testing.assert_allclose(grads.m[:, ::-1], per_lag[:, :-1], rtol=1e-12)
    np.testing.assert_allclose(grads.m0, per_lag[:, -1], rtol=1e-12)
    np.testing.assert_allclose(per_lag[:, 1:], np.cumprod(f[:, ::-1], axis=1), rtol=1e-12)
    np.testing.assert_array_equal(memory.error_per_lag(np.ones(6)), np.ones(7))  # the carousel
    assert memory.error_per_lag([1.0, 0.0, 1.0]).tolist() == [1.0, 1.0, 0.0, 0.0]


def test_hand_set_gates_store_the_flagged_value_exactly_and_the_error_signal_stops_at_the_clear():
    task = memory.flagged_value(50, 12, seed=0)
    values, write_flag, read_flag = task.x[..., 0], task.x[..., 1], task.x[..., 2]
    trace = memory.gated_memory(values, write_flag, 1 - write_flag, read_flag, m0=0.7)
    np.testing.assert_array_equal(trace.y[:, -1], task.y[:, 0])
    assert np.all(trace.y[:, :-1] == 0)
    dy = np.zeros_like(values)
    dy[:, -1] = 1
    grads = memory.gated_memory_backward(trace, dy)
    np.testing.assert_array_equal(grads.m, np.cumsum(write_flag, axis=1))
    np.testing.assert_array_equal(grads.m0, np.zeros(50))


def test_flag_gates_are_sigmoids_of_the_flags():
    flags = np.array([[0.0, 1.0, 0.0, 0.0]])
    read = np.array([[0.0, 0.0, 0.0, 1.0]])
    w, f, r = memory.flag_gates(flags, read, steepness=4.0)
    s = torch.sigmoid(torch.tensor([4.0, -4.0], dtype=torch.float64)).numpy()
    np.testing.assert_allclose(w[0], [s[1], s[0], s[1], s[1]], rtol=1e-12)
    np.testing.assert_allclose(f, 1 - w, rtol=1e-12)
    np.testing.assert_allclose(r[0], [s[1], s[1], s[1], s[0]], rtol=1e-12)


def test_flagged_value_task():
    task = memory.flagged_value(300, 9, seed=1, low=-2.0, high=3.0)
    assert task.x.shape == (300, 9, 3) and task.y.shape == (300, 1)
    values, write_flag, read_flag = task.x[..., 0], task.x[..., 1], task.x[..., 2]
    assert np.all(write_flag.sum(axis=1) == 1) and np.all(write_flag[:, -1] == 0), "one flag, before the last step"
    assert np.all(read_flag[:, -1] == 1) and read_flag.sum() == 300
    np.testing.assert_array_equal(task.y[:, 0], values[write_flag == 1])
    assert values.min() >= -2.0 and values.max() < 3.0
    assert task.baseline_mse == pytest.approx(25 / 12)
    assert len(set(np.argmax(write_flag, axis=1))) == 8, "the flag falls on every step before the last"
    np.testing.assert_array_equal(memory.flagged_value(5, 4, seed=2).x, memory.flagged_value(5, 4, seed=2).x)


# --------------------------------------------------------------------------- the bounds of notebook 03

@pytest.mark.parametrize("seed", range(5))
def test_squashed_writes_grow_at_most_one_per_step(seed):
    rng = np.random.default_rng(seed)
    x = 20 * rng.normal(size=(50, 60)) + 5  # large inputs, leaning to one side
    w, f = rng.uniform(0, 1, size=(2, 50, 60))
    m0 = rng.normal(size=50) * 3
    trace = memory.gated_memory(x, w, f, r=1.0, m0=m0, write="tanh", read="tanh")
    assert np.all(np.abs(trace.m) <= np.abs(m0)[:, None] + np.arange(1, 61) + 1e-12)
    assert np.all(np.abs(trace.y) <= 1)
    phi = 0.8
    leaky = memory.gated_memory(x, w, phi * f, r=1.0, m0=m0, write="tanh")
    assert np.all(np.abs(leaky.m) <= np.maximum(np.abs(m0), 1 / (1 - phi))[:, None] + 1e-12)
    # without the squash, the same inputs carry the memory far past both bounds
    assert np.abs(memory.gated_memory(x, w=1.0, f=1.0).m[:, -1]).max() > 61


# --------------------------------------------------------------------------- errors that teach

def test_bad_input_is_explained():
    x = np.zeros((2, 5))
    with pytest.raises(LessonError, match=r"gate f should lie in \[0, 1\].*sigmoid"):
        memory.gated_memory(x, f=1.1)
    with pytest.raises(LessonError, match=r"gate w should be a number, a schedule of shape \(T,\) = \(5,\)"):
        memory.gated_memory(x, w=np.ones(4))
    with pytest.raises(LessonError, match="gate r should be a number in"):
        memory.gated_memory(x, r="open")
    with pytest.raises(LessonError, match="write should be one of"):
        memory.gated_memory(x, write="sigmoid")
    with pytest.raises(LessonError, match=r"x should have 2 dimensions \(B, T\).*x\[None\]"):
        memory.gated_memory(np.zeros(5))
    with pytest.raises(LessonError, match="m0 should have shape"):
        memory.gated_memory(x, m0=np.zeros(3))
    with pytest.raises(LessonError, match="trace should be the MemoryTrace"):
        memory.gated_memory_backward(cells.rnn_forward(np.zeros((1, 2, 1)), cells.init_weights("rnn", 1, 2, seed=0)))
    with pytest.raises(LessonError, match="dy should have shape"):
        memory.gated_memory_backward(memory.gated_memory(x), dy=np.zeros((2, 4)))
    with pytest.raises(LessonError, match="schedule of forget gates"):
        memory.error_per_lag(0.5)
    with pytest.raises(LessonError, match="w_in should be a number"):
        memory.plain_memory(x, w_in="1")
    with pytest.raises(LessonError, match="high should be larger than low"):
        memory.flagged_value(3, 5, low=1.0, high=1.0)
    with pytest.raises(LessonError, match="T should be a whole number >= 2"):
        memory.flagged_value(3, 1)
    with pytest.raises(LessonError, match="read_flag should have shape"):
        memory.flag_gates(np.zeros((2, 5)), np.zeros((2, 4)))
