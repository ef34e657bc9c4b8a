"""`POST /marketing-metrics`: the platforms' daily figures (impressions, clicks, leads)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.domain import metrics
from bot.runtime import Runtime
from handlers.intake import guard, pipeline
from storage.types import utcnow

SCHEMA_REF = "#/components/schemas/{model}"

REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"$ref": SCHEMA_REF.format(model="MetricsBatch")},
            "examples": {"a day of two channels": {"value": metrics.EXAMPLE}},
        }
    },
}

DESCRIPTION = """\
Store what the marketing platforms reported per day, channel, source and campaign: up to
500 rows as `{"rows": [...]}`, with `Authorization: Bearer <LEADS_API_TOKEN>`.

- `channel`, `source` and `campaign` take the same values as leads (cleaned the same way),
  so impressions line up with the leads `/funnel` breaks down; `source` and `campaign` are
  optional.
- A row for a day, channel, source and campaign already stored **replaces** its figures:
  send a day again to correct it. The same key twice in one request: the later row counts.
- Answers **200** `{"stored": N}`, the rows stored (a repeated key counts once).
- The request is validated whole: one invalid row answers **422** naming it
  (`["body", "rows", 3, "impressions"]`) and stores nothing; more than 500 rows answers 422.
- **401** without a valid token, **413** over 1 MiB, **503** when the server has no
  `LEADS_API_TOKEN`.
"""


class MetricsStored(BaseModel):
    stored: int = Field(description="Rows stored, each replacing any earlier figures for its key.")


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["intake"])

    @router.post(
        "/marketing-metrics",
        summary="Store the marketing platforms' daily figures",
        description=DESCRIPTION,
        openapi_extra={"requestBody": REQUEST_BODY},
        responses={
            200: {"model": MetricsStored, "description": "Every row stored"},
            401: {"description": "Missing or invalid bearer token"},
            413: {"description": "Body over 1 MiB"},
            422: {"description": "Invalid input; `loc` names the field"},
            503: {"description": "LEADS_API_TOKEN is not configured"},
        },
        status_code=200,
    )
    async def post_marketing_metrics(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        token = runtime.settings.leads_api_token
        guard.require_configured(token, variable="LEADS_API_TOKEN")
        guard.require_bearer(request, token=token)
        body = await guard.read_body(request)
        rows = await pipeline.prepare(body, rows_in)
        stored = await run_in_threadpool(
            metrics.store_figures, runtime.sessions, rows=rows, now=utcnow()
        )
        return JSONResponse(status_code=200, content={"stored": stored})

    return router


def rows_in(body: bytes) -> list[metrics.MetricRow]:
    """The body's rows, validated whole; FastAPI's 422 naming every bad field otherwise."""
    try:
        return metrics.read_batch(pipeline.parse_json(body))
    except metrics.InvalidMetrics as invalid:
        raise RequestValidationError([_error(problem) for problem in invalid.problems]) from None


def _error(problem: metrics.Problem) -> dict[str, Any]:
    error = {
        "type": problem.kind,
        "loc": ("body", *problem.loc),
        "msg": problem.message,
        "input": _json_safe(problem.input),
    }
    if problem.limits:
        error["ctx"] = dict(problem.limits)
    return error


def _json_safe(value: Any) -> Any:
    """The input echoed in a 422 as JSON can carry it: the parser takes `NaN` and `Infinity`,
    which the answer cannot hold, so they are echoed as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def openapi_schemas() -> dict[str, Any]:
    """The request models, for the OpenAPI document's components."""
    batch = metrics.MetricsBatch.model_json_schema(ref_template=SCHEMA_REF)
    definitions = batch.pop("$defs", {})
    return {**definitions, "MetricsBatch": batch}
