"""Answers that delegate to rnncourse's own implementations (not an exercise set).

Each is a *correct* answer computed by the package instead of by the learner, so that the
only reason a test cell may reject it is the course rule that graded answers are the
learner's own code (rnncourse.checks.own_work). The contract checks both halves: with the
watch switched off every one of these passes its test cell, with it on every one fails.
DELEGATION[set][task] is the replacement source of the answer cell.
"""

_SIGMOID = '''
def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))
'''

DELEGATION: dict[str, dict[str, str]] = {
    "01-baselines": {
        "autocovariance": '''
from rnncourse.classical import ar
def autocovariance(x, max_lag):
    return ar.autocovariance(np.asarray(x, dtype=np.float64), max_lag)
''',
        "yule_walker": '''
from rnncourse.classical import ar
def yule_walker(x, p):
    fit = ar.yule_walker(np.asarray(x, dtype=np.float64), p)
    return fit.phi, float(fit.sigma2)
''',
        "ar_forecast": '''
from rnncourse.classical import ar
def ar_forecast(history, c, phi, steps):
    fit = ar.ARFit(c=float(c), phi=np.asarray(phi, dtype=np.float64), sigma2=1.0)
    return ar.forecast(np.asarray(history, dtype=np.float64), fit, steps)
''',
        "hmm_loglik": '''
from rnncourse.classical import hmm
def hmm_loglik(obs, start, trans, emit):
    model = hmm.HMM(start=np.asarray(start, float), trans=np.asarray(trans, float),
                    emit=np.asarray(emit, float))
    return float(hmm.forward(model, np.asarray(obs)).loglik)
''',
        "viterbi": '''
import rnncourse.classical.hmm
def viterbi(obs, start, trans, emit):
    model = rnncourse.classical.hmm.HMM(start=np.asarray(start, float),
                                        trans=np.asarray(trans, float),
                                        emit=np.asarray(emit, float))
    path, logp = rnncourse.classical.hmm.viterbi(model, np.asarray(obs))
    return path, float(logp)
''',
    },
    "02-rnn-forward": {
        "rnn_step_forward": '''
from rnncourse.scratch import rnn
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    return rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)[0]
''',
        "rnn_forward": '''
from rnncourse.scratch.rnn import rnn_forward as _package_forward
def rnn_forward(x, h0, Wx, Wh, b):
    return _package_forward(x, h0, Wx, Wh, b)[0]
''',
        "temporal_softmax_loss": '''
from rnncourse.scratch import readout
def temporal_softmax_loss(scores, y, mask):
    return readout.temporal_softmax_loss(scores, y, mask)
''',
        "sample_next": '''
from rnncourse.scratch import sampling
def sample_next(logits, temperature, rng):
    return int(sampling.sample_next(np.asarray(logits, dtype=np.float64), temperature, rng))
''',
    },
    "03-bptt": {
        "rnn_step_backward": '''
from rnncourse.scratch import rnn
def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    return rnn.rnn_step_backward(dh_next, rnn.RNNStepCache(x, h_prev, Wx, Wh, h_next))
''',
        "rnn_backward": '''
from rnncourse.scratch import rnn
def rnn_backward(dh, x, h0, h, Wx, Wh):
    return rnn.rnn_backward(dh, rnn.RNNCache(x, h0, Wx, Wh, h))
''',
        "clip_global_norm": '''
from rnncourse.scratch import optim
def clip_global_norm(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)
''',
    },
    "04-gradients": {
        "jacobian_norms": '''
from rnncourse.analysis import gradflow
def jacobian_norms(h, Wh):
    A = Wh * (1 - h**2)[:, :, None, :]                  # (B, T, H, H)
    return gradflow.jacobian_norms(gradflow.jacobian_products(A))[:, 1:]
''',
        "clip_global_norm": '''
from rnncourse.scratch import optim
def clip_global_norm(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)
''',
        "clip_elementwise": '''
from rnncourse.scratch import optim
def clip_elementwise(grads, value):
    clipped = optim.clip_elementwise(grads, value)
    a = np.concatenate([g.ravel() for g in grads.values()])
    b = np.concatenate([g.ravel() for g in clipped.values()])
    return clipped, float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
''',
    },
    "05-lstm-gru": {
        "lstm_step_forward": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    h_next, c_next, _ = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return h_next, c_next
''',
        "lstm_step_backward": _SIGMOID + '''
from rnncourse.scratch import lstm
def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    _, _, cache = lstm.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return lstm.lstm_step_backward(dh_next, dc_next, cache)
''',
        "gru_step_forward": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    return gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)[0]
''',
        "gru_step_backward": _SIGMOID + '''
from rnncourse.scratch import gru
def gru_step_backward(dh_next, x, h_prev, Wx, Wh, bx, bh):
    _, cache = gru.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)
    return gru.gru_step_backward(dh_next, cache)
''',
    },
    "06-pytorch-rnns": {
        "last_real_state": '''
import torch
from rnncourse.models import sequence
def last_real_state(out, lengths):
    return sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
''',
        "masked_mean": '''
import torch
from rnncourse.models import sequence
def masked_mean(out, lengths):
    return sequence.masked_mean(torch.from_numpy(out), torch.as_tensor(lengths)).numpy().copy()
''',
        "bidirectional_final": '''
import torch
from rnncourse.models import sequence
def bidirectional_final(out, lengths):
    H = out.shape[2] // 2
    last = sequence.last_real(torch.from_numpy(out), torch.as_tensor(lengths)).numpy()
    return np.concatenate([last[:, :H], out[:, 0, H:]], axis=1)
''',
        "top_layer_final": '''
import torch
from rnncourse.models import sequence
def top_layer_final(h_n, num_layers, bidirectional):
    return sequence.final_states(torch.from_numpy(h_n), num_layers, bidirectional).numpy().copy()
''',
        "masked_tagging_loss": '''
from rnncourse.scratch import readout
def masked_tagging_loss(logits, tags, lengths):
    real = np.arange(logits.shape[1]) < np.asarray(lengths)[:, None]
    loss, _ = readout.temporal_softmax_loss(logits, tags, real)
    return float(loss), float((logits.argmax(axis=2) == tags)[real].mean())
''',
        "cell_correlations": '''
from rnncourse.analysis import cells
def cell_correlations(acts, prop):
    return cells.correlations(acts, prop)
''',
    },
    "07-attention": {
        "masked_softmax": '''
from rnncourse.scratch import attention
def masked_softmax(scores, mask):
    return attention.masked_softmax(scores, mask)
''',
        "additive_scores": '''
from rnncourse.scratch import attention
def additive_scores(q, keys, Wq, Wk, v):
    return attention.additive_scores(q, keys, Wq, Wk, v)
''',
        "attend": '''
from rnncourse.scratch import attention as _attention
def attend(q, keys, mask, Wq, Wk, v):
    weights = _attention.masked_softmax(_attention.additive_scores(q, keys, Wq, Wk, v), mask)
    return _attention.context(weights, keys), weights
''',
        "beam_search": '''
from rnncourse.scratch.attention import beam_search as _package_beam
def beam_search(step, state, bos, eos, width, max_len, length_norm=0.0):
    return _package_beam(step, state, bos, eos, width, max_len, length_norm)
''',
    },
    "08-captioning": {
        "grid_attention": '''
from rnncourse.scratch import attention as _attention
def grid_attention(features, q):
    mask = np.ones(features.shape[:2], dtype=bool)
    alpha = _attention.masked_softmax(_attention.dot_scores(q, features), mask)
    return _attention.context(alpha, features), alpha
''',
        "doubly_stochastic_penalty": '''
import torch
from rnncourse.models import captioning
def doubly_stochastic_penalty(alphas, mask):
    return float(captioning.doubly_stochastic(torch.from_numpy(alphas), torch.from_numpy(mask)))
''',
        "mass_in_box": '''
from rnncourse.analysis import localisation
def mass_in_box(weights, box, cell):
    return localisation.mass_in_box(weights, box, cell)
''',
    },
}
