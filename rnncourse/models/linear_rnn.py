"""Linear recurrences in torch (Chapter 10): the scan, and the layers built on it.

Every layer here updates its state elementwise and linearly, h_t = a_t * h_{t-1} + b_t
(`scratch.scan` in NumPy), with a_t and b_t computed from the input alone, never from the
previous state. That is what lets a whole sequence be computed at once: `scan` runs the
recurrence by recursive doubling (ceil(log2 T) rounds of elementwise products, autograd
through them) or as a loop (its backward the same loop run backwards in time, written out),
with the same result. Each layer has `forward` (parallel, the
scan) and `step` (one time step), tested against each other.

    scan        h_t = a_t * h_{t-1} + b_t over axis 1, "parallel" or "loop"; real or complex
    LRU         Orvieto et al. (2023)'s linear recurrent unit: a diagonal complex recurrence
                lambda = exp(-exp(nu) + i exp(theta)) initialised on a ring
                r_min <= |lambda| <= r_max, the input scaled by gamma = sqrt(1 - |lambda|^2),
                the output Re(h_t C) + D x_t
    GatedLinearRNN  the diagonal linear RNN of the state-tracking experiments: decays
                a_t = sigmoid(x_t W_a + c) in (0, 1) ("positive") or 2 sigmoid(.) - 1 in
                (-1, 1) ("signed", Grazzi et al. 2025), inputs b_t = x_t W_b
    MinGRU      Feng et al. (2024)'s minGRU: z_t = sigmoid(x_t W_z + b_z),
                h~_t = x_t W_h + b_h, h_t = (1 - z_t) * h_{t-1} + z_t * h~_t
    DiagonalSSM a diagonal state space discretised with the zero-order hold: per channel d
                and state n, A_dn = -exp(a_log_dn), step size Delta, and
                h_t = exp(Delta A) * h_{t-1} + Delta B x_t, y_t = C h_t + D x_t (Mamba's
                simplified input term). `selective=False`: Delta, B, C are parameters, the
                same at every step (time-invariant, S4D-like); `selective=True`: Delta_t,
                B_t, C_t are computed from x_t (Gu & Dao's selection)

Shapes are batch first (`book/notation`): x (B, T, D), states (B, H) or (B, D, N).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def _check_pair(func: str, a: Tensor, b: Tensor, h0: Tensor | None) -> None:
    if a.dim() < 2 or a.shape != b.shape:
        raise ValueError(f"{func}: `a` and `b` must have the same shape (B, T, ...), got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}.")
    if h0 is not None and tuple(h0.shape) != (a.shape[0], *a.shape[2:]):
        raise ValueError(f"{func}: `h0` must have shape (B, ...) = "
                         f"{(a.shape[0], *a.shape[2:])}, got {tuple(h0.shape)}.")


def scan(a: Tensor, b: Tensor, h0: Tensor | None = None, method: str = "parallel") -> Tensor:
    """Every state of h_t = a_t * h_{t-1} + b_t, time on axis 1: a, b (B, T, ...),
    h0 (B, ...) or None (zeros). "parallel": Hillis-Steele recursive doubling, out of place
    so autograd differentiates it; "loop": one step at a time. Same result either way."""
    _check_pair("scan", a, b, h0)
    if method not in ("parallel", "loop"):
        raise ValueError(f"scan: `method` must be 'parallel' or 'loop', got {method!r}.")
    if h0 is not None:
        b = torch.cat([b[:, :1] + a[:, :1] * h0[:, None], b[:, 1:]], 1)
    if method == "loop":
        return _LoopScan.apply(a, b)
    T, d = b.shape[1], 1
    while d < T:
        b = torch.cat([b[:, :d], a[:, d:] * b[:, :-d] + b[:, d:]], 1)
        a = torch.cat([a[:, :d], a[:, d:] * a[:, :-d]], 1)
        d *= 2
    return b


def _loop(a: Tensor, b: Tensor) -> Tensor:
    """h_t = a_t * h_{t-1} + b_t from h_0 = 0, one step after another, without a graph."""
    h = torch.empty_like(b)
    state = torch.zeros_like(b[:, 0])
    for t in range(b.shape[1]):
        state = a[:, t] * state + b[:, t]
        h[:, t] = state
    return h


class _LoopScan(torch.autograd.Function):
    """The loop with its backward written out (scratch.scan.scan_backward): the gradient
    g_t = dh_t + conj(a_{t+1}) g_{t+1} is the same recurrence run backwards, then
    db = g and da_t = g_t conj(h_{t-1}) (PyTorch's convention for complex tensors). Two
    loops of T small steps, instead of autograd's graph of T steps."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> Tensor:
        a, b = torch.broadcast_tensors(a, b)
        h = _loop(a, b)
        ctx.save_for_backward(a, h)
        return h

    @staticmethod
    def backward(ctx, dh: Tensor) -> tuple[Tensor, Tensor]:
        a, h = ctx.saved_tensors
        a_next = torch.cat([a[:, 1:], torch.zeros_like(a[:, :1])], 1).conj()
        g = _loop(a_next.flip(1), dh.flip(1)).flip(1)
        h_prev = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], 1)
        return g * h_prev.conj(), g


