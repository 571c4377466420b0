"""Exercises of lesson 6, Autograd (notebooks/06-autograd.ipynb)."""
import math

import numpy as np

from .answers import call, expect_values, is_tensor, kind, number, returned, shape, show, tensor_answer, values
from .exercises import NotAnswered, Wrong, add, expect


@add("6.1", hints=[
    "There are two nodes: the inner one multiplies x by 3, the outer one takes the exponential of that. The "
    "chain rule multiplies their local derivatives, each taken at its own input.",
    "dy/du = e^u (the exp is its own derivative), taken at u = 3 * 0.5 = 1.5; du/dx = 3. Multiply them.",
], solution="answer = math.exp(3 * 0.5) * 3")
def _(answer):
    value = number(answer)
    right = 3 * math.exp(1.5)
    for wrong, why in [
        (math.exp(1.5), "That is e^(3x) itself: you forgot the inner derivative. Multiply by d(3x)/dx = 3."),
        (3 * math.exp(0.5), "You took the exp at x = 0.5; the outer derivative is taken at its own input, "
                            "u = 3x = 1.5: e^1.5 * 3."),
        (math.exp(1.5) / 3, "You divided by the inner derivative; the chain rule multiplies: e^1.5 * 3."),
        (1.5 * math.exp(1.5), "You multiplied by 3x = 1.5, the inner function's value; the chain rule needs its "
                              "derivative, d(3x)/dx = 3."),
        (math.exp(1.5) + 3, "You added the two local derivatives; the chain rule multiplies them: e^1.5 * 3."),
    ]:
        expect(abs(value - wrong) > 1e-3, why)
    expect(abs(value - right) < 1e-3, f"Your answer is {value:.6g}, which is not dy/dx at x = 0.5: the chain rule "
                                      "gives e^(3x) * 3.")


@add("6.2", hints=[
    "Let autograd do the calculus: build g from u and v, run the backward pass once, and read the "
    "gradients where backward puts them.",
    "g = u ** 2 * v + v, then g.backward(); the partial derivatives land in u.grad and v.grad.",
], solution="""
    g = u ** 2 * v + v
    g.backward()
    answer = (u.grad, v.grad)
    """)
def _(answer):
    if answer is ...:
        raise NotAnswered
    expect(isinstance(answer, (tuple, list)) and len(answer) == 2, "Give a pair: answer = (u.grad, v.grad).")
    expect(not all(is_tensor(g) and g.requires_grad and g.is_leaf for g in answer),
           "Those are u and v themselves, not their gradients: after g.backward(), read u.grad and v.grad.")
    expect(all(g is not None for g in answer), "A gradient is None: call g.backward() before reading u.grad and "
                                               "v.grad (and g.grad stays None: gradients land in the leaves).")
    du, dv = (number(g, "Each gradient") for g in answer)
    for k in (2, 3):
        expect((du, dv) != (4.0 * k, 2.0 * k), f"Both gradients are {k} times too big: they accumulated over {k} "
                                               "backward() calls. Re-run the whole cell, so that u and v start "
                                               "fresh, and call backward once.")
    expect((du, dv) != (2.0, 4.0), "The two are swapped: the pair is (u.grad, v.grad), and dg/du = 2uv = 4.")
    expect(abs(du - 4) < 1e-5, f"dg/du is {du:g}; by hand it is 2uv = 4.")
    expect(abs(dv - 2) < 1e-5, f"dg/dv is {dv:g}; by hand it is u**2 + 1 = 2.")


@add("6.3", solution_as_last_hint=False, answers=("prediction",), hints=[
    "Each pass through the loop builds a new graph and runs backward on it. Ask what backward does to a "
    "leaf's .grad that already holds a number.",
    "Each pass gives dy/dx = 5, and backward adds into x.grad instead of overwriting it; the loop runs 3 "
    "times.",
    "prediction = 15.0   # 5 + 5 + 5",
], solution="prediction = 15.0   # 5 + 5 + 5: backward adds, it never overwrites")
def _(prediction):
    value = number(prediction, "Your prediction")
    expect(value != 5, "5 would mean each backward() overwrites x.grad; it adds into it, and it ran three times.")
    expect(value != 125, "125 = 5 * 5 * 5: backward adds into .grad, it does not multiply.")
    expect(value != 3, "3 counts the backward() calls; x.grad holds the sum of the derivatives they computed.")
    expect(value != 0, "x.grad is 0 only after zeroing it; nothing here zeroes it.")
    expect(value == 15, f"{value:g} is not it: what does each backward() add into x.grad?")


