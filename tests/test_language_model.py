"""Notebook 09's language model against torch.nn and finite differences: shapes, tying, state, AR and TAR, sampling."""

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from lstm_lessons import LessonError, language_model as lm, number_words as nw
from lstm_lessons.train import Trainer

V = len(nw.VOCAB)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tokens(B=3, T=7, seed=0):
    return torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_forward_shapes_and_the_modules_it_composes(kind):
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, kind, embed_size=5, dropout=0.5).eval()
    x = tokens()
    logits, state, (h, h_dropped) = model(x, return_hidden=True)
    assert logits.shape == (3, 7, V) and h.shape == h_dropped.shape == (3, 7, 8)
    if kind == "lstm":
        assert isinstance(state, tuple) and state[0].shape == state[1].shape == (1, 3, 8)
    else:
        assert state.shape == (1, 3, 8)
    # the oracle: the same three torch modules, composed by hand (eval mode: no dropout)
    out, _ = model.rnn(model.embedding(x))
    assert torch.allclose(logits, model.decoder(out), atol=1e-6)
    assert torch.equal(h, h_dropped), "in eval mode dropout is the identity"
    assert torch.allclose(h[:, -1], (state[0] if kind == "lstm" else state)[0], atol=1e-6)


def test_dropout_acts_on_embeddings_and_outputs_in_training_only():
    torch.manual_seed(0)
    model = lm.WordLM(V, 16, "lstm", dropout=0.5)
    x = tokens(4, 10)
    _, _, (h, h_dropped) = model(x, return_hidden=True)
    zeroed = (h_dropped == 0) & (h != 0)
    assert 0.3 < zeroed.float().mean() < 0.7, "about half of the outputs are dropped in training"
    kept = h_dropped != 0
    assert torch.allclose(h_dropped[kept], 2 * h[kept]), "kept outputs are scaled by 1 / (1 - p)"
    model.eval()
    a, _ = model(x)
    b, _ = model(x)
    assert torch.equal(a, b), "in eval mode the model is deterministic"


def test_tied_weights_share_storage_and_gradients_add_up():
    torch.manual_seed(0)
    tied = lm.WordLM(V, 6, "lstm", tie_weights=True)
    assert tied.decoder.weight is tied.embedding.weight
    assert tied.decoder.weight.data_ptr() == tied.embedding.weight.data_ptr()
    n_untied = sum(p.numel() for p in lm.WordLM(V, 6, "lstm").parameters())
    assert sum(p.numel() for p in tied.parameters()) == n_untied - V * 6, "one (V, H) matrix fewer"
    # the oracle: an untied model holding the same values in both matrices
    untied = lm.WordLM(V, 6, "lstm")
    untied.load_state_dict(tied.state_dict())
    assert torch.equal(untied.decoder.weight, untied.embedding.weight)
    x, y = tokens(seed=1), tokens(seed=2)
    for model in (tied, untied):
        model.zero_grad()
        lm.lm_loss(model, (x, y))[0].backward()
    expected = untied.embedding.weight.grad + untied.decoder.weight.grad
    assert torch.allclose(tied.embedding.weight.grad, expected, atol=1e-6), \
        "a tied matrix gets the sum of the gradients of its two uses"
    with pytest.raises(LessonError, match="embed_size == hidden_size"):
        lm.WordLM(V, 6, "lstm", embed_size=5, tie_weights=True)


def test_the_state_carries_over_between_calls():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").eval()
    x = tokens(2, 12)
    whole, _ = model(x)
    first, state = model(x[:, :5])
    second, _ = model(x[:, 5:], state)
    assert torch.allclose(torch.cat([first, second], 1), whole, atol=1e-6)
    fresh, _ = model(x[:, 5:])
    assert not torch.allclose(fresh, whole[:, 5:], atol=1e-3), "without the state the second half differs"


