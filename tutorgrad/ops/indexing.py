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
from .registry import Op, T, no_complex, operand, register, user_stacklevel


def _convert_key(key, x):
    """Turn a user index into a NumPy index; tensors become arrays. Returns (key, kind)."""
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, slice, Tensor, np.ndarray, range)) or k is None or k is Ellipsis for k in key):
        key = tuple(key)  # PyTorch (and old NumPy) read x[[[0, 1], [1, 0]]] as x[[0, 1], [1, 0]], with a warning
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                      "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                      "tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=user_stacklevel())
    if not isinstance(key, tuple):
        key = (key,)
    out, advanced = [], False
    for k in key:
        if isinstance(k, range):  # x[range(n), y]: a sequence of integers, as PyTorch reads it
            k = np.arange(k.start, k.stop, k.step, dtype=np.int64)
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
        return x._data[_scatter_key(index, dim)]  # (index may be smaller than x in the other dims, as in PyTorch)

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


@register("index_select", out=True)
def index_select(self, dim, index):
    dim = wrap_dim(dim, self.ndim)
    _index_dtype("index_select", index)
    return _index(self, (slice(None),) * dim + (index,), IndexSelect)


@register("masked_select", out=True)
def masked_select(self, mask):
    return _index(self, mask.expand(self.shape) if isinstance(mask, Tensor) else mask, MaskedSelect)


@register("gather", out=True)
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




# ---------------------------------------------------------------------------------------------- scatter, index_add
def _scatter_key(index, dim):
    """The positions ``index`` names along ``dim``: a NumPy key (the other dims run over index's own shape)."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _check_scatter(name, self, dim, index, src=None):
    if not isinstance(index, Tensor) or index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if index.ndim != self.ndim and not (index.ndim <= 1 and self.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None and src.ndim != index.ndim and not (index.ndim <= 1 and src.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    d = wrap_dim(dim, self.ndim)
    sizes = [(i, n) for i, n in enumerate(index.shape)]
    if any(n > (self.shape[i] if self.ndim else 1) for i, n in sizes if i != d) or (
            src is not None and any(n > (src.shape[i] if src.ndim else 1) for i, n in sizes)):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(self.shape)} apart "
                           f"from dimension {d}" + (f" and to be no larger size than src {list(src.shape)}"
                                                    if src is not None else ""))
    idx = index._data.astype(np.int64, copy=False)
    n = self.shape[d] if self.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):  # (no negative indices here, as in PyTorch)
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if src is not None and src.dtype is not self.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    return d, (idx if self.ndim else idx.reshape(()))


def _src_part(src, index):
    """The part of ``src`` that ``index`` uses (src may be larger than index in every dim)."""
    return src[tuple(slice(0, n) for n in index.shape)] if src.shape != index.shape else src


def _pad_to(g, shape):
    """``g`` with zeros after it up to ``shape`` (the gradient of ``_src_part``)."""
    if tuple(g.shape) == tuple(shape):
        return g
    from .conv import ConstantPadNd
    return ConstantPadNd.apply(g, pads=[(0, s - n) for n, s in zip(g.shape, shape)], value=0)


class Scatter(Op):
    rule = "y = x with src written at ``index`` along ``dim``.   dL/dx = g with those positions zeroed; dL/dsrc = g[index]."
    node_name = "ScatterBackward0"
    saved_names = ("index",)

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(T(index))
        out = x._data.copy()
        out[_scatter_key(index, dim)] = _src_part(src._data, index)
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return (grad.scatter(ctx.dim, index, 0) if ctx.needs_input_grad[0] else None,
                _pad_to(grad.gather(ctx.dim, index), ctx.src_shape) if ctx.needs_input_grad[1] else None)


class ScatterValue(Op):
    rule = "y = x with a number written at ``index`` along ``dim``.   dL/dx = g with those positions zeroed."
    node_name = "ScatterBackward1"
    saved_names = ("index",)

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim = dim
        ctx.save_for_backward(T(index))
        out = x._data.copy()
        out[_scatter_key(index, dim)] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return grad.scatter(ctx.dim, index, 0)


class ScatterAddTo(Op):
    rule = "y = x with src added at ``index`` along ``dim`` (repeats add up).   dL/dx = g; dL/dsrc = g[index]."
    node_name = "ScatterAddBackward0"
    saved_names = ("index",)

    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(T(index))
        out = x._data.copy()
        np.add.at(out, _scatter_key(index, dim), _src_part(src._data, index))
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return (grad if ctx.needs_input_grad[0] else None,
                _pad_to(grad.gather(ctx.dim, index), ctx.src_shape) if ctx.needs_input_grad[1] else None)


@register("scatter", inplace=True, out=True)
def scatter(self, dim, index, src=None, *, value=None, reduce=None):
    """Write ``src`` (a tensor, or a number) into a copy of ``self`` at ``index`` along ``dim``:
    ``y[i][index[i][j]] = src[i][j]`` for dim 1. The reverse of ``gather``."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is deprecated in PyTorch; tutorgrad does not implement it. "
                                  "Use scatter_add, or scatter_reduce's effect with index_add.")
    if src is None:
        src = value
    if isinstance(src, Tensor):
        d, idx = _check_scatter("scatter", self, dim, index, src)
        return Scatter.apply(self, src, dim=d, index=idx)
    d, idx = _check_scatter("scatter", self, dim, index)
    return ScatterValue.apply(self, dim=d, index=idx, value=src)


@register("scatter_add", inplace=True, out=True)
def scatter_add(self, dim, index, src):
    """``self`` with ``src`` added at ``index`` along ``dim``: ``y[i][index[i][j]] += src[i][j]`` (repeats add up)."""
    d, idx = _check_scatter("scatter_add", self, dim, index, src)
    return ScatterAddTo.apply(self, src, dim=d, index=idx)


