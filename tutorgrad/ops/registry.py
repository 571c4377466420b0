"""What every op file uses: the ``Op`` base class, ``register`` and the operand helpers.

**One registration per op.** ``register("exp", inplace=True)`` on the method attaches it as
``Tensor.exp``, derives ``Tensor.exp_`` (compute out of place, write the result back: see
``inplace.py``) and ``tutorgrad.exp(input)``; on an ``Op`` class it registers ``Cls.apply``::

    @register("relu", inplace=True)       # Tensor.relu, Tensor.relu_, tutorgrad.relu
    class Relu(Op):
        ...

    @register("sum")                      # Tensor.sum, tutorgrad.sum
    def _sum(self, dim=None, keepdim=False, *, dtype=None):   # (`_sum`: `sum` would hide the builtin)
        ...

``functions`` collects the ``tutorgrad.x`` forms; ``tutorgrad/__init__.py`` puts them in the
package's namespace. This is the one place where ops reach into ``Tensor``: the class in
``tensor.py`` holds data, graph fields, properties and conversions, and its math methods arrive
from here, as each op file is imported (``ops/__init__.py`` imports them all).
"""
import functools
import inspect
import numbers
import os
import sys
import warnings

import numpy as np

from .. import _dtypes as D
from .._shapes import broadcast_shapes
from ..autograd.function import Function
from ..tensor import Tensor

functions = {}  # name -> the function form, tutorgrad.<name>


class Op(Function):
    """A built-in op: a ``Function`` whose node is named as PyTorch names it (``Mul`` -> ``MulBackward0``).

    ``rule`` is its derivative in one line, as the drawings show it (``viz``); ``elementwise``
    says each output element depends only on the same element of each input (then the step-through
    can show every contribution as upstream gradient × local derivative). ``node_name`` overrides
    the node's name where PyTorch's differs. ``input_names``: PyTorch's names of the inputs, by position,
    which name what the op saves (``grad_fn._saved_self``, ``_saved_other``; see ``autograd/saved.py``).
    """
    _builtin = True
    input_names = ("self", "other")

    def __init_subclass__(cls, **kwargs):
        if "__doc__" not in cls.__dict__ or cls.__doc__ is None:
            cls.__doc__ = cls.rule or None  # help() shows the rule when there is no more to say
        super().__init_subclass__(**kwargs)

    @classmethod
    def variant(cls, node_name, name=None, **attrs):
        """The same op under another node name, in one line: ``Mm = Matmul.variant("MmBackward0")``.

        PyTorch names a node after the kernel that ran, so one op leaves differently named nodes.
        ``attrs`` (``rule=...``, or the data an op's forward reads) override the class's own.
        """
        name = name or node_name.split("Backward")[0]
        module = sys._getframe(1).f_globals["__name__"]
        return type(name, (cls,), {"node_name": node_name, "__module__": module, "__qualname__": name, **attrs})


# ---------------------------------------------------------------------------------------------- register
def register(name, *, aliases=(), inplace=False, function=True, method=True, out=False):
    """Attach a method (or the ``apply`` of an ``Op`` whose inputs are all tensors) to ``Tensor`` as ``name``.

    inplace:  True derives ``Tensor.<name>_`` (the result written back into the tensor's memory);
              a function is used as ``Tensor.<name>_`` as it is.
    function: True derives ``tutorgrad.<name>(input, ...)`` from the method; a function is used as
              ``tutorgrad.<name>`` as it is; False: no function form.
    method:   False registers only the function form (``tutorgrad.cat``).
    out:      the function form takes ``out=`` (see ``with_out``): True casts the result to ``out``'s
              dtype where PyTorch's elementwise ops do; ``"same dtype"``: out's dtype must be the result's.

    Derived for every op: NumPy's names for a ``dim``/``keepdim`` parameter (``axis=``, ``keepdims=``),
    as PyTorch's argument parser accepts them on its built-in functions and methods.
    """
    def attach(fn):
        impl = _method_of(fn, name) if isinstance(fn, type) else fn
        impl.__name__ = impl.__qualname__ = name  # (a method defined as `_sum` so as not to hide the builtin)
        impl = numpy_names(impl)
        for n in (name, *aliases):
            if method:
                setattr(Tensor, n, impl)
            form = impl if not method else function_form(n, impl) if function is True else function
            if form and form is not impl:
                form = numpy_names(form)
            if form and out:
                form = with_out(form, n, same_dtype=out == "same dtype")
            if form:
                functions[n] = form
        if inplace:
            setattr(Tensor, name + "_", inplace if callable(inplace) else _inplace_form(name + "_", impl))
        return fn
    return attach


