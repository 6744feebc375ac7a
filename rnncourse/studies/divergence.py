"""Chapter 2's experiment on the spectral radius: do two runs of one tanh RNN, from two
random initial states, on the same inputs, come together?

One draw: a random (H, H) matrix scaled to spectral radius rho, an input stream and two
initial states; the gap |h_a - h_b| after T steps is measured for each rho (the same
matrix, scaled). One seed is `draws` such draws, from the stream [seed, DRAWS]; the study
counts, per rho, in how many of them the runs are still apart after T steps.

    python -m rnncourse.studies divergence       # -> results/divergence.json (60 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEEDS = 60
DRAWS = 30                   # NumPy stream of the draws
VARIANTS = [["tanh RNN"]]


@dataclass
class Config:
    H: int = 50              # units
    T: int = 100             # steps
    draws: int = 20          # networks (with two initial states each) per seed
    rhos: list = field(default_factory=lambda: [0.5, 0.9, 1.5, 3.0])   # spectral radii
    apart: float = 1e-3      # "still apart": |h_a - h_b| above this after T steps


SMOKE = Config(H=5, T=10, draws=2)


def two_runs(rng: np.random.Generator, config: Config) -> dict[float, np.ndarray]:
    """One draw: rho -> (T,) gap |h_a - h_b| between the two runs at each step."""
    from rnncourse.scratch import rnn

    H, T = config.H, config.T
    W = rng.standard_normal((H, H))
    W /= np.abs(np.linalg.eigvals(W)).max()                      # spectral radius 1
    x = np.repeat(0.5 * rng.standard_normal((1, T, 1)), 2, axis=0)   # (2, T, 1) shared
    Wx, starts = rng.standard_normal((1, H)), rng.uniform(-1, 1, (2, H))
    return {rho: np.linalg.norm(np.subtract(*rnn.rnn_forward(
        x, starts, Wx, rho * W, np.zeros(H))[0]), axis=1) for rho in config.rhos}


def draws(seed: int, config: Config) -> list[dict[float, np.ndarray]]:
    """The `draws` draws of one seed."""
    rng = np.random.default_rng([seed, DRAWS])
    return [two_runs(rng, config) for _ in range(config.draws)]


def run(variant, seed: int, config: Config) -> dict:
    final = {rho: np.array([d[rho][-1] for d in draws(seed, config)]) for rho in config.rhos}
    return {"apart": {str(rho): int(np.sum(g > config.apart)) for rho, g in final.items()},
            "median_gap": {str(rho): float(np.median(g)) for rho, g in final.items()},
            "max_gap": {str(rho): float(g.max()) for rho, g in final.items()}}
