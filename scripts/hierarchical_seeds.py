"""Chapter 6's hierarchical LSTM: which module does a chunk of source code come from?

Each example is a chunk of N_LINES consecutive lines (cut to MAX_LEN characters) from one
of eight standard-library modules; the label is the module. Training chunks come from the
first 90 percent of each module's lines, test chunks (every start, stride 2) from the
rest. Three models read the same characters: models.sequence.Hierarchical (a character
LSTM per line, then a line LSTM over the line vectors), and a flat LSTM over the whole
chunk with last-state or mean pooling (models.sequence.Classifier). Seed s uses
torch.manual_seed(s) and np.random.default_rng([s, 12]) for the training chunks. Reported:
test accuracy balanced over modules (chance 1/8) and CPU time per update (one thread).
Budgets are in steps.

    python scripts/hierarchical_seeds.py       # -> results/hierarchical_seeds.json (~5 min)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

MODULES = ("textwrap", "functools", "heapq", "fractions", "difflib", "argparse",
           "json.encoder", "json.decoder")
CONFIG = dict(n_lines=8, max_len=48, B=16, H=32, E=16, steps=600, lr=5e-3, clip=1.0,
              test_stride=2, modules=list(MODULES))
KINDS = ("hierarchical", "flat, last state", "flat, mean")


def data():
    from rnncourse.data import chardata, pysource

    train, test = pysource.module_chunks(MODULES, CONFIG["n_lines"])
    vocab = chardata.Vocab("".join("".join(m) for m in train + test))
    return train, test, vocab


def test_set(test, vocab):
    chunks, labels = [], []
    n = CONFIG["n_lines"]
    for label, lines in enumerate(test):
        for s in range(0, len(lines) - n + 1, CONFIG["test_stride"]):
            chunks.append([vocab.encode(ln[:CONFIG["max_len"]]) for ln in lines[s:s + n]])
            labels.append(label)
    return chunks, labels


def one_run(job):
    one_thread()
    import numpy as np
    import torch

    from rnncourse.models import sequence
    from rnncourse.models.train import fit

    torch.set_num_threads(1)
    kind, seed = job
    train, test, vocab = data()
    V, C, flat = len(vocab), len(MODULES), kind != "hierarchical"
    torch.manual_seed(seed)
    if flat:
        model = sequence.Classifier(V, C, H=CONFIG["H"], E=CONFIG["E"],
                                    pooling="last" if "last" in kind else "mean")
    else:
        model = sequence.Hierarchical(V, C, H_char=CONFIG["H"], H_line=CONFIG["H"], E=CONFIG["E"])
    start = time.process_time()
    fit(model, sequence.chunk_batches(train, vocab.encode, CONFIG["n_lines"], CONFIG["max_len"],
                                      CONFIG["B"], np.random.default_rng([seed, 12]), flat),
        CONFIG["steps"], CONFIG["lr"], CONFIG["clip"])
    cpu = time.process_time() - start
    chunks, labels = test_set(test, vocab)
    with torch.no_grad():
        pred = np.concatenate([model(sequence.chunks_to_input(chunks[i:i + 256], flat))[0]
                               .argmax(1).numpy() for i in range(0, len(chunks), 256)])
    labels = np.array(labels)
    per_module = [float(np.mean(pred[labels == c] == c)) for c in range(C)]
    return {"model": kind, "seed": seed, "balanced_accuracy": float(np.mean(per_module)),
            "per_module": per_module, "n_test": len(labels),
            "params": sum(p.numel() for p in model.parameters()),
            "ms_per_step": round(1000 * cpu / CONFIG["steps"], 1)}


def main() -> None:
    run_study(__doc__, "hierarchical_seeds.json", KINDS, one_run, {"config": CONFIG})


if __name__ == "__main__":
    main()
