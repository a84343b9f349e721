"""Handover records as services: open, scan, discrepancies, confirm by code, immutability, amend."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from logistics.exceptions import Conflict, NotFound
from logistics.handovers import confirmation, integrity, records
from logistics.handovers.immutability import RecordImmutable
from logistics.models import Handover, HandoverLine, ScanEvent
from logistics.models.enums import (
    ConfirmationMethod, HandoverKind, HandoverStatus, HolderKind, ItemStatus, LineOutcome, ScanCode, ScanOutcome,
)
from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_to_agency, result_at_agency,
)


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


def _open(session: Session, hw: HandoverWorld, kind: HandoverKind = HandoverKind.TO_AGENCY) -> Handover:
    code = hw.world.a.agency.code if kind in (HandoverKind.TO_AGENCY, HandoverKind.FROM_AGENCY) else hw.world.a.counter.code
    return records.open_handover(session, actor=hw.postman_user, kind=kind, place_code=code)


def test_open_and_scan_copies_document_counts_and_fee(session: Session, hw: HandoverWorld):
    """A scanned line carries the dossier's originals and copies and the item's recorded fee."""
    item = dossier_to_agency(session, hw, fee_vnd=50_000)
    h = _open(session, hw)
    line = records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    assert (line.originals, line.copies, line.fee_vnd) == (2, 1, 50_000)
    assert h.status is HandoverStatus.OPEN and h.code.startswith("BG-")


def test_scan_refuses_items_of_another_place_or_off_route(session: Session, hw: HandoverWorld):
    """Only items whose leg ends at the place and that ride on the postman's route go on."""
    h = _open(session, hw)
    result = result_at_agency(session, hw)  # leaves the agency: not for a to_agency record
    with pytest.raises(Conflict) as err:
        records.add_item(session, actor=hw.postman_user, handover=h, s10=result.s10)
    assert err.value.code == "item_not_for_this_place"
    off = dossier_to_agency(session, hw, on_route=False)
    with pytest.raises(Conflict) as err:
        records.add_item(session, actor=hw.postman_user, handover=h, s10=off.s10)
    assert err.value.code == "item_not_assigned"
    with pytest.raises(NotFound):
        records.add_item(session, actor=hw.postman_user, handover=h, s10="EB000000000VN")


def test_confirm_by_code_moves_accepted_items_and_seals_the_record(session: Session, hw: HandoverWorld):
    """Confirmation hands the accepted items to the agency through tracking scans; missing ones stay."""
    a, b = dossier_to_agency(session, hw, fee_vnd=30_000), dossier_to_agency(session, hw, fee_vnd=20_000)
    h = _open(session, hw)
    for item in (a, b):
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    records.record_discrepancy(session, actor=hw.clerk_a, handover=h,
                               change=records.Discrepancy(b.s10, LineOutcome.MISSING, "không thấy"))
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=30_000)
    assert h.status is HandoverStatus.CONFIRMED and h.method is ConfirmationMethod.OTP
    assert h.fees_expected_vnd == 30_000 and h.fees_handed_vnd == 30_000 and h.fees_note is None
    assert a.status is ItemStatus.HANDED_OVER and (a.holder_kind, a.holder_ref_id) == (HolderKind.AGENCY, hw.world.a.agency.id)
    assert b.status is ItemStatus.ACCEPTED
    scan = session.execute(select(ScanEvent).where(ScanEvent.item_id == a.id)).scalars().one()
    assert (scan.code, scan.outcome, scan.handover_id) == (ScanCode.HANDED_OVER, ScanOutcome.APPLIED, h.id)
    assert h.record_sha256 == integrity.record_hash(session, h)
    assert integrity.verify(session, code=h.code, given_hash=h.record_sha256).genuine


def test_fee_difference_is_reported(session: Session, hw: HandoverWorld):
    """Less money than recorded is confirmed with the difference written on the record."""
    item = dossier_to_agency(session, hw, fee_vnd=100_000)
    h = _open(session, hw)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=90_000)
    assert (h.fees_expected_vnd, h.fees_handed_vnd) == (100_000, 90_000)
    assert h.fees_note == "Chênh lệch -10.000 đồng"


