"""All parameters as one flat vector, and back (for optimizers written as vector maths)."""
from ...tensor import Tensor
from ...ops.shape import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's entries, in order (part of the graph: gradients flow back).

    >>> tutorgrad.nn.utils.parameters_to_vector(tutorgrad.nn.Linear(2, 1).parameters()).shape
    tutorgrad.Size([3])
    """
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive pieces of the 1-D ``vec`` into the parameters' ``.data`` (the inverse of the above)."""
    if not isinstance(vec, Tensor):
        kind = type(vec)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"expected torch.Tensor, but got: {name}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
