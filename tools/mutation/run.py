"""Mutation testing of the modules whose answers matter most: ``make mutation``.

``python tools/mutation/run.py [--module NAME ...] [--min-score 0.85] [--jobs N]``

For each module in ``TARGETS`` (or the ones named), in a scratch copy of the checkout under
``build/mutation/<module>/`` (mutmut writes its ``mutants/`` folder where it runs, and the
checkout stays clean): write mutmut's configuration for that module and the tests that judge
it, run ``mutmut run``, then read mutmut's results (``mutants/**/*.meta``) and print, per
module, the mutants killed, survived, timed out and not covered by any test, and the score
(killed, timeouts included, over all mutants). Survivors are listed by name (``mutmut show
NAME`` in that folder prints the change); the ones judged equivalent are in ``EQUIVALENT``
with why, and do not count against the score. Writes ``build/mutation/report.json``; exits 1
when a module scores below ``--min-score``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "build" / "mutation"

#: module -> the tests that judge it (the whole suite is 20+ minutes: each module gets its own)
TARGETS: dict[str, tuple[str, ...]] = {
    "pipelines/local/expressions.py": (
        "tests/pipelines/test_expression_references.py",
        "tests/pipelines/test_expression_messages.py",
        "tests/pipelines/test_condition_boundaries.py",
        "tests/pipelines/test_local_executor.py",
    ),
    "pipelines/local/graph.py": (
        "tests/pipelines/test_graph.py",
        "tests/pipelines/test_local_executor.py",
    ),
    "pipelines/local/cache.py": (
        "tests/pipelines/test_step_cache.py",
        "tests/pipelines/test_local_executor.py",
        "tests/pipelines/test_prune.py",
    ),
    "features/labels.py": ("tests/features/test_labels.py",),
    "features/pairs.py": (
        "tests/features/test_pairs.py",
        "tests/features/test_pairs_text.py",
        "tests/features/test_pair_values.py",
    ),
    # the Evaluate step's tests (6 s each, plots) add nothing the reference tests miss
    "steps/metrics.py": ("tests/steps/test_metrics_reference.py",),
    "featurestore/online.py": ("tests/featurestore/test_online.py",),
    "serving/scoring.py": ("tests/serving/test_scoring.py",),
}
#: why a mutant cannot change an answer -> the mutants it covers (equivalent: no test can kill
#: them). Names follow the source: after an edit to a module, run it again and check the list.
_EQUIVALENT_BY_REASON: dict[str, tuple[str, ...]] = {
    "a constant numerator of the discount cancels in DCG / ideal DCG": (
        "steps.metrics.x_ndcg_at_k__mutmut_4",
    ),
    "log_loss's labels matter only for one-class labels, which roc_auc_score refuses first": (
        "steps.metrics.x_classification_metrics__mutmut_38",
        "steps.metrics.x_classification_metrics__mutmut_41",
    ),
    "np.clip makes integer or boolean scores float anyway; the metrics read them alike": (
        "steps.metrics.x_classification_metrics__mutmut_5",
        "steps.metrics.x_classification_metrics__mutmut_7",
    ),
    "the default seed's value is arbitrary: any fixed seed gives a stable floor": (
        "steps.metrics.x_random_ranking_metrics__mutmut_1",
    ),
    "pair_feature_rows gives Python floats: NumPy makes float64 of them with or without dtype": (
        "serving.scoring.x_feature_matrix__mutmut_13",
        "serving.scoring.x_feature_matrix__mutmut_15",
    ),
    "labels become floats wherever they are used (bincount's weights are doubles)": (
        "steps.metrics.x_ranking_metrics__mutmut_17",
        "steps.metrics.x_ranking_metrics__mutmut_19",
    ),
    "the ideal DCG of no hire is never read: only jobs with a hire are ranked": (
        "steps.metrics.x_ranking_metrics__mutmut_63",
    ),
    "the table of ideal DCGs is read up to ten hires: an eleventh entry is never read": (
        "steps.metrics.x_ranking_metrics__mutmut_73",
    ),
    "an absent reference matches the property-file pattern no more than any other word": (
        "pipelines.local.expressions.x__resolve_json_get__mutmut_19",
    ),
    "step_references finds nothing in None, as in an empty list": (
        "pipelines.local.graph.x_data_dependencies__mutmut_19",
        "pipelines.local.graph.x_data_dependencies__mutmut_21",
    ),
    "content tokens keep 'clt' (three letters): only 'pj' needs the short-word list": (
        "features.pairs.x__contract_words__mutmut_9",
        "features.pairs.x__contract_words__mutmut_10",
    ),
    "pair_values returns one value per feature name: zip's strict can never trip": (
        "features.pairs.x_pair_features__mutmut_17",
        "features.pairs.x_pair_features__mutmut_20",
        "features.pairs.x_pair_features__mutmut_21",
    ),
    "the key's field names only need to be the same on every call: any names give the same hits": (
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_21",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_22",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_23",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_24",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_25",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_26",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_27",
        "pipelines.local.cache.xǁStepCacheǁkey__mutmut_28",
    ),
    "'UTF-8' names the same codec as 'utf-8'": (
        "pipelines.local.cache.xǁStepCacheǁlookup__mutmut_11",
        "pipelines.local.cache.xǁStepCacheǁreferenced__mutmut_12",
        "pipelines.local.cache.xǁStepCacheǁstore__mutmut_38",
    ),
    "no encoding reads with the locale's, UTF-8 wherever this runs (no test can set another)": (
        "pipelines.local.cache.xǁStepCacheǁlookup__mutmut_9",
        "pipelines.local.cache.xǁStepCacheǁreferenced__mutmut_10",
    ),
    "an absent duration matches the ISO pattern no more than any other word": (
        "pipelines.local.cache.x_parse_duration__mutmut_4",
    ),
    "warn's return value is never read": ("pipelines.local.cache.xǁStepCacheǁ__init____mutmut_5",),
    "rglob of a folder that does not exist yields nothing: the is_dir guard only reads well": (
        "pipelines.local.cache.xǁStepCacheǁreferenced__mutmut_4",
    ),
    "SQL keywords and names are case-insensitive in SQLite": (
        "featurestore.online.xǁSqliteOnlineStoreǁ__init____mutmut_19",
        "featurestore.online.xǁSqliteOnlineStoreǁ__init____mutmut_20",
    ),
    "_raise_errors returns on any falsy value: a missing Errors reads as none, default or not": (
        "featurestore.online.xǁSageMakerOnlineStoreǁ_fetch__mutmut_22",
        "featurestore.online.xǁSageMakerOnlineStoreǁ_fetch__mutmut_24",
    ),
    "this Python's SQLite opens file: URIs whatever uri= says (built with SQLITE_USE_URI)": (
        "featurestore.online.xǁSqliteOnlineStoreǁ__init____mutmut_10",
        "featurestore.online.xǁSqliteOnlineStoreǁ__init____mutmut_13",
        "featurestore.online.xǁSqliteOnlineStoreǁ__init____mutmut_15",
    ),
    "the row was reshaped to one value per feature name: zip's strict can never trip": (
        "serving.scoring.x_score_pair__mutmut_38",
        "serving.scoring.x_score_pair__mutmut_41",
        "serving.scoring.x_score_pair__mutmut_43",
    ),
}
EQUIVALENT: dict[str, str] = {
    name: reason for reason, names in _EQUIVALENT_BY_REASON.items() for name in names
}
#: mutmut's exit codes (mutmut/stats.py), grouped as the report counts them
KILLED = {1, 3, 37}
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}
#: packages the tests import besides the one mutated (copied beside the mutants)
ALSO_COPY = [
    "cvtext",
    "datagen",
    "explain",
    "features",
    "featurestore",
    "pipelines",
    "serving",
    "steps",
    "tracking",
    "training",
]


@dataclass
class ModuleScore:
    module: str
    killed: int = 0
    timeout: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        counted = self.killed + self.timeout + len(self.survived) + len(self.no_tests)
        return counted + sum(self.other.values())

    @property
    def score(self) -> float:
        """Killed (timeouts included) over the mutants that count (equivalents do not)."""
        return (self.killed + self.timeout) / self.total if self.total else 1.0


def module_prefix(module: str) -> str:
    """Mutant names start with the module's dotted name (``steps.metrics.x_f__mutmut_3``)."""
    return module.removesuffix(".py").replace("/", ".")


