"""Exercises of lesson 8, Learning is parameter estimation (notebooks/08-learning-is-parameter-estimation.ipynb)."""
import dis

import numpy as np

from .answers import call, kind, lib_of, number, returned
from .exercises import NotAnswered, Wrong, add, expect


@add("8.1", hints=[
    "Gradient descent takes a step against the slope: the gradient says which way the error goes up, so "
    "the weight moves the other way, by the learning rate times the gradient.",
    "w_new = w - learning_rate * gradient, with w = 1.0, learning rate 0.1 and gradient 4.0.",
], solution="answer = 1.0 - 0.1 * 4.0   # 0.6")
def _(answer):
    value = number(answer)
    expect(abs(value - 1.4) > 1e-9, "1.4: you stepped uphill, w + eta * gradient. Gradient descent subtracts the "
                                    "gradient: w - eta * gradient.")
    expect(abs(value + 3.0) > 1e-9, "-3: you subtracted the whole gradient, without the learning rate. The step is "
                                    "eta * gradient = 0.1 * 4.0.")
    expect(abs(value - 0.4) > 1e-9, "0.4 is the size of the step, eta * gradient; the new weight is w minus it.")
    expect(abs(value - 0.96) > 1e-9, "0.96: you multiplied w by the learning rate, w - eta * w * gradient? The step "
                                     "is eta * gradient, w - 0.1 * 4.0.")
    expect(abs(value - 0.6) < 1e-6, f"{value:g} is not it: w - eta * gradient = 1.0 - 0.1 * 4.0.")


@add("8.2", answers=("lr",), hints=[
    "Each step multiplies the distance to 3 by the same factor, which depends on the learning rate. "
    "Diverging means that factor is bigger than 1 in size.",
    "The factor is (1 - 2 * lr): it converges for 0 < lr < 1; at lr = 1 it flips the sign forever. Try a "
    "bit more than 1.",
], solution="lr = 1.5   # |1 - 2 * 1.5| = 2 > 1: every step doubles the distance to 3")
def _(lr):
    value = number(lr, "lr")
    factor = 1 - 2 * value
    expect(value >= 0, f"With lr = {value:g} each step goes uphill on purpose (a negative learning rate adds the "
                       "gradient). That runs away too, but it is not the overshooting this is about: find a positive "
                       "learning rate that is too large.")
    expect(value != 0, "With lr = 0, w never moves: it neither converges nor diverges.")
    expect(abs(factor) != 1, f"With lr = {value:g}, w jumps back and forth at the same distance from 3 forever: "
                             "that neither converges nor diverges. Go a bit further.")
    expect(value != 0.5, "lr = 0.5 lands on 3 in one step, the opposite of diverging.")
    expect(abs(factor) > 1, f"With lr = {value:g}, gradient descent still converges: each step multiplies the "
                            f"distance to 3 by {factor:g}, and that is smaller than 1 in size. Larger.")


# --- fitting a line: the checker runs the student's loop and compares it with gradient descent ------

_XS = np.linspace(-1, 1, 5)
_YS = 3 * _XS - 1 + np.array([0.1, -0.1, 0.05, 0.0, -0.05])


def _descent(steps, lr, variant=None):
    """``(w, b)`` after ``steps`` steps of gradient descent on the mean squared error (float64), done right
    or with one typical mistake."""
    w = b = 0.0
    gw_sum = gb_sum = 0.0
    for _ in range(steps):
        r = w * _XS + b - _YS
        reduce = np.sum if variant == "sum" else np.mean
        gw, gb = 2 * reduce(r * _XS), 2 * reduce(r)
        if variant == "accumulate":
            gw_sum, gb_sum = gw_sum + gw, gb_sum + gb
            gw, gb = gw_sum, gb_sum
        if variant == "uphill":
            gw, gb = -gw, -gb
        w -= lr * gw
        if variant != "no_b":
            b -= lr * gb
    return w, b


def _run_fit(fn, name, steps, lr):
    """Call the student's ``fn(xs, ys, steps, lr)``; ``((w, b), args)`` with w and b as numbers."""
    lib = lib_of(fn)
    args = {"xs": lib.tensor(_XS, dtype=lib.float32), "ys": lib.tensor(_YS, dtype=lib.float32),
            "steps": steps, "lr": lr}
    try:
        got = call(fn, name, args)
    except Wrong as e:
        text = str(e)
        if "modified by an inplace operation" in text:
            raise Wrong(f"{name} failed: {text.splitlines()[0]}\n  w and b were changed by a step before "
                        "the backward pass used them: call loss.backward() before optimizer.step() (the order "
                        "is optimizer.zero_grad(), the loss, loss.backward(), optimizer.step()).") from None
        if "in-place operation" in text:
            raise Wrong(f"{name} failed: {text.splitlines()[0]}\n  The update changes w and b in place, which "
                        "autograd would record: do it inside with torch.no_grad():.") from None
        if "does not require grad" in text:
            raise Wrong(f"{name} failed: {text.splitlines()[0]}\n  After the first step w (or b) no longer "
                        "requires grad: w = w - lr * w.grad makes a new tensor. Update in place, w -= lr * w.grad, "
                        "inside torch.no_grad().") from None
        if "NoneType" in text:
            raise Wrong(f"{name} failed: {text.splitlines()[0]}\n  w.grad was None at the update: the gradients "
                        "were reset (or never computed) before they were used. The order is: loss, "
                        "loss.backward(), update, reset.") from None
        raise
    expect(got is not None, f"{name} returned None: end it with return w, b.")
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"{name} should return the pair w, b, but it returned "
                                                             f"{kind(got)}.")
    return tuple(number(v, f"Each of the w and b that {name} returned") for v in got), args


