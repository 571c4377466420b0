"""Exercises with instant feedback for the lessons in ``notebooks/``.

In a lesson::

    ex = exercise("2.1")     # the checker for exercise 2.1
    img = ...                # replace ... with your answer
    ex.check(img)            # ✓ confirms a right answer; a wrong one gets a hint
    ex.hint()                # the hint on its own
    ex.solution()            # a worked solution (try first!)

A checker works with tutorgrad tensors *and* with real PyTorch tensors, so the
same lesson runs with ``import torch``. Everything it prints is plain,
deterministic text (the lessons are checked by nbval).

Write your own::

    ex = Exercise("my.1", check=lambda t: expect(t.item() == 4, "It should be 4."),
                  hint="2 + 2", solution="answer = torch.tensor(2) + 2")

``check`` receives the answer(s) given to ``ex.check(...)``; it returns quietly when
the answer is right and calls ``expect(False, why)`` (or raises ``Wrong(why)``)
when it is not.
"""
import importlib
import math
import sys
import textwrap

import numpy as np

__all__ = ["Exercise", "exercise", "exercises", "expect", "Wrong"]


class Wrong(Exception):
    """Raised by a checker: the answer is wrong, and the message says why."""


class NotAnswered(Exception):
    """Raised by a checker that met the ``...`` placeholder."""


def _say(text):
    """Print ``text`` in one write, so a notebook stores it as one output."""
    sys.stdout.write(text + "\n")


def expect(condition, why):
    """Raise ``Wrong(why)`` unless ``condition`` holds."""
    if not condition:
        raise Wrong(why)


class Exercise:
    """One exercise: a checker, a hint and a solution.

    ``answers`` names the variables the solution defines and ``check`` receives,
    in order (the tests run the solution and feed those variables to ``check``).
    """

    def __init__(self, name, check, hint, solution, answers=("answer",)):
        self.name = name
        self._check = check
        self._hint = hint
        self._solution = textwrap.dedent(solution).strip()
        self.answers = tuple(answers)

    def __repr__(self):
        return f"<Exercise {self.name}>"

    def verdict(self, *answers):
        """``(status, message)`` with status ``"correct"``, ``"wrong"`` or ``"unanswered"``."""
        if any(a is ... for a in answers):
            return "unanswered", ""
        try:
            self._check(*answers)
        except NotAnswered:
            return "unanswered", ""
        except Wrong as e:
            return "wrong", str(e)
        except Exception as e:  # the answer broke the check: say so instead of a traceback
            return "wrong", f"Checking your answer raised {type(e).__name__}: {e}"
        return "correct", ""

    def is_correct(self, *answers):
        """True if ``answers`` pass the check (prints nothing)."""
        return self.verdict(*answers)[0] == "correct"

    def check(self, *answers):
        """Print whether ``answers`` are right; if not, why, and a hint."""
        status, why = self.verdict(*answers)
        call = f'exercise("{self.name}")'
        if status == "correct":
            _say(f"✓ Exercise {self.name}: correct. Well done!")
        elif status == "unanswered":
            _say(f"… Exercise {self.name}: replace the ... with your answer, then run the cell again.\n"
                 f"  Stuck? {call}.hint() gives a hint, {call}.solution() shows a solution.")
        else:
            _say(f"✗ Exercise {self.name}: not yet. {why}\n"
                 f"  Hint: {self._hint}\n"
                 f"  ({call}.solution() shows a solution.)")

    def hint(self):
        """Print the hint."""
        _say(f"Hint for exercise {self.name}: {self._hint}")

    def solution(self):
        """Print a worked solution."""
        _say(f"A solution to exercise {self.name}:\n\n{textwrap.indent(self._solution, '    ')}")

    @property
    def solution_code(self):
        """The solution as code (the tests run it)."""
        return self._solution


exercises = {}


def exercise(name):
    """The lesson exercise called ``name`` (e.g. ``"2.1"``)."""
    try:
        return exercises[name]
    except KeyError:
        raise KeyError(f"There is no exercise {name!r}; the exercises are {', '.join(exercises)}.") from None


def _add(name, hint, solution, answers=("answer",)):
    """Decorator: register the decorated checker as exercise ``name``."""
    def register(check):
        exercises[name] = Exercise(name, check, hint, solution, answers)
        return check
    return register


# --- helpers that work on tutorgrad and on PyTorch tensors ----------------------------------------

