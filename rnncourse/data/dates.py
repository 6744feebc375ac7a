"""Date normalisation (Chapter 7): a date written in one of many human formats -> ISO 8601.

Every example is built from a `datetime.date` and a format, so the answer and the
alignment are known by construction: `DateExample.spans` says where the year, month and
day stand in the source, and `alignment` which source characters each character of the
target comes from (Chapter 7 measures whether attention looks there).

Formats are templates of fields and literal text:

    Y  year, 4 digits          m  month, 2 digits      n  month, no leading zero
    B  month name ("March")    b  month, 3 letters     d  day, 2 digits
    e  day, no leading zero    o  ordinal day ("3rd")  A  weekday ("Thursday")
    a  weekday, 3 letters

A separator says which number is the month: "/" is month first (US), "." and "-" after a
day are day first; no format is ambiguous. Names are English, from this module's own
tables (not the locale's). Sources are lower-, upper- or as-cased at random.

Splits: a fixed 10% of the days from 1900-01-01 to 2099-12-31 never train (`split`
"test" draws only those, "train" never does), whatever seed draws the examples; the
formats in HELD_OUT_FORMATS are never drawn unless asked for by name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from rnncourse.data.chardata import TokenVocab

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

FORMATS: dict[str, str] = {
    "iso": "{Y}-{m}-{d}",
    "us_slash": "{n}/{e}/{Y}",
    "us_slash_padded": "{m}/{d}/{Y}",
    "eu_dot": "{d}.{m}.{Y}",
    "eu_dash": "{e}-{n}-{Y}",
    "ymd_slash": "{Y}/{m}/{d}",
    "compact": "{Y}{m}{d}",
    "day_month": "{e} {B} {Y}",
    "month_day": "{B} {e}, {Y}",
    "day_abbr": "{d} {b} {Y}",
    "abbr_day": "{b} {e}, {Y}",
    "ordinal": "the {o} of {B} {Y}",
    "weekday_long": "{A}, {B} {e}, {Y}",
    "weekday_short": "{a} {e} {b} {Y}",
    "weekday_dot": "{a}, {d}.{m}.{Y}",
    # held out: recombinations of pieces the other formats use
    "month_ordinal": "{B} {o}, {Y}",
    "abbr_dot_year": "{e}. {b} {Y}",
}
HELD_OUT_FORMATS = ("month_ordinal", "abbr_dot_year")
TRAIN_FORMATS = tuple(f for f in FORMATS if f not in HELD_OUT_FORMATS)

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
_N_DAYS = LAST_DAY.toordinal() - FIRST_DAY.toordinal() + 1
_TEST_DAYS = np.sort(np.random.default_rng(8601).permutation(_N_DAYS)[: _N_DAYS // 10])
_IS_TEST = np.zeros(_N_DAYS, dtype=bool)
_IS_TEST[_TEST_DAYS] = True

SOURCE_CHARS = ("0123456789 ,./-" + "abcdefghijklmnopqrstuvwxyz"
                + "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
TARGET_CHARS = "0123456789-"
CASES = ("as is", "lower", "upper")
_FIELD = {"Y": "year", "m": "month", "n": "month", "B": "month", "b": "month",
          "d": "day", "e": "day", "o": "day", "A": "weekday", "a": "weekday"}


def source_vocab() -> TokenVocab:
    return TokenVocab(SOURCE_CHARS)


def target_vocab() -> TokenVocab:
    return TokenVocab(TARGET_CHARS)


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _render_field(code: str, date: dt.date) -> str:
    return {"Y": f"{date.year:04d}", "m": f"{date.month:02d}", "n": str(date.month),
            "B": MONTHS[date.month - 1], "b": MONTHS[date.month - 1][:3],
            "d": f"{date.day:02d}", "e": str(date.day), "o": _ordinal(date.day),
            "A": WEEKDAYS[date.weekday()], "a": WEEKDAYS[date.weekday()][:3]}[code]


@dataclass(frozen=True)
class DateExample:
    """One example. spans[field] = (start, stop) of the year/month/day/weekday in source."""

    source: str
    target: str
    date: dt.date
    format: str
    spans: dict

    def alignment(self) -> list[tuple[int, int] | None]:
        """For each target character, the source characters (start, stop) it comes from:
        a year digit from the same digit, a month or day digit from the same digit when
        the source writes that field with two digits, else from the whole field (a name,
        or a number without its leading zero); None for the dashes."""
        out: list[tuple[int, int] | None] = []
        fields = [("year", 4), None, ("month", 2), None, ("day", 2)]
        for part in fields:
            if part is None:
                out.append(None)
                continue
            name, width = part
            start, stop = self.spans[name]
            text = self.source[start:stop]
            if stop - start == width and text.isdigit():
                out += [(start + i, start + i + 1) for i in range(width)]
            else:
                out += [(start, stop)] * width
        return out


def render(date: dt.date, fmt: str, case: str = "as is") -> DateExample:
    """The date written in format `fmt` (a key of FORMATS), cased as `case`."""
    if fmt not in FORMATS:
        raise ValueError(f"render: unknown format {fmt!r}; choose from {sorted(FORMATS)}.")
    if case not in CASES:
        raise ValueError(f"render: `case` must be one of {CASES}, got {case!r}.")
    source, spans = "", {}
    for literal, code in re.findall(r"([^{]*)(?:\{(\w)\})?", FORMATS[fmt]):
        source += literal
        if code:
            text = _render_field(code, date)
            spans[_FIELD[code]] = (len(source), len(source) + len(text))
            source += text
    source = {"as is": source, "lower": source.lower(), "upper": source.upper()}[case]
    return DateExample(source, date.isoformat(), date, fmt, spans)


def is_test_day(date: dt.date) -> bool:
    """True for the fixed tenth of the days that never train."""
    return bool(_IS_TEST[date.toordinal() - FIRST_DAY.toordinal()])


def sample(n: int, rng, split: str = "train", formats=None,
           case_probs=(0.6, 0.3, 0.1)) -> list[DateExample]:
    """n examples: days uniform over the split's days, formats uniform over `formats`
    (default: TRAIN_FORMATS), cases drawn with `case_probs` (as is, lower, upper)."""
    from rnncourse.data.tasks import _rng

    g = _rng("dates.sample", rng)
    if split not in ("train", "test"):
        raise ValueError(f"sample: `split` must be 'train' or 'test', got {split!r}.")
    formats = TRAIN_FORMATS if formats is None else tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"sample: unknown or no formats {unknown}; choose from {sorted(FORMATS)}.")
    pool = _TEST_DAYS if split == "test" else np.flatnonzero(~_IS_TEST)
    days = g.choice(pool, size=n)
    fmts = g.integers(0, len(formats), size=n)
    cases = g.choice(len(CASES), size=n, p=case_probs)
    first = FIRST_DAY.toordinal()
    return [render(dt.date.fromordinal(first + int(d)), formats[f], CASES[c])
            for d, f, c in zip(days, fmts, cases, strict=True)]


def pairs(n: int, rng, split: str = "train", formats=None) -> tuple[list[str], list[str]]:
    """n (source, target) string pairs from `sample`, as two lists (the interface of
    `models.seq2seq.pair_batches`)."""
    ex = sample(n, rng, split, formats)
    return [e.source for e in ex], [e.target for e in ex]
