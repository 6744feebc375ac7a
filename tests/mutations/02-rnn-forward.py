"""Plausible wrong answers for exercise set 02 (the vanilla RNN, forward half).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
(An answer that memorises the visible test's outputs is generated for every task by the
contract itself: tests/mutations/release.py.)
"""

MUTATIONS: dict[str, dict[str, str]] = {
    "rnn_step_forward": {
        "Wh transposed (h_prev @ Wh.T)": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh.T + b)
''',
        "bias left out": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh)
''',
        "tanh forgotten (linear RNN)": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return x @ Wx + h_prev @ Wh + b
''',
        "tanh applied to each term separately": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx) + np.tanh(h_prev @ Wh) + np.tanh(b)
''',
        "sigmoid instead of tanh": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return 1.0 / (1.0 + np.exp(-(x @ Wx + h_prev @ Wh + b)))
''',
    },
    "rnn_forward": {
        "state not carried (every step starts from h0)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    B, T, _ = x.shape
    h = np.zeros((B, T, h0.shape[1]))
    for t in range(T):
        h[:, t] = np.tanh(x[:, t] @ Wx + h0 @ Wh + b)
    return h
''',
        "starts from zeros instead of h0": '''
def rnn_forward(x, h0, Wx, Wh, b):
    B, T, _ = x.shape
    h = np.zeros((B, T, h0.shape[1]))
    state = np.zeros_like(h0)
    for t in range(T):
        state = np.tanh(x[:, t] @ Wx + state @ Wh + b)
        h[:, t] = state
    return h
''',
        "off by one in time: returns h_0..h_{T-1} (state before each step)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    B, T, _ = x.shape
    h = np.zeros((B, T, h0.shape[1]))
    state = h0
    for t in range(T):
        h[:, t] = state
        state = np.tanh(x[:, t] @ Wx + state @ Wh + b)
    return h
''',
        "Wh transposed": '''
def rnn_forward(x, h0, Wx, Wh, b):
    B, T, _ = x.shape
    h = np.zeros((B, T, h0.shape[1]))
    state = h0
    for t in range(T):
        state = np.tanh(x[:, t] @ Wx + state @ Wh.T + b)
        h[:, t] = state
    return h
''',
        "time-major indexing (x[t] instead of x[:, t])": '''
def rnn_forward(x, h0, Wx, Wh, b):
    T, B = x.shape[1], x.shape[0]
    h = np.zeros((B, T, h0.shape[1]))
    state = h0
    for t in range(T):
        state = np.tanh(x[t] @ Wx + state @ Wh + b)
        h[t] = state
    return h
''',
    },
    "temporal_softmax_loss": {
        "mask ignored": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.mean(picked)
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores / (B * T)
''',
        "loss averaged over the batch only (sum / B, CS231n style)": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    m = mask.astype(np.float64)
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.sum(picked * m) / B
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores * m[..., None] / B
''',
        "averaged over the wrong axis: mean over time per sequence, then over the batch": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    m = mask.astype(np.float64)
    n_b = np.maximum(m.sum(axis=1, keepdims=True), 1.0)            # (B, 1) per sequence
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.mean(np.sum(picked * m / n_b, axis=1))
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores * (m / n_b)[..., None] / B
''',
        "dscores not masked (loss correct)": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    m = mask.astype(np.float64)
    N = m.sum()
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.sum(picked * m) / N
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores / N
''',
        "dscores not divided by N (loss correct)": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    m = mask.astype(np.float64)
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.sum(picked * m) / m.sum()
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores * m[..., None]
''',
        "softmax shifted by the batch's single maximum, not each position's": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    shifted = scores - scores.max()
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    m = mask.astype(np.float64)
    N = m.sum()
    picked = np.take_along_axis(logp, y[..., None], axis=2)[..., 0]
    loss = -np.sum(picked * m) / N
    dscores = np.exp(logp)
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores * m[..., None] / N
''',
        "one-hot with y.max() + 1 classes": '''
def temporal_softmax_loss(scores, y, mask):
    shifted = scores - scores.max(axis=2, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    onehot = np.eye(y.max() + 1)[y]
    m = mask / mask.sum()
    loss = -np.sum((logp * onehot).sum(axis=2) * m)
    return float(loss), (np.exp(logp) - onehot) * m[..., None]
''',
        "softmax without subtracting the max (overflows)": '''
def temporal_softmax_loss(scores, y, mask):
    B, T, V = scores.shape
    e = np.exp(scores)
    probs = e / e.sum(axis=2, keepdims=True)
    m = mask.astype(np.float64)
    N = m.sum()
    picked = np.take_along_axis(probs, y[..., None], axis=2)[..., 0]
    loss = -np.sum(np.log(picked) * m) / N
    dscores = probs.copy()
    dscores[np.arange(B)[:, None], np.arange(T)[None, :], y] -= 1.0
    return float(loss), dscores * m[..., None] / N
''',
    },
    "sample_next": {
        "temperature applied after the softmax (probabilities / tau, renormalised)": '''
def sample_next(logits, temperature, rng):
    p = np.exp(logits - logits.max())
    p = p / p.sum() / temperature
    return int(rng.choice(len(p), p=p / p.sum()))
''',
        "logits multiplied by the temperature": '''
def sample_next(logits, temperature, rng):
    z = logits * temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))
