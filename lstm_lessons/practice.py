"""The checker of the practice copies: the lesson's own calls of a piece, replayed into the learner's version.

A practice copy (`notebooks/practice/NN_name.ipynb`, written by `tools/practice.py`, never by
hand) is its lesson with each piece the lesson builds (its cells tagged `build`) turned into a
stub, followed by a cell

    practice.check("01", rnn_step=rnn_step)

While the lesson ran, `tools/practice.py` recorded the first few calls of every piece: the
arguments and what came back (`practice_cases/NN.pkl`, package data, so Colab has it too). The
check calls the learner's function with the same arguments and compares what comes back with
what the lesson's function gave, recursively (arrays and tensors to a tolerance, tuples, dicts,
dataclasses, modules by their weights), and answers in plain words: passed, not yet (with the
first difference), or not attempted yet for a stub that still raises NotImplementedError. A
piece of a class is checked method by method, on the object the lesson called it on. A value
piece (`c = f * c_prev + i * g`) is compared with the value the lesson computed at that point.

A piece that draws random numbers (dropout, sampling) is replayed from the state the generators
were in when the lesson called it (torch's, NumPy's, Python's and the notebook's NumPy
Generators), so it draws the same numbers. And a check changes nothing: every generator is put
back as it was afterwards, so the cells after it draw the same numbers as the lesson's did.

Nothing here runs at import; torch is imported only when a recorded case holds a tensor.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import io
import json
import pathlib
import pickle
import random
import time
import traceback
import zlib

import numpy as np

from .checks.engine import CheckResult

CASES = pathlib.Path(__file__).with_name("practice_cases")
FORMAT = 1  # the layout of NN.pkl: {format, notebook, pieces: {name: {kind, cases: [zlib(pickle)]}}}
RTOL, ATOL = 1e-5, 1e-7


# --------------------------------------------------------------------------- saving objects of any notebook

def _torch():
    import sys
    return sys.modules.get("torch")


class _Pickler(pickle.Pickler):
    """Pickle with the notebook's own functions and classes by name, and arrays as plain bytes.

    A function or class defined in the notebook (module __main__) is saved as its name and found
    again, when the case is read, among the names of the notebook that replays it: the learner's
    version. Arrays and tensors are saved as dtype, shape and bytes, so that a case reads back under
    another NumPy or torch version.
    """

    def __init__(self, file, namespace):
        super().__init__(file, protocol=4)
        self.namespace = namespace

    def persistent_id(self, obj):
        if isinstance(obj, np.ndarray) and obj.dtype != object:
            return ("ndarray", obj.dtype.str, obj.shape, np.ascontiguousarray(obj).tobytes())
        if isinstance(obj, np.generic) and not isinstance(obj, np.object_):
            return ("npscalar", obj.dtype.str, obj.tobytes())
        torch = _torch()
        if torch is not None and type(obj) is torch.Tensor and obj.layout == torch.strided and not obj.is_quantized:
            data = obj.detach().cpu()
            raw = data.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if data.numel() else b""
            return ("tensor", str(data.dtype).replace("torch.", ""), tuple(data.shape), raw, obj.requires_grad)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == "__main__":
            name = obj.__name__
            held = self.namespace.get(name)
            if held is obj or getattr(held, "__wrapped__", None) is obj:
                return ("main", name)
            raise pickle.PicklingError(f"{obj.__qualname__} is defined in the notebook but is not one of its names")
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, namespace):
        super().__init__(file)
        self.namespace = namespace

    def persistent_load(self, pid):
        kind = pid[0]
        if kind == "ndarray":
            _, dtype, shape, data = pid
            return np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape).copy()
        if kind == "npscalar":
            return np.frombuffer(pid[2], dtype=np.dtype(pid[1]))[0]
        if kind == "tensor":
            import torch
            _, dtype, shape, data, requires_grad = pid
            dt = getattr(torch, dtype)
            t = (torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dt).reshape(shape).clone()
                 if data else torch.empty(shape, dtype=dt))
            return t.requires_grad_(requires_grad) if requires_grad and t.is_floating_point() else t
        if kind == "main":
            name = pid[1]
            if name not in self.namespace:
                raise NameError(f"{name} is not defined yet: run the cells above first")
            return self.namespace[name]
        raise pickle.UnpicklingError(f"unknown saved object {kind!r}")


def dumps(obj, namespace) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, namespace).dump(obj)
    return buf.getvalue()


def loads(data: bytes, namespace):
    return _Unpickler(io.BytesIO(data), namespace).load()


def _pack(obj, namespace) -> bytes:
    """One recorded case, compressed (flags, masks and saturated gates shrink a lot)."""
    return zlib.compress(dumps(obj, namespace), 6)


def _unpack(case: bytes, namespace):
    return loads(zlib.decompress(case), namespace)


# --------------------------------------------------------------------------- comparing results

def _is_tensor(x) -> bool:
    torch = _torch()
    return torch is not None and isinstance(x, torch.Tensor)


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if _is_tensor(x):
        return f"a tensor of shape {tuple(x.shape)}"
    if isinstance(x, (bool, int, float, complex, np.generic)):
        return repr(x.item() if isinstance(x, np.generic) else x)
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(map(str, x))}"
    return f"a {type(x).__name__}"


def _numeric(x):
    if _is_tensor(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def difference(expected, got, where: str = "the result", rtol: float = RTOL, atol: float = ATOL):
    """The first way `got` differs from `expected`, in words; None if they agree."""
    torch = _torch()
    if isinstance(expected, (np.ndarray, np.generic, float, int, complex)) and not isinstance(expected, bool) \
            or _is_tensor(expected):
        if not (isinstance(got, (np.ndarray, np.generic, float, int, complex)) or _is_tensor(got)) or isinstance(got, bool):
            return f"{where} should be {_describe(expected)}; got {_describe(got)}"
        e, g = _numeric(expected), _numeric(got)
        if e.shape != g.shape:
            hint = " (transposed?)" if e.shape == g.shape[::-1] and e.ndim > 1 else ""
            return f"{where} should have shape {e.shape}; got {g.shape}{hint}"
        if e.dtype.kind in "biu" and g.dtype.kind in "biu":
            if not np.array_equal(e, g):
                return f"{where} should be {np.round(e.ravel()[:6], 6).tolist()}...; got {np.round(g.ravel()[:6], 6).tolist()}"
            return None
        try:
            ok = np.allclose(g.astype(complex if e.dtype.kind == "c" else float), e, rtol=rtol, atol=atol, equal_nan=True)
        except (TypeError, ValueError):
            return f"{where} should be {_describe(expected)}; got values that are not numbers"
        if not ok:
            gap = np.nanmax(np.abs(g.astype(float) - e.astype(float))) if e.size else 0.0
            return (f"{where} differs by up to {gap:.3g}: expected {np.round(e.ravel()[:4].astype(float), 4).tolist()}"
                    f"{' ...' if e.size > 4 else ''}, got {np.round(g.ravel()[:4].astype(float), 4).tolist()}"
                    f"{' ...' if g.size > 4 else ''}")
        return None
    if isinstance(expected, (bool, str, bytes, type(None))):
        return None if got == expected and type(got) is type(expected) or (isinstance(expected, bool) and
                                                                             got is not None and bool(got) == expected
                                                                             and isinstance(got, (bool, np.bool_))) \
            else f"{where} should be {expected!r}; got {_describe(got) if not isinstance(got, (str, bool)) else repr(got)}"
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or dataclasses.is_dataclass(got):
            return f"{where} should be {_describe(expected)}; got {_describe(got)}"
        if len(got) != len(expected):
            return f"{where} should hold {len(expected)} items; got {len(got)}"
        for k, (e, g) in enumerate(zip(expected, got)):
            d = difference(e, g, f"{where}[{k}]", rtol, atol)
            if d:
                return d
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where} should be {_describe(expected)}; got {_describe(got)}"
        if set(got) != set(expected):
            missing, extra = set(expected) - set(got), set(got) - set(expected)
            return (f"{where} should have the keys {sorted(map(str, expected))}"
                    + (f"; missing {sorted(map(str, missing))}" if missing else "")
                    + (f"; not expected {sorted(map(str, extra))}" if extra else ""))
        for k in expected:
            d = difference(expected[k], got[k], f"{where}[{k!r}]", rtol, atol)
            if d:
                return d
        return None
    if dataclasses.is_dataclass(expected) and not isinstance(expected, type):
        if type(got).__name__ != type(expected).__name__ or not dataclasses.is_dataclass(got):
            return f"{where} should be a {type(expected).__name__}; got {_describe(got)}"
        for f in dataclasses.fields(expected):
            d = difference(getattr(expected, f.name), getattr(got, f.name, None), f"{where}.{f.name}", rtol, atol)
            if d:
                return d
        return None
    if torch is not None and isinstance(expected, torch.nn.Module):
        if not isinstance(got, torch.nn.Module):
            return f"{where} should be a {type(expected).__name__}; got {_describe(got)}"
        return difference(dict(expected.state_dict()), dict(got.state_dict()), f"{where}'s weights", rtol, atol)
    if hasattr(expected, "__dict__") and not inspect.isroutine(expected) and not isinstance(expected, type):
        if type(got).__name__ != type(expected).__name__:
            return f"{where} should be a {type(expected).__name__}; got {_describe(got)}"
        return difference(vars(expected), vars(got), where, rtol, atol)
    try:
        return None if got == expected else f"{where} should be {expected!r}; got {got!r}"
    except Exception:  # noqa: BLE001 - an object without a usable ==
        return None if repr(got) == repr(expected) else f"{where} should be {expected!r}; got {got!r}"


# --------------------------------------------------------------------------- the cases of a notebook

_FOLDER = {"cases": CASES}  # tools/practice.py points it at a fresh recording to verify it


@functools.lru_cache(maxsize=None)
def _blobs(notebook: str) -> dict:
    path = _FOLDER["cases"] / f"{notebook}.pkl"
    if not path.exists():
        return {}
    with open(path, "rb") as f:
        return pickle.load(f)  # plain dicts of bytes: the objects inside are read by loads(), per case


def summary(notebook: str) -> dict:
    """The readable half of a notebook's cases: pieces, how many calls each, what could not be saved."""
    path = _FOLDER["cases"] / f"{notebook}.json"
    return json.loads(path.read_text()) if path.exists() else {}


