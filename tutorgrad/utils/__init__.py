"""``tutorgrad.utils``: helpers around the core, as ``torch.utils`` -- ``utils.data`` loads training data."""
from . import data  # noqa: F401
