"""Chapter 4's comparison of remedies on one long-range task, in groups of five seeds.

The task is `tasks.recall_first` (T steps; the target is the first value). A *group* is
five networks per trainable variant, with the seeds base, ..., base + 4, trained side by
side as the members of one `RemedyRNN`, plus five echo-state reservoirs with the same
seeds. For each group:

- `sensitivity`: at initialisation, the mean norm of d y_hat / d x_t against the lag
  T - t, on the first `n_sensitivity` held-out sequences;
- `train_variants`: `steps` Adam steps on fresh batches (member s reads stream [s, 2]),
  gradient-norm clipping at 1 per member; held-out MSE / baseline on the validation
  set (stream [base, 1]);
- `echo_state`: a fixed reservoir per seed (stream [s, 3]) with a ridge read-out, at
  the lengths `esn_lengths`;
- `claims_at_initialisation`, `claims_after_training`: the statements of Chapter 4's
  table, each True or False for one group.

Group g of the recorded study has base seed 5 g, so group 0 is the book's run (base seed
0) and group 1 the robustness test's (base seed 5).

    python -m rnncourse.studies remedies      # -> results/remedies.json (8 groups, 40 seeds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEEDS = 8                    # groups
GROUP = 5                    # seeds per group: group g is seeds 5g, ..., 5g + 4
VALIDATION, TRAINING, RESERVOIR = 1, 2, 3      # NumPy streams [seed, purpose]
VARIANTS = [["group"]]
TANH, ORTHOGONAL, IRNN = "tanh, default init", "tanh, orthogonal", "IRNN (ReLU, identity)"
LEAKY, SKIP, ESN = "leaky, alpha = 0.9", "skip, d = 10", "echo-state network"


@dataclass
class Config:
    T: int = 50                  # sequence length
    H: int = 32                  # units of the trainable variants
    steps: int = 300             # Adam steps
    batch: int = 64              # sequences per step and member
    n_validation: int = 1000     # held-out sequences
    n_sensitivity: int = 200     # of which the first are used at initialisation
    esn_H: int = 200             # reservoir units
    esn_train: int = 2000        # sequences the read-out is fitted on
    esn_test: int = 1000
    esn_lengths: tuple = (10, 25, 50)
    esn_rho: float = 1.0         # spectral radius of the reservoir
    esn_input_scale: float = 0.1
    ridge: float = 1e-6


SMOKE = Config(T=12, H=4, steps=3, batch=4, n_validation=16, n_sensitivity=4, esn_H=8,
               esn_train=20, esn_test=10, esn_lengths=(4, 12))


def variants() -> dict:
    """name -> (RemedyConfig, Adam's learning rate): the trainable variants."""
    from rnncourse.models.remedies import RemedyConfig

    return {TANH: (RemedyConfig(), 3e-3),
            ORTHOGONAL: (RemedyConfig(init="orthogonal"), 3e-3),
            IRNN: (RemedyConfig("relu", "identity", input_std=1e-3), 3e-4),
            LEAKY: (RemedyConfig(alpha=0.9), 3e-3),
            SKIP: (RemedyConfig(skip=10), 3e-3)}


def members(base: int) -> list[int]:
    return list(range(base, base + GROUP))


def validation(base: int, config: Config):
    """The held-out set (x (N, T, 2), y (N,)) as float32 tensors, stream [base, 1]."""
    import torch

    from rnncourse.data import tasks

    x, y = tasks.recall_first(config.n_validation, config.T,
                              np.random.default_rng([base, VALIDATION]))
    return (torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))


def build(seeds: list[int], config: Config) -> dict:
    """name -> RemedyRNN with one member per seed (member s initialised from seed s)."""
    import torch

    from rnncourse.models.remedies import RemedyRNN

    return {name: RemedyRNN(2, config.H, cfg, [torch.Generator().manual_seed(s)
                                               for s in seeds])
            for name, (cfg, _) in variants().items()}


