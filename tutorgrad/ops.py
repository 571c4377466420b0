"""Every built-in differentiable operation, each a ``Function`` with its forward and backward side by side.

Conventions (the same as for a Function a student writes):

* ``forward(ctx, *tensors, **options)`` computes with NumPy on ``x._data`` and may
  return an ndarray; ``Function.apply`` wraps it in a Tensor and links the graph.
* ``backward(ctx, grad)`` returns one gradient per tensor input, computed with
  Tensor operations, so it can itself be differentiated (``create_graph=True``).
* Broadcasting is undone by the engine, once, for every op: a backward may
  return a gradient of the broadcast shape.

The node of an op is named as in PyTorch: ``Mul`` makes ``MulBackward0``.
"""
import numpy as np

from . import _dtypes as D
from .autograd.function import Function


class Op(Function):
    _builtin = True


def _T(arr):
    from .tensor import Tensor
    return Tensor._wrap(arr)


# ---------------------------------------------------------------------------- helpers
def wrap_dim(dim, ndim):
    """A possibly negative dimension index as a positive one, with PyTorch's error."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def wrap_dims(dim, ndim):
    if isinstance(dim, (tuple, list)):
        return tuple(sorted(wrap_dim(d, ndim) for d in dim))
    return (wrap_dim(dim, ndim),)


def broadcast_shapes(*shapes):
    """The shape two operands broadcast to, or PyTorch's error naming the clashing dimension."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-ndim, 0):
        sizes = [s[i] for s in shapes if len(s) >= -i]
        big = max(sizes)
        for k, s in enumerate(sizes):
            if s != big and s != 1:
                other = next(x for x in sizes if x != s and x != 1) if any(x != s and x != 1 for x in sizes) else big
                a, b = (s, other) if k == 0 else (other, s)
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {ndim + i}")
        out.append(0 if 0 in sizes and big <= 1 else big)
    return tuple(out)


def promote(x, y):
    """Both operands' arrays in their common (PyTorch-promoted) dtype, shapes checked."""
    a, b = x._data, y._data
    if a.shape != b.shape and a.ndim and b.ndim:
        broadcast_shapes(a.shape, b.shape)
    if a.dtype is b.dtype or a.dtype == b.dtype:
        return a, b
    dt = D.result_type(x, y).np
    return a.astype(dt, copy=False), b.astype(dt, copy=False)


def _float_array(x):
    """Inputs of exp/log/sin/...: integers and bools compute in the default float dtype."""
    a = x._data
    if a.dtype.kind in "biu":
        return a.astype(D.get_default_dtype().np)
    return a


def correction(unbiased, corr):
    if corr is not None:
        return corr
    return 1 if unbiased is None or unbiased else 0


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


# ---------------------------------------------------------------------------- arithmetic
class Add(Op):
    """z = x + y.   dz/dx = 1, dz/dy = 1."""

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Op):
    """z = x - y.   dz/dx = 1, dz/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        if a.dtype == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                               "`^` or `logical_xor()` operator instead.")
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Op):
    """z = x * y.   dz/dx = y, dz/dy = x."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = promote(x, y)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return (grad * y if ctx.needs_input_grad[0] else None,
                grad * x if ctx.needs_input_grad[1] else None)


class Div(Op):
    """z = x / y.   dz/dx = 1/y, dz/dy = -x/y^2."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = promote(x, y)
        if a.dtype.kind in "biu":  # true division of integers gives floats
            a, b = a.astype(D.get_default_dtype().np), b.astype(D.get_default_dtype().np)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return (grad / y if ctx.needs_input_grad[0] else None,
                -grad * x / (y * y) if ctx.needs_input_grad[1] else None)


def _int_div_check(b):
    if b.dtype.kind in "iu" and not np.all(b):
        raise RuntimeError("ZeroDivisionError: integer division by zero")


class FloorDivide(Op):
    """z = floor(x / y).   A step function: its derivative is 0 almost everywhere."""

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        _int_div_check(b)
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0


class TruncDivide(FloorDivide):
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        _int_div_check(b)
        return np.trunc(a / b).astype(a.dtype) if a.dtype.kind in "fc" else (np.trunc(a / b)).astype(a.dtype)


class Remainder(Op):
    """z = x - floor(x / y) * y.   dz/dx = 1, dz/dy = -floor(x / y)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = promote(x, y)
        _int_div_check(b)
        return np.mod(a, b)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad, -grad * (x / y).floor()


