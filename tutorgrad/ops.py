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
import warnings

import numpy as np

from . import _dtypes as D
from .autograd import grad_mode
from .autograd.function import Function, _tensor_type


class Op(Function):
    _builtin = True


def _T(arr):
    return _tensor_type()._wrap(arr)


# ---------------------------------------------------------------------------- helpers
def _user_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first caller outside tutorgrad (the student's line)."""
    import os
    import sys
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


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
        dims = tuple(sorted(wrap_dim(d, ndim) for d in dim))
    else:
        dims = (wrap_dim(dim, ndim),)
    return dims if ndim else ()  # a 0-d tensor accepts dim 0 / -1, and there is nothing to reduce


def broadcast_shapes(*shapes):
    """The shape two operands broadcast to, or PyTorch's error naming the clashing dimension."""
    ndim = max([len(s) for s in shapes])
    out = []
    for i in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) >= -i and s[i] != 1:  # size 1 stretches to anything, even 0
                if size != 1 and s[i] != size:
                    raise RuntimeError(f"The size of tensor a ({size}) must match the size of tensor b ({s[i]}) "
                                       f"at non-singleton dimension {ndim + i}")
                size = s[i]
        out.append(size)
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
    """z = x + alpha * y.   dz/dx = 1, dz/dy = alpha."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        a, b = promote(x, y)
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad if ctx.alpha == 1 else grad * ctx.alpha


class Sub(Op):
    """z = x - alpha * y.   dz/dx = 1, dz/dy = -alpha."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        _no_bool_sub(x, y)
        ctx.alpha = alpha
        a, b = promote(x, y)
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.alpha == 1 else grad * -ctx.alpha


class Rsub(Op):
    """z = c - x for a number c.   dz/dx = -1."""
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, other):
        _no_bool_sub(other, x)
        a, b = promote(x, other)
        return b - a

    @staticmethod
    def backward(ctx, grad):
        return -grad


