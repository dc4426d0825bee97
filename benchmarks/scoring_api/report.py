"""What the serving benchmark concludes and shows: the targets (cold start, score p99, rank of
1,000 by records and by codes) checked against the figures, the plain-text report of every
section (header, cold start, warm latency and stages, targets, ``/v1/explain``), and the
figures written as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from benchmarks.explain_bench import print_explain
from benchmarks.report import render_table
from benchmarks.scoring_api.figures import (
    ASGI,
    HTTP,
    TESTCLIENT,
    Figures,
    RouteFigures,
    TargetCheck,
)

TARGET_COLD_S = 1.0
TARGET_SCORE_P99_MS = 10.0
TARGET_RANK1000_MS = 50.0


# --------------------------------------------------------------------------- targets


def target_checks(figures: Figures) -> list[TargetCheck]:
    checks = []
    cold = {c.environment: c for c in figures.cold_start}
    chosen = cold.get("lambda") or cold.get("venv")
    if chosen is None:
        checks.append(TargetCheck("cold start", f"< {TARGET_COLD_S:g} s", "-", "not run", None))
    else:
        runs = len(chosen.runs_s)
        checks.append(
            TargetCheck(
                "cold start (process start to /health)",
                f"< {TARGET_COLD_S:g} s",
                f"median {chosen.median_s:.2f} s, max {chosen.max_s:.2f} s",
                f"max of {runs} runs, {chosen.label}",
                chosen.max_s < TARGET_COLD_S,
            )
        )
    routes = {r.name: r for r in figures.routes}
    score = routes.get("score")
    if score is not None and ASGI in score.latency:
        latency = score.latency[ASGI]
        checks.append(
            TargetCheck(
                "POST /v1/score",
                f"p99 < {TARGET_SCORE_P99_MS:g} ms",
                f"p50 {latency.p50_ms:.2f} ms, p99 {latency.p99_ms:.2f} ms",
                f"p99 {ASGI}, {latency.n} calls",
                latency.p99_ms < TARGET_SCORE_P99_MS,
            )
        )
    for name, sent in (("rank-1000", "records"), ("rank-1000-codes", "codes")):
        rank = routes.get(name)
        target = f"POST /v1/rank, 1,000 applicants ({sent})"
        if rank is None or ASGI not in rank.latency:
            limit = f"< {TARGET_RANK1000_MS:g} ms"
            checks.append(TargetCheck(target, limit, "-", "not run", None))
            continue
        latency = rank.latency[ASGI]
        checks.append(
            TargetCheck(
                target,
                f"< {TARGET_RANK1000_MS:g} ms",
                f"p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms",
                f"p99 (strict) {ASGI}, {latency.n} calls",
                latency.p99_ms < TARGET_RANK1000_MS,
            )
        )
    records, codes = routes.get("rank-1000"), routes.get("rank-1000-codes")
    if records is not None and codes is not None:
        checks[-1].note = rank_paths_note(records, codes)
    return checks


def rank_paths_note(records: RouteFigures, codes: RouteFigures) -> str:
    """One line on why ranking by records is slower than by codes, with the stage figures."""
    profiles = records.breakdown_ms.get("profiles")
    lookup = codes.breakdown_ms.get("store lookup (codes: job + applicants)")
    figures = ""
    if profiles is not None and lookup is not None:
        figures = f" ({profiles:.1f} ms of profiles against a {lookup:.1f} ms store lookup)"
    return (
        "records are slower: each request computes the applicants' profiles from their "
        "records, CV text included; codes reuse the profiles computed once at ingestion and "
        f"read from the online store{figures}"
    )


# --------------------------------------------------------------------------- printing


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _digits(value: float) -> int:
    return 3 if value < 1 else 2 if value < 10 else 1


def print_header(figures: Figures) -> None:
    m, model, records = figures.machine, figures.model, figures.records
    print("\nServing benchmark")
    print(
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['platform']}, Python "
        f"{m['python']}; load average (1/5/15 min) {m['load_average_start']} at start, "
        f"{m.get('load_average_end')} at end"
    )
    print(
        f"Model: {model['source']}; {model['trees']} trees, {model['features']} features, "
        f"predict_threads={model['predict_threads']}"
    )
    print(
        f"Records: {records['source']}; {records['applicants']} applicants, "
        f"{records['jobs']} jobs; applicant record {records['applicant_record_bytes_mean']:,} "
        f"bytes of JSON on average, cv_pt {records['cv_pt_chars_mean']:,} chars on average "
        f"(max {records['cv_pt_chars_max']:,})"
    )
    store = figures.online_store
    if store:
        print(
            f"Online store (rank by codes): {store['source']}; {store['path']}; job "
            f"{store['job_code']} and {store['applicants']:,} applicants, profiles "
            f"{store['profiles']}"
        )


def print_cold(figures: Figures) -> None:
    print("\n1. Cold start: process start to the first answer (GET /health, ASGI in-process)")
    for reason in figures.cold_start_skipped:
        print(f"  skipped: {reason}")
    if not figures.cold_start:
        return
    parts = list(figures.cold_start[0].split_median_s)
    headers = ["environment", "median s", "max s", "first run s", *(f"{p} s" for p in parts)]
    rows = [
        [
            c.label,
            f"{c.median_s:.3f}",
            f"{c.max_s:.3f}",
            f"{c.first_run_s:.3f}",
            *(f"{c.split_median_s[p]:.3f}" for p in parts),
        ]
        for c in figures.cold_start
    ]
    print(render_table(headers, rows, "l" + "r" * (len(headers) - 1)))
    print(
        "  (split: median per part across the timed runs, measured inside the process; "
        "interpreter start = total - time inside the script; first run = the untimed priming "
        "run, which compiles and writes any missing .pyc)"
    )
    for c in figures.cold_start:
        total = f"{c.import_total_ms:,.0f} ms" if c.import_total_ms is not None else "-"
        heavy = ", ".join(c.heavy_modules) or "none"
        print(f"\n  {c.label}: {c.note}")
        print(
            f"  runs: {', '.join(f'{s:.2f}' for s in c.runs_s)} s; {c.modules} modules loaded; "
            f"heavy packages loaded: {heavy}"
        )
        print(
            f"  slowest imports (python -X importtime, which itself slows imports; "
            f"import serving.app total {total}):"
        )
        rows = [
            [
                i.package,
                f"{i.cumulative_ms:,.1f}",
                f"{i.self_ms:,.1f}",
                str(i.modules),
                i.imported_by if i.imported_by != "-" else "(top level or lazy)",
            ]
            for i in c.top_imports
        ]
        table = render_table(
            ["package", "cumulative ms", "own ms", "modules", "first imported by"], rows, "lrrrl"
        )
        print("\n".join("    " + line for line in table.splitlines()))


def print_latency(figures: Figures) -> None:
    print("\n2-3. Warm latency (ms) beside LightGBM's own predict on the same rows")
    print(
        f"  {ASGI}: the app called directly on one event loop, no client; {TESTCLIENT}: "
        f"Starlette's TestClient (httpx and a thread hop on the client side); {HTTP}: "
        "python -m serving in its own process, one keep-alive httpx client"
    )
    if figures.server_start_s is not None:
        print(f"  python -m serving: {figures.server_start_s:.2f} s from start to the first 200")
    headers = ["route", "harness", "n", "mean", "p50", "p99", "max", "raw p50 / p99", "x raw"]
    rows = []
    for label, latency in figures.health.items():
        values = (latency.mean_ms, latency.p50_ms, latency.p99_ms, latency.max_ms)
        rows.append(["GET /health", label, str(latency.n), *(_ms(v) for v in values), "", ""])
    for route in figures.routes:
        raw = route.raw_predict.get(route.raw_reference)
        raw_text = f"{_ms(raw.p50_ms, 3)} / {_ms(raw.p99_ms, 3)}" if raw else "-"
        for label, latency in route.latency.items():
            d = _digits(latency.p50_ms)
            values = (latency.mean_ms, latency.p50_ms, latency.p99_ms, latency.max_ms)
            ratio = route.overhead.get(label)
            rows.append(
                [
                    f"POST {route.path} ({route.name})",
                    label,
                    str(latency.n),
                    *(_ms(v, d) for v in values),
                    raw_text,
                    f"{ratio:,.1f}" if ratio is not None else "-",
                ]
            )
    print(render_table(headers, rows, "llrrrrrrr"))
    print(
        "  raw = booster.predict alone on the prepared float64 matrix, with the served "
        "num_threads (score: predict + pred_contrib, as the route computes both); "
        "x raw = route p50 / raw p50; GET /health is the floor without model work"
    )
    for route in figures.routes:
        raw = ", ".join(
            f"{name} p50 {_ms(lat.p50_ms, 3)} / p99 {_ms(lat.p99_ms, 3)} ms"
            for name, lat in route.raw_predict.items()
        )
        print(f"  {route.name}: {route.pairs} pairs, body {route.body_bytes:,} bytes; raw {raw}")

    if not figures.routes or not figures.routes[0].breakdown_ms:
        return
    print("\n  Where the time goes (median ms per stage, each called directly on the same body)")
    names: list[str] = []
    for route in figures.routes:  # a stage new to a route goes before its next known stage
        own = list(route.breakdown_ms)
        for k, name in enumerate(own):
            if name not in names:
                after = [names.index(n) for n in own[k + 1 :] if n in names]
                names.insert(after[0] if after else len(names), name)
    headers = ["stage", *(r.name for r in figures.routes)]
    rows = [[name, *(_ms(r.breakdown_ms.get(name), 3) for r in figures.routes)] for name in names]
    sums = [sum(r.breakdown_ms.values()) for r in figures.routes]
    rows.append(["sum of stages", *(_ms(s, 3) for s in sums)])
    p50s = [r.latency[ASGI].p50_ms if ASGI in r.latency else None for r in figures.routes]
    rows.append([f"route p50, {ASGI}", *(_ms(p, 3) for p in p50s)])
    rest = [None if p is None else p - s for p, s in zip(p50s, sums, strict=True)]
    rows.append(["rest: ASGI, routing, middleware, log line", *(_ms(r, 3) for r in rest)])
    print(render_table(headers, rows, "l" + "r" * len(figures.routes)))
    if any(route.sends == "codes" for route in figures.routes):
        print(
            "  codes: store lookup = the job's and the applicants' stored profiles read from the "
            "online store (SQLite, JSON-decoded) and made candidates, as the route does; "
            "feature matrix = from those stored profiles (no records, no profiles computed)"
        )


def print_targets(figures: Figures) -> None:
    print("\n4. Targets")
    rows = [
        [
            t.target,
            t.limit,
            t.measured,
            t.checked_against,
            {True: "met", False: "MISSED", None: "not measured"}[t.met],
        ]
        for t in figures.targets
    ]
    print(render_table(["target", "limit", "measured", "checked against", "result"], rows, "lllll"))
    for check in figures.targets:
        if check.note:
            print(f"  {check.note}")


def print_figures(figures: Figures) -> None:
    """Every section of the report, in order."""
    print_header(figures)
    print_cold(figures)
    print_latency(figures)
    print_targets(figures)
    print_explain(figures.explain, render_table)


def write_json(path: Path, figures: Figures) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(figures), indent=2) + "\n", encoding="utf-8")
