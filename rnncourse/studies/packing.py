"""Chapter 6's benchmark: packed against padded, forward and backward of an LSTM over
batches of standard-library lines. A benchmark of the machine that runs it: times differ
between machines, and nothing in the course asserts a time, only ratios with margins.

Each batch holds B lines of standard-library source (lengths 1 to `max_line` characters),
padded to the longest. Variant "packed" runs the layer on a PackedSequence
(`sequence.pack`, enforce_sorted=False); "padded" runs it over the padded batch and masks
the outputs (`sequence.masked_mean`), which is correct for one direction only. A run times
the loop over `batches` batches (CPU seconds, one thread). The seed numbers the repeat and
changes nothing else: every run builds the same layer (`seeded(LAYER_SEED)`) and draws the
same batches (stream BATCHES), so that both modes and every repeat do the same work. With
one worker the runs alternate between the modes in one process:

    python -m rnncourse.studies packing --workers 1   # -> results/packing.json (3 repeats)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

SEEDS = 3                     # repeats
LAYER_SEED = 0                # torch seed of the embedding and the LSTM, in every run
BATCHES = 0                   # NumPy stream of the batches (np.random.default_rng(0))
VARIANTS = ["packed", "padded"]


@dataclass
class Config:
    B: int = 64                  # lines per batch
    batches: int = 40            # batches per run
    H: int = 64                  # LSTM units
    E: int = 32                  # character embedding size
    max_line: int = 120          # longest line used, in characters (the shortest: 1)


SMOKE = Config(B=4, batches=2, H=4, E=4)


def run(mode: str, seed: int, config: Config) -> dict:
    import torch
    from torch import nn

    from rnncourse.data import chardata
    from rnncourse.models import sequence
    from rnncourse.models.seeding import seeded

    text = chardata.load_stdlib_corpus()
    vocab = chardata.Vocab(text)
    lines = [ln for ln in text.splitlines() if 1 <= len(ln) <= config.max_line]
    with seeded(LAYER_SEED):
        embed, lstm = nn.Embedding(len(vocab), config.E), nn.LSTM(config.E, config.H,
                                                                  batch_first=True)
    batch_rng = np.random.default_rng(BATCHES)
    real = padded = 0
    start = time.process_time()
    for _ in range(config.batches):
        x, lengths = sequence.pad([vocab.encode(lines[i]) for i in
                                   batch_rng.integers(0, len(lines), size=config.B)])
        e = embed(x)
        out = sequence.pack(lstm, e, lengths)[0] if mode == "packed" else lstm(e)[0]
        sequence.masked_mean(out, lengths).sum().backward()
        real, padded = real + int(lengths.sum()), padded + x.numel()
    cpu = time.process_time() - start
    return {"cpu_s": round(cpu, 3), "real_steps": real, "padded_steps": padded,
            "torch_threads": torch.get_num_threads()}
