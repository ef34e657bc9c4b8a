"""`POST /leads`: the generic JSON door for leads (one object, or `{"leads": [...]}`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.domain.intake import IntakeStatus, store_received_leads
from bot.runtime import Runtime
from handlers.intake import guard
from handlers.intake.schemas import EXAMPLE, BatchResult, LeadBatch, LeadIn, LeadResult
from storage.types import utcnow

PLATFORM = "api"
# Far beyond any real lead (custom fields deeper than 5 levels are kept as text anyway), and
# far below the depth at which parsing or echoing the input back in a 422 would recurse out.
MAX_NESTING = 100
SCHEMA_REF = "#/components/schemas/{model}"

REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": SCHEMA_REF.format(model="LeadIn")},
                    {"$ref": SCHEMA_REF.format(model="LeadBatch")},
                ]
            },
            "examples": {
                "one lead": {"value": EXAMPLE},
                "a batch": {
                    "value": {"leads": [EXAMPLE, {"name": "Mateo Ruiz", "phone": "5512345678"}]}
                },
            },
        }
    },
}

DESCRIPTION = """\
Hand over one lead, or up to 500 as `{"leads": [...]}`, with
`Authorization: Bearer <LEADS_API_TOKEN>`.

- A new lead answers **202** `{"id": …, "status": "accepted"}`; a `profiled` lead is
  stored, then posted to the sales channel.
- The same lead again (same platform and `external_id`, or failing an id, same email) at
  the same or an earlier stage answers **200** `"duplicate"` and changes nothing; moving
  forward (`lead` → `profiled`, or a nurtured or rejected lead handed over again) answers
  **200** `"updated"` and hands it to sales again, its history kept.
- A batch is validated whole: one invalid item answers **422** naming it
  (`["body", "leads", 3, "email"]`) and stores nothing; otherwise one result per item, in
  order, under `results` (202 if any item is new, else 200).
- **401** without a valid token, **413** over 1 MiB, **503** when the server has no
  `LEADS_API_TOKEN`.
"""


def intake_router() -> APIRouter:
    router = APIRouter(tags=["intake"])

    @router.post(
        "/leads",
        summary="Hand leads over to sales",
        description=DESCRIPTION,
        openapi_extra={"requestBody": REQUEST_BODY},
        responses={
            202: {"model": LeadResult | BatchResult, "description": "At least one new lead"},
            200: {"model": LeadResult | BatchResult, "description": "Duplicates or updates"},
            401: {"description": "Missing or invalid bearer token"},
            413: {"description": "Body over 1 MiB"},
            422: {"description": "Invalid input; `loc` names the field"},
            503: {"description": "LEADS_API_TOKEN is not configured"},
        },
        status_code=202,
    )
    async def post_leads(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        token = runtime.settings.leads_api_token
        guard.require_configured(token, variable="LEADS_API_TOKEN")
        guard.require_bearer(request, token=token)
        body = await guard.read_body(request)
        return await run_in_threadpool(_receive, runtime, body)

    return router


def openapi_schemas() -> dict[str, Any]:
    """The request models, for the OpenAPI document's components."""
    batch = LeadBatch.model_json_schema(ref_template=SCHEMA_REF)
    definitions = batch.pop("$defs", {})
    return {**definitions, "LeadBatch": batch}


def _receive(runtime: Runtime, body: bytes) -> JSONResponse:
    items, batch = parse_leads(body)
    settings = runtime.settings
    leads = [
        item.to_input(
            platform=PLATFORM,
            timezone=settings.timezone,
            phone_region=settings.default_phone_region,
        )
        for item in items
    ]
    results = store_received_leads(runtime.sessions, leads=leads, now=utcnow())
    answers = [{"id": r.id, "status": r.status.value} for r in results]
    status = 202 if any(r.status is IntakeStatus.ACCEPTED for r in results) else 200
    return JSONResponse(status_code=status, content={"results": answers} if batch else answers[0])


def parse_leads(body: bytes) -> tuple[list[LeadIn], bool]:
    """The leads in a request body, and whether it was a batch; 422 naming what is wrong."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error",
              "input": {}, "ctx": {"error": str(error)}}]
        ) from None  # fmt: skip
    if _nesting(document) > MAX_NESTING:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "input": {},
              "msg": f"JSON nested more than {MAX_NESTING} levels deep"}]
        )  # fmt: skip
    if isinstance(document, dict) and isinstance(document.get("leads"), list):
        items = _validate(LeadBatch, document, ("body",)).leads
        prefix: tuple = ("body", "leads")
        batch = True
    elif isinstance(document, dict):
        items = [_validate(LeadIn, document, ("body",))]
        prefix, batch = ("body",), False
    else:
        raise RequestValidationError(
            [{"type": "model_type", "loc": ("body",), "input": document,
              "msg": 'Input should be a lead object or {"leads": [...]}'}]
        )  # fmt: skip
    problems = [
        {"type": "missing", "loc": (*prefix, *([index] if batch else []), name), "msg": message}
        for index, item in enumerate(items)
        for name, message in item.contact_problems()
    ]
    if problems:
        raise RequestValidationError(problems)
    return items, batch


def _nesting(document: Any) -> int:
    """How deeply arrays and objects nest, counted without recursion (stops past the limit)."""
    deepest, pending = 0, [(document, 1)]
    while pending and deepest <= MAX_NESTING:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _validate(model: type[BaseModel], document: dict, prefix: tuple) -> Any:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise RequestValidationError(
            [
                {**e, "loc": (*prefix, *e["loc"]), "ctx": _plain(e.get("ctx"))}
                for e in error.errors(include_url=False)
            ]
        ) from None


def _plain(ctx: dict | None) -> dict | None:
    """Error contexts carry exception objects; the answer needs plain values."""
    return {key: str(value) for key, value in ctx.items()} if ctx else None
