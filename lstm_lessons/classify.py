"""Sequence classification, notebook 10: a task made in code, padding, packing, masking, and the classifier.

What this is: `ends_task`, a task where both ends of a sequence matter ("is the last token larger
than the first?"), with sequences of different lengths padded with the token id PAD = 0, and what
trivial models score on it (`majority_accuracy`, `one_end_accuracy`); `pad`, sequences of token
ids into one padded array and their lengths; `final_states`, the last layer's forward and backward
states out of an nn.LSTM's h_n; `length_mask`, `masked_mean` and `masked_max`, pooling over time
that ignores the padding; `Classifier`, an embedding, a stacked (bidirectional) nn.LSTM read packed,
dropout on the combined final state and a linear head; and the pieces `train.Trainer` needs
(`make_batches`, `loss_fn`, `evaluator`).
What this is not: a text-classification library. No tokenizer, vocabulary or real data; nothing
here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from ._validate import LessonError, as_generator, check_number, check_positive_int
from .train import count_parameters

#: The token id that fills a batch after each sequence's end; real tokens are 1, 2, ..., tokens.
PAD = 0


# --------------------------------------------------------------------------- the task

@dataclass
class EndsTask:
    """n sequences of token ids, padded: x (B, T), lengths (B,), labels y (B,), 1 where the last token is larger."""

    x: np.ndarray  # (B, T) int64, PAD after each sequence's end
    lengths: np.ndarray  # (B,) int64, each sequence's true length
    y: np.ndarray  # (B,) int64: 1 if the last token is larger than the first, else 0
    tokens: int  # how many real tokens there are: ids 1..tokens

    def sequences(self) -> list:
        """The sequences without their padding, as a list of 1-D int arrays."""
        return [row[:n] for row, n in zip(self.x, self.lengths)]


def ends_task(n: int, min_length: int = 5, max_length: int = 40, tokens: int = 9, seed=None) -> EndsTask:
    """n sequences: is the last token larger than the first? (introduced in 10)

    Each sequence has a length drawn uniformly from min_length..max_length and tokens drawn uniformly
    from 1..tokens. Its first and last tokens are two different tokens, the larger one at the end for
    label 1 and at the start for label 0; the tokens between them are noise. The labels are balanced:
    exactly n // 2 of them are 1, in random order, so the majority class scores 1/2 (n even).
    """
    n = check_positive_int(n, "n")
    min_length = check_positive_int(min_length, "min_length", minimum=2)
    max_length = check_positive_int(max_length, "max_length", minimum=2)
    if max_length < min_length:
        raise LessonError(f"max_length should be at least min_length = {min_length}; got max_length = {max_length}. "
                          "Did you swap them?")
    K = check_positive_int(tokens, "tokens", minimum=2)
    rng = as_generator(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)  # (B,)
    x = rng.integers(1, K + 1, size=(n, max_length))  # (B, T): noise tokens 1..K
    x[np.arange(max_length)[None, :] >= lengths[:, None]] = PAD  # padding after each end
    y = rng.permutation(np.arange(n) % 2)  # (B,): balanced labels in random order
    a = rng.integers(1, K + 1, size=n)  # two different tokens a != b, every ordered pair equally likely
    b = rng.integers(1, K, size=n)
    b = b + (b >= a)
    low, high = np.minimum(a, b), np.maximum(a, b)
    rows = np.arange(n)
    # label 1: the larger token last; label 0: the larger token first
    x[rows, 0] = np.where(y == 1, low, high)
    x[rows, lengths - 1] = np.where(y == 1, high, low)
    return EndsTask(x.astype(np.int64), lengths.astype(np.int64), y.astype(np.int64), K)


def one_end_accuracy(tokens: int) -> float:
    """The best accuracy on ends_task from one end alone (either one): the Bayes rule for the last token, say.

    Seeing only the last token v, a model does best to answer 1 ("v is the larger") when more of the
    other tokens lie below v than above: v - 1 of them lie below, tokens - v above. Every ordered pair
    of different tokens is equally likely, so the accuracy is the mean over v of max(v - 1, K - v) / (K - 1).
    """
    K = check_positive_int(tokens, "tokens", minimum=2)
    v = np.arange(1, K + 1)
    return float(np.maximum(v - 1, K - v).sum() / (K * (K - 1)))


def majority_accuracy(y_train, y_test) -> float:
    """The trivial baseline: the accuracy on y_test of always answering the most common class of y_train."""
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if y_train.ndim != 1 or y_test.ndim != 1 or not len(y_train) or not len(y_test):
        raise LessonError(f"y_train and y_test should be non-empty 1-D arrays of class labels; got shapes "
                          f"{y_train.shape} and {y_test.shape}.")
    majority = np.bincount(y_train).argmax()
    return float((y_test == majority).mean())


def pad(sequences, value: int = PAD) -> tuple:
    """Sequences of token ids (different lengths) -> x (B, T) int64 padded with `value` after each end, lengths (B,)."""
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        raise LessonError(f"sequences should be a list of 1-D arrays of token ids, one per sequence; got one 2-D "
                          f"array of shape {sequences.shape}, which is padded already. Pass list(x) to pad its rows.")
    sequences = [np.asarray(s) for s in sequences]
    if not sequences:
        raise LessonError("sequences is empty; it should hold at least one sequence of token ids.")
    for k, s in enumerate(sequences):
        if s.ndim != 1 or len(s) == 0 or not np.issubdtype(s.dtype, np.integer):
            raise LessonError(f"sequences[{k}] should be a non-empty 1-D array of whole-number token ids; got "
                              f"shape {s.shape}, dtype {s.dtype}.")
        if (s == value).any():
            raise LessonError(f"sequences[{k}] holds the padding id {value} at step {int(np.argmax(s == value))}; a "
                              f"real token must differ from it, or the model cannot tell the padding from the data.")
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)  # (B,)
    x = np.full((len(sequences), lengths.max()), value, dtype=np.int64)  # (B, T)
    for b, s in enumerate(sequences):
        x[b, :len(s)] = s
    return x, lengths


# --------------------------------------------------------------------------- final states and masks

def _lengths_list(lengths, B: int | None = None) -> list:
    """lengths (a list, a NumPy array or a tensor) as a Python list of ints >= 1, checked against the batch size B."""
    if isinstance(lengths, Tensor):
        lengths = lengths.detach().cpu().tolist()
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise LessonError(f"lengths should be a 1-D list of whole numbers, one per sequence; got shape "
                          f"{lengths.shape}, dtype {lengths.dtype}.")
    if B is not None and len(lengths) != B:
        raise LessonError(f"lengths should hold one length per sequence, B = {B}; got {len(lengths)}. "
                          "Did you pass (T, B, ...) where (B, T, ...) was expected? The models here are batch-first.")
    if len(lengths) and lengths.min() < 1:
        raise LessonError(f"every length should be at least 1; got {int(lengths.min())}.")
    return [int(n) for n in lengths]


def final_states(h_n: Tensor, num_layers: int, bidirectional: bool = True) -> Tensor:
    """h_n (num_layers * D, B, H) of nn.LSTM -> the last layer's final states (B, D * H), forward first."""
    num_layers = check_positive_int(num_layers, "num_layers")
    D = 2 if bidirectional else 1
    if h_n.dim() != 3 or h_n.shape[0] != num_layers * D:
        raise LessonError(f"h_n should have shape (num_layers * directions, B, H) = ({num_layers * D}, B, H); got "
                          f"{tuple(h_n.shape)}. Pass h_n itself (not output), with this LSTM's num_layers and "
                          "bidirectional.")
    last = h_n.view(num_layers, D, *h_n.shape[1:])[-1]  # (D, B, H): the last layer, forward then backward
    return torch.cat(list(last), dim=-1)  # (B, D * H)