class PowScalar(Op):
    """z = x ** c for a number c.   dz/dx = c * x^(c-1)."""
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        a = x._data
        dt = D.result_type(x, exponent).np
        if a.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return np.power(a.astype(dt, copy=False), np.asarray(exponent, dt))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return grad * 0
        return grad * c * x ** (c - 1) if c != 2 else grad * 2 * x


class Pow(Op):
    """z = x ** y.   dz/dx = y * x^(y-1), dz/dy = x^y * ln(x)."""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        if a.dtype.kind in "iu" and np.any(b < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _T(np.power(a, b))
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        gx = grad * y * x ** (y - 1) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:  # where x == 0 (and y >= 0) PyTorch defines the slope as 0
            gy = grad * where_(x == 0, _T(np.zeros((), out.dtype.np)), out * x.log())
        return gx, gy


class RPow(Pow):
    """z = c ** y for a number c."""
    node_name = "PowBackward2"


class Maximum(Op):
    """z = max(x, y) elementwise.   The gradient goes to the larger input (split half-half on ties)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = promote(x, y)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        share = _T(np.where(x._data > y._data, 1.0, np.where(x._data == y._data, 0.5, 0.0)).astype(grad.dtype.np))
        return grad * share, grad * (1 - share)


class Minimum(Maximum):
    """z = min(x, y) elementwise.   The gradient goes to the smaller input."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(y, x)  # min(x, y) = -max(-x, -y): reuse Maximum's backward with roles swapped
        a, b = promote(x, y)
        return np.minimum(a, b)


class Where(Op):
    """z = where(cond, x, y).   dz/dx = cond, dz/dy = not cond."""

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.cond = cond
        a, b = promote(x, y)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        zero = _T(np.zeros((), grad.dtype.np))
        c = _T(ctx.cond)
        return where_(c, grad, zero), where_(c, zero, grad)


def where_(cond, x, y):
    return Where.apply(x, y, cond=cond._data.astype(bool, copy=False))


# ---------------------------------------------------------------------------- elementwise functions
def _elementwise(name, np_fn, derivative, math, uses="x", keeps_int=False):
    """Build a one-input op from its NumPy function and its derivative.

    ``derivative(x, y)`` gets the input ``x`` and the output ``y`` (only the one
    named by ``uses`` is saved; the other is None) and returns dy/dx as a Tensor;
    the backward is then ``grad * dy/dx``.
    """

    def forward(ctx, x):
        a = x._data if keeps_int else _float_array(x)
        out = _T(np.asarray(np_fn(a)))
        ctx.save_for_backward(x if uses == "x" else out)
        return out

    def backward(ctx, grad):
        saved, = ctx.saved_tensors
        return grad * derivative(saved, None) if uses == "x" else grad * derivative(None, saved)

    doc = f"y = {name.lower()}(x).   {math}"
    return type(name, (Op,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                              "__doc__": doc, "__module__": __name__})


def _neg(a):
    if a.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return np.negative(a)


def _zero_slope(x, y):
    return 0.0


Neg = _elementwise("Neg", _neg, lambda x, y: -1.0, "dy/dx = -1", uses="", keeps_int=True)
Abs = _elementwise("Abs", np.abs, lambda x, y: x.sign(), "dy/dx = sign(x)", keeps_int=True)
Exp = _elementwise("Exp", np.exp, lambda x, y: y, "dy/dx = exp(x) = y", uses="y")
Log = _elementwise("Log", np.log, lambda x, y: 1 / x, "dy/dx = 1/x")
Log1p = _elementwise("Log1p", np.log1p, lambda x, y: 1 / (x + 1), "dy/dx = 1/(1+x)")
Expm1 = _elementwise("Expm1", np.expm1, lambda x, y: y + 1, "dy/dx = exp(x) = y + 1", uses="y")
Sqrt = _elementwise("Sqrt", np.sqrt, lambda x, y: 0.5 / y, "dy/dx = 1/(2 sqrt(x)) = 1/(2y)", uses="y")
Reciprocal = _elementwise("Reciprocal", lambda a: 1 / a, lambda x, y: -(y * y), "dy/dx = -1/x^2 = -y^2", uses="y")
Sin = _elementwise("Sin", np.sin, lambda x, y: x.cos(), "dy/dx = cos(x)")
Cos = _elementwise("Cos", np.cos, lambda x, y: -x.sin(), "dy/dx = -sin(x)")
Tan = _elementwise("Tan", np.tan, lambda x, y: 1 + y * y, "dy/dx = 1 + tan(x)^2 = 1 + y^2", uses="y")
Tanh = _elementwise("Tanh", np.tanh, lambda x, y: 1 - y * y, "dy/dx = 1 - tanh(x)^2 = 1 - y^2", uses="y")
Sigmoid = _elementwise("Sigmoid", lambda a: np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))),
                                                      np.exp(-np.abs(a)) / (1 + np.exp(-np.abs(a)))).astype(a.dtype),
                       lambda x, y: y * (1 - y), "dy/dx = s(x) (1 - s(x)) = y (1 - y)", uses="y")
