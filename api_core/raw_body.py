"""A JSON body that a route validates itself, in the worker thread that does its work.

FastAPI reads and validates a declared body before the route runs, after its
dependencies: a route whose credential is checked in its own worker thread (to save a
thread hop, ``mobile_api.scans``) would then answer 422 before 401 or 403. Such a route
takes the raw body instead and calls :func:`parse_json_body` after its checks; the
errors are FastAPI's (``RequestValidationError``, ``body`` first in each location), so
clients see the same 422. :func:`documented_body` keeps the body in the OpenAPI
document.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_DOCUMENTED: dict[str, type[BaseModel]] = {}


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The route's ``openapi_extra``: a required JSON body of ``model``, whose schema
    :func:`add_body_schemas` files among the document's."""
    _DOCUMENTED[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def add_body_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """File the schemas of the documented bodies (and the models they use) in
    ``document`` (in place; returned); a schema FastAPI filed already is kept."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, model in _DOCUMENTED.items():
        if name in schemas:
            continue
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for inner, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(inner, definition)
        schemas[name] = schema
    return document


def parse_json_body(model: type[M], raw: bytes, content_type: str | None) -> M:
    """``raw`` as a ``model``, or the ``RequestValidationError`` FastAPI raises for a
    declared body: a missing body, a body that is not JSON (by its content type or its
    text), or one the model refuses."""
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    json_body = _is_json(content_type)
    try:
        if json_body:
            return model.model_validate_json(raw)  # in one pass, no Python dict on the way
        return model.model_validate(raw, from_attributes=True)  # FastAPI validates the bytes: refused
    except ValidationError as error:
        errors = error.errors(include_url=False)
    if json_body and not any(e["type"] == "json_invalid" for e in errors):
        errors = _as_fastapi_words(model, raw) or errors
    raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])


def _as_fastapi_words(model: type[BaseModel], raw: bytes) -> list[Any]:
    """The errors FastAPI gives for this refused JSON body: it validates the decoded
    value, from attributes, and some types are named otherwise (an array where an
    object belongs is ``model_attributes_type``, not ``model_type``)."""
    try:
        model.model_validate(json.loads(raw), from_attributes=True)
    except ValidationError as error:
        return error.errors(include_url=False)
    except ValueError:
        return []
    return []


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    main, _, sub = media.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))