def _check_x(name: str, x: Tensor, D: int) -> Tensor:
    x = torch.as_tensor(x)
    if x.dim() != 3 or x.shape[-1] != D:
        raise ValueError(f"{name}: `x` must have shape (B, T, D={D}), got {tuple(x.shape)}.")
    return x


class LRU(nn.Module):
    """Orvieto et al.'s linear recurrent unit, D inputs and outputs, H complex states.

    h_t = lambda * h_{t-1} + gamma * (x_t B), y_t = Re(h_t C) + x_t * D_skip, with
    lambda = exp(-exp(nu) + i exp(theta)): |lambda| = exp(-exp(nu)) < 1 always, and the
    phase exp(theta) > 0. Initialisation: |lambda| uniform on the ring [r_min, r_max] (by
    area, as in the paper), phase uniform in [0, max_phase]; B and C complex Gaussian
    scaled by 1/sqrt(2 D) and 1/sqrt(H); gamma = sqrt(1 - |lambda|^2), the normalisation
    that keeps the state's variance that of the input as |lambda| -> 1.
    """

    def __init__(self, D: int, H: int, r_min: float = 0.0, r_max: float = 1.0,
                 max_phase: float = 2 * math.pi) -> None:
        super().__init__()
        if not 0.0 <= r_min < r_max <= 1.0:
            raise ValueError(f"LRU: need 0 <= r_min < r_max <= 1, got r_min={r_min}, "
                             f"r_max={r_max}.")
        self.D, self.H = D, H
        u1, u2 = torch.rand(H), torch.rand(H)
        self.nu_log = nn.Parameter(torch.log(-0.5 * torch.log(u1 * (r_max**2 - r_min**2)
                                                              + r_min**2)))
        self.theta_log = nn.Parameter(torch.log(max_phase * u2))
        mag = torch.exp(-torch.exp(self.nu_log.detach()))
        self.gamma_log = nn.Parameter(torch.log(torch.sqrt(1 - mag**2)))
        self.B_re = nn.Parameter(torch.randn(D, H) / math.sqrt(2 * D))
        self.B_im = nn.Parameter(torch.randn(D, H) / math.sqrt(2 * D))
        self.C_re = nn.Parameter(torch.randn(H, D) / math.sqrt(H))
        self.C_im = nn.Parameter(torch.randn(H, D) / math.sqrt(H))
        self.D_skip = nn.Parameter(torch.randn(D))

    def eigenvalues(self) -> Tensor:
        """lambda (H,), complex."""
        return torch.polar(torch.exp(-torch.exp(self.nu_log)), torch.exp(self.theta_log))

    def _inputs(self, x: Tensor) -> Tensor:
        B = torch.complex(self.B_re, self.B_im)                         # (D, H) complex
        return torch.exp(self.gamma_log) * (x.to(B.dtype) @ B)

    def _read(self, h: Tensor, x: Tensor) -> Tensor:
        C = torch.complex(self.C_re, self.C_im).to(h.dtype)
        return (h @ C).real + x * self.D_skip

    def forward(self, x: Tensor, h0: Tensor | None = None, method: str = "parallel"
                ) -> tuple[Tensor, Tensor]:
        """x (B, T, D) -> (y (B, T, D), h_T (B, H) complex)."""
        x = _check_x("LRU", x, self.D)
        b = self._inputs(x)
        lam = self.eigenvalues().to(b.dtype).expand_as(b)
        h = scan(lam, b, h0, method)
        return self._read(h, x), h[:, -1]

    def step(self, x_t: Tensor, h: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """One step: x_t (B, D), h (B, H) complex or None -> (y_t (B, D), new h)."""
        b = self._inputs(x_t)
        h = b if h is None else self.eigenvalues().to(b.dtype) * h + b
        return self._read(h, x_t), h


class _GatedByInput(nn.Module):
    """A layer h_t = a_t * h_{t-1} + b_t whose (a_t, b_t) = self.coefficients(x_t) come from
    the input alone: its parallel form (the scan) and its step, written once."""

    D: int

    def forward(self, x: Tensor, h0: Tensor | None = None, method: str = "parallel"
                ) -> tuple[Tensor, Tensor]:
        """x (B, T, D) -> (h (B, T, H), h_T (B, H))."""
        a, b = self.coefficients(_check_x(type(self).__name__, x, self.D))
        h = scan(a, b, h0, method)
        return h, h[:, -1]

    def step(self, x_t: Tensor, h: Tensor | None = None) -> tuple[Tensor, Tensor]:
        a, b = self.coefficients(x_t)
        h = b if h is None else a * h + b
        return h, h


EIGENVALUES = ("positive", "signed")


class GatedLinearRNN(_GatedByInput):
    """A diagonal linear RNN whose decays are computed from the input: D inputs, H states,
    h_t = a_t * h_{t-1} + x_t W_b with a_t = sigmoid(x_t W_a + c) when `eigenvalues` is
    "positive" (each a_t in (0, 1), as in Mamba's exp(Delta A) or minGRU's 1 - z_t) and
    a_t = 2 sigmoid(x_t W_a + c) - 1 when it is "signed" (in (-1, 1): a state can flip its
    sign, Grazzi et al.'s extension). a_t is the eigenvalue of the step's diagonal
    transition, so the two differ only in the range the eigenvalues may take. b_t has no
    bias, so tokens with x_t W_b = 0 only rescale the state."""

    def __init__(self, D: int, H: int, eigenvalues: str = "positive") -> None:
        super().__init__()
        if eigenvalues not in EIGENVALUES:
            raise ValueError(f"GatedLinearRNN: `eigenvalues` must be one of {EIGENVALUES}, "
                             f"got {eigenvalues!r}.")
        self.D, self.H, self.eigenvalues = D, H, eigenvalues
        self.decay = nn.Linear(D, H)
        self.write = nn.Linear(D, H, bias=False)

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        s = torch.sigmoid(self.decay(x))
        return (s if self.eigenvalues == "positive" else 2 * s - 1), self.write(x)


class MinGRU(_GatedByInput):
    """Feng et al.'s minGRU: the GRU with its gates and candidate computed from x_t alone
    (no reset gate, no h_{t-1} inside), so its recurrence is linear in h."""

    def __init__(self, D: int, H: int) -> None:
        super().__init__()
        self.D, self.H = D, H
        self.gate = nn.Linear(D, H)
        self.candidate = nn.Linear(D, H)

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = torch.sigmoid(self.gate(x))
        return 1 - z, z * self.candidate(x)


class DiagonalSSM(nn.Module):
    """A diagonal state space with N states per channel, zero-order-hold discretised.

    Per channel d and state n: A_dn = -exp(a_log_dn) < 0 (initialised to -(n + 1), S4D-real),
    a_bar = exp(Delta_d A_dn) in (0, 1), and the input term Delta_d B_n x_d (Mamba's
    simplification of the exact hold, ((exp(Delta A) - 1) / A) B). Time-invariant
    (`selective=False`): Delta = softplus(dt) per channel, B and C (N,) parameters.
    Selective: Delta_t = softplus(x_t W_dt + dt), B_t = x_t W_B, C_t = x_t W_C, so the
    input decides at every step how much of the state to keep and what to write.
    State (B, D, N); y_t,d = sum_n C_n h_t,dn + D_skip_d x_t,d.
    """

    def __init__(self, D: int, N: int = 8, selective: bool = True,
                 dt_range: tuple[float, float] = (1e-3, 1e-1)) -> None:
        super().__init__()
        self.D, self.N, self.selective = D, N, selective
        self.a_log = nn.Parameter(torch.log(torch.arange(1, N + 1, dtype=torch.float32)
                                            ).repeat(D, 1))
        lo, hi = dt_range
        dt = torch.exp(torch.rand(D) * (math.log(hi) - math.log(lo)) + math.log(lo))
        self.dt = nn.Parameter(dt + torch.log(-torch.expm1(-dt)))      # softplus^-1(dt)
        self.D_skip = nn.Parameter(torch.ones(D))
        if selective:
            self.W_dt = nn.Linear(D, D, bias=False)
            self.W_B = nn.Linear(D, N, bias=False)
            self.W_C = nn.Linear(D, N, bias=False)
        else:
            self.B = nn.Parameter(torch.randn(N) / math.sqrt(N))
            self.C = nn.Parameter(torch.randn(N) / math.sqrt(N))

    def A(self) -> Tensor:
        return -torch.exp(self.a_log)                                   # (D, N)

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """For x (..., D): a_bar (..., D, N), the input term (..., D, N), C (..., N)."""
        if self.selective:
            delta = nn.functional.softplus(self.W_dt(x) + self.dt)      # (..., D)
            B, C = self.W_B(x), self.W_C(x)                             # (..., N)
        else:
            delta = nn.functional.softplus(self.dt).expand(x.shape)
            B, C = self.B.expand(*x.shape[:-1], self.N), self.C.expand(*x.shape[:-1], self.N)
        a_bar = torch.exp(delta[..., None] * self.A())
        return a_bar, (delta * x)[..., None] * B[..., None, :], C

    def forward(self, x: Tensor, h0: Tensor | None = None, method: str = "parallel"
                ) -> tuple[Tensor, Tensor]:
        """x (B, T, D) -> (y (B, T, D), h_T (B, D, N))."""
        x = _check_x("DiagonalSSM", x, self.D)
        a, b, C = self.coefficients(x)
        h = scan(a, b, h0, method)                                      # (B, T, D, N)
        return (h * C[:, :, None, :]).sum(-1) + self.D_skip * x, h[:, -1]

    def step(self, x_t: Tensor, h: Tensor | None = None) -> tuple[Tensor, Tensor]:
        a, b, C = self.coefficients(x_t)
        h = b if h is None else a * h + b
        return (h * C[:, None, :]).sum(-1) + self.D_skip * x_t, h
