"""The backward engine: from the output back to the leaves, one node at a time.

The whole idea fits in a few lines, the size of micrograd's ``backward``; here it is as
``reference_backward``, read it first. Put the nodes in an order where every node comes after all
the nodes that use its output; start at the output with d(output)/d(output) = the given gradient;
then let each node in turn turn the gradient of its output (the *upstream* gradient) into the
gradients of its inputs — that is its ``backward``, the chain rule — and add up what arrives at a
node along several paths. A leaf's node (``AccumulateGrad``) adds what reaches it to ``.grad``.

``run_backward`` is the same loop with what PyTorch's engine adds, each a separate step of it:

1. *roots*: several outputs at once, each with its own gradient (``backward(gradient=...)``);
2. *order without a sort*: a node runs as soon as every edge into it has delivered (dependency
   counts), the most recently created node first, as PyTorch's engine does (leaves at once);
3. *``inputs=``* (``autograd.grad``): the gradients reaching the inputs are captured, and nodes
   that lead to none of them are not run;
4. *hooks*: on tensors (``register_hook``, ``retain_grad``) and node pre-hooks before a node
   runs, node hooks after;
5. *checks*: one gradient per input, of the input's shape and dtype; a gradient of a broadcast
   shape is summed back down *here*, once, for every op;
6. *``create_graph``*: the backward formulas are themselves recorded only when asked for;
7. *``retain_graph``*: what forward saved is freed once used, unless asked to keep it;
8. NumPy's warnings are off for the pass (user code gets the user's own error state back);
9. *watching*: ``watch(fn)`` shows ``fn`` every step (``viz.step_backward``), and inside
   ``autograd.trace()`` each node keeps the gradient that reached it (``viz.draw`` shows them).

Everything is a loop, never recursion: a 100,000-op chain works at Python's default recursion limit.
"""
import contextlib
import heapq
from collections import namedtuple

import numpy as np

from .. import _errstate, _registered
from .._dtypes import _by_np
from . import grad_mode, tracing as _trace
from .function import AccumulateGrad


def topological_order(roots):
    """Every node reachable from ``roots``, each after all the nodes it takes input from (leaves first).

    An iterative depth-first walk along ``next_functions`` (no recursion); the order depends only
    on the graph's structure. The drawings (``viz``) list nodes in this order too.
    """
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter([c for c, _ in root.next_functions if c is not None]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter([c for c, _ in child.next_functions if c is not None])))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def reference_backward(output, gradient):
    """The backward pass at its simplest: add d(output)/d(leaf) to every leaf's ``.grad``.

    Nothing of PyTorch's bookkeeping (see the module's doc): no hooks, no pruning, no freeing, no
    create_graph. A leaf's node (``AccumulateGrad``) is a node like any other: its backward adds what
    reaches it to ``.grad``. The tests check that ``run_backward`` computes the same on random graphs.
    """
    grads = {(output.grad_fn, output.output_nr): gradient}         # (node, output_nr) -> d(output)/d(that)
    with grad_mode.no_grad():
        for node in reversed(topological_order([output.grad_fn])):  # a node after all the nodes using it
            upstream = [grads.pop((node, nr), None) for nr in range(len(node.output_metadata))]
            if all(g is None for g in upstream):
                continue                                            # no path from the output to this node
            upstream = [g if g is not None else _zeros((m[0], m[1].np)) for g, m in zip(upstream, node.output_metadata)]
            downstream = node.apply(*upstream)                      # the chain rule: this op's backward
            downstream = downstream if isinstance(downstream, tuple) else (downstream,)
            for (child, nr), g, meta in zip(node.next_functions, downstream, node.input_metadata):
                if child is not None and g is not None:
                    g = g.sum_to_size(meta[0])                      # undo broadcasting
                    key = (child, nr)
                    grads[key] = grads[key] + g if key in grads else g  # fan-in: gradients add up


# ---------------------------------------------------------------------------------------------- the engine
Step = namedtuple("Step", "node upstream raw grads")
Step.__doc__ = """What the engine did at one node, as ``watch`` shows it: the ``upstream`` gradient of each
output in, and out one gradient per entry of ``next_functions``: ``raw`` as ``backward`` returned it,
``grads`` after the engine's checks (a broadcast gradient summed back down). For a leaf's
``AccumulateGrad`` node both are empty."""

