"""Plausible wrong answers for exercise set 08 (attention over images).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each mutation is the reference answer (copied below) with one line changed, so each is wrong
only in the way its name says; `swap` (in common.py) fails loudly if the reference copy
drifts. (An answer that memorises the visible test's outputs is generated for every task by
the contract itself: tests/mutations/release.py.)
"""

from mutations.common import swap as _swap

_FLAT = '''
def flatten_grid(fmap):
    B, D, G, _ = fmap.shape
    return fmap.transpose(0, 2, 3, 1).reshape(B, G * G, D).copy()
'''

_ATT = '''
def grid_attention(features, q):
    scores = np.einsum("bld,bd->bl", features, q)
    scores = scores - scores.max(axis=1, keepdims=True)
    alpha = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    context = np.einsum("bl,bld->bd", alpha, features)
    return context, alpha
'''

_PEN = '''
def doubly_stochastic_penalty(alphas, mask):
    coverage = (alphas * mask[:, :, None]).sum(axis=1)
    return float(((1.0 - coverage) ** 2).sum(axis=1).mean())
'''

_MASS = '''
def mass_in_box(weights, box, cell):
    x0, y0, x1, y1 = box
    starts = np.arange(weights.shape[0]) * cell
    over_y = np.clip(np.minimum(y1, starts + cell) - np.maximum(y0, starts), 0, None)
    over_x = np.clip(np.minimum(x1, starts + cell) - np.maximum(x0, starts), 0, None)
    return float(over_y @ weights @ over_x) / cell ** 2
'''

_LOOP = '''
def caption_loop(step, state, targets, teacher_forcing):
    B, T = targets.shape
    fed = np.full(B, BOS)
    out = np.zeros((B, T), dtype=np.int64)
    for t in range(T):
        logits, state = step(fed, state)
        out[:, t] = logits.argmax(axis=1)
        fed = targets[:, t] if teacher_forcing else out[:, t]
    return out
'''

_SOFTMAX_OVER_D = '''
def grid_attention(features, q):
    products = features * q[:, None, :]
    products = products - products.max(axis=2, keepdims=True)
    weights = np.exp(products) / np.exp(products).sum(axis=2, keepdims=True)
    context = (weights * features).sum(axis=1)
    alpha = weights.sum(axis=2) / weights.shape[2]
    return context, alpha
'''

