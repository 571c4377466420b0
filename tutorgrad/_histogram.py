"""``histc`` and ``histogram``: count how many values fall in each bin (new tensors, no gradient).

Both follow PyTorch's CPU kernel (``HistogramKernel.cpp``) step for step, so an element on a bin edge
lands where PyTorch puts it: the edges are ``linspace(min, max, bins + 1)`` in the input's dtype, an
element goes to bin ``int((x - min) * bins / (max - min))`` computed in that dtype -- ``histogram``
then corrects that guess against the neighbouring edges, ``histc`` (the older function) does not --
and the last bin includes its right edge. Elements outside ``[min, max]`` (and NaN) are not counted.

One machine dependence comes with the edges: tutorgrad's ``linspace`` gives the numbers of PyTorch's
plain (``ATEN_CPU_CAPABILITY=default``) kernel; PyTorch's AVX2/AVX-512 kernels fuse multiply-adds and
can put an edge one unit in the last place away. An element lying exactly on such an edge can then
fall in the neighbouring bin (given the same edges, the counts are the same).

>>> tutorgrad.histc(tutorgrad.tensor([1., 2., 1.]), bins=4, min=0, max=3)
tensor([0., 2., 1., 0.])
"""
import math
import numbers
from collections import namedtuple

import numpy as np

from .tensor import Tensor
from . import _dtypes as D


class histogram_result(namedtuple("histogram", ["hist", "bin_edges"])):
    """``(hist, bin_edges)``, printed as PyTorch prints ``torch.return_types.histogram``."""
    __slots__ = ()

    def __repr__(self):
        return f"tutorgrad.return_types.histogram(\nhist={self.hist!r},\nbin_edges={self.bin_edges!r})"


# how PyTorch's histogram messages name dtypes (C++ type names)
_CPP = {"float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int", "int32": "int",
        "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
        "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _cpp(dtype):
    return _CPP.get(dtype.name, dtype.name)


def _number(x):
    return f"{x:g}" if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _check_input(input, fn, kernel):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not input.dtype.is_floating_point or (fn == "histogram" and input.dtype is D.float16):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype._legacy}': a histogram counts "
                                  "floating-point values; convert first, e.g. t.float()")


def _check_bins(bins, fn):
    if not isinstance(bins, (numbers.Integral, np.integer)) or isinstance(bins, bool):
        raise TypeError(f"{fn}(): argument 'bins' must be int, not {type(bins).__name__}")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


def _edges(lo, hi, bins, dt):
    from .creation import linspace  # PyTorch makes the edges with linspace: the same numbers here
    return linspace(lo, hi, bins + 1, dtype=dt)._data


def _upper_bound(edges, x, first, last):
    """``std::upper_bound(edges + first, edges + last, x) - edges`` for each x (edges need not be sorted)."""
    first = np.broadcast_to(np.asarray(first, np.int64), x.shape).copy()
    count = np.broadcast_to(np.asarray(last, np.int64), x.shape) - first
    while (count > 0).any():
        step = count // 2
        it = np.minimum(first + step, len(edges) - 1)
        right = (count > 0) & ~(x < edges[it])
        first = np.where(right, it + 1, first)
        count = np.where(right, count - step - 1, np.where(count > 0, step, count))
    return first


def _count(x, edges, weight, search):
    """The kernel: bin positions of x (1-D, the input's dtype), then the counts (or weight sums) per bin."""
    n_edges = len(edges)
    lo, hi = edges[0], edges[-1]
    keep = (x >= lo) & (x <= hi)  # (NaN fails both)
    x = x[keep]
    if search == "binary":
        pos = _upper_bound(edges, x, 0, n_edges) - 1
    else:
        with np.errstate(all="ignore"):  # in the input's dtype, as the C++ (x - lo) * (n - 1) / (hi - lo)
            pos = ((x - lo) * x.dtype.type(n_edges - 1) / (hi - lo)).astype(np.int64)
        if search == "local":
            pos = _upper_bound(edges, x, np.maximum(pos - 1, 0), np.minimum(pos + 2, n_edges)) - 1
    pos = np.where(pos == n_edges - 1, pos - 1, pos)
    hist = np.zeros(n_edges - 1, dtype=x.dtype)
    w = np.ones(len(x), x.dtype) if weight is None else weight[keep]
    np.add.at(hist, pos, w)  # in element order, as the kernel's running sums
    return hist


