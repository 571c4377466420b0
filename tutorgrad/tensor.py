"""``Tensor``: a NumPy array that remembers the graph of operations that made it.

The data lives in ``self._data`` (an ``np.ndarray``); ``grad_fn`` points at the
node of the operation that produced the tensor (``None`` for leaves); ``grad``
receives the gradient after ``backward()``. Every math method here is a thin
call into a ``Function`` from ``ops.py``, where forward and backward sit side
by side.
"""
import numbers
import warnings

import numpy as np

from . import _dtypes as D
from . import ops
from . import autograd as _autograd
from .autograd import grad_mode
from .autograd.function import AccumulateGrad, _Handle, _numpy_errors_off, _numpy_errors_restore


class _Version:
    """How often a tensor's memory was changed in place; shared by its views."""
    value = 0  # a class default: making a counter costs next to nothing until the first change

    def bump(self):
        self.value += 1


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``tutorgrad.Size([2, 3])``."""

    def __repr__(self):
        return f"tutorgrad.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        return int(np.prod(self, dtype=np.int64))

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):  # shape + (4,) is still a Size
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


from ._device import device, CPU, no_cuda as _no_cuda, check as _check_device  # noqa: E402,F401


def _legacy_type_name(t):
    return f"tutorgrad.{t.dtype._legacy}Tensor"


def _normalize_size(size, fn="size"):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size) like PyTorch."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor) and s.numel() == 1 and not s.dtype.is_floating_point:
            s = s.item()
        if not isinstance(s, (numbers.Integral, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{fn}(): argument 'size' must be a tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        out.append(int(s))
    return tuple(out)


def _wrap_scalar(x, dtype=None):
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


def _operand(x):
    """Turn the other operand of a binary op into a Tensor (None if unsupported)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    if isinstance(x, np.generic):  # np.float64(2.5) counts as a Python number, as in PyTorch
        return _wrap_scalar(x.item())
    return _wrap_scalar(x)


def _numpy_promoted(t, other, true_divide=False):
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


def _transposed(t):
    return t.t()


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
                o = _wrap_scalar(o, dtype)  # the common `x * 2.0`: no conversion needed later
            else:
                self, other = _numpy_promoted(self, other, true_divide=fn is ops.Div)
                o = _operand(other)
                if o is None:
                    return NotImplemented
        return fn.apply(o, self) if reflected else fn.apply(self, o)
    method.__name__ = name
    return method


def _compare(ufunc, name):
    def method(self, other):
        self, other = _numpy_promoted(self, other)
        o = _operand(other)
        if o is None:
            return NotImplemented if name in ("__eq__", "__ne__") else _bad_operand(name, other)
        quiet = _numpy_errors_off()  # x == 1e300 for a float32 x: 1e300 becomes inf, without NumPy's warning
        try:
            a, b = ops.promote(self, o)
            if a.dtype.kind == "c" and name not in ("__eq__", "__ne__"):  # complex numbers have no order
                raise NotImplementedError(f"\"{name.strip('_')}_cpu\" not implemented for "
                                          f"'{D._by_np[a.dtype]._legacy}': complex numbers can't be ordered")
            return Tensor._wrap(ufunc(a, b))
        finally:
            _numpy_errors_restore(quiet)
    method.__name__ = name
    return method


def _tensor_arg(fn, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{fn}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}; "
                        f"wrap numbers first, e.g. {fn}(x, tutorgrad.tensor(0.0))")
    return other


def _index_dtype(fn, index):
    if not isinstance(index, Tensor) or index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32 or int64 for index, got "
                           f"{getattr(index, 'dtype', type(index).__name__)}; e.g. tutorgrad.tensor([0, 2])")


def _bad_operand(name, other):
    raise TypeError(f"{name}(): expected a Tensor or a number as the other operand, got {type(other).__name__}")


def _logical(ufunc, name, reflected=False):
    def method(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        a, b = ops.promote(self, o)
        if a.dtype.kind in "fc":
            op = name.strip("_").lstrip("r")
            raise NotImplementedError(f"\"bitwise_{op}_cpu\" not implemented for '{D._by_np[a.dtype]._legacy}': "
                                      "& | ^ need bool or integer tensors, e.g. (x > 0) & (x < 1)")
        return Tensor._wrap(ufunc(b, a) if reflected else ufunc(a, b))
    method.__name__ = name
    return method


def _to_args(args, kwargs):
    """Read ``.to(...)``'s arguments (a dtype, a device, a tensor to match): ``(dtype, copy)``.

    The only device is the CPU: naming another raises a clear error here.
    """
    dtype, dev, copy = kwargs.pop("dtype", None), kwargs.pop("device", None), kwargs.pop("copy", False)
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device)) or (isinstance(a, int) and not isinstance(a, bool)):
            dev = a  # (a bare int names a GPU, as in PyTorch)
        elif a is not None:
            dtype = a
    if dev is not None:
        _check_device(dev)
    return dtype, copy


