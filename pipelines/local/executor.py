"""Run a compiled pipeline definition on this machine.

Starts each step of the definition once the steps it depends on are done, as SageMaker does:
steps that do not depend on each other run at the same time (up to ``parallel`` at once; each
output line then carries its step's name). Resolves parameters, step properties and
``Std:JsonGet`` on property files, evaluates conditions, runs the chosen branch, stops at a
Fail step or a failing job (starting nothing more, letting the running steps finish), and
caches steps whose inputs and code are unchanged. Nothing here knows this project's steps: it
reads only the definition.

Every step ends with a status: whatever goes wrong in one (a job exiting non-zero, an input
that is not in the lake, an expression that cannot be resolved) marks it Failed with a
one-line reason, and the traceback, where there is one, goes to the step's log and the
execution record, not to the console. The record (``execution.json``) is written when the
execution starts and after every step, so a run killed mid-way leaves one saying so.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.lake import Lake, write_atomically
from pipelines.local.cache import StepCache
from pipelines.local.expressions import Scope, evaluate_condition, resolve
from pipelines.local.forkserver import ForkServer
from pipelines.local.graph import StepGraph, StepNode, branch_names, build_graph
from pipelines.local.jobs import JobContext, JobFailed, run_processing_job, run_training_job

PARAMETER_TYPES: dict[str, Callable[[str], Any]] = {
    "String": str,
    "Integer": int,
    "Float": float,
    "Boolean": lambda v: {"true": True, "false": False}[v.lower()],
}


class ParameterError(ValueError):
    """A parameter override names no parameter or has a value of the wrong type."""


@dataclass
class StepRecord:
    name: str
    type: str
    status: str = "NotStarted"  # Succeeded | Failed | Cached | Skipped | Executing | NotStarted
    seconds: float = 0.0
    detail: str = ""
    cached_from: str | None = None
    log: str | None = None
    error: str | None = None  # the traceback of an error that was not the job's own exit


@dataclass
class ExecutionResult:
    execution_id: str
    pipeline_name: str
    status: str
    parameters: dict[str, Any]
    steps: list[StepRecord]
    failure_reason: str | None = None
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"

    def step(self, name: str) -> StepRecord:
        return next(s for s in self.steps if s.name == name)


def resolve_parameters(
    declared: list[Mapping[str, Any]], overrides: Mapping[str, str]
) -> dict[str, Any]:
    """Defaults from the definition, overridden by ``Name=value`` pairs of the right type."""
    by_name = {p["Name"]: p for p in declared}
    unknown = sorted(set(overrides) - set(by_name))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; the pipeline has {', '.join(by_name)}"
        )
    values: dict[str, Any] = {}
    for name, spec in by_name.items():
        if name in overrides:
            try:
                values[name] = PARAMETER_TYPES[spec["Type"]](overrides[name])
            except (ValueError, KeyError):
                raise ParameterError(
                    f"parameter {name} is {spec['Type']}; {overrides[name]!r} is not"
                ) from None
        elif "DefaultValue" in spec:
            values[name] = spec["DefaultValue"]
        else:
            raise ParameterError(f"parameter {name} has no default: give it a value")
    return values


def new_execution_id() -> str:
    return f"local-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


_LONG_DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d{5,})(?![\w.])")


def readable_numbers(text: str) -> str:
    """Numbers with more than four decimals rounded to four, for people to read."""
    return _LONG_DECIMAL.sub(lambda match: f"{float(match.group(1)):.4f}", text)


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``: an error for a progress line."""
    message = str(error).strip().splitlines()
    return type(error).__name__ + (f": {message[0]}" if message else "")


class Console:
    """Progress lines; the step's own output is indented under its name when verbose.

    When steps may run side by side, each output line names its step. Called from the threads
    that run the steps: one line is written at a time.
    """

    def __init__(self, write: Callable[[str], None] = print, verbose: bool = True) -> None:
        self.write = write
        self.verbose = verbose
        self._lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self._lock:
            self.write(text)

    def start(self, node: StepNode) -> None:
        self._line(f"▶ {node.name} ({node.type})")

    def job_line(self, line: str, step: str | None = None) -> None:
        if self.verbose:
            self._line(f"  │ {step}: {line}" if step else f"  │ {line}")

    def warn(self, line: str) -> None:
        self._line(f"  ⚠ {line}")

    def finish(self, record: StepRecord) -> None:
        marks = {"Succeeded": "✔", "Cached": "↺", "Failed": "✘", "Skipped": "·"}
        detail = f"  {readable_numbers(record.detail)}" if record.detail else ""
        self._line(
            f"{marks.get(record.status, '?')} {record.name}  {record.status.lower()}"
            f"  {record.seconds:.1f}s{detail}"
        )