def length_mask(lengths, T: int, device=None) -> Tensor:
    """(B, T) booleans, True at each sequence's real steps t < length and False on the padding."""
    lengths = torch.tensor(_lengths_list(lengths), device=device)  # (B,)
    T = check_positive_int(T, "T")
    return torch.arange(T, device=device)[None, :] < lengths[:, None]  # (B, T)


def _check_padded(output: Tensor, lengths) -> list:
    if not isinstance(output, Tensor) or output.dim() != 3:
        raise LessonError(f"output should be a (B, T, F) tensor, padded after each end; got "
                          f"{getattr(output, 'shape', type(output).__name__)}.")
    lengths = _lengths_list(lengths, output.shape[0])
    if max(lengths) > output.shape[1]:
        raise LessonError(f"a length is longer than the {output.shape[1]} steps of output: max length {max(lengths)}.")
    return lengths


def masked_mean(output: Tensor, lengths) -> Tensor:
    """The mean over each sequence's real steps only: output (B, T, F), lengths (B,) -> (B, F)."""
    lengths = _check_padded(output, lengths)
    mask = length_mask(lengths, output.shape[1], output.device)[..., None]  # (B, T, 1)
    # mean_b = sum over t < n_b of output[b, t] / n_b
    total = (output * mask).sum(dim=1)  # (B, F)
    return total / torch.tensor(lengths, device=output.device, dtype=output.dtype)[:, None]