def _is_tensor(x):
    return type(x).__module__.split(".")[0] in ("tutorgrad", "torch") and hasattr(x, "requires_grad")


def _lib(obj):
    """The module (``tutorgrad`` or ``torch``) a tensor or a ``Function`` class was made with.

    A check that builds its own inputs uses it, so a PyTorch answer is tested with PyTorch tensors.
    """
    if obj is ...:
        raise NotAnswered
    classes = obj.__mro__ if isinstance(obj, type) else [type(obj)]
    for root in (c.__module__.split(".")[0] for c in classes):
        if root in ("tutorgrad", "torch"):
            return importlib.import_module(root)
    return importlib.import_module("tutorgrad")


def _tensor(x, what="Your answer"):
    """``x`` if it is a tensor, else ``Wrong``."""
    if x is ...:
        raise NotAnswered
    expect(_is_tensor(x), f"{what} should be a tensor, but it is {_kind(x)}.")
    return x


def _kind(x):
    return "None" if x is None else f"a {type(x).__name__}"


def _dtype(t):
    """``"float32"`` for ``torch.float32`` and ``tutorgrad.float32`` alike."""
    return str(t.dtype).split(".")[-1]


def _array(x):
    """A NumPy array of a tensor, array, number or (nested) list."""
    return np.asarray(x.detach().numpy() if _is_tensor(x) else x)


def _values(x):
    """``_array(x)`` as float64 (complex128 for complex numbers), for comparing."""
    x = _array(x)
    return x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)


def _number(x, what="Your answer"):
    """A Python float from a number or a one-element tensor."""
    if x is ...:
        raise NotAnswered
    if _is_tensor(x):
        expect(x.numel() == 1, f"{what} should be a single number, but it is a tensor of shape {tuple(x.shape)}.")
        return float(x.item())
    expect(isinstance(x, (int, float, np.number)) and not isinstance(x, bool),
           f"{what} should be a number, but it is {_kind(x)}.")
    return float(x)


def _shape(t, shape, what="Your answer"):
    expect(tuple(t.shape) == tuple(shape), f"{what} has shape {tuple(t.shape)}, but it should be {tuple(shape)}.")


def _close(got, expected, what="Your answer", tol=1e-4):
    a, b = _values(got), _values(expected)
    expect(a.shape == b.shape, f"{what} has shape {a.shape}, but it should be {b.shape}.")
    expect(np.allclose(a, b, rtol=tol, atol=tol), f"{what} is {_show(_array(got))}, which is not right.")


def _show(a):
    a = np.asarray(a)
    return np.array2string(a, precision=4, separator=", ") if a.ndim else f"{a.item():.4g}"


# --- Lesson 1 · Welcome ------------------------------------------------------------------------------

@_add("1.1", hint="Pass a Python list to torch.tensor(...).",
      solution="answer = torch.tensor([1, 2, 3])")
def _(answer):
    _shape(_tensor(answer), (3,))
    _close(answer, [1, 2, 3])


@_add("1.2", hint="torch.arange(start, end) stops just before end.",
      solution="answer = torch.arange(1, 11)")
def _(answer):
    _shape(_tensor(answer), (10,))
    _close(answer, np.arange(1, 11))


@_add("1.3", hint="Arithmetic works on every element at once: combine t ** 2 and + 1.",
      solution="""
      t = torch.tensor([1, 2, 3])
      answer = t ** 2 + 1
      """)
def _(answer):
    _shape(_tensor(answer), (3,))
    _close(answer, [2, 5, 10])


# --- Lesson 2 · Tensors ------------------------------------------------------------------------------

@_add("2.1", hint="torch.zeros(channels, height, width, dtype=...); double precision is torch.float64.",
      solution="img = torch.zeros(3, 4, 5, dtype=torch.float64)", answers=("img",))
def _(img):
    _tensor(img, "img")
    expect(tuple(img.shape) != (3, 5, 4), "img has shape (3, 5, 4): the order is (channels, height, width).")
    _shape(img, (3, 4, 5), "img")
    expect(_dtype(img) == "float64", f"img has dtype {_dtype(img)}, but double precision is float64.")
    expect(not _values(img).any(), "img should be all zeros.")


@_add("2.2", hint="x[rows, columns]: ':' takes every row and -1 is the last column.",
      solution="""
      x = torch.arange(12).reshape(3, 4)
      answer = x[:, -1]
      """)
