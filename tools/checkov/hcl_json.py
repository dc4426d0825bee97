"""Parse Terraform files with python-hcl2 and print them as one JSON object.

Run with the checkov tool environment's Python, which has ``hcl2`` (checkov's own fork,
bc-python-hcl2, the parser checkov reads Terraform with):

    .tools/checkov/bin/python tools/checkov/hcl_json.py terraform > parsed.json

Output: ``{"<path relative to the folder>": <parsed file>}`` for every ``*.tf`` under the folder
(hidden folders such as ``.terraform`` skipped). A file that does not parse is reported on
stderr with its path and the parser's message, and the exit status is 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import hcl2


def tf_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.tf")
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: hcl_json.py <folder>", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    parsed: dict[str, object] = {}
    failed = 0
    for path in tf_files(folder):
        try:
            with path.open(encoding="utf-8") as handle:
                parsed[path.relative_to(folder).as_posix()] = hcl2.load(handle)
        except Exception as error:  # the parser raises lark errors of several kinds
            failed += 1
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
    json.dump(parsed, sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
