"""Reductions: ``sum``, ``mean``, ``var``, ``prod``, ``max``, ``logsumexp``, ``softmax``, ``cumsum``, ``sort``, ...
(norms: ``norms.py``)

``Sum`` is written out in full: read it first. Its backward shows what every reduction's does:
the gradient of one number (the sum) is spread back over all the elements it came from.
``_spread`` puts back the dimensions a reduction along ``dim`` removed.
"""
import warnings

import numpy as np

from .. import _dtypes as D
from .._shapes import normalize_size, wrap_dim, wrap_dims
from ..autograd import grad_mode
from ..tensor import Tensor
from .elementwise import where_
from .indexing import Gather
from .registry import COMPLEX, Op, T, float_array, no_complex, register, user_stacklevel


def _spread(grad, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dimensions."""
    if not keepdim and dims:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    return grad.expand(shape)


def _sum_dtype(a):
    return np.int64 if a.dtype.kind in "biu" else a.dtype


class Sum(Op):
    """y = x_1 + x_2 + ... + x_n.

    Every x_i counts once in the sum, so dy/dx_i = 1 for each: backward hands the one upstream
    gradient (a number) to every element, by expanding it to x's shape (a broadcast view, no copy).
    """
    rule = "y = sum of all x_i.   dy/dx_i = 1."

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.sum(x._data, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class SumDim(Op):
    rule = "y = sum of x along ``dim``.   dy/dx = 1, spread back along ``dim``."
    node_name = "SumBackward1"
    mean = False  # MeanDim (below): the same, divided by the number of elements summed

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if ctx._forward_cls.mean:
            return np.mean(x._data, axis=dim, keepdims=keepdim)
        return np.sum(x._data, axis=dim, keepdims=keepdim, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        g = _spread(grad, ctx.shape, ctx.dim, ctx.keepdim)
        return g / max(int(np.prod([ctx.shape[d] for d in ctx.dim])), 1) if ctx._forward_cls.mean else g


class SumToSize(Op):
    rule = "y = x summed down to ``size`` (what broadcasting expanded).   The gradient is expanded again."
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, size):
        a = x._data
        ctx.shape = shape = a.shape
        lead = a.ndim - len(size)
        if lead == 1 and shape[1:] == size:  # one leading dimension summed away (a bias's gradient): the usual case
            return np.add.reduce(a, axis=0)
        if lead < 0 or any([s != 1 and s != shape[lead + i] for i, s in enumerate(size)]):
            raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}.")
        axes = tuple(range(lead)) + tuple([lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1])
        return np.add.reduce(a, axis=axes, keepdims=True).reshape(size) if axes else a.reshape(size)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class Mean(Op):
    rule = "y = mean of all x_i.   dy/dx_i = 1/N."

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.mean(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape) / max(int(np.prod(ctx.shape)), 1)


MeanDim = SumDim.variant("MeanBackward1", "MeanDim", mean=True,
                         rule="y = mean of x along ``dim``.   dy/dx = 1/N, spread back along ``dim``.")


def _count(shape, dim):
    return int(np.prod(shape)) if dim is None else int(np.prod([shape[d] for d in dim]))


class Var(Op):
    rule = "y = sum((x - mean)^2) / (N - correction).   dy/dx = 2 (x - mean) / (N - correction)."

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        if not (x.dtype.is_floating_point or x.dtype.is_complex):
            raise RuntimeError(f"std and var only support floating point and complex dtypes, got {x.dtype}")
        ctx.save_for_backward(x)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        n = _count(x.shape, dim)
        return (np.var(x._data, axis=dim, ddof=0, keepdims=keepdim) * n / max(n - correction, 0)
                ).astype(x._data.real.dtype)  # (complex x: a real variance, E|x - mean|^2; same backward)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        n = _count(x.shape, ctx.dim)
        mean = x.mean(ctx.dim, keepdim=True) if ctx.dim is not None else x.mean()
        return _spread(grad, x.shape, ctx.dim or (), ctx.keepdim) * 2 * (x - mean) / (n - ctx.correction)


class Std(Op):
    rule = "y = sqrt(var(x)).   dy/dx = (x - mean) / ((N - correction) y)."

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        v = Var.forward(ctx, x, dim, correction, keepdim)
        out = T(np.sqrt(v))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        n = _count(x.shape, ctx.dim)
        mean = x.mean(ctx.dim, keepdim=True) if ctx.dim is not None else x.mean()
        y = _spread(y, x.shape, ctx.dim or (), ctx.keepdim)
        return _spread(grad, x.shape, ctx.dim or (), ctx.keepdim) * (x - mean) / ((n - ctx.correction) * y)


class Prod(Op):
    rule = "y = product of x (along ``dim``).   dy/dx_i = product of the other x_j."

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.prod(x._data, axis=dim, keepdims=keepdim, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        dims = () if ctx.dim is None else (ctx.dim,)
        if grad_mode.is_grad_enabled():  # create_graph=True: build "the others" from Tensor ops
            others = _prod_others_graph(x, ctx.dim)
        else:  # exact even where x_i == 0 (y / x_i would divide by zero)
            others = T(_prod_others(x._data, ctx.dim).astype(grad.dtype.np))
        return _spread(grad, x.shape, dims, ctx.keepdim) * others


ProdDim = Prod.variant("ProdBackward1", "ProdDim")


def _prod_others_graph(x, dim):
    """prod_{j != i} x_j, differentiable: row i of an n x n repeat of x has x_i replaced by 1.

    Costs n times the memory of x, but stays exact at every order, zeros included.
    """
    v = x.reshape(-1) if dim is None else x.movedim(dim, -1)
    n = v.shape[-1]
    rows = v.unsqueeze(-2).expand(*v.shape[:-1], n, n)
    others = where_(T(np.eye(n, dtype=bool)), T(np.ones((), v.dtype.np)), rows).prod(-1)
    return others.reshape(x.shape) if dim is None else others.movedim(-1, dim)


def _prod_others(a, dim):
    axis = dim
    if axis is None:
        a2 = a.reshape(-1)
        axis = 0
    else:
        a2 = np.moveaxis(a, axis, -1)
        axis = -1
    left = np.cumprod(np.concatenate([np.ones_like(a2[..., :1] if a2.ndim else a2), a2[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([a2[..., 1:], np.ones_like(a2[..., :1])], axis=-1), -1),
                               axis=-1), -1)
    out = left * right
    return out.reshape(a.shape) if dim is None else np.moveaxis(out, -1, dim)


class Amax(Op):
    rule = "y = max of x (over ``dim``).   The gradient is shared evenly by the elements equal to the max."
    reduce, fname = staticmethod(np.max), "amax"  # (the variants below differ in these)

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extreme(ctx, x, dim, keepdim, ctx._forward_cls.reduce, ctx._forward_cls.fname)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dims = ctx.dim or ()
        hit = (x == _spread(y, x.shape, dims, ctx.keepdim)).to(grad.dtype)
        count = hit.sum(ctx.dim, keepdim=True) if ctx.dim is not None else hit.sum()
        return _spread(grad, x.shape, dims, ctx.keepdim) * hit / count


_MIN = {"reduce": staticmethod(np.min)}
Amin = Amax.variant("AminBackward0", fname="amin", **_MIN, rule="y = min of x (over ``dim``).   "
                    "The gradient is shared evenly by the elements equal to the min.")
MaxAll = Amax.variant("MaxBackward1", "MaxAll", fname="max", rule="y = x.max() (no ``dim``): amax over everything.")
MinAll = Amax.variant("MinBackward1", "MinAll", fname="min", **_MIN,
                      rule="y = x.min() (no ``dim``): amin over everything.")


def _extreme(ctx, x, dim, keepdim, reduce, name):
    if dim is None and x.numel() == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                           "the reduction dim with the 'dim' argument.")
    for d in dim or ():
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if x._data.dtype in COMPLEX:
        no_complex(x._data, ("max" if reduce is np.max else "min") + ("_all" if name in ("max", "min") else "_values_cpu"))
    out = T(reduce(x._data, axis=dim, keepdims=keepdim))
    ctx.save_for_backward(x, out)
    ctx.dim, ctx.keepdim = dim, keepdim
    return out


class MaxDim(Op):
    rule = "(values, indices) = max of x along ``dim``.   The gradient goes to the element picked by ``indices``."
    node_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, pick):
        a = x._data
        if a.shape and a.shape[dim] == 0:
            raise IndexError(f"max(): Expected reduction dim {dim} to have non-zero size.")
        idx = pick(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim) if a.ndim else a.copy()
        if not keepdim:
            values, idx = values.squeeze(dim) if a.ndim else values, idx.squeeze(dim) if a.ndim else idx
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        indices = T(idx.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return T(values), indices

    @staticmethod
    def backward(ctx, grad, grad_indices):
        idx = ctx.saved_tensors[0]._data
        idx = idx if ctx.keepdim or not ctx.shape else np.expand_dims(idx, ctx.dim)
        onehot = np.zeros(ctx.shape, grad.dtype.np)
        if ctx.shape:
            np.put_along_axis(onehot, idx, 1, axis=ctx.dim)
        else:
            onehot[...] = 1
        return _spread(grad, ctx.shape, (ctx.dim,) if ctx.shape else (), ctx.keepdim) * T(onehot)


MinDim = MaxDim.variant("MinBackward0", "MinDim")


def _argmin_max(pick):
    def f(a, axis, keepdims):
        return np.expand_dims(pick(a, axis=axis), axis) if a.ndim else np.asarray(0)
    return f


def _extremum(x, dim, keepdim, kind):
    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
        return x.maximum(dim) if kind == "max" else x.minimum(dim)
    if dim is None:
        return (MaxAll if kind == "max" else MinAll).apply(x)
    if x._data.dtype in COMPLEX:
        no_complex(x._data, message=f"{kind}(): does not support complex input", error=RuntimeError)
    fn, pick = (MaxDim, np.argmax) if kind == "max" else (MinDim, np.argmin)
    values, indices = fn.apply(x, dim=wrap_dim(dim, x.ndim), keepdim=keepdim, pick=_argmin_max(pick))
    return ReturnTypes(kind, values, indices)


def _arg_extremum(x, dim, keepdim, pick):
    a = x._data
    if a.dtype in COMPLEX:
        no_complex(a, message=f"{pick.__name__}(): does not support complex input", error=RuntimeError)
    if dim is None:
        out = np.asarray(pick(a))
        return T(out.reshape((1,) * a.ndim) if keepdim else out)
    d = wrap_dim(dim, x.ndim)
    out = pick(a, axis=d) if a.ndim else np.asarray(0)
    return T(np.expand_dims(out, d) if keepdim and a.ndim else out)


class Logsumexp(Op):
    rule = "y = log(sum(exp(x))).   dy/dx = exp(x - y) = softmax(x)."

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        a = float_array(x)
        # (initial: empty inputs work too; complex x: shift by the largest real part, a real number, so that
        # log's branch is that of log(sum(exp(x))))
        m = np.max(a.real, axis=dim, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)  # keep -inf rows finite while shifting
        out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
        out = T(out if keepdim else np.squeeze(out, axis=dim))
        ctx.save_for_backward(x, out)  # the output itself: double backward differentiates through it
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _spread(grad, x.shape, ctx.dim, ctx.keepdim) * (x - _spread(y, x.shape, ctx.dim, ctx.keepdim)).exp()


class Softmax(Op):
    rule = "y = exp(x) / sum(exp(x)) along ``dim``.   dL/dx = y * (g - sum(g * y))."

    @staticmethod
    def forward(ctx, x, dim):
        return _softmax(ctx, x, dim, log=False)

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    rule = "y = x - logsumexp(x) along ``dim``.   dL/dx = g - exp(y) * sum(g)."

    @staticmethod
    def forward(ctx, x, dim):
        return _softmax(ctx, x, dim, log=True)

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return LogSoftmaxBackward.apply(grad, y, dim=ctx.dim)  # g - exp(y) * sum(g), in one node


def _softmax(ctx, x, dim, log):
    """softmax (or its log) along ``dim``, computed stably (shifted by the max); the output is saved."""
    a = float_array(x)
    shifted = a - np.maximum.reduce(a, axis=dim, keepdims=True, initial=-np.inf)
    if log:
        out = T(shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)))
    else:
        e = np.exp(shifted)
        out = T(e / np.add.reduce(e, axis=dim, keepdims=True))
    ctx.save_for_backward(out)
    ctx.dim = dim
    return out


class LogSoftmaxBackward(Op):
    """log_softmax's backward as one op (PyTorch's ``_log_softmax_backward_data``); its own backward
    makes double backward work."""
    rule = ("z = g - exp(y) * sum(g) along ``dim``: log_softmax's backward, as one op (PyTorch's "
            "``_log_softmax_backward_data``). dL/dg = h - sum(exp(y) * h), dL/dy = -exp(y) * sum(g) * h, "
            "for the incoming gradient h (these make double backward work).")

    @staticmethod
    def forward(ctx, grad, y, dim):
        ctx.save_for_backward(grad, y)
        ctx.dim = dim
        g = grad._data
        return g - np.exp(y._data) * np.add.reduce(g, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, h):
        grad, y = ctx.saved_tensors
        p = y.exp()
        return (h - (p * h).sum(ctx.dim, keepdim=True) if ctx.needs_input_grad[0] else None,
                -p * grad.sum(ctx.dim, keepdim=True) * h if ctx.needs_input_grad[1] else None)


class Cumsum(Op):
    rule = "y_i = x_0 + ... + x_i.   dL/dx_i = sum of g_j for j >= i (a reversed cumsum)."

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x._data, axis=dim, dtype=_sum_dtype(x._data)).reshape(x.shape)  # (NumPy flattens 0-d)

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


def _sort_indices(a, d, descending):
    if not a.ndim:
        return np.asarray(0)
    if descending and a.dtype.kind == "b":
        return np.flip(np.argsort(a, axis=d, kind="stable"), d)
    return np.argsort(-a if descending else a, axis=d, kind="stable")


class Sort(Gather):
    rule = "values = x sorted along ``dim`` (a gather at the sorting indices).   dL/dx = g put back in place."
    node_name = "SortBackward0"


class Topk(Gather):
    rule = "values = the k largest (or smallest) x along ``dim``.   dL/dx = g put back in place, 0 elsewhere."
    node_name = "TopkBackward0"


class ReturnTypes(tuple):
    """A named pair such as ``tutorgrad.return_types.max(values=..., indices=...)``."""

    def __new__(cls, name, values, indices):
        t = super().__new__(cls, (values, indices))
        t._name = name
        return t

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self):
        return f"tutorgrad.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _correction(unbiased, corr):
    if corr is not None:
        return corr
    return 1 if unbiased is None or unbiased else 0


# ---------------------------------------------------------------------------------------------- methods
@register("sum", out=True)
def _sum(self, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or along ``dim``.  The gradient spreads back as ones."""
    x = self if dtype is None else self.to(dtype)
    if dim is None:
        return Sum.apply(x)
    return SumDim.apply(x, dim=wrap_dims(dim, self.ndim), keepdim=keepdim)