class _KeepRandomness:
    """Put every random generator back as it was: a check must not shift the draws of later cells."""

    def __init__(self, namespace):
        self.namespace = namespace

    def __enter__(self):
        self.np_state, self.py_state = np.random.get_state(), random.getstate()
        torch = _torch()
        self.torch_state = torch.get_rng_state() if torch is not None else None
        self.generators = [(g, copy.deepcopy(g.bit_generator.state)) for g in self.namespace.values()
                           if isinstance(g, np.random.Generator)]
        self.legacy = [(g, g.get_state()) for g in self.namespace.values() if isinstance(g, np.random.RandomState)]
        return self

    def __exit__(self, *exc):
        np.random.set_state(self.np_state)
        random.setstate(self.py_state)
        if self.torch_state is not None:
            _torch().set_rng_state(self.torch_state)
        for g, state in self.generators:
            g.bit_generator.state = state
        for g, state in self.legacy:
            g.set_state(state)
        return False


def _random_states(namespace) -> dict:
    """The state of every random generator a piece may draw from: torch's, NumPy's, Python's, and the
    notebook's NumPy Generators (by name)."""
    torch = _torch()
    return {"torch": torch.get_rng_state().numpy().tobytes() if torch is not None else None,
            "numpy": np.random.get_state(), "python": random.getstate(),
            "generators": {k: copy.deepcopy(g.bit_generator.state) for k, g in namespace.items()
                           if isinstance(g, np.random.Generator) and not k.startswith("_")}}


