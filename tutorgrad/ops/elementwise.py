"""Functions applied element by element: ``exp``, ``log``, ``sin``, ``tanh``, ``relu``, ``clamp``, ``where``, ...

``Exp`` and ``Relu`` are written out in full: read them first. The other one-input functions are
*data*: one ``unary`` entry holds the NumPy forward, the local derivative dy/dx (a formula of the
input ``x`` or of the output ``y``: backward is then ``grad * dy/dx``), the rule the drawings show,
and registers ``Tensor.<name>``, ``Tensor.<name>_`` and ``tutorgrad.<name>``. Adding such an op is
one line in the table below.

Integer and bool inputs compute in the default float dtype (``exp`` of an int tensor is float32),
except where the table says ``keeps_int`` (``abs``, ``neg``, ``sign``, ``floor``, ...).

Complex inputs follow PyTorch's convention (its note "Autograd for Complex Numbers"): the gradient
of a real loss L with respect to z = a + ib is dL/da + i dL/db, which is 2 dL/dz* (Wirtinger). For a
holomorphic f (exp, sin, log, ...) the chain rule is then ``grad * conj(f'(z))``: the table's real
derivative, conjugated, which every built-in op's node does by itself for a complex result (see
``_conjugated`` in ``autograd/function.py``). The few functions that are not holomorphic (abs, sgn
here; angle, real, imag, conj in ``complex.py``) carry their own complex formula, as in PyTorch's
derivatives.yaml (a ``complex_grad`` in the table).
"""
import math
import warnings

import numpy as np

from .. import _dtypes as D
from .. import _random
from .._shapes import broadcast_shapes
from ..tensor import Tensor, _to_args
from .registry import COMPLEX, Op, T, float_array, no_complex, operand, promote, register, user_stacklevel