@register("sum_to_size", function=False)  # (no torch.sum_to_size)
def sum_to_size(self, *size):
    """Sum broadcast dimensions away until the shape is ``size`` (the reverse of ``expand``)."""
    size = normalize_size(size, "sum_to_size")
    if size == self._data.shape:
        return self
    return SumToSize.apply(self, size=size)


@register("mean", out=True)
def mean(self, dim=None, keepdim=False, *, dtype=None):
    """Average of all elements, or along ``dim``.  d/dx_i mean(x) = 1/N."""
    x = self if dtype is None else self.to(dtype)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {x.dtype._legacy}. Convert first, e.g. t.float().mean()")
    if dim is None:
        return Mean.apply(x)
    return MeanDim.apply(x, dim=wrap_dims(dim, self.ndim), keepdim=keepdim)


@register("var", out=True)
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction (divide by N-1) unless ``correction=0``."""
    return _spread_stat(self, Var, "var", dim, unbiased, keepdim, correction)


@register("std", out=True)
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: ``sqrt(var)``."""
    return _spread_stat(self, Std, "std", dim, unbiased, keepdim, correction)


def _spread_stat(self, fn, name, dim, unbiased, keepdim, correction):
    dims = wrap_dims(dim, self.ndim) if dim is not None else None
    correction = _correction(unbiased, correction)
    n = self.numel() if dims is None else int(np.prod([self.shape[d] for d in dims]))
    if n - correction <= 0 and self.dtype.is_floating_point:  # the std of one number: nan, and a warning
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning,
                      stacklevel=user_stacklevel())
    return fn.apply(self, dim=dims, correction=correction, keepdim=keepdim)


