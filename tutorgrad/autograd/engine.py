"""The backward engine: from the output back to the leaves, one node at a time.

The whole idea fits in a few lines, the size of micrograd's ``backward``; here it is as
``reference_backward``, read it first. Put the nodes in an order where every node comes after all
the nodes that use its output; start at the output with d(output)/d(output) = the given gradient;
then let each node in turn turn the gradient of its output (the *upstream* gradient) into the
gradients of its inputs — that is its ``backward``, the chain rule — and add up what arrives at a
node along several paths. A leaf's node (``AccumulateGrad``) adds what reaches it to ``.grad``.

``run_backward`` is the same loop with what PyTorch's engine adds, each a separate step of it:

1. *roots*: several outputs at once, each with its own gradient (``backward(gradient=...)``);
2. *order*: PyTorch's: of the nodes whose gradients have all arrived, the most recently created
   first (leaves at once); a node's consumers are always newer than it, so that is one sort by
   creation number (``execution_order``);
3. *``inputs=``* (``autograd.grad``): the gradients reaching the inputs are captured, and only
   the nodes that lead to one of them run;
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
import operator
from collections import namedtuple

import numpy as np

from .. import _errstate, _registered
from .._dtypes import _by_np
from .._stl_sort import _adjust_heap, _push_heap
from . import anomaly_mode as _anomaly, grad_mode, tracing as _trace
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
    roots, buffers = _root_buffers(outputs, grad_outputs)  # [1] node -> [gradient of each output]
    captures = needed = queued = None
    captured = [None] * (len(inputs) if inputs is not None else 0)
    if inputs is not None:                                  # [3] only what leads to the inputs runs
        captures = _capture_points(inputs)
        needed = _leading_to(topological_order(roots), captures)
        queued = _queued(roots, needed, captures)
    order = execution_order(roots, needed, queued)          # [2] every node, each after all its consumers
    observe = _observer()                                   # [9] someone watching?
    plain = observe is None
    # The usual pass (.backward(): every node runs, nobody watching): a node that is _plain (a built-in op's
    # node or a leaf's accumulator, no hooks of any kind: see Node.register_hook) takes the inline step below.
    usual = plain and accumulate and needed is None
    Tensor = _registered.Tensor
    enabled = grad_mode._state["enabled"]
    grad_mode._state["enabled"] = create_graph              # [6] record the backward formulas or not
    user_errors = _errstate.current()
    quiet = _errstate.quiet()                               # [8] once for the whole pass
    try:
        for node in order:
            if queued is not None and node not in queued:
                continue                                    # [3] PyTorch never queues it: no hooks, nothing freed
            grads = buffers.pop(node, None)                 # the upstream gradient of each of its outputs
            if grads is None:                               # (None: no gradient reached this node)
                pass
            elif usual and node._plain and len(grads) == 1:  # (_plain: built-in code, no hooks of any kind)
                if grads[0] is not None:
                    if type(node) is AccumulateGrad:
                        node.apply(grads.pop())  # a leaf (as _call_backward: handed over, so .grad may take it)
                    else:
                        # The usual step, the same as the general one below with nothing to do for [3], [4] and
                        # [9]: a built-in op's backward, its gradients checked [5] and sent on, in one place.
                        out = node._forward_cls.backward(node, grads.pop())   # the chain rule
                        if not isinstance(out, tuple):
                            out = (out,)
                        if len(out) != len(node._input_meta) or node._is_input is not None:
                            _send(node, _validate(node, out, Tensor), buffers)
                        else:
                            i = 0
                            for g, m, edge in zip(out, node._input_meta, node.next_functions):
                                child = edge[0]
                                if g is not None and child is not None:
                                    if type(g) is not Tensor or g._data.shape != m[0] or g._data.dtype is not m[1]:
                                        g = _fix_up(node, i, g, m, Tensor)
                                    buf = buffers.get(child)        # on to the node of the input (_send)
                                    if buf is None:
                                        if child._n_outputs == 1:
                                            buffers[child] = [g]
                                        else:
                                            buffers[child] = buf = [None] * child._n_outputs
                                            buf[edge[1]] = g
                                    else:
                                        nr = edge[1]
                                        buf[nr] = g if buf[nr] is None else buf[nr] + g
                                i += 1
                        out = g = None
            else:                                           # the general step
                if node._pre_hooks:                         # [4] tensor hooks, retain_grad
                    grads = _run_tensor_hooks(node, grads, user_errors)
                if captures:                                # [3] an input's gradient: keep it
                    for nr, i in captures.get(node, ()):
                        captured[i] = grads[nr]
                if (accumulate or type(node) is not AccumulateGrad) and (needed is None or node in needed) and \
                        (grads[0] is not None if len(grads) == 1 else _any_grad(grads)):
                    result = _call_backward(node, grads, user_errors, Tensor, observe)   # the chain rule
                    if result is not None:
                        _send(node, result, buffers)        # on to the nodes of the inputs
                        result = None
            if node._saved and not retain_graph and (needed is None or node in needed):
                node._release()                             # [7] free what forward saved (PyTorch ran it)
    finally:
        _errstate.restore(quiet)
        grad_mode._state["enabled"] = enabled
    return captured


def _send(node, result, buffers):
    """Add each input's gradient to what its node has received so far (fan-in: gradients add up)."""
    for (child, nr), g in zip(node.next_functions, result):
        if g is not None and child is not None:
            buf = buffers.get(child)
            if buf is None:
                if child._n_outputs == 1:
                    buffers[child] = [g]
                    continue
                buf = buffers[child] = [None] * child._n_outputs
            buf[nr] = g if buf[nr] is None else buf[nr] + g
    # (nothing here outlives the call: the engine keeps no reference to a gradient it handed on, see AccumulateGrad)


