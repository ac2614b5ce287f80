"""The LSTM family of lstm_lessons.variants against its oracles: nn.LSTM, the pinned-gate LSTM, the NumPy cells."""

import numpy as np
import pytest
import torch

from lstm_lessons import LessonError, cells, variants
from lstm_lessons.modules import weights_from_torch

RNG = np.random.default_rng(0)


def _step_inputs(G, B=3, I=2, H=4, c=True):
    kw = dict(x=RNG.normal(size=(B, I)), h_prev=RNG.normal(size=(B, H)) * 0.5, W_ih=RNG.normal(size=(G * H, I)),
              W_hh=RNG.normal(size=(G * H, H)), b_ih=RNG.normal(size=G * H), b_hh=RNG.normal(size=G * H))
    if c:
        kw["c_prev"] = RNG.normal(size=(B, H))
    return kw


# --------------------------------------------------------------------------- NumPy derivation steps

def test_coupled_step_is_an_lstm_whose_forget_gate_is_one_minus_input():
    kw = _step_inputs(3)
    ours = variants.coupled_lstm_step(**kw)
    w = variants.coupled_as_lstm(kw["W_ih"], kw["W_hh"], kw["b_ih"], kw["b_hh"])
    ref = cells.lstm_step(kw["x"], kw["h_prev"], kw["c_prev"], w)
    for k in ("h", "c", "i", "f", "g", "o"):
        np.testing.assert_allclose(getattr(ours, k), getattr(ref, k), rtol=0, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(ours.f + ours.i, 1.0, atol=1e-15)


def test_merged_state_step_is_a_gru_with_the_reset_gate_pinned_open():
    kw = _step_inputs(2, c=False)
    ours = variants.merged_state_step(**kw)
    w = variants.merged_as_gru(kw["W_ih"], kw["W_hh"], kw["b_ih"], kw["b_hh"])
    for reset in ("after", "before"):  # with r = 1 both forms of the candidate agree
        ref = cells.gru_step(kw["x"], kw["h_prev"], w, reset=reset)
        np.testing.assert_array_equal(ref.r, 1.0)
        for k in ("h", "z", "n"):
            np.testing.assert_allclose(getattr(ours, k), getattr(ref, k), rtol=0, atol=1e-12, err_msg=k)


def test_merged_state_stays_in_minus_one_one():
    kw = _step_inputs(2, B=50, c=False)
    kw["W_hh"] *= 5
    h = np.tanh(kw["h_prev"])
    for _ in range(30):
        h = variants.merged_state_step(**dict(kw, h_prev=h)).h
        assert np.all(np.abs(h) <= 1.0)


def test_peephole_step_with_zero_peepholes_is_the_lstm_and_peepholes_matter():
    kw = _step_inputs(4)
    H = kw["h_prev"].shape[1]
    zero = variants.peephole_lstm_step(**kw, p_i=np.zeros(H), p_f=np.zeros(H), p_o=np.zeros(H))
    ref = cells.lstm_step(kw["x"], kw["h_prev"], kw["c_prev"], cells.Weights("lstm", kw["W_ih"], kw["W_hh"], kw["b_ih"],
                                                                              kw["b_hh"]))
    np.testing.assert_allclose(zero.h, ref.h, atol=1e-12)
    np.testing.assert_allclose(zero.c, ref.c, atol=1e-12)
    p = RNG.normal(size=(3, H))
    peep = variants.peephole_lstm_step(**kw, p_i=p[0], p_f=p[1], p_o=p[2])
    # i and f read c_{t-1}; o reads the new c
    a = kw["x"] @ kw["W_ih"].T + kw["b_ih"] + kw["h_prev"] @ kw["W_hh"].T + kw["b_hh"]
    np.testing.assert_allclose(peep.i, cells.sigmoid(a[:, :H] + p[0] * kw["c_prev"]), atol=1e-12)
    np.testing.assert_allclose(peep.o, cells.sigmoid(a[:, 3 * H:] + p[2] * peep.c), atol=1e-12)
    assert np.abs(peep.h - ref.h).max() > 1e-3


def test_step_shapes_are_explained():
    kw = _step_inputs(3)
    with pytest.raises(LessonError, match="3 blocks"):
        variants.coupled_lstm_step(**dict(kw, W_hh=np.zeros((16, 4))))
    with pytest.raises(LessonError, match="c_prev"):
        variants.coupled_lstm_step(**dict(kw, c_prev=None))
    with pytest.raises(LessonError, match="2 blocks"):
        variants.merged_state_step(**{k: v for k, v in kw.items() if k != "c_prev"})


# --------------------------------------------------------------------------- torch: the family

def _x(B=3, T=6, I=2):
    return torch.randn(B, T, I, dtype=torch.float64)


def test_vanilla_variant_equals_nn_lstm_with_copied_weights():
    torch.manual_seed(1)
    theirs = torch.nn.LSTM(2, 5, batch_first=True).double()
    ours = variants.LSTMVariant(2, 5).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ours, name).copy_(getattr(theirs, name + "_l0"))
    x = _x()
    out, (h, c) = ours(x)
    ref, (h_ref, c_ref) = theirs(x)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(c, c_ref[0], rtol=0, atol=1e-12)
    out.pow(2).sum().backward()
    ref.pow(2).sum().backward()
    torch.testing.assert_close(ours.weight_hh.grad, theirs.weight_hh_l0.grad, rtol=1e-10, atol=1e-12)