# NumPy's names PyTorch's argument parser accepts for its own (python_arg_parser.cpp: numpy_compatibility_arg_names)
NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(fn):
    """``fn`` also taking ``axis=`` for its ``dim`` and ``keepdims=`` for its ``keepdim`` (unchanged if it has neither).

    ``x.sum(axis=0, keepdims=True)`` is ``x.sum(dim=0, keepdim=True)``; giving both names is a TypeError, as in PyTorch.
    """
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    renames = {alias: p for alias, p in NUMPY_NAMES.items() if p in params}
    if not renames:
        return fn

    @functools.wraps(fn)
    def accepting_numpy_names(*args, **kwargs):
        if kwargs:
            for alias, p in renames.items():
                if alias in kwargs:
                    if p in kwargs:
                        raise TypeError(f"{fn.__name__}() got an unexpected keyword argument '{alias}'")
                    kwargs[p] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    return accepting_numpy_names


def with_out(fn, name, same_dtype=False):
    """``tutorgrad.<name>(..., out=t)``: the result written into ``t`` (and ``t`` returned), as PyTorch.

    * ``out`` of another shape is resized: silently when it has no elements, else with PyTorch's
      deprecation warning;
    * the result is cast to ``out``'s dtype when PyTorch allows it (``can_cast``: not float to integer,
      complex to real, or anything to bool), else RuntimeError; ``same_dtype`` ops (matmul, softmax)
      need ``out`` of the result's dtype;
    * no graph is recorded into ``out``: with grad mode on, an input or ``out`` that requires grad is a
      RuntimeError (as PyTorch: "functions with out=... arguments don't support automatic differentiation").

    >>> o = tutorgrad.empty(0); tutorgrad.exp(tutorgrad.zeros(2), out=o) is o, o
    (True, tensor([1., 1.]))
    """
    @functools.wraps(fn)
    def taking_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        for o in outs:
            if not isinstance(o, Tensor):
                raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(o).__name__}")
        if _grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad
                                   for a in (*outs, *_flat(args), *kwargs.values())):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        result = fn(*args, **kwargs)
        results = result if isinstance(result, tuple) else (result,)
        if len(results) != len(outs):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(results)} Tensors")
        for r, o in zip(results, outs):
            _write_out(r, o, same_dtype)
        if isinstance(result, tuple):  # (values, indices) of max/sort/topk: the same named tuple, of out's tensors
            return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
        return out
    return taking_out


def _flat(args):
    for a in args:
        if isinstance(a, (tuple, list)):
            yield from a
        else:
            yield a


def _grad_enabled():
    from ..autograd import grad_mode
    return grad_mode.is_grad_enabled()


def _c_name(dtype):
    """The C++ type name PyTorch's messages use ("float", "double", "long int")."""
    legacy = dtype._legacy
    return {"Long": "long int", "Short": "short int", "Byte": "unsigned char", "Char": "signed char",
            "ComplexFloat": "c10::complex<float>", "ComplexDouble": "c10::complex<double>",
            "Half": "c10::Half", "BFloat16": "c10::BFloat16"}.get(legacy, legacy.lower())


def _write_out(result, out, same_dtype):
    if out.dtype is not result.dtype:
        if same_dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {_c_name(result.dtype)}, but got "
                               f"{_c_name(out.dtype)} instead")
        if not D.can_cast(result.dtype, out.dtype):
            raise RuntimeError(f"result type {result.dtype._legacy} can't be cast to the desired output type "
                               f"{out.dtype._legacy}")
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out.shape)}, which does "
                f"not match the required output shape {list(result.shape)}. This behavior is deprecated, and in a "
                "future PyTorch release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                UserWarning, stacklevel=user_stacklevel())
        out._data = result._data.astype(out._data.dtype, copy=True)
    else:
        np.copyto(out._data, result._data, casting="unsafe")
    out._counter().bump()


def _method_of(cls, name):
    """``Tensor.<name>`` for an op whose inputs are all tensors: ``cls.apply(self, *others)``."""
    def method(self, *others):
        return cls.apply(self, *others)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = cls.__doc__
    return method


