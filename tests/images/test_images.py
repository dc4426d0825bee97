"""The SageMaker job images (``images/steps``, ``images/training``): recipes and clean installs.

No Docker engine is needed. The Dockerfiles are parsed here (hadolint, base image, packages,
what is installed and copied, build context); the requirements must equal ``uv export`` of their
dependency group; and each image is rebuilt without Docker: its pinned requirements installed by
uv into an empty folder, the library packages its COPY lines name laid out beside them, and a
Python without site-packages that imports and runs the job's entry points from there, as
SageMaker runs them (``python3 /opt/ml/processing/input/code/<step>.py``, or ``python3 train.py``
in the training job's ``code`` channel).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests import containers
from tests.containers import (
    ROOT,
    Instruction,
    install_requirements,
    parse_dockerfile,
    project_python,
    requirement_lines,
)

#: where the images keep the library packages (on PYTHONPATH)
PROGRAM = "/opt/program"
#: the repository's top-level Python packages (first-party imports)
FIRST_PARTY = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").is_file()} | {
    "training",
    "steps",
    "features",
    "featurestore",
    "tracking",
    "pipelines",
    "serving",
}
#: code no job image carries: the SDK side (pipelines) and the Lambda app (serving)
NEVER_IN_A_JOB_IMAGE = ("pipelines", "serving")
#: python:<3.11.patch>-slim-<debian>, optionally by digest too
PYTHON_IMAGE = re.compile(
    r"^python:(?P<version>\d+\.\d+\.\d+)-slim-(?P<debian>[a-z]+)(?:@sha256:[0-9a-f]{64})?$"
)
GLIBC = {"bookworm": (2, 36), "trixie": (2, 41)}
#: dependencies no file imports, which the jobs still need
RUNTIME_ONLY = {
    "onnxruntime": "rapidocr's inference engine (loaded by rapidocr, never imported by name)",
    "sagemaker-mlflow": "the MLflow plugin (entry points) for arn: tracking URIs on AWS",
    "pyarrow": "pandas' Parquet engine (pd.read_parquet, DataFrame.to_parquet)",
}
#: SageMaker's instances for these jobs (ml.m5, ml.g4dn) are x86_64
MARKER_ENVIRONMENT = {
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "os_name": "posix",
}


@dataclass(frozen=True)
class Image:
    group: str  # the dependency group, the folder under images/, the ECR repository's suffix
    packages: frozenset[str]  # library packages the image carries
    entry_points: tuple[str, ...]  # what SageMaker runs, as repository paths
    forbidden: frozenset[str]  # top-level packages a job must never import

    @property
    def folder(self) -> Path:
        return ROOT / "images" / self.group

    @property
    def dockerfile(self) -> Path:
        return self.folder / "Dockerfile"

    @property
    def dockerignore(self) -> Path:
        return self.folder / "Dockerfile.dockerignore"

    @property
    def requirements(self) -> Path:
        return self.folder / "requirements.txt"

    def instructions(self) -> list[Instruction]:
        found = parse_dockerfile(self.dockerfile.read_text())
        froms = [ins for ins in found if ins.keyword == "FROM"]
        assert len(froms) == 1 and found[0] is froms[0], "one stage, FROM first"
        return found

    def base(self) -> str:
        return self.instructions()[0].args

    def runs(self) -> list[str]:
        return [ins.args for ins in self.instructions() if ins.keyword == "RUN"]

    def envs(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for ins in self.instructions():
            if ins.keyword == "ENV":
                for word in shlex.split(ins.args):
                    key, equals, value = word.partition("=")
                    assert equals, f"line {ins.line}: use ENV KEY=value"
                    values[key] = value
        return values

    def copies(self) -> list[tuple[str, str]]:
        """``(source, destination)`` for each source of each COPY/ADD from the build context."""
        return [
            (source, destination)
            for sources, destination in containers.context_copies(self.instructions())
            for source in sources
        ]

    def bind_mounts(self) -> list[dict[str, str]]:
        return containers.context_bind_mounts(self.instructions())

    def program_copies(self) -> list[tuple[str, str]]:
        """``(source, path under /opt/program)`` of the library code."""
        pairs = []
        for source, destination in self.copies():
            assert destination.startswith(f"{PROGRAM}/"), f"{source} goes to {destination}"
            pairs.append(containers.copy_target(source, destination, PROGRAM))
        return pairs

    def in_build_context(self, path: str) -> bool:
        """Docker's rule: the last pattern matching the path or a parent folder decides."""
        return containers.in_build_context(path, self.dockerignore_patterns())

    def dockerignore_patterns(self) -> list[str]:
        return containers.dockerignore_patterns(self.dockerignore)

    def context_files(self, folder: str) -> list[str]:
        return containers.context_files(folder, self.dockerignore_patterns())

    def pins(self) -> dict[str, str]:
        """``{name: version}`` of the requirements that apply on SageMaker (Linux x86_64)."""
        pins = {}
        for line in requirement_lines(self.requirements.read_text()):
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate(MARKER_ENVIRONMENT):
                continue
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", line
            pins[canonicalize_name(requirement.name)] = specifier.version
        return pins


