"""Write the compiled definition: ``python -m pipelines.build_definition [--out PATH]``.

Offline, and byte-identical for identical code and parameters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.compile import compile_pipeline, write_definition
from pipelines.config import MissingSettingError, load_settings


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="pipelines.build_definition", description=__doc__)
    parser.add_argument("--target", choices=["local", "aws"], default="local")
    parser.add_argument("--out", type=Path, default=settings.build_dir / "pipeline-definition.json")
    args = parser.parse_args(argv)
    try:
        path = write_definition(compile_pipeline(settings, args.target), args.out)
    except MissingSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