@register("prod", out=True)
def prod(self, dim=None, keepdim=False, *, dtype=None):
    x = self if dtype is None else self.to(dtype)
    if dim is None:
        return Prod.apply(x)
    dim = wrap_dim(dim, self.ndim)
    if self.ndim == 0:  # dim 0 of a 0-d tensor: the product of its one element
        return ProdDim.apply(x.reshape(1), dim=0, keepdim=False)
    return ProdDim.apply(x, dim=dim, keepdim=keepdim)


@register("max", out=True)
def _max(self, dim=None, keepdim=False):
    """Largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``maximum``."""
    return _extremum(self, dim, keepdim, "max")


@register("min", out=True)
def _min(self, dim=None, keepdim=False):
    return _extremum(self, dim, keepdim, "min")


@register("amax", out=True)
def amax(self, dim=None, keepdim=False):
    return Amax.apply(self, dim=wrap_dims(dim, self.ndim) if dim is not None else None, keepdim=keepdim)


@register("amin", out=True)
def amin(self, dim=None, keepdim=False):
    return Amin.apply(self, dim=wrap_dims(dim, self.ndim) if dim is not None else None, keepdim=keepdim)


@register("argmax", out=True)
def argmax(self, dim=None, keepdim=False):
    _no_bool(self, "argmax")
    return _arg_extremum(self, dim, keepdim, np.argmax)