_watchers = []  # functions that ``watch`` shows every step of every backward pass


@contextlib.contextmanager
def watch(fn):
    """Call ``fn(step)`` with a ``Step`` for every node that runs in the backward passes inside the block.

    >>> steps = []
    >>> with watch(steps.append):
    ...     loss.backward()
    >>> [s.node.name() for s in steps]          # doctest: +SKIP
    ['SumBackward0', 'MulBackward0', 'AccumulateGrad', 'AccumulateGrad']
    """
    _watchers.append(fn)
    try:
        yield
    finally:
        _watchers.remove(fn)


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grad_outputs`` from ``outputs`` (``backward`` and ``autograd.grad`` call this).

    With ``accumulate`` the leaves' ``.grad`` are updated (``backward``); else the gradients
    reaching ``inputs`` are returned (``autograd.grad``), one per input (None if none arrived).
    """
    buffers = _root_buffers(outputs, grad_outputs)         # [1] node -> [gradient of each output]
    deps = _count_dependencies(buffers)                     # [2] node -> number of edges into it
    captures = needed = None
    captured = [None] * (len(inputs) if inputs is not None else 0)
    if inputs is not None:                                  # [3] only what leads to the inputs runs
        captures = _capture_points(inputs)
        needed = _leading_to(buffers, captures)
    observe = _observer()                                   # [9] someone watching?
    ready = [_key(n) for n in buffers if n not in deps]
    heapq.heapify(ready)
    Tensor = _registered.Tensor
    enabled = grad_mode._state["enabled"]
    grad_mode._state["enabled"] = create_graph              # [6] record the backward formulas or not
    user_errors = _errstate.current()
    quiet = _errstate.quiet()                               # [8] once for the whole pass
    try:
        while ready:
            node = heapq.heappop(ready)[2]                  # the next node: all its gradients have arrived
            grads = buffers.pop(node)                       # the upstream gradient of each of its outputs
            if node._pre_hooks:                             # [4] tensor hooks, retain_grad
                grads = _run_tensor_hooks(node, grads, user_errors)
            if captures:                                    # [3] an input's gradient: keep it
                for nr, i in captures.get(node, ()):
                    captured[i] = grads[nr]
            result = None
            if (accumulate or type(node) is not AccumulateGrad) and (needed is None or node in needed) and \
                    (grads[0] is not None if len(grads) == 1 else _any_grad(grads)):
                result = _call_backward(node, grads, user_errors, Tensor, observe)   # the chain rule
            if node._saved and not retain_graph:            # [7] free what forward saved
                node._release()
            for (child, nr), g in zip(node.next_functions, result or _nones(node)):  # send gradients on
                if child is None:
                    continue
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child._n_outputs
                if g is not None:
                    buf[nr] = g if buf[nr] is None else buf[nr] + g  # fan-in: gradients add up
                left = deps[child] = deps[child] - 1
                if not left:                                # [2] the last edge into child delivered
                    heapq.heappush(ready, _key(child))
            g = result = None  # (the engine holds no gradient it handed on: see AccumulateGrad)
    finally:
        _errstate.restore(quiet)
        grad_mode._state["enabled"] = enabled
    return captured


def _call_backward(node, grads, user_errors, Tensor, observe):
    """One node's step: its backward turns ``grads`` (upstream) into one gradient per input, checked."""
    if node._prehooks:                                      # [4] node pre-hooks may replace the grads
        for hook in node._prehooks:
            new = _as_user(user_errors, hook, tuple(grads))
            if new is not None:
                grads = list(new)
    if type(node) is AccumulateGrad:                        # a leaf: add to .grad
        if observe is None:
            node.apply(grads.pop())  # handed over, no reference kept: .grad may take its memory (AccumulateGrad)
        else:
            node.apply(grads[0])
            observe(Step(node, grads, (), ()))
        return None
    if len(grads) > 1 and node._materialize and _any_missing(grads):
        grads = [g if g is not None else _zeros(m) for g, m in zip(grads, node._output_meta)]
    out = _as_user(user_errors, node.apply, *grads) if node._runs_user_code else node.apply(*grads)
    raw = [] if observe is not None else None
    result = _validate(node, out, Tensor, raw)              # [5] one per input, right shape and dtype
    if node._hooks:                                         # [4] node hooks see both sides
        for hook in node._hooks:
            _as_user(user_errors, hook, tuple(result), tuple(grads))
    if observe is not None:
        observe(Step(node, grads, raw, result))
    return result


