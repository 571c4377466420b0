"""Exercises of lesson 7, Jacobians and higher derivatives (notebooks/07-jacobians.ipynb)."""
import math

import numpy as np

from .answers import expect_values, known_mistakes, number, shape, show, tensor_answer, values
from .exercises import NotAnswered, Wrong, add, expect

_J = np.array([[2.0, 3.0], [1.0, 1.0], [0.0, 4.0]])   # g(x) = (x0 x1, x0 + x1, x1^2) at x = (3, 2)


@add("7.1", answers=("J",), hints=[
    "Each output gets its own backward pass, started with a vector that picks that output alone; what "
    "lands in x.grad is that output's row. Collect the rows and stack them.",
    "For output i: reset x.grad to None, make e_i (zeros with a 1 at position i), call "
    "y.backward(gradient=e_i, retain_graph=True), keep x.grad.clone(). Then torch.stack(rows).",
], solution="""
    rows = []
    for i in range(3):
        x.grad = None
        e_i = torch.zeros(3)
        e_i[i] = 1.0
        y.backward(gradient=e_i, retain_graph=True)
        rows.append(x.grad.clone())
    J = torch.stack(rows)
    """)
def _(J):
    if isinstance(J, list) and J and not isinstance(J[0], (int, float)):
        raise Wrong("J is a Python list of rows: stack them into one tensor, torch.stack(rows).")
    tensor_answer(J, "J")
    expect(not (shape(J) == (2,) and np.allclose(values(J), _J.sum(0))),
           f"J is one row, {show(J)}: the gradient of the sum of the outputs (a backward with all ones). The "
           "Jacobian needs one backward pass per output, each giving one row.")
    expect(shape(J) != (2, 3), "J has shape (2, 3): one row per input, so it is the transpose of the Jacobian. "
                               "Row i of J is output i's gradient, what backward(gradient=e_i) puts into x.grad.")
    known_mistakes(J, [
        (np.cumsum(_J, 0), "The rows add up (row 1 holds rows 0 and 1, row 2 all three): x.grad accumulated over "
                           "the backward passes. Set x.grad = None before each one."),
        (np.tile(_J.sum(0), (3, 1)), "Every row is the same, the sum of all three: x.grad is one tensor that "
                                     "backward keeps adding into, and your list holds it three times. Set "
                                     "x.grad = None before each backward, and append x.grad.clone()."),
        (_J[::-1], "The rows are in the wrong order: row i belongs to output i, the one e_i picks."),
    ])
    expect_values(J, _J, "J")


_V, _JF = np.array([2.0, -1.0]), np.array([[4.0, 1.0], [5.0, math.cos(2.0)]])


@add("7.2", answers=("prediction",), hints=[
    "A backward pass started with v adds up the rows of J, each weighted by its entry of v. Which row "
    "belongs to which entry of v?",
    "x.grad = v[0] * (row 0 of J) + v[1] * (row 1 of J), which is v @ J; with v = (2, -1), twice row 0 "
    "minus row 1.",
], solution="prediction = [2 * 4 - 5, 2 * 1 - (-0.4161)]   # v @ J = [3, 2.4161]")
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    try:
        got = values(prediction).ravel()
    except (TypeError, ValueError):
        raise Wrong("Answer with a list of two numbers, e.g. [1.0, 2.0].") from None
    expect(got.shape == (2,), "Answer with a list of two numbers, x.grad[0] and x.grad[1].")
    right = _V @ _JF
    for wrong, why in [
        (_JF @ _V, "That is J v: it weighs the columns of J. backward(v) weighs the rows (one per output): v @ J."),
        (_JF.sum(0), "That is the sum of the rows, what all ones would give; weigh row i by v[i] = 2 and -1."),
        (-right, "Wrong sign: x.grad = 2 * (row 0) - 1 * (row 1), not the other way round."),
        (_V * np.diag(_JF), "You multiplied v with the diagonal of J only; each row counts in full: "
                            "v[0] * row 0 + v[1] * row 1."),
    ]:
        expect(not np.allclose(got, wrong, atol=2e-3), why)
    expect(np.allclose(got, right, atol=2e-3), f"{show(got)} is not it: x.grad = 2 * (4, 1) - 1 * (5, -0.4161).")