@add("6.4", hints=[
    "The backward pass needs one number to differentiate. Which one number, made from the five y_i, has "
    "the five derivatives dy_i/dx_i as its gradient?",
    "The sum of the y_i: d(sum_j x_j^3)/dx_i = 3 x_i^2. Call backward on y.sum(), then read x.grad.",
], solution="""
    y = x ** 3
    y.sum().backward()
    answer = x.grad
    """)
def _(answer):
    if answer is ...:
        raise NotAnswered
    expect(answer is not None, "answer is None: x.grad is None until you call backward() on something computed "
                               "from x.")
    if isinstance(answer, tuple) and len(answer) == 1:
        raise Wrong("answer is a tuple with one tensor in it: torch.autograd.grad returns one gradient per input. "
                    "Take its [0], or use backward() and x.grad.")
    tensor_answer(answer)
    xs = np.linspace(0, 1, 5)
    right = 3 * xs ** 2
    expect(not (shape(answer) == (5,) and np.allclose(values(answer), xs ** 3, atol=1e-6)),
           "Those are the values y_i = x_i^3 themselves, not their derivatives: call y.sum().backward() and give "
           "x.grad.")
    expect(not (shape(answer) == (5,) and np.allclose(values(answer), right / 5, atol=1e-6)),
           "Those are the derivatives divided by 5: the mean divides by the number of elements. Use y.sum().")
    expect(not (shape(answer) == (5,) and np.allclose(values(answer), 2 * right, atol=1e-6)),
           "Those are twice the derivatives: gradients accumulated over two backward() calls. Re-run the cell "
           "from the top (a fresh x) and call backward once.")
    expect_values(answer, right)


_CASES = [  # (name shown in messages, f, x, h, exact derivative)
    ("math.exp", math.exp, 1.0, 0.1, math.exp(1.0)),
    ("math.sin", math.sin, 0.5, 0.01, math.cos(0.5)),
    ("lambda v: v ** 3", lambda v: v ** 3, 2.0, 0.5, 12.0),
]


@add("6.5", answers=("central_difference",), hints=[
    "Nudge x a little to each side, by h, see how far f moves between the two points, and divide by how "
    "far apart the two points are.",
    "The two points x - h and x + h are 2h apart: (f(x + h) - f(x - h)) / (2 * h). Mind the parentheses "
    "around 2 * h.",
], solution="return (f(x + h) - f(x - h)) / (2 * h)")
def _(central_difference):
    if central_difference is ...:
        raise NotAnswered
    expect(callable(central_difference) and not isinstance(central_difference, type),
           f"Give the function central_difference itself, but this is {kind(central_difference)}.")
    for label, f, x, h, exact in _CASES:
        args = {"f": f, "x": x, "h": h}
        got = call(central_difference, "central_difference", args)
        value = number(got, f"central_difference(f, x, h) for f = {label}")
        right = (f(x + h) - f(x - h)) / (2 * h)
        if abs(value - right) <= 1e-9 * max(1.0, abs(right)):
            continue
        given = {"f": _Label(label), "x": x, "h": h}
        for wrong, why in [
            ((f(x + h) - f(x)) / h, "That is the forward difference, (f(x + h) - f(x)) / h: it is off by about "
                                    "h times the second derivative. Look to both sides: f(x + h) - f(x - h)."),
            ((f(x + h) - f(x - h)) / h, "You divided by h, but x - h and x + h are 2h apart: divide by 2 * h."),
            ((f(x + h) - f(x - h)) / 2 * h, "/ 2 * h divides by 2 and then multiplies by h (Python works left to "
                                            "right): put parentheses around (2 * h)."),
            ((f(x - h) - f(x + h)) / (2 * h), "Wrong sign: subtract f(x - h) from f(x + h), not the other way "
                                              "round."),
            (f(x + h) - f(x - h), "You forgot to divide by the distance between the two points, 2 * h."),
        ]:
            expect(abs(value - wrong) > 1e-9 * max(1.0, abs(wrong)),
                   returned("central_difference", given, value, right, why))
        raise Wrong(returned("central_difference", given, value, right,
                             f"The exact derivative is {exact:.6g}; the central difference should be close to it."))


class _Label:
    """Shows as its text in a message (a function given to the student's code)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text
