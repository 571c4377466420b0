"""Higher derivatives are recorded as PyTorch records them (what hessian(strict=True, create_graph=True) reads)."""
import numpy as np  # noqa: F401
import pytest

import tutorgrad

from torchdiff import as_tutorgrad_text, assert_same, call, torch


def unnamed(result):
    if isinstance(result, tuple):
        return tuple(unnamed(r) for r in result)
    return result.detach(), result.requires_grad


def assert_both(run, dtype, where):
    ref, ours = call(run, torch), call(run, tutorgrad)
    assert_same(ours, ref, check_repr=False, rtol={"float32": 5e-5, "float64": 1e-10}[dtype], where=where)
    if isinstance(ref, BaseException):
        assert str(ours) == as_tutorgrad_text(str(ref))


@pytest.mark.parametrize("name", ["pow2", "pow3", "square", "cube_sum"])
def test_higher_derivatives_are_recorded_as_in_pytorch(name):
    """The backward of x ** 2 is 2·x·grad, and PyTorch records it with create_graph as 2·x.pow(1)·grad, so even
    the third derivative of x ** 2 (zero) requires grad."""
    f = {"pow2": lambda x: x ** 2, "pow3": lambda x: x ** 3, "square": lambda x: x.square(),
         "cube_sum": lambda x: (x ** 3).sum() * x}[name]

    def run(L):
        x = L.tensor([0.7, -1.3], dtype=L.float64, requires_grad=True)
        y, found = f(x).sum(), []
        for _ in range(3):
            g, = L.autograd.grad(y, x, create_graph=True)
            found.append(unnamed(g))
            if not g.requires_grad:
                break
            y = (g * L.tensor([1.0, 2.0], dtype=L.float64)).sum()
        return tuple(found)
    assert_both(run, "float64", name)
