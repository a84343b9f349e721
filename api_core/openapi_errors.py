"""Every operation of the OpenAPI document lists the errors it can answer, in the one
error shape (``errors.ErrorBody``), so that clients and schemathesis know them:

- 401 and 403 where the operation needs a credential (it declares ``security``);
- 404 where the path names something (a path parameter);
- 409 where the request writes (POST, PUT, PATCH, DELETE): two requests racing for
  one key, or a state that no longer allows the change;
- 422 where there is anything to validate; 400, 413 and 415 where there is a body;
- 429 everywhere (a limiter of ours or of the proxy in front), 500 and 503 everywhere;
- an HTML page's 404 may be a page too.

A route's own ``responses=`` entries (with their own descriptions) are kept; FastAPI's
default 422 (``HTTPValidationError``, a shape this API never answers) is replaced.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api_core.errors import ErrorBody, http_error_sentence
from api_core.raw_body import add_body_schemas

_WRITES = frozenset({"post", "put", "patch", "delete"})
_REF = "#/components/schemas/ErrorBody"


def statuses_for(method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {429, 500, 503}
    parameters = operation.get("parameters") or []
    has_body = "requestBody" in operation
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if method in _WRITES:
        statuses.add(409)
    if parameters or has_body:
        statuses.add(422)
    if has_body:
        statuses |= {400, 413, 415}
    return statuses


def add_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses to every operation of ``schema`` (in place; returned)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in components:
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components["ErrorBody"] = body
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            default_422 = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if default_422.get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]  # FastAPI's own shape; ours is ErrorBody with "fields"
            for response in responses.values():
                _errors_are_json(response.get("content") or {})
            page = "text/html" in responses.get("200", {}).get("content", {})
            for status in sorted(statuses_for(method, operation)):
                content: dict[str, Any] = {"application/json": {"schema": {"$ref": _REF}}}
                if page and status == 404:
                    content["text/html"] = {"schema": {"type": "string"}}  # a page says "not found" as a page
                responses.setdefault(str(status), {"description": http_error_sentence(status), "content": content})
    return schema


def _errors_are_json(content: dict[str, Any]) -> None:
    """FastAPI files a route's ``responses={status: {"model": ErrorBody}}`` under the
    route's media type (text/html for a page); the error itself is always JSON."""
    for media_type in [m for m in content if m != "application/json"]:
        if content[media_type].get("schema", {}).get("$ref") == _REF:
            content.setdefault("application/json", content.pop(media_type))


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the error responses added."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # build() caches its document there
            app.openapi_schema = add_error_responses(add_body_schemas(build()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