IMAGES = {
    "steps": Image(
        group="steps",
        packages=frozenset({"cvtext", "features", "featurestore", "steps", "tracking"}),
        entry_points=(
            "steps/extract_text.py",
            "steps/preprocess.py",
            "steps/ingest_features.py",
            "steps/evaluate.py",
            "steps/register.py",
        ),
        forbidden=frozenset({"sagemaker", "pipelines", "serving", "training"}),
    ),
    "training": Image(
        group="training",
        packages=frozenset({"features", "tracking"}),
        entry_points=("training/train.py",),
        forbidden=frozenset({"sagemaker", "pipelines", "serving", "steps", "featurestore"}),
    ),
}
BY_NAME = pytest.mark.parametrize("image", list(IMAGES.values()), ids=list(IMAGES))


# --- the recipes ----------------------------------------------------------------------------


@BY_NAME
def test_hadolint_passes(image: Image) -> None:
    result = containers.run_hadolint(image.dockerfile)
    assert result.returncode == 0, result.stdout + result.stderr


@BY_NAME
def test_base_is_the_projects_python_pinned_to_a_patch_release(image: Image) -> None:
    match = PYTHON_IMAGE.match(image.base())
    assert match, f"{image.base()}: use python:<x.y.z>-slim-<debian> (a moving 3.11 tag drifts)"
    assert match.group("version").startswith(f"{project_python()}."), image.base()
    assert match.group("debian") in GLIBC, f"add the glibc of Debian {match.group('debian')}"
    # python3 (the jobs' entry point) and every interpreter named in a RUN are that version
    named = set(re.findall(r"\bpython3\.\d+\b", " ".join(image.runs())))
    assert named <= {f"python{project_python()}"}, named
    assert any(
        f"sys.version_info[:2] == ({project_python().replace('.', ', ')})" in run
        for run in image.runs()
    ), "the build checks that python3 is the project's Python"


@BY_NAME
def test_installs_lightgbms_openmp_runtime_and_cleans_apt(image: Image) -> None:
    installs = [run for run in image.runs() if "apt-get install" in run]
    assert len(installs) == 1, installs
    words = installs[0].split()
    assert "libgomp1" in words, "LightGBM's wheel needs the OpenMP runtime (libgomp1)"
    assert "--no-install-recommends" in words
    assert "apt-get update" in installs[0], "update and install in one layer"
    assert "rm -rf /var/lib/apt/lists/*" in installs[0], "drop the apt lists in the same layer"
    assert not [r for r in image.runs() if re.search(r"\bpip3? uninstall\b|rm .*bin/pip", r)], (
        "keep pip: SageMaker's training driver (sm_train.sh) requires pip3 on PATH"
    )


