"""Exercises of lesson 5, The computation graph (notebooks/05-computation-graph.ipynb)."""
from .answers import is_tensor, kind, number, show, tensor_answer
from .exercises import NotAnswered, Wrong, add, expect

_TRACKS = [
    ("p * 2", False, "p * 2 does not track: p does not require grad and 2 is a plain number, so nothing tracked "
                     "goes in."),
    ("p * q", True, "p * q tracks: q requires grad, and an operation tracks history if any of its inputs does."),
    ("(p * q).detach()", False, "(p * q).detach() does not track: detach() returns the numbers cut off from the "
                                "graph."),
    ("q > 0", False, "q > 0 does not track: a comparison gives True or False, which have no derivative."),
]


@add("5.1", answers=("predictions",), hints=[
    "For each expression, ask two questions: does any input require grad? And can the result have a "
    "derivative at all?",
    "An operation tracks history if any input does; detach() leaves the graph; comparisons (True/False) are "
    "never tracked. Check one at a time: (p * 2).requires_grad.",
], solution="predictions = [False, True, False, False]")
def _(predictions):
    if predictions is ...:
        raise NotAnswered
    expect(isinstance(predictions, (list, tuple)) and len(predictions) == 4
           and all(isinstance(b, bool) for b in predictions),
           "Answer with a list of four booleans (True or False), one per expression.")
    wrong = [why for (_, right, why), got in zip(_TRACKS, predictions) if got != right]
    if wrong:
        more = "" if len(wrong) == 1 else f" (And {len(wrong) - 1} more to look at again.)"
        raise Wrong(wrong[0] + more)


@add("5.2", solution_as_last_hint=False, answers=("leaves",), hints=[
    "A leaf is a tensor that no tracked operation made. Go through the five and ask for each: was it made "
    "by an operation on a tensor that requires grad?",
    "Tensors you create yourself are leaves, and so is every tensor that does not require grad; results of "
    "operations on a tracked tensor have a grad_fn. Check with .is_leaf.",
    'leaves = {"a", "b", "e"}   # c and d were made by operations on the tracked a',
], solution='leaves = {"a", "b", "e"}')
def _(leaves):
    if leaves is ...:
        raise NotAnswered
    expect(isinstance(leaves, (set, list, tuple, frozenset)) and all(isinstance(n, str) for n in leaves),
           'Answer with a set of names (strings), e.g. {"a", "c"}.')
    leaves = set(leaves)
    unknown = leaves - set("abcde")
    expect(not unknown, f"{sorted(unknown)} is not one of the tensors; the names are a, b, c, d and e.")
    expect(not leaves & {"c", "d"}, f"{' and '.join(sorted(leaves & {'c', 'd'}))}: made by operations on the "
                                    "tracked a, so they have a grad_fn and are not leaves.")
    expect("b" in leaves or not {"a", "e"} <= leaves, "b is missing: it does not require grad, and every tensor "
                                                      "that does not require grad counts as a leaf.")
    expect({"a", "e"} <= leaves, f"{' and '.join(sorted({'a', 'e'} - leaves))} missing: a tensor you create "
                                 "yourself, even with requires_grad=True, is a leaf (it has no grad_fn).")
    expect(leaves == {"a", "b", "e"}, "Not quite: which tensors did you create yourself?")


@add("5.3", solution_as_last_hint=False, answers=("node_name",), hints=[
    "Start at d's own node, the node of the last operation that made d, and follow its first input one "
    "step back. Which operation made that input?",
    "d.grad_fn is the exp node; d.grad_fn.next_functions[0][0] is the node of its first input, and "
    ".name() gives its name.",
    'node_name = d.grad_fn.next_functions[0][0].name()   # "MulBackward0"',
], solution='node_name = "MulBackward0"   # the exp node\'s first input is a * b')
def _(name):
    if name is ...:
        raise NotAnswered
    if not isinstance(name, str) and hasattr(name, "next_functions"):
        raise Wrong(f"You gave the node itself ({type(name).__name__}); the answer is its name, a string: "
                    "node.name().")
    expect(isinstance(name, str), f"Answer with a string such as \"AddBackward0\", not {kind(name)}.")
    expect(name != "ExpBackward0", "ExpBackward0 is d.grad_fn itself, the last operation; follow its first "
                                   "input one step back.")
    expect(name != "AccumulateGrad", "AccumulateGrad is a's node, two steps back; go only one step.")
    expect(name.lower() not in ("mul", "mulbackward", "multiply", "multiplication", "*"),
           f"{name!r} is the right operation, but not the node's full name: it ends in Backward0 (check with "
           ".name()).")
    expect(name != "PowBackward0", "There is no power here: d = (a * b).exp().")
    expect(name == "MulBackward0", f"{name!r} is not it. What operation made the exp's input?")


@add("5.4", answers=("y",), hints=[
    "Write the formula with the operations the exercise names: a power for the square, a multiplication "
    "for 3x, and an addition that joins them last.",
    "x ** 2 makes a power node (x * x would be a multiplication); 3 * x a multiplication; + the addition.",
], solution="y = x ** 2 + 3 * x")
def _(y):
    if y is ...:
        raise NotAnswered
    if not is_tensor(y) and isinstance(y, (int, float)):
        raise Wrong(f"y is a Python number ({y:g}): .item() or float() leave the graph. Keep y a tensor, "
                    "computed from x.")
    tensor_answer(y, "y")
    expect(y.grad_fn is not None, "y has no grad_fn: compute it from x, which requires grad (and not inside "
                                  "torch.no_grad()).")
    value = number(y, "y")
    expect(abs(value - 7.0) > 1e-5, "y is 7: x ** 2 + 3 adds 3; the formula multiplies it by x, 3 * x.")
    expect(abs(value + 2.0) > 1e-5, "y is -2: wrong sign, that is x ** 2 - 3 * x. The formula adds: + 3 * x.")
    expect(abs(value - 10.0) < 1e-5, f"y is {show(y)}, but x**2 + 3*x at x = 2 is 10.")
    top = type(y.grad_fn).__name__
    expect(top == "AddBackward0", f"y is 10, but the last operation is {top}: the formula should end with the "
                                  "addition of x ** 2 and 3 * x (not x * (x + 3)).")
    inputs = sorted(type(n).__name__ for n, _ in y.grad_fn.next_functions)
    expect(inputs != ["MulBackward0", "MulBackward0"], "x * x is a multiplication node: write the square as a "
                                                       "power, x ** 2.")
    expect(inputs == ["MulBackward0", "PowBackward0"],
           f"The addition's inputs come from {', '.join(inputs)}; they should be a power (x ** 2) and a "
           "multiplication (3 * x).")
