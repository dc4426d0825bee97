"""The Lambda image recipe (``serving/Dockerfile``): hadolint, and what it installs and copies.

No Docker engine is needed: the Dockerfile is parsed here (with ``tests/containers.py``). The
helpers (``task_copies``, ``context_files``) are also used by ``test_requirements.py`` to lay out
the image's task folder.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests import containers
from tests.containers import ROOT, Instruction, mount_options, parse_dockerfile, project_python

DOCKERFILE = ROOT / "serving" / "Dockerfile"
DOCKERIGNORE = ROOT / "serving" / "Dockerfile.dockerignore"
REQUIREMENTS = ROOT / "serving" / "requirements.txt"
TASK_ROOT = "${LAMBDA_TASK_ROOT}"
#: code serving must never carry (training side: SageMaker, MLflow, pandas, pyarrow)
TRAINING_SIDE = ("pipelines", "steps", "training", "tracking")
#: glibc of the Lambda base images: AL2 (python:3.8-3.11, provided:al2) and AL2023 (the rest)
GLIBC_AL2 = (2, 26)
GLIBC_AL2023 = (2, 34)
LAMBDA_IMAGE = re.compile(
    r"^public\.ecr\.aws/lambda/(?P<repo>[a-z0-9-]+):(?P<tag>[A-Za-z0-9._-]+)"
    r"(?:@sha256:[0-9a-f]{64})?$"
)


def stages() -> list[tuple[str | None, str, list[Instruction]]]:
    """``(name, base, instructions after FROM)`` for each stage, in order."""
    result: list[tuple[str | None, str, list[Instruction]]] = []
    for ins in parse_dockerfile(DOCKERFILE.read_text()):
        if ins.keyword == "FROM":
            words = ins.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            result.append((name, words[0], []))
        else:
            assert result, f"line {ins.line}: {ins.keyword} before FROM"
            result[-1][2].append(ins)
    return result


def stage_names() -> set[str]:
    return {name for name, _, _ in stages() if name}


def image_instructions(target: str | None = None) -> list[Instruction]:
    """What builds ``target`` (default: the last stage), through the stages it is FROM, led by
    the FROM of the external base image."""
    all_stages = stages()
    by_name = {name: (base, body) for name, base, body in all_stages if name}
    base, body = by_name[target] if target else all_stages[-1][1:]
    chain = [body]
    while base in by_name:
        base, parent = by_name[base]
        chain.insert(0, parent)
    return [Instruction("FROM", (), base, 0), *(ins for part in chain for ins in part)]


def base_image() -> str:
    return image_instructions()[0].args


def copy_instructions() -> list[tuple[list[str], str]]:
    """``(sources, destination)`` of every COPY from the build context into the default image."""
    return containers.context_copies(image_instructions())


def context_bind_mounts() -> list[dict[str, str]]:
    """``RUN --mount=type=bind`` of build-context files (no ``from``) in the default image."""
    return containers.context_bind_mounts(image_instructions())


def task_copies() -> list[tuple[str, str]]:
    """``(source, path under the task root)`` for each file or folder COPY puts in the task."""
    return [
        containers.copy_target(source, destination, TASK_ROOT)
        for sources, destination in copy_instructions()
        if destination.startswith(TASK_ROOT)
        for source in sources
    ]


def dockerignore_patterns() -> list[str]:
    return containers.dockerignore_patterns(DOCKERIGNORE)


def in_build_context(path: str) -> bool:
    """Whether the repository file ``path`` is sent to the builder (Docker's rules)."""
    return containers.in_build_context(path, dockerignore_patterns())


def context_files(folder: str) -> list[str]:
    """The files under ``folder`` that the build context holds."""
    return containers.context_files(folder, dockerignore_patterns())


def run_commands(target: str | None = None) -> list[str]:
    return [ins.args for ins in image_instructions(target) if ins.keyword == "RUN"]


def image_glibc() -> tuple[int, int]:
    """The glibc of the base image's OS, for the wheels it can install."""
    match = LAMBDA_IMAGE.match(base_image())
    assert match, base_image()
    repo, tag = match.group("repo"), match.group("tag")
    if repo == "provided":
        return GLIBC_AL2023 if tag.startswith("al2023") else GLIBC_AL2
    if repo == "python":
        minor = int(tag.split(".")[1])
        return GLIBC_AL2023 if minor >= 12 else GLIBC_AL2
    pytest.fail(f"unknown Lambda base image {base_image()}: add the glibc of its OS here")


def test_hadolint_passes() -> None:
    result = containers.run_hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_is_a_lambda_image_pinned_to_a_release() -> None:
    match = LAMBDA_IMAGE.match(base_image())
    assert match, f"{base_image()} is not an AWS Lambda base image (public.ecr.aws/lambda/...)"
    # a moving tag (latest, 3.11, al2023) changes under the same name: pin a dated release
    assert re.search(r"\d{4}\.\d{2}\.\d{2}", match.group("tag")) or "@sha256:" in base_image(), (
        f"{base_image()} is not pinned: use a dated release tag (or a digest)"
    )


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_image_os_has_a_wheel_for_every_serving_requirement(arch: str) -> None:
    """What the python:3.11 base (Amazon Linux 2, glibc 2.26) would fail: numpy, scipy and
    lightgbm lock wheels that need glibc 2.28, and the image installs wheels only."""
    major, minor = image_glibc()
    supported = containers.supported_wheel_tags((major, minor), arch, project_python())
    pins = [
        tuple(line.split(";")[0].strip().split("=="))
        for line in containers.requirement_lines(REQUIREMENTS.read_text())
    ]
    assert pins, "serving/requirements.txt pins nothing"
    missing = containers.pins_without_wheel(pins, supported, regenerate="make serving-requirements")
    interpreter = "cp" + project_python().replace(".", "")
    assert not missing, (
        f"no {interpreter} wheel for glibc {major}.{minor} {arch} ({base_image()}): {missing}"
    )


def test_installs_the_projects_python_and_lightgbms_openmp_runtime() -> None:
    python = f"python{project_python()}"
    installs = [c for c in run_commands() if re.search(r"\b(micro)?dnf install|\byum install", c)]
    assert len(installs) == 1, installs
    packages = installs[0].split("&&")[0].split()
    assert "libgomp" in packages, "LightGBM's wheel needs the OpenMP runtime (libgomp)"
    assert python in packages, f"the image must run the project's Python ({python})"
    # Amazon Linux 2023 has dnf (microdnf in the Lambda images), Amazon Linux 2 yum
    manager = "yum" if image_glibc() == GLIBC_AL2 else "dnf"
    assert re.search(rf"\b{manager} install", installs[0]), installs[0]
    assert f"{manager} clean all" in installs[0], "clean the package cache in the same layer"
    # one interpreter everywhere: pip, compileall and the bootstrap
    versions = set(re.findall(r"\bpython3\.\d+\b", " ".join(run_commands())))
    assert versions == {python}, versions


def test_installs_the_serving_requirements_exported_from_the_lock() -> None:
    pip = [c for c in run_commands() if "pip install" in c]
    assert len(pip) == 1, pip
    files = re.findall(r"(?:-r|--requirement)[ =](\S+)", pip[0])
    assert len(files) == 1, pip[0]
    mounted = {
        m.get("target", m.get("dst")): m.get("source", m.get("src")) for m in context_bind_mounts()
    }
    copied = {
        (dest.rstrip("/") + "/" + Path(src).name) if dest.endswith("/") else dest: src
        for sources, dest in copy_instructions()
        for src in sources
    }
    source = mounted.get(files[0]) or copied.get(files[0])
    assert source == "serving/requirements.txt", f"pip installs {files[0]} from {source}"
    assert "--only-binary=:all:" in pip[0], "wheels only: a source build fails in the image"
    assert f'--target "{TASK_ROOT}"' in pip[0], "install into the task root (on PYTHONPATH)"


def test_copies_only_what_serving_imports() -> None:
    sources = [s.rstrip("/") for sources, _ in copy_instructions() for s in sources]
    sources += [m.get("source", m.get("src", "")).rstrip("/") for m in context_bind_mounts()]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source} is not in the repository"
        assert source.split("/")[0] not in TRAINING_SIDE, f"{source} is training-side code"
    packages = {target.split("/")[0] for _, target in task_copies()}
    assert packages == {"cvtext", "explain", "features", "featurestore", "serving"}, packages
    # featurestore: the light init and the online lookups only, never pandas/pyarrow modules
    assert {s for s, _ in task_copies() if s.startswith("featurestore")} == {
        "featurestore/__init__.py",
        "featurestore/online.py",
    }
    # cvtext: the reader and Textract, not the cache, the error rate or rapidocr's models
    assert {s for s, _ in task_copies() if s.startswith("cvtext")} == {
        "cvtext/__init__.py",
        "cvtext/extract.py",
        "cvtext/layers.py",
        "cvtext/ocr.py",
        "cvtext/textract.py",
    }
    # other contexts are stages of this Dockerfile (the optional model)
    for ins in parse_dockerfile(DOCKERFILE.read_text()):
        froms = [f.split("=", 1)[1] for f in ins.flags if f.startswith("--from=")]
        froms += [m["from"] for m in mount_options(ins) if "from" in m]
        assert set(froms) <= stage_names(), f"line {ins.line}: unknown stage {froms}"


