"""Decoding in NumPy (Chapter 7): greedy decoding, beam search and brute force, one
sequence at a time, over any single-hypothesis step

    step(token, state) -> (log_probs (V,), new_state)

(`models.search.step_fn` gives a torch model's step in this form). Beam search keeps the
`width` best partial hypotheses by total log-probability, sets aside those that end in
EOS, and ranks finished ones by log p / len**length_norm (`specials.length_normalised`;
length_norm = 0: no length normalisation; the book writes the width n_beam and the
exponent lambda). `brute_force` enumerates every sequence instead, the oracle the search
is tested against on models small enough to enumerate. `models.search.beam_search` is
the same algorithm with the live hypotheses as one torch batch.

`scratch.attention` re-exports these functions under the same names (Chapter 7 and the
exercise set call them from there). This wing imports no torch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnncourse.data.specials import length_normalised

Step = Callable[[int, object], tuple[np.ndarray, object]]


def beam_search(step: Step, state, bos: int, eos: int, width: int, max_len: int,
                length_norm: float = 0.0) -> tuple[list[int], float]:
    """The best sequence that beam search of width `width` finds, and its score.

    step(token, state) -> (log_probs (V,), new_state) scores the next token after `token`.
    Hypotheses start from `bos`; a hypothesis that emits `eos` is finished (its length
    counts the eos) and is never extended. At most `max_len` tokens are emitted; at
    that length unfinished hypotheses are ranked with the finished. Returns (tokens
    without bos, eos included if emitted; log p / len**length_norm).
    """
    if not (isinstance(width, int | np.integer) and width >= 1):
        raise ValueError(f"beam_search: `width` must be a positive integer, got {width!r}.")
    if not (isinstance(max_len, int | np.integer) and max_len >= 1):
        raise ValueError(f"beam_search: `max_len` must be a positive integer, got {max_len!r}.")
    beams = [([], 0.0, bos, state)]          # (tokens, total log p, last token, state)
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        grown = []
        for tokens, logp, last, st in beams:
            lp, new_state = step(last, st)
            lp = np.asarray(lp, dtype=np.float64)
            for tok in np.argsort(-lp, kind="stable")[:width]:
                if not np.isfinite(lp[tok]):
                    break                     # probability 0: never a hypothesis
                grown.append((tokens + [int(tok)], logp + float(lp[tok]), int(tok), new_state))
        grown.sort(key=lambda h: -h[1])
        beams = []
        for h in grown[:width]:
            if h[2] == eos:
                finished.append((h[0], h[1]))
            else:
                beams.append(h)
        if not beams:
            break
    pool = finished + [(t, lp) for t, lp, _, _ in beams]
    best = max(pool, key=lambda h: length_normalised(h[1], len(h[0]), length_norm))
    return best[0], length_normalised(best[1], len(best[0]), length_norm)


def greedy(step: Step, state, bos: int, eos: int, max_len: int) -> tuple[list[int], float]:
    """The most probable token at every step until eos or max_len; (tokens, log p)."""
    tokens, logp, last = [], 0.0, bos
    for _ in range(max_len):
        lp, state = step(last, state)
        last = int(np.argmax(lp))
        tokens.append(last)
        logp += float(lp[last])
        if last == eos:
            break
    return tokens, logp


def brute_force(step: Step, state, bos: int, eos: int, V: int, max_len: int,
                length_norm: float = 0.0) -> tuple[list[int], float]:
    """The best sequence by exhaustive search over every token string of length <=
    max_len that ends in eos or reaches max_len (up to V**max_len of them: small models
    only), ranked as beam_search ranks them. Each prefix is scored once (depth first);
    tokens of probability 0 are not followed."""
    if V ** max_len > 200_000:
        raise ValueError(f"brute_force: V**max_len = {V}**{max_len} sequences is too many "
                         "to enumerate; use a smaller toy model.")
    best: list = [None, -np.inf]

    def visit(prefix: list[int], logp: float, last: int, st) -> None:
        lp, new_state = step(last, st)
        for tok in range(V):
            if not np.isfinite(lp[tok]):
                continue
            seq, total = prefix + [tok], logp + float(lp[tok])
            if tok == eos or len(seq) == max_len:
                s = length_normalised(total, len(seq), length_norm)
                if s > best[1]:
                    best[0], best[1] = seq, s
            else:
                visit(seq, total, tok, new_state)

    visit([], 0.0, bos, state)
    return best[0], best[1]
