"""FastLSTM and GateByGateLSTM against nn.LSTM: outputs, final states, gradients, gradcheck; the benchmark runs."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError
from lstm_lessons.fast_lstm import FastLSTM, GateByGateLSTM, LSTMFunction, time_layers

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIZES = [(3, 7, 4, 5), (1, 1, 1, 1), (1, 6, 2, 3), (4, 1, 3, 2), (2, 5, 3, 1)]  # (B, T, I, H)


def _pair(ours_type, I, H, num_layers=1, batch_first=False, seed=0):
    torch.manual_seed(seed)
    theirs = torch.nn.LSTM(I, H, num_layers=num_layers, batch_first=batch_first).double()
    ours = ours_type(I, H, num_layers=num_layers, batch_first=batch_first).double()
    ours.load_state_dict(theirs.state_dict())  # same names, same shapes, same gate order
    return ours, theirs


def _run(model, x, state, weights):
    """Output, final states and d(loss)/d(x, h_0, c_0, every parameter) for a loss using all three outputs."""
    x = x.detach().requires_grad_(True)
    state = None if state is None else tuple(s.detach().requires_grad_(True) for s in state)
    out, (h_n, c_n) = model(x, state)
    w_out, w_h, w_c = weights
    loss = (w_out * out).sum() + (w_h * h_n).sum() + (w_c * c_n).sum() + (out ** 2).sum()
    wrt = [x] + ([] if state is None else list(state)) + list(model.parameters())
    return out, h_n, c_n, torch.autograd.grad(loss, wrt)


@pytest.mark.parametrize("ours_type", [FastLSTM, GateByGateLSTM])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("B,T,I,H", SIZES)
def test_matches_nn_lstm_forward_and_every_gradient(ours_type, batch_first, with_state, B, T, I, H):
    ours, theirs = _pair(ours_type, I, H, batch_first=batch_first, seed=B + T + H)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn((B, T, I) if batch_first else (T, B, I), dtype=torch.float64, generator=gen)
    state = tuple(torch.randn(1, B, H, dtype=torch.float64, generator=gen) for _ in "hc") if with_state else None
    weights = [torch.randn(s, dtype=torch.float64, generator=gen) for s in (x.shape[:2] + (H,), (1, B, H), (1, B, H))]
    *ours_out, ours_grads = _run(ours, x, state, weights)
    *their_out, their_grads = _run(theirs, x, state, weights)
    for name, a, b in zip(("output", "h_n", "c_n"), ours_out, their_out):
        assert a.shape == b.shape, name
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12, msg=f"{name} should match nn.LSTM")
    names = ["input"] + (["h_0", "c_0"] if with_state else []) + [n for n, _ in ours.named_parameters()]
    for name, a, b in zip(names, ours_grads, their_grads):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12, msg=f"the gradient for {name} should match nn.LSTM's")


def test_the_gradients_come_from_the_hand_written_backward():
    # one LSTMFunction node for the whole sequence, not autograd's dozen nodes per step
    ours, _ = _pair(FastLSTM, 3, 4)
    out, (h_n, c_n) = ours(torch.randn(6, 2, 3, dtype=torch.float64))
    for t in (out, h_n):
        node = t.grad_fn
        while type(node).__name__ in ("StackBackward0", "UnsqueezeBackward0", "SelectBackward0"):
            node = node.next_functions[0][0]
        assert type(node).__name__ == "LSTMFunctionBackward"
    assert {type(f).__name__ for f, _ in out.grad_fn.next_functions if f is not None} == {"AccumulateGrad"}


def test_gradcheck_on_a_tiny_case():
    torch.manual_seed(0)
    T, B, I, H = 3, 2, 2, 3
    args = [torch.randn(*s, dtype=torch.float64, requires_grad=True)
            for s in ((T, B, I), (B, H), (B, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,))]
    assert torch.autograd.gradcheck(LSTMFunction.apply, args, eps=1e-6, atol=1e-8)
    # and through the module, batch-first, with its output's gradient arriving non-contiguous
    layer = FastLSTM(I, H, batch_first=True).double()
    x = torch.randn(B, T, I, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: layer(x)[0], (x,), eps=1e-6, atol=1e-8)


def test_two_layers_match_nn_lstm():
    ours, theirs = _pair(FastLSTM, 3, 4, num_layers=2, batch_first=True)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    weights = [torch.randn(2, 5, 4, dtype=torch.float64), torch.randn(2, 2, 4, dtype=torch.float64),
               torch.randn(2, 2, 4, dtype=torch.float64)]
    *ours_out, ours_grads = _run(ours, x, None, weights)
    *their_out, their_grads = _run(theirs, x, None, weights)
    for a, b in zip(ours_out + list(ours_grads), their_out + list(their_grads)):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_float32_matches_nn_lstm_at_the_benchmark_size():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(64, 64)
    ours = FastLSTM(64, 64)
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(100, 16, 64, requires_grad=True)
    out_a, out_b = ours(x)[0], theirs(x)[0]
    torch.testing.assert_close(out_a, out_b, rtol=0, atol=1e-5)
    d_out = torch.randn_like(out_a)
    out_a.backward(d_out)
    grads_a = [x.grad.clone()] + [p.grad for p in ours.parameters()]
    x.grad = None
    out_b.backward(d_out)
    for a, b in zip(grads_a, [x.grad] + [p.grad for p in theirs.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_load_state_dict_both_ways_and_nn_lstm_shapes():
    theirs = torch.nn.LSTM(3, 4)
    for ours in (FastLSTM(3, 4), GateByGateLSTM(3, 4)):
        shapes = [(n, p.shape) for n, p in ours.named_parameters()]
        assert shapes == [(n, p.shape) for n, p in theirs.named_parameters()]
        ours.load_state_dict(theirs.state_dict())
        theirs.load_state_dict(ours.state_dict())
        out, (h_n, c_n) = ours(torch.randn(5, 2, 3))
        assert out.shape == (5, 2, 4) and h_n.shape == c_n.shape == (1, 2, 4)


def test_frozen_weights_and_an_input_without_gradient():
    # the backward skips what autograd does not ask for, and the rest still matches nn.LSTM
    ours, theirs = _pair(FastLSTM, 3, 4)
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    for m in (ours, theirs):
        m.weight_ih_l0.requires_grad_(False)
        m.bias_ih_l0.requires_grad_(False)
        m(x)[0].pow(2).sum().backward()
    assert ours.weight_ih_l0.grad is None and ours.bias_ih_l0.grad is None
    torch.testing.assert_close(ours.weight_hh_l0.grad, theirs.weight_hh_l0.grad, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(ours.bias_hh_l0.grad, theirs.bias_hh_l0.grad, rtol=1e-10, atol=1e-12)


def test_changing_the_output_in_place_cannot_corrupt_the_backward():
    out, _ = FastLSTM(3, 4)(torch.randn(5, 2, 3))
    with pytest.raises(RuntimeError):
        out.mul_(2)
        out.sum().backward()


def test_bad_inputs_are_explained():
    m = FastLSTM(3, 4, batch_first=True)
    with pytest.raises(LessonError, match="input should have shape .* input size I = 3 on axis 2"):
        m(torch.randn(2, 5, 4))
    with pytest.raises(LessonError, match="input has dtype torch.float64 but the module's weights are torch.float32"):
        m(torch.randn(2, 5, 3, dtype=torch.float64))
    with pytest.raises(LessonError, match="input is a NumPy array"):
        m(np.zeros((2, 5, 3)))
    with pytest.raises(LessonError, match="input should have 3 dimensions"):
        m(torch.randn(5, 3))
    with pytest.raises(LessonError, match=r"h_0 should have shape .*B = 2 on axis 1.*even when batch_first=True"):
        m(torch.randn(2, 5, 3), (torch.zeros(1, 5, 4), torch.zeros(1, 5, 4)))
    with pytest.raises(LessonError, match=r"sequence length T >= 1\); got T = 0"):
        m(torch.randn(2, 0, 3))
    with pytest.raises(LessonError, match="hidden_size should be a whole number"):
        FastLSTM(3, 0)
    with pytest.raises(LessonError, match="repeats should be a whole number"):
        time_layers({"fast": m}, torch.randn(2, 5, 3), repeats=0)
    with pytest.raises(LessonError, match="x should be a floating-point torch tensor of 3 dimensions"):
        time_layers({"fast": m}, torch.randn(5, 3))


def test_time_layers_times_each_layer():
    layers = {"fast": FastLSTM(3, 4), "nn": torch.nn.LSTM(3, 4)}
    times = time_layers(layers, torch.randn(5, 2, 3), repeats=3, warmup=1)
    assert set(times) == {"fast", "nn"} and all(len(t) == 3 and min(t) > 0 for t in times.values())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_runs_on_cuda_like_on_cpu():
    ours, theirs = _pair(FastLSTM, 3, 4)
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    weights = [torch.randn(5, 2, 4, dtype=torch.float64), torch.zeros(1, 2, 4, dtype=torch.float64),
               torch.zeros(1, 2, 4, dtype=torch.float64)]
    *cpu_out, cpu_grads = _run(ours, x, None, weights)
    *gpu_out, gpu_grads = _run(ours.cuda(), x.cuda(), None, [w.cuda() for w in weights])
    for a, b in zip(cpu_out + list(cpu_grads), gpu_out + list(gpu_grads)):
        torch.testing.assert_close(a, b.cpu(), rtol=1e-10, atol=1e-12)


def test_quick_benchmark_runs_and_the_committed_results_meet_the_target():
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lstm_speed.py"), "--quick", "--repeats", "2"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "FastLSTM at B 64, T 100, I 64, H 64" in res.stdout
    saved = json.loads((ROOT / "benchmarks" / "results" / "lstm_speed.json").read_text())
    assert saved["threads"] == 1 and saved["target"]["size"] == {"B": 64, "T": 100, "I": 64, "H": 64}
    main = saved["results"][0]
    assert main["ratio"]["FastLSTM"] == saved["target"]["ratio"] <= saved["target"]["max_ratio"] == 2.0
    assert set(main["ms"]) == {"nn.LSTM", "FastLSTM", "modules.LSTM", "GateByGateLSTM"}
