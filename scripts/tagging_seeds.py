"""Chapter 6's sequence labeller on standard-library source, over depths, directions and seeds.

Every character of the source is tagged by `tokenize` (data.pysource.TAGS: space, name,
called name, number, string, comment, operator); whether a name is *called* shows only in
what follows it, so a model that reads left to right cannot know it when it reads the name.
This script trains models.sequence.Tagger for every configuration below and --seeds seeds
on the first 90 percent of the text and writes the held-out accuracy, the recall of every
tag and the CPU time per update (one thread). Seed s uses torch.manual_seed(s) and
np.random.default_rng([s, 8]), as the chapter does with base seed s. Budgets are in steps.

    python scripts/tagging_seeds.py            # -> results/tagging_seeds.json (~5 min)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

# The chapter's training set-up (book/06-pytorch-rnns.ipynb asserts that it still is).
CONFIG = dict(E=32, B=32, T=80, steps=400, lr=5e-3, clip=1.0, frac=0.9, eval_T=200)
# (name, num_layers, bidirectional, H per direction)
MODELS = [("uni 1", 1, False, 64), ("uni 2", 2, False, 64), ("uni 3", 3, False, 64),
          ("uni 1, H=96", 1, False, 96),
          ("bi 1", 1, True, 64), ("bi 2", 2, True, 64), ("bi 3", 3, True, 64)]


def one_run(job):
    one_thread()
    import numpy as np
    import torch

    from rnncourse.data import chardata, pysource
    from rnncourse.models import sequence

    torch.set_num_threads(1)
    (name, K, bi, H), seed = job
    text, labels = pysource.labelled_stdlib(chardata.DEFAULT_MODULES)
    vocab = chardata.Vocab(text)
    ids, tags = vocab.encode(text), labels.tags()
    n = int(len(ids) * CONFIG["frac"])
    torch.manual_seed(seed)
    model = sequence.Tagger(len(vocab), len(pysource.TAGS), H=H, num_layers=K,
                            bidirectional=bi, E=CONFIG["E"])
    start = time.process_time()
    sequence.train_tagger(model, ids[:n], tags[:n], CONFIG["steps"], B=CONFIG["B"],
                          T=CONFIG["T"], lr=CONFIG["lr"], clip=CONFIG["clip"],
                          rng=np.random.default_rng([seed, 8]))
    cpu = time.process_time() - start
    acc, conf = sequence.tag_accuracy(model, ids[n:], tags[n:], T=CONFIG["eval_T"])
    return {"model": name, "num_layers": K, "bidirectional": bi, "H": H, "seed": seed,
            "params": sum(p.numel() for p in model.parameters()), "accuracy": acc,
            "recall": (np.diag(conf) / np.maximum(conf.sum(1), 1)).tolist(),
            "ms_per_step": round(1000 * cpu / CONFIG["steps"], 1)}


def main() -> None:
    from rnncourse.data import pysource

    run_study(__doc__, "tagging_seeds.json", MODELS, one_run,
              {"config": CONFIG, "tags": list(pysource.TAGS)})


if __name__ == "__main__":
    main()
