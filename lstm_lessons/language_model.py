"""Notebook 09's word-level language model: embedding, one recurrent layer, a linear decoder, and its regularisers.

What this is:
- `WordLM`: tokens (B, T) -> next-token logits (B, T, V), carrying the recurrent state between calls.
  kind "rnn" (nn.RNN, tanh) or "lstm" (nn.LSTM); dropout on the embeddings and on the layer's output
  (Zaremba et al., 2014: dropout on the non-recurrent connections only); `tie_weights=True` makes the
  decoder use the embedding matrix (Press and Wolf, 2017; Inan et al., 2017), which needs the
  embedding size equal to the hidden size.
- `lm_loss`: cross-entropy plus activation regularisation (AR, alpha * mean(h_dropped^2)) and temporal
  activation regularisation (TAR, beta * mean((h_t - h_(t-1))^2)), introduced by Merity, McCann and
  Socher (2017), "Revisiting Activation Regularization for Language RNNs", and used as in Merity,
  Keskar and Socher (2018), "Regularizing and Optimizing LSTM Language Models": AR on the dropped-out
  output of the layer, TAR on the output before dropout. It returns (loss, state) for `train.Trainer(stateful=True)`.
- `LMConfig`, `MODELS`, `build_model`, `stream_batches`, `train_model`: the notebook's three models
  (and the benchmark's ablations) and their stateful training with truncated BPTT through
  `train.Trainer(stateful=True, reset_state_every=...)`, as benchmarks/language_model.py runs it.
- `evaluate`: next-token accuracy and cross-entropy over a held-out stream, read statefully in windows.
- `lstm_trace`: h, c and the gates of a trained WordLM's LSTM at every step of a text (nn.LSTM keeps
  only the last c; this reruns the same weights step by step).
- `softmax_t`, `generate`: the distribution at temperature T, softmax(logits / T), and text sampled from it.
- `name_prompts`, `sample_names`: the state after each of many names of a stream, and one next name
  sampled after each at temperature T, with common random numbers, so that the samples at two
  temperatures differ only where the temperature changes them; each judged by number_words' grammar.
What this is not: AWD-LSTM. No weight drop on the recurrent matrix, no variational (locked) dropout
masks, no averaged SGD, one layer only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from . import number_words
from ._validate import LessonError, check_choice, check_number, check_positive_int
from .train import Trainer

KINDS = ("rnn", "lstm")


class WordLM(nn.Module):
    """Embedding -> dropout -> nn.RNN or nn.LSTM -> dropout -> linear decoder: tokens (B, T) to logits (B, T, V)."""

    def __init__(self, vocab_size: int, hidden_size: int, kind: str = "lstm", embed_size: int | None = None,
                 dropout: float = 0.0, tie_weights: bool = False):
        super().__init__()
        self.kind = check_choice(kind, "kind", KINDS)
        self.vocab_size = check_positive_int(vocab_size, "vocab_size", minimum=2)
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.embed_size = hidden_size if embed_size is None else check_positive_int(embed_size, "embed_size")
        self.dropout = check_number(dropout, "dropout", low=0.0, high=0.95)
        if tie_weights and self.embed_size != self.hidden_size:
            raise LessonError(f"tie_weights=True needs embed_size == hidden_size, since the decoder reuses the "
                              f"(V, E) embedding as its (V, H) weight; got embed_size {self.embed_size}, "
                              f"hidden_size {self.hidden_size}. Leave embed_size out, or add a projection.")
        self.tie_weights = bool(tie_weights)
        self.embedding = nn.Embedding(self.vocab_size, self.embed_size)  # weight (V, E)
        layer = nn.LSTM if self.kind == "lstm" else nn.RNN
        self.rnn = layer(self.embed_size, self.hidden_size, batch_first=True)
        self.drop = nn.Dropout(self.dropout)
        self.decoder = nn.Linear(self.hidden_size, self.vocab_size)  # weight (V, H)
        if self.tie_weights:
            self.decoder.weight = self.embedding.weight  # one Parameter, used twice: (V, H) = (V, E)

    def forward(self, x: Tensor, state=None, return_hidden: bool = False):
        """x (B, T) token ids -> logits (B, T, V), state; with return_hidden also (h, h_dropped), each (B, T, H)."""
        if not isinstance(x, Tensor) or x.dim() != 2 or x.dtype != torch.long:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            dtype = x.dtype if isinstance(x, Tensor) else ""
            raise LessonError(f"x should be a (B, T) tensor of token ids, dtype torch.long; got {shape} {dtype}. "
                              "For one sequence use x[None]; for NumPy ids use torch.from_numpy(ids).")
        e = self.drop(self.embedding(x))  # (B, T, E)
        h, state = self.rnn(e, state)  # (B, T, H); state h_n (1, B, H), or (h_n, c_n) for the LSTM
        h_dropped = self.drop(h)  # (B, T, H)
        logits = self.decoder(h_dropped)  # (B, T, V)
        return (logits, state, (h, h_dropped)) if return_hidden else (logits, state)


def lm_loss(model: WordLM, batch, state=None, alpha: float = 0.0, beta: float = 0.0):
    """Cross-entropy of next-token logits + alpha * mean(h_dropped^2) + beta * mean((h_t - h_(t-1))^2): (loss, state)."""
    x, y = batch  # (B, T), (B, T): targets are the inputs shifted by one
    if not isinstance(y, Tensor) or y.shape != x.shape:
        shape = tuple(y.shape) if isinstance(y, Tensor) else type(y).__name__
        raise LessonError(f"the batch should be (x, y), both (B, T) token ids, y the next token after each of x; got "
                          f"x {tuple(x.shape)} and y {shape}.")
    logits, state, (h, h_dropped) = model(x, state, return_hidden=True)
    # cross-entropy: -mean over B*T of log softmax(logits)[target]
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    if alpha:
        # AR: alpha * mean(h_dropped^2), on the dropped-out output (Merity et al., 2018)
        loss = loss + alpha * h_dropped.pow(2).mean()
    if beta:
        # TAR: beta * mean((h_t - h_(t-1))^2), on the output before dropout
        loss = loss + beta * (h[:, 1:] - h[:, :-1]).pow(2).mean()
    return loss, state


def loss_with(alpha: float = 0.0, beta: float = 0.0):
    """lm_loss with alpha and beta fixed: the loss_fn(model, batch, state) that Trainer(stateful=True) calls."""
    alpha, beta = check_number(alpha, "alpha", low=0.0), check_number(beta, "beta", low=0.0)

    def loss_fn(model, batch, state):
        return lm_loss(model, batch, state, alpha, beta)

    return loss_fn


def stream_batches(rows: np.ndarray, bptt: int, device=None):
    """The function step -> window (x, y) that Trainer.fit calls: windows of rows (B, L) in order, then again."""
    rows = np.asarray(rows)
    if rows.ndim != 2:
        raise LessonError(f"rows should be the stream laid out in rows, (B, L) (number_words.batchify); got shape "
                          f"{rows.shape}.")
    count = number_words.n_windows(rows, bptt)
    if count < 1:
        raise LessonError(f"rows of {rows.shape[1]} tokens hold no window of {bptt} steps; use a smaller bptt.")
    data = torch.from_numpy(np.ascontiguousarray(rows)).long()  # (B, L)
    if device is not None:
        data = data.to(device)

    def batch(step: int):
        start = (step % count) * bptt
        return data[:, start:start + bptt], data[:, start + 1:start + bptt + 1]  # (B, T), (B, T)

    batch.windows = count
    return batch


@dataclass(frozen=True)
class LMConfig:
    """One model and its training: what notebook 09 and benchmarks/language_model.py train."""

    kind: str = "lstm"  # "rnn" or "lstm"
    hidden_size: int = 64  # H, and the embedding size E (so that weights can be tied)
    dropout: float = 0.0  # on the embeddings and on the layer's output
    tie_weights: bool = False  # the decoder reuses the embedding matrix
    alpha: float = 0.0  # AR: alpha * mean(h_dropped^2)
    beta: float = 0.0  # TAR: beta * mean((h_t - h_(t-1))^2)
    forget_bias: float = 1.0  # the LSTM's forget-gate bias at the start (notebook 05); ignored by the RNN
    batch_size: int = 64  # B parallel rows of the stream
    bptt: int = 32  # T steps per window: the gradient reaches back at most this far
    lr: float = 1e-2  # Adam's learning rate
    clip: float = 1.0  # the largest gradient norm
    steps: int = 700  # updates

    def label(self) -> str:
        """A short name: "RNN", "LSTM" or "LSTM + dropout 0.1, tied, AR 2" (and the learning rate if not 0.01)."""
        parts = [f"dropout {self.dropout:g}"] if self.dropout else []
        parts += ["tied"] if self.tie_weights else []
        parts += [f"AR {self.alpha:g}"] if self.alpha else []
        parts += [f"TAR {self.beta:g}"] if self.beta else []
        parts += [f"lr {self.lr:g}"] if self.lr != LMConfig.lr else []
        return self.kind.upper() + (" + " + ", ".join(parts) if parts else "")


def build_model(config: LMConfig, vocab_size: int = len(number_words.VOCAB)) -> WordLM:
    """A fresh WordLM for `config` (draws its weights from torch's generator), forget-gate bias set for an LSTM."""
    model = WordLM(vocab_size, config.hidden_size, config.kind, dropout=config.dropout,
                   tie_weights=config.tie_weights)
    if config.kind == "lstm":
        H = config.hidden_size
        with torch.no_grad():  # rows H:2H are the forget gate's (PyTorch's order i, f, g, o)
            model.rnn.bias_ih_l0[H:2 * H] = config.forget_bias
            model.rnn.bias_hh_l0[H:2 * H] = 0.0
    return model


def train_model(config: LMConfig, train_ids, valid_ids, seed: int = 0, eval_every: int | None = 100,
                progress: bool = False, device=None) -> Trainer:
    """Seed torch, build the model, and train it statefully on the stream train_ids; returns the Trainer.

    The held-out stream valid_ids is read in 10 rows; eval_fn records its next-token "accuracy" and "loss".
    """
    config = config if isinstance(config, LMConfig) else LMConfig(**config)
    torch.manual_seed(seed)
    model = build_model(config)
    rows = number_words.batchify(train_ids, config.batch_size)  # (B, L)
    valid_rows = number_words.batchify(valid_ids, 10)  # (10, L_valid)
    batches = stream_batches(rows, config.bptt)

    def eval_fn(m):
        result = evaluate(m, valid_rows)
        return {"accuracy": result.accuracy, "loss": result.loss}

    trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=config.lr), loss_with(config.alpha, config.beta),
                      clip=config.clip, device=device, eval_fn=eval_fn if eval_every else None,
                      eval_every=eval_every or None, stateful=True, reset_state_every=batches.windows,
                      progress=progress)
    trainer.fit(batches, config.steps)
    return trainer


