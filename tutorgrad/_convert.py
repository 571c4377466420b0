"""Python data (numbers, nested lists, ndarrays, tensors) to NumPy arrays, as PyTorch reads it (ground floor).

``to_array([[1, 2], [3, 4]])`` is an int64 array, ``to_array([1., 2.])`` a float32 one (the default
dtype), ``to_array([[1], [2, 3]])`` raises PyTorch's error for a ragged list. ``check_fits(300,
uint8)`` raises PyTorch's error for a value its dtype cannot hold.
"""
import math
import numbers

import numpy as np

from . import _dtypes as D
from . import _errstate, _registered


def nested_shape_error(data):
    """Find the first ragged level of a nested list and explain it as PyTorch does."""
    level = [data]
    dim = 0
    while level:
        lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in level]
        if all(n is None for n in lengths):
            return None
        if any(n is None for n in lengths):
            return TypeError(f"expected a number or a sequence at dim {dim} but found both: not a sequence. Nested "
                             f"lists must be rectangular, e.g. [[1, 2], [3, 4]]")
        if len(set(lengths)) > 1:
            first = next(n for n in lengths if n is not None)
            bad = next(n for n in lengths if n != first)
            return ValueError(f"expected sequence of length {first} at dim {dim} (got {bad})")
        level = [y for x in level for y in x]
        dim += 1
    return None


def text_error(data):
    """PyTorch's error for text in a list (``tensor(['1.5', '2.0'])``): it reads a string as one more dimension."""
    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, str) and first:
        return ValueError("too many dimensions 'str': tensors hold numbers, not text. Convert the strings first, "
                          "e.g. tutorgrad.tensor([float(s) for s in strings])")
    return None


def scalar_dtype(data):
    """The dtype PyTorch infers for nested Python data (float -> default float32, int -> int64)."""
    Tensor = _registered.Tensor
    stack, kinds = [data], set()
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            if x is not data and x.numel() != 1:
                raise ValueError("only one element tensors can be converted to Python scalars: to join tensors "
                                 "use tutorgrad.stack(list_of_tensors)")
            kinds.add(x.dtype)
        elif isinstance(x, np.generic):
            kinds.add(D.from_numpy_dtype(x.dtype))
        elif isinstance(x, bool):
            kinds.add(D.bool_)
        elif isinstance(x, numbers.Integral):
            kinds.add(D.int64)
        elif isinstance(x, numbers.Real):
            kinds.add(D.get_default_dtype())
        elif isinstance(x, numbers.Complex):
            kinds.add(D.default_complex())
        elif isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}: tensors hold numbers (or nested lists "
                               "of numbers)")
    out = None
    for k in kinds:
        out = k if out is None else D.promote_types(out, k)
    return out or D.get_default_dtype()


def to_array(data, dtype=None):
    """A fresh ndarray holding ``data`` (nested lists, numbers, ndarrays, tensors); ``dtype`` a tutorgrad dtype."""
    if isinstance(data, _registered.Tensor):
        arr = data._data
        return arr.astype(dtype.np if dtype else arr.dtype, copy=True)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dtype.np if dtype else data.dtype, copy=True)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (list, tuple)):
        err = nested_shape_error(data) or text_error(data)
        if err is not None:
            raise err
    inferred = scalar_dtype(data)
    target = dtype or inferred
    if isinstance(data, (list, tuple)):
        data = _untensor(data)
    quiet = _errstate.quiet()  # a float too large for float32 becomes inf, without NumPy's warning (as PyTorch)
    try:
        return np.array(data, dtype=target.np)
    except OverflowError:
        if dtype is None:  # a Python int beyond int64
            raise ValueError("Overflow when unpacking long long: the number does not fit in int64; use "
                             "dtype=tutorgrad.float64 for huge values") from None
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow") from None
    finally:
        _errstate.restore(quiet)


def _untensor(data):
    """Replace tensors inside nested lists by their arrays (so NumPy can read them)."""
    if isinstance(data, _registered.Tensor):
        return data._data.reshape(())  # one element (checked in scalar_dtype): a number, as in PyTorch
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def check_fits(value, dt):
    """PyTorch's error for a fill value that ``dt`` can't hold (NumPy would warn and store inf, or raise)."""
    if isinstance(value, complex) and not dt.is_complex:  # NumPy would silently drop the imaginary part
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow: the fill value {value} is "
                           "complex; use a complex dtype such as tutorgrad.complex64")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return
    if dt is D.bool_:
        return
    if dt.is_floating_point or dt.is_complex:
        info = np.finfo(dt.np)
        lo, hi = float(info.min), float(info.max)  # as Python floats: comparing with NumPy's would cast `value`
    else:
        info = np.iinfo(dt.np)
        lo, hi = int(info.min), int(info.max)
    if math.isfinite(value) and not lo <= value <= hi:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow: {value} is outside "
                           f"[{lo:g}, {hi:g}]; use a wider dtype")
