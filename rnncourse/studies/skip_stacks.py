"""Chapter 6's stacked taggers with and without skip connections between the layers.

The bidirectional tagger of the study `tagging` (its data, sizes, recipe, seeds' streams
and held-out measure: `tagging.run`) at depths 2, 3 and 5, as a plain stack (torch's
multi-layer nn.LSTM: layer k reads layer k-1 only), as a residual stack (layer k adds its
input to its output) and, at depth 3, with the embedded input fed to every layer
(`models.sequence.Tagger`'s `skip`). Under one seed a residual stack starts from the plain
stack's weights (tested), so a pair differs by the skip alone; the plain stacks at depths
2 and 3 are the `tagging` study's "bi 2" and "bi 3" runs again.

    python -m rnncourse.studies skip_stacks     # -> results/skip_stacks.json (3 seeds, as tagging)
"""

from __future__ import annotations

from rnncourse.studies.tagging import SMOKE, Config  # noqa: F401  (the study's setting)

SEEDS = 3
# (name, layers, bidirectional, H per direction, skip)
VARIANTS = [["bi 2", 2, True, 64, None], ["bi 2 residual", 2, True, 64, "residual"],
            ["bi 3", 3, True, 64, None], ["bi 3 residual", 3, True, 64, "residual"],
            ["bi 3 input", 3, True, 64, "input"],
            ["bi 5", 5, True, 64, None], ["bi 5 residual", 5, True, 64, "residual"]]


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.studies import tagging

    return tagging.run(variant, seed, config)
