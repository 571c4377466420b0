"""Gradient clipping: keep one bad batch from throwing the weights far away.

``clip_grad_norm_`` computes the norm of all gradients together -- the norm of the vector of
each gradient's own norm -- and, if it exceeds ``max_norm``, multiplies every gradient by
``max_norm / (total_norm + 1e-6)``: the direction of the step is kept, its length limited.
Call it between ``loss.backward()`` and ``optimizer.step()``::

    loss.backward()
    tutorgrad.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""
import math
import warnings

import numpy as np

from ...tensor import Tensor
from ...creation import tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _tensors(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(a, p):
    """``torch.linalg.vector_norm(a, p)`` in ``a``'s dtype: max |a| (inf), count of non-zeros (0), (sum |a|^p)^(1/p)."""
    a = np.abs(a.reshape(-1))
    if p == math.inf:
        return a.max() if a.size else a.dtype.type(0)
    if p == -math.inf:
        return a.min()
    if p == 0:
        return a.dtype.type(np.count_nonzero(a))
    if p == 1:
        return a.sum(dtype=a.dtype)
    if p == 2:
        return np.sqrt((a * a).sum(dtype=a.dtype))
    return ((a ** a.dtype.type(p)).sum(dtype=a.dtype)) ** a.dtype.type(1.0 / p)


@no_grad()
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together (the norm of their norms), as a 0-d tensor.

    >>> get_total_norm([tutorgrad.tensor([3.0]), tutorgrad.tensor([4.0])])
    tensor(5.)
    """
    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    # PyTorch groups the tensors by dtype (first-seen order) and takes each one's norm, then the norm of those
    groups = {}
    for t in tensors:
        groups.setdefault(t.dtype, []).append(t)
    norms = [_vector_norm(t.detach().numpy(), norm_type) for group in groups.values() for t in group]
    stacked = np.array(norms, dtype=np.result_type(*norms))
    total = Tensor._wrap(np.asarray(_vector_norm(stacked, norm_type)))
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                           "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                           "anyway, set `error_if_nonfinite=False`")
    return total


@no_grad()
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:
        return
    coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef)


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``; returns the norm
    they had (a 0-d tensor), as PyTorch's.

    >>> w = tutorgrad.tensor([1.0, 1.0], requires_grad=True); (w * tutorgrad.tensor([3.0, 4.0])).sum().backward()
    >>> tutorgrad.nn.utils.clip_grad_norm_([w], max_norm=1.0), w.grad
    (tensor(5.), tensor([0.6000, 0.8000]))
    """
    parameters = _tensors(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The old name of ``clip_grad_norm_`` (warns, as PyTorch does)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry to ``[-clip_value, clip_value]``, in place.

    >>> w = tutorgrad.tensor([1.0, 1.0], requires_grad=True); (w * tutorgrad.tensor([-3.0, 0.5])).sum().backward()
    >>> tutorgrad.nn.utils.clip_grad_value_([w], 1.0); w.grad
    tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    for p in _tensors(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
