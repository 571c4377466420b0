"""``tutorgrad.backends.cuda``: this build has no CUDA (``is_built()`` is ``False``).

``matmul.allow_tf32`` is kept as a setting scripts may read or write; it changes nothing here.
"""
from types import SimpleNamespace


def is_built():
    return False


matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)