def _inplace_form(name, impl):
    def method(self, *args, **kwargs):
        return self._inplace(lambda: impl(self, *args, **kwargs))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In place: the tensor's values replaced by ``{name[:-1]}``'s result (see ops/inplace.py)."
    return method


def function_form(name, method):
    """``tutorgrad.exp(x)`` etc.: the function form of a Tensor method."""
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = method.__doc__
    return fn


# ---------------------------------------------------------------------------------------------- operands
def T(arr):
    """An ndarray as a tensor (no copy)."""
    return Tensor._wrap(arr)


def wrap_scalar(x, dtype=None):
    """A Python number as a 0-d tensor marked 'wrapped' (it then promotes like PyTorch's).

    ``dtype``: the NumPy dtype to hold it in, when the caller knows it is the result's dtype.
    """
    if dtype is not None:
        arr = np.array(x, dtype)
    elif isinstance(x, bool):
        arr = np.array(x, np.bool_)
    elif isinstance(x, numbers.Integral):
        arr = np.array(x, np.int64)
    elif isinstance(x, numbers.Real):
        arr = np.array(x, np.float64)
    elif isinstance(x, numbers.Complex):
        arr = np.array(x, np.complex128)
    else:
        return None
    t = Tensor._wrap(arr)
    t._wrapped = True
    return t


def operand(x):
    """Turn the other operand of a binary op into a Tensor (None if unsupported)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    if isinstance(x, np.generic):  # np.float64(2.5) counts as a Python number, as in PyTorch
        return wrap_scalar(x.item())
    return wrap_scalar(x)


def numpy_promoted(t, other, true_divide=False):
    """``t`` and ``other`` in one dtype when ``other`` is an ndarray, else unchanged.

    PyTorch hands ``tensor (op) ndarray`` to NumPy, so the result has NumPy's dtype (float32 tensor *
    float64 array -> float64; integer / integer -> float64). tutorgrad gives the same dtype, keeps the
    graph, and also accepts the ``ndarray (op) tensor`` order.
    """
    if not isinstance(other, np.ndarray):
        return t, other
    dt = np.result_type(t._data, other)
    if true_divide and dt.kind in "biu":
        dt = np.dtype(np.float64)
    D.from_numpy_dtype(other.dtype)  # a clear TypeError for strings, objects, ...
    return (t if t._data.dtype == dt else t.to(D.from_numpy_dtype(dt))), other.astype(dt, copy=False)


def promote(x, y):
    """Both operands' arrays in their common (PyTorch-promoted) dtype, shapes checked."""
    a, b = x._data, y._data
    if a.shape != b.shape and a.ndim and b.ndim:
        broadcast_shapes(a.shape, b.shape)
    if a.dtype is b.dtype or a.dtype == b.dtype:
        return a, b
    dt = D.result_type(x, y).np
    return a.astype(dt, copy=False), b.astype(dt, copy=False)


# The complex NumPy dtypes. A forward that PyTorch does not run on complex numbers asks ``a.dtype in COMPLEX``
# before building its error: a set lookup, the cheapest test there is (``dtype.kind == "c"`` makes a string).
# (Backward needs no test: see ``_conjugated`` in autograd/function.py.)
COMPLEX = frozenset([np.dtype(np.complex64), np.dtype(np.complex128)])


def no_complex(a, kernel=None, message=None, error=NotImplementedError):
    """PyTorch's error for an op that has no complex kernel (an ordering, a rounding): raised, never a silent answer.

    ``kernel`` gives PyTorch's usual text (``"max_all" not implemented for 'ComplexFloat'``); ``message`` a text of its own.
    """
    if a.dtype.kind == "c":
        raise error(message or f"\"{kernel}\" not implemented for '{D._by_np[a.dtype]._legacy}'")


def float_array(x):
    """Inputs of exp/log/sin/...: integers and bools compute in the default float dtype."""
    a = x._data
    if a.dtype.kind in "biu":
        return a.astype(D.get_default_dtype().np)
    return a


def user_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first caller outside tutorgrad (the student's line)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


# tutorgrad.<name> for the few methods that tensor.py defines itself (no ops: no gradient to record).
functions.update(detach=function_form("detach", Tensor.detach))
