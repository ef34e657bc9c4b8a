"""What every intake route does once a request is authenticated and its body read.

Generic-lead documents (from `POST /leads` directly, or mapped from a platform's payload)
are validated whole — one bad item refuses the request, naming it — normalised, stored in
one transaction (shared with other requests arriving at the same moment, see `writer`), and
answered with one `{id, status}` per lead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.domain.intake import IntakeStatus, LeadInput
from bot.domain.vocabulary import Stage
from bot.runtime import Runtime
from handlers.intake.schemas import LeadBatch, LeadIn
from handlers.intake.writer import IntakeWriter

Parsed = TypeVar("Parsed")
StageParam = Literal["lead", "profiled"] | None
# Far beyond any real lead (custom fields deeper than 5 levels are kept as text anyway), and
# far below the depth at which parsing or echoing the input back in a 422 would recurse out.
MAX_NESTING = 100
# Bodies up to this size (one lead, or a few) are parsed on the event loop (see `prepare`).
SMALL_BODY_BYTES = 4 * 1024


def parse_json(body: bytes) -> Any:
    """The body as JSON, or FastAPI's 422 for a body that is not JSON or nests too deep."""
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
    return document


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


def refuse(loc: tuple, message: str, kind: str = "value_error") -> RequestValidationError:
    """A 422 in FastAPI's shape for one problem."""
    return RequestValidationError([{"type": kind, "loc": loc, "msg": message, "input": None}])


def validate_leads(documents: list[dict], *, batch: bool) -> list[LeadIn]:
    """Each document as a `LeadIn`; 422 naming the first bad item's fields otherwise."""
    if batch:
        items = _validate(LeadBatch, {"leads": documents}, ("body",)).leads
    else:
        items = [_validate(LeadIn, documents[0], ("body",))]
    problems = [
        {
            "type": "missing",
            "loc": ("body", *(("leads", index) if batch else ()), name),
            "msg": message,
            "input": None,
        }
        for index, item in enumerate(items)
        for name, message in item.contact_problems()
    ]
    if problems:
        raise RequestValidationError(problems)
    return items


def lead_inputs(
    runtime: Runtime, items: list[LeadIn], *, platform: str, stage: StageParam
) -> list[LeadInput]:
    """Validated items as normalised leads of `platform`, at the URL's stage if it names one."""
    settings = runtime.settings
    leads: list[LeadInput] = []
    for item in items:
        lead = item.to_input(
            platform=platform,
            timezone=settings.timezone,
            phone_region=settings.default_phone_region,
        )
        if stage is not None:  # the URL says which stage this trigger means
            lead = _with_stage(lead, Stage(stage))
        leads.append(lead)
    return leads


async def prepare(body: bytes, parse: Callable[..., Parsed], *arguments: Any) -> Parsed:
    """`parse(body, *arguments)`: on the event loop for a small body (a few leads take tens
    of microseconds, less than a hop to a thread), in a worker thread for a large one."""
    if len(body) <= SMALL_BODY_BYTES:
        return parse(body, *arguments)
    return await run_in_threadpool(parse, body, *arguments)


async def receive(request: Request, leads: list[LeadInput], *, batch: bool) -> JSONResponse:
    """Store validated leads (committed before the answer); 202 if any was new, else 200."""
    writer: IntakeWriter = request.app.state.intake_writer
    results = await writer.store(leads) if leads else []
    request.app.state.runtime.outbox_bell.ring()
    answers = [{"id": r.id, "status": r.status.value} for r in results]
    status = 202 if any(r.status is IntakeStatus.ACCEPTED for r in results) else 200
    return JSONResponse(status_code=status, content={"results": answers} if batch else answers[0])


def _with_stage(lead: LeadInput, stage: Stage) -> LeadInput:
    return replace(lead, stage=stage)


def _validate(model: type[BaseModel], document: Any, prefix: tuple) -> Any:
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
