"""Notebook 07's checkers accept a right answer written another way and name each usual slip.

The wrong answers here are written as a learner would write them (torch code, not the
checkers' own slip functions), so a checker whose slip detection drifted fails here.
"""

import numpy as np
import pytest
import torch

from lstm_lessons import checks
from lstm_lessons.checks.engine import NOT_ATTEMPTED, NOT_YET


# --------------------------------------------------------------------------- 1: concat_to_torch

def concat(W, b, order=(1, 0, 2, 3), x_first=False, bias="ih"):
    H = W.shape[0] // 4
    blocks = np.split(W, 4)
    W = np.concatenate([blocks[k] for k in order])
    b = np.concatenate([np.split(b, 4)[k] for k in order])
    W_hh, W_ih = (W[:, -H:], W[:, :-H]) if x_first else (W[:, :H], W[:, H:])
    halves = {"ih": (b, 0 * b), "hh": (0 * b, b), "split": (b / 2, b / 2), "twice": (b, b)}[bias]
    return (W_ih, W_hh) + halves


@pytest.mark.parametrize("bias", ["ih", "hh", "split"])
def test_concat_any_split_of_the_bias_passes(bias):
    result = checks.check_concat_to_torch(lambda W, b: concat(W, b, bias=bias))
    assert result.passed, repr(result)


def test_concat_tensors_pass_too():
    result = checks.check_concat_to_torch(lambda W, b: tuple(torch.from_numpy(a) for a in concat(W, b)))
    assert result.passed, repr(result)


@pytest.mark.parametrize("kwargs,hint", [
    ({"order": (0, 1, 2, 3)}, "keep the blocks in the order f, i, g, o"),
    ({"x_first": True}, "split [h, x] the wrong way round"),
    ({"bias": "twice"}, "the bias counts twice"),
])
def test_concat_slips_are_named(kwargs, hint):
    result = checks.check_concat_to_torch(lambda W, b: concat(W, b, **kwargs))
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_concat_wrong_shapes_are_explained():
    result = checks.check_concat_to_torch(lambda W, b: tuple(a.T if a.ndim == 2 else a for a in concat(W, b)))
    assert not result and "should have shape" in result.message and "Transposed" in result.hint
    result = checks.check_concat_to_torch(lambda W, b: concat(W, b)[:3])
    assert not result and "four arrays" in result.message


# --------------------------------------------------------------------------- 2: last_step

def test_last_step_gather_passes():
    result = checks.check_last_step(lambda output, lengths: output.gather(
        1, (lengths - 1).view(-1, 1, 1).expand(-1, 1, output.shape[2])).squeeze(1))
    assert result.passed, repr(result)


@pytest.mark.parametrize("fn,hint", [
    (lambda output, lengths: output[:, -1], "output[:, -1]"),
    (lambda output, lengths: output[torch.arange(len(lengths)), lengths.clamp(max=output.shape[1] - 1)],
     "lengths instead of lengths - 1"),
    (lambda output, lengths: output[:, 0], "the first step"),
])
def test_last_step_slips_are_named(fn, hint):
    result = checks.check_last_step(fn)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


# --------------------------------------------------------------------------- 3: final_features

def test_final_features_slicing_passes():
    result = checks.check_final_features(lambda h_n, num_layers: torch.cat([h_n[-2], h_n[-1]], dim=1))
    assert result.passed, repr(result)


@pytest.mark.parametrize("fn,hint", [
    (lambda h_n, num_layers: torch.cat([h_n[0], h_n[1]], -1), "the first layer's two directions"),
    (lambda h_n, num_layers: torch.cat(list(h_n.view(2, num_layers, *h_n.shape[1:])[:, -1]), -1),
     "(2, num_layers, B, H)"),
    (lambda h_n, num_layers: torch.cat([h_n[-1], h_n[-2]], -1), "backward state first"),
])
def test_final_features_slips_are_named(fn, hint):
    result = checks.check_final_features(fn)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


# --------------------------------------------------------------------------- 4: fused_gru_layer

def gru_layer(x, h0, W_ih, W_hh, b_ih, b_hh, order="rzn", reset="after", write=False, fold=False):
    H = h0.shape[1]
    idx = torch.cat([torch.arange(H) + H * "rzn".index(g) for g in order])
    W_ih, W_hh, b_ih, b_hh = W_ih[idx], W_hh[idx], b_ih[idx], b_hh[idx]
    h, outs = h0, []
    for x_t in x:
        gi, gh = x_t @ W_ih.T + b_ih, h @ W_hh.T + b_hh
        r, z = torch.sigmoid(gi[:, :H] + gh[:, :H]), torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        if reset == "before":
            n = torch.tanh(gi[:, 2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
        elif fold:
            n = torch.tanh(gi[:, 2 * H:] + b_hh[2 * H:] + r * (h @ W_hh[2 * H:].T))
        else:
            n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h = z * n + (1 - z) * h if write else (1 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h


def test_fused_gru_layer_written_another_way_passes():
    assert checks.check_fused_gru_layer(gru_layer).passed


@pytest.mark.parametrize("kwargs,hint", [
    ({"fold": True}, "b_hn inside"), ({"reset": "before"}, "before the recurrent multiply"),
    ({"write": True}, "swap z and 1 - z"), ({"order": "zrn"}, "z, r, n"),
])
def test_fused_gru_layer_slips_are_named(kwargs, hint):
    result = checks.check_fused_gru_layer(lambda **k: gru_layer(**k, **kwargs))
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_fused_gru_layer_that_returns_a_grad_tensor_is_still_compared():
    def with_grad(x, h0, W_ih, W_hh, b_ih, b_hh):
        return gru_layer(x, h0, W_ih.requires_grad_(), W_hh, b_ih, b_hh)

    assert checks.check_fused_gru_layer(with_grad).passed


@pytest.mark.parametrize("checker", [checks.check_concat_to_torch, checks.check_last_step,
                                     checks.check_final_features, checks.check_fused_gru_layer])
def test_a_stub_and_a_crash_are_reported_in_words(checker):
    def stub(*args, **kwargs):
        raise NotImplementedError

    assert checker(stub).verdict == NOT_ATTEMPTED

    def crash(*args, **kwargs):
        raise IndexError("index 5 is out of bounds")

    result = checker(crash)
    assert result.verdict == NOT_YET and "IndexError" in result.message
    result = checker(None)
    assert not result and "the function itself" in result.message


def test_fused_gru_solution_matches_nn_gru_gradients_and_reads_the_projections_by_unbind():
    """The shown answer models the lesson: nn.GRU's gradients, and no xw[t] (whose backward grows with T^2)."""
    from lstm_lessons.solutions import nb07

    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 4, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    h0 = torch.randn(2, 4, dtype=torch.float64)
    out, h_n = nb07.fused_gru_layer(x, h0, *gru.parameters())
    ref, ref_h_n = gru(x, h0[None])
    grad_out = torch.randn_like(out)
    ours = torch.autograd.grad(out, list(gru.parameters()), grad_out)
    theirs = torch.autograd.grad(ref, list(gru.parameters()), grad_out)
    assert torch.allclose(out, ref, atol=1e-12) and torch.allclose(h_n, ref_h_n[0], atol=1e-12)
    assert all(torch.allclose(a, b, atol=1e-12) for a, b in zip(ours, theirs))
    seen, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(parent for parent, _ in node.next_functions)
    names = {type(node).__name__ for node in seen}
    assert "UnbindBackward0" in names and "SelectBackward0" not in names, names
