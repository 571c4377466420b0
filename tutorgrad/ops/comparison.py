"""Comparisons and logic: ``== != < <= > >=``, ``& | ^ ~``, ``isclose``, ``logical_and``, ``isnan``, ...

Their results are bool tensors, outside the graph (a comparison has no gradient), so these are
plain NumPy calls, listed as data: one row per function.
"""
import operator

import numpy as np

from .. import _dtypes as D
from .. import _errstate
from ..tensor import Tensor
from .registry import numpy_promoted, operand, promote, register


def _compare(ufunc, name):
    def method(self, other):
        self, other = numpy_promoted(self, other)
        o = operand(other)
        if o is None:
            if name in ("__eq__", "__ne__"):
                return NotImplemented
            raise TypeError(f"{name}(): expected a Tensor or a number as the other operand, got {type(other).__name__}")
        quiet = _errstate.quiet()  # x == 1e300 for a float32 x: 1e300 becomes inf, without NumPy's warning
        try:
            a, b = promote(self, o)
            if a.dtype.kind == "c" and name not in ("__eq__", "__ne__"):  # complex numbers have no order
                raise NotImplementedError(f"\"{name.strip('_')}_cpu\" not implemented for "
                                          f"'{D._by_np[a.dtype]._legacy}': complex numbers can't be ordered")
            return Tensor._wrap(ufunc(a, b))
        finally:
            _errstate.restore(quiet)
    method.__name__ = name
    return method


def _bitwise(ufunc, name, reflected=False):
    def method(self, other):
        o = operand(other)
        if o is None:
            return NotImplemented
        a, b = promote(self, o)
        if a.dtype.kind in "fc":
            op = name.strip("_").lstrip("r")
            raise NotImplementedError(f"\"bitwise_{op}_cpu\" not implemented for '{D._by_np[a.dtype]._legacy}': "
                                      "& | ^ need bool or integer tensors, e.g. (x > 0) & (x < 1)")
        return Tensor._wrap(ufunc(b, a) if reflected else ufunc(a, b))
    method.__name__ = name
    return method


def _method(fn, name):
    def method(self, *args):
        return fn(self, *args)
    method.__name__ = name
    return method


#                name   NumPy               operator      Python operator
for _name, _ufunc, _op, _dunder in [
        ("eq", np.equal, operator.eq, "__eq__"), ("ne", np.not_equal, operator.ne, "__ne__"),
        ("lt", np.less, operator.lt, "__lt__"), ("le", np.less_equal, operator.le, "__le__"),
        ("gt", np.greater, operator.gt, "__gt__"), ("ge", np.greater_equal, operator.ge, "__ge__")]:
    setattr(Tensor, _dunder, _compare(_ufunc, _dunder))
    register(_name)(_method(_op, _name))  # x.eq(y) is x == y

for _name, _ufunc in [("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor)]:
    setattr(Tensor, f"__{_name}__", _bitwise(_ufunc, f"__{_name}__"))
    setattr(Tensor, f"__r{_name}__", _bitwise(_ufunc, f"__r{_name}__", reflected=True))

for _name, _ufunc in [("logical_not", np.logical_not), ("isnan", np.isnan), ("isinf", np.isinf),
                      ("isfinite", np.isfinite)]:
    register(_name)(_method(lambda self, _f=_ufunc: Tensor._wrap(_f(self._data)), _name))

for _name, _ufunc in [("logical_and", np.logical_and), ("logical_or", np.logical_or),
                      ("logical_xor", np.logical_xor)]:
    register(_name)(_method(lambda self, other, _f=_ufunc: Tensor._wrap(_f(self._data, operand(other)._data)), _name))


def _invert(self):
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, not "
                        f"{self.dtype}; for a mask use (x > 0) and then ~mask")
    return Tensor._wrap(np.invert(self._data))


Tensor.__invert__ = _invert


@register("equal")
def equal(self, other):
    """True if both have the same shape and elements."""
    return self.shape == other.shape and bool((self == other).all())


@register("allclose")
def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(self._data, operand(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@register("isclose")
def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._wrap(np.isclose(self._data, operand(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
