"""``Tensor``: a NumPy array that remembers the graph of operations that made it.

The data lives in ``self._data`` (an ``np.ndarray``); ``grad_fn`` points at the node of the
operation that produced the tensor (``None`` for leaves); ``grad`` receives the gradient after
``backward()``. This file holds the data, the graph fields, the properties and the conversions.

The math methods (``x.exp()``, ``x + y``, ``x.sum()``, ``x[0]``, ``x.add_(y)``, ...) are not
written here: each op in ``tutorgrad/ops/`` registers its own (``ops/registry.py``), as the ops
are imported (``tutorgrad/__init__.py`` imports them right after this file). So are the helpers
of in-place changes and views (``_inplace``, ``_make_view_of``, ``_refresh_view``:
``ops/inplace.py``); the fields they keep (``_vc``, ``_base``, ``_view_fn``) are declared here.
"""
import warnings
import weakref

import numpy as np

from . import _dtypes as D
from . import _registered
from . import autograd as _autograd
from ._convert import check_fits, to_array
from ._device import CPU, device, check as _check_device, no_cuda as _no_cuda
from ._printing import default_hidden, format_tensor
from ._shapes import normalize_size, wrap_dim
from .autograd import grad_mode
from .autograd.function import AccumulateGrad, RemovableHandle

_normalize_size = normalize_size  # (the name creation.py and nn import)


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


def _legacy_type_name(t):
    return f"tutorgrad.{t.dtype._legacy}Tensor"


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
            arr = np.zeros(normalize_size(args, "Tensor"), D.get_default_dtype().np)
        elif len(args) == 1:
            arr = to_array(args[0], D.get_default_dtype())
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
    def _leaf(cls, arr, requires_grad):
        """A new leaf around ``arr`` (``requires_grad`` checked: floating point only)."""
        t = cls._wrap(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t

    @classmethod
    def _wrap(cls, arr, requires_grad=False):
        """Make a tensor around ``arr`` without copying (internal)."""
        if type(arr) is not np.ndarray:
            # (a NumPy scalar, as a 0-d op gives: asanyarray makes the same fresh 0-d array, in half the time)
            arr = np.asanyarray(arr) if isinstance(arr, np.generic) else np.asarray(arr)
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

    # Views (ops/inplace.py): a view's _base owns the memory (and _vc, the version counter, is shared).
    _view_fn = None      # remakes this view from its base (see _make_view_of), when known
    _history = 0         # (a base) how often an in-place op rewrote its graph history
    _view_history = 0    # (a view) the base's _history when this view's grad_fn was made

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
        return self._data.shape[wrap_dim(dim, self.ndim)]

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
        return strides if dim is None else strides[wrap_dim(dim, self.ndim)]

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
        elif isinstance(getattr(dtype, "dtype", None), D.dtype) and isinstance(dtype, type):
            if dtype.is_cuda:  # t.type(tutorgrad.cuda.FloatTensor): as a CPU-only PyTorch
                raise RuntimeError(f"Cannot initialize CUDA without a CUDA build: {dtype.__module__}."
                                   f"{dtype.__name__} needs CUDA, which this build (like a CPU-only PyTorch) does "
                                   f"not have; keep the tensor on the CPU: t.type(tutorgrad.{dtype.__name__})")
            dtype = dtype.dtype  # a legacy type: t.type(tutorgrad.LongTensor)
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
            if not (d.is_floating_point or d.is_complex):
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
        return RemovableHandle(hooks, hook)

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
        _check_device(device)
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                          "or sourceTensor.clone().detach().requires_grad_(True), rather than "
                          "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        return Tensor._leaf(to_array(data, D.to_dtype(dtype or self.dtype, "tensor")), requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        _check_device(device, factory=True)
        size = normalize_size((size,) if not isinstance(size, (tuple, list)) else (tuple(size),), "full")
        dt = D.to_dtype(dtype or self.dtype, "full")
        check_fits(fill_value, dt)
        return Tensor._leaf(np.full(size, fill_value, dt.np), requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(normalize_size(size, "new_zeros"), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(normalize_size(size, "new_ones"), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    new_empty = new_zeros

    # (real, imag, conj, angle: differentiable ops, in ops/elementwise.py)


_UFUNC_OPS = {"add": "__add__", "subtract": "__sub__", "multiply": "__mul__", "true_divide": "__truediv__",
              "divide": "__truediv__", "power": "__pow__", "matmul": "__matmul__", "equal": "__eq__",
              "not_equal": "__ne__", "less": "__lt__", "less_equal": "__le__", "greater": "__gt__",
              "greater_equal": "__ge__", "floor_divide": "__floordiv__", "remainder": "__mod__"}
_REFLECTED = {"__add__": "__radd__", "__sub__": "__rsub__", "__mul__": "__rmul__", "__truediv__": "__rtruediv__",
              "__pow__": "__rpow__", "__matmul__": "__rmatmul__", "__lt__": "__gt__", "__le__": "__ge__",
              "__gt__": "__lt__", "__ge__": "__le__", "__floordiv__": "__rfloordiv__", "__mod__": "__rmod__"}


_registered.register_tensor_class(Tensor)  # for autograd and the ground floor, which do not import this file
