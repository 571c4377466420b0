"""``tutorgrad.nn.utils``: gradient clipping and parameters as one flat vector.

* ``clip_grad_norm_``   -- scale all gradients together so their joint norm is at most ``max_norm``
* ``clip_grad_value_``  -- clamp every gradient entry to ``[-clip_value, clip_value]``
* ``parameters_to_vector`` / ``vector_to_parameters`` -- all parameters as one 1-D tensor and back
"""
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,  # noqa: F401
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from . import clip_grad, convert_parameters  # noqa: F401
