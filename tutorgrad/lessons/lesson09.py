"""Exercises of lesson 9, Custom gradients (notebooks/09-custom-gradients.ipynb)."""
import numpy as np

from .answers import gave, is_tensor, kind, lib_of, number, returned, show, values
from .exercises import NotAnswered, Wrong, add, expect


@add("9.1", solution_as_last_hint=False, answers=("prediction",), hints=[
    "At 3.0 the primer's function does not compute anything from its input: it returns a tensor it has just "
    "created. Follow the graph back from the result: does it ever reach s?",
    "The new tensor is a leaf with no connection to s, and multiplying it by 2 does not connect it either. "
    "If backward never reaches s, s.grad is never set.",
    "prediction = None   # the graph is cut: backward never reaches s",
], solution="prediction = None   # the graph is cut: backward never reaches s, so s.grad stays None")
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    expect(prediction != "None", 'That is the string "None"; write the value None, without quotes.')
    if prediction is not None:
        value = number(prediction, "Your prediction")
        expect(value != 0, "0 would mean a gradient reached s and it was zero (even 0 is a gradient). Does the "
                           "new tensor returned at 3.0 have any connection to s?")
        expect(value not in (1, 2), f"{value:g} would be the derivative if the function were the identity at 3.0 "
                                    "(times 2). But at 3.0 it returns a new tensor: is there a path back to s?")
        raise Wrong(f"{value:g} is a gradient; does backward() ever reach s? The new tensor has no connection to it.")


def _function_class(cls):
    """The answer's library, after checking it is a Function class."""
    if cls is ...:
        raise NotAnswered
    lib = lib_of(cls)
    expect(isinstance(cls, type) and issubclass(cls, lib.autograd.Function),
           f"Give the class itself (a subclass of torch.autograd.Function), not {kind(cls)}.")
    return lib


def _forward_backward(cls, name, values_in, upstream):
    """Apply ``cls`` to ``values_in``, backward with ``upstream``; returns ``(lib, x, y, args)``."""
    lib = _function_class(cls)
    x = lib.tensor(values_in, requires_grad=True)
    args = {"x": x}
    try:
        y = cls.apply(x)
    except Exception as e:
        raise Wrong(f"{name}.apply(x) raised {type(e).__name__} in forward: {e}\n  Given:\n    x = {show(x)}") from None
    if y is ... or y is None:
        raise NotAnswered
    expect(is_tensor(y), f"forward returned {kind(y)}; it must return a tensor computed from x.")
    expect(y.grad_fn is not None, "The output is not connected to the graph: forward must return a tensor.")
    g = lib.tensor(upstream)
    try:
        y.backward(g)
    except ValueError as e:
        if "unpack" in str(e):
            raise Wrong(f"backward failed with ValueError: {e}. ctx.saved_tensors is empty: forward must save x with "
                        "ctx.save_for_backward(x) for backward to read it back.") from None
        raise Wrong(f"backward failed with ValueError: {e}") from None
    except Exception as e:
        raise Wrong(f"backward failed with {type(e).__name__}: {e}. backward gets grad_output and must return one "
                    "tensor, the gradient for x.") from None
    return lib, x, y, args


_X, _UP = [1.0, -2.0, 3.0], [0.5, -1.0, 2.0]


@add("9.2", solution_as_last_hint=False, answers=("Square",), hints=[
    "forward computes the value and keeps what backward will need; backward turns the gradient that arrives "
    "from above into the gradient for x, by the chain rule: upstream times local derivative.",
    "forward: ctx.save_for_backward(x), then return x * x. backward: read x back with x, = ctx.saved_tensors, "
    "and return grad_output times the derivative 2 * x.",
    """
    In forward:
        ctx.save_for_backward(x)
        return x * x
    In backward:
        x, = ctx.saved_tensors
        return grad_output * 2 * x
    """,
], solution=(
    """
    ctx.save_for_backward(x)
    return x * x
    """,
    """
    x, = ctx.saved_tensors
    return grad_output * 2 * x
    """))
def _(Square):
    lib, x, y, args = _forward_backward(Square, "Square", _X, _UP)
    xs, up = np.array(_X), np.array(_UP)
    expect(np.allclose(values(y), xs ** 2), returned("Square.apply", args, y, xs ** 2, "forward should return x "
                                                                                      "squared, x * x."))
    expect(x.grad is not None, "x.grad is None after backward: backward must return the gradient for x.")
    got = values(x.grad)
    for wrong, why in [
        (2 * xs, "That is the local derivative 2x alone: you forgot grad_output, the upstream gradient. backward must "
                 "multiply the gradient that arrives from above by the local derivative: grad_output * 2 * x."),
        (up * xs, "You forgot the 2: the derivative of x**2 is 2x, so backward returns grad_output * 2 * x."),
        (up * 2, "The derivative of x**2 is 2x, not 2: multiply by x too, grad_output * 2 * x."),
        (-up * 2 * xs, "Wrong sign: the derivative of x**2 is +2x."),
        (up * xs ** 2, "That is grad_output times x**2, the value; backward needs the derivative, 2x."),
    ]:
        if np.allclose(got, wrong):
            raise Wrong(gave("x.grad after Square.apply(x).backward(grad_output)",
                             {"x": x, "grad_output": lib.tensor(_UP)}, x.grad, up * 2 * xs, why))
    expect(np.allclose(got, up * 2 * xs), gave("x.grad after Square.apply(x).backward(grad_output)",
                                               {"x": x, "grad_output": lib.tensor(_UP)}, x.grad, up * 2 * xs,
                                               "backward should return grad_output * 2 * x."))
    x64 = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
    expect(lib.autograd.gradcheck(Square.apply, (x64,), raise_exception=False),
           "The gradient looks right in float32 but gradcheck fails in float64: does forward or backward convert "
           "the dtype?")


