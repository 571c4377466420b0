"""Arithmetic: ``+ - * / // % **``, ``maximum``, ``minimum``, ``lerp`` and their in-place forms.

``Mul`` is written out in full: read it first (forward and backward side by side, as in every
``Function``). Ops whose derivative is a formula of the inputs are *data*: one ``binary`` entry
holds the NumPy forward, the gradient of each input (a formula of the upstream gradient ``g``,
the inputs ``x``, ``y`` and the output ``z``, as in PyTorch's ``derivatives.yaml``), the rule that
the drawings show, and registers ``Tensor.<name>`` and ``tutorgrad.<name>``.

The Python operators (``x * 2``, ``2 - x``, ``x ** y``) turn numbers and NumPy arrays into tensors
first (``registry.operand``) and promote dtypes as PyTorch does: a Python number next to a float32
tensor stays float32.

Complex tensors: these ops are holomorphic, so with PyTorch's convention (the gradient of a real loss
with respect to z = a + ib is dL/da + i dL/db) each backward is the real formula with the local
derivative conjugated, ``g * conj(dz/dx)`` (``Mul``: g * conj(y)). Nothing here says so: a built-in
op's node runs its backward conjugated when its result is complex (``autograd/function.py``,
``_conjugated``). A real input of a complex result gets the real part of its gradient (the engine takes it).
"""
import numbers

import numpy as np

from .. import _dtypes as D
from ..autograd import grad_mode
from ..tensor import Tensor
from .elementwise import where_
from .inplace import add_, div_, mul_, sub_
from .registry import COMPLEX, Op, T, no_complex, numpy_promoted, operand, promote, register, wrap_scalar


# ---------------------------------------------------------------------------------------------- the reading list
class Mul(Op):
    """z = x * y.

    The product rule's simplest case: nudging x by a little changes z by y times as much, so
    the gradient of x is the upstream gradient times y, and the gradient of y is it times x.
    Each input is saved only for the other's gradient, as PyTorch saves them: ``x * w`` with only
    ``w`` requiring grad keeps ``x`` alone (``w`` may then change in place before backward).
    """
    rule = "z = x * y.   dz/dx = y, dz/dy = x."
    elementwise = True

    @staticmethod
    def forward(ctx, x, y):
        # x is needed only for y's gradient, y only for x's: each is kept only if that gradient is wanted
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        a, b = promote(x, y)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return (grad * y if ctx.needs_input_grad[0] else None,
                grad * x if ctx.needs_input_grad[1] else None)


# ---------------------------------------------------------------------------------------------- ops as data
def binary(name, forward, dx, dy, rule, saves="xy", ints="keep", node_name=None):
    """An elementwise op of two tensors from data: its ``Op``, ``Tensor.<name>(other)``, ``tutorgrad.<name>``.

    forward:  NumPy function of the two promoted arrays
    dx, dy:   the gradient of each input, ``f(g, x, y, z)``: g the upstream gradient, x and y the
              inputs, z the output (z is kept for backward only with ``saves="xyz"``)
    rule:     the derivative in one line, as the drawings show it
    ints:     integer and bool inputs: "keep" them (an integer result), or raise PyTorch's "error" (for
              an op PyTorch has no integer kernel for)
    """
    def op_forward(ctx, x, y):
        a, b = promote(x, y)
        if ints == "error" and a.dtype.kind in "biu":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{D._by_np[a.dtype]._legacy}'")
        out = T(forward(a, b))
        ctx.save_for_backward(x, y, out if "z" in saves else None)
        return out

    def op_backward(ctx, grad):
        x, y, z = ctx.saved_tensors
        return (dx(grad, x, y, z) if ctx.needs_input_grad[0] else None,
                dy(grad, x, y, z) if ctx.needs_input_grad[1] else None)

    cls = type(name.capitalize(), (Op,), {
        "forward": staticmethod(op_forward), "backward": staticmethod(op_backward), "rule": rule,
        "elementwise": True, "node_name": node_name, "__module__": __name__, "__qualname__": name.capitalize()})

    def method(self, other):
        return cls.apply(self, _tensor_arg(name, other))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = rule
    register(name, out=True)(method)
    return cls


def _wins(x, y, g):
    """1 where x > y, 0.5 on ties (the gradient is split), else 0: in the gradient's dtype."""
    a, b = x._data, y._data
    return T(np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)).astype(g.dtype.np))


