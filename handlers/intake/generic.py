"""`POST /leads`: the generic JSON door for leads (one object, or `{"leads": [...]}`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from bot.domain.intake import LeadInput
from bot.runtime import Runtime
from handlers.intake import guard, pipeline
from handlers.intake.schemas import EXAMPLE, BatchResult, LeadBatch, LeadResult

PLATFORM = "api"
STAGE_QUERY = Query(
    None,
    description="Force the stage of every lead in the request (for a trigger that only "
    "fires for qualified leads, say).",
)
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
    async def post_leads(
        request: Request, stage: pipeline.StageParam = STAGE_QUERY
    ) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        token = runtime.settings.leads_api_token
        guard.require_configured(token, variable="LEADS_API_TOKEN")
        guard.require_bearer(request, token=token)
        body = await guard.read_body(request)
        leads, batch = await pipeline.prepare(body, _leads_in, runtime, stage)
        return await pipeline.receive(request, leads, batch=batch)

    return router


def openapi_schemas() -> dict[str, Any]:
    """The request models, for the OpenAPI document's components."""
    batch = LeadBatch.model_json_schema(ref_template=SCHEMA_REF)
    definitions = batch.pop("$defs", {})
    return {**definitions, "LeadBatch": batch}


def _leads_in(
    body: bytes, runtime: Runtime, stage: pipeline.StageParam
) -> tuple[list[LeadInput], bool]:
    documents, batch = parse_leads(body)
    items = pipeline.validate_leads(documents, batch=batch)
    return pipeline.lead_inputs(runtime, items, platform=PLATFORM, stage=stage), batch


def parse_leads(body: bytes) -> tuple[list[dict], bool]:
    """The lead documents in a request body, and whether it was a batch."""
    document = pipeline.parse_json(body)
    if isinstance(document, dict) and isinstance(document.get("leads"), list):
        return document["leads"], True
    if isinstance(document, dict):
        return [document], False
    raise pipeline.refuse(
        ("body",), 'Input should be a lead object or {"leads": [...]}', "model_type"
    )
