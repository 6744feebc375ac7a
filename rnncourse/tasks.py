"""Synthetic long-range tasks: the adding problem and the copy task (Chapter 5).

Adding problem (Hochreiter & Schmidhuber 1997; the variant of Le et al. 2015): each step
carries two features, a value drawn uniformly from [0, 1] and a marker that is 1 at exactly
two steps and 0 elsewhere. One marker lies in the first half of the sequence, the other in
the second half. The target is the sum of the two marked values. Predicting the constant
E[y] = 1 scores MSE = Var(y) = 2 * (1/12) = 1/6, the baseline a model must beat.

Copy task: a string of `n_copy` symbols, a long stretch of blanks, a "go" marker, then the
model must write the string back. Predicting blanks and then a uniformly random symbol is
the memoryless baseline.

Randomness comes in as an argument (an int seed, a `np.random.Generator` or a
`torch.Generator`); the same seed gives the same batch.
"""

from __future__ import annotations

import numpy as np
import torch

ADDING_BASELINE_MSE = 1.0 / 6.0  # MSE of the constant prediction y = 1


def _rng(func: str, rng) -> np.random.Generator:
    """A NumPy generator from an int seed, a NumPy generator or a torch generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=rng).item())
        return np.random.default_rng(seed)
    if isinstance(rng, int | np.integer):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{func}: `rng` must be an int seed, np.random.Generator or "
                    f"torch.Generator, got {type(rng).__name__}.")


def adding_problem(B: int, T: int, rng, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
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