# ---------------------------------------------------------------------------------------------- the reading list
@register("exp", inplace=True, out=True)
class Exp(Op):
    """y = e^x.

    The function that is its own derivative: dy/dx = e^x = y. So forward saves its *output* (not
    the input) and backward multiplies the upstream gradient by it, without computing exp again.
    """
    rule = "y = exp(x).   dy/dx = exp(x) = y"
    elementwise = True

    @staticmethod
    def forward(ctx, x):
        y = T(np.exp(float_array(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y


@register("relu", inplace=True)
class Relu(Op):
    """y = max(x, 0): negatives cut to 0.

    The slope is 1 where the output is positive and 0 where it was cut, so backward lets the
    upstream gradient through where y > 0 and stops it elsewhere. That step is an op of its own,
    ``ThresholdBackward``, so that it can be differentiated again (double backward).
    """
    rule = "y = max(x, 0).   dy/dx = 1 where y > 0 (and where x is nan, as in PyTorch), else 0."
    elementwise = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if a.dtype in COMPLEX:  # (complex numbers have no order)
            no_complex(a, message="clamp is not supported for complex types")
        y = T(np.maximum(a, 0).astype(a.dtype, copy=False))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y)


class ThresholdBackward(Op):
    """relu's backward as one op (PyTorch's ``threshold_backward``).

    It multiplies by the mask instead of selecting (NumPy does that 7x faster than np.where) and then
    adds +0.0, which turns the -0.0 of a negative g times 0 into the 0 PyTorch prints. (Where the
    mask is 0, an infinite g still gives nan: inf * 0.)
    """
    rule = ("z = g where y > 0 (or y is nan), else 0: relu's backward (PyTorch's ``threshold_backward``). "
            "dL/dg = h where y > 0, else 0 (the same mask); dL/dy = 0 (a step's slope).")
    elementwise = True

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(y)
        out = grad._data * ~(y._data <= 0)  # "y > 0 or nan", as PyTorch's threshold_backward (on y as saved)
        out += 0.0
        return out

    @staticmethod
    def backward(ctx, h):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(h, y), None


# ---------------------------------------------------------------------------------------------- ops as data
def unary(name, forward, derivative, rule, saves="x", keeps_int=False, inplace=False, node_name=None, aliases=(),
          complex_grad=None):
    """A one-input elementwise op from data: its ``Op``, ``Tensor.<name>``, ``tutorgrad.<name>`` (and ``<name>_``).

    forward:      NumPy function of the input array
    derivative:   dy/dx as ``f(x, y)`` of the input and the output (tensors: it can be differentiated
                  again); only the one named by ``saves`` ("x", "y" or "" for neither) is kept
    rule:         the derivative in one line, as the drawings show it
    complex_grad: for an f that is not holomorphic, the gradient of a complex input as ``f(g, x)``
                  (then x is saved). Without it f is holomorphic: the gradient is ``g * conj(dy/dx)``.
    """
    def op_forward(ctx, x):
        out = T(np.asarray(forward(x._data if keeps_int else float_array(x))))
        if saves:
            ctx.save_for_backward(x if saves == "x" else out)
        return out

    def op_backward(ctx, grad):
        kept = ctx.saved_tensors[0] if saves else None
        if complex_grad is not None and kept._data.dtype.kind == "c":
            return complex_grad(grad, kept)
        return grad * (derivative(kept, None) if saves == "x" else derivative(None, kept))

    cls_name = name.capitalize()
    cls = type(cls_name, (Op,), {
        "forward": staticmethod(op_forward), "backward": staticmethod(op_backward), "rule": f"y = {name}(x).   {rule}",
        "elementwise": True, "node_name": node_name, "__module__": __name__, "__qualname__": cls_name,
        "holomorphic": complex_grad is None})
    register(name, aliases=aliases, inplace=inplace, out=True)(cls)
    return cls


def _neg(a):
    if a.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return np.negative(a)


def _sigmoid(a):
    if a.dtype.kind == "c":  # (no overflow trick needed to match PyTorch: it computes 1 / (1 + e^-z) too)
        return 1 / (1 + np.exp(-a))
    e = np.exp(-np.abs(a))  # never overflows: exp of a negative number
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype)


def _zero_slope(x, y):
    return 0.0


_erf_libm, _erfc_libm = np.frompyfunc(math.erf, 1, 1), np.frompyfunc(math.erfc, 1, 1)


def _erf(a):  # (NumPy has no erf: the C library's, element by element, in double precision)
    if a.dtype.kind == "c":
        raise NotImplementedError(f"\"erf_vml_cpu\" not implemented for '{D.from_numpy_dtype(a.dtype)._legacy}'")
    return np.asarray(_erf_libm(a), np.float64).astype(a.dtype)


def _erfc(a):
    if a.dtype.kind == "c":
        raise NotImplementedError(f"\"erfc_vml_cpu\" not implemented for '{D.from_numpy_dtype(a.dtype)._legacy}'")
    return np.asarray(_erfc_libm(a), np.float64).astype(a.dtype)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# unary(name, NumPy forward, dy/dx as a formula of the input x and the output y, the rule, options)
Neg = unary("neg", _neg, lambda x, y: -1.0, "dy/dx = -1", saves="", keeps_int=True, inplace=True,
            aliases=("negative",))
Neg.backward = staticmethod(lambda ctx, grad: -grad)  # -g: the same numbers as g * -1, with -0 - 0i for 0 (PyTorch's)
Abs = unary("abs", np.abs, lambda x, y: x.sign(), "dy/dx = sign(x) (complex z: dL/dz = g z/|z|)",
            keeps_int=True, inplace=True, aliases=("absolute",), complex_grad=lambda g, x: g * x.sgn())
Log = unary("log", np.log, lambda x, y: 1 / x, "dy/dx = 1/x", inplace=True)
Log2 = unary("log2", np.log2, lambda x, y: 1 / (x * float(np.log(2.0))), "dy/dx = 1/(x ln 2)")
Log10 = unary("log10", np.log10, lambda x, y: 1 / (x * float(np.log(10.0))), "dy/dx = 1/(x ln 10)")
Log1p = unary("log1p", np.log1p, lambda x, y: 1 / (x + 1), "dy/dx = 1/(1+x)", node_name="Log1PBackward0")
Expm1 = unary("expm1", np.expm1, lambda x, y: y + 1, "dy/dx = exp(x) = y + 1", saves="y")
Sqrt = unary("sqrt", np.sqrt, lambda x, y: 0.5 / y, "dy/dx = 1/(2 sqrt(x)) = 1/(2y)", saves="y", inplace=True)
Rsqrt = unary("rsqrt", lambda a: 1 / np.sqrt(a), lambda x, y: -0.5 * y * y * y, "dy/dx = -1/(2 x^(3/2)) = -y^3 / 2",
              saves="y")
Reciprocal = unary("reciprocal", lambda a: 1 / a, lambda x, y: -(y * y), "dy/dx = -1/x^2 = -y^2", saves="y")
Sin = unary("sin", np.sin, lambda x, y: x.cos(), "dy/dx = cos(x)")
Cos = unary("cos", np.cos, lambda x, y: -x.sin(), "dy/dx = -sin(x)")
Tan = unary("tan", np.tan, lambda x, y: 1 + y * y, "dy/dx = 1 + tan(x)^2 = 1 + y^2", saves="y")
Tanh = unary("tanh", np.tanh, lambda x, y: 1 - y * y, "dy/dx = 1 - tanh(x)^2 = 1 - y^2", saves="y", inplace=True)
Sinh = unary("sinh", np.sinh, lambda x, y: x.cosh(), "dy/dx = cosh(x)", inplace=True)
Cosh = unary("cosh", np.cosh, lambda x, y: x.sinh(), "dy/dx = sinh(x)", inplace=True)
Sigmoid = unary("sigmoid", _sigmoid, lambda x, y: y * (1 - y), "dy/dx = s(x) (1 - s(x)) = y (1 - y)", saves="y",
                inplace=True)
Erf = unary("erf", _erf, lambda x, y: _TWO_OVER_SQRT_PI * (-(x * x)).exp(), "dy/dx = 2/sqrt(pi) exp(-x^2)",
            inplace=True)
Erfc = unary("erfc", _erfc, lambda x, y: -_TWO_OVER_SQRT_PI * (-(x * x)).exp(), "dy/dx = -2/sqrt(pi) exp(-x^2)",
             inplace=True)
def _sgn(a):
    if a.dtype.kind != "c":
        return np.sign(a)
    r = np.abs(a)
    return np.where(r == 0, 0, a / np.where(r == 0, 1, r)).astype(a.dtype)


def _sgn_complex_grad(g, x):
    """sgn(z) = z/|z| is not holomorphic: dL/dz = (g - sgn(z)^2 conj(g)) / (2|z|), 0 at z = 0 (PyTorch's sgn_backward)."""
    r = x.abs()
    s = x.sgn()
    out = (g - s * s * g.conj()) / (2 * r)
    return where_(r == 0, T(np.zeros((), out._data.dtype)), out)


def _real_only(fn, message):
    """NumPy's ``fn`` for real inputs; PyTorch's NotImplementedError for complex ones."""
    def forward(a):
        if a.dtype.kind == "c":
            raise NotImplementedError(message.format(D.from_numpy_dtype(a.dtype)._legacy))
        return fn(a)
    return forward


Sgn = unary("sgn", _sgn, _zero_slope, "dy/dx = 0 (complex z: z/|z|, see _sgn_complex_grad)", keeps_int=True,
            inplace=True, complex_grad=_sgn_complex_grad)
Sign = unary("sign", _real_only(np.sign, "Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                         "Please use torch.sgn instead."), _zero_slope, "dy/dx = 0", saves="",
             keeps_int=True)
Floor = unary("floor", _real_only(np.floor, "floor is not supported for complex inputs"), _zero_slope,
              "dy/dx = 0 (a step function)", saves="", keeps_int=True)
Ceil = unary("ceil", _real_only(np.ceil, "ceil is not supported for complex inputs"), _zero_slope,
             "dy/dx = 0 (a step function)", saves="", keeps_int=True)
Trunc = unary("trunc", _real_only(np.trunc, "trunc is not supported for complex inputs"), _zero_slope,
              "dy/dx = 0 (a step function)", saves="", keeps_int=True)


class Round(Op):
    rule = "y = round(x) (half to even, as PyTorch).   dy/dx = 0."
    elementwise = True

    @staticmethod
    def forward(ctx, x, decimals=0):
        no_complex(x._data, "round_vml_cpu")
        return np.round(x._data, decimals)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


@register("round", out=True)
def round(self, decimals=0):
    return Round.apply(self, decimals=decimals)


# ---------------------------------------------------------------------------------------------- clamp
class Clamp(Op):
    rule = "y = min(max(x, lo), hi).   dy/dx = 1 for lo <= x <= hi, else 0."
    elementwise = True
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        a = x._data
        no_complex(a, message="clamp is not supported for complex types")
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
        return grad * T(inside.astype(grad.dtype.np))


ClampMin, ClampMax = Clamp.variant("ClampMinBackward0"), Clamp.variant("ClampMaxBackward0")


class ClampTensor(Op):
    rule = ("y = min(max(x, lo), hi) for tensor bounds.   dy/dx = 1 for lo <= x <= hi; dy/dlo = 1 where x < lo; "
            "dy/dhi = 1 where x > hi.")
    elementwise = True
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        dt = D.result_type(*(t for t in (x, lo, hi) if t is not None)).np
        no_complex(np.empty(0, dt), message="clamp is not supported for complex types")
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
        zero = T(np.zeros((), grad.dtype.np))
        return (where_(T(above_lo & below_hi), grad, zero),
                where_(T(~above_lo), grad, zero) if lo is not None else None,
                where_(T(~below_hi), grad, zero) if hi is not None else None)


@register("clamp", aliases=("clip",), inplace=True, out=True)
def clamp(self, min=None, max=None):
    """Limit values to [min, max].  The gradient is 1 inside, 0 where clipped."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return ClampTensor.apply(self, *(None if v is None else operand(v) for v in (min, max)))
    return Clamp.apply(self, min=min, max=max)


Tensor.clip_ = Tensor.clamp_


@register("clamp_min", out=True)
def clamp_min(self, min):
    return self.clamp(min=min) if isinstance(min, Tensor) else ClampMin.apply(self, min=min)


@register("clamp_max", out=True)
def clamp_max(self, max):
    return self.clamp(max=max) if isinstance(max, Tensor) else ClampMax.apply(self, max=max)


# ---------------------------------------------------------------------------------------------- choosing
class Where(Op):
    rule = "z = where(cond, x, y).   dz/dx = cond, dz/dy = not cond."
    elementwise = True

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.save_for_backward(T(cond))
        a, b = promote(x, y)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        c, = ctx.saved_tensors
        zero = T(np.zeros((), grad.dtype.np))
        return where_(c, grad, zero), where_(c, zero, grad)


def where_(cond, x, y):
    """``where`` for the ops' own use: ``cond`` a bool tensor of the right shape."""
    return Where.apply(x, y, cond=cond._data.astype(bool, copy=False))


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (numbers are fine for either)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor) or condition.dtype is not D.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{getattr(condition, 'dtype', type(condition).__name__)}")
    x, y = operand(input), operand(other)
    shape = broadcast_shapes(condition.shape, x.shape, y.shape)
    cond = np.broadcast_to(condition._data, shape)
    return Where.apply(x, y, cond=cond)


@register("where", function=where)
def _where_method(self, condition, other):
    return where(condition, self, other)


class MaskedFill(Op):
    rule = "y = x with a number written where ``mask`` is True.   dL/dx = g where the mask is False, else 0."
    elementwise = True
    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value, x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, grad):
        return where_(T(ctx.mask), T(np.zeros((), grad.dtype.np)), grad)


