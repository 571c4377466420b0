"""Neural-network building blocks (``tutorgrad.nn``), PyTorch-compatible."""
from .parameter import Parameter  # noqa: F401