def _loses(x, y, g):
    return 1 - _wins(x, y, g)


def _ordered(fn, name):
    """``fn`` for real inputs; complex numbers have no order: PyTorch's error."""
    def forward(a, b):
        if a.dtype in COMPLEX:
            no_complex(a, message=f"{name} not implemented for complex tensors.", error=RuntimeError)
        return fn(a, b)
    return forward


def _logaddexp(a, b):
    if a.dtype.kind != "c":
        return np.logaddexp(a, b)
    m = np.maximum(a.real, b.real)  # (NumPy's logaddexp is real only; shifted by a real number, the same branch)
    m = np.where(np.isfinite(m), m, 0)
    return np.log(np.exp(a - m) + np.exp(b - m)) + m


#                name       NumPy       gradient of x (g: upstream)        gradient of y
Maximum = binary("maximum", _ordered(np.maximum, "maximum"), lambda g, x, y, z: g * _wins(x, y, g), lambda g, x, y, z: g * _loses(x, y, g),
                 "z = max(x, y) elementwise.   The gradient goes to the larger input (split half-half on ties).")
Minimum = binary("minimum", _ordered(np.minimum, "minimum"), lambda g, x, y, z: g * _wins(y, x, g), lambda g, x, y, z: g * _loses(y, x, g),
                 "z = min(x, y) elementwise.   The gradient goes to the smaller input.")
Logaddexp = binary("logaddexp", _logaddexp, lambda g, x, y, z: g / (1 + (y - x).exp()),
                   lambda g, x, y, z: g / (1 + (x - y).exp()), ints="error",
                   rule="z = log(e^x + e^y).   dz/dx = 1 / (1 + e^(y-x)), dz/dy = 1 / (1 + e^(x-y)).")


# ---------------------------------------------------------------------------------------------- + and -
class Add(Op):
    rule = "z = x + alpha * y.   dz/dx = 1, dz/dy = alpha."
    elementwise = True

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        a, b = promote(x, y)
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad if ctx.alpha == 1 else grad * ctx.alpha


class Sub(Op):
    rule = "z = x - alpha * y.   dz/dx = 1, dz/dy = -alpha."
    elementwise = True

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
    rule = "z = c - x for a number c.   dz/dx = -1."
    elementwise = True
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


# ---------------------------------------------------------------------------------------------- division
class Div(Op):
    rule = "z = x / y.   dz/dx = 1/y, dz/dy = -x/y^2."
    elementwise = True

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
    rule = __doc__
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        a, b = promote(x, y)
        no_complex(a, "div_floor_cpu")
        _int_div_check(b)
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented. (x.div(y, rounding_mode='floor') "
                           "computes the same values and has a derivative: 0 everywhere.)")


class DivRounded(Op):
    rule = "z = floor(x / y) or trunc(x / y), from ``div(rounding_mode=...)``.   A step function: dz/dx = dz/dy = 0."
    elementwise = True
    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, x, y, rounding_mode):
        a, b = promote(x, y)
        if a.dtype in COMPLEX:
            no_complex(a, f"div_{rounding_mode}_cpu")
        _int_div_check(b)
        return np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(a / b).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0


def _modulo(op, x, y):
    """``op.kernel`` (np.mod or np.fmod) of x and y (a tensor or a number) after promotion, with PyTorch's errors."""
    a, b = promote(x, y)
    if a.dtype in COMPLEX:  # PyTorch's kernels: remainder_cpu, fmod_cpu
        no_complex(a, {"remainder": "remainder_cpu", "fmod": "fmod_cpu"}[op.kernel.__name__])
    _int_div_check(b)
    return op.kernel(a, b)