class IndexAdd(Op):
    rule = "y = x with alpha * source added at the rows ``index`` names along ``dim``.   dL/dx = g; dL/dsource = alpha g[index]."
    node_name = "IndexAddBackward0"
    saved_names = ("index",)

    @staticmethod
    def forward(ctx, x, source, dim, index, alpha):
        ctx.dim, ctx.alpha = dim, alpha
        ctx.save_for_backward(T(index))
        out = x._data.copy()
        s = source._data if alpha == 1 else source._data * np.asarray(alpha, out.dtype)
        np.add.at(out, (slice(None),) * dim + (index,), s.reshape(out[(slice(None),) * dim + (index,)].shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[1]:
            gs = grad.index_select(ctx.dim, index) if grad.ndim else grad
            gs = gs if ctx.alpha == 1 else gs * ctx.alpha
        return (grad if ctx.needs_input_grad[0] else None), gs


@register("index_add", inplace=True, out=True)
def index_add(self, dim, index, source, *, alpha=1):
    """``self`` with ``alpha * source`` added at the positions ``index`` along ``dim`` (repeats add up)."""
    d = wrap_dim(dim, self.ndim)
    if not isinstance(index, Tensor) or index.dtype not in (D.int64, D.int32):
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{getattr(index, 'dtype', None) and index.dtype._legacy}")
    if index.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    if source.dtype is not self.dtype:
        raise RuntimeError(f"index_add_(): self ({self.dtype._legacy}) and source ({source.dtype._legacy}) must "
                           "have the same scalar type")
    expected = list(self.shape)
    if self.ndim:
        expected[d] = index.numel()
    if source.ndim and list(source.shape) != expected:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")
    idx = index._data.astype(np.int64).reshape(-1)
    n = self.shape[d] if self.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    return IndexAdd.apply(self, source, dim=d, index=idx, alpha=alpha)


# ---------------------------------------------------------------------------------------------- embedding, one_hot
class Embedding(Op):
    """y = weight[indices]: each index picks a row of the table.

    The rows picked get the gradient back, added up where an index repeats (``padding_idx``'s row gets none,
    and ``scale_grad_by_freq`` divides each row's gradient by how often it was picked).
    """
    rule = "y = W[indices] (rows of a table).   dL/dW[i] = sum of g over the positions that picked row i."
    node_name = "EmbeddingBackward0"
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(T(indices))
        ctx.rows, ctx.padding_idx, ctx.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        return weight._data[indices]

    @staticmethod
    def backward(ctx, grad):
        indices, = ctx.saved_tensors
        return EmbeddingDenseBackward.apply(grad, indices=indices._data, rows=ctx.rows, padding_idx=ctx.padding_idx,
                                            scale=ctx.scale)


def _row_factors(indices, rows, padding_idx, scale):
    """Each position's factor in the gradient of its row: 0 for padding_idx, 1/count with scale_grad_by_freq."""
    f = np.ones(indices.shape)
    if scale:
        f = f / np.bincount(indices.reshape(-1), minlength=rows)[indices]
    if padding_idx is not None:
        f = f * (indices != padding_idx)
    return f


class EmbeddingDenseBackward(Op):
    rule = "z = g added into the rows ``indices`` name (embedding's backward).   dL/dg = h[indices]."
    node_name = "EmbeddingBackwardBackward0"

    @staticmethod
    def forward(ctx, g, indices, rows, padding_idx, scale):
        ctx.indices, ctx.rows, ctx.padding_idx, ctx.scale = indices, rows, padding_idx, scale
        a = g._data
        width = a.shape[indices.ndim:]
        flat = a.reshape((-1,) + width)
        factors = _row_factors(indices, rows, padding_idx, scale)
        if scale or padding_idx is not None:
            flat = flat * factors.reshape((-1,) + (1,) * len(width)).astype(a.dtype)
        out = np.zeros((rows,) + width, a.dtype)
        np.add.at(out, indices.reshape(-1), flat)
        return out

    @staticmethod
    def backward(ctx, h):
        picked = Embedding.apply(h, indices=ctx.indices, padding_idx=None, scale_grad_by_freq=False)
        if ctx.scale or ctx.padding_idx is not None:
            f = _row_factors(ctx.indices, ctx.rows, ctx.padding_idx, ctx.scale)
            picked = picked * T(f.reshape(f.shape + (1,) * (picked.ndim - f.ndim)).astype(h.dtype.np))
        return picked


@register("embedding", method=False)
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``torch.embedding(weight, indices)``: rows of ``weight`` (``F.embedding`` takes its arguments the other way
    round)."""
    if not isinstance(indices, Tensor) or indices.dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_type_name(indices)} instead (while checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if weight.requires_grad and grad_mode.is_grad_enabled():  # PyTorch looks up complex rows, but not differentiably
        no_complex(weight._data, message="embedding does not support automatic differentiation for outputs with "
                                         "complex dtype.", error=RuntimeError)
    idx = indices._data.astype(np.int64, copy=False)
    n = weight.shape[0]
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    pad = None if padding_idx is None or padding_idx == -1 else padding_idx % n
    return Embedding.apply(weight, indices=idx, padding_idx=pad, scale_grad_by_freq=bool(scale_grad_by_freq))


def _type_name(t):
    return f"{t.dtype._legacy}Tensor" if isinstance(t, Tensor) else type(t).__name__


def one_hot(tensor, num_classes=-1):
    """``F.one_hot``: class indices (int64) as rows of 0/1, one more dimension of size ``num_classes``."""
    if not isinstance(tensor, Tensor) or tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((a[..., None] == np.arange(num_classes)).astype(np.int64))
