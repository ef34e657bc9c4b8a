"""What every intake request passes before its body is used.

Order matters: a route whose credential is not configured answers 503; the credential in
the headers or URL is checked (401) before a byte of the body is read; the body is read
only up to 1 MiB (413), whether or not the client announced its length.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import HTTPException, Request

from bot.domain.numbers import is_ascii_number

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
    if is_ascii_number(announced) and int(announced) > limit:
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


def require_url_token(given: str | None, *, expected: str) -> None:
    """401 unless the URL's `?token=` matches (compared in constant time)."""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="The URL token is missing or not valid.")


def require_api_key(given: str, *, expected: str) -> None:
    """401 unless the `X-API-Key` header matches."""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="The API key is not valid.")


HUBSPOT_MAX_AGE_MS = 5 * 60 * 1000
# HubSpot signs the URI with these escapes decoded (its documentation lists them).
_HUBSPOT_DECODED = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip


def require_fresh_hubspot_timestamp(timestamp: str, *, now_ms: int) -> None:
    """401 for a missing, malformed or stale `X-HubSpot-Request-Timestamp` (milliseconds)."""
    if not is_ascii_number(timestamp):
        raise HTTPException(status_code=401, detail="X-HubSpot-Request-Timestamp is missing.")
    if abs(now_ms - int(timestamp)) > HUBSPOT_MAX_AGE_MS:
        raise HTTPException(status_code=401, detail="The HubSpot request is older than 5 minutes.")


def hubspot_signature(secret: str, *, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """HubSpot's v3 signature: base64 HMAC-SHA256 of method + URI + body + timestamp."""
    for escaped, plain in _HUBSPOT_DECODED.items():
        uri = uri.replace(escaped, plain).replace(escaped.lower(), plain)
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def require_hubspot_signature(
    signature: str, *, secret: str, method: str, uri: str, body: bytes, timestamp: str
) -> None:
    """401 unless `X-HubSpot-Signature-v3` is HubSpot's signature of this request."""
    expected = hubspot_signature(secret, method=method, uri=uri, body=body, timestamp=timestamp)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="The HubSpot signature is not valid.")
