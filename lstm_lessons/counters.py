"""An LSTM whose weights are set by hand, not trained: it counts bracket depth and tracks quotes.

What this is: notebook 05's counter. Two cell elements, over characters one-hot encoded as
"other", "(", ")" and '"':
- element 0, the **depth counter**: its forget gate is held near 1 by a large bias, its candidate
  is +a on "(" and -a on ")" (0 on anything else), and its input gate is open, except inside
  quotes. So c_0 adds +a per "(" and -a per ")": the depth is c_0 / a.
- element 1, the **quote flag**: on a '"' its forget gate shuts and its input gate opens, and the
  candidate is +1 if the flag was off and -1 if it was on (the candidate reads h_(t-1)); on any
  other character the flag is kept. So c_1 is about +1 inside quotes and 0 or -1 outside.
The depth counter's input gate reads the quote flag through h_(t-1), so brackets inside quotes
are not counted: a gate deciding from a read of the state.
What this is not: a trained model, or a parser. NumPy only; imports `cells`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import LessonError, check_number
from .cells import LSTMTrace, Weights, lstm_forward, sigmoid

#: The input alphabet: index 0 stands for every character that is not a bracket or a quote.
ALPHABET = ("other", "(", ")", '"')
#: The two cell elements.
DEPTH, QUOTE = 0, 1
#: Defaults: each bracket writes +-0.5; gates are pushed to 0 or 1 by pre-activations of +-20.
WRITE, SHARPNESS, FORGET_BIAS = 0.5, 20.0, 20.0


def encode(text: str) -> np.ndarray:
    """One-hot characters over ALPHABET ("other", "(", ")", '"'), as one sequence: shape (1, T, 4)."""
    if not isinstance(text, str):
        raise LessonError(f"text should be a string of characters; got {type(text).__name__} {text!r}.")
    if not text:
        raise LessonError("text should hold at least one character; got the empty string.")
    index = np.array([ALPHABET.index(ch) if ch in ALPHABET[1:] else 0 for ch in text])  # (T,)
    return np.eye(len(ALPHABET))[index][None]  # (1, T, 4)


def true_depth(text: str) -> np.ndarray:
    """The nesting depth after each character: +1 per "(", -1 per ")", brackets inside quotes ignored: (T,) ints."""
    encode(text)  # validates
    depth, inside, out = 0, False, []
    for ch in text:
        if ch == '"':
            inside = not inside
        elif not inside and ch == "(":
            depth += 1
        elif not inside and ch == ")":
            depth -= 1
        out.append(depth)
    return np.array(out)


def true_inside(text: str) -> np.ndarray:
    """Whether we are inside quotes after each character (an opening '"' is inside, a closing one not): (T,) bools."""
    encode(text)  # validates
    return (np.cumsum([ch == '"' for ch in text]) % 2).astype(bool)


def bracket_counter(write: float = WRITE, forget_bias: float = FORGET_BIAS, sharpness: float = SHARPNESS) -> Weights:
    """Hand-set LSTM weights (input 4, hidden 2): element 0 counts bracket depth, element 1 tracks quotes.

    write: what one "(" adds to c_0 (")" subtracts it), in (0, 1); forget_bias: the depth counter's
    forget-gate bias (f = sigmoid(forget_bias), so the counter leaks a fraction 1 - f per step);
    sharpness: the pre-activation that pushes the other gates to 0 or 1.
    """
    a = check_number(write, "write", low=1e-3, high=0.999)
    bf = check_number(forget_bias, "forget_bias", low=-50.0, high=50.0)
    s = check_number(sharpness, "sharpness", low=1.0, high=50.0)
    other, open_, close, quote = range(4)
    # h_1 inside quotes: the flag's c_1 = 1 read through tanh with an open output gate
    h_in = float(np.tanh(1.0) * sigmoid(s))
    W_ih, W_hh, b = np.zeros((8, 4)), np.zeros((8, 2)), np.zeros(8)
    rows = {(gate, unit): 2 * k + unit for k, gate in enumerate("ifgo") for unit in (DEPTH, QUOTE)}

    # "outside quotes" signal read from the flag: s * (1 - 2 h_1 / h_in) is +s (flag off or -1) or -s (on)
    def outside(row):
        b[row] = s
        W_hh[row, QUOTE] = -2 * s / h_in

    # depth counter: i_0 open outside quotes; f_0 = sigmoid(forget_bias); g_0 = +a on "(", -a on ")"; o_0 open
    outside(rows["i", DEPTH])
    b[rows["f", DEPTH]] = bf
    W_ih[rows["g", DEPTH], open_] = np.arctanh(a)  # tanh(arctanh(a)) = a
    W_ih[rows["g", DEPTH], close] = -np.arctanh(a)
    b[rows["o", DEPTH]] = s
    # quote flag: on '"' forget (f_1 -> 0) and write (i_1 -> 1) the candidate g_1 = +1 if off, -1 if on
    W_ih[rows["i", QUOTE], quote], b[rows["i", QUOTE]] = 2 * s, -s
    W_ih[rows["f", QUOTE], quote], b[rows["f", QUOTE]] = -2 * s, s
    outside(rows["g", QUOTE])
    b[rows["o", QUOTE]] = s
    return Weights("lstm", W_ih, W_hh, b, np.zeros(8))


def write_amount(w: Weights) -> float:
    """What one "(" outside quotes adds to the depth counter: i_0 * g_0 = sigmoid(s) * a (a hair below a)."""
    step = lstm_forward(encode("("), w)
    return float(step.c[0, 0, DEPTH])


@dataclass
class CounterRun:
    """The counter run over one string: the trace, the depth read from c and from h, the quote flag, the truth."""

    text: str
    trace: LSTMTrace
    write: float  # the amount one bracket writes (from write_amount)
    depth_from_c: np.ndarray  # (T,) ints: round(c_0 / write)
    depth_from_h: np.ndarray  # (T,) floats: arctanh(h_0 / o_0) / write, inf where tanh(c_0) rounded to 1
    inside: np.ndarray  # (T,) bools: c_1 > 1/2 (the flag holds about +1 inside quotes, 0 or -1 outside)
    depth: np.ndarray  # (T,) the true depth
    true_inside: np.ndarray  # (T,) the true quote state

    @property
    def c(self) -> np.ndarray:
        return self.trace.c[0, :, DEPTH]

    @property
    def h(self) -> np.ndarray:
        return self.trace.h[0, :, DEPTH]

    @property
    def correct(self) -> bool:
        """The depth read from c and the quote flag agree with the truth at every character."""
        return bool(np.array_equal(self.depth_from_c, self.depth) and np.array_equal(self.inside, self.true_inside))


def run(text: str, w: Weights | None = None) -> CounterRun:
    """Run the counter (bracket_counter() unless w is given) over `text` and read out depth and quote state."""
    w = bracket_counter() if w is None else w
    xs = encode(text)  # (1, T, 4)
    if w.input_size != len(ALPHABET) or w.hidden_size != 2:
        raise LessonError(f"w should be counter weights with input size 4 and hidden size 2 (from bracket_counter()); "
                          f"got input size {w.input_size} and hidden size {w.hidden_size}.")
    trace = lstm_forward(xs, w)
    a = write_amount(w)
    c, h, o = trace.c[0, :, DEPTH], trace.h[0, :, DEPTH], trace.o[0, :, DEPTH]  # (T,) each
    # depth = c_0 / a: the counter holds a per unclosed bracket
    from_c = np.round(c / a).astype(int)
    # reading through h = o tanh(c): c = arctanh(h / o), infinite once tanh(c) has rounded to +-1
    with np.errstate(divide="ignore"):
        from_h = np.arctanh(np.clip(h / o, -1.0, 1.0)) / a
    return CounterRun(text, trace, a, from_c, from_h, trace.c[0, :, QUOTE] > 0.5, true_depth(text), true_inside(text))


def saturation_point(tanh, low: float = 0.0, high: float = 40.0) -> float:
    """The smallest x >= 0 with tanh(x) == 1.0 exactly, found by bisection, for a given tanh (say torch's float32 one).

    From there on, h = tanh(c) is the same number for every larger c: no reader of h can tell them apart.
    """
    if not callable(tanh):
        raise LessonError(f"tanh should be a function of one number, e.g. np.tanh; got {type(tanh).__name__}.")
    if float(tanh(high)) != 1.0:
        raise LessonError(f"tanh({high}) should round to exactly 1.0 for the bisection to start; got {float(tanh(high))!r}.")
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if float(tanh(mid)) == 1.0:
            high = mid
        else:
            low = mid
    return high