def test_trainer_carries_the_state_detached_and_resets_it_each_epoch():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm")
    rows = nw.batchify(nw.encode(nw.corpus(1, 60)), 4)
    batches = lm.stream_batches(rows, 5)
    seen = []

    def loss_fn(m, batch, state):
        seen.append(state)
        loss, new_state = lm.lm_loss(m, batch, state)
        assert new_state[0].grad_fn is not None, "the loss function returns the state still in the graph"
        return loss, new_state

    trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.0), loss_fn, stateful=True,
                      reset_state_every=batches.windows, progress=False, device="cpu")
    trainer.fit(batches, batches.windows + 2)
    assert seen[0] is None and seen[batches.windows] is None, "each epoch starts from zeros"
    carried = seen[1]
    assert not carried[0].requires_grad and carried[0].grad_fn is None, "the carried state is detached"
    # with lr 0 the weights never change: the carried state is the state after the first window
    with torch.no_grad():
        _, state = model.train()(batches(0)[0])  # dropout 0, so train mode is deterministic
    assert torch.allclose(carried[0], state[0]) and torch.allclose(carried[1], state[1])


def test_stream_batches_are_the_windows_of_the_rows():
    rows = nw.batchify(nw.encode(nw.corpus(1, 80)), 4)
    batches = lm.stream_batches(rows, 7)
    assert batches.windows == nw.n_windows(rows, 7)
    for s in (0, 3, batches.windows + 1):
        x, y = batches(s)
        wx, wy = nw.window(rows, s % batches.windows, 7)
        assert x.dtype == torch.long and np.array_equal(x.numpy(), wx) and np.array_equal(y.numpy(), wy)


def test_ar_and_tar_terms():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm", dropout=0.3)
    x, y = tokens(seed=3), tokens(seed=4)
    losses = {}
    for alpha, beta in ((0, 0), (2.0, 0), (0, 3.0), (2.0, 3.0)):
        torch.manual_seed(7)  # the same dropout masks in every call
        losses[alpha, beta] = lm.lm_loss(model, (x, y), None, alpha, beta)[0].item()
    torch.manual_seed(7)
    logits, _, (h, h_dropped) = model(x, return_hidden=True)
    ce = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1)).item()
    ar = h_dropped.pow(2).mean().item()  # on the dropped-out output
    tar = sum(((h[:, t] - h[:, t - 1]) ** 2).sum().item() for t in range(1, 7)) / (3 * 6 * 8)  # before dropout
    assert losses[0, 0] == pytest.approx(ce, rel=1e-6)
    assert losses[2.0, 0] - losses[0, 0] == pytest.approx(2.0 * ar, rel=1e-5)
    assert losses[0, 3.0] - losses[0, 0] == pytest.approx(3.0 * tar, rel=1e-5)
    assert losses[2.0, 3.0] == pytest.approx(ce + 2.0 * ar + 3.0 * tar, rel=1e-5)
    assert ar != pytest.approx(h.pow(2).mean().item(), rel=1e-3), "AR reads the dropped-out output, not h"


def test_the_gradient_of_the_regularised_loss_matches_finite_differences():
    torch.manual_seed(0)
    model = lm.WordLM(V, 4, "lstm", tie_weights=True).double()
    x, y = tokens(2, 5, seed=5), tokens(2, 5, seed=6)

    def loss():
        return lm.lm_loss(model, (x, y), None, alpha=2.0, beta=1.5)[0]

    model.zero_grad()
    loss().backward()
    eps = 1e-6
    for param in (model.embedding.weight, model.rnn.weight_hh_l0, model.rnn.bias_ih_l0):
        flat, grad = param.data.view(-1), param.grad.view(-1)
        for k in (0, 3, flat.numel() - 1):
            keep = flat[k].item()
            with torch.no_grad():
                flat[k] = keep + eps
                up = loss().item()
                flat[k] = keep - eps
                down = loss().item()
                flat[k] = keep
            assert grad[k].item() == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


def test_loss_with_fixes_alpha_and_beta():
    torch.manual_seed(0)
    model = lm.WordLM(V, 6, "lstm").eval()
    x, y = tokens(seed=8), tokens(seed=9)
    a = lm.loss_with(1.0, 0.5)(model, (x, y), None)[0]
    b = lm.lm_loss(model, (x, y), None, 1.0, 0.5)[0]
    assert torch.equal(a, b)
    with pytest.raises(LessonError, match="alpha"):
        lm.loss_with(-1.0)


