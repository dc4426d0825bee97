"""Run the API locally on uvicorn: ``python -m serving [--host H] [--port P]``.

The port defaults to ``$PORT``, else 8000. The model and the online store come from the
environment (``MATCH_MODEL_URI``, ``MATCH_ONLINE_STORE``); ``make serve`` sets both from the
last pipeline run.
"""

from __future__ import annotations

import argparse
import os
import sys


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 1-65535")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the match scoring API with uvicorn.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=_port, default=os.environ.get("PORT", "8000"))
    args = parser.parse_args(argv)

    import uvicorn

    from serving.config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    # The app logs every request itself (JSON, with its request id): no second access log.
    uvicorn.run(
        "serving.app:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