def test_training_image_registers_nvidias_opencl_icd() -> None:
    image = IMAGES["training"]
    icd = [run for run in image.runs() if "/etc/OpenCL/vendors/" in run]
    assert len(icd) == 1, icd
    assert re.search(
        r"echo \"?libnvidia-opencl\.so\.1\"? > /etc/OpenCL/vendors/nvidia\.icd", icd[0]
    ), icd[0]
    envs = image.envs()
    assert envs.get("NVIDIA_VISIBLE_DEVICES") == "all", envs
    capabilities = set(envs.get("NVIDIA_DRIVER_CAPABILITIES", "").split(","))
    # compute: libcuda and libnvidia-opencl.so.1; utility: nvidia-smi, which the SDK driver runs
    assert {"compute", "utility"} <= capabilities, capabilities
    # the SDK's sm_train.sh runs under /bin/bash and exits unless python3 and pip3 are on PATH
    assert any("command -v bash" in r and "command -v pip3" in r for r in image.runs())
    # the CPU image has no use for a GPU
    assert not [r for r in IMAGES["steps"].runs() if "OpenCL" in r]
    assert "NVIDIA_VISIBLE_DEVICES" not in IMAGES["steps"].envs()


@BY_NAME
def test_installs_the_requirements_exported_for_its_group(image: Image) -> None:
    pip = [run for run in image.runs() if "pip install" in run]
    assert len(pip) == 1, pip
    files = re.findall(r"(?:-r|--requirement)[ =](\S+)", pip[0])
    assert len(files) == 1, pip[0]
    mounted = {
        m.get("target", m.get("dst")): m.get("source", m.get("src")) for m in image.bind_mounts()
    }
    expected = image.requirements.relative_to(ROOT).as_posix()
    assert mounted.get(files[0]) == expected, f"pip installs {files[0]}, not {expected}"
    assert "--only-binary=:all:" in pip[0], "wheels only: a source build fails in the image"
    assert "--no-cache-dir" in pip[0], "no pip cache in the layer"
    assert "--target" not in pip[0], "into the interpreter's site-packages"


@BY_NAME
def test_copies_only_the_library_packages_its_jobs_import(image: Image) -> None:
    sources = [source.rstrip("/") for source, _ in image.copies()]
    sources += [m.get("source", m.get("src", "")).rstrip("/") for m in image.bind_mounts()]
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source} is not in the repository"
        assert source.split("/")[0] not in NEVER_IN_A_JOB_IMAGE, f"{source} must not be copied"
    packages = {target.split("/")[0] for _, target in image.program_copies()}
    assert packages == image.packages, packages
    assert not image.packages & image.forbidden
    envs = image.envs()
    assert envs.get("PYTHONPATH") == PROGRAM, "the job's scripts import the packages from there"
    assert envs.get("PYTHONUNBUFFERED") == "1", "log lines must reach CloudWatch as printed"


@BY_NAME
def test_user_stays_root_as_sagemaker_jobs_need(image: Image) -> None:
    """SageMaker creates /opt/ml (inputs, outputs, model) owned by root and cannot run a
    Processing or Training job as another user: a non-root USER could not write the outputs."""
    users = [ins.args for ins in image.instructions() if ins.keyword == "USER"]
    assert users in ([], ["root"]), users
    assert "root" in image.dockerfile.read_text(), "say why the image keeps root"


@BY_NAME
def test_build_context_holds_only_what_the_image_copies(image: Image) -> None:
    patterns = image.dockerignore_patterns()
    assert patterns[0] == "*", "exclude everything first, then re-include what is copied"
    used = {source.rstrip("/") for source, _ in image.copies()}
    used |= {m.get("source", m.get("src", "")).rstrip("/") for m in image.bind_mounts()}
    for source in used:
        files = [source] if (ROOT / source).is_file() else image.context_files(source)
        assert files and all(image.in_build_context(f) for f in files), f"{source} is not sent"
    never = [
        ".venv/bin/python",
        ".lake/x",
        ".mlflow/mlflow.db",
        "build/pipeline-definition.json",
        "tests/images/test_images.py",
        "pipelines/definition.py",
        "serving/app.py",
        "serving/requirements.txt",
        "training/train.py",  # the training job gets it as its code channel
        "uv.lock",
        f"images/{image.group}/Dockerfile",
        "steps/__pycache__/preprocess.cpython-311.pyc",
    ]
    never += [f"{package}/__init__.py" for package in FIRST_PARTY - image.packages]
    never += [f"images/{other}/requirements.txt" for other in IMAGES if other != image.group]
    for path in never:
        assert not image.in_build_context(path), f"{path} would be sent to the builder"


