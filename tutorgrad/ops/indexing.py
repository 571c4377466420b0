"""Indexing: ``x[key]``, ``x[key] = v``, ``gather``, ``index_select``, ``masked_select``, ``narrow``.

``Index`` is written out in full: read it first. Its backward puts the gradient back where the
values were taken from, into zeros of the input's shape (``IndexScatter``); repeated indices add up.

PyTorch's key rules are checked before NumPy sees the key (its own errors, or a silent
wrap-around, would differ): bounds, bool masks, integer tensors, and PyTorch's order of the
result's dimensions when integers and index arrays mix (``_np_view``).
"""
import warnings

import numpy as np

from .. import _dtypes as D
from .._shapes import wrap_dim
from ..autograd import grad_mode
from ..tensor import Tensor
from .registry import Op, T, operand, register, user_stacklevel


def _convert_key(key, x):
    """Turn a user index into a NumPy index; tensors become arrays. Returns (key, kind)."""
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, slice, Tensor, np.ndarray)) or k is None or k is Ellipsis for k in key):
        key = tuple(key)  # PyTorch (and old NumPy) read x[[[0, 1], [1, 0]]] as x[[0, 1], [1, 0]], with a warning
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                      "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                      "tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=user_stacklevel())
    if not isinstance(key, tuple):
        key = (key,)
    out, advanced = [], False
    for k in key:
        if isinstance(k, Tensor):
            if k.dtype.is_floating_point or k.dtype.is_complex:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            k = int(k._data) if k.ndim == 0 and k.dtype is not D.bool_ else k._data  # 0-d: like an int
        elif isinstance(k, list):
            k = np.asarray(k)
            if k.dtype.kind not in "biu" and k.size:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if k.size == 0:
                k = k.astype(np.int64)
        elif isinstance(k, (float, np.floating)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)")
        elif isinstance(k, np.ndarray):
            pass
        elif isinstance(k, str):
            raise TypeError(f"new(): invalid data type 'str': tensors are indexed with integers, slices (`:`), "
                            f"ellipsis (`...`), None and integer or bool tensors, not {k!r}")
        elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer, bool))):
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(k).__name__})")
        if isinstance(k, np.ndarray) or isinstance(k, bool):
            advanced = True
        out.append(k)
    _check_bounds(out, x.shape)
    if not advanced and Ellipsis not in out:
        out.append(Ellipsis)  # so that x[0] of a vector is a 0-d *view*, not a NumPy scalar copy
    return tuple(out), advanced


def _np_view(a, key):
    """``(view, subkey)`` with ``view[subkey]`` meaning PyTorch's ``a[key]``.

    PyTorch selects with the integers of a key first and indexes with its arrays after; NumPy counts the
    integers as arrays too, which moves the result's dimensions: ``x[0, :, [1, 2]]`` is 3x2 in PyTorch but
    2x3 in NumPy. So for keys that mix both, select first (a view), then index the view.
    """
    ints = [isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in key]
    if not any(ints) or not any(isinstance(k, np.ndarray) for k in key):
        return a, key
    first, rest = [], []
    for k, is_int in zip(key, ints):
        if is_int:
            first.append(k)
        elif isinstance(k, np.ndarray):
            first += [slice(None)] * (k.ndim if k.dtype == np.bool_ else 1)
            rest.append(k)
        elif isinstance(k, bool):
            rest.append(k)
        else:  # slice, None, Ellipsis
            first.append(k)
            rest.append(k if k is Ellipsis else slice(None))
    return a[tuple(first)], tuple(rest)


def _dims_used(k):
    """How many dimensions of the indexed tensor one index entry consumes."""
    if k is None or k is Ellipsis or isinstance(k, bool):
        return 0
    if isinstance(k, np.ndarray) and k.dtype == np.bool_:
        return k.ndim
    return 1


def _check_bounds(key, shape):
    """PyTorch's errors, in PyTorch's order, before NumPy can raise its own (or wrap around silently)."""
    used = sum(_dims_used(k) for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim, arrays = 0, []
    for pos, k in enumerate(key):
        if k is Ellipsis:
            dim = len(shape) - sum(_dims_used(kk) for kk in key[pos + 1:])
            continue
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, slice) and k.step is not None and k.step <= 0:
            if k.step == 0:
                raise ValueError("slice step cannot be zero")
            raise ValueError("step must be greater than zero: tensors have no negative-step slices (NumPy does); "
                             "to reverse, use x.flip(0)")
        elif isinstance(k, np.ndarray):
            arrays.append((dim, k))
        dim += _dims_used(k)
    for dim, k in arrays:  # index arrays are checked last, as PyTorch does when it gathers
        if k.dtype != np.bool_ and k.size:
            n = shape[dim]
            if k.max() >= n or k.min() < -n:
                bad = int(k.max()) if k.max() >= n else int(k.min())
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        elif k.dtype == np.bool_ and k.shape != tuple(shape[dim:dim + k.ndim]):
            raise IndexError(f"The shape of the mask {list(k.shape)} at index {dim} does not match the shape of "
                             f"the indexed tensor {list(shape)} at index {dim}")


