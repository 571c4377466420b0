"""Exercises of lesson 12, Handwritten digits (notebooks/12-digits.ipynb)."""
import numpy as np

from .answers import call, is_tensor, kind, lib_of, number, returned, shape, show, values
from .exercises import NotAnswered, Wrong, add, expect


def _function(fn, what):
    """``lib``: the library the student's function was written with (its ``torch``)."""
    if fn is ...:
        raise NotAnswered
    expect(callable(fn) and not isinstance(fn, type), f"Give the function {what} itself, but this is {kind(fn)}.")
    return lib_of(fn)


def _accuracy(logits, labels):
    return float((np.argmax(logits, 1) == labels).mean())


_ACC_CASES = [
    # logits, labels (a square case first: argmax along the wrong dimension still has the right shape there)
    ([[1.0, 2.0, 3.0, 5.0, 4.0], [4.0, 5.0, 0.0, 1.0, 3.0], [4.0, 3.0, 5.0, 1.0, 0.0], [3.0, 4.0, 5.0, 2.0, 0.0],
      [0.0, 2.0, 1.0, 5.0, 3.0]], [0, 1, 0, 0, 0]),
    ([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [0.0, 2.0, 1.0]], [0, 1, 0, 2]),
    ([[0.5, 0.1], [0.2, 0.9]], [0, 1]),
]


@add("12.1", answers=("my_accuracy",), hints=[
    "For each row, find where its largest score is (its position, not its value), compare that with the "
    "row's label, and turn the matches into a fraction of all the rows.",
    "logits.argmax(dim=1) is the position of each row's largest entry; == labels gives True/False per row; "
    ".float().mean() turns them into the fraction (and .item() into a number).",
], solution="return (logits.argmax(dim=1) == labels).float().mean().item()")
def _(my_accuracy):
    lib = _function(my_accuracy, "my_accuracy(logits, labels)")
    for logits_values, label_values in _ACC_CASES:
        logits, labels = lib.tensor(logits_values), lib.tensor(label_values)
        args = {"logits": logits, "labels": labels}
        got = call(my_accuracy, "my_accuracy", args)
        lv, yv = np.array(logits_values), np.array(label_values)
        right = _accuracy(lv, yv)
        expect(got is not None, "my_accuracy returned None: return the fraction of right answers.")
        if is_tensor(got) and got.numel() > 1:
            raise Wrong(returned("my_accuracy", args, got, right, "That is one True/False (or 1/0) per row: reduce "
                                                                  "the matches to one number with .float().mean()."))
        value = number(got, "What my_accuracy returned")
        if abs(value - right) < 1e-6:
            continue
        n = len(yv)
        for wrong, why in [
            (right * n, "That is how many rows are right; the accuracy is the fraction of rows: divide by the number "
                        "of rows (or take the mean)."),
            (float((np.argmax(lv, 0) == yv).mean()) if lv.shape[0] == lv.shape[1] else None,
             "argmax along dim=0 finds the largest entry of each column, across the rows. Each row's answer is "
             "argmax(dim=1)."),
            (float((lv.max(1) == yv).mean()), "That compares the largest score itself with the label; the answer is "
                                              "its position: argmax, not max."),
            (float((np.argmin(lv, 1) == yv).mean()), "That uses the smallest score (argmin); the answer is the largest "
                                                     "one: argmax(dim=1)."),
            (1 - right, "That is the fraction of wrong rows: count where the prediction equals the label."),
        ]:
            if wrong is not None and abs(value - wrong) < 1e-6:
                raise Wrong(returned("my_accuracy", args, value, right, why))
        raise Wrong(returned("my_accuracy", args, value, right, "Compare each row's argmax(dim=1) with its label, "
                                                                "and take the mean of the matches."))


_LOGITS = [[1.0, 2.0, 0.5], [0.2, -1.0, 3.0], [2.5, 0.0, 0.0], [0.0, 1.0, -2.0]]
_LABELS = [1, 2, 0, 0]


def _log_softmax(a, axis):
    a = np.asarray(a)
    m = a.max(axis=axis, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis=axis, keepdims=True))


@add("12.2", answers=("my_cross_entropy",), hints=[
    "The loss of one row is minus the log of the probability the model gives its right class; the loss of "
    "the batch is the mean over the rows. log_softmax turns scores into those log-probabilities.",
    "logp = logits.log_softmax(dim=1); pick one entry per row with logp[torch.arange(len(labels)), labels]; "
    "the loss is minus their mean.",
], solution="""
    logp = logits.log_softmax(dim=1)
    return -logp[torch.arange(len(labels)), labels].mean()
    """)
