"""Plausible wrong answers for exercise set 06 (reading recurrent layers on padded batches).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each mutation is the reference answer (copied below) with one line changed, so each is wrong
only in the way its name says; `swap` (in common.py) fails loudly if the reference copy
drifts. (An answer that memorises the visible test's outputs is generated for every task by
the contract itself: tests/mutations/release.py.)
"""


from mutations.common import swap as _swap

_LAST = '''
def last_real_state(out, lengths):
    lengths = np.asarray(lengths)
    rows = np.arange(out.shape[0])
    return out[rows, lengths - 1]
'''

_MEAN = '''
def masked_mean(out, lengths):
    lengths = np.asarray(lengths)
    T = out.shape[1]
    real = (np.arange(T) < lengths[:, None]).astype(out.dtype)
    total = (out * real[:, :, None]).sum(axis=1)
    return total / lengths[:, None]
'''

_BI = '''
def bidirectional_final(out, lengths):
    lengths = np.asarray(lengths)
    H = out.shape[2] // 2
    forward = out[np.arange(out.shape[0]), lengths - 1, :H]
    backward = out[:, 0, H:]
    return np.concatenate([forward, backward], axis=1)
'''

_TOP = '''
def top_layer_final(h_n, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    _, B, H = h_n.shape
    top = h_n.reshape(num_layers, dirs, B, H)[-1]
    return np.concatenate(list(top), axis=1)
'''

_TAG = '''
def masked_tagging_loss(logits, tags, lengths):
    lengths = np.asarray(lengths)
    B, T, C = logits.shape
    real = np.arange(T) < lengths[:, None]
    shifted = logits - logits.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(logp, tags[:, :, None], axis=2)[:, :, 0]
    loss = -picked[real].sum() / real.sum()
    accuracy = (logits.argmax(axis=2) == tags)[real].mean()
    return float(loss), float(accuracy)
'''

