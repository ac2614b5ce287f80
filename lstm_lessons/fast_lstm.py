"""A fast LSTM layer from scratch in PyTorch, and the slow gate-by-gate loop it is timed against (introduced in 07).

What this is: `FastLSTM`, an LSTM whose forward projects the inputs of all steps in one multiply
and then makes one fused recurrent multiply per step, and whose backward is the hand-written BPTT
of `cells.lstm_backward`, batched in torch inside a `torch.autograd.Function` (`LSTMFunction`):
autograd records one node per layer instead of a dozen per step, and the weight gradients are
summed over all steps in one multiply each, at the end. `GateByGateLSTM` is the textbook loop,
four gates and four multiplies a step, with autograd for the backward: the slow reference.
Both have nn.LSTM's parameter names, shapes and gate order (i, f, g, o), so load_state_dict
works both ways, and both return (output, (h_n, c_n)) with nn.LSTM's shapes; they run on any
device torch does. `time_layers` times forward plus backward, as benchmarks/lstm_speed.py does.
What this is not: all of nn.LSTM. Layers are unidirectional, with bias, without dropout or packed
sequences; `FastLSTM` has no double backward (no create_graph=True through it).
"""

from __future__ import annotations

import time

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from ._validate import LessonError, check_positive_int
from .modules import LSTM

# The kernels autograd itself uses for the derivatives of sigmoid and tanh, one pass each:
# sigmoid_backward(d, s) = d * s * (1 - s) and tanh_backward(d, t) = d * (1 - t^2).
_sigmoid_backward = torch.ops.aten.sigmoid_backward
_tanh_backward = torch.ops.aten.tanh_backward


class LSTMFunction(torch.autograd.Function):
    """One LSTM layer, time-major, with the hand-written BPTT as its backward; FastLSTM checks the inputs."""

    @staticmethod
    def forward(ctx, x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor):
        T, B, I = x.shape
        H = h0.shape[1]
        # tanh(a) = 2 sigmoid(2a) - 1: with the g rows doubled, one sigmoid call squashes all four gates
        double_g = x.new_ones(4 * H, 1)
        double_g[2 * H:3 * H] = 2
        x2 = x.reshape(T * B, I)  # (T*B, I): every step's input, one row each
        # W_ih x_t + b_ih + b_hh for all T steps in one multiply
        z = torch.addmm((b_ih + b_hh) * double_g[:, 0], x2, (w_ih * double_g).T).view(T, B, 4 * H)  # (T, B, 4H)
        w_hh_t = (w_hh * double_g).T  # (H, 4H)
        gates = z.view(T, B, 4, H)  # z[t] becomes the gates [i, f, s, o] of step t, with s = sigmoid(2 a_g)
        hs = x.new_empty(T + 1, B, H)  # h_0 ... h_T
        hs[0] = h0
        # what the backward multiplies by, per step: [g, c_{t-1}, 4 i, tanh(c_t)]; c_t itself is kept[t + 1, :, 1]
        kept = x.new_empty(T + 1, B, 4, H)  # (T + 1, B, 4, H)
        kept[0, :, 1] = c0
        minus_one = x.new_full((1, 1), -1.0).expand(B, H)
        # one view per step and gate, made once: iterating a tensor runs over its first axis
        steps = zip(z, gates.transpose(1, 2), kept[:-1].transpose(1, 2), kept[1:, :, 1], hs[:-1], hs[1:])
        for a, (i, f, s, o), (g, c_prev, four_i, tanh_c), c, h_prev, h in steps:
            # a = W_ih x_t + b_ih + b_hh + W_hh h_{t-1}, g block doubled: the one recurrent multiply of the step
            a.addmm_(h_prev, w_hh_t)  # (B, 4H)
            # i, f, o = sigmoid(a_i, a_f, a_o) and s = sigmoid(2 a_g), in place, in one call
            a.sigmoid_()
            # g = tanh(a_g) = 2 s - 1
            torch.add(minus_one, s, alpha=2, out=g)
            # c_t = f * c_{t-1} + i * g
            torch.mul(f, c_prev, out=c).addcmul_(i, g)
            # h_t = o * tanh(c_t)
            torch.mul(o, torch.tanh(c, out=tanh_c), out=h)
            # dg/da_g = 1 - g^2 = 4 s (1 - s): the 4 travels with i, which multiplies dc into dg
            torch.mul(i, 4, out=four_i)
        ctx.save_for_backward(x2, hs, kept, z, w_ih, w_hh)
        return hs[1:], hs[T].clone(), kept[T, :, 1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out: Tensor, dh_n: Tensor, dc_n: Tensor):
        x2, hs, kept, z, w_ih, w_hh = ctx.saved_tensors
        T, B, H = d_out.shape
        gates = z.view(T, B, 4, H)
        da = torch.empty_like(z)  # (T, B, 4H): dL/da_t, the gradient at the pre-activations of every step
        da4 = da.view(T, B, 4, H)
        dc = dc_n.clone(memory_format=torch.contiguous_format)  # (B, H): dL/dc_t, updated in place
        dc_b = dc.unsqueeze(1)  # (B, 1, H): the same memory, to broadcast over three gates
        dh = d_out[T - 1] + dh_n  # (B, H): dL/dh_T, from the last output and from h_n
        # one view per step, made once
        f, o = gates[:, :, 1].unbind(0), gates[:, :, 3].unbind(0)
        g_c_4i, tanh_c = kept[:-1, :, :3].unbind(0), kept[:-1, :, 3].unbind(0)
        da_ifg, da_o = da4[:, :, :3].unbind(0), da4[:, :, 3].unbind(0)
        for t in reversed(range(T)):
            # h_t = o * tanh(c_t):  dc += dh * o * (1 - tanh(c_t)^2)
            dc.addcmul_(_tanh_backward(dh, tanh_c[t]), o[t])
            # c_t = f * c_{t-1} + i * g:  [di, df, dg] = dc * [g, c_{t-1}, i], the 4 of dg/da_g included
            torch.mul(g_c_4i[t], dc_b, out=da_ifg[t])
            # do = dh * tanh(c_t)
            torch.mul(dh, tanh_c[t], out=da_o[t])
            # back through the squashing: da = [di, df, dg, do] * [i, f, s, o] * (1 - [i, f, s, o])
            _sigmoid_backward.grad_input(da4[t], gates[t], grad_input=da4[t])
            # dc_{t-1} = dc_t * f
            dc.mul_(f[t])
            if t > 0:
                # dL/dh_{t-1} = the output's gradient at t-1 + da_t W_hh, the path through step t
                dh = torch.addmm(d_out[t - 1], da[t], w_hh)
        da2 = da.view(T * B, 4 * H)
        need = ctx.needs_input_grad
        # dL/dx_t = da_t W_ih, for all steps in one multiply
        dx = (da2 @ w_ih).view(T, B, -1) if need[0] else None
        dh0 = da[0] @ w_hh if need[1] else None  # dL/dh_0, the path through step 1
        # dL/dW_ih = sum_t da_t^T x_t and dL/dW_hh = sum_t da_t^T h_{t-1}: one (4H, T*B) @ (T*B, .) product each
        dw_ih = da2.T @ x2 if need[3] else None
        dw_hh = da2.T @ hs[:-1].reshape(T * B, H) if need[4] else None
        db = da2.sum(0) if need[5] or need[6] else None
        return dx, dh0, dc, dw_ih, dw_hh, db, db


