"""Tests for what notebook 01 added to the package: tasks.echo, rnn_train, two checkers, two plots.

Each helper is compared with an oracle: torch autograd (with detach for truncation), torch.optim.Adam,
or finite differences.
"""

import dataclasses

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, checks, plots, rnn_train, tasks


def _model(I=2, H=3, O=2, seed=0):
    return rnn_train.init_regressor(I, H, O, seed=seed)


# --------------------------------------------------------------------------- tasks.echo

def test_echo_targets_are_the_inputs_lag_steps_late():
    task = tasks.echo(5, 12, lag=3, seed=0)
    assert task.x.shape == task.y.shape == (5, 12, 1)
    assert np.array_equal(task.y[:, 3:], task.x[:, :-3])
    assert not task.y[:, :3].any()
    assert task.baseline_mse == pytest.approx(9 / 12)


def test_echo_baseline_is_the_mean_square_of_the_targets():
    task = tasks.echo(4000, 10, lag=2, seed=1)
    assert float((task.y**2).mean()) == pytest.approx(task.baseline_mse, rel=0.03)


def test_echo_lag_zero_is_the_identity_and_seeds_repeat():
    task = tasks.echo(2, 5, lag=0, seed=3)
    assert np.array_equal(task.x, task.y)
    assert np.array_equal(tasks.echo(2, 5, 1, seed=3).x, tasks.echo(2, 5, 1, seed=3).x)


@pytest.mark.parametrize("kwargs, words", [(dict(n=2, T=4, lag=4), "smaller than the sequence length"),
                                           (dict(n=0, T=4, lag=1), "n should be"),
                                           (dict(n=2, T=4, lag=-1), "lag should be")])
def test_echo_rejects_bad_sizes(kwargs, words):
    with pytest.raises(LessonError, match=words):
        tasks.echo(**kwargs)


# --------------------------------------------------------------------------- the regressor and its gradients

def _torch_forward(params, xs, truncate=None, h0=None):
    """The oracle: the same RNN and readout in torch, detaching the state at every window start."""
    p = {n: torch.tensor(v, requires_grad=True) for n, v in params.items()}
    x = torch.tensor(xs, requires_grad=True)
    B, T, _ = xs.shape
    h_init = torch.zeros(B, p["W_hh"].shape[0], dtype=torch.float64) if h0 is None else torch.tensor(h0)
    h_init.requires_grad_(True)
    h, hs = h_init, []
    for t in range(T):
        if truncate is not None and t > 0 and t % truncate == 0:
            h = h.detach()  # cut the gradient, keep the state
        h = torch.tanh(x[:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"])
        hs.append(h)
    hs = torch.stack(hs, dim=1)  # (B, T, H)
    return p, x, h_init, hs


def test_forward_matches_torch():
    model = _model()
    xs = np.random.default_rng(0).normal(size=(3, 5, 2))
    y_hat, trace = model.forward(xs)
    p, _, _, hs = _torch_forward(model.params(), xs)
    expected = hs @ p["W_hy"].T + p["b_y"]
    assert np.abs(y_hat - expected.detach().numpy()).max() < 1e-12
    assert trace.h.shape == (3, 5, 3)


@pytest.mark.parametrize("truncate", [None, 1, 2, 3, 7, 50])
def test_loss_and_grads_match_torch_autograd(truncate):
    model = _model(seed=1)
    rng = np.random.default_rng(2)
    xs, y = rng.normal(size=(3, 7, 2)), rng.normal(size=(3, 7, 2))
    loss, grads = rnn_train.loss_and_grads(model, xs, y, truncate=truncate)
    p, _, _, hs = _torch_forward(model.params(), xs, truncate)
    torch_loss = ((hs @ p["W_hy"].T + p["b_y"] - torch.tensor(y)) ** 2).mean()
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    assert list(grads) == list(rnn_train.PARAM_NAMES)
    for name in rnn_train.PARAM_NAMES:
        assert np.abs(grads[name] - p[name].grad.numpy()).max() < 1e-12, name


def test_full_loss_and_grads_match_finite_differences():
    model = _model(seed=4)
    rng = np.random.default_rng(5)
    xs, y = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 5, 2))
    _, grads = rnn_train.loss_and_grads(model, xs, y)
    errors = cells.gradient_check(lambda: rnn_train.loss_and_grads(model, xs, y)[0], model.params(), grads)
    assert max(errors.values()) < 1e-7


def test_mse_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(6)
    y_hat, y = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 3, 2))
    _, grad = rnn_train.mse_loss(y_hat, y)
    numeric = cells.numerical_gradient(lambda: rnn_train.mse_loss(y_hat, y)[0], y_hat)
    assert cells.relative_error(grad, numeric) < 1e-8


