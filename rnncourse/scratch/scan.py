"""One linear recurrence, four ways (Chapter 10).

The recurrence of every model in Chapter 10 is elementwise and linear in the state,

    h_t = a_t * h_{t-1} + b_t,        t = 1, ..., T,

with a: (B, T, H) the decays (real, or complex for a rotating state), b: (B, T, H) the
inputs and h0: (B, H) the state before the first step (zeros if omitted). Each form below
returns every state h: (B, T, H), h[:, t-1] being h_t as in `book/notation`.

    scan_loop        the definition, one step after another: T sequential steps, T
                     multiply-adds per channel
    combine          the associative operator: the pair (a, b) stands for the map
                     h -> a * h + b, and combine(first, second) is that map's composition
    scan_hillis_steele  an inclusive scan in ceil(log2 T) rounds of T combines (more work,
                     fewest rounds)
    scan_blelloch    the work-efficient scan: an up-sweep and a down-sweep, about 2T
                     combines in 2 log2 T rounds
    scan_log_space   for positive decays: h_t = sum_s exp(A_t - A_s) b_s with A = cumsum(log a),
                     two cumulative sums (the sign of b is kept by splitting it)
    scan_chunked     chunks of C steps: inside each chunk a C x C lower-triangular matrix of
                     decay products times the inputs (all chunks at once), then the
                     recurrence across the T / C chunk boundaries
    scan_backward    the gradient: a linear recurrence of the same kind, run backwards
    scan_work        the multiply-adds and sequential rounds each form needs

Folding the initial state into the first input (b_1 + a_1 h_0) lets every form start from
zero. All forms agree to float64 rounding (the log-space form to about |sum log a|
machine epsilons); `tests/scratch/test_scan.py` checks them against
the loop, including decays near 0 and near 1, and the backward against finite differences.
"""

from __future__ import annotations

import math

import numpy as np

from rnncourse.shapes import Shapes, check_upstream

METHODS = ("loop", "hillis_steele", "blelloch", "log_space", "chunked")


