"""Jacobians, Hessians and their products with a vector, as ``torch.autograd.functional``.

Each function takes a Python function ``func`` of tensors and the point ``inputs`` (a Tensor or a
tuple of Tensors), runs ``func`` once and asks the engine (``autograd.grad``) for what it needs:

* ``vjp(func, x, v)``   vᵀJ  one backward pass from the outputs with ``grad_outputs=v``
* ``jvp(func, x, v)``   Jv   the double-backward trick: uᵀJ is linear in u, so d(uᵀJ)/du · v = Jv
* ``jacobian(func, x)`` J    one backward per output element: row j is e_jᵀJ
* ``hessian(func, x)``  H    the Jacobian of the gradient
* ``vhp(func, x, v)``   vᵀH  a backward pass through the gradient
* ``hvp(func, x, v)``   Hv   the double-backward trick applied to the gradient

Results keep the structure of what was given, as in PyTorch: a Tensor for a Tensor, a tuple for a
tuple; ``jacobian`` of a tuple of outputs w.r.t. a tuple of inputs is a tuple (one per output) of
tuples (one per input), and ``J[i][j]`` has shape ``outputs[i].shape + inputs[j].shape``.

``create_graph=True`` records the computation, so a result can be differentiated again;
``strict=True`` raises instead of returning zeros where an output does not depend on an input.

This module sits inside autograd and knows tensors only through their methods (``detach``,
``view_as``, ``new_zeros``, ``view``, indexing, ...), the ``Tensor`` class and the ``stack`` factory that the
floors above register in ``tutorgrad._registered``. It imports nothing of ``tensor.py``, ``ops/`` or
``creation.py``, and nothing from outside ``autograd/`` at all: it reaches ``_registered`` through
``function.py``, which holds it (``tests/test_autograd_functional.py`` checks this).
"""
from .api import grad
from .function import _registered  # tutorgrad._registered: the Tensor class and the factories, registered from above
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------------------------------- helpers
def _as_tuple(x, what, fn):
    """(was ``x`` a tuple?, ``x`` as a tuple of Tensors). As in PyTorch, a list is not a tuple here."""
    Tensor = _registered.Tensor
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            which = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but "
                            f"{which} has type {type(t)}.")
    return is_tuple, items


def _grad_preprocess(tensors, create_graph, need_graph):
    """Fresh tensor objects to differentiate with respect to.

    Always a *new* object (pytorch#32576): if ``func`` also captures the caller's tensor from outside,
    that use must not count as a use of the input. With ``create_graph`` a tensor that requires grad
    stays connected (``view_as``), so the result can be differentiated w.r.t. the caller's tensor;
    otherwise it is cut off (``detach``).
    """
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _validate_v(v, other, is_other_tuple):
    """``v`` must have one tensor per tensor of ``other``, each of the same shape."""
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got {a.size()}.")


_NOT_DIFFERENTIABLE = {  # strict=True: a tensor that should depend on the inputs (it has no grad_fn)
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
               "in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
}


def _check_requires_grad(tensors, kind, strict):
    """``strict=True``: raise if one of ``tensors`` (outputs, gradients) is not connected to the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:  # (only a gradient can be None: the input was not used)
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_NOT_DIFFERENTIABLE[kind].format(i=i))


_UNUSED = {  # strict=True: the engine found no path from what was differentiated to entry i
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Replace each ``None`` gradient by zeros shaped like ``refs[i]`` (the exact derivative of something that
    does not depend on it), or raise under ``strict``."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_UNUSED[stage].format(i=i))
            g = ref.new_zeros(ref.shape)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs with no graph and answers ``None`` for inputs that were not used."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:  # nothing depends on the inputs: no backward pass at all
        return (None,) * len(inputs)
    outputs, grad_outputs = zip(*pairs)
    return grad(outputs, inputs, grad_outputs, retain_graph=retain_graph, create_graph=create_graph,
                allow_unused=True)


def _grad_postprocess(res, create_graph, what):
    """Cut results off the graph unless ``create_graph`` (a tuple of Tensors, or of tuples of Tensors)."""
    if not res:  # PyTorch fails here with a bare "tuple index out of range": same class, but saying why
        raise IndexError(f"{what} is an empty tuple: there is nothing to differentiate. Pass at least one "
                         "tensor (PyTorch raises IndexError here too).")
    if isinstance(res[0], tuple):
        return tuple(_grad_postprocess(r, create_graph, what) for r in res)
    return res if create_graph else tuple(t.detach() for t in res)


def _tuple_postprocess(res, to_unpack):
    """Undo ``_as_tuple``: a single tensor comes back for a tensor given. ``to_unpack`` is one flag, or the
    (outputs, inputs) pair of flags for a nested result."""
    if isinstance(to_unpack, tuple):
        outer, inner = to_unpack
        if not inner:
            res = tuple(r[0] for r in res)
        return res if outer else res[0]
    return res if to_unpack else res[0]


def _pair(outputs, is_outputs_tuple, result, is_result_tuple, create_graph):
    """``(func's outputs, the product)``, each cut off the graph unless ``create_graph``, each a Tensor or a tuple
    as it was given."""
    outputs = _grad_postprocess(outputs, create_graph, "The output of the user-provided function")
    result = _grad_postprocess(result, create_graph, "inputs")  # (jvp's is as long as the outputs: checked above)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_result_tuple)


def _prepare_v(v, like, is_like_tuple, create_graph, fn, none_rule):
    """``v`` as a tuple shaped like ``like``; ``None`` is allowed only where ``like`` is one 1-element tensor
    (then the engine uses 1)."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if {none_rule} a single Tensor with a single element.")
        return None
    _, v = _as_tuple(v, "v", fn)
    v = _grad_preprocess(v, create_graph, need_graph=False)
    _validate_v(v, like, is_like_tuple)
    return v