def _(answer):
    _tensor(answer)
    expect(tuple(answer.shape) != (4,), f"You took a row ({_show(_array(answer))}); the last column is [3, 7, 11].")
    expect(tuple(answer.shape) != (3, 1), "Your column has shape (3, 1); index with a number, not a slice, "
                                          "to get shape (3,).")
    _shape(answer, (3,))
    _close(answer, [3, 7, 11])


@_add("2.3", hint="prices.reshape(3, 1) (or prices[:, None]) times (1 + rates) broadcasts to (3, 2).",
      solution="""
      prices = torch.tensor([10.0, 20.0, 40.0])
      rates = torch.tensor([0.1, 0.2])
      table = prices.reshape(3, 1) * (1 + rates)
      """, answers=("table",))
def _(table):
    _tensor(table, "table")
    expect(tuple(table.shape) != (2, 3), "table has shape (2, 3): make prices the rows (3, 1) and rates "
                                         "the columns (2,).")
    _shape(table, (3, 2), "table")
    _close(table, np.outer([10.0, 20.0, 40.0], [1.1, 1.2]), "table")


@_add("2.4", hint="torch.manual_seed(7) first, then torch.randn(5) in the same cell.",
      solution="""
      torch.manual_seed(7)
      sample = torch.randn(5)
      """, answers=("sample",))
def _(sample):
    _tensor(sample, "sample")
    _shape(sample, (5,), "sample")
    lib = _lib(sample)
    g = lib.Generator().manual_seed(7)  # a private generator: checking must not change the student's stream
    expect(not np.allclose(_values(sample), _values(lib.rand(5, generator=g)), atol=1e-6),
           "Those are uniform numbers (torch.rand); the standard normal distribution is torch.randn.")
    g = lib.Generator().manual_seed(7)
    _close(sample, lib.randn(5, generator=g), "sample")


@_add("2.5", hint="Convert to a float dtype first: .float() (or pass dtype=torch.float32 to mean).",
      solution="""
      scores = torch.tensor([3, 4, 4, 5])
      answer = scores.float().mean()
      """)
def _(answer):
    value = _number(_tensor(answer))
    expect(_dtype(answer).startswith(("float", "bfloat")), f"Your answer has dtype {_dtype(answer)}; "
                                                           "it should be a float tensor.")
    expect(abs(value - 4.0) < 1e-6, f"Your answer is {value:g}, but the mean of 3, 4, 4, 5 is 4.0.")


# --- Lesson 3 · PyTorch vs NumPy ---------------------------------------------------------------------

def _follows(a, t):
    """True if a change to array ``a`` shows in tensor ``t`` (the check puts ``a`` back as it was)."""
    old = a.flat[0]
    a.flat[0] = old + 1000
    try:
        return bool(_values(t).flat[0] == a.flat[0])
    finally:
        a.flat[0] = old


@_add("3.1", hint="torch.from_numpy(a) wraps the array's memory without copying.",
      solution="""
      a = np.arange(4.0)
      t = torch.from_numpy(a)
      """, answers=("a", "t"))
def _(a, t):
    _tensor(t, "t")
    _close(t, a, "t")
    expect(_follows(a, t), "t has a's numbers, but it is a copy: changing a does not change t.")


@_add("3.2", hint="torch.tensor(a) always copies the data (and keeps a's dtype).",
      solution="""
      a = np.arange(4.0)
      t = torch.tensor(a)
      """, answers=("a", "t"))
def _(a, t):
    _tensor(t, "t")
    _close(t, a, "t")
    expect(_dtype(t) == "float64", f"t has dtype {_dtype(t)}, but a is float64: keep a's dtype.")
    expect(not _follows(a, t), "t shares memory with a: changing a changes t. Make a copy.")


@_add("3.3", hint="First leave the graph with .detach(), then convert with .numpy().",
      solution="""
      w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
      arr = w.detach().numpy()
      """, answers=("arr",))
def _(arr):
    if arr is ...:
        raise NotAnswered
    expect(not _is_tensor(arr), "arr is still a tensor; .numpy() turns a tensor into a NumPy array.")
    expect(isinstance(arr, np.ndarray), f"arr should be a NumPy array, but it is {_kind(arr)}.")
    _close(arr, [0.5, -1.0, 2.0], "arr")


