"""The one place the course seeds torch: `seeded(seed)`.

torch's layers draw their initial weights (and dropout its masks) from torch's global
generator. Every model the course builds, in a chapter, a study or a test, is built and
trained inside `with seeded(seed):`, which seeds that generator and restores its state
afterwards, so a run repeats exactly and leaves nothing behind for the next one. NumPy's
draws come from `np.random.default_rng([seed, stream])`, streams being named by the
study or chapter that uses them (see rnncourse.repro).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block with torch's global generator seeded with `seed` (CPU), and give the
    generator its previous state back when the block ends."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seeded: `seed` must be a non-negative int, got {seed!r}.")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