@dataclass
class Evaluation:
    """Next-token accuracy and mean cross-entropy over a stream, with every prediction and target (row-major)."""

    accuracy: float
    loss: float
    predictions: np.ndarray  # (B, L') the argmax token after each input
    targets: np.ndarray  # (B, L')


@torch.no_grad()
def evaluate(model: WordLM, rows: np.ndarray, bptt: int = 200) -> Evaluation:
    """Read rows (B, L) in windows of `bptt`, carrying the state; accuracy and loss of the next-token predictions."""
    rows = np.asarray(rows)
    if rows.ndim != 2 or rows.shape[1] < 2:
        raise LessonError(f"rows should be a stream laid out in rows, (B, L) with L >= 2 (number_words.batchify); "
                          f"got shape {rows.shape}.")
    bptt = check_positive_int(bptt, "bptt")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    data = torch.as_tensor(np.ascontiguousarray(rows), dtype=torch.long, device=device)  # (B, L)
    state, preds, losses = None, [], []
    for start in range(0, data.shape[1] - 1, bptt):
        x = data[:, start:start + bptt]
        y = data[:, start + 1:start + bptt + 1]
        x = x[:, :y.shape[1]]  # the last window: as many inputs as targets
        logits, state = model(x, state)  # (B, T, V)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"))
        preds.append(logits.argmax(-1))
    model.train(was_training)
    predictions = torch.cat(preds, dim=1).cpu().numpy()  # (B, L - 1)
    targets = data[:, 1:].cpu().numpy()
    return Evaluation(float((predictions == targets).mean()), float(sum(losses)) / targets.size, predictions,
                      targets)


