"""Answers that delegate their work (not an exercise set).

Each is a *correct* answer computed by someone else than the learner: by rnncourse, or by
a library the set excludes (torch, scipy, statsmodels, ...), so that the only reason a test
cell may reject it is the course rule that graded answers are the learner's own code
(rnncourse.grading.watch). The contract checks both halves: with the watch switched off
every one of these passes its test cell, with it on every one fails. Every task has at
least two. DELEGATION[set][task][what] is the replacement source of the answer cell.
"""

_SIGMOID = '''
def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))
'''

DELEGATION: dict[str, dict[str, dict[str, str]]] = {
    "01-baselines": {
        "autocovariance": {"rnncourse": '''
from rnncourse.classical import ar
def autocovariance(x, max_lag):
    return ar.autocovariance(np.asarray(x, dtype=np.float64), max_lag)
'''},
        "yule_walker": {"rnncourse": '''
from rnncourse.classical import ar
def yule_walker(x, p):
    fit = ar.yule_walker(np.asarray(x, dtype=np.float64), p)
    return fit.phi, float(fit.sigma2)
'''},
        "ar_forecast": {"rnncourse": '''
from rnncourse.classical import ar
def ar_forecast(history, c, phi, steps):
    fit = ar.ARFit(c=float(c), phi=np.asarray(phi, dtype=np.float64), sigma2=1.0)
    return ar.forecast(np.asarray(history, dtype=np.float64), fit, steps)
'''},
        "hmm_loglik": {"rnncourse": '''
from rnncourse.classical import hmm
def hmm_loglik(obs, start, trans, emit):
    model = hmm.HMM(start=np.asarray(start, float), trans=np.asarray(trans, float),
                    emit=np.asarray(emit, float))
    return float(hmm.forward(model, np.asarray(obs)).loglik)
'''},
        "viterbi": {"rnncourse": '''
import rnncourse.classical.hmm
def viterbi(obs, start, trans, emit):
    model = rnncourse.classical.hmm.HMM(start=np.asarray(start, float),
                                        trans=np.asarray(trans, float),
                                        emit=np.asarray(emit, float))
    path, logp = rnncourse.classical.hmm.viterbi(model, np.asarray(obs))
    return path, float(logp)
'''},
    },
    "02-rnn-forward": {
        "rnn_step_forward": {"rnncourse": '''
from rnncourse.scratch import rnn
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)[0]
'''},
        "rnn_forward": {"rnncourse": '''
from rnncourse.scratch.rnn import rnn_forward as _package_forward
def rnn_forward(x, h0, Wx, Wh, b):
    return _package_forward(x, h0, Wx, Wh, b)[0]
'''},
        "temporal_softmax_loss": {"rnncourse": '''
from rnncourse.scratch import readout
def temporal_softmax_loss(scores, y, mask):
    return readout.temporal_softmax_loss(scores, y, mask)
'''},
        "sample_next": {"rnncourse": '''
from rnncourse.scratch import sampling
def sample_next(logits, temperature, rng):
    return int(sampling.sample_next(np.asarray(logits, dtype=np.float64), temperature, rng))
'''},
    },
    "03-bptt": {
        "numerical_gradient": {"rnncourse": '''
from rnncourse import gradcheck
def numerical_gradient(f, x, h=1e-5):
    return gradcheck.numerical_gradients(lambda x: np.array(f(x)), {"x": x}, np.array(1.0),
                                         eps=h)["x"]
''', "statsmodels": '''
from statsmodels.tools.numdiff import approx_fprime
def numerical_gradient(f, x, h=1e-5):
    grad = approx_fprime(x.ravel().copy(), lambda v: f(v.reshape(x.shape)), epsilon=2 * h,
                         centered=True)
    return np.asarray(grad, dtype=np.float64).reshape(x.shape)
'''},
        "rnn_step_backward": {"rnncourse": '''
from rnncourse.scratch import rnn
def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    return rnn.rnn_step_backward(dh_next, rnn.RNNStepCache(x, h_prev, Wx, Wh, h_next))
''', "torch": '''
import torch
def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    ts = [torch.tensor(a, requires_grad=True) for a in (x, h_prev, Wx, Wh)]
    a = torch.from_numpy(np.arctanh(h_next))              # the pre-activation, from h_next
    b = a - ts[0].detach() @ ts[2].detach() - ts[1].detach() @ ts[3].detach()
    tb = b.clone().requires_grad_(True)
    out = torch.tanh(ts[0] @ ts[2] + ts[1] @ ts[3] + tb)
    (out * torch.from_numpy(dh_next)).sum().backward()
    return tuple(t.grad.numpy() for t in ts) + (tb.grad.sum(axis=0).numpy(),)
'''},
        "rnn_backward": {"rnncourse": '''
from rnncourse.scratch import rnn
def rnn_backward(dh, x, h0, h, Wx, Wh):
    return rnn.rnn_backward(dh, rnn.RNNCache(x, h0, Wx, Wh, h))
''', "torch": '''
import torch
def rnn_backward(dh, x, h0, h, Wx, Wh):
    T = h.shape[1]
    prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    b = np.arctanh(h[:, 0]) - x[:, 0] @ Wx - h0 @ Wh      # (B, H): the bias, read back
    tx, th0, tWx, tWh = (torch.tensor(a, requires_grad=True) for a in (x, h0, Wx, Wh))
    tb = torch.tensor(b[0], requires_grad=True)
    state, loss = th0, 0.0
    for t in range(T):
        state = torch.tanh(tx[:, t] @ tWx + state @ tWh + tb)
        loss = loss + (state * torch.from_numpy(dh[:, t])).sum()
    loss.backward()
    return tx.grad.numpy(), th0.grad.numpy(), tWx.grad.numpy(), tWh.grad.numpy(), tb.grad.numpy()
'''},
        "clip_global_norm": {"rnncourse": '''
from rnncourse.scratch import optim
def clip_global_norm(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)
''', "torch": '''
import torch
def clip_global_norm(grads, max_norm):
    flat = torch.cat([torch.from_numpy(g).ravel() for g in grads.values()])
    norm = float(torch.linalg.vector_norm(flat))
    scale = min(1.0, max_norm / norm)
    return {k: (torch.from_numpy(g) * scale).numpy() for k, g in grads.items()}, norm
'''},
    },
    "04-gradients": {
        "jacobian_norms": {"rnncourse": '''
from rnncourse.analysis import gradflow
def jacobian_norms(h, Wh):
    A = Wh * (1 - h**2)[:, :, None, :]                  # (B, T, H, H)
    return gradflow.jacobian_norms(gradflow.jacobian_products(A))[:, 1:]
'''},
        "clip_global_norm": {"rnncourse": '''
from rnncourse.scratch import optim
def clip_global_norm(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)
'''},
        "clip_elementwise": {"rnncourse": '''
from rnncourse.scratch import optim
def clip_elementwise(grads, value):
    clipped = optim.clip_elementwise(grads, value)
    a = np.concatenate([g.ravel() for g in grads.values()])
    b = np.concatenate([g.ravel() for g in clipped.values()])
    return clipped, float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
'''},
    },
    "05-lstm-gru": {
        "lstm_step_forward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    h_next, c_next, _ = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return h_next, c_next
'''},
        "lstm_step_backward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    _, _, cache = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return lstm.lstm_step_backward(dh_next, dc_next, cache)
'''},
        "gru_step_forward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    return gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)[0]
'''},
        "gru_step_backward": {"rnncourse": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    _, cache = gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)
    return gru.gru_step_backward(dh_next, cache)
'''},
    },
    "06-pytorch-rnns": {
        "last_real_state": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def last_real_state(out, lengths):
    return sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
'''},
        "masked_mean": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def masked_mean(out, lengths):
    return sequence.masked_mean(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
'''},
        "bidirectional_final": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def bidirectional_final(out, lengths):
    H = out.shape[2] // 2
    last = sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy()
    return np.concatenate([last[:, :H], out[:, 0, H:]], axis=1)
