"""One run of the long-range benchmark: a torch RNN, LSTM, GRU or LRU stack on the adding
problem.

    model: `models.regressor.make_regressor`: nn.RNN / nn.LSTM / nn.GRU -> last state ->
           linear, or an LRUStack ("lru-L": L blocks)
    loop:  `models.train.fit`: fresh batch of the adding problem -> MSE -> backward ->
           clip global norm -> Adam
    stop:  after `config.max_steps` updates, or as soon as the held-out MSE falls below
           `solved_frac` * 1/6 (the constant-prediction baseline)

The budget is a number of updates, so a run is the same on a fast, a slow or a busy
machine: the seed fixes the initialisation (drawn from a torch.Generator, no global
seeding) and the data, and the steps fix the work. The CPU seconds a run took are
recorded, and an optional CPU-time cap (`budget_s`) remains for timing experiments;
results that anything asserts use `budget_s=inf`. Used by the studies `studies.long_range`
(Chapter 5) and `studies.adding_long` (Chapter 10), and by Chapter 5.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from rnncourse.data.tasks import ADDING_BASELINE_MSE, adding_problem
from rnncourse.models import train
from rnncourse.models.regressor import make_regressor


@dataclass
class RunConfig:
    """Hyper-parameters of one `train_run` (every cell gets the same)."""

    H: int = 64                  # hidden units
    B: int = 64                  # sequences per training batch (a fresh batch each step)
    lr: float = 3e-3             # Adam step size
    clip: float = 1.0            # max global gradient norm
    forget_bias: float = 1.0     # LSTM only: bias_ih + bias_hh of the forget gate set to this
    n_val: int = 500             # held-out sequences (fixed per seed)
    eval_every: int = 50         # held-out MSE every this many updates
    solved_frac: float = 0.1     # solved: held-out MSE < solved_frac * 1/6
    max_steps: int = 2000        # the budget: updates per run (fewer if solved sooner)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 500) -> float:
    """Mean squared error of `model` on x (N, T, 2), y (N,), without gradients."""
    model.eval()
    with torch.no_grad():
        se = sum(float(((model(x[i:i + chunk])[0] - y[i:i + chunk]) ** 2).sum())
                 for i in range(0, len(x), chunk))
    model.train()
    return se / len(x)


def _tensors(arrays) -> tuple[torch.Tensor, ...]:
    """float64 task arrays -> float32 tensors (the models' dtype)."""
    return tuple(torch.from_numpy(a).float() for a in arrays)


def train_run(cell: str, T: int, seed: int, budget_s: float = float("inf"),
              config: RunConfig | None = None, keep_model: bool = False) -> dict:
    """Train one model on the adding problem of length T for `config.max_steps` updates.

    Stops early once the held-out MSE is below the solved line; `budget_s` optionally caps
    the training CPU seconds as well (leave it infinite for a run that any machine
    repeats). Returns a JSON-ready dict: the settings, `steps` taken, `cpu_s` spent
    training, `val_mse` (last held-out MSE), `best_val_mse`, `solved` (bool),
    `steps_to_solve` and `cpu_s_to_solve` (None if not solved) and the `curve` of
    (step, cpu_s, val_mse); with keep_model, also the trained `model`.
    """
    cfg = config or RunConfig()
    generator = torch.Generator().manual_seed(seed)  # initialisation only
    model = make_regressor(cell, cfg.H, cfg.forget_bias if cell == "lstm" else None,
                           generator)
    train_rng = np.random.default_rng([seed, T, 0])
    val_rng = np.random.default_rng([seed, T, 1])  # held-out set: fixed per (seed, T)
    xv, yv = _tensors(adding_problem(cfg.n_val, T, val_rng))
    threshold = cfg.solved_frac * ADDING_BASELINE_MSE
    curve = [(0, 0.0, evaluate(model, xv, yv))]
    solved_at = None

    def after_step(steps: int, cpu: float) -> bool:
        nonlocal solved_at
        if steps % cfg.eval_every == 0 or cpu >= budget_s or steps == cfg.max_steps:
            curve.append((steps, round(cpu, 3), evaluate(model, xv, yv)))
            if curve[-1][2] < threshold:
                solved_at = (steps, round(cpu, 3))
                return True
        return False

    history = train.fit(model, lambda i: _tensors(adding_problem(cfg.B, T, train_rng)),
                        cfg.max_steps, cfg.lr, cfg.clip, after_step=after_step,
                        budget_s=budget_s)
    steps, cpu = history.steps, history.cpu_s
    vals = [v for _, _, v in curve]
    extra = {"model": model} if keep_model else {}
    return extra | {"cell": cell, "T": T, "seed": seed, "budget_s": budget_s, "config": asdict(cfg),
            "steps": steps, "cpu_s": round(cpu, 3), "val_mse": vals[-1],
            "best_val_mse": min(vals), "solved": solved_at is not None,
            "steps_to_solve": solved_at[0] if solved_at else None,
            "cpu_s_to_solve": solved_at[1] if solved_at else None, "curve": curve}
