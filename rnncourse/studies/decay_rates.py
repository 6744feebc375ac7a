"""Chapter 5's measurement at initialisation: how fast the gradient along the memory path
decays with the lag, for a vanilla RNN, an LSTM with forget-gate bias 0 and 1, and a GRU.

For one seed: the four layers (H units, PyTorch's default initialisation, built under
`seeded(seed)`) read the same two adding-problem sequences of length T (stream [seed,
DATA]); `analysis.gradflow.hidden_jacobian_norms` gives ||d c_t / d c_{t-lag}|| (the cell
state for the LSTM, the hidden state otherwise) for every lag, averaged geometrically over
the batch; the per-step factor is the geometric mean of the decay between two lags.

    python -m rnncourse.studies decay_rates      # -> results/decay_rates.json (12 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 12
DATA = 16                    # NumPy stream of the input sequences
VARIANTS = [["initialisation"]]
MODELS = ("vanilla RNN", "LSTM, forget bias 0", "LSTM, forget bias 1", "GRU")


@dataclass
class Config:
    H: int = 32              # hidden units
    T: int = 80              # sequence length (lags 1..T-1)
    B: int = 2               # sequences averaged over
    first: int = 20          # the per-step factor is measured between lags first..last
    last: int = 60


SMOKE = Config(H=4, T=8, B=1, first=2, last=6)


def layers(seed: int, H: int) -> dict:
    """The four layers of MODELS, initialised under seeded(seed), in that order."""
    import torch

    from rnncourse.models.lstm import set_forget_bias
    from rnncourse.models.seeding import seeded

    with seeded(seed):
        out = {"vanilla RNN": torch.nn.RNN(2, H), "LSTM, forget bias 0": torch.nn.LSTM(2, H),
               "LSTM, forget bias 1": torch.nn.LSTM(2, H), "GRU": torch.nn.GRU(2, H)}
    set_forget_bias(out["LSTM, forget bias 0"], 0.0)
    set_forget_bias(out["LSTM, forget bias 1"], 1.0)
    return out


def inputs(seed: int, config: Config):
    """The (B, T, 2) adding-problem inputs every layer reads, as a float64 tensor."""
    import torch

    from rnncourse.data import tasks

    x = tasks.adding_problem(config.B, config.T, np.random.default_rng([seed, DATA]),
                             dtype=np.float64)[0]
    return torch.from_numpy(x)


def lag_norms(seed: int, config: Config) -> dict[str, np.ndarray]:
    """name -> (T,) norm of the memory path's Jacobian at each lag (geometric batch mean)."""
    from rnncourse.analysis import gradflow

    x = inputs(seed, config)
    out = {}
    for name, layer in layers(seed, config.H).items():
        _, norms = gradflow.hidden_jacobian_norms(layer.double(), x, part="c")
        out[name] = np.exp(np.log(norms).mean(axis=0))
    return out


def rates(norms: dict[str, np.ndarray], config: Config) -> dict[str, float]:
    """The per-step factor of the decay between lags first and last."""
    span = config.last - config.first
    return {name: float(np.exp(np.log(v[config.last] / v[config.first]) / span))
            for name, v in norms.items()}


def forget_gates(layer, x) -> np.ndarray:
    """(B, T, H) forget-gate values of a one-layer nn.LSTM (torch's order i, f, g, o)
    along the inputs x (B, T, 2), from its weights and the hidden states it computes."""
    import torch

    H = layer.hidden_size
    with torch.no_grad():
        h, _ = layer(x.transpose(0, 1))                       # (T, B, H): seq-first layer
        h_prev = torch.cat([torch.zeros_like(h[:1]), h[:-1]]).transpose(0, 1)   # (B, T, H)
        w_i, w_h = layer.weight_ih_l0[H:2 * H], layer.weight_hh_l0[H:2 * H]
        b = layer.bias_ih_l0[H:2 * H] + layer.bias_hh_l0[H:2 * H]
        return torch.sigmoid(x @ w_i.T + h_prev @ w_h.T + b).numpy()


def slowest_unit(layer, x, config: Config) -> float:
    """The largest, over the units, per-step geometric mean of the forget gate between
    steps first..last, averaged geometrically over the batch: the norm of a product of
    diagonal matrices diag(f_t) follows the unit whose gates stay largest."""
    f = forget_gates(layer, x)[:, -config.last:-config.first]
    return float(np.exp(np.log(f).mean(axis=(0, 1))).max())


def run(variant, seed: int, config: Config) -> dict:
    norms = lag_norms(seed, config)
    x = inputs(seed, config)
    lstms = {name: layer.double() for name, layer in layers(seed, config.H).items()
             if name.startswith("LSTM")}
    return {"rate": rates(norms, config),
            "norm_at_last": {name: float(v[config.last]) for name, v in norms.items()},
            "slowest_forget_gate": {name: slowest_unit(layer, x, config)
                                    for name, layer in lstms.items()}}