def masked_max(output: Tensor, lengths) -> Tensor:
    """The maximum over each sequence's real steps only: output (B, T, F), lengths (B,) -> (B, F)."""
    lengths = _check_padded(output, lengths)
    mask = length_mask(lengths, output.shape[1], output.device)[..., None]  # (B, T, 1)
    # padding set to -inf, so it never wins, even where every real value is negative
    return output.masked_fill(~mask, float("-inf")).max(dim=1).values  # (B, F)


# --------------------------------------------------------------------------- the classifier

class Classifier(nn.Module):
    """Embedding -> stacked nn.LSTM (bidirectional by default) -> last layer's final states -> dropout -> linear.

    forward(x (B, T) token ids, lengths) -> logits (B, classes). With pack=True (the default) the LSTM
    reads the packed batch, so each direction's final state is at the sequence's own end; pack=False
    runs it over the padding too (the mistake notebook 10 measures).
    """

    def __init__(self, vocab_size: int, embedding_size: int = 16, hidden_size: int = 32, num_layers: int = 2,
                 bidirectional: bool = True, dropout: float = 0.2, classes: int = 2, pack: bool = True):
        super().__init__()
        if not isinstance(pack, bool):
            raise LessonError(f"pack should be True or False; got {pack!r}.")
        self.pack = pack  # the default of forward's pack: read the batch packed, or run over the padding
        vocab_size = check_positive_int(vocab_size, "vocab_size", minimum=2)
        dropout = check_number(dropout, "dropout", low=0.0, high=0.99)
        # padding_idx: the PAD row of the table is zeros and gets no gradient
        self.embedding = nn.Embedding(vocab_size, check_positive_int(embedding_size, "embedding_size"),
                                      padding_idx=PAD)
        # dropout here acts between the stacked layers only (none with one layer)
        self.lstm = nn.LSTM(embedding_size, check_positive_int(hidden_size, "hidden_size"),
                            num_layers=check_positive_int(num_layers, "num_layers"), bidirectional=bool(bidirectional),
                            batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)  # on the combined final state, before the head
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * hidden_size, check_positive_int(classes, "classes", minimum=2))

    def features(self, x: Tensor, lengths, pack: bool | None = None) -> Tensor:
        """The combined final state (B, D * H): the last layer's forward h_n, then its backward h_n."""
        if not isinstance(x, Tensor) or x.dim() != 2 or x.dtype != torch.int64:
            raise LessonError(f"x should be a (B, T) tensor of token ids (int64); got "
                              f"{getattr(x, 'shape', type(x).__name__)} {getattr(x, 'dtype', '')}. "
                              "Make it with torch.as_tensor(array, dtype=torch.long).")
        lengths = _lengths_list(lengths, x.shape[0])
        if max(lengths) > x.shape[1]:
            raise LessonError(f"a length ({max(lengths)}) is longer than the {x.shape[1]} steps of x.")
        e = self.embedding(x)  # (B, T, E)
        if self.pack if pack is None else pack:
            # lengths stay on the CPU; enforce_sorted=False takes the batch in any order
            e = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(e)  # h_n: (num_layers * D, B, H)
        return final_states(h_n, self.lstm.num_layers, self.lstm.bidirectional)  # (B, D * H)

    def forward(self, x: Tensor, lengths, pack: bool | None = None) -> Tensor:
        return self.head(self.dropout(self.features(x, lengths, pack)))  # (B, classes)


