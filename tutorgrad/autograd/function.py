"""The one mechanism behind every differentiable operation: ``Function``.

A ``Function`` subclass pairs a ``forward`` (compute the result, save what the
derivative needs) with a ``backward`` (turn the gradient of the output into
gradients of the inputs). ``Function.apply`` runs ``forward`` and, when any input
requires grad, links the result into the graph through a *node*: the object you
see as ``result.grad_fn``. As in PyTorch, that node is also the ``ctx`` that
``forward`` and ``backward`` receive, and its ``next_functions`` point at the
nodes of the inputs. The engine (``engine.py``) and the drawings (``viz``) walk
exactly these nodes.

Every built-in op in ``tutorgrad/ops.py`` is written this way, so reading one
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
import itertools
import warnings

import numpy as np

from . import grad_mode

_sequence = itertools.count()
_TENSOR = None


def _tensor_type():
    """The Tensor class, imported on first use (tensor.py imports this module: tensors are made of Functions)."""
    global _TENSOR
    if _TENSOR is None:
        from ..tensor import Tensor
        _TENSOR = Tensor
    return _TENSOR


# NumPy warns about 1/0, log(-1) or overflow; PyTorch quietly gives inf/nan, and so do we. ``np.errstate``
# would do, but setting it up costs more than a small op; so we set NumPy's error-state context variable
# (what errstate does inside) to a prepared "ignore" value, falling back to errstate if NumPy changes.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
    _IGNORE_ERRORS = _make_extobj(all="ignore")

    def _numpy_errors_off():
        if _extobj_contextvar.get() is _IGNORE_ERRORS:
            return None  # already quiet (an op inside an op, or inside backward): nothing to undo
        return _extobj_contextvar.set(_IGNORE_ERRORS)

    def _numpy_errors_restore(token):
        if token is not None:
            _extobj_contextvar.reset(token)

    def _numpy_errors_current():
        return _extobj_contextvar.get()

    def _numpy_errors_set(state):
        return _extobj_contextvar.set(state)
except ImportError:  # pragma: no cover - other NumPy versions
    def _numpy_errors_current():
        return np.geterr()

    def _numpy_errors_set(state):
        errors = np.errstate(**state)
        errors.__enter__()
        return errors

    def _numpy_errors_off():
        quiet = np.errstate(all="ignore")
        quiet.__enter__()
        return quiet

    def _numpy_errors_restore(quiet):
        quiet.__exit__(None, None, None)

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward.")


class _Handle:
    """Returned by ``register_hook``: call ``remove()`` to take the hook off again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class Node:
    """A node of the backward graph (``tensor.grad_fn``).

    ``next_functions`` holds one ``(node, output_nr)`` pair per forward input:
    where the gradient of that input goes next (``(None, 0)`` for inputs that need
    no gradient).
    """

    _n_outputs = 1
    _priority = 0
    _hooks = ()                    # node hooks: fn(grad_inputs, grad_outputs) (a list once one is registered)
    _prehooks = ()                 # node pre-hooks: fn(grad_outputs)
    # Class-level defaults, so that making a node costs nothing until it joins a graph:
    next_functions = ()
    _input_meta = ()               # (shape, NumPy dtype) of each forward input, None for non-tensors
    _pre_hooks = None              # {output_nr: [tensor hooks]} from register_hook / retain_grad
    _sequence_nr = 0               # creation order; the engine runs later nodes first, as PyTorch
    _saved = ()                    # what forward saved for backward (see FunctionCtx)
    _runs_user_code = False        # True for the nodes of a user's Function: its backward is the user's code

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

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if not isinstance(self._hooks, list):
            self._hooks = []
        self._hooks.append(fn)
        return _Handle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward; may return new grads."""
        if not isinstance(self._prehooks, list):
            self._prehooks = []
        self._prehooks.append(fn)
        return _Handle(self._prehooks, fn)

    def _tensor_hooks(self, output_nr):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return self._pre_hooks.setdefault(output_nr, [])

    def __call__(self, *grads):
        return self.apply(*grads)


class AccumulateGrad(Node):
    """The node at a leaf tensor: adds the incoming gradient to ``leaf.grad``."""

    def __init__(self, variable):
        super().__init__()
        self.variable = variable

    _priority = 1  # run as soon as ready, as PyTorch does
    def apply(self, grad):
        v = self.variable
        if grad_mode.is_grad_enabled():  # create_graph=True: keep the graph of the gradient
            v._grad = grad if v._grad is None else v._grad + grad
        elif v._grad is None:
            v._grad = _tensor_type()._wrap(grad._data.copy())  # a copy: the same tensor may flow to several leaves
        elif v._grad.requires_grad:
            v._grad = v._grad.detach() + grad.detach()
        else:
            np.add(v._grad._data, grad._data, out=v._grad._data, casting="unsafe")  # in place, like PyTorch
            v._grad._counter().bump()
        return ()


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

    def save_for_backward(self, *tensors):
        """Keep ``tensors`` for ``backward``; they come back as ``ctx.saved_tensors``.

        Their versions are remembered: changing one in place before ``backward``
        is an error (the gradient would silently be wrong).
        """
        if self._recording:  # nothing will run backward otherwise: keeping them would only hold memory
            self._saved = tensors
            self._saved_versions = tuple([t._version if t is not None else 0 for t in tensors])

    def _keep_original(self, t):
        """``t`` is about to be overwritten in place: if it was saved, save a copy of its value instead.

        (PyTorch keeps this "original self" too: ``y.mul_(w)`` needs the old ``y`` for ``dL/dw``.)
        """
        if any(s is t for s in self._saved):
            original = _tensor_type()._wrap(t._data.copy())
            original._grad_fn, original._output_nr, original._requires_grad = t._grad_fn, t._output_nr, t._requires_grad
            self._saved_versions = tuple(0 if s is t else v for s, v in zip(self._saved, self._saved_versions))
            self._saved = tuple(original if s is t else s for s in self._saved)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        for t, version in zip(self._saved, self._saved_versions):
            if t is not None and t._version != version:
                from ..tensor import _legacy_type_name
                # PyTorch names the op that made the tensor, without "Backward0": "output 0 of Add"
                made_by = "" if t._grad_fn is None else \
                    f", which is output {t._output_nr} of {t._grad_fn.name().split('Backward')[0]},"
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{_legacy_type_name(t)} [{', '.join(map(str, t.shape))}]]{made_by} is at version "
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

    def apply(self, *grads):
        return self._forward_cls.backward(self, *grads)

    def _release(self):
        if self._saved:
            self._saved = self._saved_versions = ()
            self._freed = True


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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward{'0' if cls._builtin else ''}"
        # The node class is made here, so it belongs to this module (PyTorch's to torch.autograd.function).
        cls._backward_cls = type(name, (BackwardNode,), {"_forward_cls": cls, "__module__": __name__,
                                                          "__doc__": cls.__doc__, "_runs_user_code": not cls._builtin})
        cls._unrecorded_cls = type(f"{cls.__name__}Unrecorded", (_Unrecorded,), {"_forward_cls": cls})

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
        Tensor = _TENSOR or _tensor_type()
        state = grad_mode._state
        enabled = state["enabled"]
        if not enabled and cls._builtin:
            # Nothing is recorded (no_grad, or the engine running backward formulas) and a built-in op's
            # forward only computes: the shortest path. (Views catch up with their base when next recorded.)
            quiet = _numpy_errors_off()
            try:
                out = cls.forward(object.__new__(cls._unrecorded_cls), *args, **kwargs)
            finally:
                _numpy_errors_restore(quiet)
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
                if a._base is not None:
                    a._refresh_view()  # a view whose base was changed in place takes the new history
                if a._requires_grad:
                    record = enabled
                    needs.append(True)
                    if enabled:
                        edges.append(a._edge())
                        meta.append((a._data.shape, a._data.dtype))  # NumPy's dtype: no object for the GC
                    continue
                needs.append(False)
            else:
                needs.append(False)
                if not (a is None and cls._builtin):
                    meta.append(None)
                    continue
            edges.append((None, 0))
            meta.append(None)
        ctx.needs_input_grad = needs = tuple(needs)
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
        quiet = _numpy_errors_off()
        try:
            if cls.setup_context is Function.setup_context:
                out = cls.forward(ctx, *args, **kwargs)
            else:  # the PyTorch 2 style: forward(*args), then setup_context(ctx, inputs, output)
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        finally:
            _numpy_errors_restore(quiet)
            state["enabled"] = enabled

        if not record:
            return _as_tensors(out, Tensor)

        single = not isinstance(out, tuple)
        outs = [out] if single else list(out)
        for i, o in enumerate(outs):
            if isinstance(o, (np.ndarray, np.generic)):
                outs[i] = o = Tensor._wrap(o)
            elif not isinstance(o, Tensor):
                continue
            if o._data.dtype.kind not in "fc" or (ctx._non_diff and _identical(o, ctx._non_diff)):
                continue  # integer and bool results have no gradient
            if ctx._dirty and _identical(o, ctx._dirty):
                o._check_inplace_allowed()
                o._counter().bump()  # as PyTorch: a dirty tensor's version goes up once more
            elif o._requires_grad or o._grad_fn is not None or _identical(o, args):
                outs[i] = o = o._alias()  # don't rewrite a tensor the caller still holds
            o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True

        ctx.next_functions = tuple(edges)
        ctx._input_meta = tuple(meta)
        if single:
            out = outs[0]
            ctx._output_meta = ((out._data.shape, out._data.dtype) if isinstance(out, Tensor) else None,)
            return out
        ctx._output_meta = tuple([(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs])
        ctx._n_outputs = len(outs)
        return tuple(outs)


def _as_tensors(out, Tensor):
    """What forward returned, with NumPy arrays (and NumPy scalars) made tensors."""
    if isinstance(out, tuple):
        return tuple([Tensor._wrap(o) if isinstance(o, (np.ndarray, np.generic)) else o for o in out])
    return Tensor._wrap(out) if isinstance(out, (np.ndarray, np.generic)) else out


class _Unrecorded(FunctionCtx):
    """The ``ctx`` of a built-in op run while nothing is recorded: its saves are dropped.
    (Each Function has a subclass of it, with ``_forward_cls``, as its nodes have.)"""
    _recording = False


_NO_SETUP = object()


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable (double backward raises)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            result = fn(ctx, *grads)
        if grad_mode.is_grad_enabled() and any(g is not None and g.requires_grad for g in grads):
            from ..tensor import Tensor
            results = result if isinstance(result, tuple) else (result,)
            results = tuple(_OnceDifferentiable.apply(*grads, result=r) if isinstance(r, Tensor) else r
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