def test_evaluate_reads_the_stream_as_one_pass():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").train()
    rows = nw.batchify(nw.encode(nw.corpus(1, 50)), 3)
    result = lm.evaluate(model, rows, bptt=7)
    assert model.training, "evaluate puts the model back in training mode"
    model.eval()
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(rows[:, :-1]))  # one pass over the whole rows
    preds = logits.argmax(-1).numpy()
    assert np.array_equal(result.predictions, preds) and np.array_equal(result.targets, rows[:, 1:])
    assert result.accuracy == pytest.approx((preds == rows[:, 1:]).mean())
    ce = F.cross_entropy(logits.reshape(-1, V), torch.from_numpy(rows[:, 1:]).reshape(-1)).item()
    assert result.loss == pytest.approx(ce, rel=1e-5)


def test_lstm_trace_matches_nn_lstm():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm", embed_size=5).eval()
    ids = nw.encode(nw.corpus(1, 6))
    trace = lm.lstm_trace(model, ids)
    assert trace.h.shape == trace.c.shape == trace.f.shape == (len(ids), 8)
    with torch.no_grad():
        out, (h_n, c_n) = model.rnn(model.embedding(torch.from_numpy(ids))[None])
    assert np.allclose(trace.h, out[0].numpy(), atol=1e-6)
    assert np.allclose(trace.c[-1], c_n[0, 0].numpy(), atol=1e-6)
    assert np.allclose(trace.h, trace.o * np.tanh(trace.c), atol=1e-6)
    assert ((trace.f > 0) & (trace.f < 1)).all()
    with pytest.raises(LessonError, match="'lstm'"):
        lm.lstm_trace(lm.WordLM(V, 8, "rnn"), ids)


def test_softmax_with_temperature():
    logits = torch.tensor([[2.0, 1.0, -1.0]])
    assert torch.allclose(lm.softmax_t(logits, 1.0), torch.softmax(logits, -1))
    assert torch.allclose(lm.softmax_t(logits, 0.5), torch.softmax(2 * logits, -1))
    assert lm.softmax_t(logits, 0.01)[0, 0] > 0.999, "a low temperature puts the mass on the largest logit"
    assert torch.allclose(lm.softmax_t(logits, 1e3), torch.full((1, 3), 1 / 3), atol=1e-2)
    with pytest.raises(LessonError, match="temperature"):
        lm.softmax_t(logits, 0.0)


def _prompted(model, n_prompts=6):
    """States after reading the corpus up to (and with) the separator after each number 1..n_prompts."""
    ids = nw.encode(nw.corpus(1, 40))
    ends = np.flatnonzero(ids == nw.INDEX[nw.SEP])[:n_prompts]
    states, logits = [], []
    with torch.no_grad():
        for end in ends:
            out, state = model(torch.from_numpy(ids[:end + 1])[None])
            states.append(state)
            logits.append(out[0, -1])
    state = tuple(torch.cat([s[k] for s in states], 1) for k in range(2))
    return state, torch.stack(logits), np.arange(2, n_prompts + 2)


def test_sampling_at_a_low_temperature_is_greedy_decoding():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").eval()
    state, logits, expected = _prompted(model)
    uniforms = torch.rand(8, 6, generator=torch.Generator().manual_seed(0))
    cold = lm.sample_names(model, state, logits, 1e-3, uniforms, expected)
    # greedy decoding by hand, one stream at a time
    for n in range(6):
        st = tuple(s[:, n:n + 1].contiguous() for s in state)
        lg, words = logits[n], []
        for _ in range(8):
            token = int(lg.argmax())
            if token == nw.INDEX[nw.SEP]:
                break
            words.append(nw.VOCAB[token])
            with torch.no_grad():
                out, st = model(torch.tensor([[token]]), st)
            lg = out[0, -1]
        assert cold.names[n] == words
    again = lm.sample_names(model, state, logits, 1e-3, uniforms, expected)
    assert again.names == cold.names, "the same random numbers give the same samples"


