"""Seeds and thread counts for runs that repeat exactly and are checked under other seeds.

Every chapter takes its base seed from `seed()`: 0, unless the environment variable
`RNNCOURSE_SEED` says otherwise. The book is built with 0; the test suite executes each
chapter again with another base seed and other floating-point kernels, so that a number
a chapter asserts is a property of the method and not of one lucky draw (see
`tests/test_robustness.py`).

Independent streams for different purposes come from one base seed through NumPy's
seed sequences, `np.random.default_rng([seed, purpose])`, never from `seed + 1`, which
would give one purpose's stream to another when the base seed moves.
"""

from __future__ import annotations

import os

SEED_VARIABLE = "RNNCOURSE_SEED"
THREADS_VARIABLE = "OMP_NUM_THREADS"


def seed() -> int:
    """The base seed of this run: int(RNNCOURSE_SEED), or 0 when it is not set."""
    value = os.environ.get(SEED_VARIABLE, "0").strip() or "0"
    try:
        base = int(value)
    except ValueError:
        raise ValueError(f"seed: the environment variable {SEED_VARIABLE} must be a "
                         f"non-negative integer, got {value!r}.") from None
    if base < 0:
        raise ValueError(f"seed: the environment variable {SEED_VARIABLE} must be a "
                         f"non-negative integer, got {base}.")
    return base


def seeds(n: int, base: int | None = None) -> list[int]:
    """n consecutive seeds base, base + 1, ..., base + n - 1 (base: `seed()`), for results
    that are stated across several independent runs."""
    if n < 1:
        raise ValueError(f"seeds: `n` must be at least 1, got {n}.")
    start = seed() if base is None else base
    return list(range(start, start + n))


def threads() -> int:
    """Threads for torch's CPU kernels: int(OMP_NUM_THREADS), or 1 when it is not set.

    The course's matrices are small; on a 2-core laptop one thread is as fast as two
    for them (see the README's measurements), and leaves a core free.
    """
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return 1
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"threads: the environment variable {THREADS_VARIABLE} must be a "
                         f"positive integer, got {value!r}.") from None
    if n < 1:
        raise ValueError(f"threads: the environment variable {THREADS_VARIABLE} must be a "
                         f"positive integer, got {n}.")
    return n
