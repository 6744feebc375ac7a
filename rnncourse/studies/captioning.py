"""Chapter 8's captioners and VQA models over seeds.

Captioners (models.captioning.Captioner, `steps` updates of B fresh scenes, Adam with the
step size decaying linearly to `decay_floor` of its start, gradients clipped at `clip`):

    attention          soft attention, trained on scenes with uniform colours
    attention+penalty  the same with Xu et al.'s doubly stochastic penalty (`penalty`)
    mean               no attention: the mean of the grid as the image
    flat               no attention: a learned linear summary of the whole grid
    blue 0.9 / 0.98 / 1.0   soft attention, trained on scenes where a square is blue with
                       that probability (the planted correlation)

Each is tested (`evaluate`) on `n_test` fresh scenes (exact match, BLEU-4 from sacrebleu,
the share of the seven facts of a caption it gets right, by kind of fact), on `n_comp`
scenes of the compositional split (one green triangle, a pair never trained on), and
(`red_square`) on `n_red` scenes with one red square (what it calls the red square);
attention variants also on where they look (the attention mass in the box of the object
each size, colour and shape word describes, the words matched to objects by the generated
caption's own structure, against chance and against the same model untrained), and on
their mistakes (which facts, and the attention mass on the described object at each
wrongly named word).

After the "attention" captioner, its encoder gives the feature grids of `vqa_n_pool`
scenes where squares are blue with probability `vqa_square_blue`, and three VQA models
(models.vqa: attention, mean, blind) are trained on their questions (`train_vqa`) and
tested (`vqa_scores`) on the natural questions of `vqa_n_test` such scenes (unbalanced)
and on answer-balanced questions about `vqa_n_test` scenes with uniform colours
(balanced), by question type.

Seed s seeds torch (`models.seeding.seeded(s)`) for each model's initialisation and
training, and the NumPy streams [s, k] named below for the data. Chapter 8 calls
`train`, `test_sets`, `evaluate`, `vqa_data`, `train_vqa` and `vqa_scores` for its live run.

    python -m rnncourse.studies captioning     # -> results/captioning.json (5 seeds)
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

SEEDS = 5
# NumPy streams [seed, k]
TRAIN = 7            # the captioner's training scenes
TEST = 8             # held-out scenes
COMPOSITIONAL = 9    # scenes of the compositional split (one green triangle)
RED = 10             # scenes with one red square
VQA_POOL = 11        # the VQA models' training scenes
VQA_UNBALANCED = 12  # VQA test scenes, squares blue as in training
VQA_BALANCED = 13    # VQA test scenes, uniform colours
VQA_BALANCE = 14     # the draw that balances the answers
VQA_TRAIN = 15       # the VQA models' batches of questions
VARIANTS = ["attention", "attention+penalty", "mean", "flat", "blue 0.9", "blue 0.98",
            "blue 1.0"]


@dataclass
class Recipe:
    """The captioner's sizes and training recipe, shared by every captioning study."""

    D: int = 32                  # features per grid position (the encoder's channels)
    E: int = 32                  # word embedding size
    H: int = 96                  # the decoder LSTM's units
    B: int = 32                  # scenes per update
    steps: int = 600             # captioner updates
    lr: float = 1e-2             # Adam's starting step size
    decay_floor: float = 0.05    # the step size falls linearly to this share of lr
    clip: float = 1.0            # global gradient norm clip (captioners and VQA)


@dataclass
class Config(Recipe):
    penalty: float = 0.01        # lambda of the doubly stochastic penalty (its variant)
    n_test: int = 500            # held-out test scenes
    n_comp: int = 300            # scenes of the compositional split
    n_red: int = 300             # scenes with one red square
    max_len: int = 14            # longest caption decoded (tokens, </s> included)
    vqa_H: int = 64              # the VQA question LSTM's units
    vqa_B: int = 128             # questions per VQA update
    vqa_steps: int = 800         # VQA updates
    vqa_lr: float = 3e-3         # VQA's starting step size
    vqa_n_pool: int = 3000       # VQA training scenes
    vqa_n_test: int = 400        # scenes of each VQA test
    vqa_square_blue: float = 0.9  # P(square is blue) in VQA training and unbalanced test


SMOKE = Config(D=8, E=8, H=8, B=4, steps=3, n_test=6, n_comp=4, n_red=4, vqa_H=8, vqa_B=8,
               vqa_steps=3, vqa_n_pool=12, vqa_n_test=8)


def _mean(x) -> float | None:
    """The mean as a float, None for nothing (a smoke run may have no such word)."""
    return float(np.mean(x)) if len(x) else None


def vocab():
    """The caption vocabulary (scenes.WORDS and the specials)."""
    from rnncourse.data import chardata, scenes

    return chardata.WordVocab(scenes.WORDS)


def square_blue(variant: str) -> float | None:
    """P(a training square is blue) of a variant, None for uniform colours."""
    return float(variant.split()[1]) if variant.startswith("blue") else None