@dataclass
class LSTMTrace:
    """What an LSTM layer computed at every step of one text: h, c and the gates i, f, g, o, each (T, H)."""

    h: np.ndarray
    c: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray


@torch.no_grad()
def lstm_trace(model: WordLM, ids) -> LSTMTrace:
    """Run a WordLM's LSTM over token ids (T,) from a zero state, step by step, keeping h, c and the gates."""
    if model.kind != "lstm":
        raise LessonError(f"lstm_trace needs a WordLM of kind 'lstm' (it reads the cell state); got {model.kind!r}.")
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if ids.dim() != 1:
        raise LessonError(f"ids should be one text, (T,) token ids; got shape {tuple(ids.shape)}.")
    rnn, H = model.rnn, model.hidden_size
    W_ih, W_hh = rnn.weight_ih_l0.detach().cpu(), rnn.weight_hh_l0.detach().cpu()  # (4H, E), (4H, H)
    b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().cpu()  # (4H,)
    e = model.embedding.weight.detach().cpu()[ids]  # (T, E): eval mode, no dropout
    xw = e @ W_ih.T + b  # (T, 4H): the input projections of every step at once
    h, c = torch.zeros(H), torch.zeros(H)
    out = {k: [] for k in ("h", "c", "i", "f", "g", "o")}
    for t in range(len(ids)):
        z = xw[t] + W_hh @ h  # (4H,), gate blocks i, f, g, o
        i, f, o = torch.sigmoid(z[:H]), torch.sigmoid(z[H:2 * H]), torch.sigmoid(z[3 * H:])
        g = torch.tanh(z[2 * H:3 * H])
        # c_t = f * c_(t-1) + i * g;  h_t = o * tanh(c_t)
        c = f * c + i * g
        h = o * torch.tanh(c)
        for k, v in (("h", h), ("c", c), ("i", i), ("f", f), ("g", g), ("o", o)):
            out[k].append(v)
    return LSTMTrace(**{k: torch.stack(v).numpy() for k, v in out.items()})