class Index(Op):
    """y = x[key]: some of x's elements, picked by a key (integers, slices, masks, index tensors).

    Each picked element came from one place of x, so its gradient goes back to that place: backward
    starts from zeros of x's shape and adds the upstream gradient at the indexed positions
    (``IndexScatter``). An element picked twice (``x[[0, 0]]``) gets both gradients, added.
    """
    rule = "y = x[key].   dL/dx = zeros with g added back at the indexed positions (repeats add up)."

    @staticmethod
    def forward(ctx, x, key, advanced):
        ctx.shape, ctx.advanced = x.shape, advanced
        _save_key(ctx, key)
        view, key = _np_view(x._data, key)
        return view[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexScatter.apply(grad, shape=ctx.shape, key=_saved_key(ctx), advanced=ctx.advanced)


_ARRAY = object()  # where an index array of a key went


def _save_key(ctx, key):
    """Save the index arrays in ``key`` as tensors: like PyTorch's index tensors, freed after backward."""
    ctx.save_for_backward(*(T(k) for k in key if isinstance(k, np.ndarray)))
    ctx.key = tuple(_ARRAY if isinstance(k, np.ndarray) else k for k in key)


def _saved_key(ctx):
    arrays = iter([t._data for t in ctx.saved_tensors])
    return tuple(next(arrays) if k is _ARRAY else k for k in ctx.key)


# PyTorch names the node after the last real step of the key (x[0]: select, x[1:]: slice, x[None]: unsqueeze).
Select, Slice, Alias = (Index.variant(n) for n in ("SelectBackward0", "SliceBackward0", "AliasBackward0"))
IndexUnsqueeze = Index.variant("UnsqueezeBackward0", "IndexUnsqueeze")
IndexSelect, MaskedSelect = Index.variant("IndexSelectBackward0"), Index.variant("MaskedSelectBackward0")


class IndexScatter(Op):
    rule = "y = zeros with g added at ``key`` (the reverse of indexing)."
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, shape, key, advanced):
        ctx.advanced = advanced
        _save_key(ctx, key)
        out = np.zeros(shape, g._data.dtype)
        if advanced:
            view, key = _np_view(out, key)
            np.add.at(view, key, g._data)  # repeated indices must accumulate, not overwrite
        else:
            out[key] = g._data
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, key=_saved_key(ctx), advanced=ctx.advanced)


def _real_steps(key, shape):
    """The entries of a key that change the tensor: not ``...``, not a slice that keeps a whole dimension."""
    steps, dim = [], 0
    for pos, k in enumerate(key):
        if k is Ellipsis:
            dim = len(shape) - sum(_dims_used(kk) for kk in key[pos + 1:])
            continue
        if not (isinstance(k, slice) and k.start in (None, 0) and (k.stop is None or k.stop >= shape[dim])
                and k.step in (None, 1)):  # (PyTorch's test: x[:, -n:] still counts as a slice)
            steps.append(k)
        dim += _dims_used(k)
    return steps


def _index_fn(key, advanced, shape, single_slice=False):
    """The node PyTorch records for ``x[key]``: the last step that is not a no-op (``x[:, 0:n]`` is an alias)."""
    if advanced:
        return Index
    if single_slice:  # x[a:b] always slices (PyTorch's fast path skips the no-op check)
        return Slice
    parts = _real_steps(key, shape)
    if not parts:
        return Alias
    last = parts[-1]
    return IndexUnsqueeze if last is None else Slice if isinstance(last, slice) else Select


def _index(x, key, fn=None):
    """``x[key]``; ``fn`` names the node (e.g. ``IndexSelect`` for ``index_select``)."""
    k, advanced = _convert_key(key, x)
    out = (fn or _index_fn(k, advanced, x.shape, isinstance(key, slice))).apply(x, key=k, advanced=advanced)
    return out if advanced else out._make_view_of(x, lambda t: _index(t, key, fn))


class IndexPut(Op):
    rule = "x[key] = v, as a new value.   dL/dx = g with the overwritten part zeroed; dL/dv = g[key]."
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, key, advanced):
        ctx.key, ctx.advanced, ctx.vshape = key, advanced, v.shape
        out = x._data.copy()
        view, key = _np_view(out, key)
        view[key] = v._data
        return out

    @staticmethod
    def backward(ctx, grad):
        mask = np.ones(grad.shape, bool)
        view, key = _np_view(mask, ctx.key)
        view[key] = False
        gx = grad * T(mask.astype(grad.dtype.np))
        gv = Index.apply(grad, key=ctx.key, advanced=ctx.advanced)
        return gx, gv


