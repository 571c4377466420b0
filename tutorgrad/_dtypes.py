"""Data types and PyTorch's type-promotion rules.

A ``dtype`` names a NumPy dtype the way PyTorch does (``tutorgrad.float32``).
Promotion follows PyTorch, not NumPy: operands fall into three priority groups
(tensors with dimensions, 0-d tensors, Python numbers) and a lower group can only
raise the *category* (bool < integer < floating < complex) of the result, never
its width. So ``float32_tensor * 2.5`` stays float32, as in PyTorch.
"""
import numpy as np


class dtype:
    """A tensor element type, e.g. ``tutorgrad.float32``."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_legacy")

    def __init__(self, name, np_dtype, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._legacy = legacy  # the C++ scalar-type name PyTorch uses in messages ("Float")

    def __repr__(self):
        return f"tutorgrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons, also through copy/deepcopy
        return (_by_name.__getitem__, (self.name,))

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)


bool_ = dtype("bool", np.bool_, "Bool")
uint8 = dtype("uint8", np.uint8, "Byte")
int8 = dtype("int8", np.int8, "Char")
int16 = dtype("int16", np.int16, "Short")
int32 = dtype("int32", np.int32, "Int")
int64 = dtype("int64", np.int64, "Long")
float16 = dtype("float16", np.float16, "Half")
float32 = dtype("float32", np.float32, "Float")
float64 = dtype("float64", np.float64, "Double")
complex64 = dtype("complex64", np.complex64, "ComplexFloat")
complex128 = dtype("complex128", np.complex128, "ComplexDouble")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_by_name = {d.name: d for d in ALL}
_by_np = {d.np: d for d in ALL}

# PyTorch's aliases: torch.float is float32, torch.long is int64, ...
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
           "short": int16, "cfloat": complex64, "cdouble": complex128, "bool": bool_}

_default_float = float32


def get_default_dtype():
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    """Make ``d`` (float32 or float64) the dtype of new floating-point tensors."""
    global _default_float
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def default_complex():
    return complex128 if _default_float is float64 else complex64


def from_numpy_dtype(np_dtype):
    """Map a NumPy dtype to ours, with a clear error for the ones PyTorch lacks."""
    d = _by_np.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.")
    return d


_PYTHON_TYPES = ((float, "float64"), (int, "int64"), (bool, "bool"), (complex, "complex128"))


def to_dtype(d, fn=None):
    """The dtype a ``dtype=`` argument names: a tutorgrad dtype, or float/int/bool/complex as in PyTorch.

    NumPy dtypes and strings are refused with PyTorch's ``TypeError`` (code written with them would fail on
    PyTorch), and the message names the right spelling. ``fn`` names the caller in it, as PyTorch does.
    """
    if isinstance(d, dtype):
        return d
    for py, name in _PYTHON_TYPES:
        if d is py:
            return _by_name[name]
    kind = type(d)
    got = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    message = f"{fn + '(): ' if fn else ''}argument 'dtype' must be tutorgrad.dtype, not {got}"
    right = _spelling(d)
    if right is not None:
        message += (f": use tutorgrad.{right.name} (torch.{right.name} after `import tutorgrad as torch`) "
                    f"instead of {_shown(d)}")
    raise TypeError(message)


def _spelling(d):
    """The dtype a NumPy dtype or a string such as 'float32' or 'torch.long' means, or None."""
    if isinstance(d, str):
        name = d.rsplit(".", 1)[-1]
        if name in _by_name or name in ALIASES:
            return _by_name.get(name) or ALIASES[name]
    try:
        return _by_np.get(np.dtype(d))
    except (TypeError, ValueError):
        return None


def _shown(d):
    if isinstance(d, type):
        return f"{d.__module__.replace('numpy', 'np')}.{d.__name__}"
    if isinstance(d, np.dtype):
        return f"np.dtype('{d}')"
    return repr(d)


def _category(d):
    return 3 if d.is_complex else 2 if d.is_floating_point else 0 if d is bool_ else 1


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to without losing their kind."""
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if ca == 3 or cb == 3:  # complex wins, with the wider real part
        real = promote_types(a.to_real(), b.to_real()) if ca == cb else (a if ca == 3 else b).to_real()
        if ca != cb:
            other = (b if ca == 3 else a)
            if other.is_floating_point:
                real = promote_types(real, other)
        return real.to_complex()
    if ca != cb:
        return a if ca > cb else b
    return _by_np[np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    # PyTorch's combine_categories: a lower-priority group may raise the category only.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype PyTorch gives ``op(*operands)``; operands are Tensors or Python numbers."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:  # a Python number
            if isinstance(x, bool):
                d = bool_
            elif isinstance(x, int):
                d = int64
            elif isinstance(x, float):
                d = _default_float
            elif isinstance(x, complex):
                d = default_complex()
            else:
                raise TypeError(f"unsupported operand type {type(x).__name__}")
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        elif getattr(x, "_wrapped", False):  # a Python number already wrapped as a 0-d tensor
            if d.is_complex:
                d = default_complex()
            elif d.is_floating_point:
                d = _default_float
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        elif x.ndim == 0:
            zero = d if zero is None else promote_types(zero, d)
        else:
            dim = d if dim is None else promote_types(dim, d)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(frm, to):
    """PyTorch's rule for in-place ops: no cast to a lower category (float -> int)."""
    return _category(frm) <= _category(to)
