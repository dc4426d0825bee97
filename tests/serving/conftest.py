from __future__ import annotations

from pathlib import Path

import pytest

from tests.serving.factory import applicant_record, build_online_store, job_record, train_model_dir


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_model_dir(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jobs = {"5185": job_record()}
    applicants = {str(31000 + i): applicant_record(i) for i in range(20)}
    return build_online_store(tmp_path_factory.mktemp("store"), jobs, applicants)
