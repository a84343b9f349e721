"""The import endpoint: a multipart upload, 200 with the per-row report when written,
422 ``import_refused`` with the report and nothing changed when rows are refused."""

from __future__ import annotations

from logistics.models.enums import Role
from tests.logistics.imports.import_files import as_csv, as_xlsx, good_rows, row
from tests.web.factories import row_counts


def _post(client, world, content: bytes, name: str = "hs.csv", user=None, **params):
    return client.post("/api/v1/imports/dossiers", params=params, files={"file": (name, content)},
                       headers=world.headers(user or world.admin))


def test_import_then_reimport(client, session, world):
    first = _post(client, world, as_xlsx(good_rows()), "hs.xlsx")
    assert first.status_code == 200 and first.json()["counts"]["created"] == 3 and first.json()["written"]
    before = row_counts(session)
    again = _post(client, world, as_csv(good_rows()))
    assert again.status_code == 200 and again.json()["counts"]["unchanged"] == 3
    assert row_counts(session) == before


def test_refused_rows_change_nothing(client, session, world):
    before = row_counts(session)
    rows = [row(1), row(2, applicant_commune_code="99999"), row(1)]
    response = _post(client, world, as_csv(rows), user=world.a.users[Role.DISPATCHER])
    body = response.json()
    assert response.status_code == 422 and body["error"] == "import_refused" and "nothing was written" in body["detail"]
    assert [(r["line"], r["status"]) for r in body["rows"]] == [(2, "valid"), (3, "error"), (4, "error")]
    assert body["rows"][1]["errors"][0]["code"] == "unknown_commune"
    assert body["rows"][2]["errors"][0]["code"] == "duplicate_row"
    assert row_counts(session) == before
    partial = _post(client, world, as_csv(rows), mode="valid_only")
    assert partial.status_code == 200 and partial.json()["counts"] == {"created": 1, "unchanged": 0, "valid": 0, "error": 2}


def test_bad_file_and_roles(client, world):
    bad = _post(client, world, b"dossier_code\nX\n")
    assert bad.status_code == 422 and bad.json()["error"] == "import_bad_header"
    clerk = _post(client, world, as_csv(good_rows()), user=world.a.users[Role.COUNTER_CLERK])
    assert clerk.status_code == 403
    template = client.get("/api/v1/imports/template.csv")
    assert template.text.startswith("dossier_code,procedure_code")
