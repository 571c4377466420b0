"""In place and views: ``x.add_(y)``, ``x[0] = 1``, ``x.zero_()``, and tensors that share memory.

*Views.* ``x.t()``, ``x[0]``, ``x.view(...)`` share ``x``'s memory: the result is a *view* whose
``_base`` is ``x`` (the tensor that owns the memory). ``make_view_of`` marks a result so, and keeps
``view_fn``, how to make the same view again from the base.

*Versions.* Every in-place change bumps a version counter that a tensor shares with its views and
aliases (``Tensor._version``). A node that saved a tensor for backward remembers its version: if
the tensor was changed since, backward raises PyTorch's error instead of computing a wrong
gradient (``autograd/function.py``, ``saved_tensors``).

*In place.* ``inplace(x, compute)`` runs ``compute()`` out of place, writes the result into
``x``'s memory and, when recorded, moves ``x`` to the result's place in the graph (PyTorch does
the same). A change of a view while gradients are recorded is replayed on its base as a
``ViewScatter`` node (PyTorch's ``CopySlices``); every view of that base then remakes its
``grad_fn`` from the new base the next time it is used (``refresh_view``).

Every in-place method is derived from its op by ``register(..., inplace=True)``; the ones that
overwrite without computing from the old value (``zero_``, ``fill_``, ``copy_``, ``normal_``, ...)
are here. The helpers are also ``Tensor`` methods (``_inplace``, ``_make_view_of``, ...): autograd
calls ``_refresh_view`` and ``_check_inplace_allowed`` on the tensors it is given.
"""
import numpy as np

from .. import _dtypes as D
from .. import _errstate, _random
from .._convert import check_fits
from .._shapes import broadcast_shapes
from ..autograd import grad_mode
from ..tensor import Tensor
from .registry import Op, T, operand, register


# ---------------------------------------------------------------------------------------------- views
def make_view_of(self, src, view_fn=None):
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


def refresh_view(self):
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


# ---------------------------------------------------------------------------------------------- in place
def check_inplace_allowed(self):
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


def check_overlap(self, other):
    """Refuse to write into memory that the input still reads at other positions (``x -= x[0]``)."""
    if not isinstance(other, Tensor) or not np.shares_memory(self._data, other._data):
        return
    a, b = self._data.__array_interface__, other._data.__array_interface__
    if (a["data"], a["shape"], a["strides"]) != (b["data"], b["shape"], b["strides"]):  # x.add_(x) is fine
        raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                           "refer to a single memory location. Please clone() the tensor before performing the "
                           "operation.")


def inplace(self, compute, overwrite=None):
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
        result = (overwrite or Overwrite).apply(self, values=result._data)
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


def inplace_on_view(self, result):
    """Record an in-place change of a view as PyTorch does: write ``result`` into the base's region
    (a ``CopySlices`` node on the base); the view then remakes its grad_fn from the new base."""
    base, view_fn = self._base, self._view_fn
    if result._grad_fn is not None:
        result._grad_fn._keep_original(self)  # its backward may need the value we overwrite now
    base._inplace(lambda: ViewScatter.apply(base, result, view_fn=view_fn))
    self._refresh_view()
    return self


def write_plain(self, ufunc, other, alpha=1):
    """``self = ufunc(self, alpha * other)`` straight into this tensor's memory, when nothing can go wrong: returns
    ``self``, or None (having done nothing) to leave it to the general path with all its checks.

    That is when nothing is recorded and none of ``_inplace``'s errors can happen: a float tensor in writable
    memory, a Python ``alpha``, and ``other`` a tensor of the same dtype and shape on other memory (or, with
    ``alpha`` 1, a Python float). It skips a temporary result and a copy: an optimizer's step (``p.add_(g,
    alpha=-lr)``) and a student's ``w -= lr * w.grad`` take this path.
    """
    a = self._data
    if type(alpha) not in (int, float) or a.dtype.kind != "f" or not a.flags.writeable:
        return None
    if isinstance(other, Tensor):
        b = other._data
        if b.dtype != a.dtype or b.shape != a.shape or np.may_share_memory(a, b):
            return None  # (memory in common: the general path's overlap check decides first)
        requires_grad = other._requires_grad
    elif type(other) is float and alpha == 1:
        b, requires_grad = other, False
    else:
        return None
    if grad_mode._state["enabled"]:
        self._check_inplace_allowed()
        if self._requires_grad or requires_grad:
            return None
    if _errstate.get() is _errstate.QUIET:  # (quiet already: inside an optimizer's step)
        ufunc(a, b if alpha == 1 else alpha * b, out=a)
    else:
        quiet = _errstate.enter()  # as in Function.apply: overflow gives inf, without a warning
        try:
            ufunc(a, b if alpha == 1 else alpha * b, out=a)
        finally:
            _errstate.leave(quiet)
    self._counter().bump()
    return self