def _imports(path: Path) -> set[str]:
    """Absolute imports of a file (module level or not), as dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _image_sources(image: Image) -> list[Path]:
    files = [ROOT / p for p in image.entry_points]
    for package in sorted(image.packages):
        files += [ROOT / f for f in image.context_files(package) if f.endswith(".py")]
    return files


@BY_NAME
def test_group_is_exactly_what_the_images_code_imports(image: Image) -> None:
    """Every import of the image's code resolves in the image, and the group lists no more
    than what that code imports (or needs at run time: RUNTIME_ONLY)."""
    entry_packages = {p.split("/")[0] for p in image.entry_points}
    providers = importlib.metadata.packages_distributions()  # of this environment
    pins = image.pins()
    imported_distributions: set[str] = set()
    for source in _image_sources(image):
        for name in _imports(source):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            where = source.relative_to(ROOT)
            if top in FIRST_PARTY:
                # the code channel of the training job is training/ itself
                assert top in image.packages | entry_packages, f"{where} imports {name}"
                continue
            dists = {canonicalize_name(d) for d in providers.get(top, [])}
            assert dists, f"{where} imports {name}, which no installed distribution provides"
            assert dists & pins.keys(), f"{where} imports {name}: add {dists} to the group"
            imported_distributions |= dists & pins.keys()

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = {
        canonicalize_name(Requirement(r).name) for r in pyproject["dependency-groups"][image.group]
    }
    unused = group - imported_distributions - set(RUNTIME_ONLY)
    assert not unused, f"the {image.group} group lists {unused}, which its code never imports"
    assert "sagemaker" not in pins, "the SDK only compiles the definition: keep it out"
    # the imports above resolve in this environment: uv sync installs every distribution the
    # group names (mlflow-skinny at this machine's version: the group conflicts with pipeline's)
    installed = {canonicalize_name(d.metadata["Name"]) for d in importlib.metadata.distributions()}
    assert group <= installed, f"uv sync must install {group - installed}"


@BY_NAME
def test_the_image_os_has_a_wheel_for_every_requirement(image: Image) -> None:
    """The image installs wheels only: each pin needs a cp311 manylinux wheel for the glibc of
    the base image's Debian, on x86_64 (ml.m5, ml.g4dn)."""
    match = PYTHON_IMAGE.match(image.base())
    assert match, image.base()
    major, minor = GLIBC[match.group("debian")]
    supported = containers.supported_wheel_tags((major, minor), "x86_64", project_python())
    pins = image.pins()
    assert pins, f"{image.requirements} pins nothing"
    missing = containers.pins_without_wheel(
        pins.items(), supported, regenerate="make images-requirements"
    )
    interpreter = "cp" + project_python().replace(".", "")
    assert not missing, f"no {interpreter} wheel for glibc {major}.{minor}: {missing}"


# --- the requirements -----------------------------------------------------------------------


@BY_NAME
def test_requirements_are_the_locked_group(image: Image) -> None:
    exported = containers.exported_requirements(image.group)
    text = image.requirements.read_text()
    assert requirement_lines(text) == exported, (
        f"{image.requirements.relative_to(ROOT)} differs from uv.lock: run make images-requirements"
    )
    assert f"uv export --only-group {image.group}" in text, "keep the header"


# --- the images without Docker --------------------------------------------------------------


def lay_out_program(image: Image, program: Path) -> None:
    """/opt/program as the Dockerfile's COPY lines build it, from the build context's files."""
    copies = image.program_copies()
    assert copies, "the Dockerfile copies no library code"
    containers.lay_out(copies, program, image.context_files)


