"""Chapter 10's timing table: one linear recurrence, four ways, on this machine's CPU.

For each form of `scratch.scan` (the variants) and the torch scan of `models.linear_rnn`
(loop and recursive doubling, forward only), the best of `repeats` wall-clock times of
h_t = a_t * h_{t-1} + b_t over B sequences of every length in `lengths` at every width in
`widths`, with decays uniform in (0.5, 1) and standard normal inputs from the stream
[seed, T, H]; beside each time, the multiply-adds and sequential rounds the form needs
(`scratch.scan.scan_work`). A benchmark: one process (`WORKERS = 1`), one thread, nothing
else running; the times are this machine's and the file records which machine that was.

    python -m rnncourse.studies scan_timing     # -> results/scan_timing.json
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SEEDS = 1
WORKERS = 1
VARIANTS = ["loop", "hillis_steele", "blelloch", "log_space", "chunked", "torch loop",
            "torch parallel"]


@dataclass
class Config:
    B: int = 4                                   # sequences
    lengths: list[int] = field(default_factory=lambda: [64, 256, 1024, 4096, 16384])
    widths: list[int] = field(default_factory=lambda: [16, 256])
    chunk: int = 64                              # the chunked form's chunk length
    repeats: int = 3                             # best of this many timings


SMOKE = Config(B=1, lengths=[8, 33], widths=[2], chunk=4, repeats=1)


def time_one(method: str, a: np.ndarray, b: np.ndarray, config: Config) -> float:
    """The best of `repeats` wall times of one form on (a, b)."""
    from rnncourse.scratch import scan

    if method.startswith("torch"):
        import torch

        from rnncourse.models.linear_rnn import scan as torch_scan

        ta, tb = torch.from_numpy(a), torch.from_numpy(b)

        def call():
            with torch.no_grad():
                torch_scan(ta, tb, method=method.split()[1])
    else:
        def call():
            scan.linear_scan(a, b, method=method, chunk=config.chunk)
    best = float("inf")
    for _ in range(config.repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def run(variant: str, seed: int, config: Config) -> dict:
    from rnncourse.scratch import scan

    work_of = {"torch loop": "loop", "torch parallel": "hillis_steele"}.get(variant, variant)
    rows = []
    for H in config.widths:
        for T in config.lengths:
            g = np.random.default_rng([seed, T, H])
            a = g.uniform(0.5, 1.0, (config.B, T, H))
            b = g.standard_normal((config.B, T, H))
            rows.append({"T": T, "H": H, "seconds": time_one(variant, a, b, config),
                         **scan.scan_work(T, work_of, chunk=config.chunk)})
    return {"rows": rows}
