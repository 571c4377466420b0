"""``tutorgrad.backends.cudnn``: NVIDIA's cuDNN -- not available (``is_available()`` is ``False``).

Reproducibility recipes set ``torch.backends.cudnn.deterministic = True`` and
``benchmark = False``: these settings exist with PyTorch's defaults, so the lines run; with
no GPU they change nothing (tutorgrad's results are deterministic anyway).
"""
enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available():
    return False


def version():
    """cuDNN's version: ``None`` (no cuDNN)."""
    return None