class MaskedFillTensor(Op):
    rule = ("y = x with a 0-d tensor v written where ``mask`` is True.   dL/dx = g off the mask; dL/dv = sum of g "
            "on it.")
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
        zero, mask = T(np.zeros((), grad.dtype.np)), T(ctx.mask)
        return where_(mask, zero, grad), where_(mask, grad, zero).sum()


@register("masked_fill", inplace=True)
def masked_fill(self, mask, value):
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    m = np.broadcast_to(mask._data, broadcast_shapes(self.shape, mask.shape))
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(self, value, mask=m)
    return MaskedFill.apply(self, mask=m, value=value)


# ---------------------------------------------------------------------------------------------- copies and dtypes
class ToCopy(Op):
    rule = "y = x converted to another dtype.   The gradient is converted back."
    elementwise = True

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        a = x._data
        if a.dtype.kind == "c" and not dtype.is_complex:  # as PyTorch: keep the real part, and say so
            warnings.warn("Casting complex values to real discards the imaginary part", UserWarning,
                          stacklevel=user_stacklevel())
            a = a.real
        return a.astype(dtype.np)

    @staticmethod
    def backward(ctx, grad):
        if grad._data.dtype in COMPLEX and not ctx.dtype.is_complex:  # real -> complex: dL/dx is the real part
            grad = grad.real
        return grad.to(ctx.dtype)


