"""Shared test settings, and the helper modules of this folder (``torchdiff``, ``torchgrad``, ``gradcases``)
importable from the test files below it (``tests/ops/``).

Hypothesis runs derandomized by default, so `make test` (and CI) is deterministic: a red run can
always be reproduced. To search fresh examples while developing, run with
TUTORGRAD_HYPOTHESIS=explore.
"""
import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("TUTORGRAD_HYPOTHESIS", "ci"))
