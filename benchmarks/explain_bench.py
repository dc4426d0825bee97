"""``POST /v1/explain`` latency for the serving benchmark, in-process (the ASGI app called
directly), beside ``POST /v1/score`` on the same bodies:

- ``template``: no LLM configured (the local default);
- ``stubbed Bedrock``: the Bedrock backend with a real ``bedrock-runtime`` client whose calls
  botocore's Stubber answers (request serialisation and validation, response parsing, the
  answer's validation and grounding; no network, no model time);
- ``stubbed Bedrock + Langfuse``: the same, with the prompt from and every generation traced
  to the loopback fake Langfuse of the tests, flushed before each response as on Lambda.

A real model adds its own latency (hundreds of milliseconds to seconds) on top of these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCENARIOS = ("template", "stubbed Bedrock", "stubbed Bedrock + Langfuse")
MODEL_ID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


@dataclass
class ExplainFigures:
    scenario: str
    latency: Any  # benchmarks.scoring_api.figures.Latency
    score_p50_ms: float  # POST /v1/score on the same bodies, same harness
    generator: str
    fallback_reason: str | None


def _explain_bodies(score_bodies: Sequence[bytes]) -> list[bytes]:
    return [
        json.dumps(json.loads(b) | {"top": 5}, ensure_ascii=False).encode() for b in score_bodies
    ]


def _grounded(contributions: list[dict]) -> dict[str, Any]:
    return {
        "explanation": "Os fatores de maior peso foram avaliados; veja a direção de cada um.",
        "cited_factors": [
            {
                "feature": c["feature"],
                "direction": "favorece" if c["contribution"] > 0 else "desfavorece",
            }
            for c in contributions
            if c["contribution"] != 0
        ],
    }


@contextmanager
def _explainer(scenario: str, answers: Iterator[dict], calls: int) -> Iterator[Any]:
    """The explainer of a scenario, its Stubber holding ``calls`` grounded answers."""
    from botocore.stub import Stubber

    from explain import ExplainSettings, build_explainer
    from explain.bedrock import BedrockBackend
    from tests.explain.stubs import converse_response, langfuse_keys, runtime_client

    if scenario == "template":
        yield build_explainer(ExplainSettings())
        return
    with ExitStack() as stack:
        settings = ExplainSettings(backend="bedrock", model_id=MODEL_ID)
        if scenario.endswith("Langfuse"):
            from explain.prompts import PROMPT_NAME, load_fallback_prompt
            from tests.explain.fake_langfuse import running_fake_langfuse

            fake = stack.enter_context(running_fake_langfuse(*langfuse_keys()))
            prompt = load_fallback_prompt()
            fake.add_prompt(PROMPT_NAME, list(prompt.messages), config=dict(prompt.config))
            settings = ExplainSettings(
                backend="bedrock",
                model_id=MODEL_ID,
                langfuse_host=fake.url,
                langfuse_public_key=fake.public_key,
                langfuse_secret_key=fake.secret_key,
            )
        client = runtime_client("bedrock-runtime")
        stubber = stack.enter_context(Stubber(client))
        for _ in range(calls):
            stubber.add_response("converse", converse_response(next(answers)))
        yield build_explainer(settings, backend=BedrockBackend(client, MODEL_ID))


def bench_explain(
    model_dir: Path,
    score_bodies: Sequence[bytes],
    iterations: int,
    client_class: Callable[[Any], Any],
    timed_calls: Callable[..., Any],
) -> list[ExplainFigures]:
    """Each scenario's latency over ``iterations`` calls (20 warm-up calls first)."""
    import itertools

    from starlette.testclient import TestClient

    from serving.app import create_app
    from serving.config import ServingConfig

    warmup = 20
    config = ServingConfig(model_uri=str(model_dir))
    bodies = _explain_bodies(score_bodies)
    app = create_app(config)
    reader = TestClient(app)
    contributions = [_post(reader, "/v1/score", body)["contributions"] for body in bodies]
    with client_class(app) as scorer:
        score = timed_calls(
            _caller(scorer, "/v1/score", itertools.cycle(bodies)), iterations, warmup, "score"
        )
    figures = []
    for scenario in SCENARIOS:
        # the answers follow the bodies' order: each one is grounded in its body's factors
        answers = itertools.cycle([_grounded(c) for c in contributions])
        with _explainer(scenario, answers, warmup + iterations + 1) as explainer:
            app = create_app(config, explainer=explainer)
            with client_class(app) as client:
                latency = timed_calls(
                    _caller(client, "/v1/explain", itertools.cycle(bodies)),
                    iterations,
                    warmup,
                    f"explain ({scenario})",
                )
            following = bodies[(warmup + iterations) % len(bodies)]
            last = _post(TestClient(app), "/v1/explain", following)
        figures.append(
            ExplainFigures(
                scenario, latency, score.p50_ms, last["generator"], last["fallback_reason"]
            )
        )
    return figures


def _post(client: Any, path: str, body: bytes) -> dict[str, Any]:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    return response.json()


def _caller(client: Any, path: str, bodies: Iterator[bytes]) -> Callable[[], int]:
    headers = {"content-type": "application/json"}
    return lambda: client.post(path, content=next(bodies), headers=headers).status_code


def print_explain(figures: Sequence[ExplainFigures], render_table: Callable[..., str]) -> None:
    if not figures:
        return
    print("\n5. POST /v1/explain, in-process (ASGI), beside POST /v1/score on the same bodies")
    rows = [
        [
            f.scenario,
            str(f.latency.n),
            f"{f.latency.mean_ms:.2f}",
            f"{f.latency.p50_ms:.2f}",
            f"{f.latency.p99_ms:.2f}",
            f"{f.latency.max_ms:.2f}",
            f"{f.latency.p50_ms / f.score_p50_ms:.1f}" if f.score_p50_ms else "-",
            f.generator + (f" ({f.fallback_reason})" if f.fallback_reason else ""),
        ]
        for f in figures
    ]
    headers = ["scenario", "n", "mean", "p50", "p99", "max", "x score p50", "generator"]
    print(render_table(headers, rows, "lrrrrrrl"))
    print(
        f"  score p50 on the same bodies: {figures[0].score_p50_ms:.2f} ms; stubbed = botocore's "
        "Stubber answers Converse (no network, no model time): a real model adds its own latency"
    )
