"""How a gradient travels back through a vanilla RNN: Jacobian products, norms per lag, clipping.

What this is: the NumPy tools of notebook 02 (why RNNs forget). The gradient that reaches the
state k steps back is a product of k step Jacobians, dh_t/dh_(t-1) = diag(act'(a_t)) W_hh; this
module builds those Jacobians from an `RNNTrace`, multiplies them, and measures their size per
lag, next to the two numbers that govern it: the spectral radius and the largest singular
value of W_hh. It also holds the NumPy reference of gradient clipping by global norm and the
linear read-out used to ask how much of an old input a state still holds.
What this is not: a training tool. NumPy only; it imports `cells` and nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, as_generator, check_array, check_choice, check_number, check_positive_int
from .cells import NONLINEARITIES, RNNTrace, Weights, _activation_grad, _check_weights, rnn_forward

MATRIX_KINDS = ("gaussian", "orthogonal")


def _square(W, name: str = "W") -> np.ndarray:
    W = check_array(W, name, ("H", "H"),
                    hint="A recurrent matrix maps the state to the state, so it is square (H, H).")
    return W


# --------------------------------------------------------------------------- the two numbers

def spectral_radius(W) -> float:
    """rho(W) = max |eigenvalue|: the long-run growth rate of ||W^k|| per step (introduced in 02)."""
    W = _square(W)
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def largest_singular_value(W) -> float:
    """sigma_max(W) = ||W||_2: the most W can stretch any one vector in a single step (introduced in 02)."""
    W = _square(W)
    return float(np.linalg.norm(W, ord=2))


def recurrent_matrix(hidden_size: int, radius: float, *, kind: str = "gaussian", seed=None) -> np.ndarray:
    """A random (H, H) matrix scaled so that its spectral radius is exactly `radius`.

    kind="gaussian" draws i.i.d. normal entries (then sigma_max is about twice rho);
    kind="orthogonal" draws a random orthogonal matrix (then every singular value equals rho).
    The same seed gives the same matrix up to scale, so only `radius` changes with the slider.
    """
    H = check_positive_int(hidden_size, "hidden_size")
    radius = check_number(radius, "radius", low=0.0)
    check_choice(kind, "kind", MATRIX_KINDS)
    rng = as_generator(seed)
    A = rng.standard_normal((H, H))  # (H, H)
    if kind == "orthogonal":
        Q, R = np.linalg.qr(A)
        # fix the signs so that Q is uniformly distributed over orthogonal matrices
        A = Q * np.sign(np.diag(R))
    # W = radius * A / rho(A)
    return radius * A / spectral_radius(A)


# --------------------------------------------------------------------------- Jacobians through time

def step_jacobians(trace: RNNTrace, w: Weights) -> np.ndarray:
    """The Jacobian of every step, dh_t/dh_(t-1) = diag(act'(a_t)) W_hh, as an array (B, T, H, H)."""
    w = _check_weights(w, "rnn")
    trace = _check_trace(trace, w)
    d = _activation_grad(trace.a, trace.h, trace.nonlinearity)  # (B, T, H): act'(a_t)
    # J_t = diag(act'(a_t)) W_hh: row j of W_hh scaled by act'(a_t)_j
    return d[..., :, None] * w.W_hh  # (B, T, H, H)


def jacobian_products(trace: RNNTrace, w: Weights) -> np.ndarray:
    """dh_T/dh_(T-k) for every lag k = 0 .. T, as an array (B, T+1, H, H); lag T is dh_T/dh_0.

    dh_T/dh_(T-k) = J_T J_(T-1) ... J_(T-k+1), a product of k step Jacobians (lag 0 is the identity).
    """
    J = step_jacobians(trace, w)  # (B, T, H, H); J[:, s] is the Jacobian of step s + 1
    B, T, H, _ = J.shape
    P = np.empty((B, T + 1, H, H))
    P[:, 0] = np.eye(H)
    for k in range(1, T + 1):
        # dh_T/dh_(T-k) = dh_T/dh_(T-k+1) @ J_(T-k+1)
        P[:, k] = P[:, k - 1] @ J[:, T - k]  # (B, H, H)
    return P


def gradient_norms(trace: RNNTrace, w: Weights, norm: str = "spectral") -> np.ndarray:
    """||dh_T/dh_(T-k)|| for k = 0 .. T, shape (B, T+1): how much a gradient at step T can reach back k steps.

    norm="spectral" is the largest singular value (the most any gradient at h_T can keep);
    norm="frobenius" is the root of the sum of squares of the entries.
    """
    check_choice(norm, "norm", ("spectral", "frobenius"))
    P = jacobian_products(trace, w)  # (B, T+1, H, H)
    if norm == "frobenius":
        return np.sqrt((P**2).sum(axis=(-2, -1)))
    return np.linalg.norm(P, ord=2, axis=(-2, -1))


def backprop_norms(trace: RNNTrace, w: Weights, dh_T) -> np.ndarray:
    """||dL/dh_(T-k)|| for k = 0 .. T, shape (B, T+1), for a loss whose gradient at the last state is dh_T (B, H).

    This is BPTT with the loss at the last step only: dL/dh_(t-1) = dL/dh_t @ J_t.
    """
    w = _check_weights(w, "rnn")
    trace = _check_trace(trace, w)
    B, T, H = trace.h.shape
    g = check_array(dh_T, "dh_T", ("B", "H"), {"B": B, "H": H}).copy()  # (B, H)
    d = _activation_grad(trace.a, trace.h, trace.nonlinearity)  # (B, T, H)
    out = np.empty((B, T + 1))
    out[:, 0] = np.linalg.norm(g, axis=1)
    for k in range(1, T + 1):
        # dL/dh_(T-k) = (dL/dh_(T-k+1) * act'(a_(T-k+1))) @ W_hh
        g = (g * d[:, T - k]) @ w.W_hh  # (B, H)
        out[:, k] = np.linalg.norm(g, axis=1)
    return out


def log_slope(norms, start: int = 0, stop: int | None = None) -> float:
    """The least-squares slope of log(norm) against lag over lags start .. stop-1: log of the rate per step.

    `norms` is one curve (L,) or a batch (B, L) whose log-norms are averaged over the batch first.
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim not in (1, 2):
        raise LessonError(f"norms should be one curve (L,) or a batch of curves (B, L); got shape {norms.shape}.")
    if np.any(norms <= 0):
        raise LessonError("norms should all be positive to take their logarithm; a zero norm means the "
                          "gradient died completely (for example every ReLU unit off).")
    logs = np.log(norms)
    logs = logs.mean(axis=0) if logs.ndim == 2 else logs  # (L,)
    L = logs.shape[0]
    stop = L if stop is None else stop
    if not (0 <= start < stop <= L) or stop - start < 2:
        raise LessonError(f"the fit needs at least two lags in [start, stop) within 0 .. {L}; "
                          f"got start = {start}, stop = {stop}.")
    lags = np.arange(start, stop)
    # slope = cov(k, log norm) / var(k)
    return float(np.polyfit(lags, logs[start:stop], 1)[0])


def _check_trace(trace, w) -> RNNTrace:
    if not isinstance(trace, RNNTrace):
        raise LessonError(f"trace should be the RNNTrace that cells.rnn_forward returned; got {type(trace).__name__}.")
    if trace.h.shape[2] != w.hidden_size:
        raise LessonError(f"the trace has hidden size {trace.h.shape[2]} but the weights have hidden size "
                          f"{w.hidden_size}; pass the weights the trace was computed with.")
    return trace


# --------------------------------------------------------------------------- one call for the figures and the widget

@dataclass
class LagProfile:
    """Gradient norm per lag of one random RNN: what notebook 02's figures and widget draw."""

    radius: float  # spectral radius of W_hh
    sigma_max: float  # largest singular value of W_hh
    nonlinearity: str
    norms: np.ndarray  # (B, T+1): ||dh_T/dh_(T-k)||_2 for each sequence of the batch
    typical: np.ndarray  # (T+1,): geometric mean over the batch
    slope: float  # fitted slope of log(typical) against lag, over the second half of the lags

    @property
    def lags(self) -> np.ndarray:
        return np.arange(self.norms.shape[1])

    @property
    def T(self) -> int:
        return self.norms.shape[1] - 1


def rnn_weights(hidden_size: int, radius: float, *, input_size: int = 1, kind: str = "gaussian",
                input_scale: float = 0.5, seed=0) -> Weights:
    """RNN weights with W_hh = recurrent_matrix(H, radius, kind), input weights of scale `input_scale`, zero biases."""
    H = check_positive_int(hidden_size, "hidden_size")
    I = check_positive_int(input_size, "input_size")
    input_scale = check_number(input_scale, "input_scale", low=0.0)
    rng = as_generator(seed)
    W_hh = recurrent_matrix(H, radius, kind=kind, seed=rng)  # (H, H)
    W_ih = input_scale * rng.standard_normal((H, I))  # (H, I)
    return Weights("rnn", W_ih, W_hh, np.zeros(H), np.zeros(H))


def lag_profile(radius: float, T: int, nonlinearity: str = "tanh", *, hidden_size: int = 32, batch: int = 8,
                kind: str = "gaussian", input_scale: float = 0.5, seed: int = 0) -> LagProfile:
    """Run a random RNN whose W_hh has spectral radius `radius` over `batch` random sequences of length T,
    and return the gradient norm per lag, ||dh_T/dh_(T-k)||_2 for k = 0 .. T."""
    T = check_positive_int(T, "T", minimum=2)
    check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    B = check_positive_int(batch, "batch")
    rng = np.random.default_rng(seed)
    w = rnn_weights(hidden_size, radius, kind=kind, input_scale=input_scale, seed=rng)
    xs = rng.standard_normal((B, T, 1))  # (B, T, 1)
    trace = rnn_forward(xs, w, nonlinearity=nonlinearity)
    norms = gradient_norms(trace, w)  # (B, T+1)
    # A ReLU network can switch every unit off; keep the logarithm finite.
    norms = np.maximum(norms, 1e-300)
    typical = np.exp(np.log(norms).mean(axis=0))  # (T+1,)
    slope = log_slope(typical, start=T // 2)
    return LagProfile(float(spectral_radius(w.W_hh)), largest_singular_value(w.W_hh), nonlinearity, norms,
                      typical, slope)


# --------------------------------------------------------------------------- remedies and diagnostics

def global_norm(grads) -> float:
    """sqrt(sum of squares of every entry of every array): the length of all gradients as one vector."""
    grads = _check_grads(grads)
    return float(np.sqrt(sum(float((g**2).sum()) for g in grads)))


def clip_by_global_norm(grads, max_norm: float):
    """Scale all gradients by one factor min(1, max_norm / global norm) (Pascanu et al., 2013).

    Returns (clipped list, the global norm before clipping). The direction is kept; only the length shrinks.
    """
    grads = _check_grads(grads)
    max_norm = check_number(max_norm, "max_norm", low=0.0)
    total = global_norm(grads)
    # g <- g * min(1, c / ||g||)
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return [g * scale for g in grads], total


def _check_grads(grads) -> list:
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
        raise LessonError("grads should be a list of NumPy arrays, one per parameter (for example [dW_hh, db]); "
                          f"got {type(grads).__name__}.")
    return [check_array(g, f"grads[{k}]", tuple(f"d{k}_{a}" for a in range(np.ndim(g)))) for k, g in enumerate(grads)]


def readout_r2(states, targets, *, train_fraction: float = 0.5) -> np.ndarray:
    """How well a linear least-squares read-out decodes each target column from the states, as R^2 on held-out rows.

    states (N, H) and targets (N, K): fit y ~ [h, 1] @ beta on the first rows, score 1 - MSE / Var(y) on the rest.
    Returns (K,): 1 means decoded perfectly, 0 means no better than predicting the mean.
    """
    states = check_array(states, "states", ("N", "H"))  # named as the caller named it, before the shared fit
    return readout_r2_across(states, states, targets, train_fraction=train_fraction)  # refit at this step


def readout_r2_across(fit_states, states, targets, *, train_fraction: float = 0.5) -> np.ndarray:
    """R^2 of a linear read-out fitted on `fit_states` and applied to `states` (the same rows, later steps).

    The read-out y ~ [h, 1] @ beta is fitted on the first rows of fit_states (N, H) and scored on the
    remaining rows of states (N, H): how well a reader that learned where a value was written finds
    it k steps later. Compare readout_r2(states, targets), which refits at every step (introduced in 02).
    """
    fit_states = check_array(fit_states, "fit_states", ("N", "H"))
    states = check_array(states, "states", ("N", "H"), {"N": fit_states.shape[0], "H": fit_states.shape[1]},
                         hint="states should be the same sequences as fit_states, at a later step.")
    targets = check_array(targets, "targets", ("N", "K"), {"N": states.shape[0]},
                          hint="Give one column per quantity to decode, e.g. y[:, None] for a single one.")
    frac = check_number(train_fraction, "train_fraction", low=0.05, high=0.95)
    N = states.shape[0]
    n_fit = int(round(frac * N))
    if n_fit <= states.shape[1] + 1 or N - n_fit < 2:
        raise LessonError(f"a linear read-out needs more rows than hidden units to fit: got N = {N} rows for "
                          f"H = {states.shape[1]} units with train_fraction = {frac}.")
    X_fit = np.hstack([fit_states, np.ones((N, 1))])  # (N, H+1)
    X = np.hstack([states, np.ones((N, 1))])  # (N, H+1)
    # beta = argmin ||X_fit beta - y||^2 on the fitting rows, at the step the value was written
    beta, *_ = np.linalg.lstsq(X_fit[:n_fit], targets[:n_fit], rcond=None)  # (H+1, K)
    resid = targets[n_fit:] - X[n_fit:] @ beta  # (N - n_fit, K)
    # R^2 = 1 - mean squared error / variance of the target
    return 1.0 - (resid**2).mean(axis=0) / targets[n_fit:].var(axis=0)


# --------------------------------------------------------------------------- a fast estimate, for live previews

def estimate_gradient_norms(trace: RNNTrace, w: Weights, *, probes: int = 4, rounds: int = 1,
                            exact_lags: int = 6, seed: int = 0) -> np.ndarray:
    """Lower bounds of gradient_norms(trace, w), ||dh_T/dh_(T-k)||_2 for k = 0 .. T, shape (B, T+1), fast.

    Instead of every product dh_T/dh_(T-k) (B * T matrices of H x H, then their SVDs), a few
    orthonormal probe directions U (H, probes) at h_T are backpropagated, and sigma_max(U^T dh_T/dh_(T-k))
    <= ||dh_T/dh_(T-k)||_2 is measured at every lag. The probes are first turned towards the top
    left singular vectors of dh_T/dh_0 by `rounds` of subspace iteration (back through all steps and
    forward again), which the products approach as k grows; the first `exact_lags` lags are exact.
    In notebook 02's settings the estimate's geometric mean over the batch is within 20% (0.08 on a
    log10 scale) of the exact one; gradient_norms is the measurement, this is its live preview.
    """
    w = _check_weights(w, "rnn")
    trace = _check_trace(trace, w)
    m = check_positive_int(probes, "probes")
    d = _activation_grad(trace.a, trace.h, trace.nonlinearity)  # (B, T, H): act'(a_t)
    W = w.W_hh
    B, T, H = d.shape
    m = min(m, H)
    rng = as_generator(seed)
    U = np.linalg.qr(rng.standard_normal((B, H, m)))[0]  # (B, H, m)
    for _ in range(rounds):
        # back: g^T <- g^T J_t = (g * act'(a_t))^T W_hh, for t = T .. 1 (rows of G)
        G = np.swapaxes(U, 1, 2)  # (B, m, H)
        for t in range(T - 1, -1, -1):
            G = (G * d[:, t, None, :]) @ W
            if t % 8 == 0:  # keep the probes apart (and finite)
                G = np.swapaxes(np.linalg.qr(np.swapaxes(G, 1, 2))[0], 1, 2)
        # forward: v <- J_t v = act'(a_t) * (W_hh v), for t = 1 .. T
        V = np.swapaxes(G, 1, 2)  # (B, H, m)
        for t in range(T):
            V = d[:, t, :, None] * (W @ V)
            if t % 8 == 0:
                V = np.linalg.qr(V)[0]
        U = np.linalg.qr(V)[0]  # (B, H, m): near the top left singular vectors of dh_T/dh_0
    # record U^T dh_T/dh_(T-k) at every lag, rescaled every few steps (a running log scale: no overflow)
    G = np.swapaxes(U, 1, 2)  # (B, m, H)
    Gs = np.empty((B, T + 1, m, H))
    Gs[:, 0] = G
    logs = np.zeros((B, T + 1))
    log_scale = np.zeros(B)
    for k in range(1, T + 1):
        G = (G * d[:, T - k, None, :]) @ W  # (B, m, H)
        if k % 8 == 0:
            s = np.sqrt(np.einsum("bij,bij->b", G, G))
            s = np.where(s > 0, s, 1.0)
            G = G / s[:, None, None]
            log_scale = log_scale + np.log(s)
        Gs[:, k] = G
        logs[:, k] = log_scale
    grams = Gs @ np.swapaxes(Gs, -1, -2)  # (B, T+1, m, m)
    top = np.maximum(np.linalg.eigvalsh(grams)[..., -1], 0.0)  # (B, T+1)
    out = np.exp(logs) * np.sqrt(top)
    # the first lags exactly, from the products themselves
    P = np.broadcast_to(np.eye(H), (B, H, H)).copy()
    out[:, 0] = 1.0
    for k in range(1, min(exact_lags, T) + 1):
        P = P @ (d[:, T - k, :, None] * W)  # dh_T/dh_(T-k)
        out[:, k] = np.linalg.norm(P, ord=2, axis=(-2, -1))
    return out


def lag_profile_estimate(radius: float, T: int, nonlinearity: str = "tanh", *, hidden_size: int = 32,
                         batch: int = 8, kind: str = "gaussian", input_scale: float = 0.5, seed: int = 0) -> LagProfile:
    """lag_profile with the same RNN and sequences, its norms estimated by estimate_gradient_norms:
    several times faster, for a widget's live preview; lag_profile is the exact measurement."""
    T = check_positive_int(T, "T", minimum=2)
    check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    B = check_positive_int(batch, "batch")
    rng = np.random.default_rng(seed)
    w = rnn_weights(hidden_size, radius, kind=kind, input_scale=input_scale, seed=rng)
    xs = rng.standard_normal((B, T, 1))  # (B, T, 1): the same draws as lag_profile
    trace = rnn_forward(xs, w, nonlinearity=nonlinearity)
    norms = np.maximum(estimate_gradient_norms(trace, w), 1e-300)  # (B, T+1)
    typical = np.exp(np.log(norms).mean(axis=0))  # (T+1,)
    slope = log_slope(typical, start=T // 2)
    return LagProfile(float(spectral_radius(w.W_hh)), largest_singular_value(w.W_hh), nonlinearity, norms,
                      typical, slope)
