"""The date generator: deterministic, splits disjoint, spans and alignment right."""

import datetime as dt

import numpy as np
import pytest

from rnncourse.data import chardata, dates, tasks


def test_same_seed_same_examples_and_splits_disjoint():
    a, b = dates.sample(300, 5), dates.sample(300, 5)
    assert a == b
    test = dates.sample(300, 5, split="test")
    assert all(dates.is_test_day(e.date) for e in test)
    assert not any(dates.is_test_day(e.date) for e in a)
    assert {e.format for e in a} <= set(dates.TRAIN_FORMATS)
    held = dates.sample(50, 1, formats=dates.HELD_OUT_FORMATS)
    assert {e.format for e in held} == set(dates.HELD_OUT_FORMATS)
    frac = np.mean([dates.is_test_day(dt.date(2000, 1, 1) + dt.timedelta(d))
                    for d in range(3000)])
    assert 0.07 < frac < 0.13


def test_every_format_renders_and_parses_back():
    """Every source says the same date: the spans hold the fields, and reading them back
    gives the target; every character is in the source vocabulary."""
    vocab = dates.source_vocab()
    for fmt in dates.FORMATS:
        for case in dates.CASES:
            for day in (dt.date(1900, 1, 1), dt.date(2023, 11, 22), dt.date(2099, 12, 31),
                        dt.date(1971, 2, 3), dt.date(1944, 6, 12)):
                e = dates.render(day, fmt, case)
                vocab.encode(e.source)
                assert e.target == day.isoformat()
                y0, y1 = e.spans["year"]
                assert int(e.source[y0:y1]) == day.year
                m = e.source[slice(*e.spans["month"])]
                month = int(m) if m.isdigit() else \
                    [x[:len(m)].lower() for x in dates.MONTHS].index(m.lower()) + 1
                assert month == day.month
                d = e.source[slice(*e.spans["day"])]
                assert int(d.lower().rstrip("stndrh")) == day.day


def test_alignment_points_at_the_characters_copied():
    e = dates.render(dt.date(2019, 3, 14), "eu_dot")          # 14.03.2019
    al = e.alignment()
    assert len(al) == 10 and al[4] is None and al[7] is None
    for i, span in enumerate(al):
        if span is not None and span[1] - span[0] == 1:
            assert e.source[span[0]] == e.target[i]
    e = dates.render(dt.date(2019, 3, 4), "day_month")         # 4 March 2019
    assert e.alignment()[5] == e.spans["month"] and e.alignment()[8] == e.spans["day"]


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="format"):
        dates.render(dt.date(2000, 1, 1), "klingon")
    with pytest.raises(ValueError, match="split"):
        dates.sample(3, 0, split="dev")
    with pytest.raises(ValueError, match="lengths"):
        tasks.digit_reversal(3, (5, 2), 0)


def test_token_vocab_round_trip_and_padding():
    v = chardata.TokenVocab("abc")
    ids, lengths = v.batch(["ab", "c"], eos=True)
    assert ids.tolist() == [[3, 4, 2], [5, 2, 0]] and lengths.tolist() == [3, 2]
    assert v.decode(ids[0]) == "ab" and v.decode([5, 2, 3]) == "c"
    with pytest.raises(ValueError, match="'z'"):
        v.encode("z")
    src, tgt = tasks.digit_reversal(20, (2, 9), 3)
    assert all(t == s[::-1] and 2 <= len(s) <= 9 for s, t in zip(src, tgt, strict=True))
    assert (src, tgt) == tasks.digit_reversal(20, (2, 9), 3)


def test_pairs_are_the_sampled_examples():
    src, tgt = dates.pairs(7, 11, split="test")
    ex = dates.sample(7, 11, split="test")
    assert src == [e.source for e in ex] and tgt == [e.target for e in ex]
