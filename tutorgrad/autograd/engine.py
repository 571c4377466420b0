"""The backward engine: walks ``grad_fn`` nodes from the output to the leaves.

Reverse-mode autodiff in three steps, all with loops (never recursion, so a
100,000-op chain works at Python's default recursion limit):

1. count, for every node reachable from the output, how many edges lead into it;
2. start at the output with gradient 1 and run a node once all gradients
   flowing into it have arrived (summing them: that is the chain rule's sum over
   paths), most recently created node first, as PyTorch's engine does;
3. check what each ``backward`` returned: one gradient per input, of the input's
   shape (a broadcast gradient is summed back down *here*, once, for every op)
   and dtype.

``trace`` lets the step-through widget (``viz.step_backward``) watch the same run.
"""
import heapq

import numpy as np

from . import grad_mode
from .. import ops  # (a module that is still loading when this one is: used only at call time)
from .._dtypes import _by_np
from .function import (AccumulateGrad, _numpy_errors_current, _numpy_errors_off, _numpy_errors_restore,
                       _numpy_errors_set, _tensor_type)


def _shape_text(shape):
    return f"[{', '.join(map(str, shape))}]"


def _expandable(shape, to):
    """Can a tensor of ``shape`` be broadcast to ``to``?"""
    if len(shape) > len(to):
        return False
    return all(s == 1 or s == t for s, t in zip(reversed(shape), reversed(to)))


def _validate(node, grads, Tensor):
    """Check and fix up the gradients ``node.backward`` returned (PyTorch's validate_outputs)."""
    if not isinstance(grads, tuple):
        grads = (grads,)
    meta = node._input_meta
    if len(grads) != len(meta) or node._is_input is not None:
        grads, meta = _line_up(node, grads, meta)
    out = []
    for i, g in enumerate(grads):
        if g is None or node.next_functions[i][0] is None:  # no gradient, or this input needs none
            out.append(None)
            continue
        m = meta[i]
        if m is None:
            raise RuntimeError(f"function {node.name()} returned a gradient different than None at position "
                               f"{i + 1}, but the corresponding forward input was not a Variable")
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__}): function {node.name()} "
                               f"returned it as gradient {i}; backward must return Tensors (or None)")
        shape, dtype = m
        if g._data.shape != shape:
            if not _expandable(shape, g._data.shape):
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                                   f"{_shape_text(g.shape)} but expected shape compatible with {_shape_text(shape)}")
            g = ops.SumToSize.apply(g, size=shape)  # undo broadcasting: the one place it is done
        if g._data.dtype is not dtype and g._data.dtype != dtype:
            g = g.to(_by_np[dtype])
        out.append(g)
    return out