Relu = _elementwise("Relu", lambda a: np.maximum(a, 0).astype(a.dtype), lambda x, y: (y > 0).to(y.dtype),
                    "dy/dx = 1 where x > 0, else 0", uses="y", keeps_int=True)
Sign = _elementwise("Sign", np.sign, _zero_slope, "dy/dx = 0", uses="", keeps_int=True)
Floor = _elementwise("Floor", np.floor, _zero_slope, "dy/dx = 0 (a step function)", uses="", keeps_int=True)
Ceil = _elementwise("Ceil", np.ceil, _zero_slope, "dy/dx = 0 (a step function)", uses="", keeps_int=True)
Trunc = _elementwise("Trunc", np.trunc, _zero_slope, "dy/dx = 0 (a step function)", uses="", keeps_int=True)


class Round(Op):
    """y = round(x) (half to even, as PyTorch).   dy/dx = 0."""

    @staticmethod
    def forward(ctx, x, decimals=0):
        return np.round(x._data, decimals)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Clamp(Op):
    """y = min(max(x, lo), hi).   dy/dx = 1 for lo <= x <= hi, else 0."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        a = x._data
        dt = D.result_type(x, *(v for v in (min, max) if v is not None)).np
        out = a.astype(dt, copy=False)
        if min is not None:
            out = np.maximum(out, np.asarray(min, dt))
        if max is not None:
            out = np.minimum(out, np.asarray(max, dt))
        return np.asarray(out, dt)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = np.ones(x.shape, bool)
        if lo is not None:
            inside &= x._data >= lo
        if hi is not None:
            inside &= x._data <= hi
        return grad * _T(inside.astype(grad.dtype.np))


class ToCopy(Op):
    """y = x converted to another dtype.   The gradient is converted back."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x._data.astype(dtype.np)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype)


class Clone(Op):
    """y = a copy of x.   dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# ---------------------------------------------------------------------------- reductions
def _spread(grad, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dimensions."""
    if not keepdim and dims:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    return grad.expand(shape)


def _sum_dtype(a):
    return np.int64 if a.dtype.kind in "biu" else a.dtype


class Sum(Op):
    """y = sum of all x_i.   dy/dx_i = 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.sum(x._data, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class SumDim(Op):
    """y = sum of x along ``dim``.   dy/dx = 1, spread back along ``dim``."""
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        return np.sum(x._data, axis=dim, keepdims=keepdim, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.dim, ctx.keepdim)


class SumToSize(Op):
    """y = x summed down to ``size`` (what broadcasting expanded).   The gradient is expanded again."""

    @staticmethod
    def forward(ctx, x, size):
        ctx.shape = x.shape
        a = x._data
        lead = a.ndim - len(size)
        if lead < 0 or any(s != 1 and s != a.shape[lead + i] for i, s in enumerate(size)):
            raise RuntimeError(f"size {list(size)} is not expandable to size {list(a.shape)}.")
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and a.shape[lead + i] != 1)
        return np.sum(a, axis=axes, keepdims=True).reshape(size) if axes else a.reshape(size)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class Mean(Op):
    """y = mean of all x_i.   dy/dx_i = 1/N."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.mean(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape) / max(int(np.prod(ctx.shape)), 1)