def test_samples_are_checked_for_validity_and_correctness():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").eval()
    state, _, expected = _prompted(model, 3)
    # logits that spell "two ." in every stream: the name after "one"
    logits = torch.full((3, V), -30.0)
    logits[:, nw.INDEX["two"]] = 30.0
    with torch.no_grad():
        model.decoder.weight.zero_()
        model.decoder.bias.fill_(-30.0)
        model.decoder.bias[nw.INDEX[nw.SEP]] = 30.0
    samples = lm.sample_names(model, state, logits, 1.0, torch.rand(5, 3), np.array([2, 3, 2]))
    assert samples.names == [["two"]] * 3
    assert samples.valid.all() and samples.correct.tolist() == [True, False, True]
    assert samples.valid_share == 1.0 and samples.correct_share == pytest.approx(2 / 3)
    with pytest.raises(LessonError, match="uniforms"):
        lm.sample_names(model, state, logits, 1.0, torch.rand(5, 4))


def test_build_model_sets_the_forget_bias_and_train_model_is_reproducible():
    config = dataclasses.replace(lm.MODELS["lstm_reg"], hidden_size=8, batch_size=4, bptt=6, steps=3)
    torch.manual_seed(0)
    model = lm.build_model(config)
    assert torch.all(model.rnn.bias_ih_l0[8:16] == config.forget_bias) and torch.all(model.rnn.bias_hh_l0[8:16] == 0)
    assert config.label() == "LSTM + dropout 0.1, tied, AR 2" and lm.MODELS["rnn"].label() == "RNN"
    assert lm.MODELS["rnn_lr3e-3"].label() == "RNN + lr 0.003"
    ids = nw.encode(nw.corpus(1, 200))
    split = nw.split_stream(ids, 0.2)
    a = lm.train_model(config, split.train, split.valid, seed=3, eval_every=2)
    b = lm.train_model(config, split.train, split.valid, seed=3, eval_every=2)
    assert a.history.loss == b.history.loss and a.history.eval_step == [0, 2, 3]
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))


def test_generate_at_a_low_temperature_is_greedy_and_a_seed_repeats():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").eval()
    prompt = nw.encode(nw.corpus(1, 5))
    words = lm.generate(model, prompt, 12, 1e-3, seed=0)
    ids, state = torch.from_numpy(prompt)[None], None
    greedy = []
    with torch.no_grad():
        logits, state = model(ids)
        for _ in range(12):
            token = int(logits[0, -1].argmax())
            greedy.append(nw.VOCAB[token])
            logits, state = model(torch.tensor([[token]]), state)
    assert words == greedy
    assert lm.generate(model, prompt, 12, 2.0, seed=3) == lm.generate(model, prompt, 12, 2.0, seed=3)
    with pytest.raises(LessonError, match="prompt"):
        lm.generate(model, [], 3, 1.0)


def test_name_prompts_read_the_stream_with_the_state_carried():
    torch.manual_seed(0)
    model = lm.WordLM(V, 8, "lstm").eval()
    ids = nw.encode(nw.corpus(1, 60))
    prompts = lm.name_prompts(model, ids, 5, skip=20)
    ends = np.flatnonzero(ids == nw.INDEX[nw.SEP])
    ends = ends[ends >= 20][np.linspace(0, len(ends[ends >= 20]) - 1, 5).round().astype(int)]
    with torch.no_grad():
        out, _ = model(torch.from_numpy(ids)[None])  # the whole stream in one call
    assert torch.allclose(prompts.logits, out[0, ends], atol=1e-5), "each prompt's logits: the stream read up to there"
    numbers = [nw.parse_name(nw.names_in(nw.decode(ids[:e + 1]))[-1]) for e in ends]
    assert prompts.expected.tolist() == [n + 1 for n in numbers]
    assert prompts.state[0].shape == (1, 5, 8)
    with pytest.raises(LessonError, match="count should be at most"):
        lm.name_prompts(model, ids, 500)


def test_bad_inputs_are_explained():
    model = lm.WordLM(V, 4, "lstm")
    with pytest.raises(LessonError, match="torch.long"):
        model(torch.zeros(2, 3))
    with pytest.raises(LessonError, match="both \\(B, T\\)"):
        lm.lm_loss(model, (tokens(), tokens(T=6)))
    with pytest.raises(LessonError, match="batchify"):
        lm.evaluate(model, np.arange(10))
    with pytest.raises(LessonError, match="batchify"):
        lm.stream_batches(np.arange(10), 3)
    with pytest.raises(LessonError, match="kind"):
        lm.WordLM(V, 4, "gru")
