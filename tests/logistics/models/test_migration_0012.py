"""Migration 0012 makes room for scan SMS drafts (no body or phone until sent); going back
keeps every row, the drafts failed for good with the reason."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlmodel import Session

from logistics import migrate
from logistics.models.enums import ItemStatus, NotificationTrigger
from logistics.notify import service
from tests.logistics.notify.notify_factories import make_item, make_place


def test_drafts_survive_a_downgrade_as_failed_rows(fresh_database_url: str):
    engine = create_engine(fresh_database_url)
    with Session(engine) as session:
        place = make_place(session)
        rendered = service.result_ready(session, item_id=make_item(session, place, status=ItemStatus.CREATED).id)
        draft = make_item(session, place)
        session.exec(text("INSERT INTO notification (item_id, \"trigger\", attempt, channel, language, encoding, segments, "
                          "status, tries, created_at, updated_at) VALUES (:item, :trigger, 1, 'sms', 'vi', 'gsm7', 1, "
                          "'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                     params={"item": draft.id, "trigger": NotificationTrigger.DELIVERED.value})
        session.commit()
        rendered_id = rendered.id
    engine.dispose()

    migrate.downgrade(fresh_database_url, revision="0011")
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status, error_code, body = '' FROM notification ORDER BY id")).all()
    engine.dispose()
    assert [(status, code, empty) for row_id, status, code, empty in rows if row_id != rendered_id] == [
        ("failed", "not_rendered", True)]
    assert [status in ("pending", "held") for row_id, status, _, _ in rows if row_id == rendered_id] == [True]  # by the hour

    migrate.upgrade(fresh_database_url)
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notification WHERE scan_event_id IS NULL")).scalar() == 2
    engine.dispose()
