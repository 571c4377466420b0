"""Helpers of the ``DataLoader`` (``collate``: how samples become a batch)."""
from . import collate  # noqa: F401