# ---------------------------------------------------------------------------------------------- overwriting ops
class Overwrite(Op):
    rule = "x's values replaced by new ones that do not depend on x (``zero_``, ``fill_``, ...).   dL/dx = 0."
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        return T(np.zeros(grad.shape, grad.dtype.np))


Zero, Normal, Uniform = (Overwrite.variant(n) for n in ("ZeroBackward0", "NormalBackward0", "UniformBackward0"))


class Copy(Op):
    rule = "x.copy_(src): x's values replaced by src's (broadcast, converted).   dL/dx = 0, dL/dsrc = g."
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
        return T(np.zeros(grad.shape, grad.dtype.np)), grad.to(ctx.src_dtype)


class ViewScatter(Op):
    """An in-place change of a view, replayed on its base: ``y = x`` with the region ``view_fn(x)`` replaced by v.

    dL/dx = g with that region zeroed;  dL/dv = view_fn(g).  (PyTorch calls this node CopySlices.)
    """
    rule = "y = x with its region ``view_fn(x)`` replaced by v: an in-place change of a view, replayed on its base."
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, view_fn):
        ctx.view_fn, ctx.vshape = view_fn, v.shape
        out = x._data.copy()
        region = view_fn(T(out))._data  # a NumPy view into ``out``: writing to it writes to ``out``
        np.copyto(region, v._data, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, grad):
        zeros = T(np.zeros(ctx.vshape, grad.dtype.np))
        return ViewScatter.apply(grad, zeros, view_fn=ctx.view_fn), ctx.view_fn(grad)


# ---------------------------------------------------------------------------------------------- methods
@register("zero_", function=False)
def zero_(self):
    """Fill with zeros, in place (``x.grad.zero_()`` resets an accumulated gradient)."""
    return self._inplace(lambda: Tensor._wrap(np.zeros_like(self._data)), Zero)


@register("fill_", function=False)
def fill_(self, value):
    check_fits(value, self.dtype)
    v = operand(value)
    return self._inplace(lambda: v.to(self.dtype).expand(self.shape) if v.ndim == 0 else v)


@register("copy_", function=False)
def copy_(self, src):
    """Copy ``src``'s values (broadcast, converted to this dtype) into this tensor."""
    src = operand(src)
    self._check_overlap(src)
    return self._inplace(lambda: Copy.apply(self, src))


@register("uniform_", function=False)
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    return self._inplace(lambda: Tensor._wrap(_random.uniform(a, b, self.shape, self.dtype.np, generator)), Uniform)


@register("normal_", function=False)
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return self._inplace(lambda: Tensor._wrap(_random.normal(mean, std, self.shape, self.dtype.np, generator)),
                         Normal)


# In-place arithmetic (arithmetic.py registers them): NumPy writes straight into the tensor when it can.
def add_(self, other, *, alpha=1):
    if write_plain(self, np.add, other, alpha) is not None:
        return self
    self._check_overlap(other)
    return self._inplace(lambda: self.add(other, alpha=alpha))


def sub_(self, other, *, alpha=1):
    if write_plain(self, np.subtract, other, alpha) is not None:
        return self
    self._check_overlap(other)
    return self._inplace(lambda: self.sub(other, alpha=alpha))


def mul_(self, other):
    if write_plain(self, np.multiply, other) is not None:
        return self
    self._check_overlap(other)
    return self._inplace(lambda: self * other)


def div_(self, other, *, rounding_mode=None):
    self._check_overlap(other)
    return self._inplace(lambda: self.div(other, rounding_mode=rounding_mode))


# The helpers above, as the Tensor methods the rest of tutorgrad (and autograd) call.
Tensor._make_view_of, Tensor._refresh_view = make_view_of, refresh_view
Tensor._check_inplace_allowed, Tensor._check_overlap = check_inplace_allowed, check_overlap
Tensor._inplace, Tensor._inplace_on_view = inplace, inplace_on_view