def score_module(module: str, results: dict[str, int | None]) -> ModuleScore:
    """Count mutmut's results (mutant name -> exit code) for one module."""
    score = ModuleScore(module)
    prefix = module_prefix(module) + "."
    for name, code in sorted(results.items()):
        if not name.startswith(prefix):
            continue
        if name in EQUIVALENT:
            score.equivalent.append(name)
        elif code in KILLED:
            score.killed += 1
        elif code in TIMEOUT:
            score.timeout += 1
        elif code in SURVIVED:
            score.survived.append(name)
        elif code in NO_TESTS:
            score.no_tests.append(name)
        else:
            key = "not checked" if code is None else f"exit code {code}"
            score.other[key] = score.other.get(key, 0) + 1
    return score


def read_results(mutants: Path) -> dict[str, int | None]:
    """Every mutant's exit code, from mutmut's ``*.meta`` files (``exit_code_by_key``)."""
    results: dict[str, int | None] = {}
    for meta in sorted(mutants.rglob("*.meta")):
        try:
            data = json.loads(meta.read_text())
        except (OSError, ValueError):
            continue
        results.update(data.get("exit_code_by_key", {}))
    return results


def mutmut_config(module: str, tests: tuple[str, ...]) -> str:
    """The ``[tool.mutmut]`` table for one module's run."""
    package = module.split("/")[0]
    lines = [
        "[tool.mutmut]",
        f"source_paths = [{json.dumps(package)}]",
        f"only_mutate = [{json.dumps(module)}]",
        "also_copy = " + json.dumps([p for p in ALSO_COPY if p != package]),
        "pytest_add_cli_args_test_selection = " + json.dumps(list(tests)),
        # serially, without the suite's plugins that fork or cache on their own
        'pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q"]',
        "timeout_multiplier = 5.0",
        "timeout_constant = 10.0",
    ]
    return "\n".join(lines) + "\n"


