"""Chapter 6's hierarchical LSTM: which module does a chunk of source code come from?

Each example is a chunk of `n_lines` consecutive lines (cut to `max_len` characters) from
one of eight standard-library modules; the label is the module. Training chunks come from
the first 90 percent of each module's lines, test chunks (every start, stride
`test_stride`) from the rest. Three models read the same characters:
models.sequence.Hierarchical (a character LSTM per line, then a line LSTM over the line
vectors), and a flat LSTM over the whole chunk with last-state or mean pooling
(models.sequence.Classifier). Seed s seeds torch (`models.seeding.seeded(s)`) for the
initialisation and training, and the stream [s, TRAIN] for the training chunks. Reported:
test accuracy balanced over modules (chance 1/8) and CPU time per update (one thread).
Budgets are in updates.

    python -m rnncourse.studies hierarchical   # -> results/hierarchical.json (3 seeds, ~4 min)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SEEDS = 3
TRAIN = 12                    # NumPy stream: training chunks
VARIANTS = ["hierarchical", "flat, last state", "flat, mean"]
MODULES = ["textwrap", "functools", "heapq", "fractions", "difflib", "argparse",
           "json.encoder", "json.decoder"]


@dataclass
class Config:
    n_lines: int = 8             # lines per chunk
    max_len: int = 48            # characters kept per line
    B: int = 16                  # chunks per update
    H: int = 32                  # LSTM units (both levels of the hierarchy, and flat)
    E: int = 16                  # character embedding size
    steps: int = 600             # updates
    lr: float = 5e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    test_stride: int = 2         # a test chunk starts every this many lines
    modules: list = field(default_factory=lambda: list(MODULES))   # the classes


SMOKE = Config(n_lines=3, max_len=12, B=4, H=4, E=4, steps=2, test_stride=200)


def data(config: Config):
    """(train, test, vocab): each module's training and test lines, and the characters."""
    from rnncourse.data import chardata, pysource

    train, test = pysource.module_chunks(tuple(config.modules), config.n_lines)
    vocab = chardata.Vocab("".join("".join(m) for m in train + test))
    return train, test, vocab


def test_set(test, vocab, config: Config):
    """Every test chunk (stride `test_stride`) as lists of encoded lines, and its labels."""
    chunks, labels = [], []
    n = config.n_lines
    for label, lines in enumerate(test):
        for s in range(0, len(lines) - n + 1, config.test_stride):
            chunks.append([vocab.encode(ln[:config.max_len]) for ln in lines[s:s + n]])
            labels.append(label)
    return chunks, np.array(labels)


def train(kind: str, seed: int, train_lines, vocab, config: Config):
    """The model `kind` trained on chunks of `train_lines`: (model, CPU seconds)."""
    from rnncourse.models import sequence
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit

    V, C, flat = len(vocab), len(config.modules), kind != "hierarchical"
    with seeded(seed):
        if flat:
            model = sequence.Classifier(V, C, H=config.H, E=config.E,
                                        pooling="last" if "last" in kind else "mean")
        else:
            model = sequence.Hierarchical(V, C, H_char=config.H, H_line=config.H, E=config.E)
        start = time.process_time()
        fit(model, sequence.chunk_batches(train_lines, vocab.encode, config.n_lines,
                                          config.max_len, config.B,
                                          np.random.default_rng([seed, TRAIN]), flat),
            config.steps, config.lr, config.clip)
        cpu = time.process_time() - start
    return model, cpu


def balanced_accuracy(model, kind: str, chunks, labels, C: int) -> tuple[float, list[float]]:
    """Accuracy averaged over the C modules, and per module."""
    import torch

    from rnncourse.models import sequence

    flat = kind != "hierarchical"
    with torch.no_grad():
        pred = np.concatenate([model(sequence.chunks_to_input(chunks[i:i + 256], flat))[0]
                               .argmax(1).numpy() for i in range(0, len(chunks), 256)])
    per_module = [float(np.mean(pred[labels == c] == c)) for c in range(C)]
    return float(np.mean(per_module)), per_module


def run(kind: str, seed: int, config: Config) -> dict:
    train_lines, test, vocab = data(config)
    model, cpu = train(kind, seed, train_lines, vocab, config)
    chunks, labels = test_set(test, vocab, config)
    bal, per_module = balanced_accuracy(model, kind, chunks, labels, len(config.modules))
    return {"balanced_accuracy": bal, "per_module": per_module, "n_test": len(labels),
            "params": sum(p.numel() for p in model.parameters()),
            "ms_per_step": round(1000 * cpu / config.steps, 1)}
