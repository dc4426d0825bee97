"""Publish the repository's prompt to Langfuse as a new version labelled ``production``.

``python -m explain.publish_prompt [--label production]`` (``make langfuse-prompt``) reads
``MATCH_LANGFUSE_HOST`` and the keys (``MATCH_LANGFUSE_PUBLIC_KEY`` / ``MATCH_LANGFUSE_SECRET_KEY``,
or ``MATCH_LANGFUSE_SECRET_ARN``) and creates ``match-explanation`` from
``explain/prompts/match-explanation.json``. The API picks the new version up when its cached
copy expires (``MATCH_LANGFUSE_PROMPT_CACHE_SECONDS``). Edit and test prompt versions in
Langfuse's UI as well; moving the ``production`` label there is what rolls one out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from explain.langfuse_client import LangfuseSetupError, open_langfuse
from explain.prompts import PRODUCTION_LABEL, PROMPT_FILE
from explain.settings import ExplainSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default=PRODUCTION_LABEL, help="label of the new version")
    args = parser.parse_args(argv)
    env = os.environ
    settings = ExplainSettings(
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        langfuse_host=env.get("MATCH_LANGFUSE_HOST", "").strip(),
        langfuse_public_key=env.get("MATCH_LANGFUSE_PUBLIC_KEY", "").strip(),
        langfuse_secret_key=env.get("MATCH_LANGFUSE_SECRET_KEY", "").strip(),
        langfuse_secret_arn=env.get("MATCH_LANGFUSE_SECRET_ARN", "").strip(),
    )
    if not settings.langfuse_configured:
        print(
            "error: set MATCH_LANGFUSE_HOST and the keys (MATCH_LANGFUSE_PUBLIC_KEY and "
            "MATCH_LANGFUSE_SECRET_KEY, or MATCH_LANGFUSE_SECRET_ARN)",
            file=sys.stderr,
        )
        return 2
    document = json.loads(PROMPT_FILE.read_text("utf-8"))
    try:
        handle = open_langfuse(settings)
        created = handle.client.create_prompt(
            name=document["name"],
            type="chat",
            prompt=document["prompt"],
            config=document.get("config"),
            labels=[args.label],
            commit_message=document.get("commitMessage"),
        )
    except LangfuseSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the SDK's API errors, httpx's connection errors
        print(f"error: Langfuse refused or could not be reached ({error})", file=sys.stderr)
        return 1
    labels = ", ".join(created.labels)
    print(f"published {created.name} version {created.version} (labels: {labels})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