def _call_backward(node, grads, user_errors, Tensor, observe):
    """One node's step: its backward turns ``grads`` (upstream) into one gradient per input, checked."""
    if node._prehooks:                                      # [4] node pre-hooks may replace the grads
        for hook in node._prehooks:
            new = _as_user(user_errors, hook, tuple(grads))
            if new is not None:
                grads = list(new)
    if type(node) is AccumulateGrad:                        # a leaf: add to .grad
        if observe is None and not node._hooks:
            node.apply(grads.pop())  # handed over, no reference kept: .grad may take its memory (AccumulateGrad)
        else:
            node.apply(grads[0])
            for hook in node._hooks:                        # [4] as PyTorch: no grad_inputs, the gradient
                _as_user(user_errors, hook, (), tuple(grads))
            if observe is not None:
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
    """The node of each output (or its leaf's), and the starting gradients by node: each at its output_nr."""
    roots, buffers = [], {}
    for out, g in zip(outputs, grad_outputs):
        node = out._grad_fn if out._grad_fn is not None else out._grad_accumulator()
        roots.append(node)
        buf = buffers.setdefault(node, [None] * node._n_outputs)
        buf[out._output_nr] = g if buf[out._output_nr] is None else buf[out._output_nr] + g
    return roots, buffers


# ---------------------------------------------------------------------------------------------- [2] order
def execution_order(roots, needed=None, queued=None):
    """Every node reachable from ``roots`` (the node of each output, in order), in PyTorch's order.

    PyTorch's engine keeps the nodes whose gradients have all arrived in a priority queue and runs a
    leaf's ``AccumulateGrad`` first, else the most recently created node (``_ready_order`` does
    exactly that). Every node is created after the nodes it takes input from (``Function.apply``
    finds its inputs' nodes, a view remaking its node included, then numbers its own; in-place ops
    and custom Functions too), so all the nodes that send a node gradients are newer than it: of the
    nodes not yet run, the newest has always received all of its gradients. That makes the order a
    sort (``_by_sequence``): newest first, each ``AccumulateGrad`` right after its oldest consumer
    (the last to send it a gradient). One walk and one sort instead of a priority queue.

    The sort gives up (None) and the queue decides when the sort could differ from PyTorch: a graph
    that breaks the rule (``next_functions`` set by hand to a newer node), or three or more leaves
    made ready by the same node. PyTorch's queue holds them as equals, and the order in which a
    binary heap returns equals depends on everything else it holds (for two, it is the order they
    were pushed in: the sort does that). With ``inputs=`` the queue holds, as PyTorch's, only the nodes
    that lead to an input, the inputs' own and a lone output's (``needed``, ``queued``); the others are left
    out of the order then.
    """
    return _by_sequence(roots) or _ready_order(roots, needed, queued)


_newest_first = operator.attrgetter("_sequence_nr")


