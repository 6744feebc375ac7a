"""Plausible wrong answers for exercise set 07 (attention and decoding).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each mutation is the reference answer (copied below) with one line changed, so each is wrong
only in the way its name says; `swap` (in common.py) fails loudly if the reference copy
drifts. (An answer that memorises the visible test's outputs is generated for every task by
the contract itself: tests/mutations/release.py.)
"""


from mutations.common import swap as _swap

_SOFTMAX = '''
def masked_softmax(scores, mask):
    e = np.where(mask, scores, -np.inf)
    e = e - e.max(axis=1, keepdims=True)
    w = np.where(mask, np.exp(e), 0.0)
    return w / w.sum(axis=1, keepdims=True)
'''

_SCORES = '''
def additive_scores(q, keys, Wq, Wk, v):
    hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)
    return hidden @ v
'''

_ATTEND = '''
def attend(q, keys, mask, Wq, Wk, v):
    weights = masked_softmax(additive_scores(q, keys, Wq, Wk, v), mask)
    context = np.einsum("bs,bsh->bh", weights, keys)
    return context, weights
'''

_STEP = '''
def decoder_step(y_prev, s_prev, keys, mask, params):
    context, weights = attend(s_prev, keys, mask, params["Wq"], params["Wk"], params["v"])
    x = np.concatenate([params["E"][y_prev], context], axis=1)
    s_next = np.tanh(x @ params["Wx"] + s_prev @ params["Wh"] + params["b"])
    logits = np.concatenate([s_next, context], axis=1) @ params["Wo"] + params["bo"]
    return logits, s_next, weights
'''

_LOSS = '''
def teacher_forced_loss(step, state, targets):
    B, T = targets.shape
    fed = np.full(B, BOS)
    total, count = 0.0, 0
    for t in range(T):
        logits, state = step(fed, state)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        real = targets[:, t] != PAD
        total -= logp[real, targets[real, t]].sum()
        count += int(real.sum())
        fed = targets[:, t]
    return float(total / count)
'''

_BEAM = '''
def beam_search(step, state, bos, eos, width, max_len, length_norm=0.0):
    beams = [([], 0.0, bos, state)]
    finished = []
    for _ in range(max_len):
        candidates = []
        for tokens, logp, last, st in beams:
            log_probs, new_st = step(last, st)
            for k in range(len(log_probs)):
                candidates.append((tokens + [k], logp + float(log_probs[k]), k, new_st))
        candidates.sort(key=lambda h: -h[1])
        beams = []
        for h in candidates[:width]:
            (finished if h[2] == eos else beams).append(h)
        if not beams:
            break

    def score(h):
        return h[1] / len(h[0]) ** length_norm

    best = max(finished + beams, key=score)
    return best[0], float(score(best))
'''

# the output's context scored again, by the new state (appended to the reference step)
_RESCORED = '''    context, weights = attend(s_next, keys, mask, params["Wq"], params["Wk"],
                              params["v"])
    logits = np.concatenate([s_next, context], axis=1) @ params["Wo"] + params["bo"]
    return logits, s_next, weights'''

_NO_MASK_ATTEND = '''
def attend(q, keys, mask, Wq, Wk, v):
    e = additive_scores(q, keys, Wq, Wk, v)
    e = e - e.max(axis=1, keepdims=True)
    weights = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    context = np.einsum("bs,bsh->bh", weights, keys)
    return context, weights
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "masked_softmax": {
        "softmax over the batch axis": _swap(_swap(
            _SOFTMAX, "e = e - e.max(axis=1, keepdims=True)",
            "e = e - e.max(axis=0, keepdims=True)"),
            "return w / w.sum(axis=1, keepdims=True)", "return w / w.sum(axis=0, keepdims=True)"),
        "padding not masked": _swap(
            _SOFTMAX, "w = np.where(mask, np.exp(e), 0.0)", "w = np.exp(e)").replace(
            "e = np.where(mask, scores, -np.inf)", "e = scores * 1.0"),
        "masked after the softmax (zeroed, not renormalised)": '''
def masked_softmax(scores, mask):
    e = scores - scores.max(axis=1, keepdims=True)
    w = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    return np.where(mask, w, 0.0)
''',
        "masked after the softmax, then renormalised (underflows)": '''
def masked_softmax(scores, mask):
    e = scores - scores.max(axis=1, keepdims=True)
    w = np.where(mask, np.exp(e), 0.0)
    return w / w.sum(axis=1, keepdims=True)
