"""``tutorgrad.range``: PyTorch's deprecated inclusive range (use ``arange``).

``range(start, end, step)`` holds ``start, start + step, ...`` up to and *including* ``end``:
``floor((end - start) / step) + 1`` values, each computed as ``start + i * step`` (in double
for floating dtypes), in the default dtype unless ``dtype`` is given. It warns as PyTorch does,
because unlike Python's ``range`` (and ``arange``) it includes ``end``.
"""
import math
import warnings

import numpy as np

from . import _dtypes as D
from ._device import check as _check_device
from .tensor import Tensor

_MESSAGE = ("torch.range is deprecated and will be removed in a future release because its behavior is inconsistent "
            "with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).")


def _scalar(x):
    return x.item() if isinstance(x, Tensor) else x


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` *inclusive*, ``step`` apart (deprecated: ``arange`` excludes ``end``).

    >>> tutorgrad.range(1, 4)   # (warns: use tutorgrad.arange(1, 5))
    tensor([1., 2., 3., 4.])
    """
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn(_MESSAGE, UserWarning, stacklevel=2)
    _check_device(device, factory=True)
    dt = D.to_dtype(dtype, "range") if dtype is not None else D.get_default_dtype()
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    if dt.is_floating_point:   # at::acc_type on the CPU: double (float for half)
        acc = np.float32 if dt is D.float16 else np.float64
        xstart, xend, xstep = acc(start), acc(end), acc(step)
    else:
        xstart, xend, xstep = int(start), int(end), int(step)
    if xstep == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(xstart) and math.isfinite(xend)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if not ((xstep > 0 and xend >= xstart) or (xstep < 0 and xend <= xstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point:
        size = int((xend - xstart) / xstep + acc(1))
        values = (xstart + np.arange(size, dtype=acc) * xstep).astype(dt.np)
    else:
        size = int((xend - xstart) / xstep) + 1  # (C++ integer division: the quotient is >= 0 here)
        values = (xstart + np.arange(size, dtype=np.int64) * xstep).astype(dt.np)
    result = Tensor._wrap(values)
    return result.requires_grad_(True) if requires_grad else result