@_add("3.4", hint="a *= 2 changes the shared memory in place; a = a + 10 makes a new array that t "
                  "does not see; t[0] = 0.0 changes t (and the old array).",
      solution="prediction = [0.0, 2.0, 2.0]", answers=("prediction",))
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    got = _values(prediction)
    expect(got.shape == (3,), "Write your prediction as a list of three numbers, e.g. [1.0, 2.0, 3.0].")
    expect(not np.allclose(got[1:], 12), "t does not see a = a + 10: that makes a new array, and t keeps "
                                         "the old one.")
    expect(not np.allclose(got[1:], 1), "t does see a *= 2: in-place operations change the shared memory.")
    _close(got, [0.0, 2.0, 2.0], "Your prediction")


# --- Lesson 4 · The computation graph ----------------------------------------------------------------

def _node_name(node):
    return "None" if node is None else type(node).__name__


@_add("4.1", hint="A leaf has no grad_fn: tensors you create are leaves, and so is every tensor that "
                  "does not require grad. Check each one with .is_leaf.",
      solution="""
      leaves = {"a", "b", "e"}   # c and d were made by operations on the tracked a
      """, answers=("leaves",))
def _(leaves):
    if leaves is ...:
        raise NotAnswered
    expect(isinstance(leaves, (set, list, tuple, frozenset)) and all(isinstance(n, str) for n in leaves),
           'Answer with a set of names (strings), e.g. {"a", "c"}.')
    leaves = set(leaves)
    expect(not leaves & {"c", "d"}, "c and d are results of operations on a tracked tensor: they have a "
                                    "grad_fn, so they are not leaves.")
    expect("b" in leaves, "b is missing: it does not require grad, and every tensor that does not require "
                          "grad counts as a leaf.")
    expect(leaves == {"a", "b", "e"}, "Not quite: which tensors did you create yourself?")


@_add("4.2", hint="d.grad_fn is the exp node; d.grad_fn.next_functions[0][0] is the node of its first input, c.",
      solution="""
      # d = c.exp() and c = a * b, so the exp node's first input is c's node:
      name = "MulBackward0"
      # check: d.grad_fn.next_functions[0][0].name()
      """, answers=("name",))
def _(name):
    if name is ...:
        raise NotAnswered
    expect(isinstance(name, str), f"Answer with a string such as \"AddBackward0\", not {_kind(name)}.")
    expect(name != "ExpBackward0", "ExpBackward0 is d.grad_fn itself; follow its first input one step back.")
    expect(name != "AccumulateGrad", "AccumulateGrad is a's node, two steps back; go only one step.")
    expect(name == "MulBackward0", f"{name!r} is not it. What operation made c?")


@_add("4.3", hint="y = x ** 2 + 3 * x",
      solution="""
      x = torch.tensor(2.0, requires_grad=True)
      y = x ** 2 + 3 * x
      """, answers=("y",))
def _(y):
    _tensor(y, "y")
    expect(y.grad_fn is not None, "y has no grad_fn: compute it from x (which requires grad).")
    value = _number(y, "y")
    expect(abs(value - 10.0) < 1e-5, f"y is {value:g}, but x**2 + 3*x at x = 2 is 10.")
    expect(_node_name(y.grad_fn) == "AddBackward0",
           f"y was made by {_node_name(y.grad_fn)}; the last operation should be the addition.")
    inputs = sorted(_node_name(n) for n, _ in y.grad_fn.next_functions)
    expect(inputs == ["MulBackward0", "PowBackward0"],
           f"The addition's inputs come from {', '.join(inputs)}; they should be a power (x ** 2) and a "
           "multiplication (3 * x).")


@_add("4.4", hint="An op tracks history if any input does; detach() leaves the graph; comparisons have "
                  "no derivative.",
      solution="""
      predictions = [False, True, False, False]
      # check: [(p * 2).requires_grad, (p * q).requires_grad, (p * q).detach().requires_grad, (q > 0).requires_grad]
      """, answers=("predictions",))
def _(predictions):
    if predictions is ...:
        raise NotAnswered
    expect(isinstance(predictions, (list, tuple)) and len(predictions) == 4
           and all(isinstance(b, bool) for b in predictions), "Answer with a list of four booleans.")
    right = [False, True, False, False]
    what = ["p * 2", "p * q", "(p * q).detach()", "q > 0"]
    wrong = [w for w, got, r in zip(what, predictions, right) if got != r]
    expect(not wrong, f"Look again at: {', '.join(wrong)}.")


# --- Lesson 5 · Autograd -----------------------------------------------------------------------------

@_add("5.1", hint="y = exp(u) with u = 3x: dy/dx = exp(u) * du/dx = exp(3x) * 3.",
      solution="""
      import math
      answer = math.exp(3 * 0.5) * 3
      """)
