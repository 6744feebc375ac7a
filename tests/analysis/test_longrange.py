"""analysis.longrange and the study studies.long_range: one run, the smoke setting, the
committed results file."""

import math
from dataclasses import asdict

import pytest
import torch

from rnncourse.analysis import longrange
from rnncourse.data.tasks import ADDING_BASELINE_MSE
from rnncourse.models.lstm import set_forget_bias
from rnncourse.models.regressor import Regressor
from rnncourse.studies import long_range, record


def test_train_run_is_bounded_and_well_formed():
    cfg = longrange.RunConfig(H=8, B=16, n_val=50, eval_every=5, max_steps=12)
    r = longrange.train_run("gru", 10, 0, float("inf"), cfg)
    assert r["steps"] == 12 and r["curve"][0][0] == 0 and r["curve"][-1][0] == 12
    assert r["best_val_mse"] <= r["val_mse"]
    again = longrange.train_run("gru", 10, 0, float("inf"), cfg)
    assert again["val_mse"] == r["val_mse"]  # fixed updates: repeatable
    other = longrange.train_run("gru", 10, 1, float("inf"), cfg)
    assert other["val_mse"] != r["val_mse"]  # and the seed matters


def test_train_run_leaves_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    longrange.train_run("lstm", 6, 0, config=longrange.RunConfig(H=4, B=4, n_val=8,
                                                                 max_steps=2))
    assert torch.equal(torch.rand(3), expected)


def test_regressor_init_follows_torch_defaults_from_a_generator():
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a, b = Regressor("gru", 16, generator=g1), Regressor("gru", 16,
                                                                              generator=g2)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q) and p.abs().max() <= 1 / 4  # U(-1/sqrt(H), 1/sqrt(H))


def test_forget_bias_is_set_in_torch_gate_order():
    lstm = torch.nn.LSTM(2, 5)
    set_forget_bias(lstm, 1.0)
    total = lstm.bias_ih_l0 + lstm.bias_hh_l0
    assert torch.all(total[5:10] == 1.0)
    assert not torch.all(total[:5] == 1.0)


def test_unknown_cell_is_named():
    with pytest.raises(ValueError, match="Regressor: `cell` must be one of"):
        Regressor("transformer", 4)


def test_study_smoke_runs_one_variant():
    """The study's run on its smoke setting: a bounded, well-formed result per (cell, T)."""
    out = long_range.run(["lstm-b0", 10], 0, long_range.SMOKE)
    assert out["T"] == 10 and out["steps"] <= long_range.SMOKE.max_steps
    assert math.isfinite(out["val_mse"]) and "seed" not in out and "config" not in out
    assert long_range.run_config(long_range.SMOKE, "lstm-b0").forget_bias == 0.0
    assert long_range.run_config(long_range.SMOKE, "lstm").forget_bias == 1.0


def test_committed_results_are_well_formed():
    results = record.load("long_range")
    config = long_range.Config()
    results.check_config(asdict(config))
    solved_below = config.solved_frac * ADDING_BASELINE_MSE
    assert solved_below == pytest.approx(0.1 / 6)
    keys = {(r["variant"][0], r["T"], r["seed"]) for r in results.runs}
    assert len(keys) == len(results.runs) == len(long_range.VARIANTS) * long_range.SEEDS
    for r in results.runs:
        assert r["variant"][1] == r["T"]
        assert r["solved"] == (r["val_mse"] < solved_below)
        assert r["steps"] == config.max_steps or r["solved"]
