"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ... (one per dtype, derived from ``_dtypes``).

Old tutorials and courses still write ``torch.FloatTensor([1, 2])`` or ``torch.LongTensor(3, 2)`` and test
``isinstance(x, torch.FloatTensor)``. As in PyTorch, these are not subclasses of ``Tensor``: calling one makes
an ordinary tensor of its dtype, and ``isinstance`` asks "a tensor of this dtype?"::

    >>> x = tutorgrad.FloatTensor([1, 2]); x, type(x).__name__, isinstance(x, tutorgrad.FloatTensor)
    (tensor([1., 2.]), 'Tensor', True)
    >>> tutorgrad.LongTensor(2, 3).shape      # sizes: a tensor of that shape (PyTorch's is uninitialised)
    tutorgrad.Size([2, 3])
"""
import numbers

import numpy as np

from . import _dtypes as D
from ._convert import to_array
from ._device import device as _device
from ._shapes import normalize_size
from .tensor import Tensor


class _LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co.: calling one is the legacy constructor; ``isinstance`` asks the dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and not cls.is_cuda

    def __call__(cls, *args, device=None, **kwargs):
        """``FloatTensor()`` (empty), ``FloatTensor(2, 3)`` / ``FloatTensor(Size)`` (a shape), ``FloatTensor(data)``
        (a copy converted to the dtype), ``FloatTensor(tensor)`` (the same memory; the dtype must match)."""
        if cls.is_cuda:  # tutorgrad.cuda.FloatTensor: as a CPU-only PyTorch
            raise TypeError(f"type {cls.__module__}.{cls.__name__} not available. Torch not compiled with CUDA "
                            "enabled.")
        if kwargs:
            raise TypeError(f"new() received an invalid combination of arguments - got unexpected keyword "
                            f"argument(s) {', '.join(map(repr, kwargs))}; the legacy constructor takes only "
                            f"data or sizes, and device")
        if device is not None and _device(device).type != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device type: {_device(device).type} "
                               "was passed")
        dt = cls.dtype
        if not args:
            return Tensor._wrap(np.zeros((0,), dt.np))
        first = args[0]
        if len(args) > 1 or _is_int(first) or (isinstance(first, tuple) and type(first).__name__ == "Size"):
            for i, a in enumerate(args):
                if not _is_int(a) and not (len(args) == 1 and isinstance(a, tuple)):
                    raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                                    f"\"type must be tuple of ints,but got {type(a).__name__}\"")
            size = normalize_size(args, cls.__name__)
            if any(s < 0 for s in size):
                raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
            return Tensor._wrap(np.zeros(size, dt.np))  # (PyTorch leaves it uninitialised: zeros are reproducible)
        if isinstance(first, Tensor):
            if first.dtype is not dt:
                raise TypeError(f"expected TensorOptions(dtype={_c(dt)}, device=cpu, ...) (got TensorOptions("
                                f"dtype={_c(first.dtype)}, device=cpu, ...)): {cls.__name__}(t) wraps t's memory; "
                                f"convert with t.to({dt}) instead")
            return first.detach()
        if isinstance(first, numbers.Number) and not isinstance(first, bool):
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
        return Tensor._wrap(to_array(first, dt))


def _is_int(a):
    return isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, bool)


def _c(dt):
    return {"Float": "float", "Double": "double", "Long": "long int", "Int": "int", "Bool": "bool"}.get(
        dt._legacy, dt._legacy)


def _legacy_type(dt, cuda=False):
    name = f"{dt._legacy}Tensor"
    module = "tutorgrad.cuda" if cuda else "tutorgrad"
    return _LegacyTensorType(name, (), {"dtype": dt, "is_cuda": cuda, "__module__": module,
                                        "__qualname__": name,
                                        "__doc__": f"The legacy type of {dt} tensors: ``{name}(data)``, "
                                                   f"``{name}(*sizes)``, ``isinstance(t, {name})``."})


# One per real dtype, as PyTorch (it has no legacy complex types); the tutorgrad.cuda ones cannot be made here
types = {f"{d._legacy}Tensor": _legacy_type(d) for d in D.ALL if not d.is_complex}
cuda_types = {f"{d._legacy}Tensor": _legacy_type(d, cuda=True) for d in D.ALL if not d.is_complex}