def caption_batches(seed: int, config: Config, square_blue: float | None = None):
    """batch(i) -> (images, caption ids) of B fresh scenes from stream [seed, TRAIN]."""
    import torch

    from rnncourse.data import scenes
    from rnncourse.models import vision

    wv, g = vocab(), np.random.default_rng([seed, TRAIN])

    def batch(_i):
        sc = scenes.sample(config.B, g, square_blue=square_blue)
        ids, _ = wv.batch([s.caption for s in sc], eos=True)
        return vision.as_tensor([s.image for s in sc]), torch.from_numpy(ids)
    return batch


def build(variant: str, config: Config):
    """The untrained captioner of a variant (call inside `seeded`)."""
    from rnncourse.models import captioning

    attention = variant not in ("mean", "flat")
    return captioning.Captioner(len(vocab()), D=config.D, E=config.E, H=config.H,
                                attention=attention,
                                penalty=config.penalty if variant == "attention+penalty" else 0.0,
                                pooling="flat" if variant == "flat" else "mean")


def train(variant: str, seed: int, config: Config, progress: bool = False):
    """(trained captioner, the same captioner untrained, training history)."""
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay

    with seeded(seed):
        model = build(variant, config)
        history = fit(model, caption_batches(seed, config, square_blue(variant)), config.steps,
                      lr=config.lr, clip=config.clip,
                      schedule=linear_decay(config.steps, config.decay_floor), progress=progress)
    with seeded(seed):
        untrained = build(variant, config)
    return model, untrained, history


def test_sets(seed: int, config: Config) -> dict:
    """{"test": held-out scenes, "compositional": scenes with one green triangle}."""
    from rnncourse.data import scenes

    return {"test": scenes.sample(config.n_test, np.random.default_rng([seed, TEST])),
            "compositional": scenes.sample(config.n_comp,
                                           np.random.default_rng([seed, COMPOSITIONAL]),
                                           split="compositional")}


def facts_by_kind(texts, sc) -> dict[str, float]:
    """The share of captions right in each kind of fact: size, colour, shape (both objects
    averaged) and relation; an unparsable caption is wrong in all."""
    from rnncourse.data import scenes

    right = {"size": [], "colour": [], "shape": [], "relation": []}
    for t, s in zip(texts, sc, strict=True):
        parsed = scenes.parse_caption(t)
        for i, kind in enumerate(("size", "colour", "shape")):
            right[kind] += [parsed is not None and parsed[0][k][i] == getattr(s.objects[k], kind)
                            for k in (0, 1)]
        right["relation"].append(parsed is not None and parsed[1] == s.relation)
    return {k: float(np.mean(v)) for k, v in right.items()}


def evaluate(model, untrained, sc, config: Config) -> tuple[dict, list[str], list]:
    """Greedy captions of scenes `sc` scored: (scores, texts, attention maps). Scores:
    exact, bleu4, facts, by_fact, green_triangle_named, errors (wrong facts by kind) and,
    with attention, mass / chance / untrained_mass per word kind and wrong_word_mass."""
    import sacrebleu

    from rnncourse.analysis import localisation
    from rnncourse.data import scenes
    from rnncourse.models import captioning

    wv = vocab()
    texts, maps = captioning.caption(model, sc, wv, config.max_len)
    truth = [s.caption for s in sc]
    r = dict(exact=float(np.mean([t == s for t, s in zip(texts, truth, strict=True)])),
             bleu4=sacrebleu.corpus_bleu(texts, [truth]).score,
             facts=float(np.mean([scenes.attribute_accuracy(t, s)
                                  for t, s in zip(texts, sc, strict=True)])),
             by_fact=facts_by_kind(texts, sc),
             green_triangle_named=float(np.mean(["green triangle" in t for t in texts])))
    if model.attn is not None:
        masses, chance, kinds = localisation.caption_masses(maps, sc, texts)
        _, maps0 = captioning.caption(untrained, sc, wv, config.max_len)
        m0, _, k0 = localisation.caption_masses(maps0, sc)     # its words mean nothing yet
        r["mass"] = {k: _mean(masses[kinds == k]) for k in localisation.KINDS}
        r["chance"] = {k: _mean(chance[kinds == k]) for k in localisation.KINDS}
        r["untrained_mass"] = {k: _mean(m0[k0 == k]) for k in localisation.KINDS}
        looked = localisation.wrong_word_masses(texts, maps, sc)
        r["wrong_word_mass"] = dict(median=float(np.median(looked)) if len(looked) else None,
                                    n=int(len(looked)))
    r["errors"] = dict(Counter(kind for t, s in zip(texts, sc, strict=True)
                               for kind, _ in scenes.wrong_facts(t, s)))
    return r, texts, maps


