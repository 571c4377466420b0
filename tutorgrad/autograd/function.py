"""The one mechanism behind every differentiable operation: ``Function``.

A ``Function`` subclass pairs a ``forward`` (compute the result, save what the
derivative needs) with a ``backward`` (turn the gradient of the output into
gradients of the inputs). ``Function.apply`` runs ``forward`` and, when any input
requires grad, links the result into the graph through a *node*: the object you
see as ``result.grad_fn``. As in PyTorch, that node is also the ``ctx`` that
``forward`` and ``backward`` receive, and its ``next_functions`` point at the
nodes of the inputs. The engine (``engine.py``) and the drawings (``viz``) walk
exactly these nodes.

Every built-in op in ``tutorgrad/ops/`` is written this way, so reading one
is reading how PyTorch works::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x
        @staticmethod
        def backward(ctx, grad):        # d(x^2)/dx = 2x
            x, = ctx.saved_tensors
            return grad * 2 * x

    y = Square.apply(x)                 # y.grad_fn is a <SquareBackward> node
"""
import functools
import itertools
import sys
import warnings
import weakref
from collections import namedtuple

import numpy as np

from .. import _errstate, _registered
from .._dtypes import _by_np
from . import grad_mode, saved as _saving, tracing as _trace
from .anomaly_mode import _state as _anomaly
from . import anomaly_mode as _anomaly_mode
from .saved import active as _saved_tensors_hooks

_sequence = itertools.count()
# NumPy's warnings off while an op computes, as PyTorch computes quietly (see _errstate)
_errors_get, _ERRORS_QUIET, _enter_quiet, _leave_quiet = _errstate.get, _errstate.QUIET, _errstate.enter, _errstate.leave

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward.")


