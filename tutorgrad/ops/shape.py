"""Shapes and views: ``view``, ``reshape``, ``squeeze``, ``transpose``, ``permute``, ``expand``, ``flip``,
``repeat``, ``split``, ``unbind``, and joining: ``cat``, ``stack``, ``hstack``, ``vstack``, ``meshgrid``.

Most of these ops return a *view* (the same memory, seen with another shape): their results are
marked with ``_make_view_of`` (``inplace.py`` explains views). Their backward only moves the
gradient back into the input's shape: reshape it back, swap the dimensions back, sum a repeat.
"""
import warnings

import numpy as np

from .. import _dtypes as D
from .._shapes import broadcast_shapes, infer_shape, normalize_size, wrap_dim, wrap_dims
from ..tensor import Size, Tensor
from .elementwise import Clone
from .registry import Op, register, user_stacklevel


# ---------------------------------------------------------------------------------------------- ops
class View(Op):
    rule = "y = x with a new shape (same memory).   dL/dx = g reshaped back."

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x._data.view()
        try:
            out.shape = shape
        except AttributeError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                               ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class UnsafeView(View):
    rule = "y = x (a fresh contiguous copy, see ``view``) with a new shape.   dL/dx = g reshaped back."

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.reshape(x._data, shape)


def _view(x, shape, copy_ok):
    shape = infer_shape(shape, x.numel())
    remake = lambda t: _view(t, shape, copy_ok=False)  # noqa: E731  (how to make this view again)
    if copy_ok and shape != x.shape:
        try:
            return View.apply(x, shape=shape)._make_view_of(x, remake)
        except RuntimeError:  # the memory layout allows no view: copy first, as PyTorch's reshape does
            return UnsafeView.apply(Clone.apply(x), shape=shape)
    return View.apply(x, shape=shape)._make_view_of(x, remake)


class Expand(Op):
    rule = "y = x repeated along size-1 dimensions (no copy).   dL/dx = g summed over the repeats."

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        # (broadcast_to gives read-only memory, like PyTorch's overlapping strides; same shape: a writable view)
        return np.broadcast_to(x._data, shape) if tuple(shape) != x.shape else x._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