class MeanDim(Op):
    """y = mean of x along ``dim``.   dy/dx = 1/N, spread back along ``dim``."""
    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        return np.mean(x._data, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        n = int(np.prod([ctx.shape[d] for d in ctx.dim]))
        return _spread(grad, ctx.shape, ctx.dim, ctx.keepdim) / max(n, 1)


def _count(shape, dim):
    return int(np.prod(shape)) if dim is None else int(np.prod([shape[d] for d in dim]))


class Var(Op):
    """y = sum((x - mean)^2) / (N - correction).   dy/dx = 2 (x - mean) / (N - correction)."""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"std and var only support floating point and complex dtypes, got {x.dtype}")
        ctx.save_for_backward(x)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        n = _count(x.shape, dim)
        return (np.var(x._data, axis=dim, ddof=0, keepdims=keepdim) * n / max(n - correction, 0)
                ).astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        n = _count(x.shape, ctx.dim)
        mean = x.mean(ctx.dim, keepdim=True) if ctx.dim is not None else x.mean()
        return _spread(grad, x.shape, ctx.dim or (), ctx.keepdim) * 2 * (x - mean) / (n - ctx.correction)


class Std(Op):
    """y = sqrt(var(x)).   dy/dx = (x - mean) / ((N - correction) y)."""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        v = Var.forward(ctx, x, dim, correction, keepdim)
        out = _T(np.sqrt(v))
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
    """y = product of x (along ``dim``).   dy/dx_i = product of the other x_j."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.prod(x._data, axis=dim, keepdims=keepdim, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        dims = () if ctx.dim is None else (ctx.dim,)
        total = x.prod(ctx.dim, keepdim=True) if ctx.dim is not None else x.prod()
        # the product of the others is total / x_i where x_i != 0; recompute where x_i == 0
        others = _T(_prod_others(x._data, ctx.dim).astype(grad.dtype.np)) if not grad.requires_grad \
            else total / x
        return _spread(grad, x.shape, dims, ctx.keepdim) * others


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
    """y = max of x (over ``dim``).   The gradient is shared evenly by the elements equal to the max."""
    node_name = "MaxBackward1"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        if x.numel() == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                               "the reduction dim with the 'dim' argument.")
        out = _T(np.max(x._data, axis=dim, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dims = ctx.dim or ()
        hit = (x == _spread(y, x.shape, dims, ctx.keepdim)).to(grad.dtype)
        count = hit.sum(ctx.dim, keepdim=True) if ctx.dim is not None else hit.sum()
        return _spread(grad, x.shape, dims, ctx.keepdim) * hit / count


class MaxDim(Op):
    """(values, indices) = max of x along ``dim``.   The gradient goes to the element picked by ``indices``."""
    node_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, pick):
        a = x._data
        if a.shape and a.shape[dim] == 0:
            raise IndexError(f"max(): Expected reduction dim {dim} to have non-zero size.")
        idx = pick(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values, idx = values.squeeze(dim) if a.ndim else values, idx.squeeze(dim) if a.ndim else idx
        ctx.shape, ctx.dim, ctx.keepdim, ctx.idx = x.shape, dim, keepdim, idx
        indices = _T(idx.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        return _T(values), indices

    @staticmethod
    def backward(ctx, grad, grad_indices):
        idx = ctx.idx if ctx.keepdim or not ctx.shape else np.expand_dims(ctx.idx, ctx.dim)
        onehot = np.zeros(ctx.shape, grad.dtype.np)
        if ctx.shape:
            np.put_along_axis(onehot, idx, 1, axis=ctx.dim)
        else:
            onehot[...] = 1
        return _spread(grad, ctx.shape, (ctx.dim,) if ctx.shape else (), ctx.keepdim) * _T(onehot)


class MinDim(MaxDim):
    node_name = "MinBackward0"


def _argmin_max(pick):
    def f(a, axis, keepdims):
        return np.expand_dims(pick(a, axis=axis), axis) if a.ndim else np.asarray(0)
    return f


def extremum(x, dim, keepdim, kind):
    from .tensor import Tensor
    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
        return x.maximum(dim) if kind == "max" else x.minimum(dim)
    if dim is None:
        return x.amax() if kind == "max" else x.amin()
    fn, pick = (MaxDim, np.argmax) if kind == "max" else (MinDim, np.argmin)
    values, indices = fn.apply(x, dim=wrap_dim(dim, x.ndim), keepdim=keepdim, pick=_argmin_max(pick))
    return ReturnTypes(kind, values, indices)


def arg_extremum(x, dim, keepdim, pick):
    a = x._data
    if dim is None:
        out = np.asarray(pick(a))
        return _T(out.reshape((1,) * a.ndim) if keepdim else out)
    d = wrap_dim(dim, x.ndim)
    out = pick(a, axis=d) if a.ndim else np.asarray(0)
    return _T(np.expand_dims(out, d) if keepdim and a.ndim else out)


class Logsumexp(Op):
    """y = log(sum(exp(x))).   dy/dx = exp(x - y) = softmax(x)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        a = _float_array(x)
        m = np.max(a, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # keep -inf rows finite while shifting
        out = _T(np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out if keepdim else _T(np.squeeze(out._data, axis=dim))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _spread(grad, x.shape, ctx.dim, ctx.keepdim) * (x - y).exp()


class Softmax(Op):
    """y = exp(x) / sum(exp(x)) along ``dim``.   dL/dx = y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, dim):
        a = _float_array(x)
        e = np.exp(a - np.max(a, axis=dim, keepdims=True))
        out = _T(e / np.sum(e, axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    """y = x - logsumexp(x) along ``dim``.   dL/dx = g - exp(y) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim):
        a = _float_array(x)
        shifted = a - np.max(a, axis=dim, keepdims=True)
        out = _T(shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)


class Cumsum(Op):
    """y_i = x_0 + ... + x_i.   dL/dx_i = sum of g_j for j >= i (a reversed cumsum)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x._data, axis=dim, dtype=_sum_dtype(x._data))

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


def sort(x, dim, descending):
    d = wrap_dim(dim, x.ndim)
    a = x._data
    idx = np.argsort(-a if descending and a.dtype.kind != "b" else a, axis=d, kind="stable") if a.ndim else \
        np.asarray(0)
    if descending and a.dtype.kind == "b":
        idx = np.flip(np.argsort(a, axis=d, kind="stable"), d)
    indices = _T(idx.astype(np.int64))
    values = x.gather(d, indices) if a.ndim else x.clone()
    return ReturnTypes("sort", values, indices)


# ---------------------------------------------------------------------------- matrix products
class Matmul(Op):
    """Z = X @ Y.   dL/dX = G @ Y^T, dL/dY = X^T @ G (batch dimensions summed by the engine)."""
    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x._data, y._data
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected both operands of matmul to have the same dtype, but got {x.dtype} and "
                               f"{y.dtype}; convert one of them, e.g. y.to(x.dtype)")
        _check_matmul(a.shape, b.shape)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x2 = x.unsqueeze(0) if x.ndim == 1 else x   # treat a vector as a 1-row / 1-column matrix
        y2 = y.unsqueeze(1) if y.ndim == 1 else y
        g = grad
        if x.ndim == 1:
            g = g.unsqueeze(-2)
        if y.ndim == 1:
            g = g.unsqueeze(-1)
        gx = g @ y2.mT if ctx.needs_input_grad[0] else None
        gy = x2.mT @ g if ctx.needs_input_grad[1] else None
        if gy is not None and y.ndim == 1:
            gy = gy.squeeze(-1)
        if gx is not None and x.ndim == 1 and gx.ndim > 1:
            gx = gx.squeeze(-2) if y.ndim != 1 or gx.ndim > 1 else gx
        return gx, gy


class Mm(Matmul):
    node_name = "MmBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Dot(Matmul):
    node_name = "DotBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


def _check_matmul(sa, sb):
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and "
                           f"{len(sb)}D")
    if len(sa) == 1 and len(sb) == 1:
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the "
                               f"same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        ra = f"{int(np.prod(sa[:-1])) if len(sa) > 1 else 1}x{k_a}"
        rb = f"{k_b}x{sb[-1] if len(sb) > 1 else 1}"
        if len(sa) <= 2 and len(sb) <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra} and {rb})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{k_a}] but got: "
                           f"[{k_b}] (shapes {list(sa)} @ {list(sb)} don't line up: the last dimension of the "
                           "first must equal the second-to-last of the second)")
    if len(sa) > 2 and len(sb) > 2:
        broadcast_shapes(sa[:-2], sb[:-2])


def matmul(x, y):
    from .tensor import Tensor
    if not isinstance(y, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(y).__name__}")
    nx, ny = x.ndim, y.ndim
    fn = Dot if nx == ny == 1 else Mm if nx == ny == 2 else Mv if (nx, ny) == (2, 1) else \
        Bmm if nx == ny == 3 and x.shape[0] == y.shape[0] else Matmul
    return fn.apply(x, y)


# ---------------------------------------------------------------------------- shapes and views
def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    if any(s < 0 for s in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)}")
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


class View(Op):
    """y = x with a new shape (same memory).   dL/dx = g reshaped back."""

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
    """y = a reshaped copy of x (when a view is impossible).   dL/dx = g reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.reshape(x._data, shape).copy()


def view(x, shape, copy_ok):
    shape = _infer_shape(shape, x.numel())
    if shape == x.shape:
        return View.apply(x, shape=shape)._make_view_of(x)
    if copy_ok:
        try:
            return View.apply(x, shape=shape)._make_view_of(x)
        except RuntimeError:
            return UnsafeView.apply(x, shape=shape)
    return View.apply(x, shape=shape)._make_view_of(x)


class Expand(Op):
    """y = x repeated along size-1 dimensions (no copy).   dL/dx = g summed over the repeats."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


def expand(x, sizes):
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
    if tuple(shape) == x.shape:
        return x
    return Expand.apply(x, shape=tuple(shape))._make_view_of(x)


def _legacy(x):
    return f"torch.{x.dtype._legacy}Tensor"


class Squeeze(Op):
    """y = x without its size-1 dimensions.   dL/dx = g reshaped back."""

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


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class Unsqueeze(Op):
    """y = x with a new size-1 dimension at ``dim``.   dL/dx = g with that dimension removed."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


class Transpose(Op):
    """y = x with two dimensions swapped.   dL/dx = g swapped back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.swapaxes(x._data, *dims) if x.ndim > 1 else x._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims) if grad.ndim > 1 else grad


class T(Transpose):
    """y = x.t() (a matrix transpose)."""


class Permute(Op):
    """y = x with dimensions reordered.   dL/dx = g with the inverse order."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*np.argsort(ctx.dims).tolist())


class Flip(Op):
    """y = x reversed along ``dims``.   dL/dx = g reversed back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x._data, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(*ctx.dims)


class Cat(Op):
    """y = the inputs joined along ``dim``.   dL/dx_k = the slice of g that came from x_k."""

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
    """y = the inputs stacked along a new dimension ``dim``.   dL/dx_k = g[..., k, ...]."""

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
    """(y_1, ..., y_k) = consecutive pieces of x along ``dim``.   dL/dx = the g_k joined together."""

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(np.split(x._data, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, dim=ctx.dim)


class SplitWithSizes(Split):
    pass


def split(x, size_or_sections, dim):
    n = x.shape[dim]
    if isinstance(size_or_sections, (list, tuple)):
        sizes = list(size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {dim}), but got split_sizes={sizes}")
        fn = SplitWithSizes
    else:
        if size_or_sections <= 0 and n:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size_or_sections}")
        sizes = [size_or_sections] * (n // size_or_sections) + ([n % size_or_sections] if n % size_or_sections else [])
        fn = Split
    outs = fn.apply(x, sizes=sizes, dim=dim)
    return tuple(o._make_view_of(x) for o in outs)


class Unbind(Op):
    """(y_0, ..., y_n) = the slices x[i] along ``dim``.   dL/dx = the g_i stacked."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = x._data
        return tuple(a[(slice(None),) * dim + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, dim=ctx.dim)


class Gather(Op):
    """y = x picked at ``index`` along ``dim``.   dL/dx = g added back at those positions."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, shape=ctx.shape, dim=ctx.dim, index=ctx.index)


class ScatterAdd(Op):
    """y = zeros with g added at ``index`` along ``dim`` (the reverse of Gather)."""

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, g._data.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        np.add.at(out, tuple(idx), g._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.gather(ctx.dim, _T(ctx.index))


# ---------------------------------------------------------------------------- indexing
def _convert_key(key, x):
    """Turn a user index into a NumPy index; tensors become arrays. Returns (key, kind)."""
    from .tensor import Tensor
    if not isinstance(key, tuple):
        key = (key,)
    out, advanced = [], False
    for k in key:
        if isinstance(k, Tensor):
            if k.dtype.is_floating_point or k.dtype.is_complex:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            k = k._data
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


def _dims_used(k):
    """How many dimensions of the indexed tensor one index entry consumes."""
    if k is None or k is Ellipsis or isinstance(k, bool):
        return 0
    if isinstance(k, np.ndarray) and k.dtype == np.bool_:
        return k.ndim
    return 1


def _check_bounds(key, shape):
    """PyTorch's IndexErrors, before NumPy can raise its own (or wrap around silently)."""
    used = sum(_dims_used(k) for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for pos, k in enumerate(key):
        if k is Ellipsis:
            dim = len(shape) - sum(_dims_used(kk) for kk in key[pos + 1:])
            continue
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, np.ndarray) and k.dtype != np.bool_ and k.size:
            n = shape[dim]
            if k.max() >= n or k.min() < -n:
                bad = int(k.max()) if k.max() >= n else int(k.min())
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, np.ndarray) and k.dtype == np.bool_ and k.shape != tuple(shape[dim:dim + k.ndim]):
            raise IndexError(f"The shape of the mask {list(k.shape)} at index {dim} does not match the shape of "
                             f"the indexed tensor {list(shape)} at index {dim}")
        dim += _dims_used(k)


class Index(Op):
    """y = x[key].   dL/dx = zeros with g added back at the indexed positions (repeats add up)."""

    @staticmethod
    def forward(ctx, x, key, advanced):
        ctx.shape, ctx.key, ctx.advanced = x.shape, key, advanced
        return x._data[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexScatter.apply(grad, shape=ctx.shape, key=ctx.key, advanced=ctx.advanced)


class Select(Index):
    pass


class Slice(Index):
    pass


class Alias(Index):
    pass


class IndexUnsqueeze(Index):
    node_name = "UnsqueezeBackward0"


class IndexScatter(Op):
    """y = zeros with g added at ``key`` (the reverse of indexing)."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, shape, key, advanced):
        ctx.key, ctx.advanced = key, advanced
        out = np.zeros(shape, g._data.dtype)
        if advanced:
            np.add.at(out, key, g._data)  # repeated indices must accumulate, not overwrite
        else:
            out[key] = g._data
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, key=ctx.key, advanced=ctx.advanced)


def _index_fn(key, advanced):
    if advanced:
        return Index
    parts = [k for k in key if k is not Ellipsis and not (isinstance(k, slice) and k == slice(None))]
    if not parts:
        return Alias
    last = parts[-1]
    return IndexUnsqueeze if last is None else Slice if isinstance(last, slice) else Select


def index(x, key):
    k, advanced = _convert_key(key, x)
    out = _index_fn(k, advanced).apply(x, key=k, advanced=advanced)
    return out if advanced else out._make_view_of(x)


class IndexPut(Op):
    """x[key] = v, as a new value.   dL/dx = g with the overwritten part zeroed; dL/dv = g[key]."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, key, advanced):
        ctx.key, ctx.advanced, ctx.vshape = key, advanced, v.shape
        out = x._data.copy()
        out[key] = v._data
        return out

    @staticmethod
    def backward(ctx, grad):
        mask = np.ones(grad.shape, bool)
        mask[ctx.key] = False
        gx = grad * _T(mask.astype(grad.dtype.np))
        gv = Index.apply(grad, key=ctx.key, advanced=ctx.advanced)
        return gx, gv


class AdvancedIndexPut(IndexPut):
    node_name = "IndexPutBackward0"


def index_put(x, key, value):
    from .tensor import _operand
    from .autograd import grad_mode
    k, advanced = _convert_key(key, x)
    v = _operand(value)
    if v is None:
        raise TypeError(f"can't assign a {type(value).__name__} to a tensor; assign a number or a tensor")
    if not D.can_cast(v.dtype, x.dtype) and not v._wrapped:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {x.dtype._legacy} "
                           f"for the destination and {v.dtype._legacy} for the source.")
    if v.dtype is not x.dtype:
        v = v.to(x.dtype)
    x._check_inplace_allowed()
    target_shape = x._data[k].shape
    try:
        np.broadcast_shapes(v.shape, target_shape)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                           f"indexing result of shape {list(target_shape)}") from None
    if grad_mode.is_grad_enabled() and (x._requires_grad or v._requires_grad):
        x._inplace(lambda: (AdvancedIndexPut if advanced else IndexPut).apply(x, v, key=k, advanced=advanced))
    else:
        if not x._data.flags.writeable:
            raise RuntimeError("unsupported operation: this tensor's memory is read-only; .clone() it first")
        x._data[k] = v._data
        x._vc.bump()