def _no_bool_sub(x, y):
    if x.dtype is D.bool_ and y.dtype is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if x.dtype is D.bool_ or y.dtype is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


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
        if a.dtype.kind in "biu":  # true division of integers gives floats: divide the values as given
            # (not as cast to the common integer type: uint8 / -3 is -1/3, not 1/253)
            a, b = x._data.astype(D.get_default_dtype().np), y._data.astype(D.get_default_dtype().np)
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
    """z = x // y = floor(x / y).   PyTorch defines no derivative for ``//``: backward raises, as there."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        _int_div_check(b)
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented. (x.div(y, rounding_mode='floor') "
                           "computes the same values and has a derivative: 0 everywhere.)")


class DivRounded(Op):
    """z = floor(x / y) or trunc(x / y), from ``div(rounding_mode=...)``.   A step function: dz/dx = dz/dy = 0."""
    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, x, y, rounding_mode):
        a, b = promote(x, y)
        _int_div_check(b)
        return np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(a / b).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0


class Remainder(Op):
    """z = x - floor(x / y) * y (the sign of y, Python's %).   dz/dx = 1, dz/dy = -floor(x / y)."""
    node_name = "RemainderBackward1"
    kernel = staticmethod(np.mod)  # Fmod below differs only in these two: NumPy's function and
    rounding = "floor"             # the rounding of x / y that it subtracts

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = promote(x, y)
        _int_div_check(b)
        return ctx._forward_cls.kernel(a, b)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad, -grad * getattr(x / y, ctx._forward_cls.rounding)()


class RemainderScalar(Op):
    """z = x - floor(x / c) * c for a number c.   dz/dx = 1."""
    node_name = "RemainderBackward0"
    kernel = staticmethod(np.mod)

    @staticmethod
    def forward(ctx, x, other):
        a, b = promote(x, other)
        _int_div_check(b)
        return ctx._forward_cls.kernel(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad


def remainder(x, y):
    """``x % y``: a number ``y`` is not an input of the graph (as in PyTorch)."""
    return RemainderScalar.apply(x, other=y) if y._wrapped else Remainder.apply(x, y)


class Fmod(Remainder):
    """z = x - trunc(x / y) * y (C's fmod: the sign of x).   dz/dx = 1, dz/dy = -trunc(x / y)."""
    node_name = "FmodBackward1"
    kernel = staticmethod(np.fmod)
    rounding = "trunc"


class FmodScalar(RemainderScalar):
    """z = x - trunc(x / c) * c for a number c.   dz/dx = 1."""
    node_name = "FmodBackward0"
    kernel = staticmethod(np.fmod)


def fmod(x, y):
    return FmodScalar.apply(x, other=y) if y._wrapped else Fmod.apply(x, y)


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
        return np.power(a.astype(dt, copy=False), np.asarray(exponent, dt)).astype(dt, copy=False)  # bool**bool

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return grad * 0
        if c == 2 and not grad_mode._state["enabled"]:  # x ** 1 is x: skip that op unless create_graph records it,
            return grad * 2 * x                         # where PyTorch's x.pow(1) makes the 3rd derivative require grad
        return grad * c * x ** (c - 1)


class Pow(Op):
    """z = x ** y.   dz/dx = y * x^(y-1), dz/dy = x^y * ln(x)."""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        if a.dtype == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool': convert the tensors first, e.g. x.long()")
        if a.dtype.kind in "iu" and np.any(b < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _T(np.power(a, b))
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        zero = _T(np.zeros((), out.dtype.np))
        gx = gy = None
        if ctx.needs_input_grad[0]:  # where y == 0, x^y is constant 1: slope 0 (even at x == 0, as PyTorch)
            gx = grad * where_(y == 0, zero, y * x ** (y - 1))
        if ctx.needs_input_grad[1]:  # where x == 0 (and y >= 0) PyTorch defines the slope as 0
            gy = grad * where_((x == 0) & (y >= 0), zero, out * x.log())
        return gx, gy


class RPow(Op):
    """z = c ** y for a number c.   dz/dy = c^y ln(c) (0 where c == 0, as PyTorch)."""
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, y, base):
        a, b = promote(base, y)
        if a.dtype == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool': convert the tensors first, e.g. x.long()")
        if b.dtype.kind in "iu" and np.any(b < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _T(np.power(a, b))
        c = base._data
        with np.errstate(invalid="ignore", divide="ignore"):  # ln of a negative base is nan, as in PyTorch
            ctx.log_base = _T(np.where(c == 0, 0, np.log(np.where(c == 0, 1, c))).astype(out._data.dtype))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out * ctx.log_base


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
        ctx.save_for_backward(_T(cond))
        a, b = promote(x, y)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        c, = ctx.saved_tensors
        zero = _T(np.zeros((), grad.dtype.np))
        return where_(c, grad, zero), where_(c, zero, grad)


def where_(cond, x, y):
    return Where.apply(x, y, cond=cond._data.astype(bool, copy=False))


class Lerp(Op):
    """z = x + w (end - x) for a number w.   dz/dx = 1 - w, dz/dend = w."""
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, x, end, weight):
        ctx.weight = weight
        a, b = promote(x, end)
        return a + weight * (b - a)

    @staticmethod
    def backward(ctx, grad):
        return grad * (1 - ctx.weight), grad * ctx.weight


class MaskedFill(Op):
    """y = x with a number written where ``mask`` is True.   dL/dx = g where the mask is False, else 0."""
    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value, x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, grad):
        return where_(_T(ctx.mask), _T(np.zeros((), grad.dtype.np)), grad)


class MaskedFillTensor(Op):
    """y = x with a 0-d tensor v written where ``mask`` is True.   dL/dx = g off the mask; dL/dv = sum of g on it."""
    node_name = "MaskedFillBackward1"

    @staticmethod
    def forward(ctx, x, value, mask):
        if value.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        ctx.mask = mask
        return np.where(mask, value._data.astype(x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, grad):
        zero, mask = _T(np.zeros((), grad.dtype.np)), _T(ctx.mask)
        return where_(mask, zero, grad), where_(mask, grad, zero).sum()


def masked_fill(x, mask, value):
    Tensor = _tensor_type()
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    m = np.broadcast_to(mask._data, broadcast_shapes(x.shape, mask.shape))
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(x, value, mask=m)
    return MaskedFill.apply(x, mask=m, value=value)


class Overwrite(Op):
    """x's values replaced by new ones that do not depend on x (``zero_``, ``fill_``, ...).   dL/dx = 0."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        return _T(np.zeros(grad.shape, grad.dtype.np))


class Zero(Overwrite):
    node_name = "ZeroBackward0"


class Normal(Overwrite):
    node_name = "NormalBackward0"


class Uniform(Overwrite):
    node_name = "UniformBackward0"


class Copy(Op):
    """x.copy_(src): x's values replaced by src's (broadcast, converted).   dL/dx = 0, dL/dsrc = g."""
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        shape = broadcast_shapes(x.shape, src.shape)
        if shape != x.shape:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(shape)}")
        ctx.src_dtype = src.dtype
        out = np.empty_like(x._data)
        np.copyto(out, src._data, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, grad):
        return _T(np.zeros(grad.shape, grad.dtype.np)), grad.to(ctx.src_dtype)


# ---------------------------------------------------------------------------- elementwise functions
def _elementwise(name, np_fn, derivative, math, uses="x", keeps_int=False, node_name=None):
    """Build a one-input op from its NumPy function and its derivative.

    ``derivative(x, y)`` gets the input ``x`` and the output ``y`` (only the one
    named by ``uses`` is saved; the other is None) and returns dy/dx as a Tensor;
    the backward is then ``grad * dy/dx``.
    """

    def forward(ctx, x):
        a = x._data if keeps_int else _float_array(x)
        out = _T(np.asarray(np_fn(a)))
        if uses:
            ctx.save_for_backward(x if uses == "x" else out)
        return out

    def backward(ctx, grad):
        saved = ctx.saved_tensors[0] if uses else None
        return grad * derivative(saved, None) if uses == "x" else grad * derivative(None, saved)

    doc = f"y = {name.lower()}(x).   {math}"
    return type(name, (Op,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                              "__doc__": doc, "__module__": __name__, "node_name": node_name})


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
Log2 = _elementwise("Log2", np.log2, lambda x, y: 1 / (x * float(np.log(2.0))), "dy/dx = 1/(x ln 2)")
Log10 = _elementwise("Log10", np.log10, lambda x, y: 1 / (x * float(np.log(10.0))), "dy/dx = 1/(x ln 10)")
Log1p = _elementwise("Log1p", np.log1p, lambda x, y: 1 / (x + 1), "dy/dx = 1/(1+x)", node_name="Log1PBackward0")
Expm1 = _elementwise("Expm1", np.expm1, lambda x, y: y + 1, "dy/dx = exp(x) = y + 1", uses="y")
Sqrt = _elementwise("Sqrt", np.sqrt, lambda x, y: 0.5 / y, "dy/dx = 1/(2 sqrt(x)) = 1/(2y)", uses="y")
Rsqrt = _elementwise("Rsqrt", lambda a: 1 / np.sqrt(a), lambda x, y: -0.5 * y * y * y,
                     "dy/dx = -1/(2 x^(3/2)) = -y^3 / 2", uses="y")
Reciprocal = _elementwise("Reciprocal", lambda a: 1 / a, lambda x, y: -(y * y), "dy/dx = -1/x^2 = -y^2", uses="y")
Sin = _elementwise("Sin", np.sin, lambda x, y: x.cos(), "dy/dx = cos(x)")
Cos = _elementwise("Cos", np.cos, lambda x, y: -x.sin(), "dy/dx = -sin(x)")
Tan = _elementwise("Tan", np.tan, lambda x, y: 1 + y * y, "dy/dx = 1 + tan(x)^2 = 1 + y^2", uses="y")
Tanh = _elementwise("Tanh", np.tanh, lambda x, y: 1 - y * y, "dy/dx = 1 - tanh(x)^2 = 1 - y^2", uses="y")
Sigmoid = _elementwise("Sigmoid", lambda a: np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))),
                                                      np.exp(-np.abs(a)) / (1 + np.exp(-np.abs(a)))).astype(a.dtype),
                       lambda x, y: y * (1 - y), "dy/dx = s(x) (1 - s(x)) = y (1 - y)", uses="y")


class Relu(Op):
    """y = max(x, 0).   dy/dx = 1 where y > 0 (and where x is nan, as in PyTorch), else 0."""

    @staticmethod
    def forward(ctx, x):
        a = x._data
        out = _T(np.maximum(a, 0).astype(a.dtype, copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y)


class ThresholdBackward(Op):
    """z = g where y > 0 (or y is nan), else 0: relu's backward (PyTorch's ``threshold_backward``).
    dL/dg = h where y > 0, else 0 (the same mask); dL/dy = 0 (a step's slope).

    It multiplies by the mask instead of selecting (NumPy does that 7x faster than np.where) and then
    adds +0.0, which turns the -0.0 of a negative g times 0 into the 0 PyTorch prints. (Where the
    mask is 0, an infinite g still gives nan: inf * 0.)
    """

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(y)
        out = grad._data * ~(y._data <= 0)
        out += 0.0
        return out

    @staticmethod
    def backward(ctx, h):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(h, y), None

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


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampTensor(Op):
    """y = min(max(x, lo), hi) for tensor bounds.   dy/dx = 1 for lo <= x <= hi; dy/dlo = 1 where x < lo;
    dy/dhi = 1 where x > hi."""
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        dt = D.result_type(*(t for t in (x, lo, hi) if t is not None)).np
        out = x._data.astype(dt)
        if lo is not None:
            out = np.maximum(out, lo._data.astype(dt, copy=False))
        if hi is not None:
            out = np.minimum(out, hi._data.astype(dt, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        above_lo = x._data >= lo._data if lo is not None else True
        below_hi = x._data <= hi._data if hi is not None else True
        zero = _T(np.zeros((), grad.dtype.np))
        return (where_(_T(above_lo & below_hi), grad, zero),
                where_(_T(~above_lo), grad, zero) if lo is not None else None,
                where_(_T(~below_hi), grad, zero) if hi is not None else None)


class ToCopy(Op):
    """y = x converted to another dtype.   The gradient is converted back."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        a = x._data
        if a.dtype.kind == "c" and not dtype.is_complex:  # as PyTorch: keep the real part, and say so
            warnings.warn("Casting complex values to real discards the imaginary part", UserWarning,
                          stacklevel=_user_stacklevel())
            a = a.real
        return a.astype(dtype.np)

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
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, size):
        a = x._data
        ctx.shape = shape = a.shape
        lead = a.ndim - len(size)
        if lead < 0 or any([s != 1 and s != shape[lead + i] for i, s in enumerate(size)]):
            raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}.")
        axes = tuple(range(lead)) + tuple([lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1])
        return np.add.reduce(a, axis=axes, keepdims=True).reshape(size) if axes else a.reshape(size)

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
        if grad_mode.is_grad_enabled():  # create_graph=True: build "the others" from Tensor ops
            others = _prod_others_graph(x, ctx.dim)
        else:  # exact even where x_i == 0 (y / x_i would divide by zero)
            others = _T(_prod_others(x._data, ctx.dim).astype(grad.dtype.np))
        return _spread(grad, x.shape, dims, ctx.keepdim) * others


