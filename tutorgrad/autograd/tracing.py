"""``trace()``: keep every intermediate value and gradient on the graph's own nodes (a tutorgrad extra).

A graph normally forgets the values it computed: an intermediate result lives only while some
variable (or a node's saved tensors) holds it, and ``backward`` hands each gradient on without
keeping it. Inside ``with trace():``

* every op recorded into the graph keeps a copy of its output value(s) on its node
  (``node.traced_values``), and
* every backward pass keeps on each node the gradient of the output that reached it
  (``node.traced_grads``: d(output of backward) / d(this node's output)),

so that a drawing (``viz.draw``) can show the value and the gradient of every node, read from the
engine's own graph. Outside the block nothing is recorded (a check per op, nothing more).

>>> with tutorgrad.autograd.trace():
...     y = (x * w).sin()
...     y.backward()
>>> y.grad_fn.next_functions[0][0].traced_grads        # d y / d (x * w) = cos(x * w)  # doctest: +SKIP
"""
import contextlib

from .. import _registered

state = {"on": False}  # read by Function.apply for every recorded op, and by the engine once per pass


@contextlib.contextmanager
def trace():
    """Record values and gradients on the graph's nodes while the block runs (see the module's doc)."""
    before = state["on"]
    state["on"] = True
    try:
        yield
    finally:
        state["on"] = before


def record_values(node, outputs):
    """``outputs`` of the op that made ``node``: their values, copied (a later in-place change must not alter them)."""
    Tensor = _registered.Tensor
    node._traced_values = tuple([Tensor._wrap(o._data.copy()) if isinstance(o, Tensor) else None for o in outputs])


def record_grads(node, grads):
    """The gradients of ``node``'s outputs as the engine hands them to its backward."""
    node._traced_grads = tuple([None if g is None else g.detach() for g in grads])
