"""Notebook 10's checkers accept a right answer written another way and name each usual slip.

The wrong answers are written as a learner would write them, in torch, not with the checkers' own
slip functions, so a checker whose slip detection drifted fails here.
"""

import numpy as np
import pytest
import torch

from lstm_lessons import checks
from lstm_lessons.checks.engine import NOT_ATTEMPTED, NOT_YET


# --------------------------------------------------------------------------- 1: ends_labels

def test_ends_labels_with_gather_or_a_loop_passes():
    def with_gather(x, lengths):
        last = x.gather(1, (lengths - 1)[:, None])[:, 0]
        return (last > x[:, 0]).int()

    def with_a_loop(x, lengths):
        return torch.tensor([int(row[n - 1] > row[0]) for row, n in zip(x, lengths)])

    assert checks.check_ends_labels(with_gather).passed
    assert checks.check_ends_labels(with_a_loop).passed


@pytest.mark.parametrize("answer,hint", [
    (lambda x, lengths: (x[:, -1] > x[:, 0]).long(), "x[:, -1], the last padded step"),
    (lambda x, lengths: (x[torch.arange(len(lengths)), lengths - 1] < x[:, 0]).long(), "the wrong way round"),
])
def test_ends_labels_slips_are_named(answer, hint):
    result = checks.check_ends_labels(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_ends_labels_off_by_one_is_reported_without_a_traceback():
    result = checks.check_ends_labels(lambda x, lengths: (x[torch.arange(len(lengths)), lengths] > x[:, 0]).long())
    assert result.verdict == NOT_YET and "raised IndexError" in result.message and "Traceback" not in result.message


# --------------------------------------------------------------------------- 2: masked_max

def test_masked_max_with_a_loop_or_where_passes():
    def with_a_loop(output, lengths):
        return torch.stack([output[b, :n].max(dim=0).values for b, n in enumerate(lengths.tolist())])

    def with_where(output, lengths):
        real = torch.arange(output.shape[1])[None, :, None] < lengths[:, None, None]
        return torch.where(real, output, torch.tensor(-np.inf)).amax(dim=1)

    assert checks.check_masked_max(with_a_loop).passed
    assert checks.check_masked_max(with_where).passed


def _fill(value, shift=0):
    def answer(output, lengths):
        real = torch.arange(output.shape[1])[None, :] < (lengths + shift)[:, None]
        return output.masked_fill(~real[..., None], value).max(dim=1).values
    return answer


@pytest.mark.parametrize("answer,hint", [
    (_fill(0.0), "set the padding to 0"),
    (lambda output, lengths: output.max(dim=1).values, "set the padding to 0"),  # the same numbers on that case
    (_fill(float("-inf"), -1), "one step too few"),
])
def test_masked_max_slips_are_named(answer, hint):
    result = checks.check_masked_max(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_a_masked_mean_is_not_a_masked_max():
    def masked_mean(output, lengths):
        real = (torch.arange(output.shape[1])[None, :] < lengths[:, None]).float()[..., None]
        return (output * real).sum(1) / lengths[:, None]

    result = checks.check_masked_max(masked_mean)
    assert result.verdict == NOT_YET and "differs from the reference" in result.message


# --------------------------------------------------------------------------- 3: one_end_accuracy

def test_one_end_accuracy_by_formula_or_by_enumeration_passes():
    def by_enumeration(tokens):
        pairs = [(a, v) for a in range(1, tokens + 1) for v in range(1, tokens + 1) if a != v]
        right = 0
        for v in range(1, tokens + 1):
            labels = [int(v > a) for a, w in pairs if w == v]
            right += max(labels.count(0), labels.count(1))
        return right / len(pairs)

    def by_formula(tokens):
        v = np.arange(1, tokens + 1)
        return np.maximum(v - 1, tokens - v).mean() / (tokens - 1)

    assert checks.check_one_end_accuracy(by_enumeration).passed
    assert checks.check_one_end_accuracy(by_formula).passed


@pytest.mark.parametrize("answer,hint", [
    (lambda tokens: sum(max(v - 1, tokens - v) for v in range(1, tokens + 1)) / tokens ** 2, "tokens ** 2"),
    (lambda tokens: 0.5, "answer 1/2"),
    (lambda tokens: sum(min(v - 1, tokens - v) for v in range(1, tokens + 1)) / (tokens * (tokens - 1)), "min("),
])
def test_one_end_accuracy_slips_are_named(answer, hint):
    result = checks.check_one_end_accuracy(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_stubs_are_not_attempted_and_a_wrong_signature_is_reported():
    def labels_stub(x, lengths):
        raise NotImplementedError

    def pooling_stub(output, lengths):
        raise NotImplementedError

    assert checks.check_ends_labels(labels_stub).verdict == NOT_ATTEMPTED
    assert checks.check_masked_max(pooling_stub).verdict == NOT_ATTEMPTED
    result = checks.check_masked_max(labels_stub)  # the arguments are named output, lengths
    assert result.verdict == NOT_YET and "TypeError" in result.message
