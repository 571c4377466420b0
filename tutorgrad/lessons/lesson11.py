"""Exercises of lesson 11, Universal approximation (notebooks/11-universal-approximation.ipynb)."""
import numpy as np

from .answers import kind, lib_of, number, shape, tensor_answer, values
from .exercises import NotAnswered, Wrong, add, expect


def _module(model, what="Your answer"):
    """The ``lib`` a model was built with, after checking it is an ``nn.Module``."""
    if model is ...:
        raise NotAnswered
    lib = lib_of(model)
    if isinstance(model, type) and issubclass(model, lib.nn.Module):
        raise Wrong(f"{what} is the class {model.__name__} itself; build a network with it, e.g. "
                    "nn.Sequential(nn.Linear(1, 10), ...).")
    expect(isinstance(model, lib.nn.Module), f"{what} should be a network (an nn.Module such as "
                                             f"nn.Sequential(...)), but it is {kind(model)}.")
    return lib


def _layers(model):
    """The innermost modules of ``model``, in order (Linear, Tanh, ...)."""
    return [m for m in model.modules() if not list(m.children())]


@add("11.1", hints=[
    "Only the Linear layers have parameters: each has a weight matrix and a bias vector. Count both, for "
    "both layers.",
    "nn.Linear(n_in, n_out) has n_out x n_in weights and n_out biases: here 8 x 1 + 8, and 1 x 8 + 1.",
], solution="answer = (8 * 1 + 8) + (1 * 8 + 1)   # 25")
def _(answer):
    n = number(answer)
    expect(n != 16, "16 counts the weights only (8 + 8): each Linear layer also has a bias.")
    expect(n != 24, "Close: the second layer has a bias too (one number, for its one output).")
    expect(n != 17, "Close: the first layer has a bias too, one number for each of its 8 outputs.")
    expect(n != 9, "9 is the second layer alone (8 weights and 1 bias); the first layer has 8 weights and 8 "
                   "biases.")
    expect(n != 33, "Tanh has no parameters: it only applies tanh. Count the two Linear layers.")
    expect(n == 25, f"{n:g} is not the number of parameters. Count the weight and the bias of each Linear layer.")


@add("11.2", hints=[
    "Two hidden layers means three Linear layers (input to hidden, hidden to hidden, hidden to output), with "
    "a tanh after each hidden one and none after the output.",
    "nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 1)).",
], solution="""
    answer = nn.Sequential(
        nn.Linear(1, 10), nn.Tanh(),
        nn.Linear(10, 10), nn.Tanh(),
        nn.Linear(10, 1),
    )
    """)
def _(answer):
    lib = _module(answer)
    layers = _layers(answer)
    names = [type(m).__name__ for m in layers]
    linear = [(m.in_features, m.out_features) for m in layers if isinstance(m, lib.nn.Linear)]
    expect("ReLU" not in names, "The exercise asks for tanh units: use nn.Tanh(), not nn.ReLU().")
    expect(len(linear) != 2, "The network has 2 Linear layers: that is one hidden layer. Two hidden layers need 3 "
                             "(1 -> 10, 10 -> 10, 10 -> 1).")
    expect(len(linear) == 3, f"The network has {len(linear)} Linear layers; two hidden layers and an output layer "
                             "make 3.")
    expect(names[-1] != "Tanh", "There is a Tanh after the last Linear layer: it squashes the output into (-1, 1). "
                                "The output layer has no activation.")
    expect(names.count("Tanh") == 2, f"The network has {names.count('Tanh')} Tanh activations; each hidden layer "
                                     "needs one, right after its Linear layer.")
    expect(linear == [(1, 10), (10, 10), (10, 1)], f"The Linear layers map {linear}; they should map 1 -> 10, "
                                                   "10 -> 10 and 10 -> 1.")
    expect(names == ["Linear", "Tanh", "Linear", "Tanh", "Linear"],
           "Put a Tanh after each hidden Linear layer, and none after the last one.")


@add("11.3", hints=[
    "Any network with a hidden layer of a dozen or more tanh units can do it; what matters is the training: "
    "the same four-line loop as in this lesson, with Adam, for a few hundred steps, on xs and ys.",
    "For example nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)), torch.optim.Adam(..., lr=0.01), "
    "and 500 steps of zero_grad, loss = nn.functional.mse_loss(kink(xs), ys), backward, step.",
], solution="""
    torch.manual_seed(0)
    kink = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    kink_optimizer = torch.optim.Adam(kink.parameters(), lr=0.01)
    for step in range(500):
        kink_optimizer.zero_grad()
        loss = nn.functional.mse_loss(kink(xs), ys)
        loss.backward()
        kink_optimizer.step()
    answer = kink
    """)
def _(answer):
    lib = _module(answer)
    params = list(answer.parameters())
    dtype = params[0].dtype if params else lib.get_default_dtype()
    x = lib.linspace(-2, 2, 101, dtype=dtype).reshape(-1, 1)
    with lib.no_grad():
        try:
            pred = answer(x)
        except Exception as e:
            raise Wrong(f"The model fails on inputs of shape (101, 1) with {type(e).__name__}: {e}. It should take "
                        "one number per row: its first layer is nn.Linear(1, ...).") from None
    tensor_answer(pred, "The model's output")
    expect(shape(pred) != (101, 16) and not (len(shape(pred)) == 2 and shape(pred)[1] > 1),
           f"The model's output has shape {shape(pred)}: one column per hidden unit. End with a Linear layer to 1 "
           "output, nn.Linear(16, 1).")
    expect(shape(pred) == (101, 1), f"For 101 inputs the model's output has shape {shape(pred)}, but it should be "
                                    "(101, 1).")
    xs, got = values(x).ravel(), values(pred).ravel()
    err = float(((got - np.abs(xs)) ** 2).mean())
    expect(float(((got - xs) ** 2).mean()) > 0.01 or err < 0.01,
           "The model fits the line y = x, not |x|: train it on ys = xs.abs().")
    expect(err < 0.5, f"The mean squared error on [-2, 2] is {err:.3g}: that looks untrained. Train it, with the "
                      "four-line loop, for a few hundred steps.")
    expect(err < 0.01, f"The mean squared error on [-2, 2] is {err:.3g}: train longer, or use more hidden units, "
                       "until it is below 0.01.")