def _set_random_states(states, namespace) -> None:
    if not states:
        return
    torch = _torch()
    if torch is not None and states.get("torch") is not None:
        torch.set_rng_state(torch.frombuffer(bytearray(states["torch"]), dtype=torch.uint8).clone())
    np.random.set_state(states["numpy"])
    random.setstate(states["python"])
    for k, state in states.get("generators", {}).items():
        g = namespace.get(k)
        if isinstance(g, np.random.Generator) and g.bit_generator.state["bit_generator"] == state["bit_generator"]:
            g.bit_generator.state = state


def _raised_here(err: BaseException, code) -> bool:
    """Did the NotImplementedError come from the function itself (its stub), not from a piece it calls?"""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and code is not None and frames[-1].name == code.co_name and \
        frames[-1].filename == code.co_filename


def _code_of(fn):
    fn = inspect.unwrap(fn) if callable(fn) else fn
    return getattr(fn, "__code__", None)


def _args_text(args, kwargs) -> str:
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) < 160 else text[:157] + "..."


def _replay_call(name, fn, case, k, n, namespace, stub_code=None):
    """Call `fn` on one recorded case; a CheckResult if it fails, else None."""
    try:
        data = _unpack(case, namespace)
    except NameError as err:  # the call uses a name this notebook defines further down
        return _Later(str(err).split(" ")[0])
    args, kwargs = data["args"], data["kwargs"]
    where = f"Call {k} of {n} ({name}({_args_text(args, kwargs)}))"
    _set_random_states(data.get("random"), namespace)  # a piece that draws (dropout, sampling) draws the same
    try:
        got = fn(*args, **kwargs)
    except NotImplementedError as err:
        if _raised_here(err, stub_code or _code_of(fn)):
            return CheckResult(False, f"{name} is still the stub: it raises NotImplementedError. Write its body, run "
                                      "its cell, then run this check again.",
                               "Stuck? The lesson builds it in the cell tagged build, in the notebook of the same name "
                               "one folder up.", attempted=False)
        return CheckResult(False, f"{where}: it raised NotImplementedError from {traceback.extract_tb(err.__traceback__)[-1].name}, "
                                  "a piece it uses that is still a stub. Write that one first.")
    except Exception as err:  # noqa: BLE001 - the learner's error is reported, not raised
        return CheckResult(False, f"{where}: {name} raised {type(err).__name__}: {err}",
                           "Compare the argument names and shapes with the docstring.")
    if got is None and data["result"] is not None:
        return CheckResult(False, f"{where}: {name} returned None. Did you forget the return statement?")
    d = difference(data["result"], got)
    if d is None and data.get("after") is not None:
        d = difference(data["after"], [args, kwargs], "the arguments after the call")
    if d:
        return CheckResult(False, f"{where}: {d}.")
    return None


