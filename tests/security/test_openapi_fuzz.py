"""schemathesis over the whole OpenAPI document, in process: the application on a seeded
database (SQLite and PostgreSQL), called as an admin and as nobody, with valid and
invalid generated requests. No answer may be a server error, and every answer must be
documented: its status, its content type and its body's schema.

Deterministic (``derandomize``) and small (``MAX_EXAMPLES`` per operation and mode), so
that CI runs it in well under a minute per backend; raise ``FUZZ_EXAMPLES`` locally to
search harder.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)
from sqlmodel import Session

from support.sessions import serve_from
from tests.logistics.tracking.scan_world import build_scan_world
from web.app import create_app

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:  # noqa: ANN001
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["admin", "anonymous"])
def test_whole_api(session: Session, caller: str):
    world = build_scan_world(session).world
    app = serve_from(create_app(), session)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"} if caller == "admin" else {}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in MODES:
            try:
                _fuzz(operation, mode, headers)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing in it to make invalid
            except BaseException as exc:  # noqa: BLE001 - every failing operation is reported, not the first
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {str(exc)[:1500]}")
    assert operations >= 50, operations
    assert failures == [], "\n\n".join(failures)