def _check_fit(fn, name, mistakes):
    for steps, lr in [(1, 0.1), (2, 0.1), (200, 0.1), (3, 0.05)]:
        (w, b), args = _run_fit(fn, name, steps, lr)
        right = _descent(steps, lr)
        if np.allclose((w, b), right, rtol=1e-4, atol=1e-5):
            continue
        for variant, why in mistakes:
            if np.allclose((w, b), _descent(steps, lr, variant), rtol=1e-4, atol=1e-5):
                raise Wrong(returned(name, args, _Pair(w, b), _Pair(*right), why))
        expect(lr != 0.05 or not np.allclose((w, b), _descent(steps, 0.1), rtol=1e-4, atol=1e-5),
               returned(name, args, _Pair(w, b), _Pair(*right), "That is what lr = 0.1 gives: use the lr that is "
                                                                 "passed in, not a fixed number."))
        raise Wrong(returned(name, args, _Pair(w, b), _Pair(*right), "Predict with w * xs + b, take the mean "
                                                                     "squared error, backward, then step."))


def _loops(fn):
    """True if the function has a loop in it (its ``...`` has been replaced by the student's loop)."""
    expect(callable(fn) and not isinstance(fn, type), f"Give the function itself, but this is {kind(fn)}.")
    try:
        return any(i.opname in ("FOR_ITER", "JUMP_BACKWARD", "JUMP_ABSOLUTE") for i in dis.get_instructions(fn))
    except TypeError:
        return True


class _Pair:
    def __init__(self, w, b):
        self.w, self.b = w, b

    def __repr__(self):
        return f"w = {self.w:.4g}, b = {self.b:.4g}"


_FIT_MISTAKES = [
    ("uphill", "Every step went uphill: w and b move away from the fit. Subtract the gradient: w -= lr * w.grad."),
    ("accumulate", "After the first step the steps are too big: the gradients were never reset, so each "
                   "backward() added to the old ones. Set w.grad = None and b.grad = None after each update."),
    ("sum", "The steps are 5 times too big for 5 points: that is the sum of the squared errors, not the mean. "
            "Use .mean() (the mean squared error)."),
    ("no_b", "b never moved: update it too, b -= lr * b.grad."),
]


@add("8.3", answers=("fit_line",), hints=[
    "Each step does the same four things: predict with the current w and b, measure the error, get the "
    "gradients, and move w and b a little against them. Then get ready for the next step.",
    "In a for loop over range(steps): loss = ((w * xs + b - ys) ** 2).mean(); loss.backward(); inside "
    "torch.no_grad(), w -= lr * w.grad and b -= lr * b.grad; then w.grad = None and b.grad = None.",
], solution="""
    for step in range(steps):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
    """)
def _(fit_line):
    if fit_line is ...:
        raise NotAnswered
    if not _loops(fit_line) and getattr(fit_line, "__name__", "") == "fit_line":
        raise NotAnswered  # still the ... of the exercise cell
    (w, b), args = _run_fit(fit_line, "fit_line", 1, 0.1)
    expect((w, b) != (0.0, 0.0), returned("fit_line", args, _Pair(w, b), _Pair(*_descent(1, 0.1)),
                                          "w and b never moved: the loop must update them, inside "
                                          "torch.no_grad(): w -= lr * w.grad (and b the same)."))
    _check_fit(fit_line, "fit_line", _FIT_MISTAKES)


_SGD_MISTAKES = [
    ("accumulate", "After the first step the steps are too big: the gradients were never zeroed, so each "
                   "backward() added to the old ones. Call optimizer.zero_grad() at the start of each step."),
    ("sum", "The steps are 5 times too big for 5 points: that is the sum of the squared errors, not the mean. "
            "Use .mean()."),
]


@add("8.4", answers=("fit_line_sgd",), hints=[
    "Every PyTorch training loop does the same four things in the same order: forget the old gradients, "
    "compute the loss, compute the new gradients, update. Which method of the optimizer does which?",
    "optimizer.zero_grad(), then loss = ((w * xs + b - ys) ** 2).mean(), then loss.backward(), then "
    "optimizer.step(); repeated steps times.",
], solution="""
    for step in range(steps):
        optimizer.zero_grad()
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        optimizer.step()
    """)
def _(fit_line_sgd):
    if fit_line_sgd is ...:
        raise NotAnswered
    if not _loops(fit_line_sgd) and getattr(fit_line_sgd, "__name__", "") == "fit_line_sgd":
        raise NotAnswered  # still the ... of the exercise cell
    (w, b), args = _run_fit(fit_line_sgd, "fit_line_sgd", 2, 0.1)
    if (w, b) == (0.0, 0.0):
        raise Wrong(returned("fit_line_sgd", args, _Pair(w, b), _Pair(*_descent(2, 0.1)),
                             "w and b never moved: optimizer.step() saw no gradients. The order is "
                             "optimizer.zero_grad(), the loss, loss.backward(), optimizer.step(): zeroing "
                             "comes before backward, the step after it."))
    if np.allclose((w, b), _descent(1, 0.1), rtol=1e-4, atol=1e-5):
        raise Wrong(returned("fit_line_sgd", args, _Pair(w, b), _Pair(*_descent(2, 0.1)),
                             "One step short: the first optimizer.step() had no gradient yet. Call "
                             "loss.backward() before optimizer.step() (the order is optimizer.zero_grad(), the "
                             "loss, loss.backward(), optimizer.step())."))
    _check_fit(fit_line_sgd, "fit_line_sgd", _SGD_MISTAKES)