def _(answer):
    value = _number(answer)
    expect(abs(value - math.exp(1.5)) > 1e-3, "That is exp(3x) itself; multiply by the inner derivative "
                                              "d(3x)/dx = 3.")
    expect(abs(value - 3 * math.exp(1.5)) < 1e-3, f"Your answer is {value:.6g}, which is not dy/dx at x = 0.5.")


@_add("5.2", hint="Compute g = u ** 2 * v + v, call g.backward(), then read u.grad and v.grad.",
      solution="""
      u = torch.tensor(1.0, requires_grad=True)
      v = torch.tensor(2.0, requires_grad=True)
      g = u ** 2 * v + v
      g.backward()
      answer = (u.grad, v.grad)
      """)
def _(answer):
    if answer is ...:
        raise NotAnswered
    expect(isinstance(answer, (tuple, list)) and len(answer) == 2, "Give a pair: answer = (u.grad, v.grad).")
    expect(all(g is not None for g in answer), "A gradient is None: call backward() on g before reading .grad.")
    du, dv = (_number(g, "Each gradient") for g in answer)
    expect(abs(du - 4) < 1e-5, f"dg/du is {du:g}; by hand it is 2uv = 4.")
    expect(abs(dv - 6) > 1e-5, "dg/dv is 6: gradients accumulated over two backward() calls. Start again with "
                               "fresh u and v (re-run the cell).")
    expect(abs(dv - 2) < 1e-5, f"dg/dv is {dv:g}; by hand it is u**2 + 1 = 2.")


@_add("5.3", hint="Each pass makes a new graph with dy/dx = 5, and backward adds into x.grad.",
      solution="prediction = 15.0   # 5 + 5 + 5: backward adds, it never overwrites", answers=("prediction",))
def _(prediction):
    value = _number(prediction, "Your prediction")
    expect(value != 5, "backward() adds into .grad instead of overwriting it; it ran three times.")
    expect(value == 15, f"{value:g} is not it.")


@_add("5.4", hint="y = x ** 3 is a vector: call y.sum().backward() (or y.backward(torch.ones_like(y))).",
      solution="""
      x = torch.linspace(0, 1, 5, requires_grad=True)
      y = x ** 3
      y.sum().backward()
      answer = x.grad
      """)
def _(answer):
    expect(answer is not None, "answer is None: x.grad is None until you call backward().")
    _tensor(answer)
    _shape(answer, (5,))
    _close(answer, 3 * np.linspace(0, 1, 5) ** 2)


# --- Lesson 6 · Learning is parameter estimation -----------------------------------------------------

@_add("6.1", hint="w_new = w - learning_rate * gradient.",
      solution="answer = 1.0 - 0.1 * 4.0   # 0.6")
def _(answer):
    value = _number(answer)
    expect(abs(value - 1.4) > 1e-9, "You stepped uphill: gradient descent subtracts the gradient.")
    expect(abs(value - 0.6) < 1e-6, f"{value:g} is not it: w - eta * gradient = 1.0 - 0.1 * 4.0.")


@_add("6.2", hint="Repeat: loss = ((w * xs + b - ys) ** 2).mean(); loss.backward(); then inside "
                  "torch.no_grad() do w -= 0.1 * w.grad (same for b); then reset w.grad and b.grad to None.",
      solution="""
      torch.manual_seed(1)
      xs = torch.linspace(-1, 1, 30)
      ys = 3 * xs - 1 + 0.05 * torch.randn(30)
      w = torch.zeros(1, requires_grad=True)
      b = torch.zeros(1, requires_grad=True)
      for step in range(200):
          loss = ((w * xs + b - ys) ** 2).mean()
          loss.backward()
          with torch.no_grad():
              w -= 0.1 * w.grad
              b -= 0.1 * b.grad
          w.grad = None
          b.grad = None
      answer = (w, b)
      """)
def _(answer):
    if answer is ...:
        raise NotAnswered
    expect(isinstance(answer, (tuple, list)) and len(answer) == 2, "Give a pair: answer = (w, b).")
    w, b = (_number(v, "Each of w and b") for v in answer)
    expect((w, b) != (0.0, 0.0), "w and b are still 0: did the loop run and update them?")
    expect(abs(w - 3) < 0.1 and abs(b + 1) < 0.1, f"w = {w:.3f}, b = {b:.3f} is not the line through the "
                                                   "data yet. More steps, or check the update's sign.")