_CORR = '''
def cell_correlations(acts, prop):
    a = acts - acts.mean(axis=0)
    p = prop - prop.mean()
    num = p @ a
    den = np.sqrt((a ** 2).sum(axis=0)) * np.sqrt((p ** 2).sum())
    r = np.zeros(acts.shape[1])
    nonzero = den > 0
    r[nonzero] = num[nonzero] / den[nonzero]
    return r
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "last_real_state": {
        "the last padded step out[:, -1]": _swap(
            _LAST, "return out[rows, lengths - 1]", "return out[:, -1].copy()"),
        "one step too far, out[b, lengths[b]] (clipped at the end)": _swap(
            _LAST, "return out[rows, lengths - 1]",
            "return out[rows, np.minimum(lengths, out.shape[1] - 1)]"),
        "the first step instead of the last": _swap(
            _LAST, "return out[rows, lengths - 1]", "return out[:, 0].copy()"),
        "lengths - 1 without the batch index (B x B rows)": _swap(
            _LAST, "return out[rows, lengths - 1]", "return out[:, lengths - 1][0]"),
        "the real steps found by their size (|out| < 1), lengths ignored": _swap(
            _LAST, "return out[rows, lengths - 1]",
            "return out[rows, (np.abs(out[:, :, 0]) < 1).sum(axis=1) - 1]"),
        "the longest sequence's last step for every row": _swap(
            _LAST, "return out[rows, lengths - 1]", "return out[:, lengths.max() - 1].copy()"),
    },
    "masked_mean": {
        "mean over all T steps, padding included": _swap(
            _MEAN, "return total / lengths[:, None]", "return out.mean(axis=1)"),
        "padding masked but divided by T": _swap(
            _MEAN, "return total / lengths[:, None]", "return total / T"),
        "divided by the lengths but padding summed": _swap(
            _MEAN, "total = (out * real[:, :, None]).sum(axis=1)", "total = out.sum(axis=1)"),
        "one real step dropped (t < lengths - 1)": _swap(
            _MEAN, "real = (np.arange(T) < lengths[:, None]).astype(out.dtype)",
            "real = (np.arange(T) < lengths[:, None] - 1).astype(out.dtype)"),
        "the real steps found by their size (|out| < 1), lengths ignored": _swap(
            _MEAN, "real = (np.arange(T) < lengths[:, None]).astype(out.dtype)",
            "real = (np.abs(out[:, :, 0]) < 1).astype(out.dtype)\n"
            "    lengths = real.sum(axis=1)"),
        "divided by the longest length": _swap(
            _MEAN, "return total / lengths[:, None]", "return total / lengths.max()"),
    },
    "bidirectional_final": {
        "directions concatenated in the wrong order": _swap(
            _BI, "return np.concatenate([forward, backward], axis=1)",
            "return np.concatenate([backward, forward], axis=1)"),
        "backward direction taken at the last real step": _swap(
            _BI, "backward = out[:, 0, H:]",
            "backward = out[np.arange(out.shape[0]), lengths - 1, H:]"),
        "both directions at the padded end out[:, -1]": _swap(_swap(
            _BI, "forward = out[np.arange(out.shape[0]), lengths - 1, :H]",
            "forward = out[:, -1, :H]"), "backward = out[:, 0, H:]", "backward = out[:, -1, H:]"),
        "forward direction at the padded end": _swap(
            _BI, "forward = out[np.arange(out.shape[0]), lengths - 1, :H]",
            "forward = out[:, -1, :H]"),
        "halves split at the wrong place (H taken as the full width)": _swap(
            _BI, "H = out.shape[2] // 2", "H = out.shape[2] // 2 + 1"),
        "forward half at the longest sequence's last step": _swap(
            _BI, "forward = out[np.arange(out.shape[0]), lengths - 1, :H]",
            "forward = out[:, lengths.max() - 1, :H]"),
        "forward half at the last step whose values are small (|out| < 1)": _swap(
            _BI, "forward = out[np.arange(out.shape[0]), lengths - 1, :H]",
            "forward = out[np.arange(out.shape[0]),\n"
            "                  (np.abs(out[:, :, 0]) < 1).sum(axis=1) - 1, :H]"),
    },
    "top_layer_final": {
        "layers and directions the other way round": _swap(
            _TOP, "top = h_n.reshape(num_layers, dirs, B, H)[-1]",
            "top = h_n.reshape(dirs, num_layers, B, H)[:, -1]"),
        "the bottom layer instead of the top": _swap(
            _TOP, "top = h_n.reshape(num_layers, dirs, B, H)[-1]",
            "top = h_n.reshape(num_layers, dirs, B, H)[0]"),
        "the last dirs entries read as layers x directions in reverse": _swap(
            _TOP, "return np.concatenate(list(top), axis=1)",
            "return np.concatenate(list(top[::-1]), axis=1)"),
        "only the last entry h_n[-1] (the top backward state alone)": _swap(
            _TOP, "return np.concatenate(list(top), axis=1)", "return h_n[-1].copy()"),
        "directions guessed from an even h_n.shape[0]": _swap(
            _TOP, "dirs = 2 if bidirectional else 1", "dirs = 2 if h_n.shape[0] % 2 == 0 else 1"),
    },
    "masked_tagging_loss": {
        "loss counts padded positions": _swap(
            _TAG, "loss = -picked[real].sum() / real.sum()", "loss = -picked.mean()"),
        "accuracy counts padded positions": _swap(
            _TAG, "accuracy = (logits.argmax(axis=2) == tags)[real].mean()",
            "accuracy = (logits.argmax(axis=2) == tags).mean()"),
        "mean of the per-sequence means": _swap(
            _TAG, "loss = -picked[real].sum() / real.sum()",
            "loss = np.mean([-picked[b, :L].mean() for b, L in enumerate(lengths)])"),
        "padded positions masked but divided by B * T": _swap(
            _TAG, "loss = -picked[real].sum() / real.sum()",
            "loss = -picked[real].sum() / (B * T)"),
        "log-softmax over the time axis": _swap(_swap(
            _TAG, "shifted = logits - logits.max(axis=2, keepdims=True)",
            "shifted = logits - logits.max(axis=1, keepdims=True)"),
            "logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))",
            "logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))"),
        "no shift before exp (overflows on large scores)": _swap(
            _TAG, "shifted = logits - logits.max(axis=2, keepdims=True)", "shifted = logits"),
        "shifted by the batch's single maximum": _swap(
            _TAG, "shifted = logits - logits.max(axis=2, keepdims=True)",
            "shifted = logits - logits.max()"),
        "the number of classes taken as tags.max() + 1": _swap(
            _TAG, "shifted = logits - logits.max(axis=2, keepdims=True)",
            "logits = logits[:, :, :tags.max() + 1]\n"
            "    shifted = logits - logits.max(axis=2, keepdims=True)"),
    },
    "cell_correlations": {
        "no centring (cosine similarity)": _swap(_swap(
            _CORR, "a = acts - acts.mean(axis=0)", "a = acts * 1.0"),
            "p = prop - prop.mean()", "p = prop * 1.0"),
        "the property not centred": _swap(_CORR, "p = prop - prop.mean()", "p = prop * 1.0"),
        "the cells not centred": _swap(_CORR, "a = acts - acts.mean(axis=0)", "a = acts * 1.0"),
        "covariance, not normalised": _swap(
            _CORR, "r[nonzero] = num[nonzero] / den[nonzero]",
            "r[nonzero] = num[nonzero] / len(prop)"),
        "centred over the wrong axis": _swap(
            _CORR, "a = acts - acts.mean(axis=0)", "a = acts - acts.mean(axis=1, keepdims=True)"),
        "a constant cell gives nan": _swap(
            _CORR, "r[nonzero] = num[nonzero] / den[nonzero]", "r = num / den"),
        "the absolute value of the correlation": _swap(
            _CORR, "r[nonzero] = num[nonzero] / den[nonzero]",
            "r[nonzero] = np.abs(num[nonzero] / den[nonzero])"),
        "covariance over N, norms over N - 1": _swap(
            _CORR, "r[nonzero] = num[nonzero] / den[nonzero]",
            "r[nonzero] = (num[nonzero] / len(prop)) / (den[nonzero] / (len(prop) - 1))"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

_NO_ALIAS = ("the result has fewer axes than `out`, the only float input, so no input can "
             "hold it")
GENERIC = {
    "last_real_state": Spec("last_real_state", excused={"aliased": _NO_ALIAS}),
    "masked_mean": Spec("masked_mean", excused={"aliased": _NO_ALIAS}),
    "bidirectional_final": Spec("bidirectional_final", excused={"aliased": _NO_ALIAS}),
    "top_layer_final": Spec("top_layer_final", excused={
        "aliased": "the result (B, dirs * H) has fewer axes than h_n (layers * dirs, B, H), "
                   "the only array input"}),
    "masked_tagging_loss": Spec("masked_tagging_loss", excused={
        "aliased": "it returns two Python floats, no array",
        "reused buffer": "it returns two Python floats, no array to reuse"}),
    "cell_correlations": Spec("cell_correlations", excused={
        "aliased": "the result (U,) never has the shape of acts (N, U) or prop (N,) in the "
                   "tests (N != U)"}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "last_real_state": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def last_real_state(out, lengths):
    return sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
''', "torch": '''
import torch
def last_real_state(out, lengths):
    t = torch.from_numpy(out)
    return t[torch.arange(t.shape[0]), torch.as_tensor(lengths) - 1].numpy()
'''},
    "masked_mean": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def masked_mean(out, lengths):
    return sequence.masked_mean(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
''', "torch": '''
import torch
def masked_mean(out, lengths):
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        torch.from_numpy(out), torch.as_tensor(lengths), batch_first=True, enforce_sorted=False)
    padded, L = torch.nn.utils.rnn.pad_packed_sequence(packed, batch_first=True)
    return (padded.sum(dim=1) / L[:, None]).numpy()