class RemovableHandle:
    """Returned by ``register_hook``: call ``remove()`` to take the hook off again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


SavedTensor = namedtuple("SavedTensor", "tensor unchanged")
SavedTensor.__doc__ = """A tensor a node saved for its backward; ``unchanged``: not modified in place since."""


class Node:
    """A node of the backward graph (``tensor.grad_fn``).

    ``next_functions`` holds one ``(node, output_nr)`` pair per forward input:
    where the gradient of that input goes next (``(None, 0)`` for inputs that need
    no gradient). The engine reads the private fields below; everything else (the
    drawings in ``viz``, a curious student) reads the public, read-only properties:
    ``is_builtin``, ``rule``, ``elementwise``, ``input_metadata``, ``output_metadata``,
    ``saved``, ``freed`` and, after ``autograd.trace()``, ``traced_values`` / ``traced_grads``.
    """

    _n_outputs = 1
    _priority = 0
    _hooks = ()                    # node hooks: fn(grad_inputs, grad_outputs) (a list once one is registered)
    _prehooks = ()                 # node pre-hooks: fn(grad_outputs)
    # Class-level defaults, so that making a node costs nothing until it joins a graph:
    next_functions = ()
    _input_meta = ()               # (shape, NumPy dtype) of each forward input, None for non-tensors
    _output_meta = ()              # (shape, NumPy dtype) of each output, None for non-tensors
    _pre_hooks = None              # {output_nr: [tensor hooks]} from register_hook / retain_grad
    _sequence_nr = 0               # creation order; the engine runs later nodes first, as PyTorch
    _saved = ()                    # what forward saved for backward (see FunctionCtx)
    _saved_versions = ()           # ... and their versions when saved
    _freed = False                 # backward released what forward saved
    _is_input = None               # which forward arguments are graph inputs, when not all are
    _runs_user_code = False        # True for the nodes of a user's Function: its backward is the user's code
    _plain = False                 # the engine may run this node inline: built-in code, no hooks (see BackwardNode)
    _traced_values = _traced_grads = None  # what autograd.trace() recorded (see tracing.py)

    def __init__(self):
        self._sequence_nr = next(_sequence)

    def name(self):
        return type(self).__name__

    def __repr__(self):
        # As PyTorch: a built-in node shows its name, a custom Function's node its class with the module
        # that made it (<tutorgrad.autograd.function.SquareBackward object at 0x...>), both with the address.
        cls = type(self)
        name = f"{cls.__module__}.{cls.__qualname__}" if self._runs_user_code else self.name()
        return f"<{name} object at {id(self):#x}>"

    # A node with hooks is never ``_plain`` again: the engine's inline step has no place for them.
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if not isinstance(self._hooks, list):
            self._hooks = []
            self._plain = False
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward; may return new grads."""
        if not isinstance(self._prehooks, list):
            self._prehooks = []
            self._plain = False
        self._prehooks.append(fn)
        return RemovableHandle(self._prehooks, fn)

    def _tensor_hooks(self, output_nr):
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._plain = False
        return self._pre_hooks.setdefault(output_nr, [])

    def __call__(self, *grads):
        return self.apply(*grads)

    # ------------------------------------------------------------------ read-only views (for viz)
    @property
    def is_builtin(self):
        """False for the node of a user's own ``Function`` (its backward is the user's code)."""
        return not self._runs_user_code

    @property
    def rule(self):
        """The derivative in one line, as the op declares it (``"y = sin(x).   dy/dx = cos(x)"``); "" if none."""
        return ""

    @property
    def elementwise(self):
        """True if each output element depends on the same element of each input (after broadcasting):
        then every contribution is the upstream gradient times a local derivative, element by element."""
        return False

    @property
    def input_metadata(self):
        """``(shape, dtype)`` of the forward input behind each entry of ``next_functions`` (None: not a tensor)."""
        meta = self._input_meta
        if self._is_input is not None:
            meta = [m for m, is_input in zip(meta, self._is_input) if is_input]
        return tuple(None if m is None else (m[0], _by_np[m[1]]) for m in meta)

    @property
    def output_metadata(self):
        """``(shape, dtype)`` of each output (None for an output that is not a tensor)."""
        return tuple(None if m is None else (m[0], _by_np[m[1]]) for m in self._output_meta)

    @property
    def saved(self):
        """The tensors forward saved for backward, each a ``SavedTensor(tensor, unchanged)`` (``()`` once freed)."""
        return tuple(SavedTensor(t, t is not None and t._version == v)
                     for t, v in zip(self._saved, self._saved_versions))

    @property
    def freed(self):
        """True once ``backward`` released the saved tensors (without ``retain_graph=True``)."""
        return self._freed

    @property
    def traced_values(self):
        """The value of each output, as recorded inside ``autograd.trace()`` (None: not recorded)."""
        return self._traced_values

    @property
    def traced_grads(self):
        """The gradient that reached each output during backward inside ``autograd.trace()`` (None: not recorded)."""
        return self._traced_grads


class AccumulateGrad(Node):
    """The node at a leaf tensor: adds the incoming gradient to ``leaf.grad``.

    The first gradient becomes ``.grad``; later ones are added into it in place. Making ``.grad`` a
    copy of that first gradient is always right, but usually a waste: the gradient was just computed
    and nothing else will ever read it. So, as PyTorch does, ``.grad`` takes over ("steals") the
    gradient's memory when nothing else can reach it, and copies it otherwise (``_unshared``).
    """

    _priority = 1  # run as soon as ready, as PyTorch does
    _plain = True  # the engine may run it inline (until a hook is registered on it; never a subclass)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plain = False  # (the engine's inline step runs exactly this class's apply)

    def __init__(self, variable):
        super().__init__()
        self.variable = variable

    def apply(self, grad):
        """Add ``grad`` to the leaf's ``.grad``. The engine hands ``grad`` over holding no other reference to it;
        a caller that keeps one (a hook, a watcher, a user calling this) makes ``_unshared`` say no."""
        v = self.variable
        if grad_mode._state["enabled"]:  # create_graph=True: .grad keeps the graph of the gradient
            if v._grad is not None:
                v._grad = v._grad + grad
            elif grad._requires_grad:  # a recorded copy, as PyTorch's (CopyBackwards): never the gradient itself
                # (row-major like the leaf, whatever the gradient's layout: .grad.view(-1) works, as in PyTorch)
                v._grad = _registered.Tensor._wrap(np.empty(v._data.shape, grad._data.dtype)).copy_(grad)
            else:
                v._grad = _registered.Tensor._wrap(grad._data.copy())
        elif v._grad is None:
            own = _unshared(grad)  # the gradient itself when nothing else can reach its memory, else a copy
            v._grad = own if own is not None else _registered.Tensor._wrap(grad._data.copy())
        elif v._grad.requires_grad:
            v._grad = v._grad.detach() + grad.detach()
        else:
            np.add(v._grad._data, grad._data, out=v._grad._data, casting="unsafe")  # in place, like PyTorch
            v._grad._counter().bump()
        return ()

    @property
    def output_metadata(self):
        v = self.variable
        return ((v.shape, v.dtype),)