class LocalExecutor:
    """Executes one definition; each `run` is one execution with its own id and work folders."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        pipeline_name: str,
        lake: Lake,
        state_dir: Path,
        image_path: Callable[[str], Path],
        console: Console | None = None,
        use_cache: bool = True,
        parallel: int = 1,
        fork_server: bool = False,
    ) -> None:
        self.definition = definition
        self.pipeline_name = pipeline_name
        self.graph: StepGraph = build_graph(definition)
        self.lake = lake
        self.state_dir = state_dir
        self.image_path = image_path
        self.console = console or Console()
        self.cache = StepCache(state_dir / "cache" / pipeline_name, lake, self.console.warn)
        self.use_cache = use_cache
        if parallel < 1:
            raise ValueError(f"parallel must be 1 or more, not {parallel}")
        self.parallel = parallel
        self.fork_server = fork_server
        self._forks: ForkServer | None = None

    def run(
        self,
        overrides: Mapping[str, str] | None = None,
        execution_id: str | None = None,
    ) -> ExecutionResult:
        parameters = resolve_parameters(self.definition.get("Parameters", []), overrides or {})
        execution_id = execution_id or new_execution_id()
        pipeline_name = self.pipeline_name
        run_dir = self.state_dir / "executions" / execution_id
        scope = Scope(
            parameters=parameters,
            execution={
                "PipelineExecutionId": execution_id,
                "PipelineName": pipeline_name,
                "PipelineExecutionArn": f"local:{pipeline_name}/execution/{execution_id}",
                "StartDateTime": datetime.now(UTC).isoformat(),
            },
            step_properties={},
        )
        scope.read_property_file = lambda step, name: self._read_property_file(scope, step, name)
        result = ExecutionResult(
            execution_id,
            pipeline_name,
            "Executing",
            parameters,
            [StepRecord(n, self.graph.steps[n].type) for n in self.graph.topological_order()],
            started_at=_now(),
        )
        self._save(result, run_dir)
        self._forks = ForkServer(run_dir / "fork-server.log") if self.fork_server else None
        try:
            self._run_steps(result, scope, run_dir)
        except KeyboardInterrupt:
            result.status = "Stopped"
            result.failure_reason = "stopped by the user (Ctrl-C)"
            self._finish(result, scope, run_dir)
            raise
        finally:
            if self._forks is not None:
                self._forks.close()
        failed = any(s.status == "Failed" for s in result.steps)
        result.status = "Failed" if failed else "Succeeded"
        self._finish(result, scope, run_dir)
        return result

    def _run_steps(self, result: ExecutionResult, scope: Scope, run_dir: Path) -> None:
        """Start every step whose upstream steps are done, ``parallel`` at most at once.

        After a failure nothing more starts; the steps already running finish (their outputs
        are published, as on SageMaker). Ctrl-C reaches the jobs too (one process group): the
        running steps end as stopped by the user, then the interrupt goes on.
        """
        chosen: set[str] = set()
        waiting = [record.name for record in result.steps]  # in dependency order
        running: dict[Future[None], StepRecord] = {}
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="step") as pool:
            try:
                while True:
                    if not any(r.status == "Failed" for r in result.steps):
                        self._start_ready(result, waiting, running, pool, scope, run_dir, chosen)
                    if not running:
                        return
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        running.pop(future)
                        future.result()  # _execute ends every error in the step's record
                    result.properties = dict(scope.step_properties)
                    self._save(result, run_dir)
            except KeyboardInterrupt:
                for record in running.values():
                    record.status, record.detail = "Failed", "stopped by the user (Ctrl-C)"
                raise

    def _start_ready(
        self,
        result: ExecutionResult,
        waiting: list[str],
        running: dict[Future[None], StepRecord],
        pool: ThreadPoolExecutor,
        scope: Scope,
        run_dir: Path,
        chosen: set[str],
    ) -> None:
        """Skip or start, in dependency order, the waiting steps whose upstream steps are done."""
        records = {record.name: record for record in result.steps}
        for name in list(waiting):
            if len(running) >= self.parallel:
                return
            node = self.graph.steps[name]
            if any(records[up].status in ("NotStarted", "Executing") for up in node.depends_on):
                continue
            waiting.remove(name)
            record = records[name]
            if not self._selected(node, chosen, result):
                record.status = "Skipped"  # a later step may be ready now: the loop goes on
                continue
            record.status = "Executing"
            future = pool.submit(self._execute, node, record, scope, run_dir, chosen, result)
            running[future] = record

    def _execute(
        self,
        node: StepNode,
        record: StepRecord,
        scope: Scope,
        run_dir: Path,
        chosen_branches: set[str],
        result: ExecutionResult,
    ) -> None:
        """Run one step; any error ends it Failed with a one-line reason, never escapes."""
        self.console.start(node)
        started = time.perf_counter()
        try:
            self._run_step(node, record, scope, run_dir, result.execution_id, chosen_branches)
        except JobFailed as failure:
            record.status, record.detail = "Failed", failure.reason
            record.log = str(failure.log_path)
            if failure.properties:
                scope.step_properties[node.name] = failure.properties
            self._print_failure(failure)
        except KeyboardInterrupt:
            record.status, record.detail = "Failed", "stopped by the user (Ctrl-C)"
            raise
        except Exception as error:  # any error is this step's failure
            record.status, record.detail = "Failed", one_line(error)
            record.error = traceback.format_exc()
            record.log = str(_append_to_log(run_dir / node.name / "job.log", record.error))
            self.console.write(f"  {record.detail}")
            self.console.write(f"  the traceback is in {record.log}")
        finally:
            record.seconds = time.perf_counter() - started
        if record.status == "Failed":
            # A Fail step's message is the reason as the definition words it.
            prefix = "" if node.type == "Fail" else f"step {node.name} failed: "
            result.failure_reason = prefix + record.detail
        self.console.finish(record)

    def _finish(self, result: ExecutionResult, scope: Scope, run_dir: Path) -> None:
        result.properties = dict(scope.step_properties)
        result.ended_at = _now()
        self._save(result, run_dir)
        latest = self.state_dir / "executions" / "latest.json"
        write_atomically(latest, json.dumps({"execution_id": result.execution_id}).encode())

    def _selected(self, node: StepNode, chosen: set[str], result: ExecutionResult) -> bool:
        """A step runs when its branch was chosen and none of its upstream steps was skipped."""
        statuses = {s.name: s.status for s in result.steps}
        if node.branch_of and node.name not in chosen:
            return False
        return all(statuses.get(up) != "Skipped" for up in node.depends_on)

    def _run_step(
        self,
        node: StepNode,
        record: StepRecord,
        scope: Scope,
        run_dir: Path,
        execution_id: str,
        chosen_branches: set[str],
    ) -> None:
        arguments = resolve(node.spec.get("Arguments", {}), scope)
        if node.type == "Condition":
            outcome = self._evaluate_conditions(node, scope)
            key = "IfSteps" if outcome else "ElseSteps"
            chosen_branches.update(branch_names(node.spec, key))
            scope.step_properties[node.name] = {"Outcome": str(outcome).lower()}
            record.status, record.detail = "Succeeded", f"outcome: {str(outcome).lower()}"
            return
        if node.type == "Fail":
            record.status = "Failed"
            record.detail = str(arguments.get("ErrorMessage", "Fail step reached"))
            return
        if node.type not in ("Processing", "Training"):
            raise NotImplementedError(f"step type {node.type} cannot run locally ({node.name})")
        self._run_job(node, record, arguments, scope, run_dir, execution_id)

    def _run_job(
        self,
        node: StepNode,
        record: StepRecord,
        arguments: dict[str, Any],
        scope: Scope,
        run_dir: Path,
        execution_id: str,
    ) -> None:
        # Without the cache (--no-cache) every step runs, and what it made is still recorded:
        # the next run reuses it instead of the older entries its outputs replaced.
        caching = node.spec.get("CacheConfig", {}).get("Enabled", False)
        key = self.cache.key(node.name, node.type, arguments) if caching else ""
        if caching and self.use_cache:
            hit = self.cache.lookup(
                node.name, node.type, key, node.spec["CacheConfig"].get("ExpireAfter")
            )
            if hit:
                scope.step_properties[node.name] = hit.properties
                record.status, record.cached_from = "Cached", hit.execution_id
                record.detail = f"reused from {hit.execution_id}"
                return
        work_dir = run_dir / node.name
        if work_dir.exists():
            shutil.rmtree(work_dir)
        work_dir.mkdir(parents=True)
        ctx = JobContext(
            lake=self.lake,
            work_dir=work_dir,
            job_name=f"pipelines-{execution_id}-{node.name}"[:63],
            image_path=self.image_path,
            echo=lambda line: self.console.job_line(line, node.name if self.parallel > 1 else None),
            fork_server=self._forks,
        )
        runner = run_processing_job if node.type == "Processing" else run_training_job
        properties = runner(arguments, ctx)
        record.log = str(work_dir / "job.log")
        _keep_only_the_log(work_dir)
        scope.step_properties[node.name] = properties
        record.status = "Succeeded"
        if caching:
            self.cache.store(node.name, node.type, key, properties, execution_id)

    def _evaluate_conditions(self, node: StepNode, scope: Scope) -> bool:
        outcomes = []
        for condition in node.spec["Arguments"].get("Conditions", []):
            outcome = evaluate_condition(condition, scope)
            outcomes.append(outcome)
            if "LeftValue" in condition:
                left = resolve(condition["LeftValue"], scope)
                right = resolve(condition["RightValue"], scope)
                operator = _COMPARISONS.get(condition["Type"], condition["Type"])
                self.console.job_line(
                    f"{_operand(condition['LeftValue'], left)} {operator} "
                    f"{_operand(condition['RightValue'], right)}: {str(outcome).lower()}"
                )
        return all(outcomes)

    def _read_property_file(self, scope: Scope, step: str, name: str) -> Any:
        spec = self.graph.steps[step].spec
        files = {f["PropertyFileName"]: f for f in spec.get("PropertyFiles", [])}
        if name not in files:
            raise KeyError(f"step {step} declares no property file {name}")
        output = scope.step_properties[step]["ProcessingOutputConfig"]["Outputs"][
            files[name]["OutputName"]
        ]
        path = self.lake.path(output["S3Output"]["S3Uri"]) / files[name]["FilePath"]
        return json.loads(path.read_text())

    def _print_failure(self, failure: JobFailed) -> None:
        self.console.write(f"  last {len(failure.log_tail)} lines of the log ({failure.log_path}):")
        for line in failure.log_tail:
            self.console.write(f"  ┆ {line}")

    def _save(self, result: ExecutionResult, run_dir: Path) -> None:
        body = json.dumps(asdict(result), indent=2, default=str)
        write_atomically(run_dir / "execution.json", body.encode("utf-8"))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _keep_only_the_log(work_dir: Path) -> None:
    """After a job succeeded its work folder holds copies of lake data (inputs in, outputs
    published): they go at once, the log stays. A failed job's folder stays whole, to look
    into, until pruning."""
    for item in work_dir.iterdir():
        if item.is_dir():
            shutil.rmtree(item)
        elif item.name != "job.log":
            item.unlink()


def _append_to_log(log_path: Path, text: str) -> Path:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n[executor] the step failed:\n{text}")
    return log_path


_COMPARISONS = {
    "Equals": "==",
    "GreaterThan": ">",
    "GreaterThanOrEqualTo": ">=",
    "LessThan": "<",
    "LessThanOrEqualTo": "<=",
}


def _operand(expression: Any, value: Any) -> str:
    """``MinAuc 0.7000`` / ``metrics.auc 0.7508``: the value with what it stands for."""
    name = ""
    if isinstance(expression, dict):
        if "Std:JsonGet" in expression:
            name = str(expression["Std:JsonGet"].get("Path", ""))
        elif isinstance(expression.get("Get"), str):
            name = expression["Get"].rsplit(".", 1)[-1]
    return f"{name} {_fmt(value)}" if name else _fmt(value)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else repr(value)