def _expand(x, sizes):
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand({_legacy(x)}{{{list(x.shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = list(sizes)
    for i, s in enumerate(x.shape):
        want = sizes[lead + i]
        if want == -1:
            shape[lead + i] = s
        elif s != 1 and s != want:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                               f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(x.shape)}")
    return Expand.apply(x, shape=tuple(shape))._make_view_of(x)


def _legacy(x):
    return f"torch.{x.dtype._legacy}Tensor"


class Squeeze(Op):
    rule = "y = x without its size-1 dimensions.   dL/dx = g reshaped back."

    @staticmethod
    def forward(ctx, x, dim=None):
        ctx.shape = x.shape
        a = x._data
        if dim is not None:
            dim = tuple(d for d in dim if a.ndim and a.shape[d] == 1)
        return np.squeeze(a, axis=dim) if a.ndim else a.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


SqueezeDim = Squeeze.variant("SqueezeBackward1", "SqueezeDim")


SqueezeDims = Squeeze.variant("SqueezeBackward2", "SqueezeDims")  # squeeze((0, 2)): a tuple of dims


class Unsqueeze(Op):
    rule = "y = x with a new size-1 dimension at ``dim``.   dL/dx = g with that dimension removed."

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


class Transpose(Op):
    rule = "y = x with two dimensions swapped.   dL/dx = g swapped back."

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._data.swapaxes(*dims) if x._data.ndim > 1 else x._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims) if grad.ndim > 1 else grad


class T(Op):
    """``x.t()``: a matrix transposed (a 0-D or 1-D tensor as it is). It keeps nothing for backward, as
    PyTorch's ``TBackward0``: the formula needs no dimensions (a linear layer runs it on every call)."""
    rule = "y = x.t() (a matrix transpose).   dL/dx = g.t()."
    node_name = "TBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        return a.T if a.ndim > 1 else a.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.t()  # (PyTorch's formula for t(): its double-backward graph has a TBackward0 node, as here)


class Permute(Op):
    rule = "y = x with dimensions reordered.   dL/dx = g with the inverse order."

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*np.argsort(ctx.dims).tolist())


class Flip(Op):
    rule = "y = x reversed along ``dims``.   dL/dx = g reversed back."

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x._data, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(*ctx.dims)


class Repeat(Op):
    rule = "y = x tiled ``repeats[d]`` times along each dimension d.   dL/dx = the sum of g over the tiles."

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.shape, ctx.repeats = x.shape, repeats
        return np.tile(x._data, repeats)

    @staticmethod
    def backward(ctx, grad):
        shape = (1,) * (len(ctx.repeats) - len(ctx.shape)) + tuple(ctx.shape)
        tiles = grad.reshape([n for r, s in zip(ctx.repeats, shape) for n in (r, s)])  # (r0, s0, r1, s1, ...)
        return tiles.sum(tuple(range(0, 2 * len(shape), 2))).reshape(ctx.shape)


class Cat(Op):
    rule = "y = the inputs joined along ``dim``.   dL/dx_k = the slice of g that came from x_k."

    @staticmethod
    def forward(ctx, *xs, dim):
        if not xs:
            raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
        dt = D.result_type(*xs).np
        arrays = [x._data.astype(dt, copy=False) for x in xs if not (x.ndim == 1 and x.shape[0] == 0)] or \
            [xs[0]._data.astype(dt)]
        ref = arrays[0]
        for i, a in enumerate(arrays):
            if a.ndim != ref.ndim:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
            for d in range(a.ndim):
                if d != dim and a.shape[d] != ref.shape[d]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                       f"{ref.shape[d]} but got size {a.shape[d]} for tensor number {i} in the "
                                       "list.")
        ctx.sizes, ctx.dim = [x.shape[dim] if x.ndim else 0 for x in xs], dim
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out, start = [], 0
        for n in ctx.sizes:
            out.append(grad.narrow(ctx.dim, start, n))
            start += n
        return tuple(out)


class Stack(Op):
    rule = "y = the inputs stacked along a new dimension ``dim``.   dL/dx_k = g[..., k, ...]."

    @staticmethod
    def forward(ctx, *xs, dim):
        if not xs:
            raise RuntimeError("stack expects a non-empty TensorList")
        for i, x in enumerate(xs):
            if x.shape != xs[0].shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(xs[0].shape)} at "
                                   f"entry 0 and {list(x.shape)} at entry {i}")
        dt = D.result_type(*xs).np
        ctx.dim = dim
        return np.stack([x._data.astype(dt, copy=False) for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.unbind(ctx.dim)


class Split(Op):
    rule = "(y_1, ..., y_k) = consecutive pieces of x along ``dim``.   dL/dx = the g_k joined together."

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(np.split(x._data, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, dim=ctx.dim)


SplitWithSizes = Split.variant("SplitWithSizesBackward0")


def _split(x, size_or_sections, dim):
    n = x.shape[dim]
    if isinstance(size_or_sections, (list, tuple)):
        sizes = list(size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {dim}), but got split_sizes={sizes}")
        fn = SplitWithSizes
    else:
        if size_or_sections < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size_or_sections}")
        if size_or_sections == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        step = size_or_sections
        sizes = [step] * (n // step) + ([n % step] if n % step else []) if n else [0]  # (n == 0: one empty piece)
        fn = Split
    outs = fn.apply(x, sizes=sizes, dim=dim)
    return tuple(o._make_view_of(x) for o in outs)


class Unbind(Op):
    rule = "(y_0, ..., y_n) = the slices x[i] along ``dim``.   dL/dx = the g_i stacked."

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = x._data
        return tuple(a[(slice(None),) * dim + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, dim=ctx.dim)


# ---------------------------------------------------------------------------------------------- methods
@register("view", function=False)  # (no torch.view)
def view(self, *shape):
    """The same data with a new shape (no copy; raises if the memory layout does not allow it)."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise NotImplementedError("view(dtype) is not supported by tutorgrad; use .to(dtype)")
    return _view(self, normalize_size(shape, "view"), copy_ok=False)


@register("reshape")
def reshape(self, *shape):
    """The same data with a new shape; copies only when a view is impossible."""
    return _view(self, normalize_size(shape, "reshape"), copy_ok=True)


@register("view_as", function=False)  # (no torch.view_as)
def view_as(self, other):
    return self.view(other.shape)


@register("reshape_as", function=False)  # (no torch.reshape_as)
def reshape_as(self, other):
    return self.reshape(other.shape)


@register("flatten")
def flatten(self, start_dim=0, end_dim=-1):
    s, e = wrap_dim(start_dim, self.ndim), wrap_dim(end_dim, self.ndim)
    if self.ndim == 0:
        return self.reshape(1)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = self.shape[:s] + (int(np.prod(self.shape[s:e + 1])),) + self.shape[e + 1:]
    return self.reshape(shape)


@register("unflatten")
def unflatten(self, dim, sizes):
    dim = wrap_dim(dim, self.ndim)
    return self.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1:])


@register("ravel")
def ravel(self):
    return self.reshape(-1)


@register("squeeze")
def squeeze(self, dim=None):
    """Remove dimensions of size 1 (all, or just ``dim``)."""
    if dim is None:
        return Squeeze.apply(self)._make_view_of(self, lambda t: t.squeeze())
    fn = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    return fn.apply(self, dim=wrap_dims(dim, self.ndim))._make_view_of(self, lambda t: t.squeeze(dim))


@register("unsqueeze")
def unsqueeze(self, dim):
    """Insert a dimension of size 1 at ``dim``."""
    return Unsqueeze.apply(self, dim=wrap_dim(dim, self.ndim + 1))._make_view_of(
        self, lambda t: t.unsqueeze(dim))


@register("transpose", aliases=("swapaxes", "swapdims"))
def transpose(self, dim0, dim1):
    """Swap two dimensions (a view)."""
    return Transpose.apply(self, dims=(wrap_dim(dim0, self.ndim), wrap_dim(dim1, self.ndim))
                               )._make_view_of(self, lambda t: t.transpose(dim0, dim1))


@register("t")
def t(self):
    """Transpose a matrix (0-D and 1-D tensors are returned as is)."""
    ndim = self._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return T.apply(self)._make_view_of(self, _transposed)


def _transposed(t):
    return t.t()


def _reversed_dims(self):
    if self.ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=user_stacklevel())
    elif self.ndim != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                      "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                      "dimensions of a tensor.", UserWarning, stacklevel=user_stacklevel())
    return self.permute(tuple(reversed(range(self.ndim))))


def _matrix_transposed(self):
    if self.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return self.transpose(-2, -1)


Tensor.T, Tensor.mT = property(_reversed_dims), property(_matrix_transposed)


@register("permute")
def permute(self, *dims):
    """Reorder dimensions (a view)."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = normalize_size(dims, "permute")
    if len(dims) != self.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{self.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, self.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(self, dims=dims)._make_view_of(self, lambda t: t.permute(*dims))


@register("movedim", aliases=("moveaxis",))
def movedim(self, source, destination):
    """Move dimension(s) ``source`` to the position(s) ``destination``; the others keep their order."""
    src = [wrap_dim(d, self.ndim) for d in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [wrap_dim(d, self.ndim) for d in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same "
                           f"number of dims as destination ({dst} dims)")
    rest = iter([d for d in range(self.ndim) if d not in src])
    placed = dict(zip(dst, src))
    return self.permute(*[placed[i] if i in placed else next(rest) for i in range(self.ndim)])


@register("expand", function=False)  # (no torch.expand)
def expand(self, *sizes):
    """Repeat size-1 dimensions without copying (a broadcast view). -1 keeps a size."""
    sizes = normalize_size(sizes, "expand")
    return _expand(self, sizes)


@register("expand_as", function=False)  # (no torch.expand_as)
def expand_as(self, other):
    return self.expand(other.shape)


@register("broadcast_to")
def broadcast_to(self, *size):
    return self.expand(*size)


@register("repeat", function=False)  # (no torch.repeat)
def repeat(self, *sizes):
    sizes = normalize_size(sizes, "repeat")
    if len(sizes) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if min(sizes, default=0) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    return Repeat.apply(self, repeats=sizes)


@register("split")
def split(self, split_size_or_sections, dim=0):
    """Split into chunks of a given size (or a list of sizes) along ``dim``."""
    if self.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    return _split(self, split_size_or_sections, wrap_dim(dim, self.ndim))


@register("chunk")
def chunk(self, chunks, dim=0):
    if self.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, self.ndim)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if self.shape[dim] == 0:
        return _split(self, [0] * chunks, dim)
    return _split(self, -(-self.shape[dim] // chunks), dim)


@register("unbind")
def unbind(self, dim=0):
    """All slices along ``dim``, as a tuple of tensors."""
    if self.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return tuple(t._make_view_of(self) for t in Unbind.apply(self, dim=wrap_dim(dim, self.ndim)))


@register("flip")
def flip(self, *dims):
    dims = normalize_size(dims, "flip")
    return Flip.apply(self, dims=wrap_dims(dims, self.ndim))


# ---------------------------------------------------------------------------------------------- joining
def _tensor_list(tensors, fn):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tuple(tensors)


@register("cat", aliases=("concat", "concatenate"), method=False, out=True)
def cat(tensors, dim=0):
    """Join tensors along an existing dimension: ``cat([a, b], dim=0)``."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated; use stack() to "
                               "join numbers into a vector")
    # a 1-D empty tensor may join tensors of any shape (PyTorch's legacy rule); the others set the dims
    ref = next((t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)), tensors[0])
    return Cat.apply(*tensors, dim=wrap_dim(dim, ref.ndim))


@register("stack", method=False, out=True)
def stack(tensors, dim=0):
    """Join tensors along a new dimension: ``stack([a, b])`` has shape ``(2, *a.shape)``."""
    tensors = _tensor_list(tensors, "stack")
    d = wrap_dim(dim, (tensors[0].ndim if tensors else 0) + 1)
    return Stack.apply(*tensors, dim=d)


@register("hstack", method=False, out=True)
def hstack(tensors):
    return cat(tensors, 1 if tensors[0].ndim > 1 else 0)


@register("vstack", method=False, out=True)
def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)


@register("broadcast_tensors", method=False)
def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


@register("broadcast_shapes", method=False)
def _broadcast_shapes(*shapes):
    return Size(broadcast_shapes(*shapes))


@register("meshgrid", method=False)
def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = tuple(t.numel() for t in tensors)
    if indexing == "xy" and len(tensors) >= 2:
        shape = (shape[1], shape[0]) + shape[2:]
    out = []
    for i, t in enumerate(tensors):
        pos = i if indexing == "ij" or len(tensors) < 2 else {0: 1, 1: 0}.get(i, i)
        view = [1] * len(shape)
        view[pos] = t.numel()
        out.append(t.reshape(view).expand(shape))
    return tuple(out)