def red_square(model, seed: int, config: Config) -> dict:
    """What the captioner calls the red square of scenes holding one: the share called
    right, 'blue square', red and another shape, or not parsed."""
    from rnncourse.data import scenes
    from rnncourse.models import captioning

    red = scenes.sample(config.n_red, np.random.default_rng([seed, RED]),
                        split="compositional", holdout=(("red", "square"),))
    texts, _ = captioning.caption(model, red, vocab(), config.max_len)
    said = []
    for t, s in zip(texts, red, strict=True):
        parsed = scenes.parse_caption(t)
        i = next(k for k, o in enumerate(s.objects) if (o.colour, o.shape) == ("red", "square"))
        said.append(None if parsed is None else parsed[0][i][1:])       # (colour, shape)
    return dict(
        right=float(np.mean([x == ("red", "square") for x in said])),
        blue_square=float(np.mean([x == ("blue", "square") for x in said])),
        red_other_shape=float(np.mean([x is not None and x[0] == "red" and x[1] != "square"
                                       for x in said])),
        unparsed=float(np.mean([x is None for x in said])))


def features(captioner, sc):
    """The trained captioner's feature grids (N, L, D) of scenes `sc` (eval mode)."""
    import torch

    from rnncourse.models import vision

    captioner.eval()
    with torch.no_grad():
        return torch.cat([captioner.encoder(vision.as_tensor([s.image for s in sc[i:i + 500]]))
                          for i in range(0, len(sc), 500)])


def vqa_data(captioner, seed: int, config: Config) -> dict:
    """The VQA data on the captioner's grids: {"pool": training scenes, "grid": their
    grids, "tests": {"unbalanced"/"balanced": (grids, question items)}}."""
    from rnncourse.data import questions as Q
    from rnncourse.data import scenes

    pool = scenes.sample(config.vqa_n_pool, np.random.default_rng([seed, VQA_POOL]),
                         square_blue=config.vqa_square_blue)
    grid = features(captioner, pool)
    unb = scenes.sample(config.vqa_n_test, np.random.default_rng([seed, VQA_UNBALANCED]),
                        square_blue=config.vqa_square_blue)
    bal = scenes.sample(config.vqa_n_test, np.random.default_rng([seed, VQA_BALANCED]))
    tests = {"unbalanced": (features(captioner, unb), Q.all_items(unb)),
             "balanced": (features(captioner, bal),
                          Q.balanced(Q.all_items(bal), np.random.default_rng([seed, VQA_BALANCE])))}
    return {"pool": pool, "grid": grid, "tests": tests, "balanced_scenes": bal}


def question_vocab():
    from rnncourse.data import chardata
    from rnncourse.data import questions as Q

    return chardata.WordVocab(Q.QUESTION_WORDS)


def train_vqa(mode: str, data: dict, seed: int, config: Config):
    """A VQA model of `mode` trained on `data` (`vqa_data`): (model, CPU seconds)."""
    from rnncourse.data import questions as Q
    from rnncourse.models import vqa
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay

    qv = question_vocab()
    with seeded(seed):
        model = vqa.VQA(len(qv), len(Q.ANSWERS), D=config.D, H=config.vqa_H, mode=mode)
        batches = vqa.training_batches(data["grid"], data["pool"], qv, config.vqa_B,
                                       np.random.default_rng([seed, VQA_TRAIN]))
        start = time.process_time()               # the training loop only
        fit(model, batches, config.vqa_steps, lr=config.vqa_lr, clip=config.clip,
            schedule=linear_decay(config.vqa_steps, config.decay_floor))
    return model, time.process_time() - start


def vqa_scores(model, data: dict) -> dict:
    """{"unbalanced"/"balanced": {"all": share right, and one per question type}}."""
    from rnncourse.data import questions as Q
    from rnncourse.models import vqa

    out, qv = {}, question_vocab()
    for name, (g, items) in data["tests"].items():
        right, _ = vqa.predict(model, g, items, qv, Q.ANSWERS)
        types = np.array([t for _, t, _, _ in items])
        out[name] = {"all": float(right.mean()),
                     **{t: _mean(right[types == t]) for t in Q.QUESTION_TYPES}}
    return out


def run(variant: str, seed: int, config: Config) -> dict:
    from rnncourse.models import vqa

    model, untrained, history = train(variant, seed, config)
    out = dict(train_cpu_s=round(history.cpu_s, 2), final_loss=float(history.losses[-20:].mean()))
    for name, sc in test_sets(seed, config).items():
        out[name], _, _ = evaluate(model, untrained, sc, config)
    out["red_square"] = red_square(model, seed, config)
    if variant == "attention":
        data = vqa_data(model, seed, config)
        out["vqa"] = {}
        for mode in vqa.MODES:
            m, cpu_s = train_vqa(mode, data, seed, config)
            out["vqa"][mode] = dict(train_cpu_s=round(cpu_s, 2), **vqa_scores(m, data))
    return out