def _pinned(variant, module):
    """A vanilla LSTMVariant holding module's weights, with the missing gate pinned or tied by hand."""
    H = module.hidden_size
    vanilla = variants.LSTMVariant(module.input_size, H).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            blocks = dict(zip(module.gates, getattr(module, name).split(H)))
            if variant == "cifg":
                blocks["f"] = -blocks["i"]
            for gate in "fo":
                blocks.setdefault(gate, torch.full_like(blocks["i"], 50.0 if name == "bias_hh" else 0.0))
            getattr(vanilla, name).copy_(torch.cat([blocks[g] for g in "ifgo"]))
    return vanilla


@pytest.mark.parametrize("variant", ["cifg", "nfg", "nog"])
def test_each_variant_is_the_vanilla_lstm_with_a_gate_pinned(variant):
    torch.manual_seed(2)
    module = variants.LSTMVariant(2, 4, variant).double()
    x = _x()
    out, (h, c) = module(x)
    ref, (h_ref, c_ref) = _pinned(variant, module)(x)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(c, c_ref, rtol=0, atol=1e-12)
    # and it is not the vanilla LSTM with these weights read as four gates
    assert (out - variants.LSTMVariant(2, 4).double()(x)[0]).abs().max() > 1e-3


@pytest.mark.parametrize("variant", ["vanilla", "cifg", "nfg", "nog"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_the_nn_lstm_kernel_computes_the_loop_and_its_gradients(variant, dtype):
    torch.manual_seed(3)
    loop = variants.LSTMVariant(2, 4, variant).to(dtype)
    fast = variants.LSTMVariant(2, 4, variant, kernel="nn.LSTM").to(dtype)
    fast.load_state_dict(loop.state_dict())
    assert [n for n, _ in fast.named_parameters()] == [n for n, _ in loop.named_parameters()]
    x = _x().to(dtype)
    state = (torch.randn(3, 4, dtype=dtype), torch.randn(3, 4, dtype=dtype))
    tol = dict(rtol=0, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
    a, (ha, ca) = loop(x, state)
    b, (hb, cb) = fast(x, state)
    torch.testing.assert_close(a, b, **tol)
    torch.testing.assert_close(ca, cb, **tol)
    (a.sum() + ca.sum()).backward()
    (b.sum() + cb.sum()).backward()
    for (name, p), q in zip(loop.named_parameters(), fast.parameters()):
        torch.testing.assert_close(p.grad, q.grad, **(tol if dtype == torch.float64 else dict(rtol=1e-4, atol=1e-5)),
                                   msg=name)


def test_as_lstm_is_an_nn_lstm_computing_the_variant():
    module = variants.LSTMVariant(3, 4, "nog").double()
    x = _x(I=3)
    torch.testing.assert_close(module.as_lstm()(x)[0], module(x)[0], rtol=0, atol=1e-12)
    o = torch.sigmoid(torch.tensor(variants.PIN, dtype=torch.float32))
    assert o.item() == 1.0, "the pin makes the sigmoid exactly 1 in float32"


def test_peephole_module_matches_the_numpy_step():
    torch.manual_seed(4)
    module = variants.LSTMVariant(2, 3, "peephole").double()
    x = _x(B=2, T=5)
    out, (h, c) = module(x)
    w = {n: p.detach().numpy() for n, p in module.named_parameters()}
    h_np, c_np = np.zeros((2, 3)), np.zeros((2, 3))
    for t in range(5):
        s = variants.peephole_lstm_step(x[:, t].numpy(), h_np, c_np, w["weight_ih"], w["weight_hh"], w["bias_ih"],
                                        w["bias_hh"], *w["weight_peep"])
        h_np, c_np = s.h, s.c
        np.testing.assert_allclose(out[:, t].detach().numpy(), h_np, atol=1e-12)
    np.testing.assert_allclose(c.detach().numpy(), c_np, atol=1e-12)


def test_parameter_counts_are_what_the_modules_hold():
    for variant in variants.VARIANTS:
        module = variants.LSTMVariant(3, 7, variant)
        assert sum(p.numel() for p in module.parameters()) == variants.num_params(variant, 3, 7)
    assert variants.num_params("gru", 3, 7) == sum(p.numel() for p in torch.nn.GRU(3, 7).parameters())
    assert variants.num_params("vanilla", 3, 7) == sum(p.numel() for p in torch.nn.LSTM(3, 7).parameters())


def test_bad_arguments_are_explained():
    with pytest.raises(LessonError, match="variant should be one of"):
        variants.LSTMVariant(2, 3, "gru")
    with pytest.raises(LessonError, match="peepholes"):
        variants.LSTMVariant(2, 3, "peephole", kernel="nn.LSTM")
    with pytest.raises(LessonError, match="batch first|shape"):
        variants.LSTMVariant(2, 3)(torch.randn(4, 5, 3))
    with pytest.raises(LessonError, match="peephole LSTM is not"):
        variants.LSTMVariant(2, 3, "peephole").lstm_weights()


# --------------------------------------------------------------------------- training

def test_training_is_reproducible_and_records_its_seed():
    torch.set_num_threads(1)
    a = variants.train_adding("gru", seed=5, updates=6, eval_every=3, T=10, test_size=50)
    b = variants.train_adding("gru", seed=5, updates=6, eval_every=3, T=10, test_size=50)
    assert a.seed == 5 and a.steps == [0, 3, 6]
    assert a.test_mse == b.test_mse
    c = variants.train_adding("gru", seed=6, updates=6, eval_every=3, T=10, test_size=50)
    assert c.test_mse != a.test_mse
    rec = a.record()
    assert rec["seed"] == 5 and len(rec["test_mse"]) == 3


@pytest.mark.parametrize("model", variants.MODELS)
def test_every_model_trains_and_learns_something(model):
    torch.set_num_threads(1)
    run = variants.train_adding(model, seed=0, updates=30, eval_every=30, T=5, test_size=200, lr=0.02)
    assert run.final_mse < run.test_mse[0], "30 updates on 5-step sequences lower the test error"
    assert isinstance(run.net.rnn, torch.nn.GRU if model == "gru" else variants.LSTMVariant)


def test_the_gru_model_is_nn_gru_so_the_numpy_cells_reproduce_it():
    torch.set_num_threads(1)
    run = variants.train_adding("gru", seed=1, updates=3, T=8, test_size=20)
    wt = weights_from_torch(run.net.rnn)
    h = cells.gru_forward(run.test.x, wt).h_n  # (B, H)
    head = run.net.head
    pred = h @ head.weight.detach().double().numpy().T + head.bias.detach().double().numpy()
    with torch.no_grad():
        ref = run.net(torch.from_numpy(run.test.x).float()).double().numpy()
    np.testing.assert_allclose(pred, ref, atol=1e-4)


# --------------------------------------------------------------------------- hand-set cells, run_steps, the results file

def test_run_steps_collects_every_output_and_matches_the_package_loops():
    xs = variants.store_add_sequence(seed=3)
    w = cells.init_weights("gru", 3, 2, seed=0)
    out = variants.run_steps(lambda x, h_prev, **k: cells.gru_step(x, h_prev, cells.Weights("gru", **k)), xs,
                             w.arrays())
    ref = cells.gru_forward(xs, w)
    for k in ("h", "r", "z", "n"):
        np.testing.assert_allclose(out[k], getattr(ref, k), atol=1e-12)
    lw = cells.init_weights("lstm", 3, 2, seed=1)
    out = variants.run_steps(lambda x, h_prev, c_prev, **k: cells.lstm_step(x, h_prev, c_prev, cells.Weights("lstm", **k)),
                             xs, lw.arrays(), cell_state=True)
    np.testing.assert_allclose(out["c"], cells.lstm_forward(xs, lw).c, atol=1e-12)
    with pytest.raises(LessonError, match="one-step function"):
        variants.run_steps(None, xs, w.arrays())


def test_run_gru_without_overrides_is_cells_gru_forward_in_both_forms():
    xs = RNG.normal(size=(3, 6, 3))
    w = cells.init_weights("gru", 3, 4, seed=2)
    for reset in ("after", "before"):
        np.testing.assert_allclose(variants.run_gru(xs, w, reset=reset).h, cells.gru_forward(xs, w, reset=reset).h,
                                   atol=1e-12)
    forced = variants.run_gru(xs, w, {"z": 1.0})
    np.testing.assert_array_equal(forced.h, 0.0)
    with pytest.raises(LessonError, match=r"\[0, 1\]"):
        variants.run_gru(xs, w, {"r": 2.0})
    with pytest.raises(LessonError, match="should be one of"):
        variants.run_gru(xs, w, {"f": 0.5})


@pytest.mark.parametrize("seed", range(5))
def test_hand_set_cells_do_their_jobs(seed):
    xs = variants.store_add_sequence(seed=seed)
    v = xs[0, :, 0]
    assert np.all(np.abs(v[[2, 6, 9]]) >= 0.3)
    coupled = variants.run_steps(variants.coupled_lstm_step, xs, variants.handset("coupled"), cell_state=True)
    np.testing.assert_allclose(coupled["c"][0, 2:6, 0], np.tanh(v[2]), atol=1e-3)
    h = variants.run_gru(xs, cells.Weights("gru", **variants.handset("gru"))).h[0, :, 0]
    np.testing.assert_allclose(h[6:9], np.tanh(v[6]), atol=1e-3)
    np.testing.assert_allclose(h[9], np.tanh(v[9] + h[8]), atol=1e-3)
    m0 = variants.run_steps(variants.merged_state_step, xs, variants.handset("merged", read_old=0.0))["h"][0, :, 0]
    m1 = variants.run_steps(variants.merged_state_step, xs, variants.handset("merged", read_old=1.0))["h"][0, :, 0]
    assert abs(m0[9] - np.tanh(v[9] + m0[8])) > 0.05 and abs(m1[6] - np.tanh(v[6])) > 0.05


def test_store_add_sequence_checks_its_steps():
    with pytest.raises(LessonError, match="between 0 and T - 1"):
        variants.store_add_sequence(T=5, store=(7,))
    with pytest.raises(LessonError, match="both STORE and ADD"):
        variants.store_add_sequence(store=(2,), add=(2,))
    with pytest.raises(LessonError, match="stage should be one of"):
        variants.handset("lstm")


def test_results_file_helpers(tmp_path):
    runs = [{"seed": 0, "steps": [0, 100, 200], "test_mse": [1.0, 0.005, 0.001]},
            {"seed": 1, "steps": [0, 100, 200], "test_mse": [1.0, 0.2, 0.15]}]
    s = variants.summarize(runs, 0.01)
    np.testing.assert_array_equal(s["solved_at"], [100.0, np.inf])
    np.testing.assert_array_equal(s["final"], [0.001, 0.15])
    assert s["curves"].shape == (2, 3)
    path = tmp_path / "r.json"
    path.write_text('{"runs": {"gru": []}}')
    assert variants.family_results(path) == {"runs": {"gru": []}}
    with pytest.raises(LessonError, match="no results file"):
        variants.family_results(tmp_path / "missing.json")
    with pytest.raises(LessonError, match="empty list"):
        variants.summarize([], 0.01)
