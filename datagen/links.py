"""Who applied where, and when: the applications before they get a status.

An application goes to a job drawn by the job's popularity (some jobs get none). Its applicant
is, in this order of chance: someone of the job's profile (so often holding its skills), someone
of the job's area, or anyone at all; busier applicants apply more often. About 1% of applications
carry an applicant code that is missing from ``applicants.json``. No applicant applies twice to
the same job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from datagen.records import APPLICATION_END, APPLICATION_START
from datagen.vocab import PROFILE_NAMES, PROFILES

MISSING_APPLICANT_SHARE = 0.01
JOBS_WITHOUT_APPLICATIONS_SHARE = 0.08
#: Who applies to a job: same profile, same area (other profile), anyone (the rest).
SAME_PROFILE_SHARE, SAME_AREA_SHARE = 0.45, 0.10
#: Applications arrive within this many days of the job's requisition.
APPLICATION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Links:
    """Application k goes to job ``job_of[k]`` from applicant ``applicant_of[k]``.

    ``applicant_of[k]`` is -1 when the applicant code ``missing_of[k]`` is not in
    ``applicants.json``.
    """

    job_of: np.ndarray
    applicant_of: np.ndarray
    missing_of: list[str]
    applied_on: list[dt.date]


class WeightedGroups:
    """Draws a member of a named group of indices in proportion to fixed weights."""

    def __init__(self, weights: np.ndarray, groups: dict[str, list[int]]) -> None:
        self._members = {g: np.asarray(ix, dtype=np.int64) for g, ix in groups.items() if ix}
        self._cum = {g: np.cumsum(weights[ix]) for g, ix in self._members.items()}

    def has(self, group: str) -> bool:
        """Whether ``group`` has any member."""
        return group in self._members

    def draw(self, rng: np.random.Generator, group: str) -> int:
        """One member of ``group``."""
        cum = self._cum[group]
        pos = int(np.searchsorted(cum, float(rng.random()) * cum[-1], side="right"))
        return int(self._members[group][min(pos, len(cum) - 1)])


def parse_date(text: str) -> dt.date:
    """The date of a "dd-mm-yyyy" string."""
    day, month, year = (int(x) for x in text.split("-"))
    return dt.date(year, month, day)


def _applicant_groups(
    activity: np.ndarray, profiles: Sequence[str | None]
) -> tuple[WeightedGroups, WeightedGroups]:
    by_group: dict[str, list[int]] = {p: [] for p in PROFILE_NAMES}
    for i, p in enumerate(profiles):
        if p is not None:
            by_group[p].append(i)
            by_group.setdefault("area:" + PROFILES[p]["area"], []).append(i)
    everyone = WeightedGroups(activity, {"*": list(range(len(profiles)))})
    return WeightedGroups(activity, by_group), everyone


def draw_candidate(
    rng: np.random.Generator, groups: WeightedGroups, everyone: WeightedGroups, profile: str
) -> int:
    """One applicant for a job of ``profile``: of that profile, of its area, or anyone."""
    area = "area:" + PROFILES[profile]["area"]
    u = float(rng.random())
    if u < SAME_PROFILE_SHARE and groups.has(profile):
        return groups.draw(rng, profile)
    if u < SAME_PROFILE_SHARE + SAME_AREA_SHARE and groups.has(area):
        return groups.draw(rng, area)
    return everyone.draw(rng, "*")


def link_applications(
    rng: np.random.Generator,
    n: int,
    job_profiles: Sequence[str],
    job_requested: Sequence[dt.date],
    applicant_profiles: Sequence[str | None],
    missing_codes: Sequence[str],
) -> Links:
    """``n`` applications over the given jobs and applicants (see the module docstring)."""
    n_jobs, n_applicants = len(job_profiles), len(applicant_profiles)
    if n_applicants < 2 or n_jobs < 1:
        raise ValueError("need at least one job and two applicants")
    job_w = rng.lognormal(0.0, 0.8, size=n_jobs)
    if n_jobs > 1:
        n_empty = max(1, round(n_jobs * JOBS_WITHOUT_APPLICATIONS_SHARE))
        job_w[rng.choice(n_jobs, n_empty, replace=False)] = 0.0
    job_of = rng.choice(n_jobs, size=n, p=job_w / job_w.sum())
    groups, everyone = _applicant_groups(
        rng.lognormal(0.0, 1.0, size=n_applicants), applicant_profiles
    )
    applicant_of = np.full(n, -1, dtype=np.int64)
    missing_of = [""] * n
    pairs: set[tuple[int, int]] = set()
    for k in range(n):
        j = int(job_of[k])
        if rng.random() < MISSING_APPLICANT_SHARE:
            missing_of[k] = missing_codes[int(rng.integers(len(missing_codes)))]
            continue
        for _ in range(20):
            a = draw_candidate(rng, groups, everyone, job_profiles[j])
            if (j, a) not in pairs:
                break
        else:  # a crowded job: the next applicant who has not applied to it yet
            a = next(
                (a + b) % n_applicants
                for b in range(n_applicants)
                if (j, (a + b) % n_applicants) not in pairs
            )
        pairs.add((j, a))
        applicant_of[k] = a
    applied_on = []
    for k in range(n):
        day = job_requested[int(job_of[k])]
        day += dt.timedelta(days=int(rng.integers(0, APPLICATION_WINDOW_DAYS + 1)))
        if day < APPLICATION_START:
            day = APPLICATION_START + dt.timedelta(days=int(rng.integers(0, 15)))
        applied_on.append(min(day, APPLICATION_END))
    return Links(job_of, applicant_of, missing_of, applied_on)
