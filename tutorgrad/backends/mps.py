"""``tutorgrad.backends.mps``: Apple's Metal GPUs -- not available (tutorgrad runs on the CPU)."""


def is_available():
    """``False``: ``"mps" if torch.backends.mps.is_available() else "cpu"`` picks the CPU."""
    return False


def is_built():
    """``False``: this build has no MPS support."""
    return False