# ---------------------------------------------------------------------------------------------- stealing a gradient
def _references_of_a_local():
    obj = object()
    return sys.getrefcount(obj)


# What ``sys.getrefcount`` reports for an object that one local variable alone holds (2 on CPython: the variable
# and getrefcount's own argument); each further holder adds one. Measured, not assumed: an interpreter that
# counts differently is measured the same way. Without reference counts (PyPy), gradients are always copied.
_LOCAL = _references_of_a_local() if hasattr(sys, "getrefcount") else None


def _unshared(grad):
    """``grad`` as a tensor that can become ``.grad`` as it is, or None when its memory must be copied.

    Memory can be taken over only if nothing else can ever read or write it. Who could: whoever holds the
    gradient tensor (a hook that kept it, ``retain_grad``, ``autograd.trace()``, a ``watch`` step, the
    caller's ``gradient=``), another tensor or array on the same memory (a view of the gradient, an
    ``ndarray`` from ``.numpy()``, a NumPy view of that), or memory NumPy does not own (``np.frombuffer``).
    The references are counted, in CPython's own reference counts:

    * the tensor: held only by the caller's argument and this function's (``_LOCAL + 1``): the engine
      handed it over and kept nothing (``AccumulateGrad.apply``'s doc);
    * its array (``arr``): held only by the tensor's ``_data`` and the local ``arr``; it must be row-major
      (as a copy would be) and writable (not an ``expand``ed gradient whose elements share memory);
    * the array that owns the memory: ``arr`` itself, or ``owner = arr.base`` for a view. A NumPy view always
      points at the owner itself (views of views too), so every array anywhere on this memory holds one
      reference to the owner: counting them counts every way to reach it. The owner must be an ``ndarray``
      that owns its data, referenced only by the views we know of;
    * a gradient that is a view (``_base``: the tensor whose memory it views, as ``w.grad`` arriving through
      ``TBackward0`` is) is no more shared than that base: held by nothing but the view, and its array is
      the owner or a view of it held by nothing but the base.

    No weak references either (``weakref.getweakrefcount``): a weak reference could be resolved later.
    """
    if _LOCAL is None or sys.getrefcount(grad) != _LOCAL + 1 or weakref.getweakrefcount(grad):
        return None
    arr = grad._data
    if type(arr) is not np.ndarray or sys.getrefcount(arr) != _LOCAL + 1 or weakref.getweakrefcount(arr):
        return None
    flags = arr.flags  # (one flags object for both questions; it holds a reference to arr, so after the count)
    if not flags.c_contiguous or not flags.writeable:
        return None
    del flags
    owner = arr.base
    if owner is None:
        owner, known = arr, 2  # references to the owner besides ``owner`` here: ``grad._data`` and ``arr``
    elif type(owner) is not np.ndarray or owner.base is not None or weakref.getweakrefcount(owner):
        return None  # memory NumPy does not own
    else:
        known = 1  # ``arr.base``
    base = grad._base
    if base is not None:
        if sys.getrefcount(base) != _LOCAL + 1 or weakref.getweakrefcount(base) or base._base is not None:
            return None
        base_arr = base._data
        if base_arr is not owner and (base_arr.base is not owner or sys.getrefcount(base_arr) != _LOCAL + 1
                                      or weakref.getweakrefcount(base_arr)):
            return None
        known += 1  # ``base._data``, or the ``.base`` of that view
        del base_arr
    if sys.getrefcount(owner) != _LOCAL + known:
        return None
    Tensor = _registered.Tensor
    if type(grad) is Tensor and base is None and not grad._requires_grad and grad._grad_fn is None:
        return grad  # (a plain tensor: it can be ``.grad`` itself)
    return Tensor._wrap(arr)


