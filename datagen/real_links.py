"""Who applied where in the real profile: the published counts per job and per applicant.

Jobs: 21% get no application; the others get a count drawn from a log-normal with median 3
and 90th percentile about 11, capped at the published maximum of 25. Applicants: a heavy-tailed
activity (a few apply to dozens of jobs, most to one or two, many to none), and the same
preference for jobs of one's own profile or area as the rich profile (``datagen.links``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from datagen.links import (
    MISSING_APPLICANT_SHARE,
    Links,
    WeightedGroups,
    _applicant_groups,
    draw_candidate,
)
from datagen.real_records import application_date

JOBS_WITHOUT_APPLICATIONS_SHARE = 0.207  # 2,943 of 14,222
MEDIAN_PER_JOB, P90_PER_JOB, MAX_PER_JOB = 3, 11, 25
#: Applicants' activity: most alike (log-normal, small sigma), a few who apply everywhere; gives
#: the published 1.8 applications per applicant who applies, up to about 70, and 70% applying.
ACTIVITY_SIGMA = 0.3
FREQUENT_SHARE, FREQUENT_MU, FREQUENT_SIGMA = 0.004, 2.7, 0.5


def applications_per_job(rng: np.random.Generator, n_jobs: int) -> np.ndarray:
    """How many applications each job gets (see the module docstring)."""
    sigma = (math.log(P90_PER_JOB) - math.log(MEDIAN_PER_JOB)) / 1.2816
    counts = np.rint(rng.lognormal(math.log(MEDIAN_PER_JOB), sigma, size=n_jobs))
    counts = np.clip(counts, 1, MAX_PER_JOB).astype(np.int64)
    counts[rng.random(n_jobs) < JOBS_WITHOUT_APPLICATIONS_SHARE] = 0
    return counts


def applicant_activity(rng: np.random.Generator, n: int) -> np.ndarray:
    """How much each applicant applies, relative to the others (see the module docstring)."""
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, size=n)
    frequent = rng.random(n) < FREQUENT_SHARE
    activity[frequent] = rng.lognormal(FREQUENT_MU, FREQUENT_SIGMA, size=int(frequent.sum()))
    return activity


def _pick_applicant(
    rng: np.random.Generator,
    groups: WeightedGroups,
    everyone: WeightedGroups,
    profile: str,
    taken: set[int],
    n_applicants: int,
) -> int:
    """Someone of the job's profile, area, or anyone (as ``datagen.links``), not yet taken."""
    for _ in range(20):
        a = draw_candidate(rng, groups, everyone, profile)
        if a not in taken:
            return a
    return next(a for a in range(n_applicants) if a not in taken)


def link_applications(
    rng: np.random.Generator,
    job_profiles: Sequence[str],
    job_requested: Sequence[dt.date],
    applicant_profiles: Sequence[str | None],
    missing_codes: Sequence[str],
) -> Links:
    """Applications job by job, in job order; no applicant applies twice to one job."""
    if len(applicant_profiles) < MAX_PER_JOB + 1 or not job_profiles:
        raise ValueError(f"the real profile needs at least {MAX_PER_JOB + 1} applicants")
    counts = applications_per_job(rng, len(job_profiles))
    activity = applicant_activity(rng, len(applicant_profiles))
    groups, everyone = _applicant_groups(activity, applicant_profiles)
    job_of: list[int] = []
    applicant_of: list[int] = []
    missing_of: list[str] = []
    applied_on: list[dt.date] = []
    for j, count in enumerate(counts.tolist()):
        taken: set[int] = set()
        for _ in range(count):
            job_of.append(j)
            applied_on.append(application_date(rng, job_requested[j]))
            if rng.random() < MISSING_APPLICANT_SHARE:
                applicant_of.append(-1)
                missing_of.append(missing_codes[int(rng.integers(len(missing_codes)))])
                continue
            a = _pick_applicant(
                rng, groups, everyone, job_profiles[j], taken, len(applicant_profiles)
            )
            taken.add(a)
            applicant_of.append(a)
            missing_of.append("")
    return Links(
        np.asarray(job_of, dtype=np.int64),
        np.asarray(applicant_of, dtype=np.int64),
        missing_of,
        applied_on,
    )
