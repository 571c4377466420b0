"""``backward`` and ``grad``: the API over the engine, with PyTorch's checks of outputs and gradients.

``backward(tensors)`` adds d(tensors)/d(leaf) to every leaf's ``.grad``; ``grad(outputs, inputs)`` returns
d(outputs)/d(inputs) and touches no ``.grad``. Both start from one gradient per output (ones for a scalar
output) and hand the pass to the engine (``engine.run_backward``).
"""
import warnings

import numpy as np

from .. import _convert, _registered
from .engine import run_backward
from .function import AccumulateGrad
from .grad_mode import set_grad_enabled


def _tensors(x, what):
    Tensor = _registered.Tensor
    if isinstance(x, Tensor):
        return (x,)
    if x is None:
        return ()
    x = tuple(x)
    for t in x:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, got {type(t).__name__}")
    return x


def _grads_for(outputs, grad_outputs, create_graph):
    """The gradient to start from for each output (ones for a scalar output), with PyTorch's checks."""
    Tensor = _registered.Tensor
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs; got {len(grad_outputs)} "
                           f"gradients for {len(outputs)} outputs")
    out = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not t.requires_grad:  # (the property: a view whose base changed in place takes its new history)
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn. "
                               "Did you forget requires_grad=True on an input, or compute it under no_grad()?")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (this output has shape "
                    f"{list(t.shape)}); reduce it first (y.sum().backward()) or pass a gradient of its shape "
                    "(y.backward(torch.ones_like(y)))")
            if t._data.dtype.kind == "c":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{t.dtype}; make the loss real first (e.g. z.abs() or z.real) or pass a gradient "
                                   "(z.backward(gradient=...))")
            shape, dtype = t._data.shape, t._data.dtype
            g = Tensor._wrap(np.ones(shape, dtype) if shape else np.array(1, dtype))  # (np.ones: ~1 us more for 0-d)
            out.append(g)  # (made here: nothing else holds it, and it has no history to detach from)
            continue
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(_convert.to_array(g, t.dtype))
            if g.shape != t.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {t.shape}.")
        out.append(g if create_graph else g.detach())
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Add d(tensors)/d(leaf) to every leaf's ``.grad`` (see ``Tensor.backward``)."""
    tensors = _tensors(tensors, "tensors")
    grads = _grads_for(tensors, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
            "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
            "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
            "to None after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    if inputs is not None:
        inputs = _tensors(inputs, "inputs")
        found = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
        for t, g in zip(inputs, found):
            if g is not None:
                with set_grad_enabled(create_graph):
                    AccumulateGrad(t).apply(g)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``.

    >>> x = tutorgrad.tensor(2., requires_grad=True)
    >>> dy, = tutorgrad.autograd.grad(x ** 3, x, create_graph=True)   # 3x^2 = 12
    >>> tutorgrad.autograd.grad(dy, x)                                 # 6x = 12
    (tensor(12.),)
    """
    if is_grads_batched:
        raise NotImplementedError("tutorgrad has no batched gradients (is_grads_batched=True); loop over the "
                                  "grad_outputs instead")
    outputs = _tensors(outputs, "outputs")
    inputs = _tensors(inputs, "inputs")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (index {i}) does not require grad")
    grads = _grads_for(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    found = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    Tensor = _registered.Tensor
    result = []
    for i, (t, g) in enumerate(zip(inputs, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                g = Tensor._wrap(np.zeros(t._data.shape, t._data.dtype))
        elif not create_graph:
            g = g.detach()
        if g is not None and not g._data.flags.c_contiguous and t._data.flags.c_contiguous:
            # In the input's layout, as PyTorch's formulas give it (a linear layer's weight gradient arrives
            # transposed from small products, see ops/linalg.py): g.view(-1) must work as it does in PyTorch.
            g = g.contiguous()
        result.append(g)
    return tuple(result)