# ---------------------------------------------------------------------------------------------- [1] roots
def _root_buffers(outputs, grad_outputs):
    """The starting gradients, by node: an output's node (or its leaf's) gets its gradient at its output_nr."""
    roots = {}
    for out, g in zip(outputs, grad_outputs):
        node = out._grad_fn if out._grad_fn is not None else out._grad_accumulator()
        buf = roots.setdefault(node, [None] * node._n_outputs)
        buf[out._output_nr] = g if buf[out._output_nr] is None else buf[out._output_nr] + g
    return roots


# ---------------------------------------------------------------------------------------------- [2] order
def _count_dependencies(roots):
    """Number of incoming edges of each node reachable from ``roots`` (a node runs when it drops to 0)."""
    deps = {}
    stack = list(roots)
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
    return deps


def _key(node):
    # Leaves' AccumulateGrad first, then the most recently created node (PyTorch's order).
    return (-node._priority, -node._sequence_nr, node)


# ---------------------------------------------------------------------------------------------- [3] inputs=
def _capture_points(inputs):
    """node -> [(output_nr, index in inputs)]: where the gradient of each input can be read."""
    captures = {}
    for i, t in enumerate(inputs):
        node = t._grad_fn if t._grad_fn is not None else t._grad_accumulator()
        captures.setdefault(node, []).append((t._output_nr, i))
    return captures


def _leading_to(roots, targets):
    """The nodes from which some target node can be reached (the others need not run)."""
    needed = set()
    for node in topological_order(roots):  # a node after all of its inputs
        if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
            needed.add(node)
    return needed


# ---------------------------------------------------------------------------------------------- [4] hooks
def _as_user(user_errors, fn, *args):
    """Call the user's code (a hook, a custom backward) with the user's NumPy error state: the pass
    itself runs with NumPy's warnings off (tutorgrad's ops give inf/nan quietly, as PyTorch), but a
    user's own ``np.log(0)`` must warn as it would anywhere else."""
    token = _errstate.use(user_errors)
    try:
        return fn(*args)
    finally:
        _errstate.restore(token)


def _run_tensor_hooks(node, grads, user_errors):
    for nr, hooks in node._pre_hooks.items():
        for hook in list(hooks):
            if grads[nr] is not None:
                new = _as_user(user_errors, hook, grads[nr])
                if new is not None:
                    grads[nr] = new
    return grads


# ---------------------------------------------------------------------------------------------- [5] checks
def _validate(node, grads, Tensor, raw=None):
    """Check and fix up the gradients ``node.backward`` returned (PyTorch's validate_outputs).

    ``raw``, a list, receives each gradient as returned, before a broadcast one is summed down.
    """
    if not isinstance(grads, tuple):
        grads = (grads,)
    meta = node._input_meta
    if len(grads) != len(meta) or node._is_input is not None:
        grads, meta = _line_up(node, grads, meta)
    out = []
    for i, g in enumerate(grads):
        if raw is not None:
            raw.append(g)
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
            g = g.sum_to_size(shape)  # undo broadcasting: the one place it is done
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


def _shape_text(shape):
    return f"[{', '.join(map(str, shape))}]"


def _expandable(shape, to):
    """Can a tensor of ``shape`` be broadcast to ``to``?"""
    if len(shape) > len(to):
        return False
    return all(s == 1 or s == t for s, t in zip(reversed(shape), reversed(to)))


# ---------------------------------------------------------------------------------------------- [9] watching
def _observer():
    """What sees every step of this pass: the ``watch`` functions, and ``autograd.trace()``'s recorder."""
    fns = list(_watchers)
    if _trace.state["on"]:
        fns.append(lambda step: _trace.record_grads(step.node, step.upstream))
    if not fns:
        return None
    if len(fns) == 1:
        return fns[0]
    return lambda step: [fn(step) for fn in fns]


# ---------------------------------------------------------------------------------------------- small helpers
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


def _zeros(meta):
    shape, dtype = meta
    return _registered.Tensor._wrap(np.zeros(shape, dtype))
