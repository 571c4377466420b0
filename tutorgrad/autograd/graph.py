"""Reading the backward graph from a tensor: ``get_gradient_edge`` (as ``torch.autograd.graph``).

A tensor that requires grad is reached by the backward pass along one edge: its ``grad_fn`` for a
result of an op, or the ``AccumulateGrad`` node that adds to ``.grad`` for a leaf. ``Node`` is the
class of every node (``grad_fn``, ``next_functions``; see ``function.py``).

>>> x = tutorgrad.tensor(2., requires_grad=True)
>>> get_gradient_edge(x).node.name(), get_gradient_edge(x * x).node.name()
('AccumulateGrad', 'MulBackward0')
"""
from collections import namedtuple

from .function import Node  # noqa: F401  (torch.autograd.graph.Node)

GradientEdge = namedtuple("GradientEdge", "node output_nr ownership_token", defaults=(None,))
GradientEdge.__doc__ = "Where the gradient of a tensor arrives: output ``output_nr`` of ``node``."


def get_gradient_edge(tensor):
    """The ``GradientEdge`` of a tensor that requires grad (for a leaf: its ``AccumulateGrad`` node)."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require gradients")
    if tensor.grad_fn is not None:  # (the property: a view whose base changed in place remakes its node first)
        return GradientEdge(tensor.grad_fn, tensor.output_nr)
    node, nr = tensor._edge()  # a leaf: its AccumulateGrad node
    return GradientEdge(node, nr)
