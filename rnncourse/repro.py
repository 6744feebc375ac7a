"""Seeds and thread counts for runs that repeat exactly and are checked under other seeds.

Every chapter takes its base seed from `seed()`: 0, unless the environment variable
`RNNCOURSE_SEED` says otherwise. The book is built with 0; the test suite executes each
chapter again with another base seed and other floating-point kernels, so that a number
a chapter asserts is a property of the method and not of one lucky draw (see
`tests/course/test_robustness.py`).

Independent streams for different purposes come from one base seed through NumPy's
seed sequences, `np.random.default_rng([seed, purpose])`, never from `seed + 1`, which
would give one purpose's stream to another when the base seed moves.
"""

from __future__ import annotations

import os

SEED_VARIABLE = "RNNCOURSE_SEED"
THREADS_VARIABLE = "OMP_NUM_THREADS"


def _env_int(func: str, variable: str, default: int, least: int, kind: str) -> int:
    """int(os.environ[variable]) if set (and >= least), else default; ValueError otherwise."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        n = int(value)
    except ValueError:
        n = None
    if n is None or n < least:
        raise ValueError(f"{func}: the environment variable {variable} must be a {kind} "
                         f"integer, got {value!r}.")
    return n


def seed() -> int:
    """The base seed of this run: int(RNNCOURSE_SEED), or 0 when it is not set."""
    return _env_int("seed", SEED_VARIABLE, 0, 0, "non-negative")


def seeds(n: int, base: int | None = None) -> list[int]:
    """n consecutive seeds base, base + 1, ..., base + n - 1 (base: `seed()`), for results
    that are stated across several independent runs."""
    if n < 1:
        raise ValueError(f"seeds: `n` must be at least 1, got {n}.")
    start = seed() if base is None else base
    return list(range(start, start + n))


def threads() -> int:
    """Threads for torch's CPU kernels: int(OMP_NUM_THREADS), or 1 when it is not set.

    The course's matrices are small, and one thread per process keeps a laptop's second
    core free (scripts/bench_bptt.py measures one thread against two).
    """
    return _env_int("threads", THREADS_VARIABLE, 1, 1, "positive")