@register("argmin", out=True)
def argmin(self, dim=None, keepdim=False):
    _no_bool(self, "argmin")
    return _arg_extremum(self, dim, keepdim, np.argmin)


def _no_bool(self, name):
    if self.dtype is D.bool_:
        raise RuntimeError(f"{name}(): does not support bool input; convert it first, e.g. mask.long().{name}()")


@register("all", out=True)
def _all(self, dim=None, keepdim=False):
    return Tensor._wrap(np.all(self._data, axis=None if dim is None else wrap_dim(dim, self.ndim),
                               keepdims=keepdim))


@register("any", out=True)
def _any(self, dim=None, keepdim=False):
    return Tensor._wrap(np.any(self._data, axis=None if dim is None else wrap_dim(dim, self.ndim),
                               keepdims=keepdim))


@register("logsumexp", out=True)
def logsumexp(self, dim, keepdim=False):
    """``log(sum(exp(x)))`` computed stably.  Its gradient is ``softmax(x)``."""
    return Logsumexp.apply(self, dim=wrap_dims(dim, self.ndim), keepdim=keepdim)


@register("softmax", out="same dtype")
def softmax(self, dim, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    x = self if dtype is None else self.to(dtype)
    return Softmax.apply(x, dim=_float_only_dim(x, "softmax", dim))


@register("log_softmax", out="same dtype")
def log_softmax(self, dim, dtype=None):
    x = self if dtype is None else self.to(dtype)
    return LogSoftmax.apply(x, dim=_float_only_dim(x, "log_softmax", dim))


def _float_only_dim(self, name, dim):
    dim = wrap_dim(dim, self.ndim)
    if not self.dtype.is_floating_point:
        kernel = f"{name}_lastdim_kernel_impl" if dim == self.ndim - 1 or self.ndim == 0 else f"{name}_kernel_impl"
        no_complex(self._data, kernel)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{self.dtype._legacy}': {name} needs a "
                                  f"floating-point tensor, e.g. x.float().{name}({dim}) or {name}({dim}, "
                                  "dtype=tutorgrad.float32)")
    return dim