'''},
        "top_layer_final": {"rnncourse": '''
import torch
from rnncourse.models import sequence
def top_layer_final(h_n, num_layers, bidirectional):
    return sequence.final_states(torch.from_numpy(h_n), num_layers, bidirectional).numpy().copy()
'''},
        "masked_tagging_loss": {"rnncourse": '''
from rnncourse.scratch import readout
def masked_tagging_loss(logits, tags, lengths):
    real = np.arange(logits.shape[1]) < np.asarray(lengths)[:, None]
    loss, _ = readout.temporal_softmax_loss(logits, tags, real)
    return float(loss), float((logits.argmax(axis=2) == tags)[real].mean())
'''},
        "cell_correlations": {"rnncourse": '''
from rnncourse.analysis import cells
def cell_correlations(acts, prop):
    return cells.correlations(acts, prop)
'''},
    },
    "07-attention": {
        "masked_softmax": {"rnncourse": '''
from rnncourse.scratch import attention
def masked_softmax(scores, mask):
    return attention.masked_softmax(scores, mask)
'''},
        "additive_scores": {"rnncourse": '''
from rnncourse.scratch import attention
def additive_scores(q, keys, Wq, Wk, v):
    return attention.additive_scores(q, keys, Wq, Wk, v)
'''},
        "attend": {"rnncourse": '''
from rnncourse.scratch import attention as _attention
def attend(q, keys, mask, Wq, Wk, v):
    weights = _attention.masked_softmax(_attention.additive_scores(q, keys, Wq, Wk, v), mask)
    return _attention.context(weights, keys), weights
'''},
        "beam_search": {"rnncourse": '''
from rnncourse.scratch.attention import beam_search as _package_beam
def beam_search(step, state, bos, eos, width, max_len, length_norm=0.0):
    return _package_beam(step, state, bos, eos, width, max_len, length_norm)
'''},
    },
    "08-captioning": {
        "grid_attention": {"rnncourse": '''
from rnncourse.scratch import attention as _attention
def grid_attention(features, q):
    mask = np.ones(features.shape[:2], dtype=bool)
    alpha = _attention.masked_softmax(_attention.dot_scores(q, features), mask)
    return _attention.context(alpha, features), alpha
'''},
        "doubly_stochastic_penalty": {"rnncourse": '''
import torch
from rnncourse.models import captioning
def doubly_stochastic_penalty(alphas, mask):
    return float(captioning.doubly_stochastic(torch.from_numpy(alphas), torch.from_numpy(mask)))
'''},
        "mass_in_box": {"rnncourse": '''
from rnncourse.analysis import localisation
def mass_in_box(weights, box, cell):
    return localisation.mass_in_box(weights, box, cell)
'''},
    },
}
