"""Builds one synthetic Decision data set in memory: records, CV file plan, truth and report.

``build_dataset`` is deterministic in (seed, scale, signal, cv_file_share) and does no I/O; the
``generate`` entry point in ``datagen/__init__.py`` hands its result to ``datagen.writer``.

Random streams: one ``SeedSequence(seed)`` is split into independent child streams per phase
(staff, jobs, applicants, links, statuses, labels, malformations, files, prospects), so turning
the signal off changes only the outcomes, never the jobs, applicants or who applied where.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from datagen import documents, records
from datagen import signal as sig
from datagen.draw import pick_weighted
from datagen.links import MISSING_APPLICANT_SHARE, Links, link_applications, parse_date
from datagen.people import fake_name
from datagen.records import ApplicantDraft
from datagen.vocab import (
    HIRE_STATUSES,
    IN_PROGRESS_STATUSES,
    PROFILE_NAMES,
    REJECT_STATUSES,
)

#: Sizes of the published data set (``--scale 1``).
FULL_JOBS, FULL_APPLICANTS, FULL_APPLICATIONS = 14_000, 42_000, 53_000
MIN_SCALE = 0.001
IN_PROGRESS_SHARE = 0.20
MALFORMED_SHARE = 0.002
NON_IT_APPLICANT_SHARE = 0.10
STAFF_SIZE = 24
#: CV file kinds and their shares of the CV files.
CV_KIND_SHARES = {
    documents.PDF: 0.55,
    documents.DOCX: 0.35,
    documents.SCANNED_PDF: 0.05,
    documents.CORRUPT: 0.05,
}

#: Relative frequency of each profile among jobs and IT applicants.
PROFILE_WEIGHTS = {
    "dev_java": 0.09,
    "dev_web": 0.10,
    "dev_dotnet": 0.07,
    "dev_python": 0.06,
    "dev_php": 0.03,
    "dev_mobile": 0.03,
    "sap_tech": 0.07,
    "sap_func": 0.08,
    "erp_totvs": 0.05,
    "legacy": 0.04,
    "crm": 0.03,
    "infra_cloud": 0.06,
    "infra_ops": 0.06,
    "data_bi": 0.06,
    "data_big": 0.04,
    "qa": 0.05,
    "pm": 0.05,
    "gestao": 0.03,
}

Log = Callable[[str], None]


def quiet(_: str) -> None:
    """A ``Log`` that drops every message."""


@dataclass(frozen=True)
class Sizes:
    """How many of each record to generate."""

    jobs: int
    applicants: int
    applications: int
    missing_codes: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        """Counts proportional to the published ones (at least one of each)."""
        apps = max(1, round(FULL_APPLICATIONS * scale))
        return cls(
            jobs=max(1, round(FULL_JOBS * scale)),
            applicants=max(1, round(FULL_APPLICANTS * scale)),
            applications=apps,
            missing_codes=max(1, round(apps * MISSING_APPLICANT_SHARE * 0.8)),
        )


def malformed_count(n: int) -> int:
    """About 0.2% of ``n`` records, at least one."""
    return min(n, max(1, round(n * MALFORMED_SHARE)))


@dataclass(frozen=True)
class CvFile:
    """One CV file to write: ``cvs/<code><extension>``."""

    code: str
    kind: str
    extension: str
    text: str
    seed: tuple[int, ...]


@dataclass
class Dataset:
    """Everything one run writes, in memory."""

    jobs: dict[str, object]
    applicants: dict[str, object]
    prospects: dict[str, dict]
    cv_files: list[CvFile]
    oracle: list[tuple[str, str, float, int]]
    report: dict = field(default_factory=dict)


def make_codes(rng: np.random.Generator, start: int, n: int) -> list[str]:
    """``n`` increasing numeric id strings from ``start`` with small random gaps."""
    return [str(start + int(c)) for c in np.cumsum(rng.integers(1, 4, size=n))]


def allocate_kinds(n: int) -> list[str]:
    """The kinds of ``n`` CV files in the documented shares (every kind present once n >= 4)."""
    counts = {k: round(n * s) for k, s in CV_KIND_SHARES.items()}
    if n >= 4:
        for k in (documents.SCANNED_PDF, documents.CORRUPT, documents.DOCX):
            counts[k] = max(1, counts[k])
    counts[documents.PDF] = max(0, n - sum(v for k, v in counts.items() if k != documents.PDF))
    kinds = [k for k in documents.KINDS for _ in range(counts[k])]
    return kinds[:n]


@dataclass(frozen=True)
class Streams:
    """Independent random streams, one per phase, all derived from the seed."""

    staff: np.random.Generator
    jobs: np.random.Generator
    applicants: np.random.Generator
    links: np.random.Generator
    status: np.random.Generator
    labels: np.random.Generator
    malformed: np.random.Generator
    files: np.random.Generator
    prospects: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int) -> Streams:
        """Nine child streams of ``SeedSequence(seed)``, in a fixed order."""
        children = np.random.SeedSequence(seed).spawn(9)
        return cls(*(np.random.default_rng(c) for c in children))


def profile_probabilities() -> np.ndarray:
    """``PROFILE_WEIGHTS`` as probabilities in ``PROFILE_NAMES`` order."""
    w = np.asarray([PROFILE_WEIGHTS[p] for p in PROFILE_NAMES])
    return w / w.sum()


def build_jobs(
    rng: np.random.Generator, n: int, staff: Sequence[str]
) -> tuple[list[str], list[str], list[dict]]:
    """Codes, profiles and records of ``n`` jobs."""
    codes = make_codes(rng, 1000, n)
    profiles = [
        PROFILE_NAMES[i] for i in rng.choice(len(PROFILE_NAMES), n, p=profile_probabilities())
    ]
    jobs = [records.build_job(rng, p, staff) for p in profiles]
    return codes, profiles, jobs


def applicant_codes_and_profiles(
    rng: np.random.Generator, sizes: Sizes
) -> tuple[list[str], list[str], list[str | None]]:
    """Codes written, codes left missing, and each written applicant's profile (None: non-IT)."""
    all_codes = make_codes(rng, 31000, sizes.applicants + sizes.missing_codes)
    missing = set(rng.choice(len(all_codes), sizes.missing_codes, replace=False).tolist())
    missing_codes = [c for i, c in enumerate(all_codes) if i in missing]
    codes = [c for i, c in enumerate(all_codes) if i not in missing]
    p = profile_probabilities()
    profiles: list[str | None] = [
        None
        if rng.random() < NON_IT_APPLICANT_SHARE
        else PROFILE_NAMES[int(rng.choice(len(PROFILE_NAMES), p=p))]
        for _ in codes
    ]
    return codes, missing_codes, profiles


