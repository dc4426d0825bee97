"""Pure domain code shared by the processing step, training and serving (no I/O, no AWS).

Public entry points: profiles per record (``job_profile``, ``applicant_profile``), pair features
from two profiles (``pair_features``, ``FEATURE_NAMES``) and the label table
(``label_for_status``). ``features.frames`` computes the same pair features over frames (it needs
pandas; nothing else here does). See each module's docstring for its contract.
"""

from features.labels import UnknownStatusError, label_for_status
from features.pairs import FEATURE_NAMES, pair_feature_rows, pair_features
from features.profiles import (
    APPLICANT_PROFILE_FIELDS,
    JOB_PROFILE_FIELDS,
    applicant_profile,
    job_profile,
)

__all__ = [
    "APPLICANT_PROFILE_FIELDS",
    "FEATURE_NAMES",
    "JOB_PROFILE_FIELDS",
    "UnknownStatusError",
    "applicant_profile",
    "job_profile",
    "label_for_status",
    "pair_feature_rows",
    "pair_features",
]
