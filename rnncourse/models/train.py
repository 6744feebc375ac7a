"""The one training loop of the torch wing.

Every trainable model of the course follows one interface,

    out, loss = model(x, targets)        # forward(x, targets=None) -> (out, loss)

where `loss` is a scalar, or one loss per independent member (shape (S,), as
`RemedyRNN` returns), and is None without targets. `fit` runs Adam on it:

    for step i:  x, y = batch(i) -> loss -> backward -> clip -> Adam step -> after_step(...)

Clipping uses the model's own rule if it has one (`model.clip_gradients(max_norm)`,
e.g. per member), else `torch.nn.utils.clip_grad_norm_` over all parameters. The budget
is a number of updates; `after_step(step, cpu_s)` may end a run early (return True), for
example once a held-out score is good enough. CPU seconds spent in training steps are
recorded, and `budget_s` can cap them for timing experiments (results that anything
asserts leave it infinite).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.auto import tqdm


@dataclass
class History:
    """What `fit` returns."""

    losses: np.ndarray  # (steps,) training losses, or (steps, S) for S members
    steps: int          # updates made
    cpu_s: float        # CPU seconds spent in training steps (batches included)


def clip_gradients(model: nn.Module, max_norm: float) -> Tensor:
    """The model's clipping rule (`model.clip_gradients`) or the global-norm rule."""
    if hasattr(model, "clip_gradients"):
        return model.clip_gradients(max_norm)
    return nn.utils.clip_grad_norm_(model.parameters(), max_norm)


def fit(model: nn.Module, batch: Callable[[int], tuple[Tensor, Tensor]], steps: int,
        lr: float, clip: float | None = 1.0, *,
        after_step: Callable[[int, float], bool] | None = None,
        budget_s: float = float("inf"), progress: bool = False,
        schedule: Callable[[int], float] | None = None) -> History:
    """Train `model` with Adam for at most `steps` updates; returns a `History`.

    batch(i) -> (x, targets) gives the i-th training batch; model(x, targets) must return
    (out, loss) with loss a scalar or (S,) per-member losses (their sum is minimised: the
    members share no parameters, so each gets its own gradient). clip: the largest
    gradient norm (see `clip_gradients`), None for no clipping. after_step(step, cpu_s)
    is called after every update with the number of updates so far; returning True
    stops. budget_s: stop once this many CPU seconds were spent in training steps.
    schedule(i) -> factor: update i (0-based) uses step size lr * factor (None: lr
    throughout), e.g. `linear_decay(steps)`.
    """
    if not (isinstance(steps, int | np.integer) and steps >= 0):
        raise ValueError(f"fit: `steps` must be a non-negative integer, got {steps!r}.")
    if not lr > 0:
        raise ValueError(f"fit: `lr` must be positive, got {lr}.")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses, cpu = [], 0.0
    for i in tqdm(range(steps), disable=not progress, leave=True):  # the page keeps N/N
        if cpu >= budget_s:
            break
        start = time.process_time()
        if schedule is not None:
            for group in opt.param_groups:
                group["lr"] = lr * schedule(i)
        x, y = batch(i)
        _, loss = model(x, y)
        if loss is None:
            raise ValueError(f"fit: {type(model).__name__}(x, targets) returned no loss; "
                             "forward(x, targets=None) must return (out, loss).")
        opt.zero_grad()
        loss.sum().backward()
        if clip is not None:
            clip_gradients(model, clip)
        opt.step()
        cpu += time.process_time() - start
        losses.append(loss.detach().cpu().numpy().copy())
        if after_step is not None and after_step(i + 1, cpu):
            break
    return History(np.array(losses), len(losses), cpu)


def linear_decay(steps: int, floor: float = 0.0) -> Callable[[int], float]:
    """A schedule for `fit`: the step size falls linearly from lr at update 0 to
    lr * floor at the last of `steps` updates."""
    if not (isinstance(steps, int | np.integer) and steps >= 1):
        raise ValueError(f"linear_decay: `steps` must be a positive integer, got {steps!r}.")
    return lambda i: 1.0 - (1.0 - floor) * min(i, steps - 1) / max(steps - 1, 1)