def _line_up(node, grads, meta):
    """One gradient per graph input: drop trailing Nones and the places of non-tensor arguments."""
    if len(grads) != len(meta):
        if len(grads) > len(meta) and all(g is None for g in grads[len(meta):]):
            grads = grads[:len(meta)]
        else:
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {len(meta)}, got {len(grads)})")
    if node._is_input is not None:  # drop the places of non-tensor arguments: they have no edge
        for i, (g, is_input) in enumerate(zip(grads, node._is_input)):
            if g is not None and not is_input:
                raise RuntimeError(f"function {node.name()} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
        grads = [g for g, is_input in zip(grads, node._is_input) if is_input]
        meta = [m for m, is_input in zip(meta, node._is_input) if is_input]
    return grads, meta


def _graph(roots):
    """Number of incoming edges of each node reachable from ``roots``."""
    deps = {}
    stack = [n for n in roots]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, seen


def _needed(roots, deps, targets):
    """Nodes from which some target node can be reached (others need not run)."""
    order, pending, ready = [], dict(deps), list(roots)
    while ready:  # a topological order
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                pending[child] -= 1
                if pending[child] == 0:
                    ready.append(child)
    needed = set()
    for node in reversed(order):
        if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
            needed.add(node)
    return needed


def _as_user(user_errors, fn, *args):
    """Call the user's code (a hook, a custom backward) with the user's NumPy error state: the pass
    itself runs with NumPy's warnings off (tutorgrad's ops give inf/nan quietly, as PyTorch), but a
    user's own ``np.log(0)`` must warn as it would anywhere else."""
    token = _numpy_errors_set(user_errors)
    try:
        return fn(*args)
    finally:
        _numpy_errors_restore(token)


def _run_tensor_hooks(node, grads, user_errors):
    if node._pre_hooks:
        for nr, hooks in node._pre_hooks.items():
            for hook in list(hooks):
                if grads[nr] is not None:
                    new = _as_user(user_errors, hook, grads[nr])
                    if new is not None:
                        grads[nr] = new
    return grads


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, accumulate=True, trace=None):
    """Backpropagate ``grad_outputs`` from ``outputs``.

    With ``accumulate`` the leaves' ``.grad`` are updated (``backward``); else the
    gradients reaching ``inputs`` are returned (``autograd.grad``).
    """
    roots = {}
    for out, g in zip(outputs, grad_outputs):
        node = out._grad_fn if out._grad_fn is not None else out._grad_accumulator()
        roots.setdefault(node, [None] * node._n_outputs)
        buf = roots[node]
        buf[out._output_nr] = g if buf[out._output_nr] is None else buf[out._output_nr] + g

    deps, reachable = _graph(roots)
    captures = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            node = t._grad_fn if t._grad_fn is not None else t._grad_accumulator()
            captures.setdefault(node, []).append((t._output_nr, i))
    needed = _needed(roots, deps, captures) if inputs is not None else None
    captured = [None] * (len(inputs) if inputs is not None else 0)

    Tensor = _tensor_type()
    buffers = dict(roots)
    ready = [_key(n) for n in roots if deps.get(n, 0) == 0]
    heapq.heapify(ready)
    prev_mode = grad_mode._state["enabled"]
    grad_mode._state["enabled"] = create_graph  # backward formulas record only for create_graph=True
    user_errors = _numpy_errors_current()
    quiet = _numpy_errors_off()  # once for the whole pass, not once per op (user code gets user_errors back)
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node)
            if node._pre_hooks:
                grads = _run_tensor_hooks(node, grads, user_errors)
            if captures:
                for nr, i in captures.get(node, ()):
                    captured[i] = grads[nr]
            leaf = type(node) is AccumulateGrad
            result = None
            if (accumulate or not leaf) and (needed is None or node in needed) and \
                    (grads[0] is not None if len(grads) == 1 else _any_grad(grads)):
                if node._prehooks:
                    for hook in node._prehooks:
                        new = _as_user(user_errors, hook, tuple(grads))
                        if new is not None:
                            grads = list(new)
                if leaf:
                    node.apply(grads[0])
                else:
                    if len(grads) > 1 and node._materialize and _any_missing(grads):
                        grads = [g if g is not None else _zeros(m) for g, m in zip(grads, node._output_meta)]
                    result = _validate(node, _as_user(user_errors, node.apply, *grads) if node._runs_user_code
                                       else node.apply(*grads), Tensor)
                    if node._hooks:
                        for hook in node._hooks:
                            _as_user(user_errors, hook, tuple(result), tuple(grads))
                if trace is not None:
                    trace(node, grads, result or ())
            if node._saved and not retain_graph:
                node._release()  # free what forward saved: the graph can't be run again
            for (child, nr), g in zip(node.next_functions, result or _nones(node)):
                if child is None:
                    continue
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child._n_outputs
                if g is not None:
                    buf[nr] = g if buf[nr] is None else buf[nr] + g  # fan-in: gradients add up
                left = deps[child] = deps[child] - 1
                if not left:
                    heapq.heappush(ready, _key(child))
    finally:
        _numpy_errors_restore(quiet)
        grad_mode._state["enabled"] = prev_mode
    return captured


def _nones(node):
    return (None,) * len(node.next_functions)  # a node that did not run sends no gradient on


def _any_grad(grads):
    for g in grads:  # a loop, not `any(...)` or `in`: this runs once per node (and `in` would compare tensors)
        if g is not None:
            return True
    return False


def _any_missing(grads):
    for g in grads:
        if g is None:
            return True
    return False


def _key(node):
    # Leaves' AccumulateGrad first, then the most recently created node (PyTorch's order).
    return (-node._priority, -node._sequence_nr, node)


def _zeros(meta):
    shape, dtype = meta
    return _tensor_type()._wrap(np.zeros(shape, dtype))