''',
        "padding scores set to 0 instead of -inf": _swap(
            _SOFTMAX, "w = np.where(mask, np.exp(e), 0.0)", "w = np.exp(e)").replace(
            "e = np.where(mask, scores, -np.inf)", "e = np.where(mask, scores, 0.0)"),
        "no shift by the maximum (overflows)": _swap(
            _SOFTMAX, "e = e - e.max(axis=1, keepdims=True)", "e = e * 1.0"),
        "shifted by the batch's single maximum, not each row's": _swap(
            _SOFTMAX, "e = e - e.max(axis=1, keepdims=True)", "e = e - e.max()"),
    },
    "additive_scores": {
        "no tanh": _swap(
            _SCORES, "hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)",
            "hidden = (q @ Wq)[:, None, :] + keys @ Wk"),
        "tanh after the product with v": _swap(_swap(
            _SCORES, "hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)",
            "hidden = (q @ Wq)[:, None, :] + keys @ Wk"), "return hidden @ v",
            "return np.tanh(hidden @ v)"),
        "summed over A instead of the product with v": _swap(
            _SCORES, "return hidden @ v", "return hidden.sum(axis=2)"),
        "the query ignored": _swap(
            _SCORES, "hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)",
            "hidden = np.tanh(keys @ Wk)"),
        "the query term without the source axis (broadcast over the batch)": _swap(
            _SCORES, "hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)",
            "hidden = np.tanh(q @ Wq + keys @ Wk)"),
        "Wq and Wk swapped (q @ Wk, keys @ Wq)": _swap(
            _SCORES, "hidden = np.tanh((q @ Wq)[:, None, :] + keys @ Wk)",
            "hidden = np.tanh((q @ Wk)[:, None, :] + keys @ Wq)"),
    },
    "attend": {
        "the mask ignored (softmax over padding too)": _NO_MASK_ATTEND,
        "context from the raw scores, not the weights": _swap(
            _ATTEND, 'context = np.einsum("bs,bsh->bh", weights, keys)',
            'context = np.einsum("bs,bsh->bh", additive_scores(q, keys, Wq, Wk, v), keys)'),
        "context as the plain mean of the real keys": _swap(
            _ATTEND, 'context = np.einsum("bs,bsh->bh", weights, keys)',
            'context = np.einsum("bs,bsh->bh", mask / mask.sum(1, keepdims=True), keys)'),
        "context divided by S": _swap(
            _ATTEND, 'context = np.einsum("bs,bsh->bh", weights, keys)',
            'context = np.einsum("bs,bsh->bh", weights, keys) / keys.shape[1]'),
    },
    "decoder_step": {
        "the new state scores the context of the output (current instead of previous)": _swap(
            _STEP, "    return logits, s_next, weights", _RESCORED),
        "Luong's order: state updated without the context, then attention": '''
def decoder_step(y_prev, s_prev, keys, mask, params):
    Hk = keys.shape[2]
    x = np.concatenate([params["E"][y_prev], np.zeros((len(y_prev), Hk))], axis=1)
    s_next = np.tanh(x @ params["Wx"] + s_prev @ params["Wh"] + params["b"])
    context, weights = attend(s_next, keys, mask, params["Wq"], params["Wk"], params["v"])
    logits = np.concatenate([s_next, context], axis=1) @ params["Wo"] + params["bo"]
    return logits, s_next, weights
''',
        "[context, embedding] instead of [embedding, context]": _swap(
            _STEP, 'x = np.concatenate([params["E"][y_prev], context], axis=1)',
            'x = np.concatenate([context, params["E"][y_prev]], axis=1)'),
        "the context not fed to the recurrence": _swap(
            _STEP, 'x = np.concatenate([params["E"][y_prev], context], axis=1)',
            'x = np.concatenate([params["E"][y_prev], 0 * context], axis=1)'),
        "the logits read the previous state": _swap(
            _STEP, 'logits = np.concatenate([s_next, context], axis=1)',
            'logits = np.concatenate([s_prev, context], axis=1)'),
        "the logits read [context, state]": _swap(
            _STEP, 'logits = np.concatenate([s_next, context], axis=1)',
            'logits = np.concatenate([context, s_next], axis=1)'),
    },
    "teacher_forced_loss": {
        "the prediction fed instead of the target (free running)": _swap(
            _LOSS, "fed = targets[:, t]", "fed = logits.argmax(axis=1)"),
        "the current target fed (the answer itself, off by one)": _swap(_swap(
            _LOSS, "fed = np.full(B, BOS)", "fed = targets[:, 0]"),
            "fed = targets[:, t]", "fed = targets[:, min(t + 1, T - 1)]"),
        "no BOS: the first step reads the first target": _swap(
            _LOSS, "fed = np.full(B, BOS)", "fed = targets[:, 0]"),
        "the state not carried from step to step": _swap(
            _LOSS, "logits, state = step(fed, state)", "logits, _ = step(fed, state)"),
        "padding counted in the loss": _swap(
            _LOSS, "real = targets[:, t] != PAD", "real = targets[:, t] >= 0"),
        "mean of the per-sequence means": '''
