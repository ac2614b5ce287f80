"""Notebook 09's checkers accept a right answer written another way and name each usual slip.

The wrong answers are written as a learner would write them, not with the checkers' own slip
functions, so a checker whose slip detection drifted fails here.
"""

import numpy as np
import pytest
import torch

from lstm_lessons import checks, language_model as lm
from lstm_lessons.checks.engine import NOT_ATTEMPTED, NOT_YET


# --------------------------------------------------------------------------- 1: tar_term

def test_tar_term_written_with_diff_passes():
    assert checks.check_tar_term(lambda h, beta: beta * torch.diff(h, dim=1).square().mean()).passed


def test_tar_term_agrees_with_the_package_loss():
    torch.manual_seed(0)
    model = lm.WordLM(30, 6, "lstm").eval()
    x, y = torch.randint(0, 30, (2, 9)), torch.randint(0, 30, (2, 9))
    _, _, (h, _) = model(x, return_hidden=True)
    tar = lm.lm_loss(model, (x, y), None, 0.0, 1.5)[0] - lm.lm_loss(model, (x, y), None)[0]
    from lstm_lessons.solutions.nb09 import tar_term
    assert torch.isclose(tar, tar_term(h, 1.5), rtol=1e-5)


@pytest.mark.parametrize("answer,hint", [
    (lambda h, beta: beta * (h[1:] - h[:-1]).pow(2).mean(), "batch axis"),
    (lambda h, beta: beta * h.pow(2).mean(), "that is AR"),
    (lambda h, beta: beta * (h[:, 1:] - h[:, :-1]).mean(), "square"),
    (lambda h, beta: beta * ((h[:, 1:] - h[:, :-1]) ** 2).sum(), "sum the squares"),
    (lambda h, beta: ((h[:, 1:] - h[:, :-1]) ** 2).mean(), "leave out beta"),
])
def test_tar_term_slips_are_named(answer, hint):
    result = checks.check_tar_term(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


# --------------------------------------------------------------------------- 2: sample_token

def test_sample_token_with_searchsorted_passes():
    def answer(logits, temperature, u):
        cdf = torch.softmax(logits / temperature, -1).cumsum(-1)
        return torch.searchsorted(cdf, u[:, None], right=True).squeeze(1).clamp(max=logits.shape[1] - 1)

    assert checks.check_sample_token(answer).passed


def test_sample_token_samples_from_the_distribution():
    from lstm_lessons.solutions.nb09 import sample_token
    logits = torch.tensor([[0.0, np.log(3.0)]]).repeat(20000, 1)  # p = (1/4, 3/4) at T = 1
    u = torch.rand(20000, generator=torch.Generator().manual_seed(0))
    assert abs(sample_token(logits, 1.0, u).double().mean().item() - 0.75) < 0.02
    assert abs(sample_token(logits, 0.5, u).double().mean().item() - 0.9) < 0.02, "T = 0.5: p = (1/10, 9/10)"


@pytest.mark.parametrize("answer,hint", [
    (lambda logits, temperature, u: (torch.softmax(logits * temperature, -1).cumsum(-1) <= u[:, None]).sum(-1),
     "multiply the logits by T"),
    (lambda logits, temperature, u: (torch.softmax(logits, -1).cumsum(-1) <= u[:, None]).sum(-1),
     "leave the temperature out"),
    (lambda logits, temperature, u: logits.argmax(-1), "argmax"),
    (lambda logits, temperature, u: ((torch.softmax(logits / temperature, -1).cumsum(-1) <= u[:, None]).sum(-1) - 1)
     .clamp(min=0), "one too early"),
])
def test_sample_token_slips_are_named(answer, hint):
    result = checks.check_sample_token(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


# --------------------------------------------------------------------------- 3: most_common_baseline

def test_most_common_baseline_with_counter_passes():
    from collections import Counter

    def answer(train_ids, valid_ids):
        top = Counter(train_ids.tolist()).most_common(1)[0][0]
        return sum(v == top for v in valid_ids.tolist()) / len(valid_ids)

    assert checks.check_most_common_baseline(answer).passed


@pytest.mark.parametrize("answer,hint", [
    (lambda train_ids, valid_ids: (valid_ids == torch.bincount(valid_ids).argmax()).double().mean(), "peeks"),
    (lambda train_ids, valid_ids: (train_ids == torch.bincount(train_ids).argmax()).double().mean(),
     "share of the training stream"),
    (lambda train_ids, valid_ids: torch.bincount(train_ids).argmax(), "the most common token itself"),
])
def test_most_common_baseline_slips_are_named(answer, hint):
    result = checks.check_most_common_baseline(answer)
    assert result.verdict == NOT_YET and hint in result.hint, repr(result)


def test_a_stub_is_not_attempted():
    def stub(h, beta):
        raise NotImplementedError

    assert checks.check_tar_term(stub).verdict == NOT_ATTEMPTED