def build_applicants(
    rng: np.random.Generator, sizes: Sizes, staff: Sequence[str]
) -> tuple[list[str], list[str], list[str | None], list[ApplicantDraft]]:
    """Codes written, codes left missing, profiles and drafts of the applicants."""
    codes, missing_codes, profiles = applicant_codes_and_profiles(rng, sizes)
    drafts = [
        records.build_applicant(rng, c, prof, staff)
        for c, prof in zip(codes, profiles, strict=True)
    ]
    return codes, missing_codes, profiles, drafts


def plan_cv_files(
    rng: np.random.Generator,
    seed: int,
    codes: Sequence[str],
    drafts: Sequence[ApplicantDraft],
    share: float,
    excluded: set[int],
) -> tuple[list[CvFile], list[str]]:
    """Pick the applicants whose CV becomes a file, and empty their ``cv_pt``/``cv_en``.

    Returns the files to write and, per applicant, the CV text the pipeline can read: the JSON
    ``cv_pt``, the file's text for a PDF with a text layer, a DOCX or a scan (read by OCR), ""
    for a corrupt file. Applicants in ``excluded`` (malformed) and applicants without a CV get no
    file.
    """
    eligible = [i for i, d in enumerate(drafts) if d.cv_text and i not in excluded]
    n_files = min(len(eligible), round(share * len(drafts)))
    planned = allocate_kinds(n_files)
    kinds = [planned[int(i)] for i in rng.permutation(n_files)]
    owners = sorted(rng.choice(len(eligible), n_files, replace=False).tolist())
    readable = [d.record["cv_pt"] for d in drafts]
    files: list[CvFile] = []
    seen: dict[str, int] = {}
    for owner, kind in zip(owners, kinds, strict=True):
        i = eligible[owner]
        index = seen.get(kind, 0)
        seen[kind] = index + 1
        ext = documents.cv_extension(kind, index)
        files.append(CvFile(codes[i], kind, ext, drafts[i].cv_text, (seed, int(codes[i]), 17)))
        drafts[i].record["cv_pt"] = ""
        drafts[i].record["cv_en"] = ""
        readable[i] = drafts[i].cv_text if kind in documents.READABLE_KINDS else ""
    return files, readable