@register("cumsum", out=True)
def cumsum(self, dim):
    return Cumsum.apply(self, dim=wrap_dim(dim, self.ndim))


@register("sort", out=True)
def sort(self, dim=-1, descending=False):
    d = wrap_dim(dim, self.ndim)
    no_complex(self._data, message=" Sort does not support complex dtypes on CPU", error=RuntimeError)
    idx = _sort_indices(self._data, d, descending)
    values = Sort.apply(self, dim=d, index=idx) if self.ndim else self.clone()
    return ReturnTypes("sort", values, T(idx.astype(np.int64)))


@register("topk", out=True)
def topk(self, k, dim=-1, largest=True, sorted=True):
    d = wrap_dim(dim, self.ndim)
    no_complex(self._data, message=" topk does not support complex dtypes on CPU", error=RuntimeError)
    if not 0 <= k <= (self.shape[d] if self.ndim else 1):
        raise RuntimeError(f"selected index k out of range (k={k}, but dimension {d} has size "
                           f"{self.shape[d] if self.ndim else 1})")
    idx = _sort_indices(self._data, d, largest)
    idx = idx[(slice(None),) * d + (slice(0, k),)] if self.ndim else idx
    values = Topk.apply(self, dim=d, index=idx) if self.ndim else self.clone()
    return ReturnTypes("topk", values, T(idx.astype(np.int64)))


@register("unique")
def unique(self, sorted=True, return_counts=False):
    vals, counts = np.unique(self._data, return_counts=True)
    return (Tensor._wrap(vals), Tensor._wrap(counts.astype(np.int64))) if return_counts else Tensor._wrap(vals)


@register("bincount")
def bincount(self, minlength=0):
    return Tensor._wrap(np.bincount(self._data, minlength=minlength).astype(np.int64))


@register("count_nonzero")
def count_nonzero(self, dim=None):
    return Tensor._wrap(np.asarray(np.count_nonzero(self._data, axis=dim), np.int64))


@register("nonzero", out=True)
def nonzero(self, as_tuple=False):
    idx = np.nonzero(self._data)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