def clean_environment(**extra: str) -> dict[str, str]:
    prefixes = ("PYTHON", "MLFLOW_", "SM_", "AWS_", "MATCH_", "OCL_", "OPENCL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return env | {"PYTHONUNBUFFERED": "1", "GIT_PYTHON_REFRESH": "quiet"} | extra


def run_isolated(code: str, *args: object, cwd: Path, env: dict[str, str], timeout: int = 180):
    """``python -I -S -c code args``: no site-packages, no PYTHON* variables, no current folder
    on the path: only the standard library and the folders the code puts there."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# The image's python3 imports with sys.path = [<script folder>,] PYTHONPATH, stdlib, site-packages.
IMPORT_ENTRY_POINTS = textwrap.dedent(
    """
    import importlib, importlib.metadata, json, sys
    code, program, site, result_file, spec = sys.argv[1:6]
    spec = json.loads(spec)
    sys.path[:0] = [p for p in (code, program) if p]
    sys.path.append(site)

    parsed = {}
    for module, argv in spec["entry_points"].items():
        namespace = importlib.import_module(module).parse_args(argv)
        parsed[module] = {k: str(v) for k, v in sorted(vars(namespace).items())}
    for module in spec["also_import"]:
        importlib.import_module(module)
    # MLflow on AWS: the tracking URI is an ARN, served by sagemaker-mlflow's entry points
    plugins = {}
    for group in ("mlflow.tracking_store", "mlflow.request_auth_provider"):
        for entry in importlib.metadata.entry_points(group=group):
            if entry.name == "arn":
                entry.load()
                plugins[group] = entry.value
    files = {name: getattr(sys.modules[name], "__file__", None) for name in spec["files"]}
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in spec["forbidden"])
    with open(result_file, "w") as f:
        json.dump({"parsed": parsed, "files": files, "forbidden": loaded, "path": sys.path,
                   "plugins": plugins}, f)
    """
)

# `python3 <script> args` as the job runs it, with the image's PYTHONPATH.
RUN_SCRIPT = textwrap.dedent(
    """
    import os, runpy, sys
    script, program, site, *args = sys.argv[1:]
    sys.path[:0] = [os.path.dirname(script), program]
    sys.path.append(site)
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")
    """
)


def _check_imports(outcome: dict, *, task: dict[str, Path], site: Path, forbidden) -> None:
    for name, folder in task.items():
        assert Path(outcome["files"][name]).is_relative_to(folder), (name, outcome["files"][name])
    for name, path in outcome["files"].items():
        if name not in task:
            assert Path(path).is_relative_to(site), (name, path)
    assert not [p for p in outcome["path"] if p and Path(p).is_relative_to(ROOT)]
    assert outcome["forbidden"] == [], f"imported {outcome['forbidden']} (never in {forbidden})"
    assert set(outcome["plugins"]) == {"mlflow.tracking_store", "mlflow.request_auth_provider"}
    assert all(v.startswith("sagemaker_mlflow.") for v in outcome["plugins"].values())


def test_steps_image_imports_and_runs_its_entry_points(tmp_path: Path) -> None:
    image = IMAGES["steps"]
    site, program = tmp_path / "site", tmp_path / "program"
    install_requirements(image.requirements, site)
    lay_out_program(image, program)

    spec = {
        "entry_points": {module[:-3].replace("/", "."): [] for module in image.entry_points},
        "also_import": [
            "mlflow",
            "tracking",
            "boto3",
            "featurestore.online",
            "features.frames",
            "cvtext.textract",
            "cvtext.cer",
            "rapidocr",
        ],
        "files": [
            "steps.preprocess",
            "cvtext.extract",
            "cvtext.textract",
            "features",
            "featurestore.local",
            "tracking",
            "lightgbm",
            "pandas",
            "pyarrow",
            "pypdf",
            "docx",
            "lxml",
            "rapidocr",
            "rapidfuzz",
            "matplotlib",
            "sklearn",
            "mlflow",
            "boto3",
        ],
        "forbidden": sorted(image.forbidden),
    }
    result_file = tmp_path / "result.json"
    result = run_isolated(
        IMPORT_ENTRY_POINTS,
        "",
        program,
        site,
        result_file,
        json.dumps(spec),
        cwd=tmp_path,
        env=clean_environment(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    outcome = json.loads(result_file.read_text())
    assert set(outcome["parsed"]) == set(spec["entry_points"])
    # argparse defaults are the container paths the definition maps
    assert outcome["parsed"]["steps.preprocess"]["raw_dir"] == "/opt/ml/processing/input/raw"
    assert outcome["parsed"]["steps.evaluate"]["model_dir"] == "/opt/ml/processing/input/model"
    task = {
        name: program
        for name in (
            "steps.preprocess",
            "cvtext.extract",
            "cvtext.textract",
            "features",
            "featurestore.local",
        )
    } | {"tracking": program}
    _check_imports(outcome, task=task, site=site, forbidden=image.forbidden)

    # SageMaker copies the script into the job's code folder and runs it as a file
    code = tmp_path / "opt/ml/processing/input/code"
    code.mkdir(parents=True)
    for entry in image.entry_points:
        shutil.copy2(ROOT / entry, code / Path(entry).name)
    ran = run_isolated(
        RUN_SCRIPT,
        code / "preprocess.py",
        program,
        site,
        "--help",
        cwd=tmp_path,
        env=clean_environment(),
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-4000:]
    assert "--raw-dir" in ran.stdout and "--min-labelled-rows" in ran.stdout, ran.stdout


def _channels(tmp_path: Path) -> tuple[Path, Path]:
    """Small train and validation channels: the feature columns and a learnable label."""
    import numpy as np
    import pandas as pd

    from features import FEATURE_NAMES
    from features.text_similarity import TEXT_MODEL_FILE, fit_text_model

    folders = []
    for name, rows, seed in (("train", 600, 1), ("validation", 300, 2)):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame(rng.random((rows, len(FEATURE_NAMES))), columns=list(FEATURE_NAMES))
        signal = frame[FEATURE_NAMES[0]] + 0.3 * rng.standard_normal(rows)
        frame["label"] = (signal > np.quantile(signal, 0.8)).astype(int)
        folder = tmp_path / "opt/ml/input/data" / name
        folder.mkdir(parents=True)
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        folders.append(folder)
    # the Preprocess step's text weights travel in the train channel, and on into the model
    text_model = fit_text_model([{"java": 2, "sql": 1}, {"sap": 1}])
    (folders[0] / TEXT_MODEL_FILE).write_text(text_model.to_json())
    return folders[0], folders[1]


def test_training_image_imports_and_trains_from_its_code_channel(tmp_path: Path) -> None:
    image = IMAGES["training"]
    site, program = tmp_path / "site", tmp_path / "program"
    install_requirements(image.requirements, site)
    lay_out_program(image, program)
    # the job's code channel: SourceCode(source_dir="training/", entry_script="train.py")
    code = tmp_path / "opt/ml/input/data/code"
    shutil.copytree(ROOT / "training", code, ignore=shutil.ignore_patterns("__pycache__"))

    spec = {
        "entry_points": {"train": ["--device_type", "gpu", "--num_boost_round", "10"]},
        "also_import": ["mlflow", "tracking", "sagemaker_mlflow"],
        "files": ["train", "features", "tracking", "lightgbm", "pandas", "sklearn", "mlflow"],
        "forbidden": sorted(image.forbidden),
    }
    result_file = tmp_path / "result.json"
    result = run_isolated(
        IMPORT_ENTRY_POINTS,
        code,
        program,
        site,
        result_file,
        json.dumps(spec),
        cwd=code,
        env=clean_environment(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    outcome = json.loads(result_file.read_text())
    assert outcome["parsed"]["train"]["device_type"] == "gpu"
    assert outcome["parsed"]["train"]["model_dir"] == "/opt/ml/model"
    task = {"train": code, "features": program, "tracking": program}
    _check_imports(outcome, task=task, site=site, forbidden=image.forbidden)

    train, validation = _channels(tmp_path)
    model_dir = tmp_path / "opt/ml/model"
    channels = ["--train", train, "--validation", validation, "--model-dir", model_dir]
    hyperparameters = ["--num_boost_round", "30", "--early_stopping_rounds", "5"]

    # GPU without an OpenCL device: the loader inside LightGBM's wheel (no libOpenCL.so.1 in
    # the image) finds no platform in an empty vendors folder, and the job says why (exit 4).
    vendors = tmp_path / "vendors"
    vendors.mkdir()
    no_gpu = run_isolated(
        RUN_SCRIPT,
        code / "train.py",
        program,
        site,
        "--device_type",
        "gpu",
        *hyperparameters,
        *channels,
        cwd=code,
        env=clean_environment(OCL_ICD_VENDORS=str(vendors)),
    )
    assert no_gpu.returncode == 4, no_gpu.stdout[-4000:] + no_gpu.stderr[-4000:]
    assert "No OpenCL device found" in no_gpu.stderr, no_gpu.stderr[-4000:]

    # CPU: trains, writes the model directory and logs the run with mlflow-skinny (a file
    # store here, which MLflow 3 accepts only when asked: skinny lacks SQLAlchemy; on AWS the
    # managed server's ARN, through sagemaker-mlflow)
    store = tmp_path / "mlruns"
    trained = run_isolated(
        RUN_SCRIPT,
        code / "train.py",
        program,
        site,
        "--device_type",
        "cpu",
        *hyperparameters,
        *channels,
        cwd=code,
        env=clean_environment(MLFLOW_TRACKING_URI=store.as_uri(), MLFLOW_ALLOW_FILE_STORE="true"),
    )
    assert trained.returncode == 0, trained.stdout[-4000:] + trained.stderr[-4000:]
    assert (model_dir / "model.txt").is_file()
    assert (model_dir / "text_model.json").read_text() == (train / "text_model.json").read_text()
    metadata = json.loads((model_dir / "metadata.json").read_text())
    assert metadata["device"] == "cpu" and metadata["mlflow_run_id"], metadata
    logged = list(store.glob(f"*/{metadata['mlflow_run_id']}/artifacts/model_dir/model.txt"))
    assert logged, sorted(p.relative_to(store).as_posix() for p in store.rglob("*"))[:50]


# --- MLflow: the jobs' client and the managed tracking server -------------------------------


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _terraform_default(path: Path, variable: str) -> str:
    block = re.search(rf'variable "{variable}" {{(.*?)\n}}', path.read_text(), re.DOTALL)
    assert block, f"{path}: no variable {variable}"
    default = re.search(r'default\s*=\s*"([^"]+)"', block.group(1))
    assert default, f"{path}: {variable} has no default"
    return default.group(1)


def test_the_jobs_mlflow_client_is_the_managed_servers_version() -> None:
    """AWS asks that the MLflow client match the tracking server (a 3.0.x server takes an
    MLflow 3.0 client): the jobs' mlflow-skinny, the server Terraform creates and the server the
    tests run (tools/mlflow-server) are one minor version."""
    servers = {
        _terraform_default(ROOT / "terraform" / folder / "variables.tf", "mlflow_version")
        for folder in ("envs/shared", "modules/platform", "modules/sagemaker")
        if "mlflow_version" in (ROOT / "terraform" / folder / "variables.tf").read_text()
    }
    assert len(servers) == 1, servers
    (server,) = servers
    clients = {name: image.pins()["mlflow-skinny"] for name, image in IMAGES.items()}
    tool = re.search(
        r"^mlflow==(\S+)", (ROOT / "tools/mlflow-server/requirements.txt").read_text(), re.M
    )
    assert tool, "tools/mlflow-server pins no mlflow"
    assert {_major_minor(v) for v in clients.values()} == {_major_minor(server)}, (clients, server)
    assert _major_minor(tool.group(1)) == _major_minor(server)