class ProdDim(Prod):
    node_name = "ProdBackward1"


class Norm(Op):
    """y = (sum |x_i|^p)^(1/p).   dy/dx_i = sign(x_i) |x_i|^(p-1) / y^(p-1)  (= x_i / y for p = 2; 0 where y = 0)."""
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, dim, keepdim):
        a = np.abs(_float_array(x))
        out = _T(np.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p))
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        y = _spread(y, x.shape, ctx.dim or (), ctx.keepdim)
        y = where_(y == 0, _T(np.ones((), y.dtype.np)), y)  # an all-zero x: slope 0 (x_i = 0), not 0/0
        p = ctx.p
        slope = x / y if p == 2 else x.sign() * x.abs() ** (p - 1) / y ** (p - 1)
        return _spread(grad, x.shape, ctx.dim or (), ctx.keepdim) * slope


def _prod_others_graph(x, dim):
    """prod_{j != i} x_j, differentiable: row i of an n x n repeat of x has x_i replaced by 1.

    Costs n times the memory of x, but stays exact at every order, zeros included.
    """
    v = x.reshape(-1) if dim is None else x.movedim(dim, -1)
    n = v.shape[-1]
    rows = v.unsqueeze(-2).expand(*v.shape[:-1], n, n)
    others = where_(_T(np.eye(n, dtype=bool)), _T(np.ones((), v.dtype.np)), rows).prod(-1)
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
    """y = max of x (over ``dim``).   The gradient is shared evenly by the elements equal to the max."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extreme(ctx, x, dim, keepdim, np.max, "amax")

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dims = ctx.dim or ()
        hit = (x == _spread(y, x.shape, dims, ctx.keepdim)).to(grad.dtype)
        count = hit.sum(ctx.dim, keepdim=True) if ctx.dim is not None else hit.sum()
        return _spread(grad, x.shape, dims, ctx.keepdim) * hit / count


class Amin(Amax):
    """y = min of x (over ``dim``).   The gradient is shared evenly by the elements equal to the min."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extreme(ctx, x, dim, keepdim, np.min, "amin")