AdvancedIndexPut = IndexPut.variant("IndexPutBackward0", "AdvancedIndexPut")


def index_put(x, key, value):
    """``x[key] = value``: checked as PyTorch checks it, recorded as ``IndexPut`` (``CopySlices``) when needed."""
    k, advanced = _convert_key(key, x)
    v = operand(value)
    if v is None:
        raise TypeError(f"can't assign a {type(value).__name__} to a tensor; assign a number or a tensor")
    if v._wrapped and v.dtype.is_complex and not x.dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type {x.dtype.name} without overflow: {value} is complex")
    masked_fill = sum(isinstance(i, np.ndarray) for i in k) == 1 and any(
        isinstance(i, np.ndarray) and i.dtype == np.bool_ for i in k) and v.ndim == 0
    if advanced and v.dtype is not x.dtype and not v._wrapped and not masked_fill:
        # (basic indexing copies, converting the dtype; advanced indexing, like PyTorch's index_put_, does not)
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {x.dtype._legacy} "
                           f"for the destination and {v.dtype._legacy} for the source. Convert the value first, "
                           f"e.g. value.to({x.dtype})")
    # x[i] += 1 writes a view of x back onto the same memory: fine; a partial overlap (x[1:] = x[:-1]) is not
    (T(x._data[k]) if not advanced else x)._check_overlap(v)
    if v.dtype is not x.dtype:
        v = v.to(x.dtype)
    x._check_inplace_allowed()
    view, view_key = _np_view(x._data, k)
    target_shape = view[view_key].shape
    vshape = v.shape
    while len(vshape) > len(target_shape) and vshape[0] == 1:  # leading 1s of the value are dropped
        vshape = vshape[1:]
    if len(vshape) > len(target_shape) or any(n not in (1, t) for n, t in zip(vshape[::-1], target_shape[::-1])):
        if not advanced:  # x[1:] = v copies v in, expanding it: PyTorch's expand error
            v.expand(target_shape)
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                           f"indexing result of shape {list(target_shape)}")
    if grad_mode.is_grad_enabled() and (x._requires_grad or v._requires_grad):
        # PyTorch writes through a view first when the key also selects, slices or adds dims: CopySlices
        via_view = any(not isinstance(i, (np.ndarray, bool)) for i in _real_steps(k, x.shape))
        fn = AdvancedIndexPut if advanced and not via_view else IndexPut
        x._inplace(lambda: fn.apply(x, v, key=k, advanced=advanced))
    else:
        if not x._data.flags.writeable:
            raise RuntimeError("unsupported operation: this tensor's memory is read-only; .clone() it first")
        view[view_key] = v._data
        x._counter().bump()


class Gather(Op):
    rule = "y = x picked at ``index`` along ``dim``.   dL/dx = g added back at those positions."

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(T(index))
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return ScatterAdd.apply(grad, shape=ctx.shape, dim=ctx.dim, index=index._data)


class ScatterAdd(Op):
    rule = "y = zeros with g added at ``index`` along ``dim`` (the reverse of Gather)."

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(T(index))
        out = np.zeros(shape, g._data.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        np.add.at(out, tuple(idx), g._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return grad.gather(ctx.dim, index)




# ---------------------------------------------------------------------------------------------- methods
@register("__getitem__", function=False)
def getitem(self, key):
    return _index(self, key)


@register("__setitem__", function=False)
def setitem(self, key, value):
    index_put(self, key, value)


@register("index_select")
def index_select(self, dim, index):
    dim = wrap_dim(dim, self.ndim)
    _index_dtype("index_select", index)
    return _index(self, (slice(None),) * dim + (index,), IndexSelect)


@register("masked_select")
def masked_select(self, mask):
    return _index(self, mask.expand(self.shape) if isinstance(mask, Tensor) else mask, MaskedSelect)


@register("gather")
def gather(self, dim, index):
    _index_dtype("gather", index)
    return Gather.apply(self, dim=wrap_dim(dim, self.ndim), index=index._data)


def _index_dtype(fn, index):
    if not isinstance(index, Tensor) or index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32 or int64 for index, got "
                           f"{getattr(index, 'dtype', type(index).__name__)}; e.g. tutorgrad.tensor([0, 2])")


@register("narrow")
def narrow(self, dim, start, length):
    """``length`` elements from ``start`` along ``dim`` (a view; ``start`` may be negative)."""
    dim = wrap_dim(dim, self.ndim)
    n = self.shape[dim]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start = start + n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _index(self, (slice(None),) * dim + (slice(start, start + length),), Slice)


