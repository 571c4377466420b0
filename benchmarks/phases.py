"""Where a workload's instructions go, phase by phase: markers for callgrind (``instructions.py --phases``).

``install(tutorgrad)`` wraps the functions that open a phase of a training step, in a running
tutorgrad (this checkout's or another's: nothing in the library changes):

=========================  ==========================================================================
phase                      what runs in it
=========================  ==========================================================================
``glue <Module>``          a module's ``__call__`` / ``forward`` and ``nn.functional`` around the ops
``apply <Op>``             ``Function.apply``'s bookkeeping for a forward op (graph node, edges, checks)
``<Op>.forward``           the op's own ``forward`` (its NumPy work and checks)
``engine``                 ``backward()`` outside the nodes: ordering, buffers, gradient checks, hooks
``backward <Node>``        one node's backward formula (the unrecorded ops it runs included)
``AccumulateGrad``         adding a gradient to a leaf's ``.grad``
``optimizer step``         ``optimizer.step()``; ``zero_grad`` likewise
``rest``                   everything else: the workload's own loop, ``loss.item()``, Python operators
=========================  ==========================================================================

A phase nested in another (an op applied inside a backward formula) counts for the inner one,
except that ops applied while a backward, the engine or the optimizer runs count for that phase.

Every boundary calls ``math.lgamma(1.0)``, which nothing else in a step calls; run under callgrind with
``--dump-before=math_lgamma``, each call writes the instructions since the previous one to a file of its
own. ``log`` says which phase each of those segments belongs to, in order. The markers cost
instructions too; ``calibrate()`` measures them, for each kind of segment (after entering / after leaving
a phase, until entering / leaving the next), so that they can be subtracted (``instructions.py`` reports
how close the sum of the phases then comes to the uninstrumented count).
"""
import math

_mark = math.lgamma  # a C function with a symbol of its own (math_lgamma) that a training step never calls

log = []          # per segment: (phase, boundary that opened it, boundary that closed it, pass-throughs in it)
_stack = ["rest"]
_state = {"on": False, "opened_by": "enter", "passes": 0}
_ENGINE_LIKE = ("engine", "backward ", "AccumulateGrad", "optimizer ")


def _boundary(kind):
    if _state["on"]:
        log.append((_stack[-1], _state["opened_by"], kind, _state["passes"]))
        _state["opened_by"], _state["passes"] = kind, 0
        _mark(1.0)


def enter(name):
    _boundary("enter")
    _stack.append(name)


def leave():
    _boundary("leave")
    _stack.pop()


def start():
    """Start recording segments (the segment before this one is discarded)."""
    _state["on"] = True
    log.append(("(set-up)", "enter", "enter", 0))
    _state["opened_by"], _state["passes"] = "enter", 0
    _mark(1.0)


def stop():
    _boundary("enter")
    _state["on"] = False


def wrap(fn, name, defer=False):
    """``fn`` with a phase around it. ``name(*args)`` names the phase; ``defer``: inside the engine, a backward or
    the optimizer, no phase of its own (the call is counted as a pass-through, whose cost is subtracted)."""
    def wrapper(*args, **kwargs):
        if defer and _stack[-1].startswith(_ENGINE_LIKE):
            _state["passes"] += 1
            return fn(*args, **kwargs)
        enter(name(*args))
        try:
            return fn(*args, **kwargs)
        finally:
            leave()
    wrapper.__wrapped__ = fn
    return wrapper


def _named(text):
    return lambda *args: text


def calibrate(n=50):
    """Segments whose only content is the markers' own cost (for each pair of boundary kinds), then the cost
    of a pass-through: ``n`` calls with the wrapper, ``n`` without."""
    noop = wrap(lambda *args: None, _named("(calibration)"))
    nested = wrap(lambda *args: noop(*args), _named("(calibration)"))
    for _ in range(n):
        nested(None, None)   # enter→enter, enter→leave, leave→leave, leave→enter (the next round)
    deferred = wrap(lambda *args: None, _named("(calibration)"), defer=True)
    plain = deferred.__wrapped__
    enter("backward (calibration, pass-through)")
    for _ in range(n):
        deferred(None, None)
    leave()
    enter("backward (calibration, plain)")
    for _ in range(n):
        plain(None, None)
    leave()


def _subclasses(cls):
    found = set()
    todo = [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def install(tutorgrad):
    """Wrap the phases' entry points in ``tutorgrad`` (a loaded package of any checkout). Every wrapper has its
    phase's name fixed (one wrapper per class), so that every marker costs the same as in ``calibrate``."""
    from tutorgrad.autograd import function as F

    Function, AccumulateGrad = F.Function, F.AccumulateGrad
    apply = Function.__dict__["apply"].__func__
    for cls in _subclasses(Function):
        cls.apply = classmethod(wrap(apply, _named(f"apply {cls.__name__}"), defer=True))
        for attr in ("forward", "backward"):
            # (a class that inherits its parent's forward or backward gets a wrapper of its own too)
            fn = getattr(cls, attr)
            fn = getattr(fn, "__wrapped__", fn)
            if attr == "forward":
                fn = wrap(fn, _named(f"{cls.__name__}.forward"), defer=True)
            else:
                fn = wrap(fn, _named(f"backward {cls._backward_cls.__name__}"))
            setattr(cls, attr, staticmethod(fn))
    accumulate = AccumulateGrad.apply

    def accumulate_handed_over(self, grad):
        # (as ``wrap``, but the gradient is handed on holding no reference to it, as the engine hands it over:
        # a reference kept here would make AccumulateGrad copy a gradient it would otherwise take over)
        enter("AccumulateGrad")
        box = [grad]
        del grad
        try:
            return accumulate(self, box.pop())
        finally:
            leave()
    AccumulateGrad.apply = accumulate_handed_over
    Tensor = tutorgrad.Tensor
    Tensor.backward = wrap(Tensor.backward, _named("engine"))
    Module = tutorgrad.nn.Module
    call = Module.__call__
    for cls in [Module, *_subclasses(Module)]:
        cls.__call__ = wrap(call, _named(f"glue {cls.__name__}"))
    Optimizer = tutorgrad.optim.Optimizer
    for cls in [Optimizer, *_subclasses(Optimizer)]:
        for attr in ("step", "zero_grad"):
            if attr in cls.__dict__:
                setattr(cls, attr, wrap(cls.__dict__[attr], _named(f"optimizer {attr}")))
