"""One registration per op (``tutorgrad/ops/registry.py``): ``Tensor.x``, ``Tensor.x_`` and ``tutorgrad.x``."""
import pytest

import tutorgrad
from tutorgrad.ops import registry
from tutorgrad.ops.elementwise import Exp, Sin
from tutorgrad.ops.linalg import Matmul, Mm


@pytest.fixture
def registered():
    """Register a throw-away op, and take it off again afterwards."""
    names = []

    def register(name, **kwargs):
        names.append(name)
        return registry.register(name, **kwargs)
    yield register
    for name in names:
        for attr in (name, name + "_"):
            if attr in vars(tutorgrad.Tensor):
                delattr(tutorgrad.Tensor, attr)
        registry.functions.pop(name, None)


def test_one_registration_attaches_the_method_the_in_place_form_and_the_function(registered):
    @registered("twice_plus", inplace=True)
    def twice_plus(self, c=1.0):
        """2x + c."""
        return self * 2 + c

    x = tutorgrad.tensor([1.0, 2.0])
    assert x.twice_plus().tolist() == [3.0, 5.0]
    assert registry.functions["twice_plus"](x, 0.5).tolist() == [2.5, 4.5]
    assert x.twice_plus_() is x and x.tolist() == [3.0, 5.0]  # in place: the result written back
    with pytest.raises(TypeError, match=r"twice_plus\(\): argument 'input' \(position 1\) must be Tensor, not list"):
        registry.functions["twice_plus"]([1.0])
    assert tutorgrad.Tensor.twice_plus.__name__ == "twice_plus"
    assert registry.functions["twice_plus"].__doc__ == "2x + c."


def test_an_op_registers_its_apply_and_in_place_forms_record_as_pytorch():
    x = tutorgrad.tensor([0.5], requires_grad=True)
    y = x.clone()
    assert y.exp_() is y and y.grad_fn.name() == "ExpBackward0"  # the out-of-place node, as PyTorch records exp_
    assert tutorgrad.sin(x).grad_fn.name() == "SinBackward0" and tutorgrad.exp is registry.functions["exp"]


def test_functions_exist_only_where_pytorch_has_them():
    for name in ("view", "expand", "sum_to_size", "repeat", "to", "contiguous", "zero_", "__getitem__"):
        assert name not in registry.functions and not hasattr(tutorgrad, name)
    for name in ("exp", "sum", "cat", "stack", "where", "real", "detach", "broadcast_shapes", "unflatten"):
        assert callable(getattr(tutorgrad, name))


def test_a_variant_is_the_same_op_under_another_node_name():
    assert issubclass(Mm, Matmul) and Mm.forward is Matmul.forward and Mm.backward is Matmul.backward
    assert Mm._backward_cls.__name__ == "MmBackward0" and Mm.rule == Matmul.rule
    assert Mm.__module__ == "tutorgrad.ops.linalg"


def test_ops_declare_their_rule_and_elementwise_ops_say_so():
    assert Sin.rule == "y = sin(x).   dy/dx = cos(x)" and Sin.elementwise
    assert Exp.rule.startswith("y = exp(x).") and Exp.elementwise and not Matmul.elementwise
    assert Sin.__doc__ == Sin.rule  # no docstring of its own: help() shows the rule