@pytest.mark.parametrize("truncate", [1, 2, 4, 6, 10])
def test_truncated_backward_matches_torch_with_detach(truncate):
    rng = np.random.default_rng(7)
    w = cells.init_weights("rnn", 2, 4, seed=rng)
    xs, h0, dh = rng.normal(size=(3, 6, 2)), rng.normal(size=(3, 4)), rng.normal(size=(3, 6, 4))
    g = rnn_train.rnn_backward_truncated(cells.rnn_forward(xs, w, h0), w, dh=dh, truncate=truncate)
    p, x, h_init, hs = _torch_forward(w.arrays(), xs, truncate, h0)
    (hs * torch.tensor(dh)).sum().backward()
    for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
        assert np.abs(getattr(g, name) - p[name].grad.numpy()).max() < 1e-12, name
    assert np.abs(g.xs - x.grad.numpy()).max() < 1e-12
    assert np.abs(g.h0 - h_init.grad.numpy()).max() < 1e-12


def test_truncated_backward_without_a_cut_is_full_bptt():
    rng = np.random.default_rng(8)
    w = cells.init_weights("rnn", 2, 3, seed=rng)
    trace = cells.rnn_forward(rng.normal(size=(2, 5, 2)), w)
    dh = rng.normal(size=(2, 5, 3))
    full = cells.rnn_backward(trace, w, dh=dh)
    for truncate in (None, 5, 9):
        cut = rnn_train.rnn_backward_truncated(trace, w, dh=dh, truncate=truncate)
        for name, value in full.arrays().items():
            assert np.abs(getattr(cut, name) - value).max() < 1e-14, name


def test_truncated_gradient_is_zero_beyond_the_cut():
    rng = np.random.default_rng(9)
    w = cells.init_weights("rnn", 1, 5, seed=rng)
    trace = cells.rnn_forward(rng.normal(size=(1, 12, 1)), w)
    dh = np.zeros((1, 12, 5))
    dh[:, -1] = 1.0
    dxs = rnn_train.rnn_backward_truncated(trace, w, dh=dh, truncate=4).xs[0, :, 0]
    assert np.all(dxs[:8] == 0) and np.all(dxs[8:] != 0)


