"""``Variable``: the wrapper that PyTorch before 0.4 needed around a tensor to record its history.

Today every tensor records history, and ``Variable(t)`` simply returns a tensor, as in PyTorch: one that
shares ``t``'s memory, detached from ``t``'s graph, with ``requires_grad`` as given (old tutorials still write
``x = Variable(torch.randn(3), requires_grad=True)``). ``isinstance(t, Variable)`` is true of every tensor.

>>> from tutorgrad.autograd import Variable
>>> Variable(tutorgrad.ones(2), requires_grad=True)
tensor([1., 1.], requires_grad=True)
"""
import warnings

from .. import _registered


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, _registered.Tensor)

    def __call__(cls, data=None, requires_grad=False, volatile=None):
        Tensor = _registered.Tensor
        if volatile is not None:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            return _registered.factories.zeros(0).requires_grad_(requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


class Variable(metaclass=_VariableMeta):
    """Legacy: ``Variable(tensor, requires_grad=False)`` returns a tensor (see the module's docstring)."""
    __module__ = "tutorgrad.autograd.variable"
