"""Chapter 8's captioners and VQA models over seeds.

Captioners (models.captioning.Captioner, 600 updates of 32 fresh scenes, Adam with the step
size decaying linearly to 5% of its start, gradients clipped at norm 1):

    attention          soft attention, trained on scenes with uniform colours
    attention+penalty  the same with Xu et al.'s doubly stochastic penalty (lambda 0.01)
    mean               no attention: the mean of the grid as the image
    flat               no attention: a learned linear summary of the whole grid
    blue 0.9 / 0.98 / 1.0   soft attention, trained on scenes where a square is blue with
                       that probability (the planted correlation)

Each is tested on 500 fresh scenes (exact match, BLEU-4 from sacrebleu, the share of the
seven facts of a caption it gets right), on 300 scenes of the compositional split (one green
triangle, a pair never trained on), and on 300 scenes with one red square (what it calls the
red square); attention variants also on where they look (the attention mass in the box of the
object each size, colour and shape word describes, the words matched to objects by the generated
caption's own structure, against chance and against the same model untrained), and on
their mistakes (which facts, and the attention mass on the described object at each wrongly
named word).

After the "attention" captioner, its encoder gives the feature grids of 3000 scenes where
squares are blue with probability 0.9, and three VQA models (models.vqa: attention, mean,
blind) are trained on their questions (800 updates of 128 questions) and tested on the
natural questions of 400 such scenes (unbalanced) and on answer-balanced questions about
400 scenes with uniform colours (balanced), by question type.

Seed s: torch.manual_seed(s) before each model, np.random.default_rng([s, k]) for the data
(k as in one_run). Chapter 8 builds its live run the same way.

    python scripts/captioning_seeds.py            # -> results/captioning_seeds.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studies import one_thread, run_study  # noqa: E402

CONFIG = dict(D=32, E=32, H=96, B=32, steps=600, lr=1e-2, decay_floor=0.05, clip=1.0,
              penalty=0.01, n_test=500, n_comp=300, n_red=300, max_len=14,
              vqa=dict(H=64, B=128, steps=800, lr=3e-3, n_pool=3000, n_test=400,
                       square_blue=0.9))
VARIANTS = ["attention", "attention+penalty", "mean", "flat", "blue 0.9", "blue 0.98",
            "blue 1.0"]


def one_run(job):
    one_thread()
    from collections import Counter

    import numpy as np
    import sacrebleu
    import torch

    from rnncourse.analysis import localisation
    from rnncourse.data import chardata, scenes
    from rnncourse.data import questions as Q
    from rnncourse.models import captioning, vision, vqa
    from rnncourse.models.train import fit, linear_decay

    torch.set_num_threads(1)
    kind, seed = job
    c = CONFIG
    wv = chardata.WordVocab(scenes.WORDS)
    attention = kind not in ("mean", "flat")
    square_blue = float(kind.split()[1]) if kind.startswith("blue") else None

    def build():
        torch.manual_seed(seed)
        return captioning.Captioner(len(wv), D=c["D"], E=c["E"], H=c["H"], attention=attention,
                                    penalty=c["penalty"] if kind == "attention+penalty" else 0.0,
                                    pooling="flat" if kind == "flat" else "mean")

    model, untrained = build(), build()
    g = np.random.default_rng([seed, 7])

    def batch(_i):
        sc = scenes.sample(c["B"], g, square_blue=square_blue)
        ids, _ = wv.batch([s.caption for s in sc], eos=True)
        return vision.as_tensor([s.image for s in sc]), torch.from_numpy(ids)

    hist = fit(model, batch, c["steps"], lr=c["lr"], clip=c["clip"],
               schedule=linear_decay(c["steps"], c["decay_floor"]))
    out = dict(kind=kind, seed=seed, train_cpu_s=round(hist.cpu_s, 2),
               final_loss=float(hist.losses[-20:].mean()))
    sets = {"test": scenes.sample(c["n_test"], np.random.default_rng([seed, 8])),
            "compositional": scenes.sample(c["n_comp"], np.random.default_rng([seed, 9]),
                                           split="compositional")}
    for name, sc in sets.items():
        texts, maps = captioning.caption(model, sc, wv, c["max_len"])
        truth = [s.caption for s in sc]
        r = dict(exact=float(np.mean([t == s for t, s in zip(texts, truth, strict=True)])),
                 bleu4=sacrebleu.corpus_bleu(texts, [truth]).score,
                 facts=float(np.mean([scenes.attribute_accuracy(t, s)
                                      for t, s in zip(texts, sc, strict=True)])),
                 by_fact=facts_by_kind(texts, sc, scenes, np))
        if name == "compositional":
            r["green_triangle_named"] = float(np.mean(["green triangle" in t for t in texts]))
        if attention:
            masses, chance, kinds = localisation.caption_masses(maps, sc, texts)
            _, maps0 = captioning.caption(untrained, sc, wv, c["max_len"])
            m0, _, k0 = localisation.caption_masses(maps0, sc)     # its words mean nothing yet
            r["mass"] = {k: float(masses[kinds == k].mean()) for k in localisation.KINDS}
            r["chance"] = {k: float(chance[kinds == k].mean()) for k in localisation.KINDS}
            r["untrained_mass"] = {k: float(m0[k0 == k].mean()) for k in localisation.KINDS}
            looked = localisation.wrong_word_masses(texts, maps, sc)
            r["wrong_word_mass"] = dict(median=float(np.median(looked)) if len(looked) else None,
                                        n=int(len(looked)))
        r["errors"] = dict(Counter(kind for t, s in zip(texts, sc, strict=True)
                                   for kind, _ in scenes.wrong_facts(t, s)))
        out[name] = r
    red = scenes.sample(c["n_red"], np.random.default_rng([seed, 10]), split="compositional",
                        holdout=(("red", "square"),))
    texts, _ = captioning.caption(model, red, wv, c["max_len"])
    said = []
    for t, s in zip(texts, red, strict=True):
        parsed = scenes.parse_caption(t)
        i = next(k for k, o in enumerate(s.objects) if (o.colour, o.shape) == ("red", "square"))
        said.append(None if parsed is None else parsed[0][i][1:])       # (colour, shape)
    out["red_square"] = dict(
        right=float(np.mean([x == ("red", "square") for x in said])),
        blue_square=float(np.mean([x == ("blue", "square") for x in said])),
        red_other_shape=float(np.mean([x is not None and x[0] == "red" and x[1] != "square"
                                       for x in said])),
        unparsed=float(np.mean([x is None for x in said])))
    if kind == "attention":
        out["vqa"] = vqa_runs(model, seed, c, np, torch, scenes, Q, chardata, vqa, vision, fit,
                              linear_decay)
    return out


def facts_by_kind(texts, sc, scenes, np):
    """The share of captions right in each kind of fact: size, colour, shape (both objects
    averaged) and relation; an unparsable caption is wrong in all."""
    right = {"size": [], "colour": [], "shape": [], "relation": []}
    for t, s in zip(texts, sc, strict=True):
        parsed = scenes.parse_caption(t)
        for i, kind in enumerate(("size", "colour", "shape")):
            right[kind] += [parsed is not None and parsed[0][k][i] == getattr(s.objects[k], kind)
                            for k in (0, 1)]
        right["relation"].append(parsed is not None and parsed[1] == s.relation)
    return {k: float(np.mean(v)) for k, v in right.items()}


def vqa_runs(captioner, seed, c, np, torch, scenes, Q, chardata, vqa, vision, fit, linear_decay):
    v = c["vqa"]
    qv = chardata.WordVocab(Q.QUESTION_WORDS)
    captioner.eval()

    def features(sc):
        with torch.no_grad():
            return torch.cat([captioner.encoder(vision.as_tensor([s.image for s in sc[i:i + 500]]))
                              for i in range(0, len(sc), 500)])

    pool = scenes.sample(v["n_pool"], np.random.default_rng([seed, 11]),
                         square_blue=v["square_blue"])
    grid = features(pool)
    unb_sc = scenes.sample(v["n_test"], np.random.default_rng([seed, 12]),
                           square_blue=v["square_blue"])
    bal_sc = scenes.sample(v["n_test"], np.random.default_rng([seed, 13]))
    tests = {"unbalanced": (features(unb_sc), Q.all_items(unb_sc)),
             "balanced": (features(bal_sc), Q.balanced(Q.all_items(bal_sc),
                                                       np.random.default_rng([seed, 14])))}
    out = {}
    for mode in vqa.MODES:
        torch.manual_seed(seed)
        model = vqa.VQA(len(qv), len(Q.ANSWERS), D=c["D"], H=v["H"], mode=mode)
        batches = vqa.training_batches(grid, pool, qv, v["B"], np.random.default_rng([seed, 15]))
        start = time.process_time()
        fit(model, batches, v["steps"], lr=v["lr"], clip=c["clip"],
            schedule=linear_decay(v["steps"], c["decay_floor"]))
        r = dict(train_cpu_s=round(time.process_time() - start, 2))
        for name, (g, items) in tests.items():
            right, _ = vqa.predict(model, g, items, qv, Q.ANSWERS)
            types = np.array([t for _, t, _, _ in items])
            r[name] = {"all": float(right.mean()),
                       **{t: float(right[types == t].mean()) for t in Q.QUESTION_TYPES}}
        out[mode] = r
    return out


if __name__ == "__main__":
    run_study(__doc__, "captioning_seeds.json", VARIANTS, one_run, {"config": CONFIG}, seeds=5)