def softmax_t(logits: Tensor, temperature: float) -> Tensor:
    """softmax(logits / T) over the last axis; T -> 0 puts all mass on the largest logit."""
    temperature = check_number(temperature, "temperature", low=1e-3)
    return torch.softmax(logits / temperature, dim=-1)


@dataclass
class Samples:
    """Sampled names: the words of each (a list per stream) and whether it is a valid name and the right next one."""

    names: list
    valid: np.ndarray  # (N,) bool
    correct: np.ndarray  # (N,) bool: the number right after the one the prompt ended with

    @property
    def valid_share(self) -> float:
        return float(self.valid.mean())

    @property
    def correct_share(self) -> float:
        return float(self.correct.mean())


@dataclass
class Prompts:
    """Streams ready to continue: the state after each prompt, the next-token logits there, the right next number."""

    state: tuple  # (h, c), each (1, N, H), or h (1, N, H) for an RNN
    logits: Tensor  # (N, V)
    expected: np.ndarray  # (N,) the number after the prompt's last name
    text: list  # (N,) the last words of each prompt (up to 17)


@torch.no_grad()
def name_prompts(model: WordLM, ids, count: int, skip: int = 100) -> Prompts:
    """The model reads the stream `ids` from a zero state; a prompt ends at each of `count` separators spread
    evenly over it (none in the first `skip` tokens, so every prompt has context): the state there, and more."""
    ids = np.asarray(ids)
    count = check_positive_int(count, "count")
    skip = check_positive_int(skip, "skip", minimum=0)
    seps = np.flatnonzero(ids == number_words.INDEX[number_words.SEP])
    seps = seps[seps >= skip]
    if len(seps) < count:
        raise LessonError(f"count should be at most {len(seps)}, the separators in ids after the first {skip} "
                          f"tokens; got {count}.")
    ends = seps[np.linspace(0, len(seps) - 1, count).round().astype(int)]  # (N,) positions of the prompts' ends
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    data = torch.from_numpy(ids).long().to(device)
    state, states, logits, start = None, [], [], 0
    for end in ends:  # read up to each prompt's end, carrying the state: one stream, cut where a prompt ends
        out, state = model(data[start:end + 1][None], state)  # (1, T, V)
        states.append(state)
        logits.append(out[0, -1])
        start = end + 1
    model.train(was_training)
    if isinstance(state, tuple):
        state = tuple(torch.cat([s[k] for s in states], dim=1) for k in range(len(state)))  # each (1, N, H)
    else:
        state = torch.cat(states, dim=1)
    expected, text = [], []
    for end in ends:
        before = number_words.decode(ids[max(0, end - 16):end + 1])
        names = number_words.names_in(before)
        last = number_words.parse_name(names[-1]) if names else None
        expected.append(-1 if last is None or last >= number_words.LARGEST else last + 1)
        text.append(before)
    return Prompts(state, torch.stack(logits).cpu(), np.array(expected), text)