def _(my_cross_entropy):
    lib = _function(my_cross_entropy, "my_cross_entropy(logits, labels)")
    logits = lib.tensor(_LOGITS, requires_grad=True)
    labels = lib.tensor(_LABELS)
    args = {"logits": logits, "labels": labels}
    got = call(my_cross_entropy, "my_cross_entropy", args)
    expect(got is not None, "my_cross_entropy returned None: return the loss.")
    expect(is_tensor(got), returned("my_cross_entropy", args, got, None,
                                    f"It returned {kind(got)}: compute the loss with tensor operations and return the "
                                    "tensor (no .item()), so that it stays connected to the graph."))
    rows = np.arange(len(_LABELS))
    lp = _log_softmax(_LOGITS, 1)
    right = -lp[rows, _LABELS].mean()
    if got.numel() != 1:
        raise Wrong(returned("my_cross_entropy", args, got, right, f"The loss should be one number (the mean over the "
                                                                   f"batch), but it has shape {shape(got)}: take the "
                                                                   "mean."))
    value = number(got)
    p = np.exp(lp)
    for wrong, why in [
        (-right, "The sign is flipped: the loss is minus the mean log-probability (log-probabilities are negative, "
                 "the loss is positive)."),
        (right * len(_LABELS), "That is the sum over the batch; the loss is the mean: .mean(), not .sum()."),
        (-p[rows, _LABELS].mean(), "Those are probabilities (softmax), not their logarithm: use log_softmax."),
        (-_log_softmax(_LOGITS, 0)[rows, _LABELS].mean(), "log_softmax along dim=0 normalises each column, across "
                                                          "the examples. Each row is one example's scores: dim=1."),
        (-lp[:, _LABELS].mean(), "logp[:, labels] picks the labels' columns for every row (a 4 x 4 table); pick one "
                                 "entry per row: logp[torch.arange(len(labels)), labels]."),
    ]:
        if abs(value - wrong) < 1e-4:
            raise Wrong(returned("my_cross_entropy", args, value, right, why))
    expect(abs(value - right) < 1e-4, returned("my_cross_entropy", args, value, right,
                                               "Minus the mean of each row's log_softmax at its label."))
    expect(got.requires_grad, "The loss is not connected to the graph: compute it from logits with tensor operations "
                              "(no .item(), no NumPy).")
    got.backward()
    expected_grad = (p - np.eye(3)[_LABELS]) / len(_LABELS)
    expect(logits.grad is not None and np.allclose(values(logits.grad), expected_grad, atol=1e-5),
           f"The value is right but the gradient is not ({show(logits.grad)}): was part of it computed outside the "
           "graph (detach, NumPy)?")


@add("12.3", answers=("model", "restored2"), hints=[
    "A state dict holds only the numbers, not the layers: first build a network with the same layers as "
    "model, then pour the saved numbers into it.",
    "nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)) builds it; restored2.load_state_dict("
    "torch.load(path)) fills it, on its own line (it returns a report, not the network).",
], solution="""
    restored2 = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    restored2.load_state_dict(torch.load(path))
    """)
def _(model, restored2):
    if restored2 is ...:
        raise NotAnswered
    lib = lib_of(model)
    if isinstance(restored2, dict):
        raise Wrong("restored2 is the state dict itself (a dict of tensors), not a network: build the network, then "
                    "restored2.load_state_dict(torch.load(path)).")
    if type(restored2).__name__ in ("_IncompatibleKeys", "IncompatibleKeys") or (
            isinstance(restored2, tuple) and hasattr(restored2, "missing_keys")):
        raise Wrong("restored2 is what load_state_dict returns, a report of the keys, not the network. Build the "
                    "network into restored2 first, then call restored2.load_state_dict(...) on its own line.")
    expect(isinstance(restored2, lib.nn.Module), f"restored2 should be a network (an nn.Module), but it is "
                                                 f"{kind(restored2)}.")
    expect(restored2 is not model, "restored2 is the trained model itself: build a new network and load the saved "
                                   "weights into it.")
    ours, theirs = model.state_dict(), restored2.state_dict()
    expect(list(theirs) == list(ours), f"Your network has the parameters {list(theirs)}, but the trained model "
                                       f"has {list(ours)}: build the same layers.")
    for name, value in ours.items():
        expect(tuple(theirs[name].shape) == tuple(value.shape), f"{name} has shape {tuple(theirs[name].shape)} in "
                                                                f"your network but {tuple(value.shape)} in the "
                                                                "trained one: build the same layers.")
    same = [np.array_equal(values(theirs[n]), values(v)) for n, v in ours.items()]
    expect(any(same), "Your network has the right layers, but its own random weights: load the saved ones into it, "
                      "restored2.load_state_dict(torch.load(path)).")
    expect(all(same), "Some of your network's weights differ from the trained model's: load the whole saved state "
                      "dict, restored2.load_state_dict(torch.load(path)).")
