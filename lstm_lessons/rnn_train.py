"""Training the NumPy vanilla RNN: a readout, a squared-error loss, BPTT (full or truncated) and Adam.

What this is: the training machinery notebook 01 writes out in front of the learner, kept here
so that the notebook, its seed check (benchmarks/seeds_01.py) and later notebooks run the very
same experiment. Everything is written to be read beside the equations of notebook 01.
What this is not: fast, or a general framework. NumPy only; nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from . import cells, tasks
from ._validate import LessonError, as_generator, check_array, check_number, check_positive_int

#: The names of a regressor's parameters, in the order `RNNRegressor.params` gives them.
PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_y")


# --------------------------------------------------------------------------- the model

@dataclass
class RNNRegressor:
    """A vanilla RNN with a linear readout at every step, y_t = W_hy h_t + b_y (introduced in 01)."""

    w: cells.Weights
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)

    def __post_init__(self):
        self.w = cells._check_weights(self.w, "rnn")
        sizes = {"H": self.w.hidden_size}
        self.W_hy = check_array(self.W_hy, "W_hy", ("O", "H"), sizes)
        self.b_y = check_array(self.b_y, "b_y", ("O",), {"O": self.W_hy.shape[0]})

    @property
    def output_size(self) -> int:
        return self.W_hy.shape[0]

    def params(self) -> dict:
        """Every parameter by name (the arrays themselves, so an optimizer can update them in place)."""
        return dict(self.w.arrays(), W_hy=self.W_hy, b_y=self.b_y)

    def copy(self) -> "RNNRegressor":
        return RNNRegressor(self.w.copy(), self.W_hy.copy(), self.b_y.copy())

    def forward(self, xs, h0=None):
        """Run over xs (B, T, I); returns the predictions (B, T, O) and the RNN's trace."""
        trace = cells.rnn_forward(xs, self.w, h0)
        # y_t = W_hy h_t + b_y
        y_hat = trace.h @ self.W_hy.T + self.b_y  # (B, T, O)
        return y_hat, trace


def init_regressor(input_size: int, hidden_size: int, output_size: int = 1, *, seed=None) -> RNNRegressor:
    """A regressor with PyTorch's initialisation: uniform in [-k, k], k = 1/sqrt(H); readout bias 0."""
    I = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    O = check_positive_int(output_size, "output_size")
    rng = as_generator(seed)
    w = cells.init_weights("rnn", I, H, seed=rng)
    k = 1.0 / np.sqrt(H)
    return RNNRegressor(w, rng.uniform(-k, k, size=(O, H)), np.zeros(O))


# --------------------------------------------------------------------------- gradients

def rnn_backward_truncated(trace: cells.RNNTrace, w: cells.Weights, dh=None, truncate: int | None = None) -> cells.Grads:
    """BPTT cut into windows of `truncate` steps: the gradient never flows from one window into the one before.

    The forward pass (`trace`) is the ordinary one, the state carried across windows; only the
    backward pass is cut. With truncate=None, or truncate >= T, this is `cells.rnn_backward`.
    Grads.h0 is the gradient reaching h0 from the first window only.
    """
    w = cells._check_weights(w, "rnn")
    if not isinstance(trace, cells.RNNTrace):
        raise LessonError(f"trace should be the RNNTrace that rnn_forward returned; got {type(trace).__name__}.")
    B, T, H = trace.h.shape
    k = T if truncate is None else check_positive_int(truncate, "truncate")
    dh = np.zeros((B, T, H)) if dh is None else check_array(dh, "dh", ("B", "T", "H"), {"B": B, "T": T, "H": H})
    total = {name: np.zeros_like(a) for name, a in w.arrays().items()}
    dxs = np.zeros_like(trace.xs)
    dh0 = np.zeros((B, H))
    for start in range(0, T, k):
        stop = min(start + k, T)
        # The window's own trace: it starts from the state the previous window ended in (kept) ...
        h_start = trace.h0 if start == 0 else trace.h[:, start - 1]  # (B, H)
        window = cells.RNNTrace(trace.xs[:, start:stop], h_start, trace.a[:, start:stop],
                                trace.h[:, start:stop], trace.nonlinearity)
        g = cells.rnn_backward(window, w, dh=dh[:, start:stop])
        for name in total:
            total[name] += getattr(g, name)
        dxs[:, start:stop] = g.xs
        # ... but the gradient g.h0 that would flow into the previous window is dropped (cut).
        if start == 0:
            dh0 = g.h0
    return cells.Grads(**total, xs=dxs, h0=dh0)