def test_a_model_is_baked_only_into_the_baked_target() -> None:
    assert ("model", "scratch") in {(name, base) for name, base, _ in stages()}, (
        "the model stage must be empty unless --build-context model=<folder> replaces it"
    )
    # serving looks there when MATCH_MODEL_URI is unset (a light import: os and dataclasses)
    from serving.config import BAKED_MODEL_DIR

    default = [ins.args for ins in image_instructions()]
    assert not [args for args in default if BAKED_MODEL_DIR in args], default
    baked = image_instructions("baked")
    assert base_image() == baked[0].args
    copies = [
        ins.args.split() for ins in baked if ins.keyword == "COPY" and "--from=model" in ins.flags
    ]
    assert copies == [[".", f"{BAKED_MODEL_DIR}/"]], copies
    # the build fails on a folder that holds no model, rather than the function at its start
    assert any(f"test -f {BAKED_MODEL_DIR}/model.txt" in c for c in run_commands("baked"))


def test_build_context_holds_only_what_the_image_copies() -> None:
    patterns = dockerignore_patterns()
    assert patterns[0] == "*", "exclude everything first, then re-include what is copied"
    used = {s.rstrip("/") for sources, _ in copy_instructions() for s in sources}
    used |= {m.get("source", m.get("src", "")).rstrip("/") for m in context_bind_mounts()}
    for source in used:
        files = [source] if (ROOT / source).is_file() else context_files(source)
        assert files and all(in_build_context(f) for f in files), f"{source} is not sent"
    for path in (
        ".venv/bin/python",
        ".lake/x",
        ".mlflow/mlflow.db",
        "build/serving/model/model.txt",
        "tests/serving/conftest.py",
        "pipelines/definition.py",
        "steps/preprocess.py",
        "training/train.py",
        "tracking/registry.py",
        "featurestore/local.py",
        "uv.lock",
        "serving/Dockerfile",
        "serving/__pycache__/app.cpython-311.pyc",
    ):
        assert not in_build_context(path), f"{path} would be sent to the builder"


def test_cmd_is_the_lambda_handler() -> None:
    cmds = [ins.args for ins in image_instructions() if ins.keyword == "CMD"]
    assert len(cmds) == 1 and json.loads(cmds[0]) == ["serving.handler.handler"], cmds
    module, _, attribute = "serving.handler.handler".rpartition(".")
    source = ROOT / (module.replace(".", "/") + ".py")
    assert source.is_file(), source
    functions = {
        node.name
        for node in ast.parse(source.read_text()).body
        if isinstance(node, ast.FunctionDef)
    }
    assert attribute in functions, f"{source.relative_to(ROOT)} defines no {attribute}()"
    assert any(target == "serving" for _, target in task_copies()), "serving/ is not in the task"
    # the handler is importable from the task root, where the code and the dependencies are
    envs = [ins.args for ins in image_instructions() if ins.keyword == "ENV"]
    assert any(re.fullmatch(rf"PYTHONPATH={re.escape(TASK_ROOT)}", env) for env in envs), envs
    # and the bootstrap hands CMD (exported as _HANDLER) to the runtime interface client
    assert any("-m awslambdaric" in c and "_HANDLER" in c for c in run_commands())
