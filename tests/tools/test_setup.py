"""What ``make setup`` leaves: installed packages already compiled to bytecode.

Each pipeline step is a fresh Python. Where ``PYTHONDONTWRITEBYTECODE`` is set (as on many CI
machines and containers), a package without ``.pyc`` files is compiled again in every process:
MLflow and matplotlib alone cost a step about 5 s that way.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import matplotlib
import mlflow
import sqlalchemy

REPO = Path(__file__).resolve().parents[2]


def test_setup_asks_uv_to_compile_bytecode():
    makefile = (REPO / "Makefile").read_text()
    sync = re.search(r"^\$\(VENV\)/\.synced:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert sync, "the .synced rule is where make setup installs the environment"
    assert "sync" in sync.group(1) and "--compile-bytecode" in sync.group(1)


def test_the_heavy_packages_have_bytecode_installed():
    for module in (mlflow, matplotlib, sqlalchemy):
        compiled = Path(importlib.util.cache_from_source(module.__file__))
        assert compiled.is_file(), f"{module.__name__} has no bytecode: run make setup"
