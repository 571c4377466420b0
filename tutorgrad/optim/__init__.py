"""Optimizers (``tutorgrad.optim``): update parameters from their gradients.

``SGD``, ``Adam``/``AdamW``, ``RMSprop`` and ``Adagrad`` follow PyTorch's update rules exactly;
all share the ``Optimizer`` base class (parameter groups, ``zero_grad``, ``state_dict``).
``lr_scheduler`` changes their learning rates as training goes on.
"""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .adagrad import Adagrad  # noqa: F401
from . import lr_scheduler  # noqa: F401
