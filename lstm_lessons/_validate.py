"""Input checks that answer a learner in words: what was expected, what was given, and why.

Every public function of the package validates its arguments through these helpers, so a
wrong shape, dtype or value fails at the call the learner wrote, not deep inside NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np

# What each letter in a shape stands for, used in every message.
DIM_NAMES = {
    "B": "batch size",
    "T": "sequence length",
    "I": "input size",
    "H": "hidden size",
    "G": "gate rows",
}


class LessonError(ValueError):
    """A learner-facing error: names the argument, what was expected and what was given."""


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _spec_text(spec) -> str:
    return _shape_text(spec)


def check_array(value, name: str, spec: tuple, sizes: dict | None = None, *, hint: str = "") -> np.ndarray:
    """Return `value` as a float ndarray whose shape fits `spec`, binding letters in `sizes`.

    `spec` is a tuple of letters ("B", "T", "I", "H") or ints. A letter already in `sizes` must
    match; a new letter is bound to the size given, so later arguments are checked against it.
    """
    sizes = {} if sizes is None else sizes
    arr = _as_float_array(value, name)
    expected = _spec_text(spec)
    if arr.ndim != len(spec):
        msg = (f"{name} should have {len(spec)} dimension{'s' if len(spec) != 1 else ''} {expected}; "
               f"got an array of shape {_shape_text(arr.shape)}.")
        if arr.ndim == len(spec) - 1 and spec and spec[0] == "B":
            msg += f" If this is a single example, add a batch dimension: {name}[None]."
        raise LessonError(msg + (" " + hint if hint else ""))
    bound = dict(sizes)
    for axis, (want, got) in enumerate(zip(spec, arr.shape)):
        if isinstance(want, int):
            size = want
        elif want in bound:
            size = bound[want]
        else:
            bound[want] = got
            continue
        if size != got:
            label = DIM_NAMES.get(want, "size") if isinstance(want, str) else "size"
            letter = f" {want}" if isinstance(want, str) else ""
            msg = (f"{name} should have shape {expected} with {label}{letter} = {size} on axis {axis}; "
                   f"got shape {_shape_text(arr.shape)}.")
            swap = _permutation_hint(arr.shape, spec, sizes)
            raise LessonError(msg + (" " + swap if swap else "") + (" " + hint if hint else ""))
    if not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise LessonError(f"{name} contains {bad}; every entry must be a finite number. "
                          "A NaN usually means an earlier step diverged (try a smaller learning rate).")
    sizes.update(bound)
    return arr


def _permutation_hint(shape, spec, sizes) -> str:
    """If a reordering of the given axes would fit, say which layout was probably passed."""
    known = [sizes.get(s, s) if isinstance(s, str) else s for s in spec]
    for perm in itertools.permutations(range(len(shape))):
        if list(perm) == list(range(len(shape))):
            continue
        permuted = [shape[p] for p in perm]
        if all(not isinstance(k, int) or k == g for k, g in zip(known, permuted)):
            given = _shape_text([spec[perm.index(a)] for a in range(len(shape))])
            return f"Did you pass {given} where {_spec_text(spec)} was expected?"
    return ""


def _as_float_array(value, name: str) -> np.ndarray:
    if _is_torch_tensor(value):
        raise LessonError(f"{name} is a torch tensor, but this NumPy function needs a NumPy array; "
                          f"pass {name}.detach().numpy().")
    if isinstance(value, (str, bytes)) or value is None:
        raise LessonError(f"{name} should be a NumPy array of numbers; got {type(value).__name__} {value!r}.")
    arr = np.asarray(value)
    if arr.dtype == bool:
        raise LessonError(f"{name} should hold numbers; got an array of booleans. "
                          f"Convert it with {name}.astype(float) if that is what you meant.")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise LessonError(f"{name} should hold real numbers; got complex dtype {arr.dtype}.")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise LessonError(f"{name} should be a NumPy array of numbers; got dtype {arr.dtype} "
                          f"from a {type(value).__name__}.")
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    return arr


def _is_torch_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def as_generator(seed) -> np.random.Generator:
    """A NumPy Generator: `seed` itself if it is one, else a new one seeded with it (None: fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise LessonError(f"seed should be a whole number >= 0, a numpy Generator, or None; got {seed!r}.")
    return np.random.default_rng(seed)


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return `value` as an int, or explain why it is not a whole number >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise LessonError(f"{name} should be a whole number >= {minimum}; got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise LessonError(f"{name} should be a whole number >= {minimum}; got {value}.")
    return int(value)


def check_choice(value, name: str, choices) -> str:
    """Return `value` if it is one of `choices`, else list the choices."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise LessonError(f"{name} should be one of {listed}; got {value!r}.")
    return value


def check_number(value, name: str, *, low: float | None = None, high: float | None = None) -> float:
    """Return `value` as a float, or explain why it is not a finite number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise LessonError(f"{name} should be a number; got {type(value).__name__} {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise LessonError(f"{name} should be a finite number; got {value}.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise LessonError(f"{name} should lie in [{low}, {high}]; got {value}.")
    return value
