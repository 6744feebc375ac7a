"""Plausible wrong answers for exercise set 04 (vanishing and exploding gradients).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Most mutations are the reference answer (copied below) with one line changed, so each is
wrong only in the way its name says; `swap` (in common.py) fails loudly if the reference
copy drifts. (An answer that memorises the visible test's outputs is generated for every
task by the contract itself: tests/mutations/release.py.)
"""


from mutations.common import swap as _swap

_JACOBIAN = '''
def jacobian_norms(h, Wh):
    B, T, H = h.shape
    prod = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.zeros((B, T))
    for k in range(1, T + 1):
        J = Wh[None] * (1.0 - h[:, T - k] ** 2)[:, None, :]
        prod = J @ prod
        norms[:, k - 1] = np.linalg.norm(prod, ord=2, axis=(1, 2))
    return norms
'''

_CLIP = '''
def clip_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    clipped = {name: np.array(g, dtype=np.float64) * scale for name, g in grads.items()}
    return clipped, total_norm
'''

_CLIP_VALUE = '''
def clip_elementwise(grads, value):
    clipped = {name: np.clip(g, -value, value) for name, g in grads.items()}
    g = np.concatenate([np.ravel(grads[k]) for k in grads])
    c = np.concatenate([np.ravel(clipped[k]) for k in grads])
    cosine = float(g @ c / (np.linalg.norm(g) * np.linalg.norm(c)))
    return clipped, cosine
'''

_ESN = '''
def esn_readout(states, targets, ridge, washout):
    H, V = states.shape[2], targets.shape[2]
    Hs = states[:, washout:].reshape(-1, H)
    Ys = targets[:, washout:].reshape(-1, V)
    h_mean, y_mean = Hs.mean(axis=0), Ys.mean(axis=0)
    Hc, Yc = Hs - h_mean, Ys - y_mean
    W_out = np.linalg.solve(Hc.T @ Hc + ridge * np.eye(H), Hc.T @ Yc)
    b_out = y_mean - h_mean @ W_out
    return W_out, b_out
'''

