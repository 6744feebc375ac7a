"""Chapter 7's date normaliser over seeds: without attention, additive (Bahdanau et al.
2015), dot and general (Luong et al. 2015), the additive score in Luong's order ("concat",
Luong et al.'s name for it: the score of "additive" with the order of "dot", so that score
and order can be told apart), one recipe; and the model without attention
again with three times the updates ("none x3", more CPU time than any attention model's
run), so that the comparison is not only one of equal updates.

Each run trains models.seq2seq.Seq2Seq on data.dates (training days, training formats)
for the same number of updates (Adam, gradients clipped at norm 1, the step size decaying
linearly to `decay_floor` of its start), then measures on `n_test` held-out days in the
training formats ("test") and as many in the two held-out formats ("formats"):

- exact match of greedy outputs, and BLEU of the same outputs (sacrebleu, three
  tokenisations);
- accuracy at each output position given the true prefix (teacher forcing) and given the
  model's own (free running), and, on "test", after one wrong digit fed at each of
  `corrupt_positions` (a year, month or day digit);
- the alignment of attention peaks with the source characters each output comes from;
- beam search (width `width`, with and without length normalisation) against greedy on
  the first `n_beam` examples of each set: how often they differ, their exact match, and
  the CPU seconds of each (one example at a time).

Seed s seeds torch (`models.seeding.seeded(s)`) for the initialisation and training, and
the streams [s, TRAIN] for the training batches, [s, TEST] and [s, FORMATS] for the two
test sets and [s, CORRUPT] for the wrong digits. Chapter 7 trains its live models with
`train` and measures them with the functions below, so that its run for seed s is this
study's run for seed s. Budgets are in updates.

    python -m rnncourse.studies dates        # -> results/dates.json (5 seeds)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SEEDS = 5
TRAIN, TEST, FORMATS, CORRUPT = 7, 8, 9, 10    # NumPy streams (see the docstring)
VARIANTS = ["none", "additive", "dot", "general", "none x3", "concat"]
TOKENISERS = ("char", "13a", "none")           # sacrebleu's tokenisations reported


@dataclass
class Config:
    E: int = 16                  # embedding size (source and target)
    H: int = 64                  # GRU units per direction of the encoder (decoder: 2H)
    B: int = 32                  # examples per update
    steps: int = 400             # updates ("none x3": three times as many)
    lr: float = 5e-3             # Adam's initial step size
    decay_floor: float = 0.05    # the step size falls linearly to this share of lr
    clip: float = 1.0            # global gradient norm clip
    n_test: int = 1000           # dates per test set
    n_beam: int = 300            # first dates of each test set decoded by beam search too
    width: int = 5               # beam width
    max_len: int = 12            # longest output decoded (a date has 10 tokens and EOS)
    corrupt_positions: list = field(default_factory=lambda: [0, 2, 5, 8])  # wrong digit at


SMOKE = Config(E=4, H=4, B=4, steps=2, n_test=6, n_beam=2, width=2)


def steps_of(kind: str, config: Config) -> int:
    """The variant's budget in updates."""
    return 3 * config.steps if kind == "none x3" else config.steps


def model_args(kind: str) -> dict:
    """Seq2Seq's `attention` and `order` of a variant."""
    if kind.startswith("none"):
        return {"attention": None}
    if kind == "concat":
        return {"attention": "additive", "order": "luong"}
    return {"attention": kind}


def train(kind: str, seed: int, config: Config, progress: bool = False):
    """The model `kind` ("none", "none x3", "additive", "dot", "general" or "concat")
    trained with the recipe: (model in eval mode, training history)."""
    from rnncourse.data import dates
    from rnncourse.models import seq2seq
    from rnncourse.models.seeding import seeded
    from rnncourse.models.train import fit, linear_decay

    steps = steps_of(kind, config)
    sv, tv = dates.source_vocab(), dates.target_vocab()
    with seeded(seed):
        model = seq2seq.Seq2Seq(len(sv), len(tv), E=config.E, H=config.H,
                                **model_args(kind))
        batches = seq2seq.pair_batches(dates.pairs, sv, tv, config.B,
                                       np.random.default_rng([seed, TRAIN]))
        history = fit(model, batches, steps, lr=config.lr, clip=config.clip,
                      schedule=linear_decay(steps, config.decay_floor), progress=progress)
    return model.eval(), history


def test_sets(seed: int, config: Config) -> dict[str, list]:
    """{"test": held-out days in the training formats, "formats": held-out days in the
    held-out formats}, `n_test` DateExamples each, from the streams of `seed`."""
    from rnncourse.data import dates

    return {"test": dates.sample(config.n_test, np.random.default_rng([seed, TEST]),
                                 split="test"),
            "formats": dates.sample(config.n_test, np.random.default_rng([seed, FORMATS]),
                                    split="test", formats=dates.HELD_OUT_FORMATS)}


def translate(model, examples, config: Config):
    """Greedy outputs: (texts, attention maps or None per example)."""
    from rnncourse.data import dates
    from rnncourse.models import seq2seq

    return seq2seq.translate(model, [e.source for e in examples], dates.source_vocab(),
                             dates.target_vocab(), max_len=config.max_len)


def bleu(outputs: list[str], examples) -> dict[str, float]:
    """Corpus BLEU of `outputs` against the examples' targets, per tokenisation."""
    import sacrebleu

    targets = [e.target for e in examples]
    return {tok: sacrebleu.corpus_bleu(outputs, [targets], tokenize=tok).score
            for tok in TOKENISERS}


