"""Chapter 7's date normaliser over seeds: without attention, additive (Bahdanau et al.
2015), dot and general (Luong et al. 2015), 5 seeds each, one recipe; and the model without
attention again with three times the updates ("none x3", more CPU time than any attention
model's run), so that the comparison is not only one of equal updates.

Each run trains models.seq2seq.Seq2Seq on data.dates (training days, training formats)
for the same number of updates (Adam, gradients clipped at norm 1, the step size decaying
linearly to 5% of its start), then measures on 1000 held-out days in the training formats
("test") and 1000 held-out days in the two held-out formats ("formats"):

- exact match of greedy outputs, and BLEU of the same outputs (sacrebleu, three
  tokenisations);
- accuracy at each output position given the true prefix (teacher forcing) and given the
  model's own (free running), and after one wrong token fed at a year, month or day digit;
- the alignment of attention peaks with the source characters each output comes from;
- beam search (width 5, with and without length normalisation) against greedy on the
  first 300 examples of each set: how often they differ and their exact match, and the
  CPU seconds of each.

Seed s: torch.manual_seed(s) before building the model (the initialisation),
np.random.default_rng([s, 7]) for the training batches, [s, 8] and [s, 9] for the two
test sets, [s, 10] for the corrupted tokens: Chapter 7 builds its live run the same way.

    python scripts/dates_seeds.py            # -> results/dates_seeds.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

CONFIG = dict(E=16, H=64, B=32, steps=400, lr=5e-3, decay_floor=0.05, clip=1.0, n_test=1000,
              n_beam=300, width=5, max_len=12, corrupt_positions=[0, 2, 5, 8])
VARIANTS = ["none", "additive", "dot", "general", "none x3"]


def one_run(job):
    one_thread()
    import numpy as np
    import sacrebleu
    import torch

    from rnncourse.analysis import alignment, decoding
    from rnncourse.data import dates
    from rnncourse.models import seq2seq
    from rnncourse.models.train import fit, linear_decay

    torch.set_num_threads(1)
    kind, seed = job
    c = CONFIG
    steps = 3 * c["steps"] if kind == "none x3" else c["steps"]
    sv, tv = dates.source_vocab(), dates.target_vocab()
    torch.manual_seed(seed)
    model = seq2seq.Seq2Seq(len(sv), len(tv), E=c["E"], H=c["H"],
                            attention=None if kind.startswith("none") else kind)
    batch = seq2seq.pair_batches(dates.pairs, sv, tv, c["B"], np.random.default_rng([seed, 7]))
    hist = fit(model, batch, steps, lr=c["lr"], clip=c["clip"],
               schedule=linear_decay(steps, c["decay_floor"]))
    model.eval()
    sets = {"test": dates.sample(c["n_test"], np.random.default_rng([seed, 8]), split="test"),
            "formats": dates.sample(c["n_test"], np.random.default_rng([seed, 9]),
                                    split="test", formats=dates.HELD_OUT_FORMATS)}
    out = dict(kind=kind, seed=seed, steps=steps, train_cpu_s=round(hist.cpu_s, 2),
               final_loss=float(hist.losses[-20:].mean()))
    for name, ex in sets.items():
        src, tgt = [e.source for e in ex], [e.target for e in ex]
        texts, maps = seq2seq.translate(model, src, sv, tv, max_len=c["max_len"])
        r = dict(exact=seq2seq.exact_match(texts, tgt),
                 bleu={tok: sacrebleu.corpus_bleu(texts, [tgt], tokenize=tok).score
                       for tok in ("char", "13a", "none")})
        tf, target = decoding.teacher_forced_ids(model, sv, tv, src, tgt)
        fr, _ = decoding.greedy_ids(model, sv, tv, src, tgt)
        r["teacher_forced"] = decoding.position_accuracy(tf, target).tolist()
        r["free_running"] = decoding.position_accuracy(fr, target).tolist()
        r["all_right_teacher_forced"] = float(np.mean((tf == target).all(axis=1)))
        if maps[0] is not None:
            score = alignment.peak_alignment(maps, [e.alignment() for e in ex])
            r["alignment"] = dict(accuracy=score.accuracy, near=score.near_accuracy,
                                  chance=score.chance, n=score.n)
        if name == "test":
            digits = [tv.stoi[d] for d in "0123456789"]
            rng = np.random.default_rng([seed, 10])
            inputs = decoding.teacher_inputs(target)
            r["corrupted"] = {}
            for k in c["corrupt_positions"]:
                bad = decoding.corrupt(inputs, k, digits, rng)
                pred, _ = decoding.teacher_forced_ids(model, sv, tv, src, tgt, inputs=bad)
                acc = decoding.position_accuracy(pred, target, after=k)
                r["corrupted"][str(k)] = [None if np.isnan(a) else float(a) for a in acc]
        n = c["n_beam"]
        start = time.process_time()
        greedy, _ = seq2seq.translate(model, src[:n], sv, tv, max_len=c["max_len"], B=1)
        greedy_cpu = time.process_time() - start
        r["beam"] = dict(greedy_exact=seq2seq.exact_match(greedy, tgt[:n]),
                         greedy_cpu_s=round(greedy_cpu, 3))
        for lam in (0.0, 1.0):
            start = time.process_time()
            beam = decoding.beam_outputs(model, sv, tv, src[:n], c["width"], c["max_len"], lam)
            r["beam"][f"lambda={lam:g}"] = dict(
                exact=seq2seq.exact_match(beam, tgt[:n]),
                differ=int(sum(a != b for a, b in zip(beam, greedy, strict=True))),
                cpu_s=round(time.process_time() - start, 3))
        out[name] = r
    return out


if __name__ == "__main__":
    run_study(__doc__, "dates_seeds.json", VARIANTS, one_run, {"config": CONFIG}, seeds=5)
