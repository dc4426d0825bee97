"""Export the registry's champion for local serving: ``python -m pipelines.export_model``.

Downloads the champion's model folder from the local MLflow registry into ``--out`` with a
``model_card.json`` (registry name, version, approval status, test metrics), and writes
``serving.env`` beside it: the environment ``python -m serving`` reads (model folder and the
local feature store's online store). Exits 2 with a message when there is no champion yet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from pipelines.config import PROJECT_ROOT, Settings, load_settings

EXIT_NO_MODEL = 2


def online_store_path(settings: Settings) -> Path:
    return settings.lake_dir / settings.curated_bucket / "feature-store" / "online-store.sqlite"


def model_card(info) -> dict:
    metrics = {
        key.removeprefix("test_"): float(value)
        for key, value in info.tags.items()
        if key.startswith("test_")
    }
    return {
        "name": info.name,
        "version": info.version,
        "mlflow_run_id": info.run_id,
        "approval_status": info.tags.get("approval_status", ""),
        "metrics": metrics,
    }


def export_champion(settings: Settings, out: Path) -> dict:
    """Write the champion's files and card to ``out``; raise LookupError without one."""
    from tracking import connection, registry

    os.environ["MLFLOW_TRACKING_URI"] = settings.local_tracking_uri()
    info = registry.champion(settings.model_name)
    if info is None:
        raise LookupError(
            f"the registry has no champion for {settings.model_name}: run `make pipeline-run`"
        )
    if out.exists():
        shutil.rmtree(out)
    staging = out.with_name(out.name + ".download")
    shutil.rmtree(staging, ignore_errors=True)
    downloaded = connection.download_version(info, staging)
    shutil.move(str(downloaded), out)
    shutil.rmtree(staging, ignore_errors=True)
    card = model_card(info)
    (out / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True))
    return card


def serving_env(model_dir: Path, store: Path) -> str:
    # CV files sent to the local server: scanned pages read by the local engine
    lines = [f"MATCH_MODEL_URI={model_dir.resolve()}", "MATCH_OCR_ENGINE=rapidocr"]
    if store.is_file():
        lines.append(f"MATCH_ONLINE_STORE=sqlite:///{store.resolve()}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "serving" / "model")
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        card = export_champion(settings, args.out)
    except LookupError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_NO_MODEL
    env_file = args.out.parent / "serving.env"
    env_file.write_text(serving_env(args.out, online_store_path(settings)))
    print(f"exported {card['name']} version {card['version']} to {args.out} ({env_file.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
