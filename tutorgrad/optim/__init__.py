"""Optimizers (``tutorgrad.optim``): update parameters from their gradients.

``SGD`` and ``Adam``/``AdamW`` follow PyTorch's update rules exactly; all share the
``Optimizer`` base class (parameter groups, ``zero_grad``, ``state_dict``).
"""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
