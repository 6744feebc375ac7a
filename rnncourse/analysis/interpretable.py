"""The search for interpretable cells: score every unit of a network against a property of
the text whose true value is known, and ask whether the best score beats chance.

acts: (N, U) the activations of U units after each of N characters; prop: (N,) the
property's true value at each character (from `data.pysource`). For every unit,

    r_u   = corr(acts[:, u], prop)          Pearson, both centred (a constant gives 0)
    auc_u = P(acts[i, u] > acts[j, u] | prop_i = 1, prop_j = 0)    binary properties only

|r| and max(auc, 1 - auc) do not care about the sign: a cell that is low inside strings
tracks strings as well as one that is high. Chance is measured, not assumed: the same
search on an untrained network of the same size (`search` takes both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncourse.shapes import check_shape


def correlations(acts: np.ndarray, prop: np.ndarray) -> np.ndarray:
    """(N, U), (N,) -> (U,) Pearson correlation of every unit with `prop`; 0 where a unit
    or the property is constant."""
    A = check_shape("correlations", "acts", acts, "N U").astype(np.float64)
    p = check_shape("correlations", "prop", prop, "N", N=A.shape[0]).astype(np.float64)
    A = A - A.mean(axis=0)
    p = p - p.mean()
    num = p @ A
    den = np.sqrt((A ** 2).sum(axis=0) * (p ** 2).sum())
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def aucs(acts: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N, U), (N,) bool -> (U,) area under the ROC curve of every unit as a score for
    `labels` (ties count one half), from the Mann-Whitney rank sum."""
    A = check_shape("aucs", "acts", acts, "N U").astype(np.float64)
    y = check_shape("aucs", "labels", labels, "N", N=A.shape[0]).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        raise ValueError("aucs: `labels` must contain both classes.")
    out = np.empty(A.shape[1])
    for u in range(A.shape[1]):
        _, inv, counts = np.unique(A[:, u], return_inverse=True, return_counts=True)
        ranks = (np.cumsum(counts) - (counts - 1) / 2)[inv]          # mid-ranks, 1-based
        out[u] = (ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return out


@dataclass
class CellScore:
    """The best unit for one property, in a trained and in an untrained network."""

    prop: str
    unit: int            # the best unit of the trained network
    score: float         # its |r| (or AUC folded to >= 0.5 for binary properties)
    chance: float        # the best score among the untrained network's units
    r: float             # the signed correlation of the best trained unit
    n_above: int         # trained units whose score exceeds `chance`


def scores(acts: np.ndarray, prop: np.ndarray) -> np.ndarray:
    """(N, U), (N,) -> (U,) every unit's score: AUC folded to >= 0.5 if `prop` is binary
    (values 0 and 1 only), |r| otherwise."""
    binary = set(np.unique(prop)) <= {0.0, 1.0}
    if binary:
        a = aucs(acts, prop.astype(bool))
        return np.maximum(a, 1 - a)
    return np.abs(correlations(acts, prop))


def search(trained: np.ndarray, untrained: np.ndarray, props: dict[str, np.ndarray]
           ) -> list[CellScore]:
    """Score every unit of `trained` and `untrained` (N, U each) against every property
    (N,), binary properties by AUC, the others by |r|."""
    check_shape("search", "untrained", untrained, "N U", N=trained.shape[0], U=trained.shape[1])
    out = []
    for name, p in props.items():
        s, s0 = scores(trained, p), scores(untrained, p)
        u = int(np.argmax(s))
        out.append(CellScore(name, u, float(s[u]), float(s0.max()),
                             float(correlations(trained[:, [u]], p)[0]), int(np.sum(s > s0.max()))))
    return out


def interpretable(trained: np.ndarray, untrained: np.ndarray, props: dict[str, np.ndarray]
                  ) -> set[int]:
    """The units of `trained` that score above the best unit of `untrained` for at least
    one property: the course's criterion for an interpretable cell."""
    out: set[int] = set()
    for p in props.values():
        out |= set(np.flatnonzero(scores(trained, p) > scores(untrained, p).max()).tolist())
    return out