@_add("6.3", hint="Each step multiplies the distance to 3 by (1 - 2 * lr). When does that make it grow?",
      solution="lr = 1.5   # |1 - 2 * 1.5| = 2 > 1: every step doubles the distance to 3",
      answers=("lr",))
def _(lr):
    value = _number(lr, "lr")
    factor = abs(1 - 2 * value)
    expect(factor != 1, f"With lr = {value:g}, w jumps back and forth at the same distance from 3 forever: "
                        "that neither converges nor diverges. Go a bit further.")
    expect(factor > 1, f"With lr = {value:g}, gradient descent still converges (each step multiplies the "
                       f"distance to 3 by {1 - 2 * value:g}).")

# --- Lesson 7 · Custom gradients ---------------------------------------------------------------------

@_add("7.1", hint="At 3.0 the function returns a brand-new leaf that has no connection to s. Does "
                  "backward() ever reach s?",
      solution="prediction = None   # the graph is cut: backward never reaches s, so s.grad stays None",
      answers=("prediction",))
def _(prediction):
    if prediction is ...:
        raise NotAnswered
    expect(prediction is None, "A number would mean a gradient reached s (even 0 is a gradient). Does the "
                               "new tensor returned at 3.0 have any connection to s?")


def _run_function(cls, values):
    """Apply the student's Function ``cls`` to ``values``; return (input, output) after ``output.sum().backward()``."""
    lib = _lib(cls)
    expect(isinstance(cls, type) and issubclass(cls, lib.autograd.Function),
           "Give the class itself (a subclass of torch.autograd.Function), not an instance or a result.")
    x = lib.tensor(values, requires_grad=True)
    y = cls.apply(x)
    if y is ... or y is None:
        raise NotAnswered
    _tensor(y, "The output of forward")
    expect(y.grad_fn is not None, "The output is not connected to the graph: forward must return a tensor "
                                  "computed from x.")
    try:
        y.sum().backward()
    except Exception as e:
        raise Wrong(f"backward() failed with {type(e).__name__}: did your backward return a tensor?") from None
    return lib, x, y


@_add("7.2", hint="forward: ctx.save_for_backward(x); return x * x. backward: x, = ctx.saved_tensors; "
                  "return grad_output * 2 * x.",
      solution="""
      class Square(torch.autograd.Function):
          @staticmethod
          def forward(ctx, x):
              ctx.save_for_backward(x)
              return x * x

          @staticmethod
          def backward(ctx, grad_output):
              x, = ctx.saved_tensors
              return grad_output * 2 * x
      """, answers=("Square",))
def _(Square):
    lib, x, y = _run_function(Square, [1.0, -2.0, 3.0])
    _close(y, [1.0, 4.0, 9.0], "forward's output")
    expect(x.grad is not None, "x.grad is None after backward: return the gradient from backward.")
    _close(x.grad, [2.0, -4.0, 6.0], "The gradient")
    x64 = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
    expect(lib.autograd.gradcheck(Square.apply, (x64,), raise_exception=False), "gradcheck fails in float64.")


@_add("7.3", hint="forward: return x.clamp(0, 1). backward: return grad_output (the gradient goes straight "
                  "through).",
      solution="""
      class ClampSTE(torch.autograd.Function):
          @staticmethod
          def forward(ctx, x):
              return x.clamp(0, 1)

          @staticmethod
          def backward(ctx, grad_output):
              return grad_output
      """, answers=("ClampSTE",))
def _(ClampSTE):
    lib, x, y = _run_function(ClampSTE, [-0.5, 0.5, 2.0])
    _close(y, [0.0, 0.5, 1.0], "forward's output")
    expect(x.grad is not None, "x.grad is None after backward: return the gradient from backward.")
    expect(not np.allclose(_values(x.grad), [0.0, 1.0, 0.0]),
           "That is clamp's own gradient (0 where it clipped); a straight-through estimator passes "
           "grad_output unchanged.")
    _close(x.grad, [1.0, 1.0, 1.0], "The gradient")


@_add("7.4", hint="torch.autograd.gradcheck(A.apply, (x,), raise_exception=False) with "
                  "x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True); same for B.",
      solution="""
      x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
      # A passes gradcheck, B fails: d/dx log(1 + x**2) is 2x / (1 + x**2), not 2x / (1 + x)**2
      culprit = "B"
      """, answers=("culprit",))