class FunctionCtx:
    """What ``forward`` and ``backward`` can use on ``ctx`` (mixed into every node)."""

    _saved = ()           # the saved tensors ...
    _saved_versions = ()  # ... and their versions when saved
    _recording = True  # False while an unrecorded op runs its forward (no graph: nothing to save)
    _is_input = None  # which forward arguments are graph inputs, when not all are
    _freed = False
    _materialize = True
    _dirty = ()
    _non_diff = ()
    _packed = None  # what saved_tensors_hooks' pack hooks made of the saved tensors (see saved.py)

    def save_for_backward(self, *tensors):
        """Keep ``tensors`` for ``backward``; they come back as ``ctx.saved_tensors``.

        Their versions are remembered: changing one in place before ``backward``
        is an error (the gradient would silently be wrong).
        """
        if self._recording:  # nothing will run backward otherwise: keeping them would only hold memory
            self._saved = tensors
            # (t._version, inline: this runs for every recorded op)
            self._saved_versions = tuple([0 if t is None or t._vc is None else t._vc.value for t in tensors])

    def _keep_original(self, t):
        """``t`` is about to be overwritten in place: if it was saved, save a copy of its value instead.

        (PyTorch keeps this "original self" too: ``y.mul_(w)`` needs the old ``y`` for ``dL/dw``.)
        """
        if any(s is t for s in self._saved):
            original = _registered.Tensor._wrap(t._data.copy())
            original._grad_fn, original._output_nr, original._requires_grad = t._grad_fn, t._output_nr, t._requires_grad
            self._saved_versions = tuple(0 if s is t else v for s, v in zip(self._saved, self._saved_versions))
            self._saved = tuple(original if s is t else s for s in self._saved)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._packed is not None:
            return _saving.unpack(self)
        for t, version in zip(self._saved, self._saved_versions):
            if t is not None and (0 if t._vc is None else t._vc.value) != version:  # (t._version, inline)
                # PyTorch names the op that made the tensor, without "Backward0": "output 0 of Add"
                made_by = "" if t._grad_fn is None else \
                    f", which is output {t._output_nr} of {t._grad_fn.name().split('Backward')[0]},"
                name = f"tutorgrad.{_by_np[t._data.dtype]._legacy}Tensor"
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{name} [{', '.join(map(str, t.shape))}]]{made_by} is at version "
                    f"{t._version}; expected version {version} instead. Hint: the tensor was changed in place "
                    "(e.g. `x += 1` or `x.add_(1)`) after it was used; write `x = x + 1` instead, or `.clone()` "
                    "it before changing it.")
        return self._saved

    def mark_dirty(self, *tensors):
        """Declare inputs that ``forward`` modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that have no gradient (e.g. indices); they won't require grad."""
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        """With False, ``backward`` gets ``None`` instead of zeros for unused outputs."""
        self._materialize = bool(value)


class BackwardNode(FunctionCtx, Node):
    """The node (and ``ctx``) of one call to a ``Function``."""

    # What every node holds lives in slots, not in the instance dict: one object fewer per op for
    # Python's cyclic garbage collector to walk again and again while the graph is alive (its
    # cost grows with the graph). Function.apply sets them all; other ctx attributes go to the dict.
    __slots__ = ("needs_input_grad", "next_functions", "_input_meta", "_output_meta", "_saved",
                 "_saved_versions", "_sequence_nr")
    _forward_cls = None
    _plain = True  # apply is backward itself, built-in code: the engine may call it directly (see register_hook)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "apply" in cls.__dict__ and "_plain" not in cls.__dict__:
            cls._plain = False  # a node class with an apply of its own: the engine must call that apply

    def apply(self, *grads):
        return self._forward_cls.backward(self, *grads)

    @property
    def rule(self):
        return self._forward_cls.rule

    @property
    def elementwise(self):
        return self._forward_cls.elementwise

    def _release(self):
        if self._saved:
            self._saved = self._saved_versions = ()
            if self._packed is not None:
                self._packed = None
            self._freed = True

    def __dir__(self):  # the _saved_* names this node has (the engine's _saved_versions is none of them)
        return [n for n in super().__dir__() if not n.startswith(("_saved_", "_raw_saved_"))] + \
            _saving.saved_names(self)