''',
        "global np.random instead of the rng it is given": '''
def sample_next(logits, temperature, rng):
    z = logits / temperature
    p = np.exp(z - z.max())
    return int(np.random.choice(len(p), p=p / p.sum()))
''',
        "greedy argmax instead of sampling": '''
def sample_next(logits, temperature, rng):
    rng.random()
    return int(np.argmax(logits / temperature))
''',
        "top-k sampling with k = 5": '''
def sample_next(logits, temperature, rng):
    z = logits / temperature
    p = np.exp(z - z.max())
    p[np.argsort(-p)[5:]] = 0.0
    return int(rng.choice(len(p), p=p / p.sum()))
''',
        "returns the token id as np.uint8": '''
def sample_next(logits, temperature, rng):
    z = logits / temperature
    p = np.exp(z - z.max())
    return np.uint8(rng.choice(len(p), p=p / p.sum()))
''',
        "softmax without subtracting the max (overflows)": '''
def sample_next(logits, temperature, rng):
    p = np.exp(logits / temperature)
    return int(rng.choice(len(p), p=p / p.sum()))
''',
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

_INTEGER = "returns an integer token id: there is no float to change"

GENERIC = {
    "rnn_step_forward": Spec("rnn_step_forward"),
    "rnn_forward": Spec("rnn_forward"),
    "temporal_softmax_loss": Spec("temporal_softmax_loss"),
    "sample_next": Spec("sample_next", params={"temperature": 1.0},
                        sampling=("logits", "temperature"), excused={
        "scaled": _INTEGER, "float32": _INTEGER, "float32 trip": _INTEGER,
        "aliased": "returns an int, not an array that could share an input's memory",
        "reused buffer": "returns an int, there is no float array buffer to reuse"}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "rnn_step_forward": {"rnncourse": '''
from rnncourse.scratch import rnn
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)[0]
''', "torch": '''
import torch
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    t = [torch.from_numpy(a) for a in (x, h_prev, Wx, Wh, b)]
    return torch.tanh(t[0] @ t[2] + t[1] @ t[3] + t[4]).numpy()
''', "scipy": '''
from scipy.special import expit
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return 2.0 * expit(2.0 * (x @ Wx + h_prev @ Wh + b)) - 1.0
'''},
    "rnn_forward": {"rnncourse": '''
from rnncourse.scratch.rnn import rnn_forward as _package_forward
def rnn_forward(x, h0, Wx, Wh, b):
    return _package_forward(x, h0, Wx, Wh, b)[0]
''', "torch": '''
import torch
def rnn_forward(x, h0, Wx, Wh, b):
    rnn = torch.nn.RNN(Wx.shape[0], Wx.shape[1], batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T.copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T.copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    return out.numpy().copy()
'''},
    "temporal_softmax_loss": {"rnncourse": '''
from rnncourse.scratch import readout
def temporal_softmax_loss(scores, y, mask):
    return readout.temporal_softmax_loss(scores, y, mask)
''', "torch": '''
import torch
def temporal_softmax_loss(scores, y, mask):
    s = torch.tensor(scores, requires_grad=True)
    ce = torch.nn.functional.cross_entropy(s.reshape(-1, s.shape[-1]),
                                           torch.from_numpy(y).long().reshape(-1), reduction="none")
    m = torch.from_numpy(mask).reshape(-1).double()
    loss = (ce * m).sum() / m.sum()
    loss.backward()
    return loss.item(), s.grad.numpy()
''', "scipy": '''
from scipy.special import log_softmax
def temporal_softmax_loss(scores, y, mask):
    logp = log_softmax(scores, axis=2)
    onehot = np.eye(scores.shape[2])[y]
    m = mask / mask.sum()
    return float(-np.sum((logp * onehot).sum(axis=2) * m)), (np.exp(logp) - onehot) * m[..., None]
'''},
    "sample_next": {"rnncourse": '''
from rnncourse.scratch import sampling
def sample_next(logits, temperature, rng):
    return int(sampling.sample_next(np.asarray(logits, dtype=np.float64), temperature, rng))
''', "torch": '''
import torch
def sample_next(logits, temperature, rng):
    p = torch.softmax(torch.from_numpy(logits) / temperature, dim=0).numpy()
    return int(rng.choice(len(p), p=p))
''', "scipy": '''
from scipy.special import softmax
def sample_next(logits, temperature, rng):
    return int(rng.choice(len(logits), p=softmax(logits / temperature)))
'''},
}