def test_confirmed_record_is_immutable(session: Session, hw: HandoverWorld):
    """Any change to a confirmed record or its lines is refused before reaching the database."""
    item = dossier_to_agency(session, hw)
    h = _open(session, hw)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=None)
    h.fees_handed_vnd = 1
    with pytest.raises(RecordImmutable):
        session.flush()
    session.expire(h)  # forget the attempted change
    line = session.execute(select(HandoverLine).where(HandoverLine.handover_id == h.id)).scalars().one()
    line.outcome = LineOutcome.MISSING
    with pytest.raises(RecordImmutable):
        session.flush()
    session.expire(line)
    with pytest.raises(Conflict) as err:
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    assert err.value.code == "already_confirmed"


def test_wrong_code_counts_attempts_then_locks(session: Session, hw: HandoverWorld):
    """Five wrong codes and even the right one is refused until a new code is shown."""
    item = dossier_to_agency(session, hw)
    h = _open(session, hw)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    for _ in range(confirmation.OTP_MAX_ATTEMPTS):
        with pytest.raises(confirmation.WrongCode):
            confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=wrong, fees_handed_vnd=None)
    with pytest.raises(confirmation.TooManyAttempts):
        confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=None)
    assert h.status is HandoverStatus.OPEN and item.status is ItemStatus.ACCEPTED


def test_amend_creates_a_superseding_record(session: Session, hw: HandoverWorld):
    """A correction is a new record referencing the old one, which stays as it was and still verifies."""
    a, b = dossier_to_agency(session, hw), dossier_to_agency(session, hw)
    h = _open(session, hw)
    for item in (a, b):
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    records.record_discrepancy(session, actor=hw.clerk_a, handover=h,
                               change=records.Discrepancy(b.s10, LineOutcome.MISSING))
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=None)
    sealed = h.record_sha256
    new = records.amend(session, actor=hw.clerk_a, original=h, reason="Tìm thấy hồ sơ bị thiếu",
                        changes=[records.Discrepancy(b.s10, LineOutcome.ACCEPTED)])
    assert new.supersedes_id == h.id and new.status is HandoverStatus.OPEN
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=new)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=new, code=issued.code, fees_handed_vnd=None)
    assert b.status is ItemStatus.HANDED_OVER and a.status is ItemStatus.HANDED_OVER
    assert h.record_sha256 == sealed and integrity.verify(session, code=h.code, given_hash=sealed).superseded
    with pytest.raises(Conflict) as err:
        records.amend(session, actor=hw.clerk_a, original=h, reason="lần hai", changes=[])
    assert err.value.code == "already_superseded"


def test_collect_result_from_agency(session: Session, hw: HandoverWorld):
    """A from_agency record, confirmed by the clerk's QR, gives the result to the postman."""
    result = result_at_agency(session, hw)
    h = _open(session, hw, HandoverKind.FROM_AGENCY)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=result.s10)
    token, _ = confirmation.issue_qr_token(session, actor=hw.clerk_a, handover=h, fees_handed_vnd=0)
    confirmation.confirm_with_qr(session, actor=hw.postman_user, handover=h, token=token)
    assert h.method is ConfirmationMethod.QR and h.confirmed_by_user_id == hw.clerk_a.id
    assert result.status is ItemStatus.ACCEPTED and (result.holder_kind, result.holder_ref_id) == (HolderKind.POSTMAN, hw.postman.id)


def test_verification_detects_a_record_edited_behind_the_application(session: Session, hw: HandoverWorld):
    """A line changed by raw SQL (bypassing the guard) makes the record verify as changed; a wrong hash too."""
    item = dossier_to_agency(session, hw)
    h = _open(session, hw)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=None)
    assert integrity.verify(session, code=h.code, given_hash="f" * 64).reason == "hash_mismatch"
    session.execute(HandoverLine.__table__.update().where(HandoverLine.handover_id == h.id).values(originals=9))
    session.expire_all()
    check = integrity.verify(session, code=h.code, given_hash=h.record_sha256)
    assert not check.genuine and check.reason == "record_changed"
