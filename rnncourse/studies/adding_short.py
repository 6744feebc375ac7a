"""Chapter 5's short adding problem: an LSTM (forget-gate bias 1) and a vanilla RNN of 32
units on sequences of T = 20, with the same budget of 1000 updates, over ten seeds.

Each (cell, seed) is one `analysis.longrange.train_run`: a fresh batch from the stream
[seed, T, 0] every update, the held-out set from [seed, T, 1], the weights from
torch.Generator(seed); it stops at `max_steps` updates or once the held-out MSE is below a
tenth of the constant prediction's 1/6 (solved). The chapter trains the LSTMs of its five
seeds live, to read their gates, and reads the vanilla RNNs of the same seeds from this
file; seeds 0-9 hold the book's seeds (0-4) and those of the robustness run (5-9).

    python -m rnncourse.studies adding_short     # -> results/adding_short.json (10 seeds)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEEDS = 10
VARIANTS = ["lstm", "rnn"]


@dataclass
class Config:
    T: int = 20                  # sequence length
    H: int = 32                  # hidden units
    B: int = 64                  # sequences per update (a fresh batch each update)
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    forget_bias: float = 1.0     # the LSTM's forget-gate bias (bias_ih + bias_hh)
    n_val: int = 500             # held-out sequences (fixed per seed)
    eval_every: int = 25         # held-out MSE every this many updates
    solved_frac: float = 0.1     # solved: held-out MSE < solved_frac * 1/6
    max_steps: int = 1000        # the budget: updates per run (fewer if solved sooner)


SMOKE = Config(T=5, H=4, B=4, n_val=8, eval_every=2, max_steps=2)


def run_config(config: Config):
    """The analysis.longrange.RunConfig of every run (all fields but T)."""
    from rnncourse.analysis.longrange import RunConfig

    return RunConfig(**{k: v for k, v in asdict(config).items() if k != "T"})


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.analysis.longrange import train_run

    out = train_run(variant, config.T, seed, config=run_config(config))
    return {k: v for k, v in out.items() if k not in ("seed", "config", "budget_s")}