def hire_probabilities(
    jobs: Sequence[dict],
    drafts: Sequence[ApplicantDraft],
    readable_cv: Sequence[str],
    links: Links,
    scored: np.ndarray,
    signal: bool,
) -> tuple[np.ndarray, float]:
    """Per application, the true hire probability (base rate outside ``scored``); the intercept.

    With the signal on, the documented linear score of every scored application is computed from
    the records and the intercept calibrated so the mean probability is the target hire rate.
    """
    p = np.full(len(links.job_of), sig.TARGET_HIRE_RATE)
    if not signal:
        return p, math.log(sig.TARGET_HIRE_RATE / (1 - sig.TARGET_HIRE_RATE))
    shown: dict[int, frozenset[str]] = {}
    scores = np.empty(len(scored))
    for m, k in enumerate(scored):
        a = int(links.applicant_of[k])
        if a not in shown:
            shown[a] = sig.applicant_shown_skills(drafts[a].record, readable_cv[a])
        terms = sig.signal_terms(jobs[int(links.job_of[k])], drafts[a].record, shown[a])
        scores[m] = sig.linear_score(terms)
    intercept = sig.calibrate_intercept(scores)
    p[scored] = sig.sigmoid(intercept + scores)
    return p, intercept


StatusWeights = Sequence[tuple[str, float]]


def draw_statuses(
    rng: np.random.Generator,
    in_progress: np.ndarray,
    hired: np.ndarray,
    open_statuses: StatusWeights = IN_PROGRESS_STATUSES,
    hire_statuses: StatusWeights = HIRE_STATUSES,
    reject_statuses: StatusWeights = REJECT_STATUSES,
) -> tuple[list[str], list[str]]:
    """``situacao_candidado`` and outcome kind (hire / reject / open) of every application."""
    outcomes, statuses = [], []
    for open_, hire in zip(in_progress.tolist(), hired.tolist(), strict=True):
        if open_:
            outcomes.append(records.OPEN)
            statuses.append(pick_weighted(rng, open_statuses))
        elif hire:
            outcomes.append(records.HIRE)
            statuses.append(pick_weighted(rng, hire_statuses))
        else:
            outcomes.append(records.REJECT)
            statuses.append(pick_weighted(rng, reject_statuses))
    return statuses, outcomes


def build_prospects(
    rng: np.random.Generator,
    job_codes: Sequence[str],
    jobs: Sequence[dict],
    app_codes: Sequence[str],
    drafts: Sequence[ApplicantDraft],
    links: Links,
    statuses: Sequence[str],
    outcomes: Sequence[str],
    malformed: dict[int, str],
    staff: Sequence[str],
) -> dict[str, dict]:
    """``prospects.json``: every job, its applications in date order (some malformed)."""
    per_job: list[list[int]] = [[] for _ in jobs]
    for k, j in enumerate(links.job_of.tolist()):
        per_job[j].append(k)
    out: dict[str, dict] = {}
    for j, code in enumerate(job_codes):
        items = []
        for k in sorted(per_job[j], key=lambda k: (links.applied_on[k], k)):
            a = int(links.applicant_of[k])
            if a >= 0:
                codigo, nome = app_codes[a], drafts[a].record["infos_basicas"]["nome"]
            else:
                codigo, nome = links.missing_of[k], fake_name(rng)
            item = records.build_prospect(
                rng,
                codigo=codigo,
                nome=nome,
                situacao=statuses[k],
                outcome=outcomes[k],
                applied_on=links.applied_on[k],
                staff=staff,
            )
            if k in malformed:
                item = records.malform_prospect(item, malformed[k])
            items.append(item)
        out[code] = records.build_prospects_entry(
            rng, jobs[j]["informacoes_basicas"]["titulo_vaga"], items
        )
    return out


def _cycle(indices: Sequence[int], kinds: Sequence[str]) -> dict[int, str]:
    """Assign malformation kinds to sorted indices in turn."""
    return {i: kinds[m % len(kinds)] for m, i in enumerate(sorted(indices))}