class _Later:
    """A recorded call that needs a name the notebook defines further down (a function passed as an argument)."""

    def __init__(self, name):
        self.name = name


def _verdict(name, done, later):
    if not done:
        return CheckResult(False, f"{name}'s recorded calls use {', '.join(sorted(later))}, which this notebook "
                                  "defines further down: run this check again once you are there.")
    calls = "its recorded call" if done == 1 else f"all {done} of its recorded calls"
    rest = f" ({len(later)} more use {', '.join(sorted(later))}, defined further down)" if later else ""
    return CheckResult(True, f"{name} gives the lesson's results on {calls}{rest}.")


def _check_function(notebook, name, fn, piece, namespace):
    cases = piece["cases"]
    if fn is Ellipsis:
        return CheckResult(False, f"{name} is still ..., the stub's placeholder.", attempted=False)
    if not callable(fn):
        return CheckResult(False, f"pass the function itself: check(\"{notebook}\", {name}={name}); got "
                                  f"{_describe(fn)}.")
    done, later = 0, set()
    for k, case in enumerate(cases, 1):
        bad = _replay_call(name, fn, case, k, len(cases), namespace)
        if isinstance(bad, _Later):
            later.add(bad.name)
        elif bad is not None:
            return bad
        else:
            done += 1
    return _verdict(name, done, later)


def _check_class(notebook, name, cls, pieces, namespace):
    if not inspect.isclass(cls):
        return CheckResult(False, f"{name} should be the class itself; got {_describe(cls)}.")
    total, later = 0, set()
    for method, piece in pieces.items():
        fn = getattr(cls, method.split(".", 1)[1], None)
        if fn is None:
            return CheckResult(False, f"{name} has no method {method.split('.', 1)[1]}.")
        cases = piece["cases"]
        for k, case in enumerate(cases, 1):
            bad = _replay_call(method, fn, case, k, len(cases), namespace, stub_code=_code_of(fn))
            if isinstance(bad, _Later):
                later.add(bad.name)
            elif bad is not None:
                return bad
            else:
                total += 1
    if not total:
        return _verdict(name, 0, later)
    return CheckResult(True, f"{name}'s methods ({', '.join(m.split('.', 1)[1] for m in pieces)}) give the "
                             f"lesson's results on {'its recorded call' if total == 1 else f'all {total} recorded calls'}.")


def _check_value(name, value, piece, namespace):
    if value is Ellipsis:
        return CheckResult(False, f"{name} is still ..., the stub's placeholder. Write the expression, run its "
                                  "cell, then run this check again.", attempted=False)
    expected = _unpack(piece["cases"][0], namespace)["result"]
    d = difference(expected, value, name)
    return CheckResult(True, f"{name} is the lesson's value.") if d is None else CheckResult(
        False, f"{d}.", "It is computed from the values of the cells above; if an earlier piece is wrong, this one is too.")