def test_regressor_and_loss_validate_their_inputs():
    model = _model()
    with pytest.raises(LessonError, match="W_hy"):
        rnn_train.RNNRegressor(model.w, np.zeros((2, 5)), np.zeros(2))
    with pytest.raises(LessonError, match="b_y"):
        rnn_train.RNNRegressor(model.w, np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(LessonError, match="RNN weights"):
        rnn_train.RNNRegressor(cells.init_weights("lstm", 2, 3), np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(LessonError, match="y should have shape"):
        rnn_train.loss_and_grads(model, np.zeros((2, 4, 2)), np.zeros((2, 4, 1)))
    with pytest.raises(LessonError, match="model should be an RNNRegressor"):
        rnn_train.loss_and_grads(model.w, np.zeros((2, 4, 2)), np.zeros((2, 4, 2)))
    with pytest.raises(LessonError, match="truncate"):
        rnn_train.loss_and_grads(model, np.zeros((2, 4, 2)), np.zeros((2, 4, 2)), truncate=0)
    with pytest.raises(LessonError, match="trace should be"):
        rnn_train.rnn_backward_truncated(np.zeros((2, 4, 3)), model.w)


def test_copy_is_independent():
    model = _model()
    twin = model.copy()
    twin.params()["W_hh"][0, 0] += 1.0
    twin.W_hy[0, 0] += 1.0
    assert model.w.W_hh[0, 0] != twin.w.W_hh[0, 0] and model.W_hy[0, 0] != twin.W_hy[0, 0]


# --------------------------------------------------------------------------- Adam

def test_adam_matches_torch_optim_adam():
    rng = np.random.default_rng(10)
    params = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=4)}
    theirs = {n: torch.tensor(v.copy(), requires_grad=True) for n, v in params.items()}
    ours = rnn_train.Adam(params, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    opt = torch.optim.Adam(list(theirs.values()), lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    for _ in range(6):
        grads = {n: rng.normal(size=v.shape) for n, v in params.items()}
        ours.step(grads)
        for n, p in theirs.items():
            p.grad = torch.tensor(grads[n])
        opt.step()
    for n in params:
        assert np.abs(params[n] - theirs[n].detach().numpy()).max() < 1e-12


def test_adam_validates():
    with pytest.raises(LessonError, match="params should be a dict"):
        rnn_train.Adam([np.zeros(2)])
    opt = rnn_train.Adam({"a": np.zeros(2)})
    with pytest.raises(LessonError, match="no entry for a"):
        opt.step({})
    with pytest.raises(LessonError, match="grads\\['a'\\]"):
        opt.step({"a": np.zeros(3)})
    with pytest.raises(LessonError, match="lr"):
        rnn_train.Adam({"a": np.zeros(2)}, lr=-1.0)


# --------------------------------------------------------------------------- the echo experiment

def test_train_echo_learns_and_repeats():
    config = rnn_train.TrainConfig(steps=150, seq_len=10, lag=2, hidden_size=8, test_size=64)
    run = rnn_train.train_echo(config)
    again = rnn_train.train_echo(config)
    assert np.array_equal(run.losses, again.losses), "the same seed should give the same run"
    assert run.losses.shape == (150,)
    assert run.test_mse < 0.5 * run.baseline_mse
    assert run.baseline_mse == pytest.approx(float((run.test.y**2).mean()))
    assert rnn_train.evaluate(run.initial, run.test) > 0.8 * run.baseline_mse, "the untrained copy is kept"
    other = rnn_train.train_echo(config, seed=1)
    assert not np.array_equal(run.losses, other.losses)
    assert np.array_equal(run.test.x, other.test.x), "every seed is scored on the same test set"


def test_train_echo_with_truncation_records_the_config():
    run = rnn_train.train_echo(rnn_train.TrainConfig(steps=5, seq_len=8, hidden_size=4, test_size=8), truncate=2)
    assert run.config.truncate == 2 and np.all(np.isfinite(run.losses))


@pytest.mark.parametrize("changes, words", [(dict(lag=20), "lag should be smaller"), (dict(steps=0), "steps"),
                                            (dict(truncate=0), "truncate"), (dict(lr=-0.1), "lr"),
                                            (dict(seed=-1), "seed")])
def test_train_config_validates(changes, words):
    with pytest.raises(LessonError, match=words):
        dataclasses.replace(rnn_train.TrainConfig(), **changes)


def test_train_echo_rejects_a_non_config():
    with pytest.raises(LessonError, match="TrainConfig"):
        rnn_train.train_echo({"steps": 3})


# --------------------------------------------------------------------------- checkers

def _correct_backward_step(dh, h, h_prev, x, W_ih, W_hh):
    da = dh * (1 - h**2)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def test_backward_step_reference_matches_finite_differences():
    rng = np.random.default_rng(11)
    B, I, H = 2, 3, 4
    x, h_prev, dh = rng.normal(size=(B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    w = cells.init_weights("rnn", I, H, seed=rng, scale=1.0)

    def loss():  # L = sum(dh * h), so dL/dh = dh
        return float(np.sum(dh * cells.rnn_step(x, h_prev, w)))

    h = cells.rnn_step(x, h_prev, w)
    dx, dh_prev, dW_ih, dW_hh, db = checks.nb01._rnn_backward_step(dh, h, h_prev, x, w.W_ih, w.W_hh)
    errors = cells.gradient_check(loss, {"x": x, "h_prev": h_prev, "W_ih": w.W_ih, "W_hh": w.W_hh, "b_ih": w.b_ih},
                                  {"x": dx, "h_prev": dh_prev, "W_ih": dW_ih, "W_hh": dW_hh, "b_ih": db})
    assert max(errors.values()) < 1e-7


def test_check_rnn_backward_step_passes_a_correct_answer():
    result = checks.check_rnn_backward_step(_correct_backward_step)
    assert result.passed, result.message


def _slipped(deriv=None, back=None, state=None, swap=False):
    """A learner's backward step with one slip written out by hand."""

    def step(dh, h, h_prev, x, W_ih, W_hh):
        da = dh * ((1 - h**2) if deriv is None else deriv(h, h_prev))
        dW_hh = da.T @ (h_prev if state is None else h)
        return (da @ W_ih, da @ (W_hh if back is None else W_hh.T), da.T @ x,
                dW_hh if not swap else (h_prev.T @ da), da.sum(axis=0))

    return step


@pytest.mark.parametrize("slip, wrong", [
    ("leave out the tanh derivative (1 - h**2)", _slipped(deriv=lambda h, h_prev: 1.0)),
    ("write the tanh derivative as 1 - h instead of 1 - h**2", _slipped(deriv=lambda h, h_prev: 1 - h)),
    ("take the tanh derivative at h_prev, 1 - h_prev**2, instead of at this step's h",
     _slipped(deriv=lambda h, h_prev: 1 - h_prev**2)),
    ("send the gradient back with W_hh.T instead of W_hh (dh_prev = da @ W_hh)", _slipped(back=True)),
    ("use this step's h instead of h_prev in dW_hh (dW_hh = da.T @ h_prev)", _slipped(state=True)),
    ("transpose dW_hh (h_prev.T @ da instead of da.T @ h_prev)", _slipped(swap=True)),
])
def test_check_rnn_backward_step_names_each_slip(slip, wrong):
    result = checks.check_rnn_backward_step(wrong)
    assert not result.passed
    assert slip in result.hint


def test_check_rnn_backward_step_explains_shapes_and_errors():
    def unsummed(dh, h, h_prev, x, W_ih, W_hh):
        da = dh * (1 - h**2)
        return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, da

    def transposed(dh, h, h_prev, x, W_ih, W_hh):
        da = dh * (1 - h**2)
        return da @ W_ih, da @ W_hh, x.T @ da, da.T @ h_prev, da.sum(0)

    assert "db should have shape" in checks.check_rnn_backward_step(unsummed).message
    result = checks.check_rnn_backward_step(transposed)
    assert "dW_ih should have shape" in result.message and "Transposed" in result.hint
    assert "returned None" in checks.check_rnn_backward_step(lambda **k: None).message
    assert "raised ZeroDivisionError" in checks.check_rnn_backward_step(lambda **k: 1 / 0).message


def test_check_truncation_reach():
    assert checks.check_truncation_reach(lambda t, k: list(range(t // k * k, t + 1))).passed
    assert checks.check_truncation_reach(lambda t, k: np.arange(t // k * k, t + 1)).passed
    sliding = checks.check_truncation_reach(lambda t, k: list(range(max(0, t - k + 1), t + 1)))
    assert not sliding.passed and "slide the window" in sliding.hint
    no_cut = checks.check_truncation_reach(lambda t, k: list(range(t + 1)))
    assert "forget the cut" in no_cut.hint
    short = checks.check_truncation_reach(lambda t, k: list(range(t // k * k, t)))
    assert "leave out step t" in short.hint
    assert "returned None" in checks.check_truncation_reach(lambda t, k: None).message
    assert "whole numbers" in checks.check_truncation_reach(lambda t, k: "steps").message
    assert "pass the function itself" in checks.check_truncation_reach([1, 2]).message


def test_truncation_reach_oracle_agrees_with_the_window_rule():
    for t, k in [(0, 1), (5, 3), (6, 3), (11, 4), (2, 8)]:
        assert list(checks.nb01._truncation_reach(t, k)) == list(range(t // k * k, t + 1))


# --------------------------------------------------------------------------- plots

def test_draw_unrolled_rnn():
    fig, ax = plots.new_figure()
    plots.draw_unrolled_rnn(ax, steps=3, outputs="all")
    texts = [t.get_text() for t in ax.texts]
    assert len(ax.patches) == 3 and sum("y_" in t for t in texts) == 3
    fig, ax = plots.new_figure()
    plots.draw_unrolled_rnn(ax, steps=5, outputs="last")
    assert [t for t in (t.get_text() for t in ax.texts) if "y_" in t] == ["$y_{5}$"]
    with pytest.raises(LessonError, match="outputs"):
        plots.draw_unrolled_rnn(ax, outputs="first")
    with pytest.raises(LessonError, match="steps"):
        plots.draw_unrolled_rnn(ax, steps=0)


def test_plot_learning_curve_smooths_and_draws_the_baseline():
    fig, ax = plots.new_figure()
    line = plots.plot_learning_curve(ax, [4.0, 2.0, 0.0, 2.0], baseline=3.0, window=2, label="loss")
    assert list(line.get_xdata()) == [2, 3, 4] and list(line.get_ydata()) == [3.0, 1.0, 1.0]
    assert any(list(l.get_ydata()) == [3.0, 3.0] for l in ax.lines if l is not line)
    with pytest.raises(LessonError, match="window"):
        plots.plot_learning_curve(ax, [1.0, 2.0], window=3)
    with pytest.raises(LessonError, match="losses"):
        plots.plot_learning_curve(ax, np.zeros((2, 2)))


def test_moving_average_matches_a_plain_loop():
    values = np.random.default_rng(0).normal(size=25)
    expected = [values[i:i + 4].mean() for i in range(25 - 4 + 1)]
    np.testing.assert_allclose(rnn_train.moving_average(values, 4), expected, atol=1e-12)
    np.testing.assert_allclose(rnn_train.moving_average(values, 1), values)
    with pytest.raises(LessonError, match="window should be at most the number of values, 25; got 26"):
        rnn_train.moving_average(values, 26)