def _(culprit):
    if culprit is ...:
        raise NotAnswered
    expect(culprit in ("A", "B", "a", "b"), 'Answer "A" or "B".')
    expect(culprit.upper() == "B", "A's backward is right: d/dx (x sin x) = x cos x + sin x. Run gradcheck on "
                                   "both.")


# --- Lesson 8 · Universal approximation --------------------------------------------------------------

def _module(model, what="Your answer"):
    """The ``lib`` a model was built with, after checking it is an ``nn.Module``."""
    if model is ...:
        raise NotAnswered
    lib = _lib(model)
    expect(isinstance(model, lib.nn.Module), f"{what} should be a network (an nn.Module such as "
                                             f"nn.Sequential(...)), but it is {_kind(model)}.")
    return lib


def _layers(model):
    """The innermost modules of ``model``, in order (Linear, Tanh, ...)."""
    return [m for m in model.modules() if not list(m.children())]


@_add("8.1", hint="Each nn.Linear(n_in, n_out) has a weight of n_out x n_in numbers and a bias of n_out; "
                  "Tanh has none.",
      solution="""
      model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
      answer = sum(p.numel() for p in model.parameters())   # (8 + 8) + (8 + 1) = 25
      """)
def _(answer):
    n = _number(answer)
    expect(n != 16, "16 counts the weights only: each Linear layer also has a bias.")
    expect(n != 24, "Close: the second layer has a bias too (one number, for its one output).")
    expect(n == 25, f"{n:g} is not the number of parameters. Count weight and bias of each Linear layer.")


@_add("8.2", hint="nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 1))",
      solution="""
      model = torch.nn.Sequential(
          torch.nn.Linear(1, 10), torch.nn.Tanh(),
          torch.nn.Linear(10, 10), torch.nn.Tanh(),
          torch.nn.Linear(10, 1),
      )
      answer = model
      """)
def _(answer):
    lib = _module(answer)
    layers = _layers(answer)
    linear = [(m.in_features, m.out_features) for m in layers if isinstance(m, lib.nn.Linear)]
    tanh = [m for m in layers if isinstance(m, lib.nn.Tanh)]
    expect(len(linear) == 3, f"The network has {len(linear)} Linear layers; two hidden layers and an output "
                             "layer make 3.")
    expect(len(tanh) == 2, f"The network has {len(tanh)} Tanh activations; each hidden layer needs one.")
    expect(linear == [(1, 10), (10, 10), (10, 1)], f"The Linear layers map {linear}; they should map 1 -> 10, "
                                                   "10 -> 10 and 10 -> 1.")
    expect([type(m).__name__ for m in layers] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"],
           "Put a Tanh after each hidden Linear layer, and none after the last one.")


@_add("8.3", hint="Train like the sine fit: a hidden layer of 16 tanh units, Adam with lr=0.01 and MSELoss, "
                  "a few hundred steps on x = torch.linspace(-2, 2, 101).reshape(-1, 1), y = x.abs().",
      solution="""
      torch.manual_seed(0)
      x = torch.linspace(-2, 2, 101).reshape(-1, 1)
      y = x.abs()
      model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
      optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
      for step in range(500):
          optimizer.zero_grad()
          loss = torch.nn.functional.mse_loss(model(x), y)
          loss.backward()
          optimizer.step()
      answer = model
      """)
def _(answer):
    lib = _module(answer)
    x = lib.linspace(-2, 2, 101).reshape(-1, 1)
    with lib.no_grad():
        try:
            pred = answer(x)
        except Exception as e:
            raise Wrong(f"The model fails on inputs of shape (101, 1) with {type(e).__name__}: it should take "
                        "one input number per row.") from None
    _shape(_tensor(pred, "The model's output"), (101, 1), "The model's output for 101 inputs")
    err = float(((_values(pred) - np.abs(_values(x))) ** 2).mean())
    expect(err < 0.01, f"The mean squared error on [-2, 2] is {err:.3g}: train longer, or use more hidden "
                       "units, until it is below 0.01.")


# --- Lesson 9 · A real dataset: handwritten digits ---------------------------------------------------

def _function(fn, what):
    """``(fn, lib)``: the function answer and the library it was written with (its ``torch``)."""
    if fn is ...:
        raise NotAnswered
    expect(callable(fn) and not isinstance(fn, type), f"Give the function {what} itself, but this is "
                                                      f"{_kind(fn)}.")
    lib = getattr(fn, "__globals__", {}).get("torch")
    if getattr(lib, "__name__", None) not in ("tutorgrad", "torch"):
        lib = importlib.import_module("tutorgrad")
    return fn, lib


