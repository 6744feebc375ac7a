"""One run of the long-range benchmark: a torch RNN, LSTM or GRU on the adding problem.

    model: nn.RNN / nn.LSTM / nn.GRU (batch_first) -> last hidden state -> nn.Linear(H, 1)
    loop:  fresh batch of the adding problem -> MSE -> backward -> clip global norm -> Adam
    stop:  after `config.max_steps` updates, or as soon as the held-out MSE falls below
           `solved_frac` * 1/6 (the constant-prediction baseline)

The budget is a number of updates, so a run is the same on a fast, a slow or a busy
machine: the seed fixes the initialisation (drawn from a torch.Generator, no global
seeding) and the data, and the steps fix the work. The CPU seconds a run took are
recorded, and an optional CPU-time cap (`budget_s`) remains for timing experiments;
results that anything asserts use `budget_s=inf`. Used by `scripts/long_range.py` and
by Chapter 5.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from rnncourse.tasks import ADDING_BASELINE_MSE, adding_problem

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


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


class Regressor(nn.Module):
    """A recurrent layer reading x (B, T, 2) and a linear read-out of its last state.

    The weights are drawn from `generator` with PyTorch's default distributions
    (U(-1/sqrt(H), 1/sqrt(H)) for the recurrent layer, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for the read-out), so a seed fixes them without touching torch's global generator.
    """

    def __init__(self, cell: str, H: int, forget_bias: float | None = None,
                 generator: torch.Generator | None = None):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Regressor: `cell` must be one of {sorted(CELLS)}, got {cell!r}.")
        # torch's constructors initialise from the global generator; with our own
        # generator, its state is saved and restored around them (fork_rng).
        with torch.random.fork_rng(devices=[], enabled=generator is not None):
            self.rnn = CELLS[cell](input_size=2, hidden_size=H, batch_first=True)
            self.out = nn.Linear(H, 1)
        if generator is not None:
            _uniform_(self.rnn.parameters(), 1 / np.sqrt(H), generator)
            _uniform_(self.out.parameters(), 1 / np.sqrt(H), generator)
        if cell == "lstm" and forget_bias is not None:
            set_forget_bias(self.rnn, forget_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)  # (B, T, H)
        return self.out(h[:, -1]).squeeze(-1)  # (B,)


def _uniform_(params, bound: float, generator: torch.Generator) -> None:
    """Fill every tensor in `params` with U(-bound, bound) drawn from `generator`."""
    with torch.no_grad():
        for p in params:
            p.copy_((2 * torch.rand(p.shape, generator=generator, dtype=p.dtype) - 1) * bound)


def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Set the forget-gate bias of every layer of `lstm` so that b_ih + b_hh = value.

    torch's gate order is i, f, g, o, so the forget gate is the block H:2H.
    """
    H = lstm.hidden_size
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H] = value
            elif name.startswith("bias_hh"):
                p[H:2 * H] = 0.0


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 500) -> float:
    """Mean squared error of `model` on x (N, T, 2), y (N,), without gradients."""
    model.eval()
    with torch.no_grad():
        se = sum(float(((model(x[i:i + chunk]) - y[i:i + chunk]) ** 2).sum())
                 for i in range(0, len(x), chunk))
    model.train()
    return se / len(x)


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
    model = Regressor(cell, cfg.H, cfg.forget_bias if cell == "lstm" else None, generator)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    train_rng = np.random.default_rng([seed, T, 0])
    val_rng = np.random.default_rng([seed, T, 1])  # held-out set: fixed per (seed, T)
    xv, yv = (torch.from_numpy(a) for a in adding_problem(cfg.n_val, T, val_rng))
    threshold = cfg.solved_frac * ADDING_BASELINE_MSE
    curve = [(0, 0.0, evaluate(model, xv, yv))]
    cpu, steps, solved_at = 0.0, 0, None
    while cpu < budget_s and steps < cfg.max_steps:
        start = time.process_time()
        x, y = (torch.from_numpy(a) for a in adding_problem(cfg.B, T, train_rng))
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        cpu += time.process_time() - start
        steps += 1
        if steps % cfg.eval_every == 0 or cpu >= budget_s or steps == cfg.max_steps:
            curve.append((steps, round(cpu, 3), evaluate(model, xv, yv)))
            if curve[-1][2] < threshold:
                solved_at = (steps, round(cpu, 3))
                break
    vals = [v for _, _, v in curve]
    extra = {"model": model} if keep_model else {}
    return extra | {"cell": cell, "T": T, "seed": seed, "budget_s": budget_s, "config": asdict(cfg),
            "steps": steps, "cpu_s": round(cpu, 3), "val_mse": vals[-1],
            "best_val_mse": min(vals), "solved": solved_at is not None,
            "steps_to_solve": solved_at[0] if solved_at else None,
            "cpu_s_to_solve": solved_at[1] if solved_at else None, "curve": curve}
