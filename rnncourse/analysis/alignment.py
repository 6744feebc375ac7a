"""Does attention look where the answer comes from? (Chapter 7.)

Where the true alignment is known by construction (`data.dates`, `data.tasks.
digit_reversal`), each output position t has a source span [start, stop) it is copied or
derived from, or None (a dash that comes from nowhere). Given the attention weights
alpha_t (S,) a model used to emit output t, the *peak* is argmax_j alpha_tj; it is a hit
when start <= peak < stop. Chance is what a peak drawn uniformly over the source would
score: (stop - start) / S per output, averaged the same way.

    score = peak_alignment(weights, spans)
    score.accuracy, score.chance, score.near     # near: a peak within one position
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnncourse.shapes import check_shape

Span = tuple[int, int] | None


@dataclass(frozen=True)
class AlignmentScore:
    """What `peak_alignment` measures over all scored outputs."""

    hits: int          # outputs whose attention peak lies inside their true span
    near: int          # ... or at most one position outside it
    n: int             # outputs scored (those with a span, emitted by the model)
    chance: float      # mean of span length / source length: a uniform peak's hit rate

    @property
    def accuracy(self) -> float:
        return self.hits / self.n if self.n else float("nan")

    @property
    def near_accuracy(self) -> float:
        return self.near / self.n if self.n else float("nan")


def peak_alignment(weights: Sequence[np.ndarray], spans: Sequence[Sequence[Span]]
                   ) -> AlignmentScore:
    """Score attention peaks against known source spans.

    weights[i]: (U_i, S_i) the weights over the S_i real source positions at each of the
    U_i outputs the model emitted for example i. spans[i]: one (start, stop) or None per
    output of the *true* target; outputs beyond U_i (the model stopped early) and beyond
    the target (it went on) are not scored.
    """
    if len(weights) != len(spans):
        raise ValueError(f"peak_alignment: {len(weights)} weight maps for {len(spans)} "
                         "examples; give one of each per example.")
    hits = near = n = 0
    chance = 0.0
    for i, (w, sp) in enumerate(zip(weights, spans, strict=True)):
        if w is None:
            raise ValueError(f"peak_alignment: `weights[{i}]` is None: a model without "
                             "attention has no weights to score.")
        w = check_shape("peak_alignment", f"weights[{i}]", w, "U S")
        S = w.shape[1]
        for t, span in enumerate(sp[: w.shape[0]]):
            if span is None:
                continue
            start, stop = span
            if not 0 <= start < stop <= S:
                raise ValueError(f"peak_alignment: spans[{i}][{t}] = {span} does not lie in "
                                 f"the source of length S = {S} (weights[{i}] is {w.shape}).")
            peak = int(np.argmax(w[t]))
            hits += start <= peak < stop
            near += start - 1 <= peak <= stop
            chance += (stop - start) / S
            n += 1
    return AlignmentScore(hits, near, n, chance / n if n else float("nan"))


def reversal_spans(length: int) -> list[Span]:
    """The true alignment of digit reversal: output t copies source position L - 1 - t."""
    return [(length - 1 - t, length - t) for t in range(length)]
