"""Chapter 9's small live comparison, over the seeds its prose quotes.

Four of `tradeoffs`' models (the GRU without attention, the vanilla RNN and the GRU with
additive attention, the Transformer) trained with `tradeoffs`' recipe at a small budget:
sources of 4 to 16 digits, 300 updates, then tested greedily on 100 fresh strings of 8
and 16 digits (trained lengths) and 20 and 24 (beyond). Chapter 9 runs this for its own
seed (`run`) and reads the spread over seeds 0..8 from results/tradeoffs_small.json.
Seed s seeds torch (`models.seeding.seeded(s)`) for the initialisation and training, and
the NumPy streams [s, TRAIN] for the training pairs and [s, TEST] for the test strings.

    python -m rnncourse.studies tradeoffs_small    # -> results/tradeoffs_small.json (9 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnncourse.studies import tradeoffs

SEEDS = 9
TRAIN, TEST = 93, 94          # NumPy streams: training pairs, test strings
VARIANTS = ["gru-none", "rnn-additive", "gru-additive", "transformer"]


@dataclass
class Config(tradeoffs.Config):
    # the models and recipe are tradeoffs.Config's; the budget and the lengths are smaller
    steps: int = 300             # updates
    train_lengths: list = field(default_factory=lambda: [4, 16])   # shortest, longest source
    n_test: int = 100            # test strings per length
    test_lengths: list = field(default_factory=lambda: [8, 16, 20, 24])


SMOKE = Config(E=4, H=4, D=8, heads=2, layers=1, ff=8, B=4, steps=3, train_lengths=[3, 5],
               n_test=4, test_lengths=[3, 6])


def run(kind: str, seed: int, config: Config) -> dict:
    """One model of `kind` trained and tested: exact match and digits right per test
    length (config.test_lengths)."""
    model, _ = tradeoffs.train(kind, seed, config, stream=TRAIN)
    exact, digits = tradeoffs.sweep(model, seed, config, stream=TEST)
    return dict(exact=exact, digits=digits)