def _histc_range(data, min, max):
    """histc's outer edges: ``min``/``max``, else the data's own range, widened by 1 if it is a point."""
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_number(lo)}, {_number(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    return lo, hi


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts of ``input``'s values in ``bins`` equal bins between ``min`` and ``max``.

    With ``min == max`` (the default) the bins span the input's own smallest and largest value.
    The result has the input's dtype and no gradient.

    >>> tutorgrad.histc(tutorgrad.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    _check_input(input, "histc", "histogram_cpu")
    _check_bins(bins, "histc")
    data = input._data.reshape(-1)
    lo, hi = _histc_range(data, min, max)
    edges = _edges(lo, hi, int(bins), input.dtype)
    return Tensor._wrap(_count(data, edges, None, "linear"))


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``(hist, bin_edges)``: a histogram of ``input`` with ``bins`` equal bins, or with the given edges.

    ``bins`` is a number of bins (over ``range=(min, max)``, by default the input's own range) or a
    1-D tensor of bin edges. ``weight`` gives each element's weight; ``density=True`` scales the
    result so that it integrates to 1 over the bins.

    >>> tutorgrad.histogram(tutorgrad.tensor([1., 2., 1.]), bins=2).hist
    tensor([2., 1.])
    """
    _check_input(input, "histogram", "histogramdd")
    dt = input.dtype
    data = input._data.reshape(-1)
    if isinstance(bins, Tensor):
        if bins.dtype is not dt:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                               f"input with dtype {_cpp(dt)} and bins for dimension 0 with dtype {_cpp(bins.dtype)}")
        if bins.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but got "
                               f"{bins.ndim} dimensions in the bins tensor for dimension 0")
        if bins.numel() == 0:
            raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in "
                               "the bins tensor for dimension 0")
        if bins.numel() == 1:
            raise RuntimeError("torch.histogram(): bins must be > 0, but got 0 for dimension 0")
        edges, search = bins._data.copy(), "binary"
    else:
        if not isinstance(bins, (numbers.Integral, np.integer)) or isinstance(bins, bool):
            raise TypeError(f"histogram() received an invalid combination of arguments - got (Tensor, bins="
                            f"{type(bins).__name__}): bins is a number of bins (int) or a 1-D tensor of bin edges")
        _check_bins(bins, "histogram")
        if range is not None:
            if len(range) != 2:
                raise RuntimeError("torch.histogramdd: for a 1-dimensional histogram range should have 2 elements, "
                                   f"but got {len(range)}")
            lo, hi = float(range[0]), float(range[1])
        elif data.size:
            lo, hi = float(data.min()), float(data.max())
        else:
            lo, hi = 0.0, 1.0
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{_number(lo)}, {_number(hi)}] is not finite")
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_number(lo)} max "
                               f"{_number(hi)} for dimension 0")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges, search = _edges(lo, hi, int(bins), dt), "local"
    w = None
    if weight is not None:
        if weight.dtype is not dt:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should "
                               f"have the same dtype, but got input({_cpp(dt)}), and weight({_cpp(weight.dtype)})")
        if weight.numel() != data.size or weight.ndim != input.ndim:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                               f"input tensor excluding its innermost dimension, but got input with shape "
                               f"[{data.size}, 1] and weight with shape [{', '.join(map(str, weight.shape))}]")
        w = weight._data.reshape(-1)
    hist = _count(data, edges, w, search)
    if density:
        with np.errstate(all="ignore"):
            hist = hist / dt.np.type(hist.sum())
            hist = (hist / np.diff(edges)).astype(dt.np)
    return histogram_result(Tensor._wrap(hist), Tensor._wrap(edges))