def mse_loss(y_hat, y):
    """Mean squared error over every entry, and its gradient with respect to y_hat."""
    y_hat = check_array(y_hat, "y_hat", ("B", "T", "O"))
    y = check_array(y, "y", ("B", "T", "O"), {"B": y_hat.shape[0], "T": y_hat.shape[1], "O": y_hat.shape[2]},
                    hint="y should be the targets, one row of O numbers per step, like y_hat.")
    diff = y_hat - y  # (B, T, O)
    # L = (1/N) sum (y_hat - y)^2,   dL/dy_hat = 2 (y_hat - y) / N
    return float((diff**2).mean()), 2.0 * diff / diff.size


def loss_and_grads(model: RNNRegressor, xs, y, h0=None, truncate: int | None = None):
    """Forward, mean squared error and (truncated) BPTT; returns (loss, grads by parameter name)."""
    if not isinstance(model, RNNRegressor):
        raise LessonError(f"model should be an RNNRegressor (from init_regressor); got {type(model).__name__}.")
    y_hat, trace = model.forward(xs, h0)  # (B, T, O)
    loss, dy = mse_loss(y_hat, y)  # dy: (B, T, O)
    # dL/dW_hy = sum_t dy_t^T h_t,  dL/db_y = sum_t dy_t,  dL/dh_t (from the readout) = dy_t W_hy
    grads = {"W_hy": np.einsum("bto,bth->oh", dy, trace.h), "b_y": dy.sum(axis=(0, 1))}
    g = rnn_backward_truncated(trace, model.w, dh=dy @ model.W_hy, truncate=truncate)
    grads.update({name: getattr(g, name) for name in ("W_ih", "W_hh", "b_ih", "b_hh")})
    return loss, {name: grads[name] for name in PARAM_NAMES}


def moving_average(values, window: int) -> np.ndarray:
    """The mean of every `window` consecutive values (N - window + 1 of them): a loss curve, smoothed."""
    values = check_array(values, "values", ("N",))
    window = check_positive_int(window, "window")
    if window > len(values):
        raise LessonError(f"window should be at most the number of values, {len(values)}; got {window}.")
    return np.convolve(values, np.ones(window) / window, mode="valid")  # (N - window + 1,)


# --------------------------------------------------------------------------- optimizer

class Adam:
    """Adam (Kingma and Ba, 2015) over a dict of NumPy arrays, updated in place; matches torch.optim.Adam."""

    def __init__(self, params: dict, lr: float = 1e-2, betas=(0.9, 0.999), eps: float = 1e-8):
        if not isinstance(params, dict) or not all(isinstance(p, np.ndarray) for p in params.values()):
            raise LessonError("params should be a dict that maps a name to a NumPy array, such as model.params(); "
                              f"got {type(params).__name__}.")
        self.params = params
        self.lr = check_number(lr, "lr", low=0.0)
        self.beta1 = check_number(betas[0], "betas[0]", low=0.0, high=1.0)
        self.beta2 = check_number(betas[1], "betas[1]", low=0.0, high=1.0)
        self.eps = check_number(eps, "eps", low=0.0)
        self.m = {n: np.zeros_like(p) for n, p in params.items()}
        self.v = {n: np.zeros_like(p) for n, p in params.items()}
        self.t = 0

    def step(self, grads: dict) -> None:
        """One update of every parameter from its gradient."""
        missing = sorted(set(self.params) - set(grads))
        if missing:
            raise LessonError(f"grads has no entry for {', '.join(missing)}; give a gradient for every parameter.")
        self.t += 1
        for n, p in self.params.items():
            g = check_array(grads[n], f"grads[{n!r}]", p.shape)
            # m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
            self.m[n] = self.beta1 * self.m[n] + (1 - self.beta1) * g
            self.v[n] = self.beta2 * self.v[n] + (1 - self.beta2) * g**2
            # p -= lr * m_hat / (sqrt(v_hat) + eps), with the bias corrections m_hat, v_hat
            m_hat = self.m[n] / (1 - self.beta1**self.t)
            v_hat = self.v[n] / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --------------------------------------------------------------------------- the echo experiment of notebook 01