_CENTRES = '''
def mass_in_box(weights, box, cell):
    x0, y0, x1, y1 = box
    centres = (np.arange(weights.shape[0]) + 0.5) * cell
    rows = (centres >= y0) & (centres < y1)
    cols = (centres >= x0) & (centres < x1)
    return float(weights[np.ix_(rows, cols)].sum())
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "flatten_grid": {
        "rows and columns swapped (column by column)": _swap(
            _FLAT, "fmap.transpose(0, 2, 3, 1)", "fmap.transpose(0, 3, 2, 1)"),
        "reshaped without moving the channels last": _swap(
            _FLAT, "return fmap.transpose(0, 2, 3, 1).reshape(B, G * G, D).copy()",
            "return fmap.reshape(B, G * G, D).copy()"),
        "(B, D, L) instead of (B, L, D)": _swap(
            _FLAT, "return fmap.transpose(0, 2, 3, 1).reshape(B, G * G, D).copy()",
            "return fmap.reshape(B, D, G * G).copy()"),
        "the chapter's G = 6 written in": _swap(
            _FLAT, "return fmap.transpose(0, 2, 3, 1).reshape(B, G * G, D).copy()",
            "return fmap.transpose(0, 2, 3, 1).reshape(B, 36, D).copy()"),
    },
    "grid_attention": {
        "softmax over D (the features) instead of L": _SOFTMAX_OVER_D,
        "softmax over the batch": _swap(_swap(
            _ATT, "scores = scores - scores.max(axis=1, keepdims=True)",
            "scores = scores - scores.max(axis=0, keepdims=True)"),
            "alpha = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)",
            "alpha = np.exp(scores) / np.exp(scores).sum(axis=0, keepdims=True)"),
        "context from the raw scores": _swap(
            _ATT, 'context = np.einsum("bl,bld->bd", alpha, features)',
            'context = np.einsum("bl,bld->bd", scores, features)'),
        "no shift before exp (overflows)": _swap(
            _ATT, "scores = scores - scores.max(axis=1, keepdims=True)", "scores = scores * 1.0"),
        "context as the plain mean of the features": _swap(
            _ATT, 'context = np.einsum("bl,bld->bd", alpha, features)',
            "context = features.mean(axis=1)"),
        "shifted by the batch's single maximum": _swap(
            _ATT, "scores = scores - scores.max(axis=1, keepdims=True)",
            "scores = scores - scores.max()"),
        "(alpha, context) returned in the wrong order": _swap(
            _ATT, "return context, alpha", "return alpha, context"),
    },
    "doubly_stochastic_penalty": {
        "summed over the wrong axis (each step's total)": _swap(
            _PEN, "coverage = (alphas * mask[:, :, None]).sum(axis=1)",
            "coverage = (alphas * mask[:, :, None]).sum(axis=2)"),
        "padding steps counted": _swap(
            _PEN, "coverage = (alphas * mask[:, :, None]).sum(axis=1)",
            "coverage = alphas.sum(axis=1)"),
        "mean over positions instead of the sum": _swap(
            _PEN, "return float(((1.0 - coverage) ** 2).sum(axis=1).mean())",
            "return float(((1.0 - coverage) ** 2).mean())"),
        "shortfall not squared": _swap(
            _PEN, "return float(((1.0 - coverage) ** 2).sum(axis=1).mean())",
            "return float(np.abs(1.0 - coverage).sum(axis=1).mean())"),
        "summed over the batch instead of the mean": _swap(
            _PEN, "return float(((1.0 - coverage) ** 2).sum(axis=1).mean())",
            "return float(((1.0 - coverage) ** 2).sum())"),
    },
    "mass_in_box": {
        "x and y swapped": _swap(
            _MASS, "return float(over_y @ weights @ over_x) / cell ** 2",
            "return float(over_x @ weights @ over_y) / cell ** 2"),
        "whole cells whose centre is inside the box": _CENTRES,
        "the box's end counted (inclusive x1, y1)": _swap(_swap(
            _MASS, "np.minimum(y1, starts + cell)", "np.minimum(y1 + 1, starts + cell)"),
            "np.minimum(x1, starts + cell)", "np.minimum(x1 + 1, starts + cell)"),
        "divided by the cell side, not its area": _swap(
            _MASS, "return float(over_y @ weights @ over_x) / cell ** 2",
            "return float(over_y @ weights @ over_x) / cell / weights.shape[0]"),
        "whole cells the box touches": _swap(
            _MASS, "return float(over_y @ weights @ over_x) / cell ** 2",
            "return float((over_y > 0) @ weights @ (over_x > 0))"),
    },
    "caption_loop": {
        "the ground truth fed at test time": _swap(
            _LOOP, "fed = targets[:, t] if teacher_forcing else out[:, t]",
            "fed = targets[:, t]"),
        "the prediction fed in training": _swap(
            _LOOP, "fed = targets[:, t] if teacher_forcing else out[:, t]", "fed = out[:, t]"),
        "the state not carried": _swap(
            _LOOP, "logits, state = step(fed, state)", "logits, _ = step(fed, state)"),
        "the first step reads the first target, not BOS": _swap(
            _LOOP, "fed = np.full(B, BOS)", "fed = targets[:, 0]"),
        "the word fed recorded instead of the prediction": _swap(
            _LOOP, "out[:, t] = logits.argmax(axis=1)", "out[:, t] = fed"),
        "word ids stored as uint8": _swap(
            _LOOP, "out = np.zeros((B, T), dtype=np.int64)",
            "out = np.zeros((B, T), dtype=np.uint8)"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

_FLOAT = "it returns a Python float, not an array that could share an input's memory"
_FLOAT_BUFFER = "it returns a Python float, no array that one buffer could hold"
GENERIC = {
    "flatten_grid": Spec("flatten_grid", excused={
        "aliased": "the result (B, L, D) has one axis fewer than fmap (B, D, G, G), the only "
                   "input"}),
    "grid_attention": Spec("grid_attention"),
    "doubly_stochastic_penalty": Spec("doubly_stochastic_penalty", excused={
        "aliased": _FLOAT, "reused buffer": _FLOAT_BUFFER}),
    "mass_in_box": Spec("mass_in_box", excused={"aliased": _FLOAT, "reused buffer": _FLOAT_BUFFER}),
    "caption_loop": Spec("caption_loop", excused={
        "scaled": "it returns integer word ids, which a scale factor does not apply to",
        "float32": "it returns integer word ids, no floats",
        "float32 trip": "it returns integer word ids, no floats",
        "reused buffer": "it returns integer word ids, and the generated mutant reuses "
                         "buffers for float arrays only"}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "flatten_grid": {"rnncourse": '''
