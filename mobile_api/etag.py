"""Conditional GETs: a strong ETag over the response bytes; 304 when the phone has them."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from pydantic import BaseModel


def etag_response(request: Request, body: BaseModel) -> Response:
    """``body`` as JSON with its ETag, or an empty 304 when If-None-Match names it."""
    content = body.model_dump_json().encode()
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    wanted = request.headers.get("if-none-match", "")
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(content=content, media_type="application/json", headers=headers)
