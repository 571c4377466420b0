"""Reading a student's answer, made with tutorgrad or with real PyTorch, for the exercise checkers.

A lesson runs with ``import tutorgrad as torch`` and, unchanged, with ``import torch``; the
checkers accept both. A check that builds its own inputs uses ``lib_of(answer)``, so a PyTorch
answer is tested with PyTorch tensors. ``show`` prints numbers the short way the messages need
(``[1, 2, 3]``, ``0.5``), the same for both libraries.
"""
import dis
import importlib

import numpy as np

from .exercises import NotAnswered, Wrong, expect

LIBRARIES = ("tutorgrad", "torch")


def is_tensor(x):
    return not isinstance(x, type) and type(x).__module__.split(".")[0] in LIBRARIES and hasattr(x, "requires_grad")


def lib_of(obj):
    """The module (``tutorgrad`` or ``torch``) a tensor, module, function or class was made with."""
    if obj is ...:
        raise NotAnswered
    if callable(obj) and not isinstance(obj, type) and hasattr(obj, "__globals__"):
        lib = obj.__globals__.get("torch")  # a function: the torch its lesson imported
        if getattr(lib, "__name__", None) in LIBRARIES:
            return lib
    classes = obj.__mro__ if isinstance(obj, type) else type(obj).__mro__
    for root in (c.__module__.split(".")[0] for c in classes):
        if root in LIBRARIES:
            return importlib.import_module(root)
    return importlib.import_module("tutorgrad")


def does_nothing(fn):
    """True if ``fn``'s body is empty, as a ``...`` placeholder leaves it (Python compiles ``...`` away)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    idle = {"RESUME", "NOP", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE", "CACHE", "COPY_FREE_VARS",
            "MAKE_CELL"}
    return all(i.opname in idle for i in dis.get_instructions(code))


def kind(x):
    """'None', 'a list', 'a float', ... for a message."""
    if x is None:
        return "None"
    name = type(x).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def tensor_answer(x, what="Your answer"):
    """``x`` if it is a tensor; ``Wrong`` otherwise, saying what it is and how to make a tensor."""
    if x is ...:
        raise NotAnswered
    if isinstance(x, (list, tuple)) and not is_tensor(x):
        raise Wrong(f"{what} is {kind(x)}, not a tensor: pass it to torch.tensor(...) to make one.")
    if isinstance(x, np.ndarray):
        raise Wrong(f"{what} is a NumPy array, not a tensor: torch.from_numpy(...) or torch.tensor(...) makes one.")
    expect(is_tensor(x), f"{what} should be a tensor, but it is {kind(x)}.")
    return x


def number(x, what="Your answer"):
    """A Python float from a number or a one-element tensor."""
    if x is ...:
        raise NotAnswered
    if is_tensor(x):
        expect(x.numel() == 1, f"{what} should be a single number, but it is a tensor of shape {shape(x)}.")
        return float(x.detach().item())
    expect(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_)),
           f"{what} should be a number, but it is {kind(x)}.")
    return float(x)


def dtype_name(t):
    """``"float32"`` for ``torch.float32`` and ``tutorgrad.float32`` alike."""
    return str(t.dtype).split(".")[-1]


def shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def array(x):
    """A NumPy array of a tensor, array, number or (nested) list."""
    if is_tensor(x):
        x = x.detach()
        try:
            return np.asarray(x.numpy())
        except TypeError:  # a dtype NumPy lacks (PyTorch's bfloat16)
            return np.asarray(x.float().numpy())
    return np.asarray(x)


def values(x):
    """``array(x)`` as float64 (complex128 for complex numbers), for comparing."""
    a = array(x)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def same(a, b, tol=1e-4):
    """True if ``a`` and ``b`` have the same shape and close values."""
    a, b = values(a), values(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def show(x):
    """A short text of ``x`` for a message: ``[1, 2, 3]``, ``0.5``, ``tensor of shape (3, 4)``."""
    if x is None or isinstance(x, (str, bool)):
        return repr(x)
    if callable(x) and not is_tensor(x):
        return getattr(x, "__name__", type(x).__name__)
    try:
        a = array(x)
    except Exception:
        return repr(x)
    if a.dtype == object:
        return repr(x)
    if a.size > 40:
        return f"a tensor of shape {a.shape}"
    return _nested(a.tolist())


def _nested(x):
    if isinstance(x, list):
        return "[" + ", ".join(_nested(v) for v in x) + "]"
    if isinstance(x, float):
        return "0" if x == 0 else f"{x:.4g}"
    if isinstance(x, complex):
        return f"{x:.4g}"
    return str(x)


def expect_shape(t, want, what="Your answer"):
    got = shape(t)
    expect(got == tuple(want), f"{what} has shape {got}, but it should be {tuple(want)}.")


def expect_values(got, want, what="Your answer", tol=1e-4):
    """``Wrong`` unless ``got`` has ``want``'s shape and values."""
    expect_shape(got, shape(want) if hasattr(want, "shape") else np.shape(want), what)
    expect(same(got, want, tol), f"{what} is {show(got)}, but it should be {show(want)}.")


# --- function answers: say which input failed, what came back and what was expected ---------

def inputs_text(args):
    """The inputs of a call, one per line: ``    logits = [[2, 1], [0, 3]]``."""
    return "".join(f"\n    {name} = {show(value)}" for name, value in args.items())


def call(fn, name, args, what=None):
    """``fn(*args.values())``; if it raises, ``Wrong`` naming the call, its inputs and the error."""
    if fn is ...:
        raise NotAnswered
    expect(callable(fn), f"{what or name} should be a function, but it is {kind(fn)}.")
    try:
        got = fn(*args.values())
    except (NotAnswered, Wrong):
        raise
    except Exception as e:
        raise Wrong(f"{name}({', '.join(args)}) raised {type(e).__name__}: {e}\n  Given:{inputs_text(args)}") \
            from None
    if got is ...:
        raise NotAnswered
    return got


def gave(what, args, got, want, why=""):
    """Like ``returned``, for a result that is not a function's return value (``x.grad after backward``)."""
    return (f"{what} is {show(got)}, but {show(want)} was expected." + (f" {why}" if why else "")
            + f"\n  Given:{inputs_text(args)}")


def returned(name, args, got, want, why=""):
    """The message for a function answer that returned the wrong thing: the call, its inputs, what came
    back and what was expected, then ``why`` (what the mistake is and what to do)."""
    return (f"{name}({', '.join(args)}) returned {show(got)}, but {show(want)} was expected."
            + (f" {why}" if why else "") + f"\n  Given:{inputs_text(args)}")


def known_mistakes(answer, mistakes):
    """``Wrong(message)`` if ``answer`` has the shape and values of one of the known wrong answers.

    ``mistakes`` is a list of ``(wrong value, message)``: the value a typical mistake produces (a
    list, an array or a tensor) and the message that names that mistake and says what to do.
    """
    for wrong, message in mistakes:
        if same(answer, wrong):
            raise Wrong(message)
