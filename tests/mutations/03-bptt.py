"""Plausible wrong answers for exercise set 03 (backpropagation through time).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
(An answer that memorises the visible test's outputs is generated for every task by the
contract itself: tests/mutations/release.py.)
"""

# rnn_backward with one line changed: the mutations below replace a line of this source.
_BPTT = '''
def rnn_backward(dh, x, h0, h, Wx, Wh):
    B, T, H = h.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        h_prev = h[:, t - 1] if t > 0 else h0
        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db
'''


def _bptt(old: str, new: str) -> str:
    assert _BPTT.count(old) == 1, old
    return _BPTT.replace(old, new)


# rnn_step_backward, likewise.
_STEP = '''
def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    da = dh_next * (1.0 - h_next ** 2)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dWx, dWh, db
'''


def _step(old: str, new: str) -> str:
    assert _STEP.count(old) == 1, old
    return _STEP.replace(old, new)


MUTATIONS: dict[str, dict[str, str]] = {
    "numerical_gradient": {
        "one-sided (forward) difference": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad
''',
        "divides by h instead of 2h": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad
''',
        "nudged entry not restored": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        "nudges a flattened copy that f never sees": '''
def numerical_gradient(f, x, h=1e-5):
    flat = x.flatten()
    grad = np.zeros_like(flat)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)
''',
        "loops over rows only (nudges a whole row at once)": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
    },
    "rnn_step_backward": {
        "tanh' computed from the pre-activation (1 - a**2)": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n",
            "    a = np.arctanh(h_next)\n    da = dh_next * (1.0 - a ** 2)\n"),
        "tanh' forgotten": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n", "    da = dh_next\n"),
        "Wh transposed (dh_prev = da @ Wh)": _step(
            "    dh_prev = da @ Wh.T\n", "    dh_prev = da @ Wh\n"),
        "db not summed over the batch (mean)": _step(
            "    db = da.sum(axis=0)\n", "    db = da.mean(axis=0)\n"),
        "dWh from h_next instead of h_prev": _step(
            "    dWh = h_prev.T @ da\n", "    dWh = h_next.T @ da\n"),
        "tanh' written as 1 - h_next (not squared)": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n", "    da = dh_next * (1.0 - h_next)\n"),
    },
    "rnn_backward": {
        "gradient from step t+1 into step t left out": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = dh[:, t] * (1.0 - h[:, t] ** 2)\n"),
        "carried gradient added after tanh'": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = dh[:, t] * (1.0 - h[:, t] ** 2) + carry\n"),
        "tanh' computed from the pre-activation (1 - a**2)": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = (dh[:, t] + carry) * (1.0 - np.arctanh(h[:, t]) ** 2)\n"),
        "Wh transposed in the carried gradient": _bptt(
            "        carry = da @ Wh.T\n", "        carry = da @ Wh\n"),
        "off by one in time: dWh from h[:, t] instead of h[:, t-1]": _bptt(
            "        dWh += h_prev.T @ da\n", "        dWh += h[:, t].T @ da\n"),
        "db not summed over the batch (mean)": _bptt(
            "        db += da.sum(axis=0)\n", "        db += da.mean(axis=0)\n"),
        "time walked forwards (t = 0, ..., T-1)": _bptt(
            "    for t in range(T - 1, -1, -1):\n", "    for t in range(T):\n"),
    },
    "clip_global_norm": {
        "each array clipped to max_norm separately": '''
def clip_global_norm(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        n = np.sqrt(np.sum(g ** 2))
        clipped[name] = g * (max_norm / n if n > max_norm else 1.0)
    return clipped, float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
''',
        "always rescaled to max_norm (short gradients scaled up)": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {name: g * max_norm / norm for name, g in grads.items()}, norm
''',
        "returns the norm after clipping": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm * scale
''',
        "norm is the sum of the per-array norms": '''
def clip_global_norm(grads, max_norm):
    norm = float(sum(np.sqrt(np.sum(g ** 2)) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
''',
        "modifies the gradients in place": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = max_norm / norm if norm > max_norm else 1.0
    for g in grads.values():
        g *= scale
    return grads, norm
''',
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "numerical_gradient": Spec("numerical_gradient", params={"h": 1e-5}),
    "rnn_step_backward": Spec("rnn_step_backward"),
    "rnn_backward": Spec("rnn_backward"),
    "clip_global_norm": Spec("clip_global_norm", params={"max_norm": 1.0}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
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
}
