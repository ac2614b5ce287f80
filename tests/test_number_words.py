"""Notebook 09's corpus: every name parses back, known spellings, the vocabulary, the stateful batch layout."""

import numpy as np
import pytest

from lstm_lessons import LessonError, number_words as nw


# --------------------------------------------------------------------------- names and the parser

@pytest.mark.parametrize("n,text", [
    (1, "one"), (9, "nine"), (10, "ten"), (13, "thirteen"), (19, "nineteen"), (20, "twenty"), (21, "twenty one"),
    (40, "forty"), (99, "ninety nine"), (100, "one hundred"), (101, "one hundred one"),
    (110, "one hundred ten"), (115, "one hundred fifteen"), (910, "nine hundred ten"),
    (999, "nine hundred ninety nine"), (1000, "one thousand"), (1005, "one thousand five"),
    (1010, "one thousand ten"), (1100, "one thousand one hundred"), (1234, "one thousand two hundred thirty four"),
    (2019, "two thousand nineteen"), (7070, "seven thousand seventy"), (9999, "nine thousand nine hundred ninety nine"),
])
def test_known_names(n, text):
    assert " ".join(nw.number_name(n)) == text
    assert nw.parse_name(text.split()) == n


def test_every_name_parses_back_to_its_number():
    names = [nw.number_name(n) for n in range(1, 10000)]
    assert [nw.parse_name(words) for words in names] == list(range(1, 10000))
    assert len({" ".join(w) for w in names}) == 9999, "no two numbers share a name"
    assert all(1 <= len(w) <= 6 for w in names), "a name has one to six words"
    assert max(len(w) for w in names) == len(nw.number_name(7777)) == 6


@pytest.mark.parametrize("words", [
    [], ["thousand"], ["hundred"], ["one", "thousand", "thousand"], ["hundred", "one"], ["one", "one"],
    ["twenty", "ten"], ["ten", "one"], ["one", "hundred", "one", "thousand"], ["twenty", "thirty"],
    ["one", "hundred", "hundred"], ["zero"], ["one", "and", "two"], ["."], ["one", "."], ["forty", "ten"],
    ["ten", "thousand"], ["twenty", "thousand"], ["one", "thousand", "one", "thousand"], ["nine", "nine"],
])
def test_malformed_sequences_are_not_names(words):
    assert nw.parse_name(words) is None
    assert not nw.is_valid_name(words)


def test_a_sequence_is_valid_exactly_when_it_is_a_name():
    # Every sequence of up to 3 words over the vocabulary (without the separator): valid ones are names.
    words = nw.VOCAB[1:]
    names = {" ".join(nw.number_name(n)) for n in range(1, 10000)}
    checked = 0
    for a in words:
        for b in (None,) + words:
            for c in ((None,) + words if b else (None,)):
                seq = [w for w in (a, b, c) if w]
                assert nw.is_valid_name(seq) == (" ".join(seq) in names), seq
                checked += 1
    assert checked > 20000


def test_names_validate_their_input():
    for bad in (0, 10000, -3, 2.5, True, "12"):
        with pytest.raises(LessonError, match="from 1 to 9999"):
            nw.number_name(bad)
    with pytest.raises(LessonError, match="split"):
        nw.parse_name("one hundred")
    with pytest.raises(LessonError, match="decode"):
        nw.parse_name([1, 2])


# --------------------------------------------------------------------------- corpus and vocabulary

def test_the_corpus_is_the_names_in_order_with_separators():
    words = nw.corpus(1, 12)
    assert " ".join(words[:9]) == "one . two . three . four . five"
    assert nw.names_in(words) == [nw.number_name(n) for n in range(1, 13)]
    assert words[-1] == nw.SEP and words.count(nw.SEP) == 12
    full = nw.corpus()
    assert full.count(nw.SEP) == 9999 and len(full) == 63099
    with pytest.raises(LessonError, match="at most last"):
        nw.corpus(5, 4)


def test_vocabulary_has_thirty_tokens_and_round_trips():
    assert len(nw.VOCAB) == 30 == len(set(nw.VOCAB)) and nw.VOCAB[0] == nw.SEP
    assert set(nw.corpus()) == set(nw.VOCAB), "every token occurs in the corpus"
    words = nw.corpus(95, 130)
    ids = nw.encode(words)
    assert ids.dtype == np.int64 and nw.decode(ids) == words
    import torch
    assert nw.decode(torch.from_numpy(ids)) == words
    with pytest.raises(LessonError, match="not"):
        nw.encode(["one", "and", "two"])
    with pytest.raises(LessonError, match="0..29"):
        nw.decode([0, 30])
    with pytest.raises(LessonError, match="one row at a time"):
        nw.decode(np.zeros((2, 3), dtype=int))


def test_position_in_name_and_words_left():
    ids = nw.encode("two hundred . three hundred one .".split())
    assert nw.position_in_name(ids).tolist() == [0, 1, 2, 0, 1, 2, 3]
    assert nw.words_left(ids).tolist() == [2, 1, 0, 3, 2, 1, 0]


# --------------------------------------------------------------------------- held-out part and batches

def test_split_cuts_at_a_name_boundary_near_the_fraction():
    ids = nw.encode(nw.corpus())
    split = nw.split_stream(ids, 0.05)
    assert np.array_equal(np.concatenate([split.train, split.valid]), ids)
    assert split.train[-1] == nw.INDEX[nw.SEP], "the training part ends with a whole name"
    assert abs(len(split.valid) / len(ids) - 0.05) < 0.001
    first = nw.names_in(nw.decode(split.valid))[0]
    assert nw.parse_name(first) == split.first_valid_number == 9532
    assert nw.names_in(nw.decode(split.train))[-1] == nw.number_name(9531)
    with pytest.raises(LessonError, match="strictly between"):
        nw.split_stream(ids, 1.0)


def test_batchify_lays_the_stream_out_in_contiguous_rows():
    ids = np.arange(103)
    rows = nw.batchify(ids, 4)  # (4, 25): the remainder of 3 is dropped
    assert rows.shape == (4, 25)
    assert np.array_equal(rows.ravel(), ids[:100]), "row b holds tokens b*L .. (b+1)*L - 1"
    with pytest.raises(LessonError, match="at least 2 tokens"):
        nw.batchify(ids, 60)


def test_windows_continue_each_row_and_targets_are_inputs_shifted_by_one():
    ids = np.arange(4 * 25)
    rows = nw.batchify(ids, 4)
    T = 6
    count = nw.n_windows(rows, T)
    assert count == 4, "(25 - 1) // 6 windows: every input has its target"
    for k in range(count):
        x, y = nw.window(rows, k, T)
        assert x.shape == y.shape == (4, T)
        assert np.array_equal(y, x + 1), "in a stream 0, 1, 2, ... the target is the input plus one"
        if k:
            x_prev, _ = nw.window(rows, k - 1, T)
            assert np.array_equal(x[:, 0], x_prev[:, -1] + 1), "row b of a window continues row b of the last"
    joined = np.concatenate([nw.window(rows, k, T)[0] for k in range(count)], axis=1)
    assert np.array_equal(joined, rows[:, :count * T]), "the windows of a row, side by side, are the row"
    with pytest.raises(LessonError, match="from 0 to 3"):
        nw.window(rows, 4, T)