def _by_sequence(roots):
    """PyTorch's order by sorting (see ``execution_order``), or None where the sort could differ from it."""
    inner = [n for n in dict.fromkeys(roots) if not n._priority]  # the nodes to sort: all but leaves' AccumulateGrad
    seen = set(inner)
    fed_last_by = {}  # AccumulateGrad -> its oldest consumer: PyTorch's engine pushes the leaf when that one runs
    for node in inner:  # (a walk: the list grows as nodes are found; a leaf's node feeds nothing, so is not walked)
        seq = node._sequence_nr
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child._priority:
                last = fed_last_by.get(child)
                if last is None or seq < last._sequence_nr:
                    fed_last_by[child] = node
            else:
                if child._sequence_nr >= seq:
                    return None  # a node fed by an older one: the rule does not hold for this graph
                if child not in seen:
                    seen.add(child)
                    inner.append(child)
    leaves_after = {}  # node -> the leaves it feeds last
    for leaf, node in fed_last_by.items():
        leaves_after.setdefault(node, []).append(leaf)
    # Leaves that are outputs themselves and fed by no node: PyTorch's GraphRoot (a node with one edge per
    # output, run first) pushes them, in the order of the outputs.
    pushed = [n for n in roots if n._priority and n not in fed_last_by]
    for leaf in (*fed_last_by, *pushed):  # (the walk above skips leaves' nodes: none may feed another)
        if leaf.next_functions:
            return None  # a leaf's node that feeds others (made by hand, never by the library): the queue decides
    order = _pushed_in_order(roots, pushed)
    if order is None:
        return None
    inner.sort(key=_newest_first, reverse=True)
    append, leaves_of = order.append, leaves_after.get
    for node in inner:
        append(node)
        leaves = leaves_of(node)
        if leaves is not None:
            if len(leaves) > 1:
                leaves = _pushed_in_order([c for c, _ in node.next_functions], leaves)
                if leaves is None:
                    return None
            order += leaves
    return order


def _pushed_in_order(edges, leaves):
    """``leaves`` (fed last by one node, whose edges in order are ``edges``) as PyTorch's queue returns them:
    each is pushed when the last edge into it delivers; the queue returns two equals in the order they were
    pushed, three or more in an order that depends on the heap (None: ``_ready_order`` finds it)."""
    leaves = list(dict.fromkeys(leaves))
    if len(leaves) < 2:
        return leaves
    if len(leaves) > 2:
        return None
    a, b = leaves
    last = {c: i for i, c in enumerate(edges)}
    return leaves if last[a] < last[b] else [b, a]


def _ready_order(roots, needed=None, queued=None):
    """PyTorch's order found as PyTorch's engine finds it. A node is ready when every edge into it has
    delivered (dependency counts); the ready nodes wait in a binary max-heap ordered by creation number,
    every leaf's ``AccumulateGrad`` above all others and equal to each other (``_Heap``: C++'s
    ``std::priority_queue``, which PyTorch uses, step for step, so that equals come out in its order).
    Several outputs start from a root node with one edge to each (PyTorch's GraphRoot); one starts alone."""
    deps = {}
    nodes = list(dict.fromkeys(roots))
    seen = set(nodes)
    for node in nodes:
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                nodes.append(child)
    ready = _Heap()
    if len(roots) == 1:
        ready.push(roots[0])
    else:
        for node in roots:  # (GraphRoot's edges: counted, then delivered)
            deps[node] = deps.get(node, 0) + 1
        _deliver(roots, deps, ready, queued)
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        if queued is None or node in needed:
            _deliver([c for c, _ in node.next_functions if c is not None], deps, ready, queued)
    return order


def _deliver(children, deps, ready, queued):
    for child in children:
        deps[child] -= 1
        if not deps[child] and (queued is None or child in queued):
            ready.push(child)


class _Heap(list):
    """The ready queue of PyTorch's engine: a ``std::priority_queue`` (libstdc++'s ``push_heap`` and ``pop_heap``,
    replayed by ``_stl_sort``), ordered by PyTorch's ``CompareNodeTaskTime``: by sequence number, a leaf's
    ``AccumulateGrad`` having the largest (so all leaves are equal). heapq moves equals differently."""

    def push(self, node):
        self.append(node)
        _push_heap(self, 0, len(self) - 1, 0, node, _runs_later)

    def pop(self):
        top, last = self[0], list.pop(self)
        if self:
            _adjust_heap(self, 0, 0, len(self), last, _runs_later)
        return top