class MaxAll(Amax):
    """y = x.max() (no ``dim``): amax over everything."""
    node_name = "MaxBackward1"

    @staticmethod
    def forward(ctx, x):
        return _extreme(ctx, x, None, False, np.max, "max")


class MinAll(Amin):
    """y = x.min() (no ``dim``): amin over everything."""
    node_name = "MinBackward1"

    @staticmethod
    def forward(ctx, x):
        return _extreme(ctx, x, None, False, np.min, "min")


def _extreme(ctx, x, dim, keepdim, reduce, name):
    if dim is None and x.numel() == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                           "the reduction dim with the 'dim' argument.")
    for d in dim or ():
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    out = _T(reduce(x._data, axis=dim, keepdims=keepdim))
    ctx.save_for_backward(x, out)
    ctx.dim, ctx.keepdim = dim, keepdim
    return out


class MaxDim(Op):
    """(values, indices) = max of x along ``dim``.   The gradient goes to the element picked by ``indices``."""
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
        indices = _T(idx.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return _T(values), indices

    @staticmethod
    def backward(ctx, grad, grad_indices):
        idx = ctx.saved_tensors[0]._data
        idx = idx if ctx.keepdim or not ctx.shape else np.expand_dims(idx, ctx.dim)
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
    if isinstance(dim, _tensor_type()):  # max(a, b): the elementwise maximum
        return x.maximum(dim) if kind == "max" else x.minimum(dim)
    if dim is None:
        return (MaxAll if kind == "max" else MinAll).apply(x)
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
        m = np.max(a, axis=dim, keepdims=True, initial=-np.inf)  # (initial: empty inputs work too)
        m = np.where(np.isfinite(m), m, 0)  # keep -inf rows finite while shifting
        out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
        out = _T(out if keepdim else np.squeeze(out, axis=dim))
        ctx.save_for_backward(x, out)  # the output itself: double backward differentiates through it
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _spread(grad, x.shape, ctx.dim, ctx.keepdim) * (x - _spread(y, x.shape, ctx.dim, ctx.keepdim)).exp()


class Softmax(Op):
    """y = exp(x) / sum(exp(x)) along ``dim``.   dL/dx = y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, dim):
        a = _float_array(x)
        e = np.exp(a - np.max(a, axis=dim, keepdims=True, initial=-np.inf))
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
        shifted = a - np.maximum.reduce(a, axis=dim, keepdims=True, initial=-np.inf)
        out = _T(shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return LogSoftmaxBackward.apply(grad, y, dim=ctx.dim)  # g - exp(y) * sum(g), in one node


class LogSoftmaxBackward(Op):
    """z = g - exp(y) * sum(g) along ``dim``: log_softmax's backward, as one op (PyTorch's
    ``_log_softmax_backward_data``).   dL/dg = h - sum(exp(y) * h), dL/dy = -exp(y) * sum(g) * h,
    for the incoming gradient h (these make double backward work).
    """

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
    """y_i = x_0 + ... + x_i.   dL/dx_i = sum of g_j for j >= i (a reversed cumsum)."""

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


def sort(x, dim, descending):
    d = wrap_dim(dim, x.ndim)
    idx = _sort_indices(x._data, d, descending)
    values = Sort.apply(x, dim=d, index=idx) if x.ndim else x.clone()
    return ReturnTypes("sort", values, _T(idx.astype(np.int64)))


def topk(x, k, dim, largest):
    d = wrap_dim(dim, x.ndim)
    if not 0 <= k <= (x.shape[d] if x.ndim else 1):
        raise RuntimeError(f"selected index k out of range (k={k}, but dimension {d} has size "
                           f"{x.shape[d] if x.ndim else 1})")
    idx = _sort_indices(x._data, d, largest)
    idx = idx[(slice(None),) * d + (slice(0, k),)] if x.ndim else idx
    values = Topk.apply(x, dim=d, index=idx) if x.ndim else x.clone()
    return ReturnTypes("topk", values, _T(idx.astype(np.int64)))


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
        # A vector is a 1-row matrix on the left, a 1-column matrix on the right; grad gets those dims too.
        x2 = x.unsqueeze(0) if x.ndim == 1 else x
        y2 = y.unsqueeze(1) if y.ndim == 1 else y
        g = grad.unsqueeze(-1) if y.ndim == 1 else grad
        g = g.unsqueeze(-2) if x.ndim == 1 else g
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g @ y2.mT
            gx = gx.squeeze(-2) if x.ndim == 1 else gx
        if ctx.needs_input_grad[1]:
            gy = x2.mT @ g
            gy = gy.squeeze(-1) if y.ndim == 1 else gy
        return gx, gy


class Mm(Matmul):
    node_name = "MmBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Dot(Matmul):
    node_name = "DotBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


class VecMat(Matmul):
    node_name = "SqueezeBackward4"  # PyTorch computes vector @ matrix as (1 x n) @ matrix, then squeezes


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


# The node is named after the kernel PyTorch's matmul ends in (batched: a reshape, UnsafeViewBackward0).
_MATMUL_BY_NDIM = {(1, 1): Dot, (2, 2): Mm, (2, 1): Mv, (1, 2): VecMat}


def matmul(x, y):
    if not isinstance(y, _tensor_type()):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(y).__name__}")
    return _MATMUL_BY_NDIM.get((x._data.ndim, y._data.ndim), Matmul).apply(x, y)


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
    """y = x (a fresh contiguous copy, see ``view``) with a new shape.   dL/dx = g reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.reshape(x._data, shape)


