"""The Airflow tool environment's lock agrees with Airflow's published constraints."""

from __future__ import annotations

import re
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "airflow"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {normalized(name): version for name, version in PIN.findall(path.read_text())}


def test_every_locked_version_is_the_published_constraint() -> None:
    constraints = pins(TOOLS / "constraints-3.0.6-python3.12.txt")
    locked = pins(TOOLS / "requirements.txt")

    assert locked["apache-airflow"] == "3.0.6"
    assert (
        locked["apache-airflow-providers-amazon"] == constraints["apache-airflow-providers-amazon"]
    )
    differ = {
        name: (version, constraints[name])
        for name, version in locked.items()
        if name in constraints and constraints[name] != version
    }
    assert differ == {}
    # Outside the constraints only what Airflow's own packages bring (task SDK, core).
    unconstrained = sorted(set(locked) - set(constraints))
    assert all(n.startswith("apache-airflow") or n == "pyyaml-ft" for n in unconstrained), (
        unconstrained
    )


def test_every_locked_package_carries_its_hashes() -> None:
    text = (TOOLS / "requirements.txt").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(blocks) > 100
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "--require-hashes" in (TOOLS / "setup.sh").read_text()