'''},
    "bidirectional_final": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def bidirectional_final(out, lengths):
    H = out.shape[2] // 2
    last = sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy()
    return np.concatenate([last[:, :H], out[:, 0, H:]], axis=1)
''', "torch": '''
import torch
def bidirectional_final(out, lengths):
    t = torch.from_numpy(out)
    H = t.shape[2] // 2
    forward = t[torch.arange(t.shape[0]), torch.as_tensor(lengths) - 1, :H]
    return torch.cat([forward, t[:, 0, H:]], dim=1).numpy()
'''},
    "top_layer_final": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def top_layer_final(h_n, num_layers, bidirectional):
    return sequence.final_states(torch.from_numpy(h_n), num_layers, bidirectional).numpy().copy()
''', "torch": '''
import torch
def top_layer_final(h_n, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    top = torch.from_numpy(h_n).view(num_layers, dirs, *h_n.shape[1:])[-1]
    return torch.cat(list(top), dim=1).numpy()
'''},
    "masked_tagging_loss": {"rnncourse": '''
from rnncourse.scratch import readout
def masked_tagging_loss(logits, tags, lengths):
    real = np.arange(logits.shape[1]) < np.asarray(lengths)[:, None]
    loss, _ = readout.temporal_softmax_loss(logits, tags, real)
    return float(loss), float((logits.argmax(axis=2) == tags)[real].mean())
''', "torch": '''
import torch
def masked_tagging_loss(logits, tags, lengths):
    real = torch.arange(logits.shape[1])[None, :] < torch.as_tensor(lengths)[:, None]
    lg, tg = torch.from_numpy(logits), torch.from_numpy(tags)
    loss = torch.nn.functional.cross_entropy(lg[real], tg[real])
    return loss.item(), (lg.argmax(dim=2) == tg)[real].double().mean().item()
''', "scipy": '''
from scipy.special import log_softmax
def masked_tagging_loss(logits, tags, lengths):
    real = np.arange(logits.shape[1])[None, :] < np.asarray(lengths)[:, None]
    picked = np.take_along_axis(log_softmax(logits, axis=2), tags[:, :, None], axis=2)[:, :, 0]
    return float(-picked[real].mean()), float((logits.argmax(axis=2) == tags)[real].mean())
'''},
    "cell_correlations": {"rnncourse": '''
from rnncourse.analysis import interpretable
def cell_correlations(acts, prop):
    return interpretable.correlations(acts, prop)
''', "torch": '''
import torch
def cell_correlations(acts, prop):
    both = torch.cat([torch.from_numpy(acts).T, torch.from_numpy(prop)[None]])
    return torch.nan_to_num(torch.corrcoef(both)[-1, :-1], nan=0.0).numpy()
''', "scipy": '''
from scipy import stats
def cell_correlations(acts, prop):
    return np.array([stats.pearsonr(acts[:, u], prop)[0] if np.ptp(acts[:, u]) > 0 else 0.0
                     for u in range(acts.shape[1])])
'''},
}
