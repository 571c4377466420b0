"""Exercises of lesson 4, PyTorch vs NumPy (notebooks/04-pytorch-vs-numpy.ipynb)."""
import numpy as np

from .answers import dtype_name, expect_values, is_tensor, kind, values
from .exercises import NotAnswered, Wrong, add, expect


def _follows(a, t):
    """True if a change to array ``a`` shows in tensor ``t`` (the check puts ``a`` back as it was)."""
    old = a.flat[0]
    a.flat[0] = old + 1000
    try:
        return bool(values(t).ravel()[0] == a.flat[0])
    finally:
        a.flat[0] = old


def _tensor_of(a, t):
    """``Wrong`` unless ``t`` is a tensor with ``a``'s numbers."""
    if t is ...:
        raise NotAnswered
    expect(t is not a, "t is a itself, the NumPy array: make a tensor from it.")
    expect(not isinstance(t, np.ndarray), "t is a NumPy array, not a tensor: make a tensor from a.")
    expect(is_tensor(t), f"t should be a tensor, but it is {kind(t)}.")
    expect_values(t, a, "t")


@add("4.1", answers=("a", "t"), hints=[
    "Of the ways to make a tensor from an array, one never copies: it wraps the array's own memory, and "
    "so it keeps the array's dtype as it is.",
    "torch.from_numpy(a) shares a's memory. torch.tensor(a) copies, and so does any change of dtype.",
], solution="t = torch.from_numpy(a)")
def _(a, t):
    _tensor_of(a, t)
    if not _follows(a, t):
        expect(dtype_name(t) == str(a.dtype), f"t is {dtype_name(t)} while a is {a.dtype}: a change of dtype needs "
                                              "new memory, so t is a copy. Keep a's dtype: torch.from_numpy(a).")
        raise Wrong("t has a's numbers but memory of its own: torch.tensor(...), .copy() and .clone() copy, so "
                    "changing a does not change t. torch.from_numpy(a) shares.")


@add("4.2", answers=("a", "t"), hints=[
    "This time you want the opposite of sharing: a tensor with its own memory, holding the same numbers "
    "in the same dtype.",
    "torch.tensor(array) always copies, and keeps the array's dtype unless you ask for another.",
], solution="t = torch.tensor(a)")
def _(a, t):
    _tensor_of(a, t)
    expect(not _follows(a, t), "t shares memory with a, so changing a changes t: torch.from_numpy(a) and "
                               "torch.as_tensor(a) share. torch.tensor(a) copies.")
    got = dtype_name(t)
    expect(not got.startswith("int"), f"t is {got}: whole numbers, but a holds float64. Keep a's dtype: "
                                      "torch.tensor(a).")
    expect(got == str(a.dtype), f"t is {got} while a is {a.dtype}: the copy should keep a's dtype. "
                                "torch.tensor(a) keeps it (a dtype= argument or .float() changes it).")


@add("4.3", answers=("arr",), hints=[
    "A tensor that tracks history cannot go straight to NumPy: first take a version of it that has left "
    "the graph, then convert that.",
    ".detach() gives the same numbers without the history; .numpy() then gives the array. Both are calls, "
    "with ().",
], solution="arr = w.detach().numpy()")
def _(arr):
    if arr is ...:
        raise NotAnswered
    expect(not is_tensor(arr), "arr is still a tensor (detach() leaves the graph but stays a tensor); "
                               ".numpy() turns it into a NumPy array.")
    expect(not callable(arr), "arr is the method .numpy itself, not its result: call it, w.detach().numpy().")
    expect(not isinstance(arr, list), "arr is a Python list (tolist()); the exercise asks for a NumPy array: "
                                      "w.detach().numpy().")
    expect(isinstance(arr, np.ndarray), f"arr should be a NumPy array, but it is {kind(arr)}.")
    expect_values(arr, [0.5, -1.0, 2.0], "arr")


@add("4.4", answers=("prediction",), hints=[
    "Go line by line and ask each time: does this change the memory that a and t share, or does it make "
    "something new?",
    "a *= 2 changes the shared memory in place; a = a + 10 makes a new array that t does not see; "
    "t[0] = 0.0 changes t (and the old array).",
], solution="prediction = [0.0, 2.0, 2.0]")
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    try:
        got = values(prediction)
    except (TypeError, ValueError):
        raise Wrong("Write your prediction as a list of three numbers, e.g. [1.0, 2.0, 3.0].") from None
    expect(got.shape == (3,), "Write your prediction as a list of three numbers, e.g. [1.0, 2.0, 3.0].")
    expect(not np.allclose(got[1:], 12), "t does not see a = a + 10: that makes a new array and points the name a "
                                         "at it, while t keeps the old one.")
    expect(not np.allclose(got[1:], 1), "t does see a *= 2: an in-place operation changes the shared memory.")
    expect(not np.allclose(got[1:], 11), "a = a + 10 makes a new array, and t keeps the old one; but a *= 2 before "
                                         "it did change the shared memory.")
    expect(got[0] == 0, f"The first number is {got[0]:g}, but the last line before print sets t[0] = 0.0.")
    expect_values(got, [0.0, 2.0, 2.0], "Your prediction")