def check(notebook: str, namespace: dict | None = None, **pieces) -> CheckResult:
    """Check the learner's versions of a notebook's pieces on the lesson's recorded calls.

    `practice.check("01", rnn_step=rnn_step)`; several at once for a cell that builds several.
    Names the notebook defines (functions passed as arguments, classes of recorded objects) are
    looked up in the notebook that calls this, or in `namespace`.
    """
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals
    blobs = _blobs(notebook)
    if not blobs:
        return CheckResult(False, f"no recorded cases for notebook {notebook}: is lstm_lessons up to date? "
                                  "(tools/practice.py records them)")
    results = []
    with _KeepRandomness(namespace):
        for name, obj in pieces.items():
            methods = {k: v for k, v in blobs["pieces"].items() if k.startswith(name + ".")}
            piece = blobs["pieces"].get(name)
            if piece is None and not methods:
                results.append(CheckResult(False, f"notebook {notebook} records no piece called {name}."))
            elif methods:
                results.append(_check_class(notebook, name, obj, methods, namespace))
            elif piece["kind"] == "value":
                results.append(_check_value(name, obj, piece, namespace))
            else:
                results.append(_check_function(notebook, name, obj, piece, namespace))
    if len(results) == 1:
        return results[0]
    passed = all(r.passed for r in results)
    attempted = any(r.attempted for r in results)
    message = " ".join(("" if r.passed else ("Not attempted yet: " if not r.attempted else "Not yet: ")) + r.message
                       for r in results)
    hints = " ".join(dict.fromkeys(r.hint for r in results if r.hint))
    return CheckResult(passed, message, hints, attempted=attempted)


# --------------------------------------------------------------------------- recording, while the lesson runs

def _shapes(args, kwargs) -> str:
    def one(a):
        if isinstance(a, np.ndarray) or _is_tensor(a):
            return f"{type(a).__name__}{tuple(a.shape)}"
        return type(a).__name__
    return ",".join([one(a) for a in args] + [f"{k}={one(v)}" for k, v in sorted(kwargs.items())])