_H1, _H2 = math.sin(1) + math.cos(1), 2 * math.cos(1) - math.sin(1)   # h = x sin x at 1: h', h''


@add("7.3", hints=[
    "Differentiate twice. The first derivative must come with a graph of its own, so that it can be "
    "differentiated again; the second derivative is then the derivative of the first.",
    "dh, = torch.autograd.grad(h, x, create_graph=True) gives h'; torch.autograd.grad(dh, x) then gives h''.",
], solution="""
    dh, = torch.autograd.grad(h, x, create_graph=True)
    d2h, = torch.autograd.grad(dh, x)
    answer = d2h
    """)
def _(answer):
    if isinstance(answer, tuple) and len(answer) == 1:
        raise Wrong("answer is a tuple with one tensor: torch.autograd.grad returns one gradient per input. "
                    "Unpack it, d2h, = torch.autograd.grad(...), or take [0].")
    value = number(answer)
    for wrong, why in [
        (_H1, "That is the first derivative, h' = sin x + x cos x. Differentiate it once more (the first "
              "grad needs create_graph=True)."),
        (_H1 + _H2, "That is h' + h'': x.grad kept the first derivative and the second backward added to it. Use "
                    "torch.autograd.grad twice (it does not touch x.grad), or set x.grad = None in between."),
        (2 * math.cos(1), "That is 2 cos x alone: the product rule also gives -x sin x. h'' = 2 cos x - x sin x."),
        (-math.sin(1), "That is -x sin x alone: the product rule also gives 2 cos x. h'' = 2 cos x - x sin x."),
        (2 * _H1, "That is twice the first derivative: x.grad accumulated two first derivatives. Differentiate "
                  "the derivative (create_graph=True) instead of h again."),
    ]:
        expect(abs(value - wrong) > 1e-4, why)
    expect(abs(value - _H2) < 1e-4, f"{value:.6g} is not h''(1) = 2 cos 1 - sin 1.")


_GRAD_P, _H_P, _V_P = np.array([6.0, 3.0, 2.0]), np.array([[0, 3, 2], [3, 0, 1], [2, 1, 0]], float), \
    np.array([1.0, 1.0, 0.0])


@add("7.4", answers=("Hv",), hints=[
    "Two backward passes: the first gives the gradient, kept with a graph of its own; the second "
    "differentiates the gradient, weighted by v, which is a vector-Jacobian product of the gradient.",
    "grad, = torch.autograd.grad(p, x, create_graph=True); then torch.autograd.grad(grad, x, grad_outputs=v).",
], solution="""
    grad, = torch.autograd.grad(p, x, create_graph=True)
    Hv, = torch.autograd.grad(grad, x, grad_outputs=v)
    """)
def _(Hv):
    if isinstance(Hv, tuple) and len(Hv) == 1:
        raise Wrong("Hv is a tuple with one tensor: torch.autograd.grad returns one gradient per input. Unpack "
                    "it, Hv, = torch.autograd.grad(...), or take [0].")
    tensor_answer(Hv, "Hv")
    expect(shape(Hv) != (3, 3), "Hv is a 3 x 3 matrix: that is the whole Hessian. The point is to get H v "
                                "without it: differentiate the gradient with grad_outputs=v.")
    expect(shape(Hv) != (), f"Hv is one number, {show(Hv)}: that is v . gradient, the slope along v. H v has one "
                            "number per input: differentiate the gradient with grad_outputs=v.")
    known_mistakes(Hv, [
        (_GRAD_P, "That is the gradient of p, the first pass. H v needs a second pass: differentiate the gradient "
                  "with grad_outputs=v."),
        (_GRAD_P * _V_P, "That is the gradient times v, element by element. H v differentiates the gradient: "
                         "torch.autograd.grad(grad, x, grad_outputs=v)."),
        (np.diag(_H_P) * _V_P, "Only the diagonal of H counted: differentiate the whole gradient vector with "
                               "grad_outputs=v, not each element by its own input."),
    ])
    expect_values(Hv, _H_P @ _V_P, "Hv")
