"""Command line: ``python -m datagen --out DIR [--seed 42] [--scale 0.1] [--no-signal]
[--cv-file-share 0.1] [--workers N]``.

Progress goes to stderr; the report (also in ``DIR/_truth/generator_report.json``) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from datagen import generate
from datagen.generator import DEFAULT_PROFILE, MIN_SCALE, PROFILES_AVAILABLE


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value >= MIN_SCALE:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_SCALE}, got {text}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within [0, 1], got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m datagen",
        description="Generate synthetic recruiting data in the Decision format.",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder (created)")
    parser.add_argument("--seed", type=_non_negative_int, default=42, help="random seed (42)")
    parser.add_argument(
        "--scale", type=_scale, default=0.1,
        help="1 = published size (~14k jobs, 42k applicants, 53k applications); default 0.1",
    )  # fmt: skip
    parser.add_argument(
        "--no-signal", dest="signal", action="store_false",
        help="every labelled application gets the same hire probability (best AUC 0.5)",
    )  # fmt: skip
    parser.add_argument(
        "--cv-file-share", type=_share, default=None,
        help="share of applicants whose CV is a file under cvs/ instead of cv_pt "
        "(default: 0.03 with --profile real, 0.1 with rich)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", choices=PROFILES_AVAILABLE, default=DEFAULT_PROFILE,
        help="real: shaped like the published files (structured fields mostly empty, the signal "
        "in the CV text); rich: every structured field filled (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=_non_negative_int, default=None,
        help="processes rendering CV files (default: 1 for few files, else up to 2)",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the generator; exit status 0 on success, 2 on a bad output folder."""
    args = parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} exists and is not a folder", file=sys.stderr)
        return 2
    report = generate(
        args.out,
        seed=args.seed,
        scale=args.scale,
        signal=args.signal,
        cv_file_share=args.cv_file_share,
        workers=args.workers or None,
        profile=args.profile,
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
