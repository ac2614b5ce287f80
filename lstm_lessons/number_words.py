"""Notebook 09's corpus: the English names of the numbers 1 to 9999, in order, one word per token.

What this is: a word-level text made in code, small enough to train a language model on a laptop
CPU in seconds, and with a grammar simple enough to check every generated name.
- `number_name(n)`: the name of n as a list of words. The convention is American English without
  "and" and without hyphens, each word one token: 1234 is "one thousand two hundred thirty four",
  1005 "one thousand five", 40 "forty", 910 "nine hundred ten".
- `corpus(first, last)`: the names in order, each followed by the separator SEP ("."):
  "one . two . three . ... nine thousand nine hundred ninety nine ."
- `VOCAB`, `encode`, `decode`: the 30 tokens (the separator, 9 ones, 10 teens, 8 tens, "hundred",
  "thousand") and their ids.
- `parse_name` / `is_valid_name`: read a list of words back to its number, or say it is not a name.
  The grammar is unambiguous and `number_name` is its only spelling of each number, so a word list
  is valid exactly when it is `number_name(k)` for some k in 1..9999.
- `split_stream`: the stream cut into a training part and a held-out last part, at a name boundary.
- `batchify` and `window`: the stream laid out in B parallel rows for stateful training (truncated
  BPTT): row b of window k + 1 continues row b of window k, and targets are inputs shifted by one.
What this is not: a tokenizer for real text, or a general number speller (no zero, no negatives, no
British "and").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, check_positive_int

#: The separator written after every name.
SEP = "."
ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
HUNDRED, THOUSAND = "hundred", "thousand"
#: Every token, the separator first: id k is VOCAB[k].
VOCAB = (SEP,) + ONES + TEENS + TENS + (HUNDRED, THOUSAND)
#: token -> id.
INDEX = {word: k for k, word in enumerate(VOCAB)}
#: The largest number the grammar names.
LARGEST = 9999


def _check_number(n, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise LessonError(f"{name} should be a whole number from 1 to {LARGEST}; got {type(n).__name__} {n!r}.")
    if not 1 <= n <= LARGEST:
        raise LessonError(f"{name} should be a whole number from 1 to {LARGEST}; got {n}. The grammar names "
                          "no zero, no negative numbers and nothing from ten thousand on.")
    return int(n)


def _below_hundred(n: int) -> list:
    """The words of 1..99."""
    if n < 10:
        return [ONES[n - 1]]
    if n < 20:
        return [TEENS[n - 10]]
    tens, ones = divmod(n, 10)
    return [TENS[tens - 2]] + ([ONES[ones - 1]] if ones else [])


def number_name(n: int) -> list:
    """The name of n (1..9999) as a list of words: 1234 -> ["one", "thousand", "two", "hundred", "thirty", "four"]."""
    n = _check_number(n)
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    words = []
    if thousands:
        words += [ONES[thousands - 1], THOUSAND]
    if hundreds:
        words += [ONES[hundreds - 1], HUNDRED]
    if below:
        words += _below_hundred(below)
    return words


def _check_words(words, name: str = "words") -> list:
    if isinstance(words, str):
        raise LessonError(f"{name} should be a list of words, such as ['two', 'hundred']; got the string "
                          f"{words!r}. Split it first: {name}.split().")
    try:
        words = list(words)
    except TypeError:
        raise LessonError(f"{name} should be a list of words; got {type(words).__name__} {words!r}.") from None
    for w in words:
        if not isinstance(w, str):
            raise LessonError(f"{name} should hold words (strings); got {type(w).__name__} {w!r} among them. "
                              "Token ids are turned into words with decode(ids).")
    return words


def parse_name(words) -> int | None:
    """The number a list of words names under number_name's grammar, or None if it names none.

    name = [one-nine "thousand"] [one-nine "hundred"] [below-hundred], not empty, where
    below-hundred = one-nine | ten-nineteen | twenty-ninety [one-nine].
    """
    words, pos, value = _check_words(words), 0, 0
    for unit, scale in ((THOUSAND, 1000), (HUNDRED, 100)):
        if pos + 1 < len(words) and words[pos] in ONES and words[pos + 1] == unit:
            value += (ONES.index(words[pos]) + 1) * scale
            pos += 2
    rest = words[pos:]
    if len(rest) == 1 and rest[0] in ONES:
        value += ONES.index(rest[0]) + 1
    elif len(rest) == 1 and rest[0] in TEENS:
        value += TEENS.index(rest[0]) + 10
    elif 1 <= len(rest) <= 2 and rest[0] in TENS and (len(rest) == 1 or rest[1] in ONES):
        value += (TENS.index(rest[0]) + 2) * 10 + (ONES.index(rest[1]) + 1 if len(rest) == 2 else 0)
    elif rest:
        return None
    return value if value >= 1 else None


def is_valid_name(words) -> bool:
    """True if `words` is the name of a number from 1 to 9999, spelled as number_name spells it."""
    return parse_name(words) is not None


def corpus(first: int = 1, last: int = LARGEST) -> list:
    """The names of first..last in order, each followed by SEP: a list of words."""
    first, last = _check_number(first, "first"), _check_number(last, "last")
    if first > last:
        raise LessonError(f"first should be at most last; got first = {first}, last = {last}.")
    words = []
    for n in range(first, last + 1):
        words += number_name(n) + [SEP]
    return words


def encode(words) -> np.ndarray:
    """Token ids of a list of words, (N,) int64; every word must be in VOCAB."""
    words = _check_words(words)
    unknown = sorted({w for w in words if w not in INDEX})
    if unknown:
        raise LessonError(f"words should all be in the vocabulary number_words.VOCAB; {unknown[:5]} are not. "
                          "The grammar has no 'and', no hyphens and no 'zero'.")
    return np.array([INDEX[w] for w in words], dtype=np.int64)


def decode(ids) -> list:
    """The words of token ids (any integer sequence, array or tensor)."""
    if hasattr(ids, "detach"):
        ids = ids.detach().cpu().numpy()
    ids = np.asarray(ids)
    if ids.ndim != 1 or not (ids.size == 0 or np.issubdtype(ids.dtype, np.integer)):
        raise LessonError(f"ids should be a 1-D sequence of whole numbers (token ids); got shape {ids.shape}, "
                          f"dtype {ids.dtype}. For a batch (B, T), decode one row at a time: decode(ids[b]).")
    if ids.size and (ids.min() < 0 or ids.max() >= len(VOCAB)):
        raise LessonError(f"ids should lie in 0..{len(VOCAB) - 1} (the vocabulary's size is {len(VOCAB)}); "
                          f"got values from {ids.min()} to {ids.max()}.")
    return [VOCAB[k] for k in ids]


def names_in(words) -> list:
    """The word lists between separators, in order (a trailing piece without its separator is dropped)."""
    words, names, current = _check_words(words), [], []
    for w in words:
        if w == SEP:
            names.append(current)
            current = []
        else:
            current.append(w)
    return names


def position_in_name(ids) -> np.ndarray:
    """For each token, how many words of its name came before it (0 for a name's first word; SEP counts on): (N,)."""
    ids = np.asarray(ids)
    out, k = np.zeros(len(ids), dtype=np.int64), 0
    for t, token in enumerate(ids):
        out[t] = k
        k = 0 if token == INDEX[SEP] else k + 1
    return out


def words_left(ids) -> np.ndarray:
    """For each token, how many tokens of its name follow it before the separator (0 at the separator): (N,).

    Counted from the text itself, so the last name's count needs its separator in `ids`.
    """
    ids = np.asarray(ids)
    out, k = np.zeros(len(ids), dtype=np.int64), 0
    for t in range(len(ids) - 1, -1, -1):
        k = 0 if ids[t] == INDEX[SEP] else k + 1
        out[t] = k
    return out


@dataclass
class Split:
    """A stream cut in two at a name boundary: train (the first part), valid (the last), and where valid begins."""

    train: np.ndarray  # (N_train,) token ids
    valid: np.ndarray  # (N_valid,) token ids
    first_valid_number: int  # the number whose name opens the held-out part


def split_stream(ids, valid_fraction: float = 0.1) -> Split:
    """The last `valid_fraction` of the tokens held out, cut just after a separator so both parts hold whole names."""
    ids = np.asarray(ids)
    if not 0 < valid_fraction < 1:
        raise LessonError(f"valid_fraction should lie strictly between 0 and 1; got {valid_fraction}.")
    seps = np.flatnonzero(ids == INDEX[SEP])  # positions of the separators
    if len(seps) < 2:
        raise LessonError("ids should hold at least two names, each ended by the separator; got fewer.")
    target = len(ids) * (1 - valid_fraction)
    cut = int(seps[np.argmin(np.abs(seps + 1 - target))]) + 1  # just after the separator nearest the target
    cut = min(max(cut, int(seps[0]) + 1), int(seps[-2]) + 1)  # at least one whole name on each side
    first = parse_name(decode(ids[cut:seps[np.searchsorted(seps, cut)]]))
    return Split(ids[:cut], ids[cut:], -1 if first is None else first)


def batchify(ids, batch_size: int) -> np.ndarray:
    """The stream cut into `batch_size` contiguous rows, read side by side: (B, N // B); the remainder is dropped.

    Row b holds tokens b * L .. (b + 1) * L - 1, L = N // B: each row is a long stretch of the text, so a
    state carried from one window of a row to the next continues the same text.
    """
    ids = np.asarray(ids)
    B = check_positive_int(batch_size, "batch_size")
    if ids.ndim != 1:
        raise LessonError(f"ids should be the token stream, 1-D (N,); got shape {ids.shape}.")
    L = len(ids) // B
    if L < 2:
        raise LessonError(f"batch_size should leave each row at least 2 tokens; {len(ids)} tokens in {B} rows "
                          f"leave {L}.")
    return ids[:B * L].reshape(B, L)  # (B, L)


def n_windows(rows: np.ndarray, bptt: int) -> int:
    """How many windows of `bptt` inputs (each with its next-token targets) fit in rows (B, L)."""
    bptt = check_positive_int(bptt, "bptt")
    return max(0, (rows.shape[1] - 1) // bptt)


def window(rows: np.ndarray, k: int, bptt: int):
    """Window k of rows (B, L): inputs rows[:, kT:(k+1)T] and targets rows[:, kT+1:(k+1)T+1], both (B, T)."""
    bptt = check_positive_int(bptt, "bptt")
    count = n_windows(rows, bptt)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < count:
        raise LessonError(f"k should be a window index from 0 to {count - 1} ({count} windows of {bptt} steps "
                          f"fit in rows of {rows.shape[1]} tokens); got {k!r}.")
    start = k * bptt
    return rows[:, start:start + bptt], rows[:, start + 1:start + bptt + 1]  # (B, T), (B, T)
