"""Builds a data set of the real profile: shaped like the published Decision files.

Same outputs and guarantees as the rich profile (``datagen.generator``): deterministic in its
arguments, malformed records injected, CV files, the oracle and ``best_auc``. What differs is
the shape (``datagen.real_records``, ``datagen.real_links``, ``datagen.real_vocab``) and where
the outcome's signal lives (``datagen.real_signal``): in the CV text against the job's text,
plus job-level effects read from the job record.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from datagen import generator as gen
from datagen import real_records, real_signal
from datagen import real_vocab as rv
from datagen import signal as sig
from datagen.draw import chance, pick_weighted
from datagen.people import fake_name
from datagen.real_links import link_applications
from datagen.real_records import RealApplicant

#: Share of applications still in progress (41,548 of 53,759 in the published file).
IN_PROGRESS_SHARE = 0.773
#: Share of applications whose ``ultima_atualizacao`` is empty (3,913 of 53,759).
NO_UPDATE_SHARE = 0.073


def build_jobs(
    rng: np.random.Generator, n: int, staff: Sequence[str]
) -> tuple[list[str], list[str], list[dict]]:
    codes = gen.make_codes(rng, 1000, n)
    probabilities = gen.profile_probabilities()
    profiles = [gen.PROFILE_NAMES[i] for i in rng.choice(len(probabilities), n, p=probabilities)]
    jobs = [
        real_records.with_real_dates(
            real_records.build_job(rng, p, staff), real_records.requisition_date(rng)
        )
        for p in profiles
    ]
    return codes, profiles, jobs


def build_applicants(
    rng: np.random.Generator, sizes: gen.Sizes, staff: Sequence[str]
) -> tuple[list[str], list[str], list[str | None], list[RealApplicant]]:
    codes, missing_codes, profiles = gen.applicant_codes_and_profiles(rng, sizes)
    applicants = [
        real_records.build_applicant(rng, c, prof, staff)
        for c, prof in zip(codes, profiles, strict=True)
    ]
    return codes, missing_codes, profiles, applicants


def hire_probabilities(
    jobs: Sequence[dict],
    job_profiles: Sequence[str],
    applicants: Sequence[RealApplicant],
    readable_cv: Sequence[str],
    links: gen.Links,
    scored: np.ndarray,
    signal: bool,
) -> tuple[np.ndarray, float]:
    """Per application, the true hire probability (base rate outside ``scored``)."""
    rate = real_signal.TARGET_HIRE_RATE
    p = np.full(len(links.job_of), rate)
    if not signal:
        return p, math.log(rate / (1 - rate))
    scores = np.empty(len(scored))
    for m, k in enumerate(scored.tolist()):
        j, a = int(links.job_of[k]), int(links.applicant_of[k])
        person = applicants[a]
        terms = real_signal.terms(
            jobs[j], job_profiles[j], person.draft.record, person.career, readable_cv[a]
        )
        scores[m] = real_signal.linear_score(terms)
    intercept = sig.calibrate_intercept(scores, rate)
    p[scored] = sig.sigmoid(intercept + scores)
    return p, intercept


def realistic_prospects(rng: np.random.Generator, prospects: dict[str, dict]) -> None:
    """The published ``modalidade`` shares and empty ``ultima_atualizacao`` (in place)."""
    for entry in prospects.values():
        entry["modalidade"] = pick_weighted(rng, rv.MODALITIES)
        for item in entry["prospects"]:
            if chance(rng, NO_UPDATE_SHARE):
                item["ultima_atualizacao"] = ""


def build_real_dataset(
    seed: int, scale: float, signal: bool, cv_file_share: float, log: gen.Log = gen.quiet
) -> gen.Dataset:
    """The whole real-profile data set for these parameters (no I/O)."""
    gen.check_arguments(seed, scale, cv_file_share)
    t0 = time.perf_counter()

    def phase(message: str) -> None:
        log(f"[datagen] {message} ({time.perf_counter() - t0:.1f}s)")

    rs = gen.Streams.from_seed(seed)
    sizes = gen.Sizes.for_scale(scale)
    staff = [fake_name(rs.staff) for _ in range(gen.STAFF_SIZE)]
    job_codes, job_profiles, jobs = build_jobs(rs.jobs, sizes.jobs, staff)
    phase(f"jobs: {len(jobs)} built")
    app_codes, missing_codes, app_profiles, people = build_applicants(rs.applicants, sizes, staff)
    drafts = [person.draft for person in people]
    phase(f"applicants: {len(drafts)} built, {len(missing_codes)} codes left missing")

    bad_jobs, bad_apps = gen.malformed_records(rs.malformed, len(jobs), len(drafts))
    cv_files, readable_cv = gen.plan_cv_files(
        rs.files, seed, app_codes, drafts, cv_file_share, set(bad_apps)
    )
    phase(f"cv files: {len(cv_files)} planned")

    requested = [gen.parse_date(j["informacoes_basicas"]["data_requicisao"]) for j in jobs]
    links = link_applications(rs.links, job_profiles, requested, app_profiles, missing_codes)
    n = len(links.job_of)
    phase(f"applications: {n} linked")

    in_progress = rs.status.random(n) < IN_PROGRESS_SHARE
    buildable, bad_pros = gen.buildable_applications(rs.malformed, links, bad_apps, bad_jobs)
    scored = np.flatnonzero(buildable & ~in_progress)
    p, intercept = hire_probabilities(
        jobs, job_profiles, people, readable_cv, links, scored, signal
    )
    p = np.round(p, 8)
    hired = rs.labels.random(n) < p
    statuses, outcomes = gen.draw_statuses(
        rs.status, in_progress, hired, rv.IN_PROGRESS_STATUSES, rv.HIRE_STATUSES, rv.REJECT_STATUSES
    )
    prospects = gen.build_prospects(
        rs.prospects, job_codes, jobs, app_codes, drafts, links, statuses, outcomes, bad_pros, staff
    )
    realistic_prospects(rs.prospects, prospects)
    return gen.assemble(
        gen.Assembly(
            seed=seed,
            scale=scale,
            signal=signal,
            cv_file_share=cv_file_share,
            profile="real",
            job_codes=job_codes,
            jobs=jobs,
            bad_jobs=bad_jobs,
            app_codes=app_codes,
            drafts=drafts,
            bad_apps=bad_apps,
            links=links,
            in_progress=in_progress,
            buildable=buildable,
            bad_pros=bad_pros,
            scored=scored,
            p=p,
            hired=hired,
            intercept=intercept,
            prospects=prospects,
            cv_files=cv_files,
        ),
        phase,
    )