def check_arguments(seed: int, scale: float, cv_file_share: float) -> None:
    """``ValueError`` for arguments no data set can be built from."""
    if not scale >= MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE}, got {scale}")
    if not 0.0 <= cv_file_share <= 1.0:
        raise ValueError(f"cv_file_share must be within [0, 1], got {cv_file_share}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")


def malformed_records(
    rng: np.random.Generator, n_jobs: int, n_applicants: int
) -> tuple[dict[int, str], dict[int, str]]:
    """Which jobs and applicants get broken, and how."""
    bad_jobs = _cycle(
        rng.choice(n_jobs, malformed_count(n_jobs), replace=False).tolist(),
        records.JOB_MALFORMATIONS,
    )
    bad_apps = _cycle(
        rng.choice(n_applicants, malformed_count(n_applicants), replace=False).tolist(),
        records.APPLICANT_MALFORMATIONS,
    )
    return bad_jobs, bad_apps


def buildable_applications(
    rng: np.random.Generator, links: Links, bad_apps: dict[int, str], bad_jobs: dict[int, str]
) -> tuple[np.ndarray, dict[int, str]]:
    """Applications the pipeline can build (known, intact applicant and job, intact itself),
    and the applications that get broken."""
    exists = links.applicant_of >= 0
    buildable = exists & np.asarray(
        [
            int(a) not in bad_apps and int(j) not in bad_jobs
            for a, j in zip(links.applicant_of, links.job_of, strict=True)
        ],
        dtype=bool,
    )
    candidates = np.flatnonzero(buildable)
    n = len(links.job_of)
    bad_pros = _cycle(
        rng.choice(candidates, min(len(candidates), malformed_count(n)), replace=False).tolist(),
        records.PROSPECT_MALFORMATIONS,
    )
    buildable[list(bad_pros)] = False
    return buildable, bad_pros


@dataclass(frozen=True)
class Assembly:
    """Everything drawn for one data set, before the malformations and the report."""

    seed: int
    scale: float
    signal: bool
    cv_file_share: float
    profile: str
    job_codes: list[str]
    jobs: list[dict]
    bad_jobs: dict[int, str]
    app_codes: list[str]
    drafts: Sequence[ApplicantDraft]
    bad_apps: dict[int, str]
    links: Links
    in_progress: np.ndarray
    buildable: np.ndarray
    bad_pros: dict[int, str]
    scored: np.ndarray
    p: np.ndarray
    hired: np.ndarray
    intercept: float
    prospects: dict[str, dict]
    cv_files: list[CvFile]


def assemble(a: Assembly, phase: Log) -> Dataset:
    """The oracle from the intact records, then the malformed records, then the report."""
    links = a.links
    oracle = sorted(
        (
            (
                a.job_codes[int(links.job_of[k])],
                a.app_codes[int(links.applicant_of[k])],
                float(a.p[k]),
                int(a.hired[k]),
            )
            for k in a.scored
        ),
        key=lambda row: (int(row[0]), int(row[1])),
    )
    # Malformations last, so that the truth above was computed on the intact records.
    job_out: dict[str, object] = {
        c: records.malform_job(a.jobs[j]) if j in a.bad_jobs else a.jobs[j]
        for j, c in enumerate(a.job_codes)
    }
    app_out: dict[str, object] = {
        c: records.malform_applicant(a.drafts[i].record, a.bad_apps[i])
        if i in a.bad_apps
        else a.drafts[i].record
        for i, c in enumerate(a.app_codes)
    }
    labels = np.asarray([row[3] for row in oracle], dtype=int)
    cv_files = a.cv_files
    report = {
        "seed": a.seed,
        "scale": a.scale,
        "signal": a.signal,
        "profile": a.profile,
        "cv_file_share": a.cv_file_share,
        "counts": {
            "jobs": len(a.jobs),
            "jobs_without_applications": sum(1 for e in a.prospects.values() if not e["prospects"]),
            "applicants": len(a.drafts),
            "applications": len(links.job_of),
            "applications_in_progress": int(a.in_progress.sum()),
            "applications_missing_applicant": int((links.applicant_of < 0).sum()),
            "applications_unbuildable": int((~a.buildable).sum()),
            "labelled": len(oracle),
            "hires": int(labels.sum()),
            "cv_files": {
                **{k: sum(1 for f in cv_files if f.kind == k) for k in documents.KINDS},
                "total": len(cv_files),
                "by_extension": {
                    e: sum(1 for f in cv_files if f.extension == e) for e in (".pdf", ".docx")
                },
            },
            "malformed": {
                "jobs": len(a.bad_jobs),
                "applicants": len(a.bad_apps),
                "applications": len(a.bad_pros),
            },
        },
        "hire_rate": round(float(labels.mean()), 6) if len(labels) else None,
        "intercept": round(float(a.intercept), 6),
        "best_auc": _auc(labels, np.asarray([row[2] for row in oracle], dtype=float)),
    }
    phase(
        f"outcomes: {len(oracle)} labelled, {report['counts']['hires']} hires, "
        f"best_auc={report['best_auc']}"
    )
    return Dataset(job_out, app_out, a.prospects, cv_files, oracle, report)