def _single_scalar_output(outputs, is_outputs_tuple, fn):
    if is_outputs_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")


def _scalar_and_gradient(func, inputs, v, create_graph, strict, fn):
    """What ``vhp`` and ``hvp`` share (run with grad enabled): the inputs and ``v`` prepared, the single
    1-element output of ``func``, and its gradient, recorded so that it can be differentiated again."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
    v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, fn, "the input to the user-provided function is")
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn)
    _check_requires_grad(outputs, "outputs", strict)
    _single_scalar_output(outputs, is_outputs_tuple, fn)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return inputs, is_inputs_tuple, v, outputs, is_outputs_tuple, jac


# ---------------------------------------------------------------------------------------- the API
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀJ)``: the gradient of ``(v * func(inputs)).sum()`` w.r.t. the inputs, one backward pass.

    ``v`` is shaped like the output(s); it may be omitted when ``func`` returns a single 1-element tensor.
    The second result is shaped like the input(s).

    >>> x = tutorgrad.tensor([1., 2.])
    >>> vjp(lambda x: x ** 2, x, tutorgrad.tensor([1., 10.]))      # J = diag(2x)
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp", "the user-provided function returns")

    grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
    result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), Jv)``: how the outputs move when the inputs move along ``v``.

    Computed, as PyTorch's ``autograd.functional.jvp`` does, by the double-backward trick: for any ``u``,
    ``g(u) = uᵀJ`` is linear in ``u``, so the vector-Jacobian product of ``g`` with ``v`` is ``Jv``.
    ``v`` is shaped like the input(s) (optional for a single 1-element input); the second result is
    shaped like the output(s).

    >>> x = tutorgrad.tensor([1., 2.])
    >>> jvp(lambda x: x ** 2, x, tutorgrad.tensor([1., 10.]))      # J = diag(2x)
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp", "the input to the user-provided function is")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # uᵀJ is linear in u, so which u does not matter; zeros keep inf and nan out of the graph.
        grad_outputs = tuple(out.new_zeros(out.shape, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)

    grads = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
    result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return _pair(outputs, is_outputs_tuple, result, is_outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """J[i][j][a, b] = d outputs[i][a] / d inputs[j][b], one backward pass per output element (row a is e_aᵀJ).

    ``J[i][j]`` has shape ``outputs[i].shape + inputs[j].shape``; a single output and/or a single input
    (not in a tuple) drop their level of nesting. The Jacobian w.r.t. an input that the output does
    not depend on is zeros (an error with ``strict=True``).

    ``vectorize=True`` is accepted as in PyTorch, where it batches the rows with vmap. tutorgrad has
    no vmap, so the rows are still computed one at a time: the same numbers, not faster.
    ``strategy="forward-mode"`` needs forward-mode AD, which tutorgrad does not have: it raises.

    >>> x = tutorgrad.tensor([1., 2.])
    >>> jacobian(lambda x: x ** 2, x)                              # diag(2x)
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        _no_forward_mode(inputs, create_graph, strict, vectorize)

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize:
            if strict:
                raise RuntimeError("tutorgrad.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                                   "not supported together. Please either set `strict=False` or `vectorize=False`.")
            if not outputs:  # (PyTorch's vectorized path checks this first, with an AssertionError)
                raise AssertionError("Expected at least one tensor: the user-provided function returned an empty "
                                     "tuple, so there is no Jacobian to compute")
        jac = _jacobian(outputs, inputs, create_graph, strict, vectorize)

    jac = _grad_postprocess(jac, create_graph, "inputs" if outputs else "The output of the user-provided function")
    return _tuple_postprocess(jac, (is_outputs_tuple, is_inputs_tuple))


def _jacobian(outputs, inputs, create_graph, strict, vectorize):
    """``J[i][j]`` for every output i and input j: row a of ``J[i][j]`` is the gradient of ``outputs[i].flatten()[a]``
    w.r.t. ``inputs[j]`` (zeros where it does not depend on it), and the rows are stacked, as in PyTorch.

    With ``vectorize``, as in PyTorch's vectorized form, the rows of all outputs are stacked into one block
    per input and the block is cut by output: a block that requires grad anywhere requires it everywhere.
    """
    for i, out in enumerate(outputs):
        if out.numel() == 0:  # PyTorch stacks or indexes the rows, and there are none: its error classes, saying why
            if vectorize:
                raise IndexError(f"index 0 is out of bounds for dimension 0 with size 0: output {i} of the "
                                 "user-provided function has no elements, so its Jacobian has no rows")
            raise RuntimeError(f"stack expects a non-empty TensorList: output {i} of the user-provided function "
                               "has no elements, so its Jacobian has no rows to stack")
    rows = [[] for _ in inputs]  # rows[j]: the rows of every output w.r.t. input j, output after output
    for i, out in enumerate(outputs):
        flat = out.reshape(-1)
        for a in range(out.numel()):
            grads = _autograd_grad((flat[a],), inputs, retain_graph=True, create_graph=create_graph)
            for j, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of input {j}. "
                                           "This is not allowed in strict mode.")
                    g = inp.new_zeros(inp.shape)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is independent of input {j}. "
                                       "This is not allowed in strict mode when create_graph=True.")
                rows[j].append(g)
    sizes = [out.numel() for out in outputs]
    if vectorize:  # [j][i]: the rows of output i w.r.t. input j
        per_input = [_registered.factories.stack(r).split(sizes) for r in rows]
    else:
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        per_input = [[_registered.factories.stack(r[s:s + n]) for s, n in zip(starts, sizes)] for r in rows]
    return tuple(tuple(per_input[j][i].view(out.shape + inp.shape) for j, inp in enumerate(inputs))
                 for i, out in enumerate(outputs))