MUTATIONS: dict[str, dict[str, str]] = {
    "jacobian_norms": {
        "tanh derivative left out (norms of Wh**k)": _swap(
            _JACOBIAN, "J = Wh[None] * (1.0 - h[:, T - k] ** 2)[:, None, :]",
            "J = np.broadcast_to(Wh, (B, H, H))"),
        "tanh' read from h_{t-1} instead of h_t (off by one in time)": _swap(
            _JACOBIAN, "(1.0 - h[:, T - k] ** 2)", "(1.0 - h[:, T - k - 1] ** 2)"),
        "diag(1 - h**2) on the wrong side (scales the rows of Wh)": _swap(
            _JACOBIAN, "J = Wh[None] * (1.0 - h[:, T - k] ** 2)[:, None, :]",
            "J = Wh[None] * (1.0 - h[:, T - k] ** 2)[:, :, None]"),
        "Jacobians multiplied in the wrong order (new factor on the right)": _swap(
            _JACOBIAN, "prod = J @ prod", "prod = prod @ J"),
        "derivative 1 - h instead of 1 - h**2": _swap(
            _JACOBIAN, "(1.0 - h[:, T - k] ** 2)", "(1.0 - h[:, T - k])"),
        "Frobenius norm instead of the spectral norm": _swap(
            _JACOBIAN, "ord=2, axis=(1, 2)", "ord='fro', axis=(1, 2)"),
        "lags off by one (norms[:, 0] is lag 0, the identity)": _swap(
            _JACOBIAN, "    for k in range(1, T + 1):\n",
            "    norms[:, 0] = 1.0\n    for k in range(1, T):\n").replace(
            "norms[:, k - 1] = ", "norms[:, k] = "),
    },
    "clip_global_norm": {
        "each parameter rescaled separately (per-array norms)": '''
def clip_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        n = float(np.linalg.norm(g))
        clipped[name] = np.array(g, dtype=np.float64) * (min(1.0, max_norm / n) if n > 0 else 1.0)
    return clipped, total_norm
''',
        "always rescaled to max_norm, also when the norm is smaller": _swap(
            _CLIP, "min(1.0, max_norm / total_norm)", "max_norm / total_norm"),
        "returns the norm after clipping": _swap(
            _CLIP, "return clipped, total_norm", "return clipped, min(total_norm, max_norm)"),
        "norm is the sum of the per-array norms": _swap(
            _CLIP, "float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))",
            "float(sum(np.linalg.norm(g) for g in grads.values()))"),
        "modifies the input arrays in place": '''
def clip_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    for g in grads.values():
        g *= scale
    return dict(grads), total_norm
''',
        "returns the given arrays when nothing is clipped": '''
def clip_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    if total_norm <= max_norm:
        return dict(grads), total_norm
    return {name: g * (max_norm / total_norm) for name, g in grads.items()}, total_norm
''',
    },
    "clip_elementwise": {
        "clips only from above (np.minimum): large negative entries pass": _swap(
            _CLIP_VALUE, "np.clip(g, -value, value)", "np.minimum(g, value)"),
        "clips the absolute value (loses the sign)": _swap(
            _CLIP_VALUE, "np.clip(g, -value, value)", "np.minimum(np.abs(g), value)"),
        "cosine averaged over the arrays instead of over the whole gradient": '''
def clip_elementwise(grads, value):
    clipped = {name: np.clip(g, -value, value) for name, g in grads.items()}
    cos = [float(np.ravel(g) @ np.ravel(clipped[k])
                 / (np.linalg.norm(g) * np.linalg.norm(clipped[k])))
           for k, g in grads.items()]
    return clipped, float(np.mean(cos))
''',
        "cosine not normalised (the dot product)": _swap(
            _CLIP_VALUE, "g @ c / (np.linalg.norm(g) * np.linalg.norm(c))", "g @ c"),
        "global-norm clipping to value instead of clipping each entry": '''
def clip_elementwise(grads, value):
    n = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    s = min(1.0, value / n)
    return {name: np.array(g, dtype=np.float64) * s for name, g in grads.items()}, 1.0
''',
    },
    "esn_readout": {
        "bias penalised too (ridge on the column of ones)": '''
def esn_readout(states, targets, ridge, washout):
    H, V = states.shape[2], targets.shape[2]
    Hs = states[:, washout:].reshape(-1, H)
    Ys = targets[:, washout:].reshape(-1, V)
    A = np.hstack([Hs, np.ones((len(Hs), 1))])
    sol = np.linalg.solve(A.T @ A + ridge * np.eye(H + 1), A.T @ Ys)
    return sol[:H], sol[H]
''',
        "washout ignored": _swap(_ESN, "states[:, washout:]", "states").replace(
            "targets[:, washout:]", "targets"),
        "washout off by one (keeps step washout - 1)": _swap(
            _ESN, "states[:, washout:]", "states[:, max(washout - 1, 0):]").replace(
            "targets[:, washout:]", "targets[:, max(washout - 1, 0):]"),
        "no intercept (targets not centred, b_out = 0)": '''
def esn_readout(states, targets, ridge, washout):
    H, V = states.shape[2], targets.shape[2]
    Hs = states[:, washout:].reshape(-1, H)
    Ys = targets[:, washout:].reshape(-1, V)
    W_out = np.linalg.solve(Hs.T @ Hs + ridge * np.eye(H), Hs.T @ Ys)
    return W_out, np.zeros(V)
''',
        "ridge ignored (plain least squares)": _swap(
            _ESN, "Hc.T @ Hc + ridge * np.eye(H)", "Hc.T @ Hc"),
        "bias is the mean of the targets (h_mean @ W_out left out)": _swap(
            _ESN, "b_out = y_mean - h_mean @ W_out", "b_out = y_mean"),
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "jacobian_norms": Spec("jacobian_norms"),
    "clip_global_norm": Spec("clip_global_norm", params={"max_norm": 1.0}),
    "clip_elementwise": Spec("clip_elementwise", params={"value": 1.0}),
    "esn_readout": Spec("esn_readout", params={"ridge": 0.0, "washout": 0}, excused={
        "aliased": "W_out (H, V) and b_out (V,) have fewer axes than every input (B, T, .): "
                   "no input can hold them"}),
}


# Correct answers computed by someone else (rnncourse, or a library the set excludes):
# the contract requires each to earn nothing, and to pass with the watch switched off.
DELEGATING: dict[str, dict[str, str]] = {
    "jacobian_norms": {"rnncourse": '''
from rnncourse.analysis import gradflow
def jacobian_norms(h, Wh):
    A = Wh * (1 - h**2)[:, :, None, :]                  # (B, T, H, H)
    return gradflow.jacobian_norms(gradflow.jacobian_products(A))[:, 1:]
''', "torch": '''
import torch
def jacobian_norms(h, Wh):
    B, T, H = h.shape
    J = torch.from_numpy(Wh)[None, None] * (1 - torch.from_numpy(h) ** 2)[:, :, None, :]
    prod, out = torch.eye(H, dtype=torch.float64).expand(B, H, H), []
    for k in range(1, T + 1):
        prod = J[:, T - k] @ prod
        out.append(torch.linalg.matrix_norm(prod, ord=2))
    return torch.stack(out, dim=1).numpy()
''', "scipy": '''
from scipy.linalg import svdvals
def jacobian_norms(h, Wh):
    B, T, H = h.shape
    norms = np.zeros((B, T))
    for b in range(B):
        prod = np.eye(H)
        for k in range(1, T + 1):
            prod = (Wh * (1.0 - h[b, T - k] ** 2)) @ prod
            norms[b, k - 1] = svdvals(prod)[0]
    return norms
'''},
    "clip_global_norm": {"rnncourse": '''
from rnncourse.scratch import optim
def clip_global_norm(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)
''', "torch": '''
import torch
def clip_global_norm(grads, max_norm):
    params = [torch.zeros(np.shape(g), dtype=torch.float64, requires_grad=True)
              for g in grads.values()]
    for p, g in zip(params, grads.values()):
        p.grad = torch.tensor(g, dtype=torch.float64)
    norm = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
    if norm <= max_norm:                      # torch scales by max_norm / (norm + 1e-6)
        return {k: np.array(g, dtype=np.float64) for k, g in grads.items()}, norm
    return {k: np.asarray(g, dtype=np.float64) * (max_norm / norm) for k, g in grads.items()}, norm
'''},
    "clip_elementwise": {"rnncourse": '''
from rnncourse.scratch import optim
def clip_elementwise(grads, value):
    clipped = optim.clip_elementwise(grads, value)
    a = np.concatenate([g.ravel() for g in grads.values()])
    b = np.concatenate([g.ravel() for g in clipped.values()])
    return clipped, float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
''', "torch": '''
import torch
def clip_elementwise(grads, value):
    clipped = {k: torch.clamp(torch.from_numpy(g), -value, value) for k, g in grads.items()}
    a = torch.cat([torch.from_numpy(g).reshape(-1) for g in grads.values()])
    b = torch.cat([clipped[k].reshape(-1) for k in grads])
    cos = torch.nn.functional.cosine_similarity(a, b, dim=0)
    return {k: c.numpy() for k, c in clipped.items()}, float(cos)
''', "scipy": '''
from scipy.spatial import distance
def clip_elementwise(grads, value):
    clipped = {k: np.minimum(np.maximum(g, -value), value) for k, g in grads.items()}
    a = np.concatenate([g.ravel() for g in grads.values()])
    b = np.concatenate([g.ravel() for g in clipped.values()])
    return clipped, float(1.0 - distance.cosine(a, b))
'''},
    "esn_readout": {"rnncourse": '''
from rnncourse.classical import ridge as _ridge
def esn_readout(states, targets, ridge, washout):
    n, v = states.shape[-1], targets.shape[-1]
    return _ridge.ridge_readout(states[:, washout:].reshape(-1, n),
                                targets[:, washout:].reshape(-1, v), lam=ridge)
''', "scikit-learn": '''
from sklearn.linear_model import Ridge
def esn_readout(states, targets, ridge, washout):
    n, v = states.shape[-1], targets.shape[-1]
    model = Ridge(alpha=ridge).fit(states[:, washout:].reshape(-1, n),
                                   targets[:, washout:].reshape(-1, v))
    W = np.array(model.coef_, dtype=np.float64).reshape(v, n).T.copy()   # (H,) when V = 1
    return W, np.array(model.intercept_, dtype=np.float64).reshape(v)
''', "scipy": '''
import scipy.linalg
def esn_readout(states, targets, ridge, washout):
    n, v = states.shape[-1], targets.shape[-1]
    S, Y = states[:, washout:].reshape(-1, n), targets[:, washout:].reshape(-1, v)
    Sc, Yc = S - S.mean(axis=0), Y - Y.mean(axis=0)
    W = scipy.linalg.solve(Sc.T @ Sc + ridge * np.eye(n), Sc.T @ Yc, assume_a="pos")
    return W, Y.mean(axis=0) - S.mean(axis=0) @ W
'''},
}