@register("to", function=False)
def to(self, *args, **kwargs):
    """Convert dtype (``t.to(tutorgrad.float64)``); ``'cpu'`` is accepted, other devices are not."""
    dtype, copy = _to_args(args, kwargs)
    if dtype is None or D.to_dtype(dtype, "to") is self.dtype:
        return self.clone() if copy else self
    return ToCopy.apply(self, dtype=D.to_dtype(dtype))


@register("clone")
class Clone(Op):
    """y = a copy of x that stays in the graph (the gradient passes through unchanged)."""
    rule = "y = a copy of x.   dy/dx = 1."
    elementwise = True

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


@register("contiguous", function=False)
def contiguous(self):
    return self if self._data.flags.c_contiguous else Clone.apply(self)


Tensor.__neg__, Tensor.__abs__ = Tensor.neg, Tensor.abs


# ---------------------------------------------------------------------------------------------- activations of nn
# (``F.leaky_relu``, ``F.gelu``, ``F.silu``: PyTorch has no Tensor method or torch.x for them, so no ``register``)
class LeakyRelu(Op):
    """y = x where x > 0, else a x (a small slope ``negative_slope`` instead of relu's 0)."""
    rule = "y = x if x > 0 else a x.   dy/dx = 1 if x > 0 else a."
    elementwise = True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        a = x._data
        no_complex(a, "leaky_relu_cpu")
        return np.where(a > 0, a, a * np.asarray(negative_slope, a.dtype))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return where_(x > 0, grad, grad * ctx.negative_slope)