def _identical(t, seq):
    for s in seq:  # not `t in seq`: that compares tensors with ==; a loop, not any(): this runs per op
        if s is t:
            return True
    return False


class Function:
    """Base class for operations with a hand-written derivative.

    Write ``forward(ctx, *inputs)`` and ``backward(ctx, *grad_outputs)`` as
    static methods, then call ``YourFunction.apply(*inputs)``. ``backward``
    returns one gradient per input of ``forward`` (``None`` for inputs that are
    not tensors or need no gradient). It may return a gradient of a broadcast
    shape: the engine sums it down to the input's shape, as PyTorch does.
    """

    _builtin = False   # built-in ops are named like PyTorch's: "MulBackward0"
    # What the drawings (viz) show of a node; the built-in ops (tutorgrad/ops/) declare them.
    rule = ""            # the derivative in one line: "y = sin(x).   dy/dx = cos(x)"
    elementwise = False  # contributions are upstream gradient × local derivative, element by element
    # A built-in op's backward is its real formula; with a complex result it runs conjugated (``_conjugated``),
    # which is right for holomorphic ops. The others (abs, conj, view_as_complex, ...) say False and handle
    # complex numbers in their own backward, as a user's Function does.
    holomorphic = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward{'0' if cls._builtin else ''}"
        # The node class is made here, so it belongs to this module (PyTorch's to torch.autograd.function).
        cls._backward_cls = type(name, (BackwardNode,), {"_forward_cls": cls, "__module__": __name__,
                                                          "__doc__": cls.__doc__, "_runs_user_code": not cls._builtin,
                                                          "_plain": cls._builtin})
        cls._unrecorded_cls = type(f"{cls.__name__}Unrecorded", (_Unrecorded,), {"_forward_cls": cls})
        if cls._builtin:  # grad_fn._saved_self, _saved_result, ... as PyTorch names them (see saved.py)
            _saving.name_saved_values(BackwardNode, getattr(cls, "input_names", ()))
        # The same node for a complex result (same name, same slots: apply swaps the class in; see _conjugated)
        cls._complex_cls = type(name, (cls._backward_cls,), {"__slots__": (), "apply": _conjugated, "_plain": False, "__module__": __name__,
                                                             "__doc__": cls.__doc__}) \
            if cls._builtin and cls.holomorphic else None

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
            "so you should invoke them on the class itself. Instantiating an autograd function will raise "
            "an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
            "autograd function with static forward method: call YourFunction.apply(...) instead.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        return _NO_SETUP

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        # (This runs for every op: it is written for speed. The steps are the ones the class docstring tells.)
        Tensor = _registered.Tensor
        state = grad_mode._state
        enabled = state["enabled"]
        if not enabled and cls._builtin:
            # Nothing is recorded (no_grad, or the engine running backward formulas) and a built-in op's
            # forward only computes: the shortest path. (Views catch up with their base when next recorded.)
            if _errors_get() is _ERRORS_QUIET:  # (inside an op or a backward pass: already quiet)
                out = cls.forward(object.__new__(cls._unrecorded_cls), *args, **kwargs)
            else:
                quiet = _enter_quiet()
                try:
                    out = cls.forward(object.__new__(cls._unrecorded_cls), *args, **kwargs)
                finally:
                    _leave_quiet(quiet)
            if type(out) is np.ndarray:
                return _new_tensor(out)
            if isinstance(out, np.generic):  # a 0-d result (NumPy gives a scalar): made a 0-d array, as fast as can be
                return _new_tensor(_asanyarray(out))
            return _as_tensors(out, Tensor)

        ctx = object.__new__(cls._backward_cls)  # a node without a place in the graph yet (see Node)
        ctx._saved = ctx._saved_versions = ()
        # One pass over the arguments: which need a gradient, and (if we may record) where each one's
        # gradient goes and its shape and dtype (the engine checks gradients against them). Only tensor
        # arguments are graph inputs (a built-in op's optional tensor left out counts too, as None).
        needs, edges, meta = [], [], []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                base = a._base
                if base is not None and a._view_history != base._history:
                    a._refresh_view()  # a view whose base was changed in place takes the new history (its test, inline)
                if a._requires_grad:
                    record = enabled
                    needs.append(True)
                    if enabled:
                        fn = a._grad_fn  # (a._edge(), inline)
                        edges.append((fn, a._output_nr) if fn is not None else (a._grad_accumulator(), 0))
                        data = a._data
                        meta.append((data.shape, data.dtype))  # NumPy's dtype: no object for the GC
                    continue
                needs.append(False)
            else:
                needs.append(False)
                if not (a is None and cls._builtin):
                    meta.append(None)
                    continue
            edges.append(_NO_EDGE)
            meta.append(None)
        ctx.needs_input_grad = tuple(needs)
        if record:
            ctx._sequence_nr = next(_sequence)
            if len(edges) != len(args):
                ctx._is_input = tuple([isinstance(a, Tensor) or (a is None and cls._builtin) for a in args])
        else:
            # Nothing to record (no input requires grad, or no_grad): just compute, with a ctx that is
            # in no graph (its backward can never run).
            ctx._recording = False
            ctx.next_functions = ctx._input_meta = ctx._output_meta = ()
            ctx._sequence_nr = 0

        state["enabled"] = False  # forward itself is never recorded
        quiet = None if _errors_get() is _ERRORS_QUIET else _enter_quiet()
        try:
            if cls.setup_context is _setup_context:
                out = cls.forward(ctx, *args, **kwargs)
            else:  # the PyTorch 2 style: forward(*args), then setup_context(ctx, inputs, output)
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        finally:
            if quiet is not None:
                _leave_quiet(quiet)
            state["enabled"] = enabled

        if not record:
            return _as_tensors(out, Tensor)

        if type(out) is not np.ndarray and isinstance(out, np.generic):
            out = _asanyarray(out)  # a 0-d result (NumPy gives a scalar; see Tensor._wrap)
        if type(out) is np.ndarray and out.dtype.kind == "f":
            # The usual result: a new floating-point array. Its tensor is new, so none of the checks in
            # _link_outputs (dirty, non-differentiable, an input returned as it is) can apply to it: they
            # compare tensor objects, and an array, even an input's own, always gets a new one.
            out = _new_tensor(out)
            out._grad_fn, out._requires_grad = ctx, True
            outs = (out,)
        elif type(out) is Tensor and out._grad_fn is None and not out._requires_grad and \
                out._data.dtype.kind == "f" and not ctx._dirty and not ctx._non_diff and not _identical(out, args):
            # A new floating-point tensor that forward made (and saved, as relu saves its result): the same
            # linking, without _link_outputs' list and loop.
            out._grad_fn, out._output_nr, out._requires_grad = ctx, 0, True
            outs = (out,)
        else:
            outs = _link_outputs(cls, ctx, out, args, Tensor)
        ctx.next_functions = tuple(edges)
        ctx._input_meta = tuple(meta)
        if _saved_tensors_hooks and ctx._saved:  # saved_tensors_hooks: pack what forward saved
            _saving.pack(ctx)
        if _trace.state["on"]:
            _trace.record_values(ctx, outs)
        if _anomaly["enabled"]:  # detect_anomaly: remember where forward made this node
            ctx._forward_stack = _anomaly_mode.forward_stack()
        if len(outs) == 1 and not isinstance(out, tuple):
            out = outs[0]
            ctx._output_meta = ((out._data.shape, out._data.dtype) if isinstance(out, Tensor) else None,)
            return out
        ctx._output_meta = tuple([(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs])
        ctx._n_outputs = len(outs)
        return tuple(outs)


_setup_context = Function.setup_context
_NO_EDGE = (None, 0)
_asanyarray = np.asanyarray


def _link_outputs(cls, ctx, out, args, Tensor):
    """Each output of a recorded op (NumPy arrays made tensors) linked to its node ``ctx``: ``grad_fn``,
    ``output_nr``, ``requires_grad``. Integer and bool outputs, and outputs marked non-differentiable, are
    left out of the graph; an output that is an input (or already in a graph) is linked as a new alias."""
    single = not isinstance(out, tuple)
    outs = [out] if single else list(out)
    for i, o in enumerate(outs):
        if isinstance(o, (np.ndarray, np.generic)):
            outs[i] = o = Tensor._wrap(o)
        elif not isinstance(o, Tensor):
            continue
        kind = o._data.dtype.kind
        if kind != "f":
            if kind != "c":
                continue  # integer and bool results have no gradient
            if cls._complex_cls is not None:  # a complex result of a holomorphic built-in op
                ctx.__class__ = cls._complex_cls
        if ctx._non_diff and _identical(o, ctx._non_diff):
            continue
        if ctx._dirty and _identical(o, ctx._dirty):
            o._check_inplace_allowed()
            o._counter().bump()  # as PyTorch: a dirty tensor's version goes up once more
        elif o._requires_grad or o._grad_fn is not None or _identical(o, args):
            outs[i] = o = o._alias()  # don't rewrite a tensor the caller still holds
        o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True
    return outs


def _conjugated(self, *grads):
    """The backward of a holomorphic op with a complex result: conj(backward(conj(g))) = g * conj(f'(z)).

    PyTorch's convention (the gradient of a real loss with respect to z = a + ib is dL/da + i dL/db) makes the
    chain rule through a holomorphic f read ``g * conj(f'(z))``. A built-in op's backward is its real formula,
    linear in g: run on complex numbers it gives conj(g) f'(z) for conj(g), so conjugating before and after is
    PyTorch's formula: derived once, here, for every op (a real tensor's conj is itself). E.g. ``Mul``: g * y
    becomes g * conj(y); ``Matmul``: G @ Y^T becomes G @ Y^H.
    """
    Tensor = _registered.Tensor
    out = self._forward_cls.backward(self, *[g if g is None else g.conj() for g in grads])
    if isinstance(out, tuple):
        return tuple([g.conj() if isinstance(g, Tensor) else g for g in out])
    return out.conj() if isinstance(out, Tensor) else out


def _new_tensor(arr):
    """``Tensor._wrap(arr)`` for an ``ndarray``, without the checks (the hottest path: every op's result).
    (``Tensor._init``'s stores, written out: a call fewer per op. Keep the two the same.)"""
    t = _object_new(_registered.Tensor)
    t._data = arr
    t._requires_grad = t._retains_grad = t._wrapped = False
    t._grad = t._grad_fn = t._vc = t._base = t._hooks = t._acc = None
    t._output_nr = 0
    return t


_object_new = object.__new__


def _as_tensors(out, Tensor):
    """What forward returned, with NumPy arrays (and NumPy scalars) made tensors."""
    if isinstance(out, tuple):
        return tuple([Tensor._wrap(o) if isinstance(o, (np.ndarray, np.generic)) else o for o in out])
    return Tensor._wrap(out) if isinstance(out, (np.ndarray, np.generic)) else out


class _Unrecorded(FunctionCtx):
    """The ``ctx`` of a built-in op run while nothing is recorded: its saves are dropped.
    (Each Function has a subclass of it, with ``_forward_cls``, as its nodes have.)"""
    _recording = False
    needs_input_grad = (False,) * 64  # no input's gradient is wanted, whichever input forward asks about


_NO_SETUP = object()


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable (double backward raises)."""
    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            result = fn(ctx, *grads)
        if grad_mode.is_grad_enabled() and any(g is not None and g.requires_grad for g in grads):
            results = result if isinstance(result, tuple) else (result,)
            results = tuple(_OnceDifferentiable.apply(*grads, result=r) if isinstance(r, _registered.Tensor) else r
                            for r in results)
            return results if isinstance(result, tuple) else results[0]
        return result
    return wrapper


class _OnceDifferentiable(Function):
    """Links a once-differentiable gradient to the grads it came from; differentiating it is an error."""
    node_name = "Error"  # PyTorch's name for this node

    @staticmethod
    def forward(ctx, *grads, result):
        return result.clone()

    @staticmethod
    def backward(ctx, *g):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")
