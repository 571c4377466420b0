"""Shared test settings.

Hypothesis runs derandomized by default, so `make test` (and CI) is deterministic: a red run can
always be reproduced. To search fresh examples while developing, run with
TUTORGRAD_HYPOTHESIS=explore.
"""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("TUTORGRAD_HYPOTHESIS", "ci"))
