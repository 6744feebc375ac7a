"""Synthetic tasks with known answers: delayed recall (Chapter 1), recall-the-first-value
(Chapter 4), the adding problem and the copy task (Chapter 5), first-token classification
(Chapter 6), digit reversal (Chapters 7, 9), and running parity, selective copying and
multi-query associative recall (Chapter 10).

Delayed recall: random +-1 bits; the target at step t is the bit seen `lag` steps ago, so
a window of width k <= lag is at chance and one of width k > lag is perfect.

Recall-the-first-value: the first of T uniform values must be reported after T steps of
distractors; predicting 0 scores MSE = 1/3.

Adding problem (Hochreiter & Schmidhuber 1997; the variant of Le et al. 2015): each step
carries two features, a value drawn uniformly from [0, 1] and a marker that is 1 at exactly
two steps and 0 elsewhere. One marker lies in the first half of the sequence, the other in
the second half. The target is the sum of the two marked values. Predicting the constant
E[y] = 1 scores MSE = Var(y) = 2 * (1/12) = 1/6, the baseline a model must beat.

Copy task: a string of `n_copy` symbols, a long stretch of blanks, a "go" marker, then the
model must write the string back. Predicting blanks and then a uniformly random symbol is
the memoryless baseline.

The conventions of every generator in `rnncourse.data`: randomness comes in as an
argument (an int seed or a `np.random.Generator`; nothing here touches a global seed), so
the same seed gives the same batch on every machine; values are float64 NumPy arrays and
ids int64 (a torch model casts at its own boundary, `torch.from_numpy(x).float()`); this
wing imports neither torch nor the model code.
"""

from __future__ import annotations

import numpy as np

ADDING_BASELINE_MSE = 1.0 / 6.0  # MSE of the constant prediction y = 1


RECALL_BASELINE_MSE = 1.0 / 3.0  # MSE of predicting 0 for a value uniform in [-1, 1]


def _rng(func: str, rng) -> np.random.Generator:
    """A NumPy generator from an int seed or a NumPy generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{func}: `rng` must be an int seed or a np.random.Generator, got "
                    f"{type(rng).__name__}.")


def delayed_recall(B: int, T: int, lag: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The delayed-recall task: output the bit seen `lag` steps ago.

    Returns x: (B, T, 1) random +-1 bits, y: (B, T) with y[:, t] = x[:, t-lag] (0 where
    t < lag) and mask: (B, T) bool, True where the target is defined (t >= lag).
    """
    if not 0 <= lag < T:
        raise ValueError(f"delayed_recall: lag={lag} must lie in 0..T-1 = 0..{T - 1}.")
    x = _rng("delayed_recall", rng).choice(np.array([-1.0, 1.0]), size=(B, T, 1))
    y = np.zeros((B, T))
    y[:, lag:] = x[:, :T - lag, 0]
    mask = np.zeros((B, T), dtype=bool)
    mask[:, lag:] = True
    return x, y, mask