def _check(func: str, a, b, h0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check (a, b, h0); return them as arrays, h0 zeros of b's dtype when None."""
    shp = Shapes(func)
    a = shp.check("a", a, "B T H")
    b = shp.check("b", b, "B T H")
    if h0 is None:
        h0 = np.zeros((shp["B"], shp["H"]), dtype=np.result_type(a, b))
    else:
        h0 = shp.check("h0", h0, "B H")
    if shp["T"] == 0:
        raise ValueError(f"{func}: `a` and `b` need at least one time step (T >= 1), got T=0.")
    return a, b, h0


def _folded(a: np.ndarray, b: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """b with the initial state folded into its first step: b_1 + a_1 * h_0 (a new array)."""
    dtype = np.result_type(a, b, h0, np.float64)
    out = np.array(b, dtype=dtype, copy=True)
    out[:, 0] = out[:, 0] + a[:, 0] * h0
    return out


def scan_loop(a, b, h0=None) -> np.ndarray:
    """The recurrence by its definition: h_t = a_t * h_{t-1} + b_t, one step at a time."""
    a, b, h0 = _check("scan_loop", a, b, h0)
    h = np.empty(b.shape, dtype=np.result_type(a, b, h0, np.float64))
    prev = h0
    for t in range(b.shape[1]):
        prev = a[:, t] * prev + b[:, t]
        h[:, t] = prev
    return h


def combine(first: tuple, second: tuple) -> tuple:
    """Compose two affine maps: first (a1, b1), then second (a2, b2).

    h -> a2 * (a1 * h + b1) + b2 = (a2 * a1) * h + (a2 * b1 + b2). The operator is
    associative (combine(combine(x, y), z) == combine(x, combine(y, z))) but not
    commutative, which is all a parallel scan needs.
    """
    a1, b1 = first
    a2, b2 = second
    return a2 * a1, a2 * b1 + b2


def scan_hillis_steele(a, b, h0=None) -> np.ndarray:
    """Inclusive scan by recursive doubling: in round k every position combines with the one
    2^k steps earlier, so after ceil(log2 T) rounds position t holds the map of steps 1..t."""
    a, b, h0 = _check("scan_hillis_steele", a, b, h0)
    A, Bv = np.array(a, dtype=np.result_type(a, np.float64)), _folded(a, b, h0)
    T, d = b.shape[1], 1
    while d < T:
        A_new, B_new = combine((A[:, :-d], Bv[:, :-d]), (A[:, d:], Bv[:, d:]))
        A = np.concatenate([A[:, :d], A_new], axis=1)
        Bv = np.concatenate([Bv[:, :d], B_new], axis=1)
        d *= 2
    return Bv


def scan_blelloch(a, b, h0=None) -> np.ndarray:
    """Work-efficient scan (Blelloch 1990): pad to a power of two with the identity map
    (a = 1, b = 0); the up-sweep leaves the map of each aligned block at the block's last
    position, the down-sweep turns them into exclusive prefixes; one more combine per
    position makes them inclusive."""
    a, b, h0 = _check("scan_blelloch", a, b, h0)
    B, T, H = b.shape
    n = 1 << max(T - 1, 0).bit_length()
    dtype_a = np.result_type(a, np.float64)
    bf = _folded(a, b, h0)
    A = np.ones((B, n, H), dtype=dtype_a)
    Bv = np.zeros((B, n, H), dtype=bf.dtype)
    A[:, :T], Bv[:, :T] = a, bf
    levels = n.bit_length() - 1
    for lvl in range(levels):                        # up-sweep
        half, stride = 1 << lvl, 2 << lvl
        right = np.arange(stride - 1, n, stride)
        left = right - half
        A[:, right], Bv[:, right] = combine((A[:, left], Bv[:, left]), (A[:, right], Bv[:, right]))
    A[:, n - 1], Bv[:, n - 1] = 1, 0                 # the identity: nothing comes before
    for lvl in reversed(range(levels)):              # down-sweep
        half, stride = 1 << lvl, 2 << lvl
        right = np.arange(stride - 1, n, stride)
        left = right - half
        block = (A[:, left].copy(), Bv[:, left].copy())
        A[:, left], Bv[:, left] = A[:, right], Bv[:, right]
        A[:, right], Bv[:, right] = combine((A[:, right], Bv[:, right]), block)
    # exclusive prefix of step t, then step t itself; the prefix applied to h = 0 is its b
    return combine((A[:, :T], Bv[:, :T]), (a, bf))[1]


def scan_log_space(a, b, h0=None) -> np.ndarray:
    """For decays a > 0: with A_t = log a_1 + ... + log a_t,

        h_t = sum_{s <= t} exp(A_t - A_s) b_s = exp(A_t) * sum_{s <= t} exp(log b_s - A_s),

    and the inner sum is a cumulative log-sum-exp, so no product of decays under- or
    overflows. b of either sign is split into its positive and negative parts. The price is
    precision: the exponent adds two numbers of size about |A_t|, so h_t is accurate to
    about |A_t| machine epsilons of its size rather than to the last bit.
    """
    a, b, h0 = _check("scan_log_space", a, b, h0)
    if np.iscomplexobj(a) or np.iscomplexobj(b) or np.iscomplexobj(h0):
        raise TypeError("scan_log_space: `a`, `b` and `h0` must be real.")
    if not np.all(a > 0):
        where = tuple(int(i) for i in np.argwhere(~(a > 0))[0])
        raise ValueError(f"scan_log_space: every decay in `a` must be positive (the log of a "
                         f"product), but a[{', '.join(map(str, where))}] = {a[where]}.")
    bf = _folded(a, b, h0)
    logA = np.cumsum(np.log(a), axis=1)
    h = np.zeros_like(bf)
    with np.errstate(divide="ignore"):
        for sign, part in ((1.0, np.maximum(bf, 0.0)), (-1.0, np.maximum(-bf, 0.0))):
            if np.any(part > 0):
                log_sum = np.logaddexp.accumulate(np.log(part) - logA, axis=1)
                h += sign * np.exp(logA + log_sum)
    return h


def _decay_products(a_chunks: np.ndarray) -> np.ndarray:
    """M[..., i, j, :] = a_{j+1} * ... * a_i for j <= i (1 on the diagonal, 0 above it), for
    chunks a_chunks: (..., C, H). Built by cumulative products down each column, with no
    division, so decays of 0 or of either sign are exact."""
    C = a_chunks.shape[-2]
    below = np.tril(np.ones((C, C), dtype=bool), k=-1)       # i > j
    factors = np.where(below[:, :, None], a_chunks[..., :, None, :], 1)  # [..., i, j, :]
    M = np.cumprod(factors, axis=-3)
    return M * np.tril(np.ones((C, C)))[:, :, None]


def scan_chunked(a, b, h0=None, chunk: int = 64) -> np.ndarray:
    """Chunks of `chunk` steps (the structure of Mamba-2's chunked algorithm, for a diagonal
    decay): within every chunk, h = M @ b with M the chunk's lower-triangular matrix of decay
    products (a small quadratic form, all chunks at once); then the state entering each
    chunk by the recurrence across chunk boundaries (T / chunk sequential steps); finally
    each chunk's states get that entering state times the cumulative decay."""
    a, b, h0 = _check("scan_chunked", a, b, h0)
    if not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"scan_chunked: `chunk` must be a positive integer, got {chunk!r}.")
    B, T, H = b.shape
    C = min(int(chunk), T)
    n = -(-T // C)
    pad = n * C - T
    dtype = np.result_type(a, b, h0, np.float64)
    a_p = np.concatenate([a, np.ones((B, pad, H), dtype=a.dtype)], axis=1).reshape(B, n, C, H)
    b_p = np.concatenate([b, np.zeros((B, pad, H), dtype=b.dtype)], axis=1).reshape(B, n, C, H)
    h = np.empty((B, n, C, H), dtype=dtype)
    decay = np.cumprod(a_p, axis=2)                           # a_1 ... a_i within the chunk
    # groups of chunks at a time, so M (B, g, C, C, H) stays within about 2^22 numbers
    group = max(1, (1 << 22) // max(1, B * C * C * H))
    for g0 in range(0, n, group):
        sl = slice(g0, g0 + group)
        M = _decay_products(a_p[:, sl])
        h[:, sl] = np.einsum("bnijh,bnjh->bnih", M, b_p[:, sl])   # from a zero state
    state = h0.astype(dtype)
    for c in range(n):                                         # across chunk boundaries
        h[:, c] += decay[:, c] * state[:, None, :]
        state = h[:, c, -1]
    return h.reshape(B, n * C, H)[:, :T]


def linear_scan(a, b, h0=None, method: str = "loop", chunk: int = 64) -> np.ndarray:
    """h_t = a_t * h_{t-1} + b_t by one of METHODS (all give the same states)."""
    forms = {"loop": scan_loop, "hillis_steele": scan_hillis_steele,
             "blelloch": scan_blelloch, "log_space": scan_log_space}
    if method == "chunked":
        return scan_chunked(a, b, h0, chunk=chunk)
    if method not in forms:
        raise ValueError(f"linear_scan: `method` must be one of {', '.join(METHODS)}, "
                         f"got {method!r}.")
    return forms[method](a, b, h0)


def scan_backward(a, h, h0, dh) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss L through h = linear_scan(a, b, h0), for real a, b, h0.

    dh: (B, T, H), dL/dh_t from everything that reads h_t directly. The total gradient
    reaching h_t, g_t = dh_t + a_{t+1} * g_{t+1} (g_T = dh_T), is the same recurrence run
    backwards in time, so it is as parallel as the forward pass. Then
    dL/db_t = g_t, dL/da_t = g_t * h_{t-1} and dL/dh_0 = a_1 * g_1.
    Returns (da, db, dh0).
    """
    shp = Shapes("scan_backward")
    a = shp.check("a", a, "B T H")
    h = shp.check("h", h, "B T H")
    h0 = shp.check("h0", h0, "B H")
    dh = check_upstream("scan_backward", "dh", dh, h, "B T H")
    if any(np.iscomplexobj(x) for x in (a, h, h0, dh)):
        raise TypeError("scan_backward: real arrays only (a complex state has two real "
                        "halves; differentiate those).")
    a_next = np.concatenate([a[:, 1:], np.zeros_like(a[:, :1])], axis=1)  # a_{t+1}, 0 at T
    g = scan_loop(a_next[:, ::-1], dh[:, ::-1])[:, ::-1]
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    return g * h_prev, g.copy(), a[:, 0] * g[:, 0]


def scan_work(T: int, method: str, chunk: int = 64) -> dict:
    """Multiply-adds per channel (one combine counts as its 3 multiplies and 1 add, one
    loop step as 1 multiply and 1 add) and sequential rounds of each form for T steps.

    loop: 2T operations in T rounds. Hillis-Steele: sum over rounds of (T - 2^k) combines,
    about T log2 T, in ceil(log2 T) rounds. Blelloch (padded to n = 2^ceil(log2 T)): n - 1
    combines up, n - 1 down, T to finish, in 2 log2 n + 1 rounds. log_space: a cumulative
    sum and two cumulative log-sum-exps, O(T) with an exp and a log per step, each a
    sequential accumulate. chunked: C(C+1)/2 multiply-adds per step of the chunk's
    triangle, its products, and T / C sequential boundary steps.
    """
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"scan_work: `T` must be a positive integer, got {T!r}.")
    T = int(T)
    if method == "loop":
        return {"ops": 2 * T, "rounds": T}
    if method == "hillis_steele":
        rounds = math.ceil(math.log2(T)) if T > 1 else 0
        return {"ops": 4 * sum(T - (1 << k) for k in range(rounds)), "rounds": rounds}
    if method == "blelloch":
        n = 1 << max(T - 1, 0).bit_length()
        levels = n.bit_length() - 1
        return {"ops": 4 * (2 * (n - 1) + T), "rounds": 2 * levels + 1}
    if method == "log_space":
        return {"ops": 7 * T, "rounds": 3 * T}
    if method == "chunked":
        C = min(int(chunk), T)
        n = -(-T // C)
        tri = C * (C + 1) // 2
        return {"ops": n * (2 * tri + tri + C + 2 * C), "rounds": C + n}
    raise ValueError(f"scan_work: `method` must be one of {', '.join(METHODS)}, got {method!r}.")
