"""Chapter 10's long adding problem: Chapter 5's GRU and LSTM against stacks of linear
recurrent units (models.regressor.LRUStack) on the adding problem at T = 1000, with the
same budget of updates, batch, width and step size for every model.

A variant is (model, T): "gru", "lstm" (forget-gate bias 1, as in Chapter 5), "lru-1" (one
LRU block: its last state is a linear function of the inputs, so it cannot form the
product of a value and its marker) and "lru-2" (two blocks: the GELU between them can).
Each (variant, seed) is one `analysis.longrange.train_run`: a fresh batch from the stream
[seed, T, 0] every update, the held-out set from [seed, T, 1], the weights from
torch.Generator(seed); it stops at `max_steps` updates or once the held-out MSE is below a
tenth of the constant prediction's 1/6 (solved). Budgets are in updates.

    python -m rnncourse.studies adding_long      # -> results/adding_long.json (3 seeds)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEEDS = 3
MODELS = ["gru", "lstm", "lru-1", "lru-2"]
LENGTHS = [1000]
VARIANTS = [[name, T] for name in MODELS for T in LENGTHS]


@dataclass
class Config:
    H: int = 32                  # hidden units (complex states per LRU block)
    B: int = 32                  # sequences per update (a fresh batch each update)
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # global gradient norm clip
    n_val: int = 200             # held-out sequences (fixed per seed and T)
    eval_every: int = 50         # held-out MSE every this many updates
    solved_frac: float = 0.1     # solved: held-out MSE < solved_frac * 1/6
    max_steps: int = 2000        # the budget: updates per run (fewer if solved sooner)


SMOKE = Config(H=4, B=4, n_val=8, eval_every=2, max_steps=2)


def run(variant, seed: int, config: Config) -> dict:
    from rnncourse.analysis.longrange import RunConfig, train_run

    name, T = variant
    out = train_run(name, T, seed, config=RunConfig(**asdict(config), forget_bias=1.0))
    return {k: v for k, v in out.items() if k not in ("seed", "config", "budget_s")}