LeakyReluInplace = LeakyRelu.variant("LeakyReluBackward1", "LeakyReluInplace", saved_names=("result",))


_SQRT1_2, _GELU_BETA, _GELU_KAPPA = math.sqrt(0.5), math.sqrt(2.0) * _TWO_OVER_SQRT_PI * 0.5, 0.044715


class Gelu(Op):
    """y = x Phi(x), Phi the standard normal's cumulative distribution: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2;
    ``approximate='tanh'``: x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2.

    dy/dx = Phi(x) + x phi(x) (phi the normal density); written with tensor ops, so it can be differentiated again.
    """
    rule = "y = x Phi(x) (Phi: the normal CDF).   dy/dx = Phi(x) + x phi(x)."
    elementwise = True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        a = float_array(x)
        no_complex(a, "GeluKernelImpl")
        if approximate == "tanh":
            inner = a.dtype.type(_GELU_BETA) * (a + a.dtype.type(_GELU_KAPPA) * a * a * a)
            return a.dtype.type(0.5) * a * (1 + np.tanh(inner))
        return a * a.dtype.type(0.5) * (1 + _erf(a * a.dtype.type(_SQRT1_2)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x_sq = x * x
            t = ((x + _GELU_KAPPA * x_sq * x) * _GELU_BETA).tanh()
            slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq)
        else:
            slope = 0.5 * (1 + (x * _SQRT1_2).erf()) + x * (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
        return grad * slope


class Silu(Op):
    """y = x sigmoid(x) (also called swish).   dy/dx = s (1 + x (1 - s)), s = sigmoid(x)."""
    rule = "y = x s(x), s the sigmoid.   dy/dx = s (1 + x (1 - s))."
    elementwise = True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = float_array(x)
        if a.dtype.kind == "c" and ctx._recording:  # PyTorch computes complex silu, but not its derivative
            raise RuntimeError("silu does not support automatic differentiation for outputs with complex dtype.")
        return a / (1 + np.exp(-a))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        s = x.sigmoid()
        return grad * s * (1 + x * (1 - s))


def dropout(input, p=0.5, train=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so the mean stays the same.

    As PyTorch on the CPU: a mask drawn with ``bernoulli_(1 - p)`` (the same draws for the same seed) is divided
    by 1 - p and multiplied in, so the node is ``MulBackward0`` and dL/dx = g * mask / (1 - p).
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = T(np.zeros((), input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    dt = input._data.dtype
    if dt.kind != "f":
        raise NotImplementedError(f"\"bernoulli_scalar_cpu_\" not implemented for '{input.dtype._legacy}'")
    noise = _random.bernoulli(1 - p, input.shape, dt)
    noise /= dt.type(1 - p)
    return input.mul_(T(noise)) if inplace else input * T(noise)


register("dropout", method=False)(dropout)  # torch.dropout(input, p, train)