def _no_forward_mode(inputs, create_graph, strict, vectorize):
    """``strategy="forward-mode"``: PyTorch's own refusals first, in its order, then tutorgrad's."""
    if create_graph:
        raise NotImplementedError("tutorgrad.autograd.functional.jacobian: `create_graph=True` and "
                                  '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                  '`create_graph=False` or `strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError('tutorgrad.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                           'not supported together (yet). Please either set `strict=False` or '
                           '`strategy="reverse-mode"`.')
    _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                                  "implemented for `vectorize=True`.")
    raise NotImplementedError('strategy="forward-mode" (outer_jacobian_strategy for hessian) needs forward-mode '
                              'AD, which tutorgrad does not have. Use "reverse-mode" (the default): it computes '
                              'the same Jacobian, one row per output element.')


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """H[i][j][a, b] = d² func / d inputs[i][a] d inputs[j][b]: the Jacobian of the gradient of a scalar ``func``.

    ``func`` returns a single 1-element tensor. For a single input H has shape ``x.shape + x.shape``;
    for a tuple of inputs ``H[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``.
    ``vectorize`` and ``outer_jacobian_strategy`` act as in ``jacobian``.

    >>> x = tutorgrad.tensor([1., 2.])
    >>> hessian(lambda x: (x ** 3).sum(), x)                       # diag(6x)
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        is_out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        _single_scalar_output(outs, is_out_tuple, "hessian")
        return out.squeeze()  # so that H[i][j] is inputs[i].shape + inputs[j].shape, whatever the 1s of out

    def gradient(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)  # recorded: the outer jacobian differentiates it
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀH)``: the vector-Jacobian product of the gradient of a scalar ``func`` with ``v``.

    ``v`` is shaped like the input(s) (optional for a single 1-element input); so is the second result.
    For a twice continuously differentiable ``func``, H is symmetric and ``vhp`` equals ``hvp``.

    >>> x = tutorgrad.tensor([1., 2.])
    >>> vhp(lambda x: (x ** 3).sum(), x, tutorgrad.tensor([1., 10.]))    # H = diag(6x)
    (tensor(9.), tensor([  6., 120.]))
    """
    with enable_grad():
        inputs, is_inputs_tuple, v, outputs, is_outputs_tuple, jac = _scalar_and_gradient(func, inputs, v, create_graph,
                                                                                          strict, "vhp")

    grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
    result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), Hv)``: the double-backward trick applied to the gradient of a scalar ``func``.

    With ``g(u) = uᵀH`` (a backward pass through the gradient, linear in ``u``), the vector-Jacobian
    product of ``g`` with ``v`` is ``Hv``. Slower than ``vhp`` (one more backward pass); the two agree
    when H is symmetric. ``v`` is shaped like the input(s) (optional for a single 1-element input).

    >>> x = tutorgrad.tensor([1., 2.])
    >>> hvp(lambda x: (x ** 3).sum(), x, tutorgrad.tensor([1., 10.]))    # H = diag(6x)
    (tensor(9.), tensor([  6., 120.]))
    """
    with enable_grad():
        inputs, is_inputs_tuple, v, outputs, is_outputs_tuple, jac = _scalar_and_gradient(func, inputs, v, create_graph,
                                                                                          strict, "hvp")
        # uᵀH is linear in u: which u does not matter; zeros keep inf and nan out of the graph.
        grad_jac = tuple(inp.new_zeros(inp.shape, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)

    grads = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
    result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _pair(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)
