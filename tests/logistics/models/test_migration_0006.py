"""Migration 0006 keeps the dispatch-note lists: one kind and a quantity per line before,
originals and copies after (and back, keeping the originals of a mixed line)."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import Session

from logistics import migrate
from logistics.models import DossierDocument
from tests.logistics.handovers.handover_factories import build_handover_world, dossier_to_agency


def test_document_counts_survive_a_downgrade_and_an_upgrade(fresh_database_url: str):
    """(1 original), (3 copies) round-trip exactly; a line with both keeps its originals on the way down."""
    engine = create_engine(fresh_database_url)
    with Session(engine) as session:
        hw = build_handover_world(session)
        dossier_id = dossier_to_agency(session, hw).dossier_id
        session.exec(text("DELETE FROM dossier_document"))
        session.add_all([
            DossierDocument(dossier_id=dossier_id, seq=1, name="Tờ khai", originals=1),
            DossierDocument(dossier_id=dossier_id, seq=2, name="CCCD", copies=3),
            DossierDocument(dossier_id=dossier_id, seq=3, name="Giấy khai sinh", originals=2, copies=1),
        ])
        session.commit()
    engine.dispose()

    # Just before 0006, wherever the merge puts it in the chain.
    before = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0006").down_revision
    migrate.downgrade(fresh_database_url, revision=before)
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, original, quantity FROM dossier_document ORDER BY seq")).all()
    engine.dispose()
    assert [(name, bool(original), quantity) for name, original, quantity in rows] == [
        ("Tờ khai", True, 1), ("CCCD", False, 3), ("Giấy khai sinh", True, 2)]

    migrate.upgrade(fresh_database_url)
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, originals, copies FROM dossier_document ORDER BY seq")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("Tờ khai", 1, 0), ("CCCD", 0, 3), ("Giấy khai sinh", 2, 0)]
