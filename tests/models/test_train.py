"""models.train.fit: the one torch training loop, on both kinds of model it trains."""

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse.data import tasks
from rnncourse.models import train
from rnncourse.models.regressor import Regressor
from rnncourse.models.remedies import RemedyConfig, RemedyRNN


def _adding(B=16, T=8, seed=0):
    rng = np.random.default_rng(seed)
    return lambda i: tuple(torch.from_numpy(a).float() for a in tasks.adding_problem(B, T, rng))


def test_fit_is_adam_with_global_clipping_written_out():
    """fit equals the loop written by hand: same losses and parameters, bit for bit."""
    a = Regressor("gru", 8, generator=torch.Generator().manual_seed(1))
    b = Regressor("gru", 8, generator=torch.Generator().manual_seed(1))
    hist = train.fit(a, _adding(), steps=15, lr=1e-2, clip=0.1)
    opt, batch, losses = torch.optim.Adam(b.parameters(), lr=1e-2), _adding(), []
    for i in range(15):
        x, y = batch(i)
        loss = ((b(x)[0] - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(b.parameters(), 0.1)
        opt.step()
        losses.append(loss.item())
    np.testing.assert_array_equal(hist.losses, np.array(losses, dtype=np.float32))
    assert hist.steps == 15 and hist.losses.shape == (15,) and hist.cpu_s > 0
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_fit_uses_the_models_own_clipping_rule_and_per_member_losses():
    m = RemedyRNN(2, 6, RemedyConfig(), [torch.Generator().manual_seed(s) for s in (0, 1)])
    rng = np.random.default_rng(0)

    def batch(i):
        x, y = tasks.recall_first(8, 5, rng)
        return torch.from_numpy(x).float(), torch.from_numpy(y).float()
    calls = []
    m.clip_gradients = lambda max_norm: calls.append(max_norm)  # the per-member rule
    hist = train.fit(m, batch, steps=4, lr=1e-2, clip=0.5)
    assert hist.losses.shape == (4, 2) and calls == [0.5] * 4


def test_after_step_stops_early_and_steps_are_the_budget():
    seen = []
    hist = train.fit(Regressor("rnn", 4), _adding(), steps=10, lr=1e-3,
                     after_step=lambda step, cpu: seen.append(step) or step == 3)
    assert seen == [1, 2, 3] and hist.steps == 3
    assert train.fit(Regressor("rnn", 4), _adding(), steps=0, lr=1e-3).steps == 0


def test_fit_errors_teach():
    class NoLoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(1))

        def forward(self, x, targets=None):
            return x * self.w, None
    with pytest.raises(ValueError, match=r"fit: NoLoss\(x, targets\) returned no loss"):
        train.fit(NoLoss(), lambda i: (torch.ones(1), torch.ones(1)), 1, 1e-3)
    with pytest.raises(ValueError, match="fit: `lr` must be positive"):
        train.fit(NoLoss(), lambda i: (torch.ones(1), torch.ones(1)), 1, 0.0)
    with pytest.raises(ValueError, match="fit: `steps` must be a non-negative integer"):
        train.fit(NoLoss(), lambda i: (torch.ones(1), torch.ones(1)), 1.5, 1e-3)


def test_schedule_scales_the_step_size_of_each_update():
    """fit with a schedule equals the loop with the step size set by hand before each
    update; linear_decay runs from 1 to its floor over the budget."""
    a = Regressor("gru", 8, generator=torch.Generator().manual_seed(2))
    b = Regressor("gru", 8, generator=torch.Generator().manual_seed(2))
    sched = train.linear_decay(6, floor=0.1)
    assert sched(0) == 1.0 and np.isclose(sched(5), 0.1) and np.isclose(sched(9), 0.1)
    assert np.isclose(sched(1), 1 - 0.9 / 5)
    train.fit(a, _adding(), steps=6, lr=1e-2, clip=None, schedule=sched)
    opt, batch = torch.optim.Adam(b.parameters(), lr=1e-2), _adding()
    for i in range(6):
        for group in opt.param_groups:
            group["lr"] = 1e-2 * sched(i)
        x, y = batch(i)
        loss = ((b(x)[0] - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    frozen = Regressor("gru", 8, generator=torch.Generator().manual_seed(2))
    before = [p.clone() for p in frozen.parameters()]
    train.fit(frozen, _adding(), steps=3, lr=1e-2, schedule=lambda i: 0.0)
    assert all(torch.equal(p, q) for p, q in zip(before, frozen.parameters(), strict=True))
    with pytest.raises(ValueError, match="linear_decay: `steps` must be a positive integer"):
        train.linear_decay(0)


def test_the_progress_bar_ends_at_steps_of_steps(capsys):
    """A reader of the HTML sees the bar's last state: it must say the run finished (a bar
    that is cleared when done leaves '399/400' on the page)."""
    train.fit(Regressor("rnn", 4), _adding(), steps=7, lr=1e-3, progress=True)
    last = capsys.readouterr().err.split("\r")[-1]
    assert "7/7" in last, f"the bar's last state is {last!r}"
