"""Marketing platforms' own webhooks: RD Station Marketing and HubSpot workflows.

Each route authenticates the platform's way, maps the payload with the platform's pure
mapping (`bot.domain.platforms`), then goes through the same pipeline as `POST /leads`.
Platform routes always answer `{"results": [...]}`: one payload may carry several leads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from bot.domain.intake import LeadInput
from bot.domain.platforms.hubspot import leads_from_hubspot
from bot.domain.platforms.rdstation import leads_from_rdstation
from bot.runtime import Runtime
from handlers.intake import guard, pipeline
from handlers.intake.generic import STAGE_QUERY

Mapping = Callable[[object], list[dict]]

RESPONSES = {
    202: {"description": "At least one new lead"},
    200: {"description": "Duplicates or updates only"},
    401: {"description": "The platform's credential is missing or wrong"},
    413: {"description": "Body over 1 MiB"},
    422: {"description": "Not the platform's payload, or a lead that cannot be stored"},
    503: {"description": "This platform's credential is not configured on the server"},
}


def platform_router() -> APIRouter:
    router = APIRouter(tags=["intake"])

    @router.post(
        "/leads/rdstation",
        summary="RD Station Marketing webhook",
        description='Both payload forms RD Station sends (`{"leads": [...]}` and one '
        "event per contact). RD Station does not sign webhooks: put the secret "
        "`RDSTATION_WEBHOOK_TOKEN` in the URL as `?token=…`.",
        responses=RESPONSES,
        status_code=202,
    )
    async def rdstation(
        request: Request,
        token: str | None = Query(None, description="RDSTATION_WEBHOOK_TOKEN"),
        stage: pipeline.StageParam = STAGE_QUERY,
    ) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        expected = runtime.settings.rdstation_webhook_token
        guard.require_configured(expected, variable="RDSTATION_WEBHOOK_TOKEN")
        guard.require_url_token(token, expected=expected)
        body = await guard.read_body(request)
        leads = await pipeline.prepare(
            body, _leads_in, runtime, leads_from_rdstation, "rdstation", stage
        )
        return await pipeline.receive(request, leads, batch=True)

    @router.post(
        "/leads/hubspot",
        summary="HubSpot workflow webhook",
        description="The classic contact body or a customised flat one, signed with "
        "HubSpot's v3 signature (`HUBSPOT_CLIENT_SECRET`) or carrying "
        "`X-API-Key: HUBSPOT_API_KEY`.",
        responses=RESPONSES,
        status_code=202,
    )
    async def hubspot(request: Request, stage: pipeline.StageParam = STAGE_QUERY) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        settings = runtime.settings
        secret, api_key = settings.hubspot_client_secret, settings.hubspot_api_key
        guard.require_configured(
            secret or api_key, variable="HUBSPOT_CLIENT_SECRET or HUBSPOT_API_KEY"
        )
        signature = request.headers.get("x-hubspot-signature-v3")
        if signature and secret:
            timestamp = request.headers.get("x-hubspot-request-timestamp", "")
            guard.require_fresh_hubspot_timestamp(timestamp, now_ms=int(time.time() * 1000))
            body = await guard.read_body(request)
            guard.require_hubspot_signature(
                signature,
                secret=secret,
                method=request.method,
                uri=_signed_uri(request, settings.public_url),
                body=body,
                timestamp=timestamp,
            )
        elif request.headers.get("x-api-key") is not None:
            guard.require_api_key(request.headers["x-api-key"], expected=api_key)
            body = await guard.read_body(request)
        else:
            raise HTTPException(
                status_code=401,
                detail="Send HubSpot's X-HubSpot-Signature-v3 or an X-API-Key header.",
            )
        leads = await pipeline.prepare(
            body, _leads_in, runtime, leads_from_hubspot, "hubspot", stage
        )
        return await pipeline.receive(request, leads, batch=True)

    return router


def _signed_uri(request: Request, public_url: str) -> str:
    """The URL HubSpot called: behind a proxy, the public base URL with this path and query."""
    if not public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{public_url.rstrip('/')}{request.url.path}{query}"


def _leads_in(
    body: bytes, runtime: Runtime, mapping: Mapping, platform: str, stage: pipeline.StageParam
) -> list[LeadInput]:
    document = pipeline.parse_json(body)
    try:
        documents = mapping(document)
    except ValueError as error:
        raise pipeline.refuse(("body",), str(error)) from None
    if not documents:
        return []
    items = pipeline.validate_leads(documents, batch=True)
    return pipeline.lead_inputs(runtime, items, platform=platform, stage=stage)