@dataclass
class Prefixes:
    """Ids (B, U) predicted at every step given the true prefix (`teacher_forced`) and
    given the model's own (`free_running`, greedy), and the target ids."""

    teacher_forced: np.ndarray
    free_running: np.ndarray
    target: np.ndarray

    def accuracy(self, which: str) -> np.ndarray:
        """(U,) the fraction right at each output position."""
        from rnncourse.analysis import decoding

        return decoding.position_accuracy(getattr(self, which), self.target)

    def all_right(self, which: str) -> float:
        """The fraction of examples right at every position."""
        return float(np.mean((getattr(self, which) == self.target).all(axis=1)))


def prefixes(model, examples) -> Prefixes:
    from rnncourse.analysis import decoding
    from rnncourse.data import dates

    sv, tv = dates.source_vocab(), dates.target_vocab()
    src, tgt = [e.source for e in examples], [e.target for e in examples]
    tf, target = decoding.teacher_forced_ids(model, sv, tv, src, tgt)
    fr, _ = decoding.greedy_ids(model, sv, tv, src, tgt)
    return Prefixes(tf, fr, target)


def after_a_wrong_digit(model, examples, target: np.ndarray, seed: int,
                        config: Config) -> dict[int, np.ndarray]:
    """For each of `corrupt_positions` k (in order, one stream [seed, CORRUPT]): the true
    prefix with the digit fed after position k replaced in every example by another
    digit, and (U,) the accuracy at each later position (NaN up to k)."""
    from rnncourse.analysis import decoding
    from rnncourse.data import dates

    sv, tv = dates.source_vocab(), dates.target_vocab()
    src, tgt = [e.source for e in examples], [e.target for e in examples]
    digits = [tv.stoi[d] for d in "0123456789"]
    rng = np.random.default_rng([seed, CORRUPT])
    inputs = decoding.teacher_inputs(target)
    out = {}
    for k in config.corrupt_positions:
        bad = decoding.corrupt(inputs, k, digits, rng)
        pred, _ = decoding.teacher_forced_ids(model, sv, tv, src, tgt, inputs=bad)
        out[k] = decoding.position_accuracy(pred, target, after=k)
    return out


def peak_alignment(maps, examples):
    """`analysis.alignment.peak_alignment` of attention maps against the examples' spans."""
    from rnncourse.analysis import alignment

    return alignment.peak_alignment(maps, [e.alignment() for e in examples])


def beam(model, sources: list[str], config: Config, length_norm: float = 0.0
         ) -> tuple[list[str], float]:
    """Beam search of width `width` on each source, one at a time: (outputs, CPU s)."""
    from rnncourse.analysis import decoding
    from rnncourse.data import dates

    start = time.process_time()
    out = decoding.beam_outputs(model, dates.source_vocab(), dates.target_vocab(), sources,
                                config.width, config.max_len, length_norm)
    return out, time.process_time() - start


def beam_against_greedy(model, examples, config: Config) -> dict:
    """On the first `n_beam` examples: greedy (one at a time) and beam search with
    length_norm 0 and 1: exact match, outputs that differ from greedy's, CPU seconds."""
    from rnncourse.data import dates
    from rnncourse.models import seq2seq

    n = config.n_beam
    src, tgt = [e.source for e in examples[:n]], [e.target for e in examples[:n]]
    start = time.process_time()
    greedy, _ = seq2seq.translate(model, src, dates.source_vocab(), dates.target_vocab(),
                                  max_len=config.max_len, B=1)
    out = dict(greedy_exact=seq2seq.exact_match(greedy, tgt),
               greedy_cpu_s=round(time.process_time() - start, 3))
    for lam in (0.0, 1.0):
        found, cpu = beam(model, src, config, lam)
        out[f"lambda={lam:g}"] = dict(
            exact=seq2seq.exact_match(found, tgt),
            differ=int(sum(a != b for a, b in zip(found, greedy, strict=True))),
            cpu_s=round(cpu, 3))
    return out


def measure(model, examples, name: str, seed: int, config: Config) -> dict:
    """Everything the study records on one test set (`name`: "test" or "formats")."""
    from rnncourse.models import seq2seq

    texts, maps = translate(model, examples, config)
    r = dict(exact=seq2seq.exact_match(texts, [e.target for e in examples]),
             bleu=bleu(texts, examples))
    p = prefixes(model, examples)
    r["teacher_forced"] = p.accuracy("teacher_forced").tolist()
    r["free_running"] = p.accuracy("free_running").tolist()
    r["all_right_teacher_forced"] = p.all_right("teacher_forced")
    if maps[0] is not None:
        score = peak_alignment(maps, examples)
        r["alignment"] = dict(accuracy=score.accuracy, near=score.near_accuracy,
                              chance=score.chance, n=score.n)
    if name == "test":
        r["corrupted"] = {str(k): [None if np.isnan(a) else float(a) for a in acc]
                          for k, acc in after_a_wrong_digit(model, examples, p.target, seed,
                                                            config).items()}
    r["beam"] = beam_against_greedy(model, examples, config)
    return r


def run(kind: str, seed: int, config: Config) -> dict:
    model, history = train(kind, seed, config)
    out = dict(steps=steps_of(kind, config), train_cpu_s=round(history.cpu_s, 2),
               final_loss=float(history.losses[-20:].mean()))
    for name, examples in test_sets(seed, config).items():
        out[name] = measure(model, examples, name, seed, config)
    return out