@torch.no_grad()
def sample_names(model: WordLM, state, logits: Tensor, temperature: float, uniforms: Tensor,
                 expected=None) -> Samples:
    """Sample one name per stream at `temperature`, until the separator or uniforms' last step.

    state: the state after each stream's prompt (batch N); logits (N, V): the next-token logits there;
    uniforms (steps, N) in [0, 1): the random numbers, drawn once, so that every temperature uses the same
    ones (a token is the first whose cumulative probability passes u); expected (N,): the right next numbers.
    """
    temperature = check_number(temperature, "temperature", low=1e-3)
    if uniforms.dim() != 2 or uniforms.shape[1] != logits.shape[0]:
        raise LessonError(f"uniforms should be (steps, N) with N = {logits.shape[0]} streams; "
                          f"got {tuple(uniforms.shape)}.")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits, uniforms = logits.to(device), uniforms.to(device)
    sep = number_words.INDEX[number_words.SEP]
    N = logits.shape[0]
    done = torch.zeros(N, dtype=torch.bool, device=device)
    tokens = []
    for u in uniforms:  # (N,)
        p = softmax_t(logits, temperature)  # (N, V)
        cdf = p.cumsum(-1)  # (N, V)
        token = torch.searchsorted(cdf, u[:, None].to(cdf.dtype).clamp(max=1 - 1e-7)).squeeze(1)  # (N,)
        token = token.clamp(max=logits.shape[-1] - 1)
        token = torch.where(done, torch.full_like(token, sep), token)
        tokens.append(token)
        done |= token == sep
        if bool(done.all()):
            break
        out, state = model(token[:, None], state)  # (N, 1, V)
        logits = out[:, 0]
    model.train(was_training)
    grid = torch.stack(tokens, 1).cpu().numpy()  # (N, steps)
    names, valid, correct = [], np.zeros(N, bool), np.zeros(N, bool)
    for n, row in enumerate(grid):
        words = number_words.decode(row)
        ended = number_words.SEP in words
        name = words[:words.index(number_words.SEP)] if ended else words
        names.append(name)
        number = number_words.parse_name(name) if ended else None
        valid[n] = number is not None
        correct[n] = expected is not None and number is not None and number == expected[n]
    return Samples(names, valid, correct)


#: The share of the stream held out at its end: the numbers from 9532 on (notebook 09).
VALID_FRACTION = 0.05
#: The notebook's three models, trained on the same data with the same budget.
MODELS = {
    "rnn": LMConfig(kind="rnn"),
    "lstm": LMConfig(kind="lstm"),
    "lstm_reg": LMConfig(kind="lstm", dropout=0.1, tie_weights=True, alpha=2.0),
}
#: Each regulariser of "lstm_reg" alone (benchmarks/language_model.py --ablations).
ABLATIONS = {
    "lstm_dropout": LMConfig(kind="lstm", dropout=0.1),
    "lstm_tied": LMConfig(kind="lstm", tie_weights=True),
    "lstm_ar": LMConfig(kind="lstm", alpha=2.0),
    "rnn_lr3e-3": LMConfig(kind="rnn", lr=3e-3),  # the RNN with a smaller learning rate
}
MODELS.update(ABLATIONS)


@torch.no_grad()
def generate(model: WordLM, prompt, steps: int, temperature: float, seed: int = 0) -> list:
    """Read the prompt (token ids, (T,)), then write `steps` more tokens sampled from softmax(logits / T): words."""
    steps = check_positive_int(steps, "steps")
    temperature = check_number(temperature, "temperature", low=1e-3)
    prompt = torch.as_tensor(np.asarray(prompt), dtype=torch.long)
    if prompt.dim() != 1 or len(prompt) == 0:
        raise LessonError(f"prompt should be one text of token ids, (T,) with T >= 1; got shape {tuple(prompt.shape)}.")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    logits, state = model(prompt[None].to(device))  # (1, T, V)
    out = []
    for _ in range(steps):
        p = softmax_t(logits[0, -1].double().cpu(), temperature)  # (V,)
        token = int(torch.multinomial(p, 1, generator=generator))
        out.append(token)
        logits, state = model(torch.tensor([[token]], device=device), state)
    model.train(was_training)
    return number_words.decode(out)
