"""Exercises of lesson 10, Inside the engine (notebooks/10-inside-the-engine.ipynb)."""
import math

import numpy as np

from .answers import does_nothing, gave, kind, returned, values
from .exercises import NotAnswered, Wrong, add, expect
from .lesson09 import _forward_backward


class _Label:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


@add("10.1", answers=("Value",), hints=[
    "The backward step of one node: take the gradient that arrived at its output, multiply it by the "
    "local derivative, and add the product to the input's gradient (add, because the input may be used "
    "elsewhere too). For the exponential, the local derivative is the output itself.",
    "out.grad is the upstream gradient; the local derivative of e^x is e^x, which out.data holds; add their "
    "product to self.grad with +=.",
], solution="self.grad += out.data * out.grad")
def _(Value):
    if Value is ...:
        raise NotAnswered
    expect(isinstance(Value, type) and hasattr(Value, "exp"),
           f"Give the class Value (with its exp), not {kind(Value)}.")
    for x, before, up in [(0.5, 0.25, -2.0), (-1.2, 0.0, 1.5), (2.0, 1.0, 3.0)]:
        v = Value(x)
        v.grad = before
        try:
            out = v.exp()
            if does_nothing(out.backward_step):
                raise NotAnswered  # the backward step is still the ... of the exercise cell
            out.grad = up
            out.backward_step()
        except NotAnswered:
            raise
        except Exception as e:
            raise Wrong(f"Value({x}).exp() and its backward step raised {type(e).__name__}: {e}") from None
        e = math.exp(x)
        expect(abs(out.data - e) < 1e-9 * e, "exp's forward changed: keep out = Value(math.exp(self.data), (self,), "
                                             "\"exp\").")
        got, right = v.grad, before + up * e
        if abs(got - right) < 1e-9 * max(1.0, abs(right)):
            continue
        given = {"x": _Label(f"Value({x}) with grad {before}"), "out.grad": up}
        for wrong, why in [
            (before, "self.grad did not change: the backward step must add to it, self.grad += ..."),
            (before + e, "You forgot out.grad, the upstream gradient: the local derivative must be multiplied by it."),
            (up * e, "self.grad lost what it held before: use +=, not =, so that a value used twice collects both "
                     "contributions."),
            (before + up * x, "The local derivative of e^x is e^x (out.data), not x (self.data)."),
            (before - up * e, "Wrong sign: the local derivative e^x is positive."),
            (before + up, "That treats exp like +: its local derivative is not 1 but e^x, out.data."),
        ]:
            if abs(got - wrong) < 1e-9 * max(1.0, abs(wrong)):
                raise Wrong(gave("self.grad after the backward step", given, got, right, why))
        raise Wrong(gave("self.grad after the backward step", given, got, right,
                         "Add out.data * out.grad to self.grad."))


@add("10.2", solution_as_last_hint=False, answers=("prediction",), hints=[
    "Follow every path from f back to each input. Along a path, the local derivatives multiply; where "
    "paths meet at the same input, their contributions add up.",
    "For a: one path, through a * b, local derivative b = 3. For b: through a * b (local derivative a = 2) "
    "and through the + (local derivative 1); add them.",
    "prediction = [3.0, 3.0]   # a.grad = b; b.grad = a + 1",
], solution="prediction = [3.0, 3.0]   # a.grad = b = 3; b.grad = a + 1 = 3, two paths added")
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    try:
        got = np.asarray(prediction, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong("Answer with a list of two numbers, [a.grad, b.grad].") from None
    expect(got.size == 2, "Answer with a list of two numbers, [a.grad, b.grad].")
    da, db = got
    expect(not (da == 3 and db == 1), "b.grad = 1 counts only the path through +; b also reaches f through a * b, "
                                      "which adds a = 2. Contributions of two paths add up.")
    expect(not (da == 3 and db == 2), "b.grad = 2 counts only the path through a * b; the path through + adds 1 "
                                      "more.")
    expect(not (da == 3 and db == 6), "The two paths' contributions add up (2 + 1); they do not multiply.")
    expect(not (da == 2 and db == 3), "a.grad is the local derivative of a * b by a, which is b = 3; 2 is a itself.")
    expect(da == 3, f"a.grad is {da:g}? a reaches f only through a * b, whose local derivative by a is b = 3.")
    expect(db == 3, f"b.grad is {db:g}? Add what the two paths give: a = 2 through a * b, 1 through +.")


_X, _UP = [-1.0, 0.5, 2.0], [1.0, -2.0, 0.5]


def _sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x)))


@add("10.3", solution_as_last_hint=False, answers=("Softplus",), hints=[
    "Like the Square of lesson 9: forward computes the value and keeps what backward needs; backward "
    "multiplies the gradient that arrives by the local derivative, here the sigmoid of the input.",
    "forward: ctx.save_for_backward(x), then return (1 + x.exp()).log(). backward: x, = ctx.saved_tensors, "
    "then return grad_output * torch.sigmoid(x).",
    """
    In forward:
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()
    In backward:
        x, = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)
    """,
], solution=(
    """
    ctx.save_for_backward(x)
    return (1 + x.exp()).log()
    """,
    """
    x, = ctx.saved_tensors
    return grad_output * torch.sigmoid(x)
    """))
def _(Softplus):
    lib, x, y, args = _forward_backward(Softplus, "Softplus", _X, _UP)
    xs, up = np.array(_X), np.array(_UP)
    want = np.log1p(np.exp(xs))
    expect(np.allclose(values(y), want, atol=1e-5),
           returned("Softplus.apply", args, y, want, "forward should return log(1 + e^x): (1 + x.exp()).log()."))
    expect(x.grad is not None, "x.grad is None after backward: backward must return the gradient for x.")
    got, right = values(x.grad), up * _sigmoid(xs)
    given = {"x": x, "grad_output": lib.tensor(_UP)}
    for wrong, why in [
        (_sigmoid(xs), "That is the sigmoid alone: you forgot grad_output, the upstream gradient. Return "
                       "grad_output * torch.sigmoid(x)."),
        (up * np.exp(xs), "That is e^x; the derivative of log(1 + e^x) is e^x / (1 + e^x), the sigmoid."),
        (up * _sigmoid(-xs), "That is sigmoid(-x) = 1 / (1 + e^x): the sign of x is flipped. s'(x) = sigmoid(x)."),
        (up * want, "That is softplus itself times grad_output; backward needs its derivative, the sigmoid."),
    ]:
        if np.allclose(got, wrong, atol=1e-5):
            raise Wrong(gave("x.grad after Softplus.apply(x).backward(grad_output)", given, x.grad, right, why))
    expect(np.allclose(got, right, atol=1e-5), gave("x.grad after Softplus.apply(x).backward(grad_output)", given,
                                                    x.grad, right, "backward should return grad_output * "
                                                                   "torch.sigmoid(x)."))
    x64 = lib.tensor([0.3, -1.5], dtype=lib.float64, requires_grad=True)
    expect(lib.autograd.gradcheck(Softplus.apply, (x64,), raise_exception=False),
           "The gradient looks right in float32 but gradcheck fails in float64: does forward or backward convert "
           "the dtype?")