@_add("9.1", hint="logits.argmax(dim=1) is the predicted class of each row; compare it with labels and take "
                  "the mean of the matches as floats.",
      solution="""
      def accuracy(logits, labels):
          return (logits.argmax(dim=1) == labels).float().mean().item()
      answer = accuracy
      """)
def _(answer):
    accuracy, lib = _function(answer, "accuracy(logits, labels)")
    logits = lib.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [0.0, 2.0, 1.0]])
    labels = lib.tensor([0, 1, 0, 2])
    got = accuracy(logits, labels)
    if got is ...:
        raise NotAnswered
    expect(got is not None, "accuracy returned None: return the fraction of right answers.")
    if _is_tensor(got):
        expect(got.numel() == 1, f"accuracy returned a tensor of shape {tuple(got.shape)}: reduce the matches "
                                 "to one number with .float().mean().")
    value = _number(got, "accuracy(logits, labels)")
    expect(value != 2, "2 is how many rows are right; the accuracy is the fraction of rows: 2 / 4.")
    expect(abs(value - 0.5) < 1e-6, f"For 4 rows of which 2 are right, accuracy gave {value:g} instead of 0.5.")
    value = _number(accuracy(logits[:2], labels[:2]), "accuracy")
    expect(abs(value - 1.0) < 1e-6, f"For 2 right rows out of 2, accuracy gave {value:g} instead of 1.")


@_add("9.2", hint="logp = logits.log_softmax(dim=1); pick logp[range(len(labels)), labels]; the loss is minus "
                  "their mean.",
      solution="""
      def my_cross_entropy(logits, labels):
          logp = logits.log_softmax(dim=1)
          return -logp[torch.arange(len(labels)), labels].mean()
      answer = my_cross_entropy
      """)
def _(answer):
    my_cross_entropy, lib = _function(answer, "my_cross_entropy(logits, labels)")
    values = [[1.0, 2.0, 0.5], [0.2, -1.0, 3.0], [2.5, 0.0, 0.0], [0.0, 1.0, -2.0]]
    logits = lib.tensor(values, requires_grad=True)
    labels = lib.tensor([1, 2, 0, 0])
    got = _tensor(my_cross_entropy(logits, labels), "my_cross_entropy(logits, labels)")  # (... : not answered)
    expect(got.numel() == 1, f"The loss should be one number (the mean over the batch), but it has shape "
                             f"{tuple(got.shape)}.")
    want = lib.nn.functional.cross_entropy(logits, labels)
    expect(not np.isclose(float(got.item()), -float(want.item())), "The sign is flipped: the loss is minus the "
                                                                   "mean log-probability.")
    _close(got.detach(), want.detach(), "my_cross_entropy")
    expect(got.requires_grad, "The loss is not connected to the graph: compute it from logits with tensor "
                              "operations.")
    got.backward()
    expected_grad = (lib.softmax(lib.tensor(values), dim=1) - lib.eye(3)[labels]) / 4
    _close(logits.grad, expected_grad, "The gradient of your loss")


@_add("9.3", hint="Build the same layers again (nn.Sequential(...)), then "
                  "restored.load_state_dict(torch.load(path)).",
      solution="""
      import io
      def make_model():
          return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
      model = make_model()                    # (in the lesson: the trained model)
      saved = io.BytesIO()                    # (in the lesson: the file at `path`)
      torch.save(model.state_dict(), saved)
      saved.seek(0)
      restored = make_model()
      restored.load_state_dict(torch.load(saved))
      """, answers=("model", "restored"))
def _(model, restored):
    _module(model, "The first argument (the trained model)")
    _module(restored)
    expect(restored is not model, "Your answer is the trained model itself: build a new network and load the "
                                  "saved weights into it.")
    ours, theirs = model.state_dict(), restored.state_dict()
    expect(list(theirs) == list(ours), f"Your network has the parameters {list(theirs)}, but the trained model "
                                       f"has {list(ours)}: build the same layers.")
    for name, value in ours.items():
        expect(tuple(theirs[name].shape) == tuple(value.shape), f"{name} has another shape in your network.")
        expect(np.array_equal(_values(theirs[name]), _values(value)),
               f"Your network's {name} differs from the trained model's: load the saved state dict into it "
               "(new_model.load_state_dict(torch.load(path))).")
