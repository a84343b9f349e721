"""A body a route validates itself (``api_core.raw_body``) is refused as FastAPI refuses a
declared one, and stays in the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from api_core.errors import install_error_handlers
from api_core.raw_body import documented_body, parse_json_body


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Inner]


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/raw", openapi_extra=documented_body(Outer))
    async def raw(request: Request) -> dict:
        body = parse_json_body(Outer, await request.body(), request.headers.get("content-type"))
        return {"total": sum(i.n for i in body.items)}

    @app.post("/declared")
    def declared(body: Outer) -> dict:
        return {"total": sum(i.n for i in body.items)}

    return app


@pytest.mark.parametrize("content, content_type", [
    (b"", "application/json"),
    (b'{"items": [', "application/json"),
    (b'{"items": [{"n": "x"}]}', "application/json"),
    (b'{"items": [{"n": 1, "extra": 2}]}', "application/json"),
    (b'[1, 2]', "application/json"),
    (b'{"items": []}', "text/plain"),
    (b'{"items": [{"n": 1}]}', "application/vnd.api+json; charset=utf-8"),
])
def test_answers_as_a_declared_body(content, content_type):
    client = TestClient(_app())
    answers = [client.post(path, content=content, headers={"Content-Type": content_type}) for path in ("/raw", "/declared")]
    raw, declared = ([a.status_code, a.json()] for a in answers)
    assert raw[0] == declared[0]
    if raw[0] == 422:
        assert raw[1]["error"] == declared[1]["error"]
        assert [f["code"] for f in raw[1]["fields"]] == [f["code"] for f in declared[1]["fields"]]
        if raw[1]["error"] != "invalid_json":  # FastAPI adds the character's position
            assert [f["loc"] for f in raw[1]["fields"]] == [f["loc"] for f in declared[1]["fields"]]
    else:
        assert raw == declared


def test_the_body_is_documented():
    document = _app().openapi()
    from api_core.raw_body import add_body_schemas

    add_body_schemas(document)
    body = document["paths"]["/raw"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Outer"}
    assert {"Outer", "Inner"} <= set(document["components"]["schemas"])