_C, _CUP = [-0.5, 0.5, 2.0], [1.0, 2.0, -3.0]


@add("9.3", solution_as_last_hint=False, answers=("ClampSTE",), hints=[
    "A straight-through estimator does the real thing forward and pretends, backward, that it was the "
    "identity: whatever gradient arrives, it passes on unchanged.",
    "forward: return x.clamp(0, 1). backward: return grad_output, as it is (the identity's local derivative is 1).",
    """
    In forward:
        return x.clamp(0, 1)
    In backward:
        return grad_output
    """,
], solution=("return x.clamp(0, 1)", "return grad_output"))
def _(ClampSTE):
    lib, x, y, args = _forward_backward(ClampSTE, "ClampSTE", _C, _CUP)
    expect(not np.allclose(values(y), _C), returned("ClampSTE.apply", args, y, np.clip(_C, 0, 1),
                                                    "forward returned x unchanged: it should clamp it, x.clamp(0, 1)."))
    expect(np.allclose(values(y), np.clip(_C, 0, 1)), returned("ClampSTE.apply", args, y, np.clip(_C, 0, 1),
                                                               "forward should return x.clamp(0, 1)."))
    expect(x.grad is not None, "x.grad is None after backward: backward must return the gradient for x.")
    got, up = values(x.grad), np.array(_CUP)
    given = {"x": x, "grad_output": lib.tensor(_CUP)}
    for wrong, why in [
        (up * ((np.array(_C) >= 0) & (np.array(_C) <= 1)), "That is clamp's own gradient (0 where it clipped); a "
                                                           "straight-through estimator passes grad_output on "
                                                           "unchanged."),
        (np.ones(3), "All ones: you returned the local derivative alone (torch.ones_like), so the gradient from above "
                     "is lost. Return grad_output itself."),
        (np.zeros(3), "All zeros: nothing gets through. Return grad_output itself."),
    ]:
        if np.allclose(got, wrong):
            raise Wrong(gave("x.grad after ClampSTE.apply(x).backward(grad_output)", given, x.grad, up, why))
    expect(np.allclose(got, up), gave("x.grad after ClampSTE.apply(x).backward(grad_output)", given, x.grad, up,
                                      "backward should return grad_output unchanged."))


@add("9.4", answers=("predictions",), hints=[
    "Ask of each expression: is its last operation recorded in the graph? And if it is, what is its local "
    "derivative, the slope of round between the whole numbers?",
    "round is recorded, and flat between the whole numbers: its local derivative is 0, so the chain rule gives "
    "0 for every score. A comparison (==) gives True/False, which is never tracked.",
], solution="predictions = [[0.0, 0.0, 0.0], False]")
def _(predictions):
    if predictions is ...:
        raise NotAnswered
    expect(isinstance(predictions, (list, tuple)) and len(predictions) == 2,
           "Answer with a list of two things: [your scores.grad, True or False].")
    grad, tracked = predictions
    if grad is None:
        raise Wrong("scores.grad is not None: round is recorded in the graph (it has a derivative, 0, almost "
                    "everywhere), so a gradient does arrive at scores. Which one?")
    try:
        g = values(grad).ravel()
    except (TypeError, ValueError):
        raise Wrong("Write scores.grad as a list of three numbers (or one number if all three are the same).") from None
    expect(g.size in (1, 3), "Write scores.grad as a list of three numbers (or one number if all three are the same).")
    expect(np.allclose(g, 0), f"scores.grad is all zeros, not {show(grad)}: round is flat between the whole numbers, "
                              "so its local derivative is 0, and by the chain rule every score gets 0 (without "
                              "round it would be the sign of the error divided by 3).")
    expect(isinstance(tracked, (bool, np.bool_)), "The second answer is True or False.")
    expect(not tracked, "A comparison (==) gives True or False, which have no derivative: its result is never "
                        "tracked, so requires_grad is False.")


@add("9.5", solution_as_last_hint=False, answers=("culprit",), hints=[
    "You do not need to find the mistake by hand: gradcheck compares each backward with finite differences, "
    "and tells you which one disagrees.",
    "x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True); then "
    "torch.autograd.gradcheck(A.apply, (x,), raise_exception=False), and the same for B.",
    """
    x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    print(torch.autograd.gradcheck(A.apply, (x,), raise_exception=False))   # True
    print(torch.autograd.gradcheck(B.apply, (x,), raise_exception=False))   # False
    culprit = "B"
    """,
], solution="""
    x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    # A passes gradcheck, B fails: d/dx log(1 + x**2) is 2x / (1 + x**2), not 2x / (1 + x)**2
    culprit = "B"
    """)
def _(culprit):
    if culprit is ...:
        raise NotAnswered
    expect(not isinstance(culprit, bool), f"{culprit} is what gradcheck returns; the answer is the name of the "
                                          'Function whose backward is wrong, "A" or "B".')
    expect(isinstance(culprit, str), f'Answer with a string, "A" or "B", not {kind(culprit)}.')
    name = culprit.strip().upper()
    expect(name not in ("BOTH", "A AND B", "AB"), "Only one of them is wrong: run gradcheck on each (with "
                                                  "raise_exception=False) and see which one returns False.")
    expect(name not in ("NEITHER", "NONE"), "One of them is wrong: gradcheck returns False for it.")
    expect(name in ("A", "B"), 'Answer "A" or "B".')
    expect(name == "B", "A's backward is right: d/dx (x sin x) = x cos x + sin x. Run gradcheck on both.")