class FastLSTM(LSTM):
    """modules.LSTM with each layer's loop replaced by LSTMFunction; loads from nn.LSTM."""

    def _run_layer(self, seq, states, weights):
        if seq.shape[0] == 0:
            raise LessonError("input should have at least one step (sequence length T >= 1); got T = 0, "
                              "an empty sequence. Check the slice that made it.")
        out, h_n, c_n = LSTMFunction.apply(seq, *states, *weights)
        return out, (h_n, c_n)


class GateByGateLSTM(LSTM):
    """The textbook loop: one multiply per gate on [h_{t-1}, x_t], autograd for the backward; loads from nn.LSTM."""

    def _run_layer(self, seq, states, weights):
        w_ih, w_hh, b_ih, b_hh = weights
        # one weight matrix and bias per gate, each acting on [h_{t-1}, x_t]
        W_i, W_f, W_g, W_o = torch.cat([w_hh, w_ih], dim=1).split(self.hidden_size)  # each (H, H + I)
        b_i, b_f, b_g, b_o = (b_ih + b_hh).split(self.hidden_size)  # each (H,)
        (h, c), outs = states, []
        for x in seq:
            hx = torch.cat([h, x], dim=1)  # (B, H + I)
            # i = sigmoid(W_i [h_{t-1}, x_t] + b_i), and likewise f and o
            i = torch.sigmoid(hx @ W_i.T + b_i)
            f = torch.sigmoid(hx @ W_f.T + b_f)
            o = torch.sigmoid(hx @ W_o.T + b_o)
            # g = tanh(W_g [h_{t-1}, x_t] + b_g)
            g = torch.tanh(hx @ W_g.T + b_g)
            # c_t = f * c_{t-1} + i * g
            c = f * c + i * g
            # h_t = o * tanh(c_t)
            h = o * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs), (h, c)


def time_layers(layers: dict, x: Tensor, repeats: int = 10, warmup: int = 2) -> dict:
    """Seconds per forward plus backward of each layer on x, taken round-robin; {name: [seconds, ...]}."""
    if not isinstance(layers, dict) or not layers:
        raise LessonError(f"layers should be a non-empty dict of name -> LSTM layer; got {type(layers).__name__}.")
    repeats = check_positive_int(repeats, "repeats")
    warmup = check_positive_int(warmup, "warmup", minimum=0)
    if not isinstance(x, Tensor) or x.dim() != 3 or not x.is_floating_point():
        raise LessonError(f"x should be a floating-point torch tensor of 3 dimensions, (T, B, I) or (B, T, I); "
                          f"got {getattr(x, 'shape', type(x).__name__)}.")
    x = x.detach().requires_grad_(True)  # the input's gradient is computed too, as under an embedding
    with torch.no_grad():
        d_out = {name: torch.randn_like(layer(x)[0]) for name, layer in layers.items()}  # a fixed upstream gradient
    clock = _clock(x)
    times = {name: [] for name in layers}
    names = list(layers)
    for r in range(warmup + repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:  # rotate who goes first
            layer = layers[name]
            layer.zero_grad(set_to_none=True)
            x.grad = None
            start = clock()
            layer(x)[0].backward(d_out[name])
            if r >= warmup:
                times[name].append(clock() - start)
    return times


def _clock(x: Tensor):
    """The clock time_layers reads: the process's CPU time on one CPU thread, else the wall clock.

    On one thread, CPU time is the call's own work, without the time spent waiting while other jobs
    hold the cores of a shared machine; with more threads their times would add up, so the wall
    clock is used; on a GPU, the wall clock after waiting for the GPU to finish.
    """
    if x.is_cuda:
        def clock():
            torch.cuda.synchronize(x.device)
            return time.perf_counter()
        return clock
    return time.process_time if torch.get_num_threads() == 1 else time.perf_counter
