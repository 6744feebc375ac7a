"""Chapter 7's check of greedy decoding and beam search against the most probable sequence,
on toy decoders small enough to list every output, over seeds.

A toy decoder is an untrained models.seq2seq.Seq2Seq with additive attention, in float64,
with `src_vocab` source and `tgt_vocab` target ids (PAD, BOS, EOS and two characters), its
output layer scaled by `scale` so that its distributions are peaked, reading a random
source of `src_len` ids. Every output of up to `max_len` tokens is enumerated
(`scratch.search.brute_force`, depth first) for the most probable sequence under the score
log p / len**lambda (lambda = length_norm, the variant); greedy decoding
(`scratch.search.greedy`) and beam search of each of `widths` (`Seq2Seq.beam_search`) are
checked against it. Reported per seed: for each of the `n_models` decoders, the length of
the most probable sequence (EOS included) and whether each search found it.

Seed s builds the `n_models` decoders one after another inside `models.seeding.seeded(s)`
and draws decoder i's source from the stream [s, SOURCE, i]. Chapter 7 runs `search` for
its own seed; the study records seeds 0 to 8, the spread the chapter quotes.

    python -m rnncourse.studies toy_search    # -> results/toy_search.json (9 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 9
SOURCE = 74                   # NumPy stream: decoder i's source is drawn from [s, SOURCE, i]
VARIANTS = [0.0, 1.0]         # lambda: rank by log p / len**lambda


@dataclass
class Config:
    n_models: int = 40           # toy decoders per seed
    max_len: int = 6             # longest output, in tokens
    src_vocab: int = 13          # source ids (3 specials and 10 symbols)
    tgt_vocab: int = 5           # target ids: PAD, BOS, EOS and two characters
    E: int = 8                   # embedding size
    H: int = 8                   # GRU units per direction of the encoder (decoder: 2H)
    scale: float = 4.0           # the output layer's weights are multiplied by this
    src_len: int = 6             # source length
    widths: list = field(default_factory=lambda: [2, 3, 5])     # beam widths checked


SMOKE = Config(n_models=2, max_len=3, widths=[2])


def decoders(seed: int, config: Config) -> list:
    """The `n_models` toy decoders of `seed`, each with its source: [(model, src)]."""
    import torch

    from rnncourse.models import seq2seq
    from rnncourse.models.seeding import seeded

    out = []
    with seeded(seed):
        for i in range(config.n_models):
            toy = seq2seq.Seq2Seq(config.src_vocab, config.tgt_vocab, E=config.E, H=config.H,
                                  attention="additive").double().eval()
            with torch.no_grad():
                toy.decoder.out.weight.mul_(config.scale)         # peaked distributions
            src = np.random.default_rng([seed, SOURCE, i]).integers(
                3, config.src_vocab, size=config.src_len)
            out.append((toy, torch.from_numpy(src)))
    return out


def search(seed: int, length_norm: float, config: Config) -> dict[str, list]:
    """For each decoder of `seed`: "exact length", the length of the most probable
    sequence under log p / len**length_norm, and for "greedy" and "beam W" (W in
    `widths`) whether that search found it."""
    from rnncourse.data.specials import BOS, EOS
    from rnncourse.scratch import search as np_search

    found: dict[str, list] = {"exact length": [], "greedy": []}
    found.update({f"beam {w}": [] for w in config.widths})
    for toy, src in decoders(seed, config):
        step, state = toy.step_fn(src, len(src))
        best, _ = np_search.brute_force(step, state, BOS, EOS, config.tgt_vocab,
                                        config.max_len, length_norm)
        found["exact length"].append(len(best))
        found["greedy"].append(np_search.greedy(step, state, BOS, EOS, config.max_len)[0]
                               == best)
        for w in config.widths:
            found[f"beam {w}"].append(
                toy.beam_search(src, len(src), w, config.max_len, length_norm)[0] == best)
    return found


def run(length_norm: float, seed: int, config: Config) -> dict:
    return search(seed, length_norm, config)