#: The generator's profiles: "real" is shaped like the published files, "rich" fills every
#: structured field and puts the signal there (``datagen/README.md``).
PROFILES_AVAILABLE = ("real", "rich")
DEFAULT_PROFILE = "real"
#: Share of applicants whose CV is a file, by profile: in the real files nearly every applicant
#: has a ``cv_pt`` (99.4%), so files are few there.
DEFAULT_CV_FILE_SHARE = {"real": 0.03, "rich": 0.1}


def build_dataset(
    seed: int,
    scale: float,
    signal: bool,
    cv_file_share: float,
    log: Log = quiet,
    profile: str = DEFAULT_PROFILE,
) -> Dataset:
    """The whole synthetic data set for these parameters (no I/O)."""
    if profile == "real":
        from datagen.real import build_real_dataset

        return build_real_dataset(seed, scale, signal, cv_file_share, log)
    if profile != "rich":
        raise ValueError(f"profile must be one of {', '.join(PROFILES_AVAILABLE)}, got {profile!r}")
    check_arguments(seed, scale, cv_file_share)
    t0 = time.perf_counter()

    def phase(message: str) -> None:
        log(f"[datagen] {message} ({time.perf_counter() - t0:.1f}s)")

    rs = Streams.from_seed(seed)
    sizes = Sizes.for_scale(scale)
    staff = [fake_name(rs.staff) for _ in range(STAFF_SIZE)]
    job_codes, job_profiles, jobs = build_jobs(rs.jobs, sizes.jobs, staff)
    phase(f"jobs: {len(jobs)} built")
    app_codes, missing_codes, app_profiles, drafts = build_applicants(rs.applicants, sizes, staff)
    phase(f"applicants: {len(drafts)} built, {len(missing_codes)} codes left missing")

    bad_jobs, bad_apps = malformed_records(rs.malformed, len(jobs), len(drafts))
    cv_files, readable_cv = plan_cv_files(
        rs.files, seed, app_codes, drafts, cv_file_share, set(bad_apps)
    )
    phase(f"cv files: {len(cv_files)} planned")

    requested = [parse_date(j["informacoes_basicas"]["data_requicisao"]) for j in jobs]
    links = link_applications(
        rs.links, sizes.applications, job_profiles, requested, app_profiles, missing_codes
    )
    n = sizes.applications
    phase(f"applications: {n} linked")

    in_progress = rs.status.random(n) < IN_PROGRESS_SHARE
    buildable, bad_pros = buildable_applications(rs.malformed, links, bad_apps, bad_jobs)
    scored = np.flatnonzero(buildable & ~in_progress)

    p, intercept = hire_probabilities(jobs, drafts, readable_cv, links, scored, signal)
    p = np.round(p, 8)
    hired = rs.labels.random(n) < p
    statuses, outcomes = draw_statuses(rs.status, in_progress, hired)
    prospects = build_prospects(
        rs.prospects, job_codes, jobs, app_codes, drafts, links, statuses, outcomes, bad_pros, staff
    )
    return assemble(
        Assembly(
            seed=seed,
            scale=scale,
            signal=signal,
            cv_file_share=cv_file_share,
            profile="rich",
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


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC of ``scores`` against 0/1 ``labels`` (the value of sklearn's ``roc_auc_score``).

    Mann-Whitney with mid-ranks for ties; None when only one class is present. Computed here
    because importing scikit-learn costs seconds per run.
    """
    y = np.asarray(labels, dtype=bool)
    x = np.asarray(scores, dtype=float)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    mid_ranks = np.cumsum(counts) - (counts - 1) / 2.0
    rank_sum = float(mid_ranks[inverse][y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    auc = roc_auc(labels, scores)
    return None if auc is None else round(auc, 6)