def _nbytes(obj, depth: int = 0) -> int:
    """About how many bytes the arrays and tensors in `obj` hold (a cheap look before pickling)."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if _is_tensor(obj):
        return obj.element_size() * obj.nelement()
    if depth < 3 and isinstance(obj, (tuple, list)):
        return sum(_nbytes(x, depth + 1) for x in obj)
    if depth < 3 and isinstance(obj, dict):
        return sum(_nbytes(x, depth + 1) for x in obj.values())
    if depth < 3 and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(_nbytes(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj))
    return 0


class Recorder:
    """Wraps each piece a build cell defines and keeps its first calls (tools/practice.py injects it).

    Keeps the first `first` calls of each piece and up to `extra` more whose argument shapes are
    new. A case is kept if it is at most `max_bytes` compressed (the first of a piece) or
    `max_later_bytes` (the others), and if the call took at most `max_seconds`; the first call of
    a piece that is not kept is noted with the reason. Calls of the same argument shapes as one
    not kept are not tried again, so a piece in a timed loop is not slowed down.
    """

    def __init__(self, namespace, first=4, extra=2, max_seconds=2.0, max_bytes=200_000, max_later_bytes=64_000):
        self.namespace, self.first, self.extra = namespace, first, extra
        self.max_seconds, self.max_bytes, self.max_later_bytes = max_seconds, max_bytes, max_later_bytes
        self.pieces, self.active = {}, True
        self.values = {}

    def _piece(self, name, kind, cell):
        return self.pieces.setdefault(name, {"kind": kind, "cell": cell, "cases": [], "skipped": [], "calls": 0,
                                             "shapes": [], "rejected": set()})

    def _wrap(self, name, fn, cell, kind="function"):
        piece = self._piece(name, kind, cell)
        recorder = self

        @functools.wraps(fn)
        def recorded(*args, **kwargs):
            piece["calls"] += 1
            kept = len(piece["cases"])
            if not recorder.active or kept >= recorder.first + recorder.extra:
                return fn(*args, **kwargs)  # the fast path: a piece in a timed loop is not slowed down
            shapes = _shapes(args, kwargs)
            if shapes in piece["rejected"] or (kept >= recorder.first and shapes in piece["shapes"]):
                return fn(*args, **kwargs)
            limit = recorder.max_bytes if kept == 0 else recorder.max_later_bytes
            size = _nbytes((args, kwargs))
            if size > 8 * limit:  # too large even if it compresses well: not even pickled
                if kept == 0:
                    piece["skipped"].append(f"its arguments hold {size / 1e6:.1f} MB, too large to keep")
                piece["rejected"].add(shapes)
                return fn(*args, **kwargs)
            try:
                before = dumps((args, kwargs), recorder.namespace)
            except Exception as err:  # noqa: BLE001 - a generator, a lambda, an open file...
                before = None
                reason = f"its arguments cannot be saved ({type(err).__name__}: {str(err)[:120]})"
            randomness = _random_states(recorder.namespace) if before is not None else None
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            seconds = time.perf_counter() - start
            if before is None:
                piece["skipped"].append(reason)
                return result
            if seconds > recorder.max_seconds:
                piece["skipped"].append(f"a call took {seconds:.1f} s, too long to replay in a check")
                piece["rejected"].add(shapes)
                return result
            try:
                after = (args, kwargs)
                changed = difference(loads(before, recorder.namespace), after) is not None
                case = _pack({"args": args, "kwargs": kwargs, "result": result, "seconds": seconds,
                              "after": None, "random": randomness}, recorder.namespace)
                if changed:  # it works in place: compare the arguments after the call too
                    data = _unpack(case, recorder.namespace)
                    data["args"], data["kwargs"] = loads(before, recorder.namespace)
                    data["after"] = [args, kwargs]
                    case = _pack(data, recorder.namespace)
            except Exception as err:  # noqa: BLE001
                piece["skipped"].append(f"its result cannot be saved ({type(err).__name__}: {str(err)[:120]})")
                return result
            if len(case) > limit:
                if kept == 0:
                    piece["skipped"].append(f"a case of {len(case) / 1e6:.1f} MB, too large to keep")
                piece["rejected"].add(shapes)  # calls of the same shapes are not tried again
                return result
            piece["cases"].append(case)
            piece["shapes"].append(shapes)
            return result

        return recorded

    def watch(self, names, cell):
        """Wrap the named functions and the methods of the named classes (all but __init__)."""
        for name in names:
            obj = self.namespace[name]
            if inspect.isclass(obj):
                for attr, member in list(vars(obj).items()):
                    if inspect.isfunction(member) and not (attr.startswith("__") and attr.endswith("__")):
                        setattr(obj, attr, self._wrap(f"{name}.{attr}", member, cell, "method"))
                    elif attr == "__call__" and inspect.isfunction(member):
                        setattr(obj, attr, self._wrap(f"{name}.{attr}", member, cell, "method"))
            else:
                self.namespace[name] = self._wrap(name, obj, cell)

    def value(self, name, cell):
        piece = self._piece(name, "value", cell)
        value = self.namespace[name]
        try:
            piece["cases"] = [_pack({"args": (), "kwargs": {}, "result": value, "after": None, "seconds": 0.0},
                                    self.namespace)]
            self.values[name] = value
        except Exception as err:  # noqa: BLE001
            piece["skipped"].append(f"the value cannot be saved ({type(err).__name__}: {err})")

    def save(self, notebook: str, folder, meta: dict) -> dict:
        """Write NN.pkl (the cases) and NN.json (what is in it); returns the summary."""
        self.active = False
        folder = pathlib.Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        blobs = {"format": FORMAT, "notebook": notebook,
                 "pieces": {n: {"kind": p["kind"], "cases": p["cases"]} for n, p in self.pieces.items() if p["cases"]}}
        (folder / f"{notebook}.pkl").write_bytes(pickle.dumps(blobs, protocol=4))
        _FOLDER["cases"] = folder
        info = dict(meta)
        info.update({"format": FORMAT, "notebook": notebook, "pieces": {
            n: {"kind": p["kind"], "cell": p["cell"], "cases": len(p["cases"]), "calls": p["calls"],
                "skipped": sorted(set(p["skipped"]))} for n, p in self.pieces.items()}})
        _blobs.cache_clear()
        return info

    def verify(self, notebook: str) -> dict:
        """Run each check on the lesson's own pieces, reading the cases back from the file: name -> verdict."""
        self.active = False
        _blobs.cache_clear()
        out = {}
        classes = {}
        for name, piece in self.pieces.items():
            if not piece["cases"]:
                continue
            if piece["kind"] == "method":
                classes.setdefault(name.split(".", 1)[0], True)
                continue
            obj = self.values[name] if piece["kind"] == "value" else self.namespace.get(name)
            r = check(notebook, namespace=self.namespace, **{name: obj})
            out[name] = {"passed": r.passed, "message": r.message}
        for cls in classes:
            r = check(notebook, namespace=self.namespace, **{cls: self.namespace[cls]})
            out[cls] = {"passed": r.passed, "message": r.message}
        return out

