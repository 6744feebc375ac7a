"""Measuring a trained encoder-decoder's decoding (Chapter 7): what it predicts given the
true prefix (teacher forcing) against given its own (free running), what one wrong token
in the prefix does to the rest, and what beam search changes over greedy decoding.

All functions take the model with its vocabularies (`models.seq2seq.Seq2Seq`,
`data.chardata.TokenVocab`) and strings, and return NumPy arrays of ids (B, U), U the
longest target with its EOS, PAD (0) where a row has nothing, so that

    position_accuracy(predicted, targets)      # (U,) fraction right at each position

compares any two of them position by position over the real target tokens.

`characters_right` and `length_sweep` score greedy outputs as strings, length by length
(Chapter 7's and Chapter 9's reversal studies).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from rnncourse.data import specials
from rnncourse.models import search, seq2seq


def _batch(src_vocab, tgt_vocab, sources: list[str], targets: list[str]):
    if len(sources) != len(targets) or not sources:
        raise ValueError(f"{len(sources)} sources for {len(targets)} targets (must be equal "
                         "and non-zero).")
    src, lengths = src_vocab.batch(sources)
    tgt, _ = tgt_vocab.batch(targets, eos=True)
    return torch.from_numpy(src), torch.from_numpy(lengths), tgt


def teacher_forced_ids(model: seq2seq.Seq2Seq, src_vocab, tgt_vocab, sources: list[str],
                       targets: list[str], inputs: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(predicted (B, U), target (B, U)) ids: the argmax at every step when step t is
    fed the true previous token (BOS first), or `inputs` (B, U) if given."""
    src, lengths, tgt = _batch(src_vocab, tgt_vocab, sources, targets)
    with search.evaluating(model), torch.no_grad():
        feed = None if inputs is None else torch.as_tensor(inputs)
        logits, _ = model.teacher_forced(src, lengths, torch.from_numpy(tgt), inputs=feed)
    pred = logits.argmax(-1).numpy()
    return np.where(tgt == specials.PAD, specials.PAD, pred), tgt


def teacher_inputs(targets: np.ndarray) -> np.ndarray:
    """(B, U) target ids -> (B, U) what teacher forcing feeds: BOS, then targets[:, :-1]."""
    return specials.shift_right(targets)


def corrupt(inputs: np.ndarray, position: int, choices, rng: np.random.Generator
            ) -> np.ndarray:
    """A copy of teacher-forcing inputs (B, U) in which the token fed at step
    `position` + 1 (the target at `position`, 0-based) is replaced in every row by an id
    drawn uniformly from `choices` other than the true one."""
    choices = np.asarray(choices)
    out = np.array(inputs, copy=True)
    if not 0 <= position < out.shape[1] - 1:
        raise ValueError(f"corrupt: `position` must lie in 0..{out.shape[1] - 2} (a target "
                         f"that is fed to a later step), got {position}.")
    for b in range(out.shape[0]):
        true = out[b, position + 1]
        out[b, position + 1] = rng.choice(choices[choices != true])
    return out


def greedy_ids(model: seq2seq.Seq2Seq, src_vocab, tgt_vocab, sources: list[str],
               targets: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(predicted (B, U), target (B, U)) ids: greedy decoding, each step fed the model's
    own previous output (free running), cut or padded to the targets' U steps."""
    src, lengths, tgt = _batch(src_vocab, tgt_vocab, sources, targets)
    U = tgt.shape[1]
    with search.evaluating(model):
        ids, _ = model.greedy(src, lengths, max_len=U)
    pred = np.full_like(tgt, specials.PAD)
    pred[:, : ids.shape[1]] = ids.numpy()
    return np.where(tgt == specials.PAD, specials.PAD, pred), tgt


def position_accuracy(predicted: np.ndarray, target: np.ndarray,
                      after: int | None = None) -> np.ndarray:
    """(U,) the fraction of rows whose prediction is right at each position, over the
    real (non-PAD) target tokens; positions <= `after` (0-based) are NaN when given (the
    positions a corruption cannot affect)."""
    predicted, target = np.asarray(predicted), np.asarray(target)
    if predicted.shape != target.shape or predicted.ndim != 2:
        raise ValueError(f"position_accuracy: `predicted` {predicted.shape} and `target` "
                         f"{target.shape} must be the same (B, U).")
    real = target != specials.PAD
    right = (predicted == target) & real
    with np.errstate(invalid="ignore"):
        acc = right.sum(0) / real.sum(0)
    if after is not None:
        acc = acc.astype(float)
        acc[: after + 1] = np.nan
    return acc


def beam_outputs(model: seq2seq.Seq2Seq, src_vocab, tgt_vocab, sources: list[str],
                 width: int, max_len: int, length_norm: float = 0.0) -> list[str]:
    """Beam search of width `width` on each source, decoded to text."""
    src, lengths = src_vocab.batch(sources)
    with search.evaluating(model):
        return [tgt_vocab.decode(model.beam_search(torch.from_numpy(src[b]), int(lengths[b]),
                                                   width, max_len, length_norm)[0])
                for b in range(len(sources))]


def characters_right(predictions: list[str], targets: list[str]) -> float:
    """The mean over pairs of the share of target positions i where the prediction has the
    target's character at i (a prediction too short is wrong at the positions it lacks;
    characters beyond the target's length are not counted)."""
    if len(predictions) != len(targets) or not targets or not all(targets):
        raise ValueError(f"characters_right: {len(predictions)} predictions for "
                         f"{len(targets)} targets (must be equal, non-zero, none empty).")
    return float(np.mean([np.mean([i < len(p) and p[i] == t[i] for i in range(len(t))])
                          for p, t in zip(predictions, targets, strict=True)]))


def length_sweep(model, vocab, make: Callable, lengths: list[int], n: int,
                 rng: np.random.Generator, extra: int = 5) -> tuple[list[float], list[float]]:
    """Greedy decoding of n fresh pairs per length: (exact match, characters right) per
    length. make(n, L, rng) -> (sources, targets) as strings (e.g. data.tasks.digit_reversal),
    drawn length after length from `rng`; outputs are cut at L + extra tokens."""
    exact, right = [], []
    for L in lengths:
        sources, targets = make(n, L, rng)
        out, _ = seq2seq.translate(model, sources, vocab, vocab, max_len=L + extra)
        exact.append(seq2seq.exact_match(out, targets))
        right.append(characters_right(out, targets))
    return exact, right