def teacher_forced_loss(step, state, targets):
    B, T = targets.shape
    fed = np.full(B, BOS)
    per_row = np.zeros(B)
    for t in range(T):
        logits, state = step(fed, state)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        real = targets[:, t] != PAD
        per_row[real] -= logp[real, targets[real, t]]
        fed = targets[:, t]
    return float(np.mean(per_row / (targets != PAD).sum(axis=1)))
''',
        "no shift before exp (overflows)": _swap(
            _LOSS, "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits"),
        "mean of the per-step means": '''
def teacher_forced_loss(step, state, targets):
    B, T = targets.shape
    fed = np.full(B, BOS)
    per_step = []
    for t in range(T):
        logits, state = step(fed, state)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        real = targets[:, t] != PAD
        per_step.append(-logp[real, targets[real, t]].mean())
        fed = targets[:, t]
    return float(np.mean(per_step))
''',
        "log-softmax over the classes seen in the targets (targets.max() + 1)": _swap(
            _LOSS, "        shifted = logits - logits.max(axis=1, keepdims=True)\n",
            "        logits = logits[:, :targets.max() + 1]\n"
            "        shifted = logits - logits.max(axis=1, keepdims=True)\n"),
    },
    "beam_search": {
        "no length normalisation": _swap(
            _BEAM, "return h[1] / len(h[0]) ** length_norm", "return h[1]"),
        "beams not pruned to width": _swap(
            _BEAM, "for h in candidates[:width]:", "for h in candidates:"),
        "finished hypotheses extended after eos": _swap(
            _BEAM, "(finished if h[2] == eos else beams).append(h)", "beams.append(h)"),
        "candidates not sorted (the first `width` generated kept)": _swap(
            _BEAM, "candidates.sort(key=lambda h: -h[1])", "pass"),
        "length without the eos token": _swap(
            _BEAM, "return h[1] / len(h[0]) ** length_norm",
            "return h[1] / max(len(h[0]) - (h[0][-1] == eos), 1) ** length_norm"),
        "only finished hypotheses ranked (live ones at max_len dropped)": _swap(
            _BEAM, "best = max(finished + beams, key=score)",
            "best = max(finished or beams, key=score)"),
        "finished hypotheses take no beam slot (the beam refilled with live ones)": _swap(
            _BEAM, """        for h in candidates[:width]:
            (finished if h[2] == eos else beams).append(h)
""", """        for h in candidates:
            (finished if h[2] == eos else beams).append(h)
            if len(beams) == width:
                break
"""),
        "greedy unless the settings are the visible ones": _swap(
            _BEAM, "    beams = [([], 0.0, bos, state)]\n",
            "    if (width, max_len) not in ((2, 3), (2, 4)):\n"
            "        width = 1\n"
            "    beams = [([], 0.0, bos, state)]\n"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

_FLOAT = "it returns a Python float, not an array that could share an input's memory"
_NO_ARRAY = "it returns a list of ints and a float, no array"
GENERIC = {
    "masked_softmax": Spec("masked_softmax"),
    "additive_scores": Spec("additive_scores"),
    "attend": Spec("attend"),
    "decoder_step": Spec("decoder_step"),
    "teacher_forced_loss": Spec("teacher_forced_loss", excused={
        "aliased": _FLOAT, "reused buffer": _FLOAT}),
    "beam_search": Spec("beam_search", params={"length_norm": 0.0}, excused={
        "aliased": _NO_ARRAY, "reused buffer": _NO_ARRAY}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "masked_softmax": {"rnncourse": """
from rnncourse.scratch import attention
def masked_softmax(scores, mask):
    return attention.masked_softmax(scores, mask)
""", "torch": """
import torch
def masked_softmax(scores, mask):
    s = torch.from_numpy(scores).masked_fill(~torch.from_numpy(mask), float("-inf"))
    return torch.softmax(s, dim=1).numpy()
""", "scipy": """
from scipy.special import softmax
def masked_softmax(scores, mask):
    return softmax(np.where(mask, scores, -np.inf), axis=1)
"""},
    "additive_scores": {"rnncourse": """
from rnncourse.scratch import attention
def additive_scores(q, keys, Wq, Wk, v):
    return attention.additive_scores(q, keys, Wq, Wk, v)
""", "torch": """
import torch
def additive_scores(q, keys, Wq, Wk, v):
    q, keys, Wq, Wk, v = (torch.from_numpy(a) for a in (q, keys, Wq, Wk, v))
    return torch.einsum("bsa,a->bs", torch.tanh((q @ Wq)[:, None] + keys @ Wk), v).numpy()
"""},
    "attend": {"rnncourse": """
from rnncourse.scratch import attention as _attention
def attend(q, keys, mask, Wq, Wk, v):
    weights = _attention.masked_softmax(_attention.additive_scores(q, keys, Wq, Wk, v), mask)
    return _attention.context(weights, keys), weights
""", "torch": """
import torch
def attend(q, keys, mask, Wq, Wk, v):
    q, keys, Wq, Wk, v = (torch.from_numpy(a) for a in (q, keys, Wq, Wk, v))
    scores = torch.tanh((q @ Wq)[:, None] + keys @ Wk) @ v
    weights = torch.softmax(scores.masked_fill(~torch.from_numpy(mask), float("-inf")), dim=1)
    return torch.bmm(weights[:, None], keys)[:, 0].numpy(), weights.numpy()
"""},
    "decoder_step": {"rnncourse": """
from rnncourse.scratch import attention as _attention
def decoder_step(y_prev, s_prev, keys, mask, params):
    p = params
    weights = _attention.masked_softmax(
        _attention.additive_scores(s_prev, keys, p["Wq"], p["Wk"], p["v"]), mask)
    context = _attention.context(weights, keys)
    x = np.concatenate([p["E"][y_prev], context], axis=1)
    s_next = np.tanh(x @ p["Wx"] + s_prev @ p["Wh"] + p["b"])
    return np.concatenate([s_next, context], axis=1) @ p["Wo"] + p["bo"], s_next, weights
""", "torch": """
import torch
import torch.nn.functional as F
def decoder_step(y_prev, s_prev, keys, mask, params):
    p = {k: torch.from_numpy(a) for k, a in params.items()}
    s, K = torch.from_numpy(s_prev), torch.from_numpy(keys)
    scores = torch.tanh((s @ p["Wq"])[:, None] + K @ p["Wk"]) @ p["v"]
    weights = torch.softmax(scores.masked_fill(~torch.from_numpy(mask), float("-inf")), dim=1)
    context = torch.bmm(weights[:, None], K)[:, 0]
    x = torch.cat([F.embedding(torch.from_numpy(y_prev), p["E"]), context], dim=1)
    s_next = torch.tanh(x @ p["Wx"] + s @ p["Wh"] + p["b"])
    logits = F.linear(torch.cat([s_next, context], dim=1), p["Wo"].T, p["bo"])
    return logits.numpy(), s_next.numpy(), weights.numpy()
"""},
    "teacher_forced_loss": {"rnncourse": """
from rnncourse.scratch import readout
def teacher_forced_loss(step, state, targets):
    fed, scores = np.full(targets.shape[0], BOS), []
    for t in range(targets.shape[1]):
        logits, state = step(fed, state)
        scores.append(logits)
        fed = targets[:, t]
    return readout.temporal_softmax_loss(np.stack(scores, axis=1), targets, targets != PAD)[0]
""", "torch": """
import torch
def teacher_forced_loss(step, state, targets):
    fed, scores = np.full(targets.shape[0], BOS), []
    for t in range(targets.shape[1]):
        logits, state = step(fed, state)
        scores.append(torch.from_numpy(logits))
        fed = targets[:, t]
    return torch.nn.functional.cross_entropy(torch.stack(scores, dim=1).flatten(0, 1),
                                             torch.from_numpy(targets).flatten(),
                                             ignore_index=PAD).item()
"""},
    "beam_search": {"rnncourse": """
from rnncourse.scratch.attention import beam_search as _package_beam
def beam_search(step, state, bos, eos, width, max_len, length_norm=0.0):
    return _package_beam(step, state, bos, eos, width, max_len, length_norm)
""", "torch": """
import torch
def beam_search(step, state, bos, eos, width, max_len, length_norm=0.0):
    beams, finished = [([], 0.0, bos, state)], []
    for _ in range(max_len):
        rows, states = [], []
        for tokens, logp, last, st in beams:
            log_probs, new = step(last, st)
            rows.append(logp + torch.from_numpy(np.asarray(log_probs, dtype=np.float64)))
            states.append(new)
        table = torch.stack(rows)                               # (live, V)
        top = torch.topk(table.flatten(), min(width, table.numel()))
        kept = []
        for value, index in zip(top.values.tolist(), top.indices.tolist()):
            i, k = divmod(index, table.shape[1])
            kept.append((beams[i][0] + [k], value, k, states[i]))
        beams = [h for h in kept if h[2] != eos]
        finished += [h for h in kept if h[2] == eos]
        if not beams:
            break
    best = max(finished + beams, key=lambda h: h[1] / len(h[0]) ** length_norm)
    return best[0], float(best[1] / len(best[0]) ** length_norm)
"""},
}