def view(x, shape, copy_ok):
    shape = _infer_shape(shape, x.numel())
    remake = lambda t: view(t, shape, copy_ok=False)  # noqa: E731  (how to make this view again)
    if copy_ok and shape != x.shape:
        try:
            return View.apply(x, shape=shape)._make_view_of(x, remake)
        except RuntimeError:  # the memory layout allows no view: copy first, as PyTorch's reshape does
            return UnsafeView.apply(Clone.apply(x), shape=shape)
    return View.apply(x, shape=shape)._make_view_of(x, remake)


class Expand(Op):
    """y = x repeated along size-1 dimensions (no copy).   dL/dx = g summed over the repeats."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        # (broadcast_to gives read-only memory, like PyTorch's overlapping strides; same shape: a writable view)
        return np.broadcast_to(x._data, shape) if tuple(shape) != x.shape else x._data.view()

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


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"  # squeeze((0, 2)): a tuple of dims


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
        return x._data.swapaxes(*dims) if x._data.ndim > 1 else x._data.view()

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


class Repeat(Op):
    """y = x tiled ``repeats[d]`` times along each dimension d.   dL/dx = the sum of g over the tiles."""

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.shape, ctx.repeats = x.shape, repeats
        return np.tile(x._data, repeats)

    @staticmethod
    def backward(ctx, grad):
        shape = (1,) * (len(ctx.repeats) - len(ctx.shape)) + tuple(ctx.shape)
        tiles = grad.reshape([n for r, s in zip(ctx.repeats, shape) for n in (r, s)])  # (r0, s0, r1, s1, ...)
        return tiles.sum(tuple(range(0, 2 * len(shape), 2))).reshape(ctx.shape)


class Tril(Op):
    """y = x with zeros above diagonal k.   dL/dx = tril(g, k)."""

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.tril(x._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.tril(ctx.diagonal)


class Triu(Op):
    """y = x with zeros below diagonal k.   dL/dx = triu(g, k)."""

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.triu(x._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.triu(ctx.diagonal)


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
        if size_or_sections < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size_or_sections}")
        if size_or_sections == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [size_or_sections] * (n // size_or_sections) + ([n % size_or_sections] if n % size_or_sections else []) \
            if n else [0]  # an empty dimension splits into one empty piece
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
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(_T(index))
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return ScatterAdd.apply(grad, shape=ctx.shape, dim=ctx.dim, index=index._data)


class ScatterAdd(Op):
    """y = zeros with g added at ``index`` along ``dim`` (the reverse of Gather)."""

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(_T(index))
        out = np.zeros(shape, g._data.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        np.add.at(out, tuple(idx), g._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return grad.gather(ctx.dim, index)


class Sort(Gather):
    """values = x sorted along ``dim`` (a gather at the sorting indices).   dL/dx = g put back in place."""
    node_name = "SortBackward0"


class Topk(Gather):
    """values = the k largest (or smallest) x along ``dim``.   dL/dx = g put back in place, 0 elsewhere."""
    node_name = "TopkBackward0"


# ---------------------------------------------------------------------------- indexing
def _convert_key(key, x):
    """Turn a user index into a NumPy index; tensors become arrays. Returns (key, kind)."""
    Tensor = _tensor_type()
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, slice, Tensor, np.ndarray)) or k is None or k is Ellipsis for k in key):
        key = tuple(key)  # PyTorch (and old NumPy) read x[[[0, 1], [1, 0]]] as x[[0, 1], [1, 0]], with a warning
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                      "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                      "tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=_user_stacklevel())
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
    """y = x[key].   dL/dx = zeros with g added back at the indexed positions (repeats add up)."""

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
    ctx.save_for_backward(*(_T(k) for k in key if isinstance(k, np.ndarray)))
    ctx.key = tuple(_ARRAY if isinstance(k, np.ndarray) else k for k in key)


def _saved_key(ctx):
    arrays = iter([t._data for t in ctx.saved_tensors])
    return tuple(next(arrays) if k is _ARRAY else k for k in ctx.key)


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


class IndexSelect(Index):
    pass


class MaskedSelect(Index):
    pass


def index(x, key, fn=None):
    """``x[key]``; ``fn`` names the node (e.g. ``IndexSelect`` for ``index_select``)."""
    k, advanced = _convert_key(key, x)
    out = (fn or _index_fn(k, advanced, x.shape, isinstance(key, slice))).apply(x, key=k, advanced=advanced)
    return out if advanced else out._make_view_of(x, lambda t: index(t, key, fn))


class ViewScatter(Op):
    """y = x with its region ``view_fn(x)`` replaced by v: an in-place change of a view, replayed on its base.

    dL/dx = g with that region zeroed;  dL/dv = view_fn(g).  (PyTorch calls this node CopySlices.)
    """
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, view_fn):
        ctx.view_fn, ctx.vshape = view_fn, v.shape
        out = x._data.copy()
        region = view_fn(_T(out))._data  # a NumPy view into ``out``: writing to it writes to ``out``
        np.copyto(region, v._data, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, grad):
        zeros = _T(np.zeros(ctx.vshape, grad.dtype.np))
        return ViewScatter.apply(grad, zeros, view_fn=ctx.view_fn), ctx.view_fn(grad)


class IndexPut(Op):
    """x[key] = v, as a new value.   dL/dx = g with the overwritten part zeroed; dL/dv = g[key]."""
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
        gx = grad * _T(mask.astype(grad.dtype.np))
        gv = Index.apply(grad, key=ctx.key, advanced=ctx.advanced)
        return gx, gv


class AdvancedIndexPut(IndexPut):
    node_name = "IndexPutBackward0"


def index_put(x, key, value):
    from .tensor import _operand
    k, advanced = _convert_key(key, x)
    v = _operand(value)
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
    (_T(x._data[k]) if not advanced else x)._check_overlap(v)
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
            expand(v, target_shape)
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