def sensitivity(models: dict, x_val, config: Config) -> dict[str, np.ndarray]:
    """name -> (S, T) mean |d y_hat / d x_t| over the first n_sensitivity sequences,
    indexed by the lag T - t (column 0: the last input)."""
    out = {}
    for name, model in models.items():
        S = model.members
        x_in = x_val[:config.n_sensitivity].expand(S, -1, -1, -1).clone().requires_grad_(True)
        model(x_in)[0].sum().backward()
        model.zero_grad()
        out[name] = x_in.grad.norm(dim=3).mean(dim=1).numpy()[:, ::-1].copy()
    return out


def batches(seeds: list[int], config: Config):
    """batch(i) -> (x (S, B, T, 2), y (S, B)): member s's own stream [s, 2]; every variant
    that calls this anew reads the same batches."""
    import torch

    from rnncourse.data import tasks

    gens = [np.random.default_rng([s, TRAINING]) for s in seeds]

    def batch(i):
        xs, ys = zip(*(tasks.recall_first(config.batch, config.T, g) for g in gens),
                     strict=True)
        return (torch.tensor(np.stack(xs), dtype=torch.float32),
                torch.tensor(np.stack(ys), dtype=torch.float32))
    return batch


def train_variants(models: dict, seeds: list[int], x_val, y_val, config: Config,
                   progress=None) -> dict[str, np.ndarray]:
    """Train every model of `models` (in place); name -> (S,) held-out MSE / baseline.
    progress: an optional wrapper of the iteration over the variants (tqdm)."""
    import torch

    from rnncourse.data import tasks
    from rnncourse.models import train

    rates = {name: lr for name, (_, lr) in variants().items()}
    names = progress(list(models)) if progress is not None else list(models)
    out = {}
    for name in names:
        train.fit(models[name], batches(seeds, config), steps=config.steps, lr=rates[name])
        with torch.no_grad():
            out[name] = models[name](x_val, y_val)[1].numpy() / tasks.RECALL_BASELINE_MSE
    return out


def echo_state(seeds: list[int], config: Config) -> dict[int, np.ndarray]:
    """T -> (S,) held-out MSE / baseline of a ridge read-out of a fixed tanh reservoir,
    one reservoir per seed (stream [s, 3]), read after T of the T_max steps (the target
    is the first value at every length)."""
    from rnncourse.classical import ridge
    from rnncourse.data import tasks
    from rnncourse.scratch import remedies, rnn

    H = config.esn_H
    out = {T: [] for T in config.esn_lengths}
    for s in seeds:
        r = np.random.default_rng([s, RESERVOIR])
        W_in, W_res = remedies.esn_reservoir(2, H, rho=config.esn_rho, rng=r,
                                             input_scale=config.esn_input_scale)
        (x_tr, y_tr), (x_te, y_te) = (tasks.recall_first(n, config.T, r)
                                      for n in (config.esn_train, config.esn_test))
        h_tr, h_te = (_states_at(rnn, x, W_in, W_res, config.esn_lengths) for x in (x_tr, x_te))
        for T in config.esn_lengths:
            w, c = ridge.ridge_readout(h_tr[T], y_tr, lam=config.ridge)
            out[T].append(np.mean((h_te[T] @ w + c - y_te) ** 2)
                          / tasks.RECALL_BASELINE_MSE)
    return {T: np.array(v) for T, v in out.items()}


def _states_at(rnn, x: np.ndarray, W_in: np.ndarray, W_res: np.ndarray, lengths,
               chunk: int = 250) -> dict[int, np.ndarray]:
    """T -> (N, H): the reservoir's state after T steps of each of the N sequences x,
    run by rnn.rnn_forward `chunk` sequences at a time (rows do not interact, so the
    states are those of one call on all N; the chunks keep the (chunk, T, H) history
    small instead of allocating all N sequences' history, 160 MB for 2000 x 50 x 200)."""
    H = W_res.shape[0]
    states = {T: [] for T in lengths}
    for lo in range(0, len(x), chunk):
        h, _ = rnn.rnn_forward(x[lo:lo + chunk], np.zeros((len(x[lo:lo + chunk]), H)), W_in,
                               W_res, np.zeros(H))
        for T in lengths:
            states[T].append(h[:, T - 1])
    return {T: np.concatenate(v) for T, v in states.items()}


