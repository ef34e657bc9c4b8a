"""`POST /slack/events`: every Slack request, dispatched to Bolt off the event loop.

Bolt's bundled Starlette adapter calls `app.dispatch` inside the event loop, so one slow
listener would stall every other request (intake and health included). Here dispatch runs in
a worker thread and the loop stays free.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt import App, BoltRequest
from starlette.concurrency import run_in_threadpool


def slack_events_router(bolt_app: App) -> APIRouter:
    router = APIRouter()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        bolt_request = BoltRequest(
            body=body, query=request.url.query, headers=dict(request.headers)
        )
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    return router