class Remainder(Op):
    rule = "z = x - floor(x / y) * y (the sign of y, Python's %).   dz/dx = 1, dz/dy = -floor(x / y)."
    elementwise = True
    node_name = "RemainderBackward1"
    kernel = staticmethod(np.mod)  # Fmod below differs only in these two: NumPy's function and
    rounding = "floor"             # the rounding of x / y that it subtracts

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _modulo(ctx._forward_cls, x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad, -grad * getattr(x / y, ctx._forward_cls.rounding)()


class RemainderScalar(Op):
    rule = "z = x - floor(x / c) * c for a number c.   dz/dx = 1."
    elementwise = True
    node_name = "RemainderBackward0"
    kernel = staticmethod(np.mod)

    @staticmethod
    def forward(ctx, x, other):
        return _modulo(ctx._forward_cls, x, other)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Fmod(Remainder):
    rule = "z = x - trunc(x / y) * y (C's fmod: the sign of x).   dz/dx = 1, dz/dy = -trunc(x / y)."
    node_name = "FmodBackward1"
    kernel = staticmethod(np.fmod)
    rounding = "trunc"


class FmodScalar(RemainderScalar):
    rule = "z = x - trunc(x / c) * c for a number c.   dz/dx = 1."
    node_name = "FmodBackward0"
    kernel = staticmethod(np.fmod)


# ---------------------------------------------------------------------------------------------- powers
class PowScalar(Op):
    rule = "z = x ** c for a number c.   dz/dx = c * x^(c-1)."
    elementwise = True
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


def _pow_arrays(base, exponent):
    """x ** y on the promoted arrays, with PyTorch's errors for bools and negative integer powers."""
    a, b = promote(base, exponent)
    if a.dtype == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool': convert the tensors first, e.g. x.long()")
    if a.dtype.kind in "iu" and np.any(b < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return T(np.power(a, b))


class Pow(Op):
    rule = "z = x ** y.   dz/dx = y * x^(y-1), dz/dy = x^y * ln(x)."
    elementwise = True
    node_name = "PowBackward1"
    input_names = ("self", "exponent")

    @staticmethod
    def forward(ctx, x, y):
        out = _pow_arrays(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        zero = T(np.zeros((), out.dtype.np))
        gx = gy = None
        if ctx.needs_input_grad[0]:  # where y == 0, x^y is constant 1: slope 0 (even at x == 0, as PyTorch)
            gx = grad * where_(y == 0, zero, y * x ** (y - 1))
        if ctx.needs_input_grad[1]:  # where x == 0 (and y >= 0) PyTorch defines the slope as 0
            gy = grad * where_((x == 0) & (y.real >= 0), zero, out * x.log())  # (complex y: its real part)
        return gx, gy


class RPow(Op):
    rule = "z = c ** y for a number c.   dz/dy = c^y ln(c) (0 where c == 0, as PyTorch)."
    elementwise = True
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, y, base):
        out = _pow_arrays(base, y)
        c = base._data
        if out._data.dtype.kind == "c":  # a complex result: the complex logarithm of the base
            c = c.astype(out._data.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # ln of a negative base is nan, as in PyTorch
            ctx.log_base = T(np.where(c == 0, 0, np.log(np.where(c == 0, 1, c))).astype(out._data.dtype))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out * ctx.log_base


class Lerp(Op):
    rule = "z = x + w (end - x) for a number w.   dz/dx = 1 - w, dz/dend = w."
    elementwise = True
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, x, end, weight):
        ctx.weight = weight
        a, b = promote(x, end)
        return a + weight * (b - a)

    @staticmethod
    def backward(ctx, grad):
        return grad * (1 - ctx.weight), grad * ctx.weight


# ---------------------------------------------------------------------------------------------- methods
def _tensor_arg(fn, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{fn}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}; "
                        f"wrap numbers first, e.g. {fn}(x, tutorgrad.tensor(0.0))")
    return other


@register("add", inplace=add_, out=True)
def add(self, other, *, alpha=1):
    return Add.apply(self, operand(other), alpha=alpha)


@register("sub", aliases=("subtract",), inplace=sub_, out=True)
def sub(self, other, *, alpha=1):
    return Sub.apply(self, operand(other), alpha=alpha)


@register("mul", aliases=("multiply",), inplace=mul_, out=True)
def mul(self, other):
    return self * other


@register("div", aliases=("divide", "true_divide"), inplace=div_, out=True)
def div(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return self / other
    if rounding_mode in ("floor", "trunc"):
        return DivRounded.apply(self, operand(other), rounding_mode=rounding_mode)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


@register("floor_divide", out=True)
def floor_divide(self, other):
    return self // other


@register("remainder", out=True)
def remainder(self, other):
    return self % other


@register("fmod", out=True)
def fmod(self, other):
    """The remainder with the sign of ``self`` (C's fmod); ``%`` / ``remainder`` takes the divisor's sign."""
    y = operand(other)
    return FmodScalar.apply(self, other=y) if y._wrapped else Fmod.apply(self, y)


@register("pow", inplace=True, out=True)
def pow(self, exponent):
    """``self ** exponent``.  d/dx x^n = n x^(n-1)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, Tensor):
        return Pow.apply(self, exponent)
    if isinstance(exponent, np.ndarray):
        return Pow.apply(self, operand(exponent))
    if not isinstance(exponent, numbers.Number):
        raise TypeError(f"pow(): exponent must be a number or a Tensor, got {type(exponent).__name__}")
    return PowScalar.apply(self, exponent=exponent)


@register("square", out=True)
def square(self):
    return self.pow(2)


@register("lerp", out=True)
def lerp(self, end, weight):
    """``self + weight * (end - self)``: a straight line from self (weight 0) to end (weight 1)."""
    if isinstance(weight, Tensor):
        return self + weight * (end - self)
    return Lerp.apply(self, operand(end), weight=weight)


# ---------------------------------------------------------------------------------------------- the operators
# Tensor dtypes that a Python float operand cannot change, with the largest float each holds: such a
# number can be stored in the tensor's dtype right away. (Larger ones, inf and nan take the general path.)
_FLOAT_LIMITS = {np.dtype(t): float(np.finfo(t).max) for t in (np.float32, np.float64, np.complex64, np.complex128)}
_INT64 = np.dtype(np.int64)


def _binary(fn, name, reflected=False):
    def method(self, other):
        o = other
        if not isinstance(o, Tensor):  # a number or an array: made a tensor first
            kind, dtype = type(o), self._data.dtype
            limit = _FLOAT_LIMITS.get(dtype) if kind is float else None
            if (limit is not None and -limit <= o <= limit) or \
                    (kind is int and dtype is _INT64 and -2 ** 63 <= o < 2 ** 63):
                o = wrap_scalar(o, dtype)  # the common `x * 2.0`: no conversion needed later
            else:
                self, other = numpy_promoted(self, other, true_divide=fn is Div)
                o = operand(other)
                if o is None:
                    return NotImplemented
        return fn.apply(o, self) if reflected else fn.apply(self, o)
    method.__name__ = name
    return method


def _rsub(self, other):
    self, other = numpy_promoted(self, other)
    o = operand(other)
    return NotImplemented if o is None else Rsub.apply(self, other=o)


def _rtruediv(self, other):
    self, other = numpy_promoted(self, other, true_divide=True)
    o = operand(other)
    return NotImplemented if o is None else self.reciprocal() * o  # PyTorch's 2 / x, too


def _mod(self, other):
    y = operand(other)
    if y is None:
        return NotImplemented
    return RemainderScalar.apply(self, other=y) if y._wrapped else Remainder.apply(self, y)  # a number: no edge


def _pow(self, other):
    self, other = numpy_promoted(self, other)
    return self.pow(other)


def _rpow(self, other):
    self, other = numpy_promoted(self, other)
    o = operand(other)
    return NotImplemented if o is None else RPow.apply(self, base=o)


# 2 + x and 2 * x record x first, as PyTorch does (the graph reads x + 2, x * 2).
for _name, _method in {
        "__add__": _binary(Add, "__add__"), "__radd__": _binary(Add, "__radd__"),
        "__sub__": _binary(Sub, "__sub__"), "__rsub__": _rsub,
        "__mul__": _binary(Mul, "__mul__"), "__rmul__": _binary(Mul, "__rmul__"),
        "__truediv__": _binary(Div, "__truediv__"), "__rtruediv__": _rtruediv,
        "__floordiv__": _binary(FloorDivide, "__floordiv__"),
        "__rfloordiv__": _binary(FloorDivide, "__rfloordiv__", reflected=True),
        "__mod__": _mod, "__rmod__": _binary(Remainder, "__rmod__", reflected=True),
        "__pow__": _pow, "__rpow__": _rpow, "__pos__": lambda self: self,
        "__iadd__": lambda self, other: self.add_(other), "__isub__": lambda self, other: self.sub_(other),
        "__imul__": lambda self, other: self.mul_(other), "__itruediv__": lambda self, other: self.div_(other),
        "__ipow__": lambda self, other: self.pow_(other)}.items():
    _method.__name__ = _method.__qualname__ = _name
    setattr(Tensor, _name, _method)
