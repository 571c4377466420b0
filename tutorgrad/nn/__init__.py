"""Neural-network building blocks (``tutorgrad.nn``), PyTorch-compatible.

* ``Module``      – the base class: parameters, sub-modules, ``state_dict``, ``repr``
* ``Parameter``   – a tensor a module learns
* layers          – ``Linear``, ``ReLU``, ``Tanh``, ``Sigmoid``, ``Flatten``, ``Identity``, ``Sequential``
* losses          – ``MSELoss``, ``CrossEntropyLoss``, ``NLLLoss``
* ``functional``  – the same as functions (``import tutorgrad.nn.functional as F``)
* ``init``        – weight initialisation
* ``utils``       – gradient clipping (``clip_grad_norm_``), parameters as one vector
"""
from .parameter import Parameter  # noqa: F401
from .module import Module  # noqa: F401
from .layers import Linear, ReLU, Tanh, Sigmoid, Identity, Flatten, Sequential  # noqa: F401
from .loss import MSELoss, CrossEntropyLoss, NLLLoss  # noqa: F401
from . import functional, init, utils  # noqa: F401