from rnncourse.models import vision
def flatten_grid(fmap):
    B, D, G, _ = fmap.shape
    where = vision.cells(np.arange(G * G), G)          # (G, G): the position of every cell
    out = np.empty((B, G * G, D))
    for r in range(G):
        for c in range(G):
            out[:, where[r, c]] = fmap[:, :, r, c]
    return out
''', "torch": '''
import torch
def flatten_grid(fmap):
    return torch.from_numpy(fmap).flatten(2).transpose(1, 2).contiguous().numpy()
'''},
    "grid_attention": {"rnncourse": '''
from rnncourse.scratch import attention as _attention
def grid_attention(features, q):
    mask = np.ones(features.shape[:2], dtype=bool)
    alpha = _attention.masked_softmax(_attention.dot_scores(q, features), mask)
    return _attention.context(alpha, features), alpha
''', "torch": '''
import torch
def grid_attention(features, q):
    a, q = torch.from_numpy(features), torch.from_numpy(q)
    alpha = torch.softmax(torch.einsum("bld,bd->bl", a, q), dim=1)
    return torch.einsum("bl,bld->bd", alpha, a).numpy(), alpha.numpy()
'''},
    "doubly_stochastic_penalty": {"rnncourse": '''
import torch
from rnncourse.models import captioning
def doubly_stochastic_penalty(alphas, mask):
    return float(captioning.doubly_stochastic(torch.from_numpy(alphas), torch.from_numpy(mask)))
''', "torch": '''
import torch
def doubly_stochastic_penalty(alphas, mask):
    coverage = torch.einsum("btl,bt->bl", torch.from_numpy(alphas), torch.from_numpy(mask).double())
    return float(((1.0 - coverage) ** 2).sum(dim=1).mean())
'''},
    "mass_in_box": {"rnncourse": '''
from rnncourse.analysis import localisation
def mass_in_box(weights, box, cell):
    return localisation.mass_in_box(weights, box, cell)
''', "torch": '''
import torch
def mass_in_box(weights, box, cell):
    x0, y0, x1, y1 = box
    pixels = torch.from_numpy(weights).repeat_interleave(cell, 0).repeat_interleave(cell, 1)
    return pixels[y0:y1, x0:x1].sum().item() / cell ** 2
'''},
    "caption_loop": {"rnncourse": '''
from rnncourse.analysis import decoding
def caption_loop(step, state, targets, teacher_forcing):
    B, T = targets.shape
    inputs = decoding.teacher_inputs(targets) if teacher_forcing else None
    fed = np.full(B, BOS)
    out = np.zeros((B, T), dtype=np.int64)
    for t in range(T):
        logits, state = step(fed if inputs is None else inputs[:, t], state)
        out[:, t] = logits.argmax(axis=1)
        fed = out[:, t]
    return out
''', "torch": '''
import torch
def caption_loop(step, state, targets, teacher_forcing):
    B, T = targets.shape
    fed = np.full(B, BOS)
    out = np.zeros((B, T), dtype=np.int64)
    for t in range(T):
        logits, state = step(fed, state)
        out[:, t] = torch.from_numpy(logits).argmax(dim=1).numpy()
        fed = targets[:, t] if teacher_forcing else out[:, t]
    return out
'''},
}
