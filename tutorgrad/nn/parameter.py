"""``Parameter``: a leaf tensor that a ``Module`` registers as learnable."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a model's learnable weight (``requires_grad=True`` by default).

    >>> w = tutorgrad.nn.Parameter(tutorgrad.zeros(3))
    >>> w
    Parameter containing:
    tensor([0., 0., 0.], requires_grad=True)
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        self._init(data.detach()._data, False)
        self._vc = data._counter()
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        p = Parameter(Tensor._wrap(self._data.copy()), self._requires_grad)
        memo[id(self)] = p
        return p


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (``LazyLinear``): the first input sets it (``materialize``)."""

    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        from ..creation import empty
        super().__init__(empty(0, dtype=dtype), requires_grad)

    def materialize(self, shape, device=None, dtype=None):
        """Become a ``Parameter`` of ``shape`` (filled with zeros until the module initialises it)."""
        from ..creation import empty
        self._data = empty(shape, dtype=dtype or self.dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
                           "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
                           "one. Call `forward` to initialize the parameters before accessing their attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    __str__ = __repr__


def zero_grads(params, set_to_none=True):
    """Reset the ``.grad`` of ``params`` (``Module.zero_grad`` and ``Optimizer.zero_grad`` share this)."""
    for p in params:
        if p._grad is None:  # (_grad: the property adds only a warning for non-leaves, and setting None checks nothing)
            continue
        if set_to_none:
            p._grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad.detach_()
            else:
                p.grad.requires_grad_(False)
            p.grad.zero_()