def prepare(module: str, tests: tuple[str, ...]) -> Path:
    """A scratch copy of the tracked files, with this module's mutmut configuration."""
    folder = WORK / module_prefix(module)
    if folder.exists():
        shutil.rmtree(folder)
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in tracked)):
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + mutmut_config(module, tests))
    return folder


def mutmut_environment() -> dict[str, str]:
    """This environment with one OpenMP thread.

    mutmut forks a child per mutant from a process that has already run the tests. GNU
    OpenMP's thread pool does not survive a fork: a test that trains or predicts with LightGBM
    in the child then hangs until the timeout, and every mutant reads as killed by it.
    """
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def run_module(module: str, tests: tuple[str, ...], jobs: int) -> ModuleScore:
    folder = prepare(module, tests)
    started = time.perf_counter()
    print(f"mutation: {module} (tests: {', '.join(tests)}) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
        cwd=folder,
        env=mutmut_environment(),
        check=False,
    )
    score = score_module(module, read_results(folder / "mutants"))
    print(f"mutation: {module}: {score.score:.1%} in {time.perf_counter() - started:.0f}s")
    return score


def render(scores: list[ModuleScore], min_score: float) -> str:
    header = f"{'module':<34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} "
    header += f"{'no tests':>8} {'equiv.':>6} {'score':>6}"
    lines = [header, "-" * len(header)]
    for s in scores:
        flag = "" if s.score >= min_score else f"  below {min_score:.0%}"
        lines.append(
            f"{s.module:<34} {s.total:>7} {s.killed:>6} {s.timeout:>7} {len(s.survived):>8} "
            f"{len(s.no_tests):>8} {len(s.equivalent):>6} {s.score:>6.1%}{flag}"
        )
    for s in scores:
        for name in s.survived + s.no_tests:
            lines.append(f"  survived: {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(TARGETS), default=[])
    parser.add_argument("--min-score", type=float, default=0.85)
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    args = parser.parse_args(argv)
    modules = args.module or list(TARGETS)
    scores = [run_module(m, TARGETS[m], args.jobs) for m in modules]
    print(render(scores, args.min_score))
    report: dict[str, Any] = {
        "min_score": args.min_score,
        "modules": [asdict(s) | {"score": s.score, "total": s.total} for s in scores],
    }
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nreport: {WORK / 'report.json'}")
    return 0 if all(s.score >= args.min_score for s in scores) else 1


if __name__ == "__main__":
    raise SystemExit(main())
