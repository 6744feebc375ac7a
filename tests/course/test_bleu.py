"""The BLEU the chapters report comes from sacrebleu (pinned); on known cases it gives the
numbers the chapters' prose relies on."""

import pytest
import sacrebleu


def test_identical_and_disjoint_outputs():
    perfect = sacrebleu.corpus_bleu(["a small red circle"], [["a small red circle"]]).score
    assert perfect == pytest.approx(100)
    assert sacrebleu.corpus_bleu(["x y z w"], [["a b c d"]]).score == 0


def test_one_token_sentences_score_zero_without_tokenisation():
    """A date is one token with tokenize="none": no 2-, 3- or 4-grams exist to match, so
    even a perfect output scores 0 (Chapter 7)."""
    dates = ["2023-04-05", "1999-12-31"]
    assert sacrebleu.corpus_bleu(dates, [dates], tokenize="none").score == 0
    assert sacrebleu.corpus_bleu(dates, [dates], tokenize="char").score == pytest.approx(100)


def test_one_wrong_character_keeps_most_of_the_score():
    one_off = sacrebleu.sentence_bleu("2023-04-06", ["2023-04-05"], tokenize="char").score
    assert round(one_off) == 88
