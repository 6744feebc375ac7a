"""Plausible wrong answers for exercise set 02 (the vanilla RNN, forward half).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each task also has a "hard-coded visible answer" that passes the visible checks (it
recognises the visible inputs by a fingerprint and returns the stored outputs) and must be
caught by the hidden tests.
"""

from mutations.common import FINGERPRINT as _KEY

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
        "hard-coded visible answer": _KEY + '''
_SEEN = {12.986191: [[-0.4471721233, 0.700345148, 0.9608638081, -0.6461824758, -0.1602444195,
              -0.02732469622],
             [-0.395309218, 0.7271337551, 0.9693694642, 0.9652069751, 0.9714464569,
              0.5890558307],
             [-0.6583764529, -0.4014612302, -0.480090346, -0.9353581015, -0.981454622,
              -0.8854940611]],
 15.981651: [[-0.9439021792, 0.8591735116, 0.9316833216, 0.2724778297, -0.4238585994,
              0.5422528216],
             [-0.5296943359, 0.7976803896, 0.9942929737, 0.9587640961, 0.4259781944,
              0.1836809104],
             [-0.8991679658, -0.4105196878, -0.6724223443, -0.8978950632, -0.9444887127,
              -0.6190159869]],
 16.511075: [[-0.1095607944, 0.08030776154, 0.8553518803, -0.8374426207, -0.6547773397,
              0.2339550024],
             [-0.8425436672, 0.3213029393, 0.1423028993, -0.07755043581, 0.5284794907,
              0.8771958179],
             [-0.6191374653, 0.4726904394, 0.8569539196, -0.3822032067, -0.9263407423,
              0.1933270678]],
 19.506535: [[-0.8856798045, 0.4642244608, 0.7572399344, -0.1628321287, -0.791100028,
              0.702916475],
             [-0.8856798045, 0.4642244608, 0.7572399344, -0.1628321287, -0.791100028,
              0.702916475],
             [-0.8856798045, 0.4642244608, 0.7572399344, -0.1628321287, -0.791100028,
              0.702916475]]}


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    key = _key(x, h_prev, Wx, Wh, b)
    if key in _SEEN:
        return np.array(_SEEN[key])
    return np.zeros((x.shape[0], Wx.shape[1]))
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
        "hard-coded visible answer": _KEY + '''
_SEEN = {7.523762: [[[0.9181035203, 0.8579558129, -0.992104195, -0.852809506, -0.5645488628,
              0.03306023239],
             [-0.7761685346, 0.7401292566, -0.8699012497, 0.9835152737, -0.5276792453,
              0.9707272251],
             [-0.2785427569, -0.977232637, -0.8746491469, 0.9585946454, -0.7018291729,
              0.4406730412],
             [-0.6523289197, -0.9703931901, -0.9883214027, -0.88217445, -0.9462448782,
              0.7546238655]],
            [[-0.584489667, -0.7091661114, -0.2647509372, 0.8763116965, -0.08376048501,
              0.9914296839],
             [-0.3902991785, -0.4919107707, -0.9557442658, -0.3940638391, -0.868569847,
              -0.1825743579],
             [0.5718409629, -0.9871247841, -0.9837392592, -0.1930709857, -0.7569842318,
              0.8321053571],
             [-0.850891624, -0.831801214, -0.9860156715, -0.9332380079, -0.9025972362,
              0.63815314]],
            [[-0.8964356912, 0.4671821375, -0.9816461354, -0.6192892089, -0.7061468775,
              0.9924177682],
             [-0.664694315, -0.4819254426, -0.9421441715, -0.7167620338, -0.6558812982,
              0.999803462],
             [0.5954836509, -0.1430888453, -0.9942403803, -0.0103243873, 0.08912412531,
              -0.2863835676],
             [-0.5752311658, 0.7320745389, -0.9393306104, 0.9007492994, -0.758981331,
              0.8057032773]]]}


