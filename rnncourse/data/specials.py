"""The decoding conventions every sequence model of the course shares (Chapters 7-9), in
NumPy so that both code wings import them: `models.search` (torch) and `scratch.search`.

- The special ids: PAD = 0 pads a batch, BOS = 1 is fed before the first output, EOS = 2
  ends a sequence; a vocabulary's own tokens follow (`chardata.TokenVocab`, `WordVocab`).
- `never_outputs(V)`: added to a decoder's logits, it gives PAD and BOS probability exactly
  0, so that no decoder ever emits them.
- `shift_right(targets)`: what teacher forcing feeds, BOS and then the targets but the last.
- `length_normalised(logp, length, length_norm)`: the score by which beam search and
  brute force rank hypotheses, log p / length**length_norm (the book's lambda; 0: log p).
"""

from __future__ import annotations

import numpy as np

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<s>", "</s>")


def never_outputs(V: int, dtype=np.float32) -> np.ndarray:
    """(V,) 0, and -inf at PAD and BOS (float32 by default: the dtype of the models'
    logits, which a float64 mask would promote)."""
    if not (isinstance(V, int | np.integer) and V > EOS):
        raise ValueError(f"never_outputs: `V` must be an integer > {EOS} (the special ids "
                         f"come first), got {V!r}.")
    never = np.zeros(int(V), dtype=dtype)
    never[[PAD, BOS]] = -np.inf
    return never


def shift_right(targets, bos: int = BOS) -> np.ndarray:
    """(B, U) target ids -> (B, U) what teacher forcing feeds: `bos`, then targets[:, :-1]."""
    targets = np.asarray(targets)
    return np.concatenate([np.full_like(targets[:, :1], bos), targets[:, :-1]], 1)


def length_normalised(logp: float, length: int, length_norm: float) -> float:
    """log p / length**length_norm, length counting the EOS if emitted; with
    length_norm = 0, log p itself."""
    return logp / length ** length_norm if length_norm else logp