def make_model(bidirectional: bool = True, hidden_size: int = 32, *, tokens: int = 9, seed: int = 0,
               **kwargs) -> Classifier:
    """A Classifier for ends_task with `tokens` tokens (vocabulary PAD + tokens), drawn with torch seed `seed`."""
    torch.manual_seed(check_positive_int(seed, "seed", minimum=0))
    return Classifier(check_positive_int(tokens, "tokens", minimum=2) + 1, hidden_size=hidden_size,
                      bidirectional=bidirectional, **kwargs)


def matching_hidden_size(hidden_size: int = 32, *, bidirectional_from: bool = True, tokens: int = 9,
                         **kwargs) -> int:
    """The hidden size of the other kind of Classifier (one-way, if bidirectional_from) with the nearest parameter count.

    Introduced in 10, to compare a one-way model with a bidirectional one of the same size.
    """
    hidden_size = check_positive_int(hidden_size, "hidden_size")

    def size(h, bidirectional):
        return count_parameters(Classifier(tokens + 1, hidden_size=h, bidirectional=bidirectional, **kwargs))

    target = size(hidden_size, bidirectional_from)

    def gap(h):
        return abs(size(h, not bidirectional_from) - target)

    return min(range(1, 4 * hidden_size + 1), key=gap)


# --------------------------------------------------------------------------- batches, loss, evaluation

def as_batch(task: EndsTask, device="cpu") -> tuple:
    """(x (B, T) int64 on `device`, lengths as a Python list (packing wants them on the CPU), y (B,) on `device`)."""
    if not isinstance(task, EndsTask):
        raise LessonError(f"task should be an EndsTask from classify.ends_task; got {type(task).__name__}.")
    T = int(task.lengths.max())  # no all-padding columns
    x = torch.as_tensor(task.x[:, :T], dtype=torch.long, device=device)
    return x, [int(n) for n in task.lengths], torch.as_tensor(task.y, dtype=torch.long, device=device)


def make_batches(batch_size: int = 32, min_length: int = 5, max_length: int = 40, tokens: int = 9, seed: int = 0):
    """A function s -> the batch (x, lengths, y) for update s: fresh sequences, the same for every model given `seed`."""
    batch_size = check_positive_int(batch_size, "batch_size")
    entropy = int(np.random.default_rng(check_positive_int(seed, "seed", minimum=0)).integers(2**62))

    def batch(s: int):
        return as_batch(ends_task(batch_size, min_length, max_length, tokens, seed=np.random.default_rng([entropy, s])))

    return batch


def loss_fn(model: nn.Module, batch) -> Tensor:
    """Cross-entropy of the model's logits for a batch (x, lengths, y)."""
    x, lengths, y = batch
    return nn.functional.cross_entropy(model(x, lengths), y)


def evaluator(x: Tensor, lengths, y: Tensor, pack: bool | None = None):
    """eval_fn(model) -> {"loss", "accuracy"} on a fixed set (x, lengths, y), x and y already on the model's device."""
    lengths = _lengths_list(lengths, x.shape[0])

    def evaluate(model):
        logits = model(x, lengths, pack=pack)  # (B, classes)
        return {"loss": nn.functional.cross_entropy(logits, y), "accuracy": (logits.argmax(-1) == y).float().mean()}

    return evaluate


def accuracy(model: nn.Module, x: Tensor, lengths, y: Tensor, pack: bool | None = None) -> Tensor:
    """(B,) booleans, whether each sequence is classified right; in eval mode (dropout off) without gradients."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x, lengths, pack=pack).argmax(-1) == y  # (B,)
    finally:
        model.train(was_training)


__all__ = ["PAD", "EndsTask", "ends_task", "one_end_accuracy", "majority_accuracy", "pad", "final_states",
           "length_mask", "masked_mean", "masked_max", "Classifier", "make_model", "matching_hidden_size", "as_batch",
           "make_batches", "loss_fn", "evaluator", "accuracy"]