@dataclass
class TrainConfig:
    """One training run on the echo task (tasks.echo): the data, the model, the optimizer and the seed."""

    lag: int = 3  # the target at step t is the input at step t - lag
    seq_len: int = 20  # T, steps per training sequence
    hidden_size: int = 16  # H
    batch_size: int = 32  # B, fresh sequences drawn for every update
    steps: int = 500  # number of Adam updates
    lr: float = 0.01
    truncate: int | None = None  # window of truncated BPTT; None for full BPTT
    seed: int = 0  # seeds the initial weights and the training batches
    test_size: int = 512  # held-out sequences, the same for every seed
    test_seed: int = 12345

    def __post_init__(self):
        for name in ("seq_len", "hidden_size", "batch_size", "steps", "test_size"):
            check_positive_int(getattr(self, name), name)
        check_positive_int(self.lag, "lag", minimum=0)
        check_positive_int(self.seed, "seed", minimum=0)
        check_positive_int(self.test_seed, "test_seed", minimum=0)
        if self.truncate is not None:
            check_positive_int(self.truncate, "truncate")
        check_number(self.lr, "lr", low=0.0)
        if self.lag >= self.seq_len:
            raise LessonError(f"lag should be smaller than seq_len = {self.seq_len}; got lag = {self.lag}.")


@dataclass
class TrainRun:
    """What train_echo returns: the trained model, its untrained start, the loss per update and the test scores."""

    config: TrainConfig
    model: RNNRegressor
    initial: RNNRegressor
    losses: np.ndarray  # (steps,)
    test: tasks.Task
    test_mse: float
    baseline_mse: float  # the best constant prediction (0) on the same test set
    seconds: float


def evaluate(model: RNNRegressor, task: tasks.Task) -> float:
    """Mean squared error of the model's predictions on a task's inputs and targets."""
    y_hat, _ = model.forward(task.x)
    return mse_loss(y_hat, task.y)[0]


def train_echo(config: TrainConfig | None = None, **changes) -> TrainRun:
    """Train an RNNRegressor on tasks.echo with Adam; keyword arguments override fields of `config`."""
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise LessonError(f"config should be a TrainConfig; got {type(config).__name__}.")
    config = dataclasses.replace(config, **changes)
    rng = np.random.default_rng(config.seed)
    model = init_regressor(1, config.hidden_size, 1, seed=rng)
    initial = model.copy()
    opt = Adam(model.params(), lr=config.lr)
    losses = np.empty(config.steps)
    start = time.perf_counter()
    for step in range(config.steps):
        batch = tasks.echo(config.batch_size, config.seq_len, config.lag, seed=rng)
        losses[step], grads = loss_and_grads(model, batch.x, batch.y, truncate=config.truncate)
        opt.step(grads)
    seconds = time.perf_counter() - start
    test = tasks.echo(config.test_size, config.seq_len, config.lag, seed=config.test_seed)
    return TrainRun(config, model, initial, losses, test, evaluate(model, test), float((test.y**2).mean()), seconds)
