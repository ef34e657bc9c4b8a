"""What every intake request passes before its body is used.

Order matters: a route whose credential is not configured answers 503; the credential in
the headers or URL is checked (401) before a byte of the body is read; the body is read
only up to 1 MiB (413), whether or not the client announced its length.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

MAX_BODY_BYTES = 1024 * 1024


def require_configured(credential: str, *, variable: str) -> None:
    """503 when the server was started without this route's credential."""
    if not credential:
        raise HTTPException(
            status_code=503,
            detail=f"This intake route is not configured on the server: {variable} is not set.",
        )


def require_bearer(request: Request, *, token: str) -> None:
    """401 unless the request carries `Authorization: Bearer <token>`."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPException(
            status_code=401,
            detail="Missing bearer token: send 'Authorization: Bearer <LEADS_API_TOKEN>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(
            status_code=401,
            detail="The bearer token is not valid.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit`."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413, detail=f"The request body is larger than {limit // 1024} KiB."
    )