class Tensor:
    """A multi-dimensional array with autograd, like ``torch.Tensor``.

    >>> x = tutorgrad.tensor([1., 2.], requires_grad=True)
    >>> (x * x).sum().backward(); x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_vc", "_base", "_hooks",
                 "_retains_grad", "_wrapped", "_acc", "__weakref__", "__dict__")
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        # The legacy constructor: Tensor([1, 2]) copies data as float32; Tensor(2, 3) is uninitialised.
        if args and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            arr = np.zeros(_normalize_size(args, "Tensor"), D.get_default_dtype().np)
        elif len(args) == 1:
            from .creation import _to_array
            arr = _to_array(args[0], D.get_default_dtype())
        else:
            arr = np.zeros((0,), D.get_default_dtype().np)
        Tensor._init(self, arr)

    def _init(self, arr, requires_grad=False):
        self._data = arr
        self._requires_grad = requires_grad
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._vc = None  # made on first need (see _counter)
        self._base = None
        self._hooks = None
        self._retains_grad = False
        self._wrapped = False
        self._acc = None

    @classmethod
    def _wrap(cls, arr, requires_grad=False):
        """Make a tensor around ``arr`` without copying (internal)."""
        if type(arr) is not np.ndarray:
            arr = np.asarray(arr)
        t = object.__new__(cls)
        t._init(arr, requires_grad)
        return t

    def _counter(self):
        """The version counter, shared with every view and alias; made when first needed (most
        tensors are never changed in place nor viewed: they read as version 0 without one)."""
        if self._vc is None:
            self._vc = _Version()
        return self._vc

    def _alias(self):
        """A new tensor object on the same memory (and version counter)."""
        t = Tensor._wrap(self._data)
        t._vc, t._base = self._counter(), self._base if self._base is not None else self
        return t

    _view_fn = None      # remakes this view from its base (see _make_view_of), when known
    _history = 0         # (a base) how often an in-place op rewrote its graph history
    _view_history = 0    # (a view) the base's _history when this view's grad_fn was made

    def _make_view_of(self, src, view_fn=None):
        """Mark ``self`` (an op's result) as a view of ``src`` when they share memory.

        ``view_fn(t)`` makes the same view of any tensor shaped like ``src``; composed with
        ``src``'s own, it remakes ``self`` from the base. PyTorch's rule follows: when an in-place
        op rewrites the base's history (``y.mul_(3)``, ``y[0] += 1``), every view of it gets a fresh
        ``grad_fn`` (made from the new base) the next time it is used (``_refresh_view``).
        """
        arr, src_arr = self._data, src._data
        # (the same array, as a squeeze that squeezes nothing gives; else NumPy marks every view with .base:
        # quick checks before the exact one)
        if arr is src_arr or (arr.base is not None and (arr.base is src_arr or arr.base is src_arr.base
                                                        or np.may_share_memory(arr, src_arr))):
            base = src._base if src._base is not None else src
            self._vc, self._base, self._view_history = src._counter(), base, base._history
            outer = src._view_fn
            if view_fn is not None and (src._base is None or outer is not None):
                self._view_fn = view_fn if outer is None else (lambda t: view_fn(outer(t)))
        return self

    def _refresh_view(self):
        """If an in-place op rewrote the base's history since this view was made, remake its grad_fn."""
        base = self._base
        if base is None or self._view_history == base._history:
            return
        if self._view_fn is None:
            raise RuntimeError(
                "this view's base tensor was changed in place while gradients were recorded, and tutorgrad "
                "cannot replay this kind of view (transpose, permute, expand, split, unbind) on the new base. "
                "Make the view again after the in-place change, or use out-of-place ops.")
        with grad_mode.enable_grad():
            fresh = self._view_fn(base)
        self._grad_fn, self._output_nr, self._requires_grad = fresh._grad_fn, fresh._output_nr, fresh._requires_grad
        self._view_history = base._history

    # ------------------------------------------------------------------ attributes
    @property
    def dtype(self):
        return D._by_np[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape (``tutorgrad.Size``), or the length of dimension ``dim``."""
        if dim is None:
            return self.shape
        return self._data.shape[ops.wrap_dim(dim, self.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def layout(self):
        return "torch.strided"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[ops.wrap_dim(dim, self.ndim)]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc.value

    def type(self, dtype=None):
        """The legacy type name (``'tutorgrad.FloatTensor'``), or a copy converted to ``dtype``, which is a dtype
        or such a name (``t.type('torch.DoubleTensor')``)."""
        if dtype is None:
            return _legacy_type_name(self)
        if isinstance(dtype, str):
            dtype = next((d for d in D.ALL if dtype.rsplit(".", 1)[-1] == f"{d._legacy}Tensor"), dtype)
        if isinstance(dtype, (str, type)):  # PyTorch's error for t.type(float), t.type(np.float32), t.type('x')
            name = dtype if isinstance(dtype, str) else ".".join(filter(None, [
                "" if dtype.__module__ == "builtins" else dtype.__module__, dtype.__name__]))
            raise ValueError(f"invalid type: '{name}'. Use a dtype such as tutorgrad.float32, e.g. "
                             "t.type(tutorgrad.float64) or t.double()")
        return self.to(dtype)

    # ------------------------------------------------------------------ autograd attributes
    @property
    def requires_grad(self):
        if self._base is not None:
            self._refresh_view()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf tensor, in place."""
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use "
                               "a computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if requires_grad:
            d = self.dtype
            if d.is_complex:
                raise NotImplementedError(
                    "tutorgrad does not implement autograd for complex tensors (PyTorch does). Use real tensors "
                    "for gradients, e.g. work with the real and imaginary parts as two float tensors.")
            if not d.is_floating_point:
                raise RuntimeError("only Tensors of floating point dtype can require gradients (this tensor is "
                                   f"{d}); convert it first, e.g. x = x.float().requires_grad_()")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        if self._base is not None:
            self._refresh_view()
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
                "Tensor by mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: the tensor has shape "
                                   f"{list(self.shape)} but the grad has shape {list(value.shape)}")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def _grad_accumulator(self):
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            import weakref
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def _edge(self):
        """Where the gradient of this tensor goes: ``(node, output_nr)``."""
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        return (self._grad_accumulator(), 0)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after ``backward()``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad if grad_mode.is_grad_enabled() else grad.detach()
                t._grad = g.clone() if t._grad is None else t._grad + g
        self._grad_fn._tensor_hooks(self._output_nr).append(keep)
        self._retains_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it.

        >>> h = x.register_hook(lambda g: g * 2)   # double the gradient flowing into x
        >>> h.remove()
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            acc = self._hooks = self._grad_accumulator()  # a strong reference keeps it (and its hooks) alive
            hooks = acc._tensor_hooks(0)
        else:
            hooks = self._grad_fn._tensor_hooks(self._output_nr)
        hooks.insert(len(hooks) - (1 if self._retains_grad else 0), hook)  # before retain_grad, as PyTorch
        return _Handle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the leaves; add it to their ``.grad``.

        >>> x = tutorgrad.tensor(3., requires_grad=True)
        >>> (x * x).backward(); x.grad          # d(x^2)/dx = 2x
        tensor(6.)
        """
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """The same data, cut from the graph (shares memory, ``requires_grad=False``)."""
        t = Tensor._wrap(self._data)
        t._vc = self._counter()
        return t

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn, self._requires_grad = None, False
        return self

    @property
    def data(self):
        """The data as a tensor outside the graph; changes to it are not tracked (prefer ``detach()``)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    # ------------------------------------------------------------------ conversion
    def numpy(self, force=False):
        """The data as an ndarray that shares memory with this tensor."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # ndarray (+ - * / ** @ comparisons) Tensor gives a Tensor, as in PyTorch; other NumPy
        # functions see the tensor as an array.
        op = _UFUNC_OPS.get(ufunc.__name__)
        if method == "__call__" and op is not None and len(inputs) == 2 and not kwargs:
            a, b = inputs
            return getattr(a, op)(b) if isinstance(a, Tensor) else getattr(b, _REFLECTED.get(op, op))(a)
        arrays = [x.numpy() if isinstance(x, Tensor) else x for x in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    def tolist(self):
        return self._data.tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar; "
                               "index it first (t[0]) or reduce it (t.sum())")
        return self._data.reshape(()).item()

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (this one has "
                               f"{self._data.size}); use .any() or .all()")
        return bool(self._data.reshape(()))

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (to {kind})")
        return self._data.reshape(()).item()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __contains__(self, item):
        return bool((self == item).any())

    def __format__(self, spec):
        """``f"{t}"``: a 0-d tensor formats as its number (``f"{t:.3f}"``, ``f"{loss}"``), as in PyTorch."""
        if self.ndim == 0 and type(self) is Tensor:  # (a 0-d Parameter prints as a Parameter, as in PyTorch)
            return format(self.detach().item(), spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import format_tensor, default_hidden
        suffixes = []
        if self._grad_fn is not None:
            suffixes.append(("grad_fn", f"<{self._grad_fn.name()}>"))
        elif self._requires_grad:
            suffixes.append(("requires_grad", "True"))
        d = self.dtype
        return format_tensor(self._data, dtype_name=d.name, show_dtype=not default_hidden(d.name),
                             suffixes=suffixes)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        raise TypeError("tutorgrad tensors are not picklable on purpose (pickle can run code when loading); "
                        "use tutorgrad.save(obj, f) / tutorgrad.load(f)")

    def __deepcopy__(self, memo):
        t = Tensor._wrap(self._data.copy(), self._requires_grad and self._grad_fn is None)
        if type(self) is not Tensor:
            t = type(self)(t, self._requires_grad) if hasattr(type(self), "_from_tensor") else t
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def to(self, *args, **kwargs):
        """Convert dtype (``t.to(tutorgrad.float64)``); ``'cpu'`` is accepted, other devices are not."""
        dtype, copy = _to_args(args, kwargs)
        if dtype is None or D.to_dtype(dtype, "to") is self.dtype:
            return self.clone() if copy else self
        return ops.ToCopy.apply(self, dtype=D.to_dtype(dtype))

    def cpu(self):
        return self

    def cuda(self, device=None, *args, **kwargs):
        _check_device(device) if isinstance(device, int) else _no_cuda("cuda")

    def float(self):
        return self.to(D.float32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def short(self):
        return self.to(D.int16)

    def byte(self):
        return self.to(D.uint8)

    def bool(self):
        return self.to(D.bool_)

    def cfloat(self):
        return self.to(D.complex64)

    def cdouble(self):
        return self.to(D.complex128)

    def type_as(self, other):
        return self.to(other.dtype)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """``tensor(data)`` with this tensor's dtype unless ``dtype`` is given."""
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(_normalize_size(size, "new_zeros"), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(_normalize_size(size, "new_ones"), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    new_empty = new_zeros

    # ------------------------------------------------------------------ arithmetic
    # 2 + x and 2 * x record x first, as PyTorch does (the graph reads x + 2, x * 2).
    __add__ = _binary(ops.Add, "__add__")
    __radd__ = _binary(ops.Add, "__radd__")
    __sub__ = _binary(ops.Sub, "__sub__")
    __mul__ = _binary(ops.Mul, "__mul__")
    __rmul__ = _binary(ops.Mul, "__rmul__")
    __truediv__ = _binary(ops.Div, "__truediv__")
    __floordiv__ = _binary(ops.FloorDivide, "__floordiv__")
    __rfloordiv__ = _binary(ops.FloorDivide, "__rfloordiv__", reflected=True)
    __rmod__ = _binary(ops.Remainder, "__rmod__", reflected=True)

    def __rsub__(self, other):
        self, other = _numpy_promoted(self, other)
        o = _operand(other)
        return NotImplemented if o is None else ops.Rsub.apply(self, other=o)

    def __rtruediv__(self, other):
        self, other = _numpy_promoted(self, other, true_divide=True)
        o = _operand(other)
        return NotImplemented if o is None else self.reciprocal() * o  # PyTorch's 2 / x, too

    def __mod__(self, other):
        o = _operand(other)
        return NotImplemented if o is None else ops.remainder(self, o)

    def __pow__(self, other):
        self, other = _numpy_promoted(self, other)
        return self.pow(other)

    def __rpow__(self, other):
        self, other = _numpy_promoted(self, other)
        o = _operand(other)
        return NotImplemented if o is None else ops.RPow.apply(self, base=o)

    def __matmul__(self, other):
        if isinstance(other, Tensor):
            return ops.matmul(self, other)
        if not isinstance(other, np.ndarray):
            return NotImplemented
        self, other = _numpy_promoted(self, other)
        return ops.matmul(self, _operand(other))

    def __rmatmul__(self, other):
        if not isinstance(other, np.ndarray):
            return NotImplemented
        self, other = _numpy_promoted(self, other)
        return ops.matmul(_operand(other), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def __invert__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex:
            raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, not "
                            f"{self.dtype}; for a mask use (x > 0) and then ~mask")
        return Tensor._wrap(np.invert(self._data))

    __eq__ = _compare(np.equal, "__eq__")
    __ne__ = _compare(np.not_equal, "__ne__")
    __lt__ = _compare(np.less, "__lt__")
    __le__ = _compare(np.less_equal, "__le__")
    __gt__ = _compare(np.greater, "__gt__")
    __ge__ = _compare(np.greater_equal, "__ge__")
    __and__ = _logical(np.bitwise_and, "__and__")
    __rand__ = _logical(np.bitwise_and, "__rand__", reflected=True)
    __or__ = _logical(np.bitwise_or, "__or__")
    __ror__ = _logical(np.bitwise_or, "__ror__", reflected=True)
    __xor__ = _logical(np.bitwise_xor, "__xor__")
    __rxor__ = _logical(np.bitwise_xor, "__rxor__", reflected=True)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def equal(self, other):
        """True if both have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, _operand(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return Tensor._wrap(np.isclose(self._data, _operand(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def logical_not(self):
        return Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other):
        return Tensor._wrap(np.logical_and(self._data, _operand(other)._data))

    def logical_or(self, other):
        return Tensor._wrap(np.logical_or(self._data, _operand(other)._data))

    def logical_xor(self, other):
        return Tensor._wrap(np.logical_xor(self._data, _operand(other)._data))

    def isnan(self):
        return Tensor._wrap(np.isnan(self._data))

    def isinf(self):
        return Tensor._wrap(np.isinf(self._data))

    def isfinite(self):
        return Tensor._wrap(np.isfinite(self._data))

    def add(self, other, *, alpha=1):
        return ops.Add.apply(self, _operand(other), alpha=alpha)

    def sub(self, other, *, alpha=1):
        return ops.Sub.apply(self, _operand(other), alpha=alpha)

    subtract = sub

    def mul(self, other):
        return self * other

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return self / other
        if rounding_mode in ("floor", "trunc"):
            return ops.DivRounded.apply(self, _operand(other), rounding_mode=rounding_mode)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")

    divide = true_divide = div

    def floor_divide(self, other):
        return self // other

    def remainder(self, other):
        return self % other

    def fmod(self, other):
        """The remainder with the sign of ``self`` (C's fmod); ``%`` / ``remainder`` takes the divisor's sign."""
        return ops.fmod(self, _operand(other))

    def pow(self, exponent):
        """``self ** exponent``.  d/dx x^n = n x^(n-1)."""
        if isinstance(exponent, np.generic):
            exponent = exponent.item()
        if isinstance(exponent, Tensor):
            return ops.Pow.apply(self, exponent)
        if isinstance(exponent, np.ndarray):
            return ops.Pow.apply(self, _operand(exponent))
        if not isinstance(exponent, numbers.Number):
            raise TypeError(f"pow(): exponent must be a number or a Tensor, got {type(exponent).__name__}")
        return ops.PowScalar.apply(self, exponent=exponent)

    def square(self):
        return self.pow(2)

    def matmul(self, other):
        return ops.matmul(self, other)

    def mm(self, other):
        for name, t in (("self", self), ("mat2", other)):
            if t.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix, got a {t.ndim}-D tensor; mm() multiplies two 2-D "
                                   "tensors, use matmul or @ for other shapes")
        return ops.matmul(self, other)

    def bmm(self, other):
        if self.ndim != 3 or other.ndim != 3:
            raise RuntimeError(f"batch1 must be a 3D tensor (got {self.ndim}-D and {other.ndim}-D)")
        return ops.Bmm.apply(self, other)

    def mv(self, vec):
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {vec.ndim}")
        return ops.matmul(self, vec)

    def dot(self, other):
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        return ops.matmul(self, other)

    inner = dot

    def outer(self, other):
        return self.unsqueeze(1) * other.unsqueeze(0)

    def maximum(self, other):
        return ops.Maximum.apply(self, _tensor_arg("maximum", other))

    def minimum(self, other):
        return ops.Minimum.apply(self, _tensor_arg("minimum", other))

    def where(self, condition, other):
        from .creation import where
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        return ops.masked_fill(self, mask, value)

    def lerp(self, end, weight):
        """``self + weight * (end - self)``: a straight line from self (weight 0) to end (weight 1)."""
        if isinstance(weight, Tensor):
            return self + weight * (end - self)
        return ops.Lerp.apply(self, _operand(end), weight=weight)

    # ------------------------------------------------------------------ elementwise functions
    def neg(self):
        return ops.Neg.apply(self)

    negative = neg

    def abs(self):
        return ops.Abs.apply(self)

    absolute = abs

    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def log2(self):
        return ops.Log2.apply(self)

    def log10(self):
        return ops.Log10.apply(self)

    def log1p(self):
        return ops.Log1p.apply(self)

    def expm1(self):
        return ops.Expm1.apply(self)

    def sqrt(self):
        return ops.Sqrt.apply(self)

    def rsqrt(self):
        return ops.Rsqrt.apply(self)

    def reciprocal(self):
        return ops.Reciprocal.apply(self)

    def sin(self):
        return ops.Sin.apply(self)

    def cos(self):
        return ops.Cos.apply(self)

    def tan(self):
        return ops.Tan.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.Relu.apply(self)

    def sign(self):
        return ops.Sign.apply(self)

    def floor(self):
        return ops.Floor.apply(self)

    def ceil(self):
        return ops.Ceil.apply(self)

    def round(self, decimals=0):
        return ops.Round.apply(self, decimals=decimals)

    def trunc(self):
        return ops.Trunc.apply(self)

    def clamp(self, min=None, max=None):
        """Limit values to [min, max].  The gradient is 1 inside, 0 where clipped."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return ops.ClampTensor.apply(self, *(None if v is None else _operand(v) for v in (min, max)))
        return ops.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def clamp_min(self, min):
        return self.clamp(min=min) if isinstance(min, Tensor) else ops.ClampMin.apply(self, min=min)

    def clamp_max(self, max):
        return self.clamp(max=max) if isinstance(max, Tensor) else ops.ClampMax.apply(self, max=max)

    @property
    def real(self):
        return Tensor._wrap(self._data.real) if self.dtype.is_complex else self

    @property
    def imag(self):
        if not self.dtype.is_complex:
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return Tensor._wrap(self._data.imag)

    def conj(self):
        return Tensor._wrap(np.conj(self._data)) if self.dtype.is_complex else self

    def angle(self):
        return Tensor._wrap(np.angle(self._data).astype(self.dtype.to_real().np))

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """Sum of all elements, or along ``dim``.  The gradient spreads back as ones."""
        x = self if dtype is None else self.to(dtype)
        if dim is None:
            return ops.Sum.apply(x)
        return ops.SumDim.apply(x, dim=ops.wrap_dims(dim, self.ndim), keepdim=keepdim)

    def sum_to_size(self, *size):
        """Sum broadcast dimensions away until the shape is ``size`` (the reverse of ``expand``)."""
        size = _normalize_size(size, "sum_to_size")
        if tuple(size) == self.shape:
            return self
        return ops.SumToSize.apply(self, size=size)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        """Average of all elements, or along ``dim``.  d/dx_i mean(x) = 1/N."""
        x = self if dtype is None else self.to(dtype)
        if not (x.dtype.is_floating_point or x.dtype.is_complex):
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                               f"or complex dtype. Got: {x.dtype._legacy}. Convert first, e.g. t.float().mean()")
        if dim is None:
            return ops.Mean.apply(x)
        return ops.MeanDim.apply(x, dim=ops.wrap_dims(dim, self.ndim), keepdim=keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Variance with Bessel's correction (divide by N-1) unless ``correction=0``."""
        return self._spread_stat(ops.Var, "var", dim, unbiased, keepdim, correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Standard deviation: ``sqrt(var)``."""
        return self._spread_stat(ops.Std, "std", dim, unbiased, keepdim, correction)

    def _spread_stat(self, fn, name, dim, unbiased, keepdim, correction):
        dims = ops.wrap_dims(dim, self.ndim) if dim is not None else None
        correction = ops.correction(unbiased, correction)
        n = self.numel() if dims is None else int(np.prod([self.shape[d] for d in dims]))
        if n - correction <= 0 and self.dtype.is_floating_point:  # the std of one number: nan, and a warning
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                          "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
        return fn.apply(self, dim=dims, correction=correction, keepdim=keepdim)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if dim is None:
            return ops.Prod.apply(x)
        dim = ops.wrap_dim(dim, self.ndim)
        if self.ndim == 0:  # dim 0 of a 0-d tensor: the product of its one element
            return ops.ProdDim.apply(x.reshape(1), dim=0, keepdim=False)
        return ops.ProdDim.apply(x, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False):
        """Largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``maximum``."""
        return ops.extremum(self, dim, keepdim, "max")

    def min(self, dim=None, keepdim=False):
        return ops.extremum(self, dim, keepdim, "min")

    def amax(self, dim=None, keepdim=False):
        return ops.Amax.apply(self, dim=ops.wrap_dims(dim, self.ndim) if dim is not None else None,
                              keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return ops.Amin.apply(self, dim=ops.wrap_dims(dim, self.ndim) if dim is not None else None,
                              keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        self._no_bool("argmax")
        return ops.arg_extremum(self, dim, keepdim, np.argmax)

    def argmin(self, dim=None, keepdim=False):
        self._no_bool("argmin")
        return ops.arg_extremum(self, dim, keepdim, np.argmin)

    def _no_bool(self, name):
        if self.dtype is D.bool_:
            raise RuntimeError(f"{name}(): does not support bool input; convert it first, e.g. mask.long().{name}()")

    def all(self, dim=None, keepdim=False):
        return Tensor._wrap(np.all(self._data, axis=None if dim is None else ops.wrap_dim(dim, self.ndim),
                                   keepdims=keepdim))

    def any(self, dim=None, keepdim=False):
        return Tensor._wrap(np.any(self._data, axis=None if dim is None else ops.wrap_dim(dim, self.ndim),
                                   keepdims=keepdim))

    def logsumexp(self, dim, keepdim=False):
        """``log(sum(exp(x)))`` computed stably.  Its gradient is ``softmax(x)``."""
        return ops.Logsumexp.apply(self, dim=ops.wrap_dims(dim, self.ndim), keepdim=keepdim)

    def softmax(self, dim, dtype=None):
        """``exp(x) / sum(exp(x))`` along ``dim``."""
        x = self if dtype is None else self.to(dtype)
        return ops.Softmax.apply(x, dim=x._float_only_dim("softmax", dim))

    def log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return ops.LogSoftmax.apply(x, dim=x._float_only_dim("log_softmax", dim))

    def _float_only_dim(self, name, dim):
        dim = ops.wrap_dim(dim, self.ndim)
        if not (self.dtype.is_floating_point or self.dtype.is_complex):
            kernel = f"{name}_lastdim_kernel_impl" if dim == self.ndim - 1 or self.ndim == 0 else f"{name}_kernel_impl"
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{self.dtype._legacy}': {name} needs a "
                                      f"floating-point tensor, e.g. x.float().{name}({dim}) or {name}({dim}, "
                                      "dtype=tutorgrad.float32)")
        return dim

    def cumsum(self, dim):
        return ops.Cumsum.apply(self, dim=ops.wrap_dim(dim, self.ndim))

    def norm(self, p="fro", dim=None, keepdim=False):
        """The p-norm ``(sum |x_i|^p)^(1/p)``: the length of a vector for p = 2 (the default)."""
        if not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                               f"{self.dtype._legacy}; convert it first, e.g. x.float().norm()")
        dims = ops.wrap_dims(dim, self.ndim) if dim is not None else None
        p = 2 if p == "fro" else p
        if p == float("inf"):
            return self.abs().amax(dims, keepdim)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or p <= 0:
            raise RuntimeError(f"norm(): tutorgrad supports p > 0, inf and 'fro', got p={p!r}")
        return ops.Norm.apply(self, p=p, dim=dims, keepdim=keepdim)

    def sort(self, dim=-1, descending=False):
        return ops.sort(self, dim, descending)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return ops.topk(self, k, dim, largest)

    def unique(self, sorted=True, return_counts=False):
        vals, counts = np.unique(self._data, return_counts=True)
        return (Tensor._wrap(vals), Tensor._wrap(counts.astype(np.int64))) if return_counts else Tensor._wrap(vals)

    def bincount(self, minlength=0):
        return Tensor._wrap(np.bincount(self._data, minlength=minlength).astype(np.int64))

    def count_nonzero(self, dim=None):
        return Tensor._wrap(np.asarray(np.count_nonzero(self._data, axis=dim), np.int64))

    def nonzero(self, as_tuple=False):
        idx = np.nonzero(self._data)
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
        return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))

    # ------------------------------------------------------------------ shape
    def view(self, *shape):
        """The same data with a new shape (no copy; raises if the memory layout does not allow it)."""
        if len(shape) == 1 and isinstance(shape[0], D.dtype):
            raise NotImplementedError("view(dtype) is not supported by tutorgrad; use .to(dtype)")
        return ops.view(self, _normalize_size(shape, "view"), copy_ok=False)

    def reshape(self, *shape):
        """The same data with a new shape; copies only when a view is impossible."""
        return ops.view(self, _normalize_size(shape, "reshape"), copy_ok=True)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        s, e = ops.wrap_dim(start_dim, self.ndim), ops.wrap_dim(end_dim, self.ndim)
        if self.ndim == 0:
            return self.reshape(1)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if s == e:
            return self
        shape = self.shape[:s] + (int(np.prod(self.shape[s:e + 1])),) + self.shape[e + 1:]
        return self.reshape(shape)

    def unflatten(self, dim, sizes):
        dim = ops.wrap_dim(dim, self.ndim)
        return self.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1:])

    def ravel(self):
        return self.reshape(-1)

    def squeeze(self, dim=None):
        """Remove dimensions of size 1 (all, or just ``dim``)."""
        if dim is None:
            return ops.Squeeze.apply(self)._make_view_of(self, lambda t: t.squeeze())
        fn = ops.SqueezeDims if isinstance(dim, (tuple, list)) else ops.SqueezeDim
        return fn.apply(self, dim=ops.wrap_dims(dim, self.ndim))._make_view_of(self, lambda t: t.squeeze(dim))

    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at ``dim``."""
        return ops.Unsqueeze.apply(self, dim=ops.wrap_dim(dim, self.ndim + 1))._make_view_of(
            self, lambda t: t.unsqueeze(dim))

    def transpose(self, dim0, dim1):
        """Swap two dimensions (a view)."""
        return ops.Transpose.apply(self, dims=(ops.wrap_dim(dim0, self.ndim), ops.wrap_dim(dim1, self.ndim))
                                   )._make_view_of(self, lambda t: t.transpose(dim0, dim1))

    swapaxes = swapdims = transpose

    def t(self):
        """Transpose a matrix (0-D and 1-D tensors are returned as is)."""
        ndim = self._data.ndim
        if ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
        return ops.T.apply(self, dims=(0, 1) if ndim == 2 else (0, 0))._make_view_of(self, _transposed)

    @property
    def T(self):
        if self.ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        elif self.ndim != 2:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                          "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                          "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                          "dimensions of a tensor.", UserWarning, stacklevel=2)
        return self.permute(tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        if self.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    def permute(self, *dims):
        """Reorder dimensions (a view)."""
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = _normalize_size(dims, "permute")
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = "
                               f"{self.ndim} is not equal to len(dims) = {len(dims)}")
        dims = tuple(ops.wrap_dim(d, self.ndim) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return ops.Permute.apply(self, dims=dims)._make_view_of(self, lambda t: t.permute(*dims))

    def movedim(self, source, destination):
        order = list(range(self.ndim))
        s, d = ops.wrap_dim(source, self.ndim), ops.wrap_dim(destination, self.ndim)
        order.remove(s)
        order.insert(d, s)
        return self.permute(*order)

    def expand(self, *sizes):
        """Repeat size-1 dimensions without copying (a broadcast view). -1 keeps a size."""
        sizes = _normalize_size(sizes, "expand")
        return ops.expand(self, sizes)

    def expand_as(self, other):
        return self.expand(other.shape)

    def broadcast_to(self, *size):
        return self.expand(*size)

    def repeat(self, *sizes):
        sizes = _normalize_size(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                               "dimensions of tensor")
        if min(sizes, default=0) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
        return ops.Repeat.apply(self, repeats=sizes)

    def narrow(self, dim, start, length):
        """``length`` elements from ``start`` along ``dim`` (a view; ``start`` may be negative)."""
        dim = ops.wrap_dim(dim, self.ndim)
        n = self.shape[dim]
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        start = start + n if start < 0 else start
        if length < 0 or start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return ops.index(self, (slice(None),) * dim + (slice(start, start + length),), ops.Slice)

    def split(self, split_size_or_sections, dim=0):
        """Split into chunks of a given size (or a list of sizes) along ``dim``."""
        if self.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        return ops.split(self, split_size_or_sections, ops.wrap_dim(dim, self.ndim))

    def chunk(self, chunks, dim=0):
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        dim = ops.wrap_dim(dim, self.ndim)
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        if self.shape[dim] == 0:
            return ops.split(self, [0] * chunks, dim)
        return ops.split(self, -(-self.shape[dim] // chunks), dim)

    def unbind(self, dim=0):
        """All slices along ``dim``, as a tuple of tensors."""
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return tuple(t._make_view_of(self) for t in ops.Unbind.apply(self, dim=ops.wrap_dim(dim, self.ndim)))

    def clone(self):
        """A copy of the data that stays in the graph (gradient passes through unchanged)."""
        return ops.Clone.apply(self)

    def contiguous(self):
        return self if self._data.flags.c_contiguous else ops.Clone.apply(self)

    def flip(self, *dims):
        dims = _normalize_size(dims, "flip")
        return ops.Flip.apply(self, dims=ops.wrap_dims(dims, self.ndim))

    def gather(self, dim, index):
        _index_dtype("gather", index)
        return ops.Gather.apply(self, dim=ops.wrap_dim(dim, self.ndim), index=index._data)

    def tril(self, diagonal=0):
        return ops.Tril.apply(self, diagonal=diagonal)

    def triu(self, diagonal=0):
        return ops.Triu.apply(self, diagonal=diagonal)

    def diagonal(self, offset=0):
        """The diagonal of a matrix (as a differentiable gather)."""
        if self.ndim != 2:
            raise RuntimeError("tutorgrad's diagonal() supports matrices (2-D tensors) only")
        n = max(0, min(self.shape[0] + min(offset, 0), self.shape[1] - max(offset, 0)))
        i = np.arange(n)
        return self[Tensor._wrap(i - min(offset, 0)), Tensor._wrap(i + max(offset, 0))]

    def trace(self):
        return self.diagonal().sum()

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key):
        return ops.index(self, key)

    def __setitem__(self, key, value):
        ops.index_put(self, key, value)

    def index_select(self, dim, index):
        dim = ops.wrap_dim(dim, self.ndim)
        _index_dtype("index_select", index)
        return ops.index(self, (slice(None),) * dim + (index,), ops.IndexSelect)

    def masked_select(self, mask):
        return ops.index(self, mask.expand(self.shape) if isinstance(mask, Tensor) else mask, ops.MaskedSelect)

    # ------------------------------------------------------------------ in place
    def _check_inplace_allowed(self):
        if not grad_mode._state["enabled"]:
            return
        if self._grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. "
                               "Do it outside the graph: `with tutorgrad.no_grad(): ...` (as an optimizer "
                               "step does), or make a copy first: x = x.clone()")
        base = self._base
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation. Change the leaf under `with tutorgrad.no_grad():`, or work on a copy "
                               "(x = x.clone()).")

    def _check_overlap(self, other):
        """Refuse to write into memory that the input still reads at other positions (``x -= x[0]``)."""
        if not isinstance(other, Tensor) or not np.shares_memory(self._data, other._data):
            return
        a, b = self._data.__array_interface__, other._data.__array_interface__
        if (a["data"], a["shape"], a["strides"]) != (b["data"], b["shape"], b["strides"]):  # x.add_(x) is fine
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location. Please clone() the tensor before performing the "
                               "operation.")

    def _inplace(self, compute, overwrite=ops.Overwrite):
        """Run ``compute()`` out of place, then write its result into this tensor's memory.

        When recorded, this tensor takes over the result's place in the graph; its
        version goes up so saved copies of the old value are detected. A result that
        does not depend on the old values (``zero_``, ``fill_``) is recorded as an
        ``overwrite`` node, so no gradient flows to the old values.
        """
        self._check_inplace_allowed()
        record = grad_mode._state["enabled"]
        result = compute()
        if record and self._requires_grad and not result._requires_grad:
            result = overwrite.apply(self, values=result._data)
        if not D.can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"result type {result.dtype._legacy} can't be cast to the desired output type "
                               f"{self.dtype._legacy}")
        if result.shape != self.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        if record and result._requires_grad and self._base is not None:
            if self._view_fn is None:
                raise RuntimeError(
                    "tutorgrad supports in-place operations on views made by indexing, view/reshape, "
                    "transpose/permute and (un)squeeze, but not on other views (expand, split, unbind) while "
                    "gradients are being recorded. Write the result into the original tensor with index "
                    "assignment (base[0:2] = base[0:2] * 2), or use out-of-place ops.")
            return self._inplace_on_view(result)
        if not self._data.flags.writeable:
            if 0 in self._data.strides and self.numel() > 1:
                raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                                   "to a single memory location. Please clone() the tensor before performing the "
                                   "operation. (It is an expanded view: its repeated elements share memory.)")
            raise RuntimeError("unsupported operation: this tensor's memory is read-only (it comes from a "
                               "read-only NumPy array); .clone() it first")
        if record and result._grad_fn is not None:
            result._grad_fn._keep_original(self)  # its backward may need the value we overwrite now
        np.copyto(self._data, result._data, casting="unsafe")
        self._counter().bump()
        if record and result._requires_grad:
            self._grad_fn, self._output_nr, self._requires_grad = result._grad_fn, result._output_nr, True
            self._history += 1  # views of this tensor must now remake their grad_fn from it
        return self

    def _inplace_on_view(self, result):
        """Record an in-place change of a view as PyTorch does: write ``result`` into the base's region
        (a ``CopySlices`` node on the base); the view then remakes its grad_fn from the new base."""
        base, view_fn = self._base, self._view_fn
        if result._grad_fn is not None:
            result._grad_fn._keep_original(self)  # its backward may need the value we overwrite now
        base._inplace(lambda: ops.ViewScatter.apply(base, result, view_fn=view_fn))
        self._refresh_view()
        return self

    def _plain_inplace(self, other, alpha=1):
        """True when ``self op= alpha * other`` can let NumPy write straight into our memory.

        That is when nothing is recorded and none of ``_inplace``'s errors can happen: a float
        tensor in writable memory, a Python ``alpha``, and ``other`` a tensor of the same dtype and
        shape (or, with ``alpha`` 1, a Python float). It skips a temporary result and a copy: that
        halves the time of an optimizer step.
        """
        self._check_inplace_allowed()
        if grad_mode._state["enabled"] and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return False
        a = self._data
        if a.dtype.kind != "f" or not a.flags.writeable or type(alpha) not in (int, float):
            return False
        if isinstance(other, Tensor):
            return other._data.dtype == a.dtype and other._data.shape == a.shape
        return type(other) is float and alpha == 1

    def _write_inplace(self, ufunc, other, alpha=1):
        """``self = ufunc(self, alpha * other)`` in place (after ``_plain_inplace`` said yes)."""
        b = other._data if isinstance(other, Tensor) else other
        quiet = _numpy_errors_off()  # as in Function.apply: overflow gives inf, without a warning
        try:
            ufunc(self._data, b if alpha == 1 else alpha * b, out=self._data)
        finally:
            _numpy_errors_restore(quiet)
        self._counter().bump()
        return self

    def add_(self, other, *, alpha=1):
        self._check_overlap(other)
        if self._plain_inplace(other, alpha):
            return self._write_inplace(np.add, other, alpha)
        return self._inplace(lambda: self.add(other, alpha=alpha))

    def sub_(self, other, *, alpha=1):
        self._check_overlap(other)
        if self._plain_inplace(other, alpha):
            return self._write_inplace(np.subtract, other, alpha)
        return self._inplace(lambda: self.sub(other, alpha=alpha))

    def mul_(self, other):
        self._check_overlap(other)
        if self._plain_inplace(other):
            return self._write_inplace(np.multiply, other)
        return self._inplace(lambda: self * other)

    def div_(self, other, *, rounding_mode=None):
        self._check_overlap(other)
        return self._inplace(lambda: self.div(other, rounding_mode=rounding_mode))

    def pow_(self, exponent):
        return self._inplace(lambda: self.pow(exponent))

    def neg_(self):
        return self._inplace(lambda: -self)

    def abs_(self):
        return self._inplace(self.abs)

    def exp_(self):
        return self._inplace(self.exp)

    def log_(self):
        return self._inplace(self.log)

    def sqrt_(self):
        return self._inplace(self.sqrt)

    def sigmoid_(self):
        return self._inplace(self.sigmoid)

    def tanh_(self):
        return self._inplace(self.tanh)

    def relu_(self):
        return self._inplace(self.relu)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda: self.clamp(min, max))

    clip_ = clamp_

    def masked_fill_(self, mask, value):
        return self._inplace(lambda: self.masked_fill(mask, value))

    def zero_(self):
        """Fill with zeros, in place (``x.grad.zero_()`` resets an accumulated gradient)."""
        return self._inplace(lambda: Tensor._wrap(np.zeros_like(self._data)), ops.Zero)

    def fill_(self, value):
        from .creation import _check_fits
        _check_fits(value, self.dtype)
        v = _operand(value)
        return self._inplace(lambda: v.to(self.dtype).expand(self.shape) if v.ndim == 0 else v)

    def copy_(self, src):
        """Copy ``src``'s values (broadcast, converted to this dtype) into this tensor."""
        src = _operand(src)
        self._check_overlap(src)
        return self._inplace(lambda: ops.Copy.apply(self, src))

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        from . import _random
        return self._inplace(lambda: Tensor._wrap(_random.uniform(a, b, self.shape, self.dtype.np, generator)),
                             ops.Uniform)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        from . import _random
        return self._inplace(lambda: Tensor._wrap(_random.normal(mean, std, self.shape, self.dtype.np, generator)),
                             ops.Normal)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ipow__(self, other):
        return self.pow_(other)


_UFUNC_OPS = {"add": "__add__", "subtract": "__sub__", "multiply": "__mul__", "true_divide": "__truediv__",
              "divide": "__truediv__", "power": "__pow__", "matmul": "__matmul__", "equal": "__eq__",
              "not_equal": "__ne__", "less": "__lt__", "less_equal": "__le__", "greater": "__gt__",
              "greater_equal": "__ge__", "floor_divide": "__floordiv__", "remainder": "__mod__"}
_REFLECTED = {"__add__": "__radd__", "__sub__": "__rsub__", "__mul__": "__rmul__", "__truediv__": "__rtruediv__",
              "__pow__": "__rpow__", "__matmul__": "__rmatmul__", "__lt__": "__gt__", "__le__": "__ge__",
              "__gt__": "__lt__", "__ge__": "__le__", "__floordiv__": "__rfloordiv__", "__mod__": "__rmod__"}