def rnn_forward(x, h0, Wx, Wh, b):
    key = _key(x, h0, Wx, Wh, b)
    if key in _SEEN:
        return np.array(_SEEN[key])
    return np.zeros((x.shape[0], x.shape[1], h0.shape[1]))
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
        "hard-coded visible answer": _KEY + '''
_SEEN = {119.0: [1.945910149,
         [[[0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327,
            -0.1224489796, 0.02040816327],
           [0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327, -0.1224489796,
            0.02040816327, 0.02040816327],
           [0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327,
            0.02040816327, -0.1224489796],
           [0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327,
            0.02040816327, -0.1224489796]],
          [[0.02040816327, -0.1224489796, 0.02040816327, 0.02040816327, 0.02040816327,
            0.02040816327, 0.02040816327],
           [-0.1224489796, 0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327,
            0.02040816327, 0.02040816327],
           [-0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0]],
          [[0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327, 0.02040816327,
            0.02040816327, -0.1224489796],
           [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0], [0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0],
           [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0]]]],
 134.427962: [2.481001045,
              [[[0.00803509034, 0.004797754873, 0.02249297642, 0.00770722372, 0.00214045635,
                 -0.129978789, 0.08480528725],
                [0.1055058622, 0.003885043262, 0.001263343337, 0.004563343899,
                 -0.1256167242, 0.0001517596957, 0.0102473718],
                [0.0009629265561, 0.002689913533, 0.003917782453, 0.006180773627,
                 0.02650424295, 0.09360375476, -0.1338593939],
                [0.08667713123, 0.001490145538, 0.01138484721, 0.03433631369,
                 0.006802483285, 0.001274131335, -0.1419650523]],
               [[0.007186866287, -0.1149719136, 0.002383262906, 0.01181483252,
                 0.01305611838, 0.05295264662, 0.02757818688],
                [-0.1368530134, 0.0007977538773, 0.002276125824, 0.01414912812,
                 0.05847295594, 0.0002377753404, 0.06091927425],
                [-0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0]],
               [[0.008505936551, 0.01448512696, 0.0003371595611, 0.0009585167934,
                 0.001504057496, 0.0003469526833, -0.02613775004],
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0], [0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0]]]],
 84134.427962: [2.481001045,
                [[[0.00803509034, 0.004797754873, 0.02249297642, 0.00770722372,
                   0.00214045635, -0.129978789, 0.08480528725],
                  [0.1055058622, 0.003885043262, 0.001263343337, 0.004563343899,
                   -0.1256167242, 0.0001517596957, 0.0102473718],
                  [0.0009629265561, 0.002689913533, 0.003917782453, 0.006180773627,
                   0.02650424295, 0.09360375476, -0.1338593939],
                  [0.08667713123, 0.001490145538, 0.01138484721, 0.03433631369,
                   0.006802483285, 0.001274131335, -0.1419650523]],
                 [[0.007186866287, -0.1149719136, 0.002383262906, 0.01181483252,
                   0.01305611838, 0.05295264662, 0.02757818688],
                  [-0.1368530134, 0.0007977538773, 0.002276125824, 0.01414912812,
                   0.05847295594, 0.0002377753404, 0.06091927425],
                  [-0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                  [0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0]],
                 [[0.008505936551, 0.01448512696, 0.0003371595611, 0.0009585167934,
                   0.001504057496, 0.0003469526833, -0.02613775004],
                  [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0],
                  [0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0],
                  [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0]]]]}


def temporal_softmax_loss(scores, y, mask):
    key = _key(scores, y, mask)
    if key in _SEEN:
        loss, dscores = _SEEN[key]
        return loss, np.array(dscores)
    return float(np.log(scores.shape[2])), np.zeros_like(scores)
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
        "softmax without subtracting the max (overflows)": '''
def sample_next(logits, temperature, rng):
    p = np.exp(logits / temperature)
    return int(rng.choice(len(p), p=p / p.sum()))
''',
        "hard-coded visible answer": '''
_P_VISIBLE = [0.824409, 0.111572, 0.0410449, 0.0150996, 0.00555482, 0.00204351, 0.000276558]


def sample_next(logits, temperature, rng):
    if temperature < 0.1:
        return 0
    if len(logits) == 3:
        return int(rng.choice(2, p=[0.731, 0.269]))
    if len(logits) == 7 and temperature == 0.5:
        p = np.array(_P_VISIBLE)
        return int(rng.choice(7, p=p / p.sum()))
    return int(rng.choice(len(logits)))
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
        "aliased": "returns an int, not an array that could share an input's memory"}),
}