def recall_first(B: int, T: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """The "remember the first value" task: x (B, T, 2), y (B,).

    x[..., 0] holds values uniform in [-1, 1] at every step (distractors after the
    first); x[..., 1] is a marker, 1 at the first step and 0 elsewhere. The target is
    the first value, y = x[:, 0, 0], read after T steps. Predicting 0 scores
    MSE = Var(y) = 1/3.
    """
    if T < 1:
        raise ValueError(f"recall_first: `T` must be at least 1, got T={T}.")
    values = _rng("recall_first", rng).uniform(-1.0, 1.0, size=(B, T))
    marker = np.zeros((B, T))
    marker[:, 0] = 1.0
    return np.stack([values, marker], axis=-1), values[:, 0].copy()


def adding_problem(B: int, T: int, rng, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """A batch of the adding problem.

    B: batch size; T: sequence length (at least 2); rng: seed or generator.
    Returns x: (B, T, 2) with x[..., 0] the values in [0, 1) and x[..., 1] the markers
    (exactly two ones per row, one in steps 0..T//2-1 and one in T//2..T-1), and
    y: (B,) the sum of the two marked values.
    """
    if T < 2:
        raise ValueError(f"adding_problem: `T` must be at least 2 (one marker per half), "
                         f"got T={T}.")
    gen = _rng("adding_problem", rng)
    values = gen.random((B, T))  # (B, T)
    half = T // 2
    first = gen.integers(0, half, size=B)  # (B,)
    second = gen.integers(half, T, size=B)  # (B,)
    markers = np.zeros((B, T))
    rows = np.arange(B)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)  # (B, T, 2)
    y = (values[rows, first] + values[rows, second]).astype(dtype)  # (B,)
    return x, y


def copy_task(B: int, delay: int, rng, n_copy: int = 10, n_symbols: int = 8
              ) -> tuple[np.ndarray, np.ndarray]:
    """A batch of the copy task as token ids.

    Vocabulary: 0 = blank, 1..n_symbols = symbols, n_symbols + 1 = "go" marker.
    The input is n_copy symbols, delay - 1 blanks, the go marker, then n_copy blanks;
    T = 2 * n_copy + delay. The target is blank everywhere except the last n_copy
    steps, which repeat the symbols.
    Returns x: (B, T) int64 input ids and y: (B, T) int64 target ids.
    """
    if delay < 1:
        raise ValueError(f"copy_task: `delay` must be at least 1, got delay={delay}.")
    gen = _rng("copy_task", rng)
    T = 2 * n_copy + delay
    symbols = gen.integers(1, n_symbols + 1, size=(B, n_copy))  # (B, n_copy)
    x = np.zeros((B, T), dtype=np.int64)
    y = np.zeros((B, T), dtype=np.int64)
    x[:, :n_copy] = symbols
    x[:, n_copy + delay - 1] = n_symbols + 1
    y[:, -n_copy:] = symbols
    return x, y


def first_token(B: int, lengths, rng, V: int = 8) -> tuple[list[np.ndarray], np.ndarray]:
    """Classify a sequence by its first symbol (Chapter 6's pooling task).

    Sequence b has lengths[b] symbols drawn uniformly from 0..V-1; its label is its first
    symbol's class, 0 if that symbol is even and 1 if odd. Every later symbol is drawn the
    same way, so nothing but position tells the first apart: a summary of the whole
    sequence must keep step 1 distinct from the rest. Returns (list of B int64 arrays,
    labels (B,) int64). `lengths`: one int for all, or B ints, each >= 1.
    """
    g = _rng("first_token", rng)
    L = np.broadcast_to(np.asarray(lengths, dtype=np.int64), (B,))
    if L.min() < 1 or V < 2:
        raise ValueError(f"first_token: `lengths` must be >= 1 and `V` >= 2; got lengths "
                         f"from {L.min()} and V={V}.")
    seqs = [g.integers(0, V, size=int(n)) for n in L]
    return seqs, np.array([s[0] % 2 for s in seqs], dtype=np.int64)


def digit_reversal(n: int, lengths, rng) -> tuple[list[str], list[str]]:
    """Reverse a string of digits (Chapter 7's task whose length can be swept).

    Returns n sources, each a string of uniformly random digits whose length is drawn
    uniformly from `lengths` (one int, or (low, high) inclusive), and their reversals.
    Output position i copies source position L - 1 - i, so the right alignment is known.
    """
    g = _rng("digit_reversal", rng)
    low, high = (lengths, lengths) if np.ndim(lengths) == 0 else tuple(lengths)
    if not 1 <= low <= high:
        raise ValueError(f"digit_reversal: `lengths` must be an int >= 1 or (low, high) with "
                         f"1 <= low <= high; got {lengths!r}.")
    sizes = g.integers(low, high + 1, size=n)
    src = ["".join(map(str, g.integers(0, 10, size=int(k)))) for k in sizes]
    return src, [s[::-1] for s in src]


def parity(B: int, T: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Running parity (Chapter 10's state-tracking task).

    x: (B, T) int64 bits, uniform in {0, 1}; y: (B, T) int64, y[:, t] = (x[:, 0] + ... +
    x[:, t]) mod 2, the parity of every bit read so far. One bit of state suffices, but it
    must flip on every 1 for as long as the sequence runs: a model trained on short
    sequences is tested on longer ones. Always guessing is right half of the time.
    """
    if T < 1:
        raise ValueError(f"parity: `T` must be at least 1, got T={T}.")
    x = _rng("parity", rng).integers(0, 2, size=(B, T)).astype(np.int64)
    return x, np.cumsum(x, axis=1) % 2


def selective_copy(B: int, T: int, n_tokens: int, rng, n_symbols: int = 8
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Selective copying (the task of Gu & Dao's Mamba paper, Chapter 10).

    Vocabulary: 0 = blank (noise), 1..n_symbols = symbols, n_symbols + 1 = "go" marker.
    The first T positions hold n_tokens symbols at positions drawn at random (sorted),
    blanks elsewhere; then n_tokens go markers; the model must write the symbols in their
    order at the markers. Where the symbols sit changes from sequence to sequence, so a
    model whose recurrence does not depend on its input cannot know which steps to keep.
    Returns x: (B, T + n_tokens) int64 input ids and y: (B, n_tokens) int64 symbols, the
    targets at the last n_tokens steps.
    """
    if not 1 <= n_tokens <= T:
        raise ValueError(f"selective_copy: `n_tokens` must be in 1..T={T}, got {n_tokens}.")
    if n_symbols < 1:
        raise ValueError(f"selective_copy: `n_symbols` must be at least 1, got {n_symbols}.")
    gen = _rng("selective_copy", rng)
    where = np.sort(np.argsort(gen.random((B, T)), axis=1)[:, :n_tokens], axis=1)
    symbols = gen.integers(1, n_symbols + 1, size=(B, n_tokens))
    x = np.zeros((B, T + n_tokens), dtype=np.int64)
    np.put_along_axis(x, where, symbols, axis=1)
    x[:, T:] = n_symbols + 1
    return x, symbols.astype(np.int64)


def associative_recall(B: int, n_pairs: int, n_queries: int, rng, n_keys: int = 16,
                       n_values: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Multi-query associative recall (Chapter 10, after Arora et al.'s MQAR).

    Vocabulary: keys 0..n_keys-1, values n_keys..n_keys+n_values-1. A sequence lists
    n_pairs key-value pairs (k_1, v_1, ..., k_n, v_n; distinct keys, values drawn with
    replacement), then n_queries keys drawn from its pairs (with replacement); at each
    query the answer is the value that key was paired with. A model must store every pair
    it reads, not knowing which will be asked.
    Returns x: (B, 2 n_pairs + n_queries) int64 ids and y: (B, n_queries) int64 value ids
    (in the same vocabulary), the targets at the last n_queries steps.
    """
    if not 1 <= n_pairs <= n_keys:
        raise ValueError(f"associative_recall: `n_pairs` must be in 1..n_keys={n_keys} "
                         f"(keys are distinct), got {n_pairs}.")
    if n_queries < 1 or n_values < 1:
        raise ValueError(f"associative_recall: `n_queries` and `n_values` must be at least 1, "
                         f"got {n_queries} and {n_values}.")
    gen = _rng("associative_recall", rng)
    keys = np.argsort(gen.random((B, n_keys)), axis=1)[:, :n_pairs]
    values = n_keys + gen.integers(0, n_values, size=(B, n_pairs))
    asked = gen.integers(0, n_pairs, size=(B, n_queries))
    x = np.empty((B, 2 * n_pairs + n_queries), dtype=np.int64)
    x[:, 0:2 * n_pairs:2], x[:, 1:2 * n_pairs:2] = keys, values
    x[:, 2 * n_pairs:] = np.take_along_axis(keys, asked, axis=1)
    return x, np.take_along_axis(values, asked, axis=1).astype(np.int64)
