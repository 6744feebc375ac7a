"""Chapter 5's long-range benchmark: vanilla RNN, LSTM (forget-gate bias 1 and 0) and GRU on
the adding problem, over lengths T = 25 ... 400.

Every (cell, T, seed) is one `analysis.longrange.train_run` with the same budget of
`max_steps` updates (a run stops sooner once solved), so the results are the same on any
machine however fast or busy; the initialisation comes from the run's own
torch.Generator(seed), the data from the streams [seed, T, 0] and [seed, T, 1].

    python -m rnncourse.studies long_range       # -> results/long_range.json (5 seeds)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

SEEDS = 5
# name -> (torch cell, forget-gate bias or None)
CELLS = {"rnn": ("rnn", None), "lstm": ("lstm", 1.0), "lstm-b0": ("lstm", 0.0),
         "gru": ("gru", None)}
LENGTHS = [25, 50, 100, 200, 400]
VARIANTS = [[name, T] for name in CELLS for T in LENGTHS]


@dataclass
class Config:
    H: int = 64                  # hidden units
    B: int = 64                  # sequences per update (a fresh batch each update)
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    n_val: int = 500             # held-out sequences (fixed per seed and T)
    eval_every: int = 50         # held-out MSE every this many updates
    solved_frac: float = 0.1     # solved: held-out MSE < solved_frac * 1/6
    max_steps: int = 2000        # the budget: updates per run (fewer if solved sooner)


SMOKE = Config(H=4, B=4, n_val=8, eval_every=2, max_steps=2)


def run_config(config: Config, cell: str):
    """The analysis.longrange.RunConfig of one variant."""
    from rnncourse.analysis.longrange import RunConfig

    cfg = RunConfig(**asdict(config))
    bias = CELLS[cell][1]
    return replace(cfg, forget_bias=bias) if bias is not None else cfg


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.analysis.longrange import train_run

    name, T = variant
    out = train_run(CELLS[name][0], T, seed, config=run_config(config, name))
    return {k: v for k, v in out.items() if k not in ("seed", "config", "budget_s")}
