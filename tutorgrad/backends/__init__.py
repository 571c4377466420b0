"""``tutorgrad.backends``: which compute back-ends this build has -- none but NumPy on the CPU.

``backends.mps`` (Apple GPUs), ``backends.cuda`` and ``backends.cudnn`` answer as in a
CPU-only PyTorch, so scripts that check them (or set ``cudnn.deterministic = True`` for
reproducibility) run unchanged.
"""
from . import cuda, cudnn, mps  # noqa: F401