def _runs_later(a, b):
    return (b._priority and not a._priority) or (a._priority == b._priority == 0 and a._sequence_nr < b._sequence_nr)


# ---------------------------------------------------------------------------------------------- [3] inputs=
def _capture_points(inputs):
    """node -> [(output_nr, index in inputs)]: where the gradient of each input can be read."""
    captures = {}
    for i, t in enumerate(inputs):
        node = t._grad_fn if t._grad_fn is not None else t._grad_accumulator()
        captures.setdefault(node, []).append((t._output_nr, i))
    return captures


def _queued(roots, needed, captures):
    """The nodes PyTorch's queue ever holds with ``inputs=``: the needed ones, the inputs' own, and the output's
    node when there is one output (it starts the pass). Their tensor hooks run; only the needed ones run."""
    queued = needed | set(captures)
    if len(roots) == 1:
        queued.add(roots[0])
    return queued


def _leading_to(order, targets):  # (order: each node after the nodes it takes input from)
    """The nodes that must run for gradients to reach the targets: those with an edge into a target or into
    another such node (PyTorch's ``needed_``). A target's own gradient is read as it arrives, so a target runs
    only if it leads to another one; nodes that lead to none are not even visited (no hooks, nothing freed:
    a later backward can still go through them, as in PyTorch)."""
    needed = set()
    for node in order:
        for child, _ in node.next_functions:
            if child is not None and (child in needed or child in targets):
                needed.add(node)
                break
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
    if raw is not None:
        raw += grads
    out = []
    for g, m, (child, _) in zip(grads, meta, node.next_functions):
        if g is None or child is None:                      # no gradient, or this input needs none
            out.append(None)
        elif type(g) is Tensor and g._data.shape == m[0] and g._data.dtype is m[1]:
            out.append(g)                                   # the usual case: the input's shape and dtype
        else:
            out.append(_fix_up(node, len(out), g, m, Tensor))
    return out


def _fix_up(node, i, g, m, Tensor):
    """Gradient ``i`` of ``node`` brought to its input's shape and dtype, or PyTorch's error."""
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
        a = g._data
        if a.ndim == len(shape) + 1 and a.shape[1:] == shape and type(g) is Tensor and \
                not grad_mode._state["enabled"]:
            # One leading dimension (a bias's gradient): the sum that sum_to_size computes, without the op's
            # call; nothing is recorded here anyway (no create_graph), so the result is the same tensor.
            g = Tensor._wrap(np.add.reduce(a, axis=0))
        else:
            g = g.sum_to_size(shape)  # undo broadcasting: the one place it is done
    if g._data.dtype != dtype:
        if g._data.dtype.kind == "c" and dtype.kind != "c":  # a complex gradient for a real input
            if node._runs_user_code:  # PyTorch's check: a Function of the user's must return a real one
                raise RuntimeError(
                    "Expected isFloatingType(grad.scalar_type()) || (input_is_complex == grad_is_complex) to be "
                    f"true, but got false. (Function {node.name()} returned a complex gradient for the real input "
                    f"{i}: return its real part, grad.real, as the built-in ops do.)")
            g = g.real  # a built-in op's real input of a complex result: the real part (PyTorch's handle_r_to_c)
        g = g.to(_by_np[dtype])
    return g


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
    if not shape or to[len(to) - len(shape):] == shape:  # leading dimensions only (a bias's gradient): no loop
        return True
    return all(s == 1 or s == t for s, t in zip(reversed(shape), reversed(to)))


# ---------------------------------------------------------------------------------------------- [9] watching
def _observer():
    """What sees every step of this pass: the ``watch`` functions, and ``autograd.trace()``'s recorder."""
    fns = list(_watchers)
    if _trace.state["on"]:
        fns.append(lambda step: _trace.record_grads(step.node, step.upstream))
    if _anomaly.is_anomaly_check_nan_enabled():  # detect_anomaly: a NaN gradient is an error
        fns.append(_anomaly.check_step)
    if not fns:
        return None
    if len(fns) == 1:
        return fns[0]
    return lambda step: [fn(step) for fn in fns]


# ---------------------------------------------------------------------------------------------- small helpers
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