def claims_at_initialisation(keep: dict) -> dict[str, bool]:
    """The first column of Chapter 4's table for one group, each statement True or False.
    keep: name -> (S,) |d y_hat / d x| at the largest lag / at lag 0."""
    keep = {k: np.asarray(v) for k, v in keep.items()}
    med = {k: np.median(v) for k, v in keep.items()}
    others = min(v for k, v in med.items() if k != TANH)
    return {
        "default tanh: ratio below 1e-7, every seed": bool(keep[TANH].max() < 1e-7),
        "default tanh: below 1e-3 of every other variant's median":
            bool(keep[TANH].max() < 1e-3 * others),
        "orthogonal: median ratio above 0.05": bool(med[ORTHOGONAL] > 0.05),
        "IRNN: median ratio above 0.1": bool(med[IRNN] > 0.1),
        "leaky: median ratio between 3e-3 and 0.3": bool(3e-3 < med[LEAKY] < 0.3),
        "skip: median ratio above 5e-3": bool(med[SKIP] > 5e-3),
    }


def claims_after_training(mse: dict, esn: dict) -> dict[str, bool]:
    """The second column of Chapter 4's table for one group, each statement True or False.
    mse: name -> (S,) held-out MSE / baseline; esn: T -> (S,) the echo-state network's at
    each length (int or str keys)."""
    mse = {k: np.asarray(v) for k, v in mse.items()}
    esn = {int(k): np.asarray(v) for k, v in esn.items()}
    med = {k: np.median(v) for k, v in mse.items()}
    lengths = sorted(esn)
    out = {
        "default tanh: above 0.8, every seed": bool(mse[TANH].min() > 0.8),
        "orthogonal: median below 0.3": bool(med[ORTHOGONAL] < 0.3),
        "IRNN: median below 0.6": bool(med[IRNN] < 0.6),
        "leaky: median between 0.3 and 0.8": bool(0.3 < med[LEAKY] < 0.8),
        "leaky: every seed above 0.1": bool(mse[LEAKY].min() > 0.1),
        "skip: every seed below 0.3": bool(mse[SKIP].max() < 0.3),
        "skip: at least 3 of 5 below 0.1": bool(np.sum(mse[SKIP] < 0.1) >= 3),
        f"echo-state: above 0.2 at T = {lengths[-1]}, every reservoir":
            bool(esn[lengths[-1]].min() > 0.2),
    }
    for T, bound in zip(lengths[:-1], (0.01, 0.05), strict=False):
        out[f"echo-state: below {bound} at T = {T}, every reservoir"] = bool(esn[T].max() < bound)
    return out


def group(base: int, config: Config, progress=None) -> dict:
    """Everything above for the group of seeds base, ..., base + 4 (see the module)."""
    from rnncourse.models.seeding import seeded

    seeds = members(base)
    x_val, y_val = validation(base, config)
    with seeded(base):      # nothing here draws from torch's generator; kept explicit
        models = build(seeds, config)
        sens = sensitivity(models, x_val, config)
        mse = train_variants(models, seeds, x_val, y_val, config, progress)
    esn = echo_state(seeds, config)
    mse[ESN] = esn[config.T]
    return {"models": models, "sensitivity": sens, "mse": mse, "esn": esn}


def run(variant, seed: int, config: Config) -> dict:
    """Group `seed` (base seed 5 seed): what its chapter run would print and assert."""
    base = GROUP * seed
    out = group(base, config)
    keep = {k: v[:, -1] / v[:, 0] for k, v in out["sensitivity"].items()}
    return {"base": base, "members": members(base),
            "keep": {k: v.tolist() for k, v in keep.items()},
            "mse": {k: np.asarray(v).tolist() for k, v in out["mse"].items()},
            "esn": {str(T): v.tolist() for T, v in out["esn"].items()},
            "claims": {**claims_at_initialisation(keep),
                       **claims_after_training(out["mse"], out["esn"])}}
